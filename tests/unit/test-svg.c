// SPDX-License-Identifier: MIT
/* SVG escaping, truncation and rendering. */
#include "check.h"
#include "flamegraph/folded.h"
#include "flamegraph/svg.h"

static char *escape(const char *s, size_t len)
{
	char *text = NULL;

	CAPTURE(text, svg__escape(out, s, len));
	return text;
}

static void test_escape_entities(void **state)
{
	const char *in = "a<b>&\"c'";
	char *t = escape(in, strlen(in));

	(void)state;
	assert_string_equal(t, "a&lt;b&gt;&amp;&quot;c&apos;");
	free(t);
}

static void test_escape_invalid(void **state)
{
	/*
	 * A control char and U+FFFF, which XML forbids, are dropped; a lone
	 * continuation byte, an overlong '/' and a surrogate are not UTF-8: '?'.
	 */
	static const char bad[] = "x\x01y\x80z\xc0\xafw\xed\xa0\x80v\xef\xbf\xbf";
	char *t = escape(bad, sizeof(bad) - 1);

	(void)state;
	assert_string_equal(t, "xy?z??w???v");
	free(t);
	/* Valid multi-byte text passes unchanged. */
	t = escape("f\xc3\xbcr \xe2\x82\xac \xf0\x9f\x94\xa5", 13);
	assert_string_equal(t, "f\xc3\xbcr \xe2\x82\xac \xf0\x9f\x94\xa5");
	free(t);
}

static void test_prefix_utf8(void **state)
{
	const char *s = "\xc3\xa9t\xc3\xa9"; /* "été": 3 characters, 5 bytes */

	(void)state;
	assert_int_equal(svg__prefix(s, 5, 1), 2);
	assert_int_equal(svg__prefix(s, 5, 2), 3);
	assert_int_equal(svg__prefix(s, 5, 3), 5);
	assert_int_equal(svg__prefix(s, 5, 10), 5);
	assert_int_equal(svg__prefix("abc", 3, 0), 0);
}

static char *render(struct flame *f, const struct flame_svg_opts *o)
{
	char *text = NULL;

	CAPTURE(text, assert_int_equal(flame__render_svg(f, o, out), 0));
	return text;
}

static void test_render_hostile_name(void **state)
{
	struct flame *f = flame__new();
	const char *names[] = { "app", "</text><script>alert(1)</script>&x" };
	struct flame_svg_opts o = { .title = "t<1>" };
	char *svg;

	(void)state;
	flame__add(f, names, NULL, 2, 10);
	svg = render(f, &o);
	assert_null(strstr(svg, "<script>alert"));
	assert_non_null(
	    strstr(svg, "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;x (10 samples, "
			"100.00%)</title>"));
	assert_non_null(strstr(svg, ">t&lt;1&gt;</text>"));
	free(svg);
	flame__free(f);
}

static void test_render_shares_and_truncation(void **state)
{
	struct flame *f = flame__new();
	const char *a[] = { "app", "a_function_with_a_rather_long_name_indeed" };
	const char *b[] = { "app", "tiny" };
	struct flame_svg_opts o = { .width = 300 };
	char *svg;

	(void)state;
	flame__add(f, a, NULL, 2, 999);
	flame__add(f, b, NULL, 2, 1);
	svg = render(f, &o);
	assert_non_null(strstr(svg,
			       "<title>a_function_with_a_rather_long_name_indeed (999 samples, "
			       "99.90%)</title>"));
	/* 1 of 1000 samples at 280 px is 0.28 px: drawn (over 0.1 px) but without a label. */
	assert_non_null(strstr(svg, "<title>tiny (1 samples, 0.10%)</title>"));
	assert_non_null(strstr(svg, "<title>all (1,000 samples, 100%)</title>"));
	/* The long name is cut to fit, with "..", and is never cut mid-entity. */
	assert_non_null(strstr(svg, ">a_function_with_a_rather_long_name_indeed (999 samples"));
	assert_non_null(strstr(svg, ">a_function_with_a_rather_long_name_in..</text>"));
	assert_non_null(strstr(svg, "<script type=\"text/ecmascript\"><![CDATA["));
	free(svg);

	o.min_width = 1.0; /* now tiny is under the minimum and left out */
	svg = render(f, &o);
	assert_null(strstr(svg, "<title>tiny"));
	free(svg);
	flame__free(f);
}

static void test_render_no_samples(void **state)
{
	struct flame *f = flame__new();
	struct flame_svg_opts o = { 0 };
	char *svg;

	(void)state;
	svg = render(f, &o);
	assert_non_null(strstr(svg, ">no samples</text>"));
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
	flame__free(f);
}

/* A small graph, byte for byte: the renderer's output changes only on purpose. */
static void test_golden(void **state)
{
	size_t len, bad = 0;
	char *in = golden_read("svg/small.folded", &len), *text;
	struct flame_svg_opts o = { .title = "golden", .subtitle = "7 stacks" };
	struct flame *f = flame__new();

	(void)state;
	assert_int_equal(folded__parse_mem(f, in, len, NULL, &bad), 0);
	text = render(f, &o);
	golden_check("svg/small.svg", text);
	free(text);
	flame__free(f);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_escape_entities),
		cmocka_unit_test(test_escape_invalid),
		cmocka_unit_test(test_prefix_utf8),
		cmocka_unit_test(test_render_hostile_name),
		cmocka_unit_test(test_render_shares_and_truncation),
		cmocka_unit_test(test_render_no_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
