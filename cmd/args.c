// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int args__seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int args__uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	/* strtoull would take a sign, and blanks before the number. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int args__id_list(const char *s, int *out, int max, int have)
{
	char *end;

	for (;;) {
		long v;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || v <= 0 || v > INT_MAX)
			return -EINVAL;
		if (have >= max)
			return -E2BIG;
		out[have++] = v;
		if (!*end)
			return have;
		if (*end != ',')
			return -EINVAL;
		s = end + 1;
	}
}

int args__split(char *list, const char **out, int max)
{
	char *save, *tok;
	int n = 0;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			return -E2BIG;
		out[n++] = tok;
	}
	return n;
}

int args__mmap_pages(const char *s, unsigned int *out)
{
	unsigned long long v;

	if (args__uint(s, 1u << 20, &v) || !v || (v & (v - 1)))
		return -EINVAL;
	*out = v;
	return 0;
}

int args__call_graph(const char *s, enum args_call_graph *mode, unsigned long *stack_size)
{
	unsigned long long v = ARGS_DWARF_STACK_DEFAULT;

	if (!strcmp(s, "auto") || !strcmp(s, "bpf")) {
		*mode = s[0] == 'a' ? ARGS_CALL_GRAPH_AUTO : ARGS_CALL_GRAPH_BPF;
		return 0;
	}
	if (!strcmp(s, "fp")) {
		*mode = ARGS_CALL_GRAPH_FP;
		return 0;
	}
	if (!strcmp(s, "fp,noleaf")) {
		*mode = ARGS_CALL_GRAPH_FP_NOLEAF;
		return 0;
	}
	if (strncmp(s, "dwarf", 5) || (s[5] && s[5] != ','))
		return -EINVAL;
	if (s[5]) {
		char *end;

		/* perf's own spelling: decimal or 0x hexadecimal. */
		if (s[6] < '0' || s[6] > '9')
			return -ERANGE;
		errno = 0;
		v = strtoull(s + 6, &end, 0);
		if (errno || *end || v < ARGS_DWARF_STACK_MIN || v > ARGS_DWARF_STACK_MAX)
			return -ERANGE;
	}
	*mode = ARGS_CALL_GRAPH_DWARF;
	*stack_size = (v + 7) & ~7ULL;
	return 0;
}
