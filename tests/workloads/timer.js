// A Node server's request loop: each request computes for about 5 ms, then awaits a
// 5 ms timer. On-CPU profiles see the compute; --off-cpu also the wait, under the
// event loop's epoll wait (libuv's uv__io_poll). usage: node timer.js [SECONDS]
"use strict";

function computeWork(ms) {
	const end = Date.now() + ms;
	let x = 0;
	while (Date.now() < end) for (let i = 0; i < 1000; i++) x = (x * 31 + i) | 0;
	return x;
}

function waitTimer(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function serve(seconds) {
	const end = Date.now() + seconds * 1000;
	let n = 0;
	while (Date.now() < end) {
		computeWork(5);
		await waitTimer(5);
		n++;
	}
	return n;
}

serve(Number(process.argv[2] || 3)).then((n) => console.log(`${n} requests`));
