/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SEAROUT_H
#define SEAR_SEAROUT_H

#include <stddef.h>

#include "lib/searfile.h"
#include "session.h"

/*
 * A session's samples written as a .sear recording while it records.
 *
 * Every sample the session counts is kept (a few words each) until the
 * next sear_out__flush(), which names the stacks that are new since the
 * last chunk and writes a chunk: naming, which may read DWARF, stays off
 * the sample path. Each stack and string is named and written once.
 */

struct sear_out;

/*
 * Starts a recording of s's samples on fd (borrowed; s too: both must
 * outlive it), writing the header from meta. Returns a new writer, or NULL
 * with errno set. Free with sear_out__finish() or sear_out__free().
 */
struct sear_out *sear_out__new(struct session *s, int fd, const struct sear_meta *meta);

/* Samples waiting for the next chunk. */
size_t sear_out__pending(const struct sear_out *o);

/* Names the pending samples' new stacks and writes a chunk. Returns 0 or -errno. */
int sear_out__flush(struct sear_out *o);

/* Flushes, writes the trailer with meta's totals, and frees o. Returns 0 or -errno. */
int sear_out__finish(struct sear_out *o, const struct sear_meta *meta);

/* Stops recording without a trailer (after an error) and frees o. */
void sear_out__free(struct sear_out *o);

#endif
