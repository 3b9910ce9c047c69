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

static __attribute__((noinline)) char *render(struct flame *f, const struct flame_svg_opts *o)
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

/* Payloads for every text that reaches the SVG. */
static const char *const payloads[] = {
	"<script>window.__pwned=1</script>",
	"\"><svg onload=alert(1)>",
	"]]><script>alert(2)</script><![CDATA[",
	"</text></g><script>alert(3)</script>",
	"' onmouseover='alert(4)",
	"&lt;script&gt;alert(5)&lt;/script&gt;",
	"x\x01\x02\x1b[31m\xef\xbf\xbf\xed\xa0\x80<y>",
	"}{\"total\":1,\"x\":\"</script>",
	"javascript:alert(6)",
	"<![CDATA[<script>alert(7)</script>]]>",
	"--><script>alert(8)</script><!--",
};

/*
 * The element and attribute names of an SVG, outside the style and script
 * CDATA sections, checked against what the renderer writes. Text never
 * holds a raw '<', so every '<' outside CDATA starts a tag.
 */
static void check_markup(const char *svg)
{
	static const char *const elements[] = { "svg",	  "desc",    "defs", "linearGradient",
						"stop",	  "pattern", "rect", "style",
						"script", "text",    "g",    "title" };
	static const char *const attrs[] = { "version",
					     "width",
					     "height",
					     "viewBox",
					     "xmlns",
					     "font-size",
					     "font-family",
					     "id",
					     "y1",
					     "y2",
					     "x1",
					     "x2",
					     "stop-color",
					     "offset",
					     "patternUnits",
					     "patternTransform",
					     "fill",
					     "type",
					     "x",
					     "y",
					     "class",
					     "rx",
					     "ry",
					     "data-n",
					     "data-a",
					     "data-b" };
	const char *p = svg;
	unsigned int scripts = 0;
	size_t i;

	while ((p = strchr(p, '<'))) {
		char name[64];
		size_t n;
		bool ok = false;

		if (!strncmp(p, "<![CDATA[", 9)) {
			const char *end = strstr(p, "]]>");

			assert_non_null(end);
			p = end + 3;
			continue;
		}
		if (!strncmp(p, "<?xml", 5) || p[1] == '/') {
			p = strchr(p, '>');
			assert_non_null(p);
			continue;
		}
		p++;
		n = strcspn(p, " \t\n/>");
		assert_true(n > 0 && n < sizeof(name));
		memcpy(name, p, n);
		name[n] = '\0';
		for (i = 0; i < sizeof(elements) / sizeof(elements[0]); i++)
			ok |= !strcmp(name, elements[i]);
		if (!ok)
			fail_msg("unexpected element <%s>", name);
		scripts += !strcmp(name, "script");
		p += n;
		/* attributes: name="value", the value without '"' (escaped) */
		for (;;) {
			p += strspn(p, " \t\n");
			if (*p == '>' || *p == '/')
				break;
			n = strcspn(p, "=");
			assert_true(n < sizeof(name));
			memcpy(name, p, n);
			name[n] = '\0';
			ok = false;
			for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
				ok |= !strcmp(name, attrs[i]);
			if (!ok)
				fail_msg("unexpected attribute %s", name);
			assert_int_equal(p[n + 1], '"');
			p = strchr(p + n + 2, '"');
			assert_non_null(p);
			assert_null(memchr(p - 1, '<', 1));
			p++;
		}
	}
	assert_int_equal(scripts, 2);
}

/*
 * Every option and every name carries a payload: the SVG holds the
 * elements and attributes the renderer writes and no others, the config
 * holds numbers only, and the texts come back as they were, escaped.
 */
static void test_hostile_everywhere(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		const char *pl = payloads[i];
		const char *names[] = { pl, "main", pl };
		struct flame_svg_opts o = { .title = pl,
					    .subtitle = pl,
					    .count_name = pl,
					    .name_type = pl,
					    .notes = pl,
					    .font_type = pl,
					    .min_width_set = true };
		struct flame *f = flame__new(), *flow = flame__new_flow();
		struct flame *d = flame__new();
		char *svg, *config;
		size_t len;

		flame__add(f, names, NULL, 3, 5);
		flame__add(flow, names, NULL, 3, 5);
		flame__add_diff(d, names, NULL, 3, 5, 2);
		for (k = 0; k < 3; k++) {
			struct flame *t = k == 0 ? f : k == 1 ? flow : d;

			o.palette = k == 1 ? "hot" : NULL;
			o.other_hatched = k == 2;
			svg = render(t, &o);
			check_markup(svg);
			/* the script's config: keys, numbers, booleans, one fixed colour */
			config = strstr(svg, "id=\"sear-config\">");
			assert_non_null(config);
			config += strlen("id=\"sear-config\">");
			len = strstr(config, "</script>") - config;
			assert_true(len < 400);
			assert_int_equal(strspn(config,
						"{}\":,.()-0123456789abcdefghijklmnopqrstuvwxyz"
						"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
					 len);
			assert_null(memmem(config, len, "alert", 5));
			assert_null(memmem(config, len, "pwned", 5));
			assert_null(strstr(svg, "\x01"));
			assert_null(strstr(svg, "\xef\xbf\xbf")); /* U+FFFF: XML forbids it */
			free(svg);
		}
		flame__free(f);
		flame__free(flow);
		flame__free(d);
	}
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
		cmocka_unit_test(test_hostile_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
