// A Node service's hot path in a native library built without frame
// pointers: node-canvas downscales a large image with drawImage, and cairo
// hands the work to pixman. Profiles must carry the JS caller of drawImage
// (downscaleTile) above pixman's frames. usage: node compose.js [SECONDS]
"use strict";
const { createCanvas } = require("canvas");

function makeSource(size) {
	const c = createCanvas(size, size);
	const ctx = c.getContext("2d");
	const g = ctx.createLinearGradient(0, 0, size, size);
	g.addColorStop(0, "#204080");
	g.addColorStop(1, "#f0c020");
	ctx.fillStyle = g;
	ctx.fillRect(0, 0, size, size);
	return c;
}

function downscaleTile(dst, src, n) {
	const ctx = dst.getContext("2d");
	ctx.imageSmoothingQuality = "high";
	ctx.drawImage(src, 0, 0, src.width, src.height, 0, 0, 256 + (n % 7), 256);
}

function main() {
	const seconds = Number(process.argv[2] || 3);
	const src = makeSource(2048);
	const dst = createCanvas(300, 300);
	const end = Date.now() + seconds * 1000;
	let n = 0;
	while (Date.now() < end) downscaleTile(dst, src, n++);
	console.log(`${n} tiles`);
}

main();
