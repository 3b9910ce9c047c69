// A Node workload with named hot functions and a known split: about 2/3 of
// the time in fibHot (called from computeFib), 1/3 in sieveHot (from
// computePrimes). usage: node hot.js [SECONDS]
"use strict";

function fibHot(n) {
	return n < 2 ? n : fibHot(n - 1) + fibHot(n - 2);
}

function sieveHot(limit) {
	const marks = new Uint8Array(limit + 1);
	let count = 0;
	for (let i = 2; i <= limit; i++) {
		if (marks[i]) continue;
		count++;
		for (let j = i * i; j <= limit; j += i) marks[j] = 1;
	}
	return count;
}

function computeFib(ms) {
	const end = Date.now() + ms;
	let sum = 0;
	while (Date.now() < end) sum += fibHot(22);
	return sum;
}

function computePrimes(ms) {
	const end = Date.now() + ms;
	let sum = 0;
	while (Date.now() < end) sum += sieveHot(20000);
	return sum;
}

const seconds = Number(process.argv[2] || 3);
const until = Date.now() + seconds * 1000;
let total = 0;
while (Date.now() < until) {
	total += computeFib(20);
	total += computePrimes(10);
}
if (total === -1) console.log(total);
