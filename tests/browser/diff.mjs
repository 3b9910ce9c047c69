// Drives a differential sear SVG (a run where work_gone disappeared and work_new appeared)
// in headless Chromium: hover shows before, after and the change; the removed frame is
// there, hatched, and zooms; a search gives the matched share before and after.
// usage: node diff.mjs DIFF.svg   (exits non-zero on the first failed check)
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import path from "node:path";

const file = path.resolve(process.argv[2]);
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const errors = [];
let failed = false;
try {
	const page = await browser.newPage({ viewport: { width: 1300, height: 700 } });
	page.on("pageerror", (e) => errors.push(String(e)));
	page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
	const requests = [];
	page.on("request", (r) => r.url().startsWith("file://") || requests.push(r.url()));
	await page.goto("file://" + file);
	await page.waitForFunction(() => document.querySelectorAll("#frames > g").length > 0);
	const cfg = await page.evaluate(() => JSON.parse(document.getElementById("sear-config").textContent));
	assert.equal(cfg.diff, true, "a differential graph");

	const frames = () => page.evaluate(() => Array.from(document.querySelectorAll("#frames > g")).map((g) => {
		const r = g.querySelector("rect");
		return { name: g.querySelector("title").textContent.replace(/ \([^()]*\)$/, ""),
			title: g.querySelector("title").textContent, other: g.classList.contains("o"),
			a: +g.getAttribute("data-a"), b: +g.getAttribute("data-b"), x: +r.getAttribute("x"),
			w: +r.getAttribute("width"), fill: r.getAttribute("fill"), hidden: g.classList.contains("hide") };
	}));
	const all = await frames();
	const one = (name) => all.find((f) => f.name === name);
	const frameOf = (name) => page.locator("#frames > g", { has: page.locator("title", { hasText: new RegExp("^" + name + " \\(") }) }).first();
	const pct = (n, d) => (100 * n / d).toFixed(2);

	// work_gone: only BEFORE has it, and it is drawn, hatched, with its numbers.
	const gone = one("work_gone");
	assert.ok(gone, "work_gone is drawn");
	assert.ok(gone.other && gone.fill === "url(#other)" && gone.a === 0 && gone.b > 0, "work_gone hatched, after 0");
	assert.ok(gone.w > 20, `work_gone has its BEFORE width (${gone.w} px)`);
	await frameOf("work_gone").hover();
	let details = await page.textContent("#details");
	assert.equal(details, `Function: work_gone (after 0 samples, 0.00%; before ${gone.b.toLocaleString("en-US")} samples, ` +
		`${pct(gone.b, cfg.beforeTotal)}%; change ${details.match(/change (-[\d,]+) /)[1]} samples, ` +
		`-${pct(gone.b, cfg.beforeTotal)} points, -100.0%)`, "hover on work_gone: before, after, change");

	// work_new: only AFTER has it.
	const fresh = one("work_new");
	assert.ok(fresh && !fresh.other && fresh.b === 0 && fresh.a > 0, "work_new drawn, before 0");
	await frameOf("work_new").hover();
	details = await page.textContent("#details");
	assert.match(details, new RegExp(`^Function: work_new \\(after ${fresh.a.toLocaleString("en-US")} samples, ` +
		`${pct(fresh.a, cfg.afterTotal)}%; before 0 samples, 0.00%; change \\+[\\d,]+ samples, \\+${pct(fresh.a, cfg.afterTotal)} points, new\\)$`),
		"hover on work_new");

	// work_beta: in both; the relative change is the change over BEFORE's (scaled) count.
	const beta = one("work_beta");
	await frameOf("work_beta").hover();
	details = await page.textContent("#details");
	const m = details.match(/^Function: work_beta \(after ([\d,]+) samples, ([\d.]+)%; before ([\d,]+) samples, ([\d.]+)%; change \+([\d,]+) samples, \+([\d.]+) points, \+([\d.]+)%\)$/);
	assert.ok(m, "work_beta's details: " + details);
	const num = (s) => +s.replace(/,/g, "");
	assert.equal(num(m[1]), beta.a, "after count");
	assert.equal(num(m[3]), beta.b, "before count");
	assert.ok(Math.abs(+m[6] - (+m[2] - +m[4])) < 0.011, "points are the shares' difference");
	assert.ok(beta.fill.startsWith("rgb(255,"), "work_beta grew: red");
	assert.ok(one("work_alpha").fill.endsWith(",255)"), "work_alpha shrank: blue");

	// Search: the matched share, before and after, nested matches once.
	const searchFor = async (term) => {
		page.once("dialog", (d) => d.accept(term));
		await page.click("#search");
		return page.textContent("#matched");
	};
	let matched = await searchFor("^work_(gone|new)$");
	const a = 100 * fresh.a / cfg.afterTotal, b = 100 * gone.b / cfg.beforeTotal;
	assert.equal(matched, `Matched: after ${a.toFixed(1)}%, before ${b.toFixed(1)}% (${a - b >= 0 ? "+" : ""}${(a - b).toFixed(1)} points)`,
		"search share of work_gone and work_new");
	const lit = (await frames()).filter((f) => f.fill === "rgb(230,0,230)").map((f) => f.name).sort();
	assert.deepEqual(lit, ["work_gone", "work_new"], "both highlighted, the removed one too");
	await page.click("#search"); // reset
	assert.equal((await frames()).find((f) => f.name === "work_gone").fill, "url(#other)", "hatching back after reset");
	matched = await searchFor("^(step|work_beta)$");
	const step = one("step");
	assert.equal(matched, `Matched: after ${(100 * step.a / cfg.afterTotal).toFixed(1)}%, before ${(100 * step.b / cfg.beforeTotal).toFixed(1)}% ` +
		`(${(100 * step.a / cfg.afterTotal - 100 * step.b / cfg.beforeTotal) >= 0 ? "+" : ""}${(100 * step.a / cfg.afterTotal - 100 * step.b / cfg.beforeTotal).toFixed(1)} points)`,
		"nested match counted once, through step");
	await page.keyboard.press("Escape");

	// Zoom into the removed frame: it fills the width, others hide; reset restores.
	await frameOf("work_gone").click();
	const z = (await frames()).find((f) => f.name === "work_gone");
	assert.ok(Math.abs(z.w - (cfg.width - 2 * cfg.xpad)) < 0.5, "zoomed work_gone fills the width");
	assert.ok((await frames()).find((f) => f.name === "work_beta").hidden, "siblings hidden");
	await page.click("#unzoom");
	assert.ok(Math.abs((await frames()).find((f) => f.name === "work_gone").w - gone.w) < 0.05, "reset");

	assert.deepEqual(requests, [], "the SVG fetches nothing");
	assert.deepEqual(errors, [], "no script errors");
	console.log(`ok: the diff's removed and new frames, tooltips, search and zoom work on ${path.basename(file)}`);
} catch (e) {
	console.error("FAIL:", e.message);
	failed = true;
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
