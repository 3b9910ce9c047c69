/* SPDX-License-Identifier: MIT */
#ifndef SEAR_COLLAPSE_H
#define SEAR_COLLAPSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * 'perf script' text to folded stacks, line for line what
 * stackcollapse-perf.pl (FlameGraph) prints for the same input and options,
 * so that existing pipelines get the same bytes. The rules, as that script
 * applies them:
 *
 * - A sample starts at a line "COMM PID[/TID] ..." (COMM the shortest run
 *   of at least two characters that such a number follows) and ends at an
 *   empty line; a sample that no empty line ends is dropped. Lines that
 *   start with '#' are skipped.
 * - Each sample adds its period (the number before the event name, 1 when
 *   there is none) to its stack, not 1. Only the samples of one event are
 *   kept: the one named by event_filter, else the first event seen.
 * - Its stack is the root, COMM ("COMM-PID" with pid, "COMM-PID/TID" with
 *   tid, PID '?' when perf printed only one number; spaces made '_'), then
 *   one frame per stack line, outermost first.
 * - A stack line is "PC FUNC (MODULE)": the last " (" that a ')' follows
 *   opens MODULE, which ends at the last ')'. "+0x1f" offsets are dropped;
 *   "a->b" is a frame and its inlined callee "b_[i]"; "[unknown]" takes its
 *   module's file name in brackets. Names lose what follows their first
 *   '(' (but not Go's "pkg.(*T).M" nor "(anonymous namespace)"), their
 *   quotes, and ';' becomes ':'; a process whose name starts with "java"
 *   loses the L of "Lpkg/Class;".
 * - Output lines are "STACK COUNT", sorted bytewise. Counts are exact up to
 *   2^64-1; a sum beyond that is printed as perl prints it (1.8e+19).
 *
 * Input is fed in pieces of any size (a line may span two) or read from a
 * file descriptor. Without --srcline and --inline, samples are parsed on
 * several threads, each from an empty line on, and their tables merged:
 * the output is the same as one thread's. Nothing in the input can make
 * the parser read out of bounds; lines are capped at COLLAPSE_MAX_LINE.
 */

#define COLLAPSE_MAX_LINE (16u << 20)

/*
 * --inline: the inlined functions at pc in mod, as one string of frames
 * joined by ';', outermost first. rawfunc is the frame's name as perf
 * printed it (with its +0x offset). Set *out (borrowed until the next call)
 * and *out_len; an empty result keeps perf's name. Returns 0 or -errno.
 */
typedef int (*collapse_inline_fn)(void *ctx, const char *pc, size_t pc_len, const char *rawfunc,
				  size_t rawfunc_len, const char *mod, size_t mod_len,
				  const char **out, size_t *out_len);

struct collapse_opts {
	bool pid;     /* "COMM-PID" roots */
	bool tid;     /* "COMM-PID/TID" roots */
	bool kernel;  /* "_[k]" on kernel frames: modules "[...]" and "...vmlinux" */
	bool jit;     /* "_[j]" on frames from /tmp/perf-PID.map */
	bool addrs;   /* "[MODULE <PC>]" for frames without a symbol */
	bool srcline; /* each frame is followed by its source line (perf script -F+srcline) */
	const char *event_filter;     /* keep only this event; NULL or "": the first one seen */
	collapse_inline_fn inline_fn; /* --inline; NULL: off */
	void *inline_ctx;
	unsigned int threads; /* parsing threads; 0: one per online CPU */
};

/* What the user should hear about: the script's warnings, as counts. */
#define COLLAPSE_NOTE_LINES 3
struct collapse_notes {
	uint64_t lines;	       /* lines read */
	uint64_t unrecognized; /* neither a sample, a stack line, a comment nor empty */
	struct {
		uint64_t line; /* 1-based */
		char text[128];
	} first[COLLAPSE_NOTE_LINES]; /* the first unrecognized lines, cut to fit */
	unsigned int nr_first;
	char event[256];	  /* the event kept; "" when no sample named one */
	bool event_defaulted;	  /* it was the first one seen, not event_filter */
	char dropped_event[256];  /* the first other event left out; "" when none */
	uint64_t dropped_samples; /* samples of other events left out */
	uint64_t long_lines;	  /* lines cut at COLLAPSE_MAX_LINE */
	bool inexact;		  /* a sum past 2^64-1 was added in another order than perl's */
};

struct collapse;

/* Returns a new collapser; free with collapse__free(). NULL with errno on failure. */
struct collapse *collapse__new(const struct collapse_opts *opts);
void collapse__free(struct collapse *c);

/* Parses len more bytes of input. Returns 0, -ENOMEM, or the inline_fn's error. */
int collapse__feed(struct collapse *c, const char *buf, size_t len);

/*
 * Reads fd to its end and parses it (faster than feeding it: no copy). A
 * regular file must stay open until collapse__finish(), which may read it
 * again. Returns 0 or -errno.
 */
int collapse__read_fd(struct collapse *c, int fd);

/*
 * Ends the input: a last line without newline is parsed, and the threads'
 * tables are merged. A count past 2^64-1 that threads summed in parts is
 * summed again in perl's order: a regular file is read again on one
 * thread; other input is left as it is and notes->inexact says so.
 * Returns 0 or -errno.
 */
int collapse__finish(struct collapse *c);

/* Fills notes with what was seen so far; complete after collapse__finish(). */
void collapse__notes(const struct collapse *c, struct collapse_notes *notes);

/* Writes "stack count" lines sorted bytewise. Returns 0, or -EIO / -ENOMEM. */
int collapse__write(struct collapse *c, FILE *out);

/*
 * For an inline_fn that asks addr2line, as the script does
 * ('addr2line -a PC -e MODULE -i -f -s -C'): out is what it printed after
 * the address line, function and file:line lines in turn, innermost
 * first. Writes into *buf (grown as needed, *cap bytes; free() it) the
 * functions outermost first, joined by ';', each with ":file:line" when
 * context, " (discriminator N)" dropped. Returns 0 or -ENOMEM.
 */
int collapse__inline_answer(const char *out, bool context, char **buf, size_t *cap);

/*
 * In nm's output (NUL-terminated), the address of the first symbol named
 * exactly func (flen bytes), the script's fallback when addr2line knows
 * only "+0x" offsets. Returns whether there is one.
 */
bool collapse__nm_address(const char *nm, const char *func, size_t flen, unsigned long long *addr);

#endif
