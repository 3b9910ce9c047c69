/* SPDX-License-Identifier: MIT */
#ifndef SEAR_COLLAPSE_H
#define SEAR_COLLAPSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * 'perf script' text to folded stacks, with the naming rules of
 * stackcollapse-perf.pl's default output, so that existing pipelines get
 * the same lines:
 *
 * - each sample's root is its thread name, spaces made '_' ("comm-PID"
 *   with pid, "comm-PID/TID" with tid; '?' when perf printed no pid);
 * - "+0x1f" offsets are dropped, "[unknown]" takes its module's name
 *   ("[libc.so.6]") when perf knows it, and "a->b" inline entries become
 *   "a;b_[i]";
 * - names lose argument lists (except Go's "pkg.(*T).M" and C++'s
 *   "(anonymous namespace)") and quotes, ';' becomes ':', and Java's
 *   "Lpkg/Class;" loses its L in a process named java;
 * - optionally, kernel frames get "_[k]" and perf-map JIT frames "_[j]".
 *
 * Input is fed in pieces of any size (a line may span two); parsing is a
 * single pass with no regex engine. Nothing in the input can make it read
 * out of bounds; each line is capped.
 */

struct collapse_opts {
	bool pid;    /* "comm-PID" roots */
	bool tid;    /* "comm-PID/TID" roots */
	bool kernel; /* "_[k]" on kernel frames */
	bool jit;    /* "_[j]" on frames from /tmp/perf-PID.map */
};

struct collapse;

/* Returns a new collapser; free with collapse__free(). NULL with errno on failure. */
struct collapse *collapse__new(const struct collapse_opts *opts);
void collapse__free(struct collapse *c);

/* Parses len more bytes of input. Returns 0 or -ENOMEM. */
int collapse__feed(struct collapse *c, const char *buf, size_t len);

/* Ends the input (a last line without newline is parsed). Returns 0 or -ENOMEM. */
int collapse__finish(struct collapse *c);

/* Lines that matched neither a sample header nor a stack frame (stackcollapse warns on each). */
uint64_t collapse__unrecognized(const struct collapse *c);

/* Writes "stack count" lines sorted bytewise. Returns 0, or -EIO / -ENOMEM. */
int collapse__write(struct collapse *c, FILE *out);

#endif
