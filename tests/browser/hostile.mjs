// Loads sear SVGs made with script payloads in every option, name, file name and recorded
// command line, in headless Chromium, and checks that nothing runs: no dialog, no global
// set, no request, no error; only the elements and attributes sear writes; two scripts,
// the config (numbers) and the viewer (flame.js, as it is); the payloads shown as text.
// usage: node hostile.mjs FLAME_JS FILE.svg...   (exits non-zero on the first failed check)
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const [flameJs, ...files] = process.argv.slice(2);
const viewer = fs.readFileSync(flameJs, "utf8");
const elements = new Set(["svg", "desc", "defs", "linearGradient", "stop", "pattern", "rect", "style",
	"script", "text", "g", "title"]);
const attributes = new Set(["version", "width", "height", "viewBox", "xmlns", "font-size", "font-family",
	"id", "y1", "y2", "x1", "x2", "stop-color", "offset", "patternUnits", "patternTransform", "fill",
	"type", "x", "y", "class", "rx", "ry", "data-n", "data-a", "data-b"]);
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
	for (const f of files) {
		const file = path.resolve(f);
		const page = await browser.newPage({ viewport: { width: 1300, height: 700 } });
		const errors = [], dialogs = [], requests = [];
		page.on("pageerror", (e) => errors.push(String(e)));
		page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
		page.on("dialog", (d) => {
			// the search's own prompt gets a payload for a regex; any other dialog is a payload's
			if (d.type() === "prompt" && d.message().startsWith("Search frames")) d.accept("<script>window.__pwned=1</script>");
			else { dialogs.push(d.message()); d.dismiss(); }
		});
		page.on("request", (r) => r.url() === "file://" + file || requests.push(r.url()));
		await page.goto("file://" + file);
		await page.waitForFunction(() => document.querySelectorAll("#frames > g").length > 0);
		const dom = await page.evaluate(() => ({
			tags: Array.from(document.querySelectorAll("*")).map((e) => e.localName),
			attrs: Array.from(document.querySelectorAll("*")).flatMap((e) => Array.from(e.attributes).map((a) => a.name)),
			scripts: Array.from(document.querySelectorAll("script")).map((s) => ({ id: s.id, type: s.type, text: s.textContent })),
			pwned: typeof window.__pwned,
			titles: Array.from(document.querySelectorAll("#frames title")).map((t) => t.textContent),
			texts: Array.from(document.querySelectorAll("text")).map((t) => t.textContent).join("\n"),
		}));
		for (const t of dom.tags) assert.ok(elements.has(t), `${path.basename(file)}: element <${t}>`);
		for (const a of dom.attrs) assert.ok(attributes.has(a), `${path.basename(file)}: attribute ${a}`);
		assert.equal(dom.scripts.length, 2, "two scripts");
		const config = JSON.parse(dom.scripts.find((s) => s.id === "sear-config").text);
		for (const [k, v] of Object.entries(config))
			assert.ok(typeof v === "number" || typeof v === "boolean" || (k === "matchColor" && v === "rgb(230,0,230)"),
				`config ${k} holds ${JSON.stringify(v)}`);
		assert.equal(dom.scripts.find((s) => s.id !== "sear-config").text.trim(), viewer.trim(), "the viewer is flame.js");
		// The payloads are there, as text the reader sees.
		assert.ok(dom.titles.some((t) => t.includes("<script>window.__pwned=1</script>") || t.includes("<img src=x")) ||
			dom.texts.includes("<script>window.__pwned=1</script>"), "a payload shows as text");
		// Hover every frame and search with a payload: still nothing runs.
		const n = await page.locator("#frames > g").count();
		for (let i = 0; i < Math.min(n, 40); i++) await page.locator("#frames > g").nth(i).hover();
		await page.click("#search");
		await page.keyboard.press("Escape");
		assert.equal(await page.evaluate(() => typeof window.__pwned), "undefined", "no payload ran");
		assert.equal(dom.pwned, "undefined", "no payload ran on load");
		assert.deepEqual(dialogs, [], "no dialog but the search's");
		assert.deepEqual(requests, [], "no request");
		assert.deepEqual(errors, [], "no script error");
		await page.close();
	}
	console.log(`ok: ${files.length} SVGs with payloads everywhere: nothing runs, markup as sear writes it`);
} catch (e) {
	console.error("FAIL:", e.message);
	failed = true;
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
