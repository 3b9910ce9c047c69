/* SPDX-License-Identifier: MIT */
#ifndef SEAR_STACKSET_H
#define SEAR_STACKSET_H

#include <stdint.h>

#include "profile.h"

/*
 * A set of stacks with dense ids: each distinct list of frames gets the
 * next id, 0 first, so a writer can emit the new ones in id order (the
 * .sear writer's table of named stacks). Adding a stack seen before
 * allocates nothing. Frames are kept in the order given.
 */

struct stackset;

/* Returns a new, empty set; free with stackset__free(). NULL with errno on failure. */
struct stackset *stackset__new(void);
void stackset__free(struct stackset *s);

/* Interns a stack. Returns its id, or -ENOMEM. */
int64_t stackset__intern(struct stackset *s, const struct frame *frames, uint32_t nr);

/* Returns stack id's frames; borrowed until the next stackset__intern(). */
const struct frame *stackset__frames(const struct stackset *s, uint32_t id, uint32_t *nr);

#endif
