// SPDX-License-Identifier: MIT
/*
 * perf script text to folded stacks: every case of the compatibility corpus
 * (tests/golden/collapse: inputs recorded with perf, outputs made by
 * running stackcollapse-perf.pl) through the library, fed whole and in
 * pieces, on one thread and on several.
 */
#include "check.h"
#include "flamegraph/collapse.h"

static char *collapse_text(const char *in, size_t len, const size_t *splits, size_t nr_splits,
			   const struct collapse_opts *o, struct collapse_notes *notes)
{
	struct collapse *c = collapse__new(o);
	size_t i, at = 0;
	char *text = NULL;

	assert_non_null(c);
	for (i = 0; i <= nr_splits; i++) {
		size_t to = i < nr_splits ? splits[i] : len;

		assert_int_equal(collapse__feed(c, in + at, to - at), 0);
		at = to;
	}
	assert_int_equal(collapse__finish(c), 0);
	CAPTURE(text, assert_int_equal(collapse__write(c, out), 0));
	if (notes)
		collapse__notes(c, notes);
	collapse__free(c);
	return text;
}

/* Options as cases.txt spells them. Returns false for --inline (the command runs addr2line). */
static bool parse_opts(char *s, struct collapse_opts *o, char *filter, size_t size)
{
	char *tok, *save;

	*o = (struct collapse_opts){ 0 };
	for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "--pid"))
			o->pid = true;
		else if (!strcmp(tok, "--tid"))
			o->tid = true;
		else if (!strcmp(tok, "--kernel"))
			o->kernel = true;
		else if (!strcmp(tok, "--jit"))
			o->jit = true;
		else if (!strcmp(tok, "--all"))
			o->kernel = o->jit = true;
		else if (!strcmp(tok, "--addrs"))
			o->addrs = true;
		else if (!strcmp(tok, "--srcline"))
			o->srcline = true;
		else if (!strncmp(tok, "--event-filter=", 15)) {
			snprintf(filter, size, "%s", tok + 15);
			o->event_filter = filter;
		} else if (!strcmp(tok, "--inline") || !strcmp(tok, "--context"))
			return false;
		else
			fail_msg("unknown option '%s' in cases.txt", tok);
	}
	return true;
}

static void test_corpus(void **state)
{
	char *cases = golden_read("collapse/cases.txt", NULL), *line, *save;
	unsigned int checked = 0;

	(void)state;
	for (line = strtok_r(cases, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *in_name = line, *name = strchr(line, '|'), *opts, path[512], filter[256];
		struct collapse_opts o;
		size_t len, splits[2];
		char *in, *want, *got;

		assert_non_null(name);
		*name++ = '\0';
		opts = strchr(name, '|');
		assert_non_null(opts);
		*opts++ = '\0';
		if (!parse_opts(opts, &o, filter, sizeof(filter)))
			continue;
		snprintf(path, sizeof(path), "collapse/inputs/%s", in_name);
		in = golden_read(path, &len);
		snprintf(path, sizeof(path), "collapse/expected/%.*s.%s.folded",
			 (int)(strlen(in_name) - 4), in_name, name);
		want = golden_read(path, NULL);
		o.threads = 1;
		got = collapse_text(in, len, NULL, 0, &o, NULL);
		if (strcmp(got, want))
			fail_msg("%s differs from what the script printed:\n%s", path, got);
		free(got);
		/* in three pieces, with the threads there are */
		splits[0] = len / 3;
		splits[1] = 2 * len / 3;
		o.threads = 0;
		got = collapse_text(in, len, splits, 2, &o, NULL);
		if (strcmp(got, want))
			fail_msg("%s differs when fed in pieces", path);
		free(got);
		free(in);
		free(want);
		checked++;
	}
	assert_true(checked > 100);
	free(cases);
}

/* The hand-written input, split at every byte: a line may span two feeds. */
static void test_every_split(void **state)
{
	size_t len, split;
	char *in = golden_read("collapse/inputs/handmade.txt", &len);
	char *want = golden_read("collapse/expected/handmade.all.folded", NULL);
	struct collapse_opts o = { .kernel = true, .jit = true, .threads = 1 };
	struct collapse_notes notes;

	(void)state;
	for (split = 0; split <= len; split++) {
		char *got = collapse_text(in, len, &split, 1, &o, &notes);

		if (strcmp(got, want))
			fail_msg("split at %zu:\n%s\nwant:\n%s", split, got, want);
		assert_int_equal(notes.unrecognized, 1);
		assert_int_equal(notes.nr_first, 1);
		assert_string_equal(notes.first[0].text, "this line is not perf script output");
		free(got);
	}
	free(in);
	free(want);
}

/* Two events: the first one is kept, and the note names the other. */
static void test_event_notes(void **state)
{
	size_t len;
	char *in = golden_read("collapse/inputs/events.txt", &len);
	struct collapse_opts o = { .threads = 1 };
	struct collapse_notes n;

	(void)state;
	free(collapse_text(in, len, NULL, 0, &o, &n));
	assert_string_equal(n.event, "cpu-clock");
	assert_true(n.event_defaulted);
	assert_string_equal(n.dropped_event, "task-clock");
	assert_true(n.dropped_samples > 0);
	o.event_filter = "task-clock";
	free(collapse_text(in, len, NULL, 0, &o, &n));
	assert_string_equal(n.event, "task-clock");
	assert_false(n.event_defaulted);
	assert_string_equal(n.dropped_event, ""); /* chosen, so nothing to say */
	free(in);
}

/*
 * Periods past 2^64: perl goes on in doubles and prints 15 digits. And the
 * period "0" counts 1, "00" counts 0, as perl's truth has it.
 */
static void test_big_counts(void **state)
{
	static const char in[] = "aa 1 1.0: 18446744073709551615 e:\n\tf x (m)\n\n"
				 "aa 1 1.0: 1 e:\n\tf x (m)\n\n"
				 "bb 1 1.0: 0 e:\n\tf x (m)\n\n"
				 "cc 1 1.0: 00 e:\n\tf x (m)\n\n"
				 "dd 1 1.0: 99999999999999999999999 e:\n\tf x (m)\n\n";
	struct collapse_opts o = { .threads = 1 };
	char *got = collapse_text(in, sizeof(in) - 1, NULL, 0, &o, NULL);

	(void)state;
	assert_string_equal(got, "aa;x 1.84467440737096e+19\nbb;x 1\ncc;x 0\ndd;x 1e+23\n");
	free(got);
}

/* A large input shared out among threads gives what one thread gives. */
static void test_threads(void **state)
{
	size_t len, i, reps = 40;
	char *one = golden_read("collapse/inputs/names-F.txt", &len), *big = malloc(len * reps + 1);
	struct collapse_opts o1 = { .threads = 1 }, o4 = { .threads = 4 };
	char *a, *b;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < reps; i++)
		memcpy(big + i * len, one, len);
	a = collapse_text(big, len * reps, NULL, 0, &o1, NULL);
	b = collapse_text(big, len * reps, NULL, 0, &o4, NULL);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(big);
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),	    cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_event_notes), cmocka_unit_test(test_big_counts),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
