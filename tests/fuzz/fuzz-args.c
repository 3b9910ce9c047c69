// SPDX-License-Identifier: MIT
/*
 * The command-line value parsers of cmd/args.h: seconds, numbers, id
 * lists, comma lists, --mmap-pages and --call-graph, each on the input as
 * one NUL-terminated argument.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/args.h"

static uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg = malloc(size + 1), *copy = malloc(size + 1);
	const char *items[8];
	enum args_call_graph mode;
	unsigned long long u;
	unsigned long stack;
	unsigned int pages;
	int ids[16], n;
	double d;

	if (!arg || !copy)
		goto out;
	memcpy(arg, data, size);
	arg[size] = '\0';
	if (!args__seconds(arg, &d))
		sink += d > 1e9;
	if (!args__uint(arg, 1000000, &u))
		sink += u;
	n = args__id_list(arg, ids, 16, size % 3);
	sink += n;
	if (!args__mmap_pages(arg, &pages))
		sink += pages;
	if (!args__call_graph(arg, &mode, &stack))
		sink += mode + stack;
	memcpy(copy, arg, size + 1);
	n = args__split(copy, items, 8);
	while (n-- > 0)
		sink += strlen(items[n]);
out:
	free(arg);
	free(copy);
	return 0;
}
