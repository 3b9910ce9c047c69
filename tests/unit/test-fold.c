// SPDX-License-Identifier: MIT
/* The call tree and folded output. */
#include "check.h"
#include "flamegraph/flame.h"

static void add(struct flame *f, const char *stack, uint64_t count)
{
	const char *names[64];
	char *copy = strdup(stack), *save, *tok;
	size_t n = 0;

	for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		names[n++] = tok;
	assert_int_equal(flame__add(f, names, NULL, n, count), 0);
	free(copy);
}

static void test_tree_totals(void **state)
{
	struct flame *f = flame__new();
	const struct flame_node *root, *main_node;
	uint32_t *kids, nr;

	(void)state;
	add(f, "app;main;work;leaf", 3);
	add(f, "app;main;work", 2);
	add(f, "app;main;idle", 5);
	add(f, "app;main;work;leaf", 1);
	root = flame__node(f, 0);
	assert_int_equal(root->total, 11);
	assert_int_equal(flame__total(f), 11);
	assert_int_equal(flame__depth(f), 4);
	/* app, main, work, leaf, idle */
	assert_int_equal(flame__count(f), 6);

	kids = flame__children_sorted(f, 0, &nr);
	assert_int_equal(nr, 1);
	assert_string_equal(flame__name(f, flame__node(f, kids[0])->name), "app");
	main_node = flame__node(f, flame__node(f, kids[0])->first_child);
	free(kids);
	assert_string_equal(flame__name(f, main_node->name), "main");
	assert_int_equal(main_node->total, 11);
	assert_int_equal(main_node->self, 0);
	flame__free(f);
}

static void test_folded_output(void **state)
{
	struct flame *f = flame__new();
	char *text = NULL;

	(void)state;
	add(f, "app;main;work;leaf", 3);
	add(f, "app;main;work", 2);
	add(f, "app;main;idle", 5);
	add(f, "app;main;work;leaf", 1);
	add(f, "app;main-x", 7);
	CAPTURE(text, assert_int_equal(flame__write_folded(f, out, 1), 0));
	/* Sorted by stack, one line each, counts merged. */
	assert_string_equal(text, "app;main-x 7\n"
				  "app;main;idle 5\n"
				  "app;main;work 2\n"
				  "app;main;work;leaf 4\n");
	free(text);
	flame__free(f);
}

static void test_names_sanitised(void **state)
{
	struct flame *f = flame__new();
	const char *names[] = { "app", "a;b", "tab\there", "" };
	char *text = NULL;

	(void)state;
	assert_int_equal(flame__add(f, names, NULL, 4, 2), 0);
	CAPTURE(text, flame__write_folded(f, out, 1));
	/* ';' would split a frame in two, control characters break XML; empty becomes [unknown]. */
	assert_string_equal(text, "app;a?b;tab?here;[unknown] 2\n");
	free(text);
	flame__free(f);
}

static void test_empty(void **state)
{
	struct flame *f = flame__new();
	char *text = NULL;

	(void)state;
	CAPTURE(text, assert_int_equal(flame__write_folded(f, out, 1), 0));
	assert_string_equal(text, "");
	assert_int_equal(flame__total(f), 0);
	free(text);
	flame__free(f);
}

static void test_kinds_kept(void **state)
{
	struct flame *f = flame__new();
	const char *names[] = { "app", "main", "sys_read" };
	enum frame_kind kinds[] = { FRAME_ROOT, FRAME_USER, FRAME_KERNEL };

	(void)state;
	assert_int_equal(flame__add(f, names, kinds, 3, 1), 0);
	/* ids are in creation order: 1 app, 2 main, 3 sys_read */
	assert_int_equal(flame__node(f, 3)->kind, FRAME_KERNEL);
	assert_int_equal(flame__node(f, 1)->kind, FRAME_ROOT);
	flame__free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_totals),	cmocka_unit_test(test_folded_output),
		cmocka_unit_test(test_names_sanitised), cmocka_unit_test(test_empty),
		cmocka_unit_test(test_kinds_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
