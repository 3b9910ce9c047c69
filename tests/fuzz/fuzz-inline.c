// SPDX-License-Identifier: MIT
/*
 * What --inline reads from its tools: addr2line's function and file:line
 * lines (with discriminators), and nm's symbol list, searched for the name
 * on the input's first line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph/collapse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *buf = NULL, *nl;
	unsigned long long addr;
	size_t cap = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* the tools' output is read as a string */
	collapse__inline_answer(text, size & 1, &buf, &cap);
	nl = strchr(text, '\n');
	collapse__nm_address(nl ? nl + 1 : text, text, nl ? (size_t)(nl - text) : strlen(text),
			     &addr);
	free(buf);
	free(text);
	return 0;
}
