/* SPDX-License-Identifier: MIT */
#ifndef SEAR_RECORDING_H
#define SEAR_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_kind.h"

/*
 * The .sear recording format (docs/FORMAT.md): a header, then
 * self-contained zstd chunks written while recording, then a trailer.
 *
 * The writer keeps the string, stack and task tables. What was added since
 * the last chunk goes into the next one, so a file cut at any point reads
 * up to its last complete chunk. The reader checks every length and id
 * against the format's limits and the bytes it has. It never trusts the file.
 */

#define REC_MAX_FRAMES 4096

struct rec_sample {
	uint64_t time; /* CLOCK_MONOTONIC ns */
	uint32_t pid, tid, cpu;
	uint32_t event; /* index into the header's events */
	uint32_t comm;	/* string id */
	uint32_t stack; /* stack id */
	uint32_t weight;
};

struct rec_writer;

/*
 * Starts a recording on fd (owned by the caller; written with write(2)),
 * writing the header with meta: "key=value" lines. Returns a writer, or
 * NULL with errno set.
 */
struct rec_writer *rec_writer__new(int fd, const char *meta);

/* Interns a string; new ones go into the next chunk. Returns its id, or -ENOMEM. */
int64_t rec_writer__string(struct rec_writer *w, const char *s);

/* Interns a stack of string ids, outermost first. Returns its id, or -ENOMEM / -E2BIG. */
int64_t rec_writer__stack(struct rec_writer *w, const uint32_t *names, const enum frame_kind *kinds,
			  size_t nr);

/* Records pid's container (a string id), or none with -1. Returns 0 or -ENOMEM. */
int rec_writer__task(struct rec_writer *w, uint32_t pid, int64_t container);

/* Appends a sample to the next chunk. Returns 0 or -ENOMEM. */
int rec_writer__sample(struct rec_writer *w, const struct rec_sample *s);

/* Samples waiting for the next chunk. */
size_t rec_writer__pending(const struct rec_writer *w);

/* Writes a chunk with everything pending (nothing when there is none). Returns 0 or -errno. */
int rec_writer__flush(struct rec_writer *w);

/* Flushes, writes the trailer (totals: "key=value" lines) and frees w. Returns 0 or -errno. */
int rec_writer__finish(struct rec_writer *w, const char *totals);

/* Frees w without a trailer (after an error). */
void rec_writer__free(struct rec_writer *w);

struct rec_reader;

/* True when buf begins with the .sear magic. */
bool rec__is_recording(const void *buf, size_t len);

/*
 * Reads a recording held in memory (borrowed: it must outlive the reader).
 * Returns a reader, or NULL with *err set to a short reason (bad magic,
 * unknown version, corrupt header).
 */
struct rec_reader *rec_reader__new_mem(const void *buf, size_t len, const char **err);
void rec_reader__free(struct rec_reader *r);

/* The header's value for key, or NULL. Borrowed, valid until rec_reader__free(). */
const char *rec_reader__meta(const struct rec_reader *r, const char *key);

/* The trailer's value for key, or NULL (also when there is no trailer). */
const char *rec_reader__total(const struct rec_reader *r, const char *key);

/*
 * Calls fn for each sample of every complete chunk, in file order. The
 * tables are filled as chunks are read, so the sample's strings and stack
 * can be looked up in the callback. Returns 0, or fn's non-zero value.
 */
typedef int (*rec_sample_fn)(void *ctx, const struct rec_sample *s);
int rec_reader__for_each(struct rec_reader *r, rec_sample_fn fn, void *ctx);

/* After for_each: the offset of the first chunk that was cut short or corrupt, or -1. */
int64_t rec_reader__bad_offset(const struct rec_reader *r);

/* True after for_each when the trailer was found. */
bool rec_reader__complete(const struct rec_reader *r);

/* String id's text; borrowed. NULL when out of range. */
const char *rec_reader__string(const struct rec_reader *r, uint32_t id);

/* Stack id's frames (string ids and kinds, outermost first); borrowed. Returns the count, or -1. */
int rec_reader__stack(const struct rec_reader *r, uint32_t id, const uint32_t **names,
		      const uint8_t **kinds);

/* pid's container string, or NULL. */
const char *rec_reader__container(const struct rec_reader *r, uint32_t pid);

#endif
