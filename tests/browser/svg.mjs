// Drives a sear SVG in headless Chromium the way a user does: hover, click to zoom,
// reset, search by regex, and checks what the page shows.
// usage: node svg.mjs FLAME.svg   (exits non-zero on the first failed check)
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
	const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
	page.on("pageerror", (e) => errors.push(String(e)));
	page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
	const requests = [];
	page.on("request", (r) => r.url().startsWith("file://") || requests.push(r.url()));
	await page.goto("file://" + file);
	await page.waitForFunction(() => document.querySelectorAll("#frames > g").length > 0);

	// Frames as the page has them: name, samples, geometry, state.
	const frames = () => page.evaluate(() => Array.from(document.querySelectorAll("#frames > g")).map((g) => {
		const r = g.querySelector("rect"), t = g.querySelector("title").textContent;
		const m = /^([\s\S]*) \(([\d,]+) samples, ([\d.]+)%\)$/.exec(t);
		return { name: m[1], count: +m[2].replace(/,/g, ""), pct: +m[3], x: +r.getAttribute("x"),
			w: +r.getAttribute("width"), fill: r.getAttribute("fill"), label: g.querySelector("text").textContent,
			hidden: g.classList.contains("hide"), parent: g.classList.contains("parent") };
	}));
	// The frames of that name, widest first: a stack cut short at start-up may draw a
	// second, narrow one.
	const find = (fs, name) => fs.filter((f) => f.name === name).sort((a, b) => b.w - a.w);
	const before = await frames();
	const total = find(before, "all")[0].count;
	const full = find(before, "all")[0].w;

	// Hover: the details line shows the frame's name, samples and share.
	const widest = find(before, "resize_image")[0];
	const resize = page.locator("#frames > g", {
		has: page.locator("title", { hasText: new RegExp(`^resize_image \\(${widest.count.toLocaleString("en-US")} samples`) }),
	}).first();
	await resize.hover();
	const details = await page.textContent("#details");
	assert.match(details, /^Function: resize_image \([\d,]+ samples, [\d.]+%\)$/, "hover details");

	// Click: resize_image fills the width, its callees scale with it, the rest hides.
	await resize.click();
	let fs = await frames();
	const r0 = find(before, "resize_image")[0], r1 = find(fs, "resize_image")[0];
	assert.ok(Math.abs(r1.w - full) < 0.5, `zoomed frame fills the width (${r1.w} vs ${full})`);
	const blur0 = find(before, "blur_row")[0], blur1 = find(fs, "blur_row")[0];
	assert.ok(Math.abs(blur1.w - blur0.w * full / r0.w) < 0.5, "callee scaled by the zoom");
	assert.ok(find(fs, "compress_response").every((f) => f.hidden), "siblings hidden");
	assert.ok(find(fs, "handle_request")[0].parent, "ancestors dimmed");
	assert.ok(blur1.label.startsWith("blur_row"), "labels refit after zoom");
	assert.equal(await page.isVisible("#unzoom"), true, "Reset Zoom shown");

	// Reset: everything back where it was.
	await page.click("#unzoom");
	fs = await frames();
	for (let i = 0; i < fs.length; i++) {
		assert.ok(Math.abs(fs[i].w - before[i].w) < 0.01 && !fs[i].hidden, "reset restores " + fs[i].name);
	}
	assert.equal(await page.isVisible("#unzoom"), false, "Reset Zoom hidden again");

	// Search by regex: matches turn magenta and the share is shown.
	const searchFor = async (term) => {
		page.once("dialog", (d) => d.accept(term));
		await page.click("#search");
		return page.textContent("#matched");
	};
	let matched = await searchFor("^blur_row$");
	fs = await frames();
	const blurCount = find(fs, "blur_row").reduce((a, f) => a + f.count, 0);
	assert.equal(matched, `Matched: ${(100 * blurCount / total).toFixed(1)}%`, "blur_row share");
	assert.ok(find(fs, "blur_row").every((f) => f.fill === "rgb(230,0,230)"), "matches highlighted");
	assert.ok(find(fs, "parse_request").every((f) => f.fill !== "rgb(230,0,230)"), "others not");
	await page.click("#search"); // "Reset Search"
	assert.equal((await frames())[0].fill, before[0].fill, "search reset");

	// Nested matches count once: handle_request sits inside serve_requests.
	matched = await searchFor("serve_requests|handle_request");
	const serve = find(fs, "serve_requests").reduce((a, f) => a + f.count, 0);
	assert.equal(matched, `Matched: ${(100 * serve / total).toFixed(1)}%`, "nested counted once");
	await page.keyboard.press("Escape");

	matched = await searchFor("(unclosed");
	assert.match(matched, /^Invalid regex/, "bad regex reported");

	// Ctrl-F opens the search too.
	page.once("dialog", (d) => d.accept("^burn$"));
	await page.keyboard.press("Control+f");
	assert.match(await page.textContent("#matched"), /^Matched: [\d.]+%$/, "Ctrl-F searches");

	// ?s=REGEX searches on load, for links.
	await page.goto("file://" + file + "?s=compress");
	assert.match(await page.textContent("#matched"), /^Matched: [\d.]+%$/, "?s= searches on load");

	assert.deepEqual(requests, [], "the SVG fetches nothing");
	assert.deepEqual(errors, [], "no script errors");
	console.log(`ok: zoom, reset, search and hover work on ${path.basename(file)}`);
} catch (e) {
	console.error("FAIL:", e.message);
	failed = true;
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
