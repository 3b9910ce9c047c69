/* SPDX-License-Identifier: MIT */
#ifndef SEAR_JITMAP_H
#define SEAR_JITMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Names of JIT code: the ranges that a runtime describes in
 * /tmp/perf-PID.map (text, "START SIZE name", node --perf-basic-prof) or
 * in a jitdump file (binary, jit-PID.dump, node --perf-prof).
 *
 * Entries are applied in file order and a later one replaces what it
 * overlaps, as code is freed and its space reused. Both files only grow,
 * so a reader resumes where the last parse stopped: the parsers take the
 * bytes from that offset and return how many they consumed (complete
 * lines or records only).
 *
 * The input is untrusted (the profiled process writes it): lines, names
 * and entry counts are capped and nothing is read past the buffer.
 */

#define JITMAP_MAX_ENTRIES (4u << 20)
#define JITMAP_MAX_LINE	   4096

struct jitmap;

/* Returns a new, empty map; free with jitmap__free(). NULL with errno on failure. */
struct jitmap *jitmap__new(void);
void jitmap__free(struct jitmap *m);

/*
 * Parses perf map text. Returns the bytes consumed (up to the last
 * newline), or -ENOMEM / -E2BIG. Malformed lines are skipped.
 */
long jitmap__parse_perfmap_mem(struct jitmap *m, const char *buf, size_t len);

/*
 * Parses jitdump data. At offset 0 the buffer must begin with the file
 * header. Returns the bytes consumed (whole records only), or -EINVAL for
 * a bad header, -ENOMEM, -E2BIG.
 */
long jitmap__parse_jitdump_mem(struct jitmap *m, const char *buf, size_t len, size_t offset);

/* Returns the name of the code at addr, or NULL. Borrowed, valid until jitmap__free(). */
const char *jitmap__lookup(const struct jitmap *m, uint64_t addr);

/* Number of ranges. */
size_t jitmap__count(const struct jitmap *m);

#endif
