// sear flame graph viewer: zoom, search and details for the SVG it is embedded in.
// Frames are g elements of class "f" holding a title ("NAME (numbers)"), a rect and a text;
// their counts are numbers in data-n (or data-a and data-b in a differential graph).
// Names are only ever read from and written to text nodes, never parsed as markup.
"use strict";
var cfg, svg, frames = [], details, matched, unzoom, searchBtn, charW, nameType, current = null;

function init() {
	svg = document.documentElement;
	cfg = JSON.parse(document.getElementById("sear-config").textContent);
	charW = cfg.fontSize * cfg.fontWidth;
	details = document.getElementById("details");
	matched = document.getElementById("matched");
	unzoom = document.getElementById("unzoom");
	searchBtn = document.getElementById("search");
	nameType = document.getElementById("nametype").textContent;
	var gs = document.querySelectorAll("#frames > g");
	for (var i = 0; i < gs.length; i++) {
		var g = gs[i], r = g.querySelector("rect"), title = g.querySelector("title").textContent;
		var name = title.replace(/ \([^()]*\)$/, "").replace(/_\[[kwij]\]$/, "");
		frames.push({
			g: g, rect: r, text: g.querySelector("text"), title: title,
			name: name, root: r.getAttribute("y") == cfg.rootY,
			count: +(g.getAttribute("data-n") || g.getAttribute("data-a") || 0),
			after: +(g.getAttribute("data-a") || 0), before: +(g.getAttribute("data-b") || 0),
			x: +r.getAttribute("x"), w: +r.getAttribute("width"), y: +r.getAttribute("y"),
			fill: r.getAttribute("fill")
		});
		g._frame = frames[frames.length - 1];
	}
	var box = document.getElementById("frames");
	box.addEventListener("click", function (e) {
		var f = frameOf(e.target);
		if (f) zoom(f);
	});
	box.addEventListener("mouseover", function (e) {
		var f = frameOf(e.target);
		if (f) details.textContent = nameType + " " + f.title;
	});
	box.addEventListener("mouseout", function () { details.textContent = " "; });
	unzoom.addEventListener("click", resetZoom);
	searchBtn.addEventListener("click", function () {
		if (searchBtn.classList.contains("active")) resetSearch(); else askSearch();
	});
	window.addEventListener("keydown", function (e) {
		if ((e.ctrlKey || e.metaKey) && e.key === "f" || e.key === "F3") {
			e.preventDefault();
			askSearch();
		} else if (e.key === "Escape") {
			resetSearch();
			resetZoom();
		}
	});
	var params = new URLSearchParams(location.search);
	if (params.get("s")) search(params.get("s"));
}

function frameOf(el) {
	while (el && el !== svg) {
		if (el._frame) return el._frame;
		el = el.parentNode;
	}
	return null;
}

// Fits a frame's label to its width, cutting with ".." as flamegraph.pl does.
function label(f, x, w) {
	var max = Math.floor(w / charW), chars = Array.from(f.name);
	f.text.setAttribute("x", (x + 3).toFixed(2));
	if (f.root && !f.name.length) f.text.textContent = "all";
	else if (max < 3) f.text.textContent = "";
	else if (chars.length <= max) f.text.textContent = f.name;
	else f.text.textContent = chars.slice(0, max - 2).join("") + "..";
}

function place(f, x, w) {
	f.rect.setAttribute("x", x.toFixed(1));
	f.rect.setAttribute("width", w.toFixed(1));
	label(f, x, w);
}

// An ancestor sits on the root side of f: below it in a flame graph, above it in an icicle.
function isAncestor(a, f) {
	var rootward = cfg.inverted ? a.y < f.y : a.y > f.y;
	return rootward && a.x <= f.x + 1e-6 && a.x + a.w >= f.x + f.w - 1e-6;
}

function zoom(f) {
	var full = cfg.width - 2 * cfg.xpad, scale = full / f.w;
	current = f;
	unzoom.classList.remove("hide");
	for (var i = 0; i < frames.length; i++) {
		var e = frames[i];
		e.g.classList.remove("parent", "hide");
		if (e === f || (e.y === f.y ? false : isAncestor(e, f))) {
			if (e !== f) e.g.classList.add("parent");
			place(e, cfg.xpad, full);
		} else if ((cfg.inverted ? e.y > f.y : e.y < f.y) && e.x >= f.x - 1e-6 &&
			   e.x + e.w <= f.x + f.w + 1e-6) {
			place(e, cfg.xpad + (e.x - f.x) * scale, e.w * scale);
		} else {
			e.g.classList.add("hide");
		}
	}
}

function resetZoom() {
	current = null;
	unzoom.classList.add("hide");
	for (var i = 0; i < frames.length; i++) {
		var e = frames[i];
		e.g.classList.remove("parent", "hide");
		place(e, e.x, e.w);
	}
}

function askSearch() {
	var term = prompt("Search frames (regular expression)", "");
	if (term !== null) search(term);
}

function resetSearch() {
	searchBtn.classList.remove("active");
	searchBtn.textContent = "Search";
	matched.textContent = " ";
	for (var i = 0; i < frames.length; i++) frames[i].rect.setAttribute("fill", frames[i].fill);
}

function pct(part, whole) {
	return whole ? 100 * part / whole : 0;
}

// Highlights matching frames and shows their share of all samples (in a
// differential graph, before and after). A frame nested inside another
// match is counted once, through the outer one.
function search(term) {
	var re;
	resetSearch();
	if (!term) return;
	try {
		re = new RegExp(term);
	} catch (err) {
		matched.textContent = "Invalid regex: " + term;
		return;
	}
	var hits = [];
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		if (f.root || !re.test(f.name)) continue;
		f.rect.setAttribute("fill", cfg.matchColor);
		hits.push(f);
	}
	hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
	var count = 0, after = 0, before = 0, end = -1;
	for (var j = 0; j < hits.length; j++) {
		if (hits[j].x >= end - 1e-6) {
			count += hits[j].count;
			after += hits[j].after;
			before += hits[j].before;
			end = hits[j].x + hits[j].w;
		}
	}
	searchBtn.classList.add("active");
	searchBtn.textContent = "Reset Search";
	if (cfg.diff) {
		var a = pct(after, cfg.afterTotal), b = pct(before, cfg.beforeTotal), d = a - b;
		matched.textContent = "Matched: after " + a.toFixed(1) + "%, before " + b.toFixed(1) +
			"% (" + (d >= 0 ? "+" : "") + d.toFixed(1) + " points)";
		matched.setAttribute("data-after", after);
		matched.setAttribute("data-before", before);
	} else {
		matched.textContent = "Matched: " + pct(count, cfg.total).toFixed(1) + "%";
	}
	matched.setAttribute("data-count", count);
}

window.addEventListener("load", init);
