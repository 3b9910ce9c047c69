/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PROFILE_H
#define SEAR_PROFILE_H

#include <stdint.h>

/*
 * Aggregated samples: a table of distinct stacks, and a count per
 * (event, process, thread name, stack).
 *
 * A stack is a list of frames, leaf first, each a module id and an address
 * in that module (see symbolizer.h). Stacks are interned: adding a stack
 * that was seen before only bumps a counter and never allocates, which
 * keeps the per-sample path free of malloc once the workload's stacks have
 * been seen. Storage grows by doubling.
 */

struct frame {
	uint64_t addr;
	uint32_t dso;
	uint32_t flags; /* reserved, 0 */
};

struct profile;

/* Returns a new, empty profile; free with profile__free(). NULL with errno on failure. */
struct profile *profile__new(void);
void profile__free(struct profile *p);

/* Interns a stack. Returns its id, or -ENOMEM. */
int64_t profile__stack(struct profile *p, const struct frame *frames, uint32_t nr);

/* Returns stack id's frames, leaf first; borrowed until the next profile__stack(). */
const struct frame *profile__frames(const struct profile *p, uint32_t id, uint32_t *nr);

/* Adds count samples of stack id, of event, in process pid and thread name comm (a string id).
 * Returns 0 or -ENOMEM. */
int profile__add(struct profile *p, uint16_t event, uint32_t pid, uint32_t comm, uint32_t stack,
		 uint64_t count);

/* Calls fn for each (event, pid, comm, stack) with its count, in no particular order; stops at
 * non-zero.
 */
typedef int (*profile_fn)(void *ctx, uint16_t event, uint32_t pid, uint32_t comm, uint32_t stack,
			  uint64_t count);
int profile__for_each(const struct profile *p, profile_fn fn, void *ctx);

#endif
