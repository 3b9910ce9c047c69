/* SPDX-License-Identifier: MIT */
#ifndef SEAR_ARGS_H
#define SEAR_ARGS_H

#include <stdint.h>

/*
 * The values of the command-line options, parsed: numbers, seconds, id
 * lists, comma-separated lists and the --call-graph modes. They print
 * nothing and exit never, so that a fuzz target (tests/fuzz/fuzz-args.c)
 * can call them; the subcommands say what is wrong with a value.
 *
 * Each returns 0 (or a count) on success and -EINVAL for a malformed
 * value, leaving *out alone.
 */

/* A non-negative, finite number of seconds ("30", "0.5", "1e3"). */
int args__seconds(const char *s, double *out);

/* A decimal number from 0 to max, with nothing around it (no sign, no spaces). */
int args__uint(const char *s, unsigned long long max, unsigned long long *out);

/*
 * Ids ("12,34,56": pids, tids), each from 1 to INT_MAX, appended to out
 * after its first have entries. Returns the new count; -EINVAL, or -E2BIG
 * when they would pass max.
 */
int args__id_list(const char *s, int *out, int max, int have);

/*
 * Splits list at its commas, in place, into at most max items (out points
 * into list); empty items are skipped. Returns the count (0: none), or
 * -E2BIG when there are more than max.
 */
int args__split(char *list, const char **out, int max);

/* --mmap-pages: a power of two from 1 to 2^20. */
int args__mmap_pages(const char *s, unsigned int *out);

/* --call-graph auto | bpf | fp | fp,noleaf | dwarf[,SIZE] */
enum args_call_graph {
	ARGS_CALL_GRAPH_AUTO,	   /* bpf where the kernel allows it, else dwarf */
	ARGS_CALL_GRAPH_BPF,	   /* unwound in the kernel, at the sample */
	ARGS_CALL_GRAPH_FP,	   /* frame pointers, and the caller a frameless leaf hides */
	ARGS_CALL_GRAPH_FP_NOLEAF, /* frame pointers alone */
	ARGS_CALL_GRAPH_DWARF,	   /* stack copies of SIZE bytes, unwound with CFI */
};

#define ARGS_DWARF_STACK_DEFAULT 8192 /* see bench/: covers the tests' 40-deep recursion */
#define ARGS_DWARF_STACK_MIN	 64
#define ARGS_DWARF_STACK_MAX	 65528 /* the kernel's limit: a u16 record size */

/*
 * Parses a --call-graph value into its mode and, for dwarf, the stack
 * size rounded up to 8 bytes. Returns 0; -EINVAL for an unknown mode;
 * -ERANGE for a size out of ARGS_DWARF_STACK_MIN..MAX.
 */
int args__call_graph(const char *s, enum args_call_graph *mode, unsigned long *stack_size);

#endif
