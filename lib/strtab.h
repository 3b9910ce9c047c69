/* SPDX-License-Identifier: MIT */
#ifndef SEAR_STRTAB_H
#define SEAR_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/*
 * An interning string table: each distinct string gets a dense id, starting
 * at 0, and is stored once. Ids and the returned pointers stay valid until
 * strtab__free(); adding strings never moves stored ones.
 *
 * Storage grows in large blocks, so interning a string that is already
 * present never allocates.
 */

struct strtab;

/* Returns a new, empty table; free with strtab__free(). NULL with errno set on failure. */
struct strtab *strtab__new(void);
void strtab__free(struct strtab *t);

/*
 * Interns len bytes at s (no NUL needed; embedded NULs are not supported).
 * Returns the string's id, or -ENOMEM.
 */
int64_t strtab__intern_len(struct strtab *t, const char *s, size_t len);
int64_t strtab__intern(struct strtab *t, const char *s);

/* Returns the NUL-terminated string for id; borrowed, valid until strtab__free(). */
const char *strtab__str(const struct strtab *t, uint32_t id);

/* Returns the length of string id without scanning it. */
size_t strtab__len(const struct strtab *t, uint32_t id);

/* Returns the number of distinct strings. */
uint32_t strtab__count(const struct strtab *t);

#endif
