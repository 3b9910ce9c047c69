// SPDX-License-Identifier: MIT
/* Comparing two profiles: names made equal, difffolded's text, and the differential SVG. */
#include "check.h"
#include "flamegraph/diff.h"
#include "flamegraph/svg.h"

static void check_name(const char *in, const char *want)
{
	char out[256];
	size_t n = diff__normalize_name(in, strlen(in), out, sizeof(out));

	if (n != strlen(want) || memcmp(out, want, n))
		fail_msg("'%s' became '%.*s', want '%s'", in, (int)n, out, want);
}

static void test_normalize(void **state)
{
	(void)state;
	/* V8's tiers, with and without a prefix */
	check_name("JS:*fibHot /app/hot.js:7:16", "JS:fibHot /app/hot.js:7:16");
	check_name("JS:~fibHot /app/hot.js:7:16", "JS:fibHot /app/hot.js:7:16");
	check_name("JS:^computeFib /app/hot.js:21:20", "JS:computeFib /app/hot.js:21:20");
	check_name("JS:+f /a.js:1", "JS:f /a.js:1");
	check_name("LazyCompile:*fib /app/x.js:2", "LazyCompile:fib /app/x.js:2");
	check_name("~fib /app/x.js:3", "fib /app/x.js:3");
	check_name("*fib /app/x.js:3", "fib /app/x.js:3");
	check_name("JS:*f /a.js:1_[j]", "JS:f /a.js:1_[j]");
	/* not tiers */
	check_name("*", "*");
	check_name("* x", "* x");
	check_name("operator*", "operator*");
	check_name("std::a::~A()", "std::a::~A()");
	/* addresses */
	check_name("[unknown] 0x7f12ab", "[unknown]");
	check_name("foo+0x1f", "foo");
	check_name("foo+0x1f_[k]", "foo_[k]");
	check_name("[libc.so.6+0x1f2e]", "[libc.so.6]");
	check_name("[libfoo.so <7f12ab>]", "[libfoo.so]");
	check_name("0x1f", "0x1f");
	check_name("[0x1f]", "[0x1f]");
	/* glibc's aliases */
	check_name("__memcpy_avx_unaligned_erms", "__memmove_avx_unaligned_erms");
	check_name("__memmove_avx_unaligned_erms", "__memmove_avx_unaligned_erms");
	check_name("__GI___libc_write", "__libc_write");
	check_name("__mempcpy_avx_unaligned", "__mempcpy_avx_unaligned");
	/* the rest is left alone */
	check_name("main", "main");
	check_name("", "");
	check_name("do_syscall_64_[k]", "do_syscall_64_[k]");
}

static char *folded(struct flame_diff *d, double scale)
{
	char *text = NULL;

	CAPTURE(text, assert_int_equal(flame_diff__write_folded(d, out, scale), 0));
	return text;
}

static void add(struct flame_diff *d, bool after, const char *text)
{
	assert_int_equal(
	    flame_diff__add_folded(d, after, text, strlen(text), false, NULL, NULL, NULL), 0);
}

/* difffolded's text: both columns, stacks as written, -n truncating. */
static void test_folded(void **state)
{
	struct diff_opts exact = { .exact_names = true };
	struct flame_diff *d = flame_diff__new(&exact);
	size_t bad = 0;
	char *t;

	(void)state;
	add(d, false, "a;b 10\na;c 5\na;b; 1\n");
	add(d, true, "a;b 4\na;d 3\na;c 5\n");
	assert_int_equal(flame_diff__total(d, false), 16);
	assert_int_equal(flame_diff__total(d, true), 12);
	t = folded(d, 1);
	assert_string_equal(t, "a;b 10 4\na;b; 1 0\na;c 5 5\na;d 0 3\n");
	free(t);
	/* -n: int(count * 12 / 16) */
	t = folded(d, 12.0 / 16);
	assert_string_equal(t, "a;b 7 4\na;b; 0 0\na;c 3 5\na;d 0 3\n");
	free(t);
	/* a line without a count: an empty stack with nothing, as difffolded makes it */
	assert_int_equal(flame_diff__add_folded(d, true, "junk\n", 5, false, NULL, NULL, &bad), 0);
	assert_int_equal(bad, 1);
	t = folded(d, 1);
	assert_non_null(strstr(t, " 0 0\n"));
	free(t);
	flame_diff__free(d);
}

/* Names normalised: an optimised function is the same function. */
static void test_tiers_and_hex(void **state)
{
	struct flame_diff *d = flame_diff__new(NULL);
	struct diff_opts hex = { .exact_names = true, .strip_hex = true };
	char *t;

	(void)state;
	add(d, false, "node;JS:~fib /x.js:3 7\nnode;[unknown] 0x7f01 2\n");
	add(d, true, "node;JS:*fib /x.js:3 9\nnode;[unknown] 0x7f99 1\n");
	assert_int_equal(flame_diff__renamed(d), 4);
	t = folded(d, 1);
	assert_string_equal(t, "node;JS:fib /x.js:3 7 9\nnode;[unknown] 2 1\n");
	free(t);
	flame_diff__free(d);
	/* -s: hex numbers become 0x... and so merge; the text may grow */
	d = flame_diff__new(&hex);
	add(d, false, "a;0x1;b 1\na;0x2;b 2\n");
	t = folded(d, 1);
	assert_string_equal(t, "a;0x...;b 3 0\n");
	free(t);
	flame_diff__free(d);
}

static char *render(struct flame *f, const struct flame_svg_opts *o)
{
	char *text = NULL;

	CAPTURE(text, assert_int_equal(flame__render_svg(f, o, out), 0));
	return text;
}

/*
 * The graph: AFTER's shape, a frame only BEFORE had drawn hatched at its
 * size, tooltips with before, after, change and relative change.
 */
static void test_svg(void **state)
{
	struct flame_diff *d = flame_diff__new(NULL);
	struct flame_svg_opts o = { .other_hatched = true, .before_scale = 1 };
	struct flame *f = flame__new();
	char *svg;

	(void)state;
	add(d, false, "app;main;kept 50\napp;main;gone 30\napp;main 20\n");
	add(d, true, "app;main;kept 60\napp;main;new 20\napp;main 20\n");
	assert_int_equal(flame_diff__to_flame(d, f, false), 0);
	svg = render(f, &o);
	assert_non_null(strstr(svg,
			       "<g class=\"f o\" data-a=\"0\" data-b=\"30\"><title>gone (after 0 "
			       "samples, 0.00%; before 30 samples, 30.00%; change -30 samples, "
			       "-30.00 points, -100.0%)</title>"));
	assert_non_null(strstr(svg, "fill=\"url(#other)\""));
	assert_non_null(strstr(svg,
			       "<title>new (after 20 samples, 20.00%; before 0 samples, 0.00%; "
			       "change +20 samples, +20.00 points, new)</title>"));
	assert_non_null(strstr(svg, "<title>kept (after 60 samples, 60.00%; before 50 samples, "
				    "50.00%; change +10 samples, +10.00 points, +20.0%)</title>"));
	/* gone takes its 30 samples of width beside its siblings: 130 across 1180 px */
	assert_non_null(strstr(svg,
			       "<title>gone (after 0 samples, 0.00%; before 30 samples, 30.00%; "
			       "change -30 samples, -30.00 points, -100.0%)</title><rect "
			       "x=\"191.5\""));
	golden_check("svg/diff.svg", svg);
	free(svg);
	flame__free(f);
	flame_diff__free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_tiers_and_hex),
		cmocka_unit_test(test_svg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
