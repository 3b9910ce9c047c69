/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SEARFILE_H
#define SEAR_SEARFILE_H

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

#define SEAR_MAX_FRAMES 4096

/*
 * The header's metadata and the trailer's totals, typed: docs/FORMAT.md
 * lists the keys. Text fields are truncated to fit; unknown keys are
 * ignored when reading, so that older readers read newer files.
 */
struct sear_meta {
	/* header */
	char version[32];     /* "sear": the writer's version */
	char command[1024];   /* "command": sear's command line */
	char events[256];     /* "events": comma-separated, in index order */
	uint32_t frequency;   /* "frequency": samples/s requested, or 0 */
	uint64_t period;      /* "period": events per sample, or 0 */
	uint64_t start_ns;    /* "start_ns": CLOCK_MONOTONIC at the start; samples use it too */
	int64_t start_unix;   /* "start_unix": seconds since 1970 at the start */
	char host[256];	      /* "host" */
	char kernel[256];     /* "kernel": uname -sr */
	char call_graph[64];  /* "call_graph": how stacks were read (fp, dwarf,8192, bpf...) */
	bool container_roots; /* "container_roots": stacks of containers sit under a root frame */
	bool weight_us;	      /* "weight_unit" us: weights are microseconds of time (--off-cpu) */
	/* trailer */
	bool complete;		  /* the trailer was read */
	uint64_t samples;	  /* "samples" */
	uint64_t lost;		  /* "lost": samples the kernel dropped */
	uint64_t throttled;	  /* "throttled": throttling events */
	uint64_t unwind_failures; /* "unwind_failures": stacks that could not be read whole */
	uint64_t end_ns;	  /* "end_ns": CLOCK_MONOTONIC at the end */
	double seconds;		  /* "seconds": the recording's length */
};

struct sear_sample {
	uint64_t time; /* CLOCK_MONOTONIC ns */
	uint32_t pid, tid, cpu;
	uint32_t event; /* index into the header's events */
	uint32_t comm;	/* string id */
	uint32_t stack; /* stack id */
	uint32_t weight;
};

/* Writing */

struct sear_writer;

/*
 * Starts a recording on fd (owned by the caller; written with write(2)),
 * writing the header from meta. Returns a writer, or NULL with errno set.
 */
struct sear_writer *sear_writer__new(int fd, const struct sear_meta *meta);

/* Interns a string; new ones go into the next chunk. Returns its id, or -ENOMEM. */
int64_t sear_writer__string(struct sear_writer *w, const char *s);

/* Interns a stack of string ids, outermost first. Returns its id, or -ENOMEM / -E2BIG. */
int64_t sear_writer__stack(struct sear_writer *w, const uint32_t *names,
			   const enum frame_kind *kinds, size_t nr);

/* Records pid's container (a string id), or none with -1. Returns 0 or -ENOMEM. */
int sear_writer__task(struct sear_writer *w, uint32_t pid, int64_t container);

/* Appends a sample to the next chunk. Returns 0 or -ENOMEM. */
int sear_writer__sample(struct sear_writer *w, const struct sear_sample *s);

/* Samples waiting for the next chunk. */
size_t sear_writer__pending(const struct sear_writer *w);

/* Writes a chunk with everything pending (nothing when there is none). Returns 0 or -errno. */
int sear_writer__flush(struct sear_writer *w);

/*
 * Flushes, writes the trailer with meta's totals and frees w. Returns 0
 * or -errno.
 */
int sear_writer__finish(struct sear_writer *w, const struct sear_meta *meta);

/* Frees w without a trailer (after an error). */
void sear_writer__free(struct sear_writer *w);

/* Reading */

struct sear_reader;

/* True when buf begins with the .sear magic. */
bool searfile__is_sear(const void *buf, size_t len);

/*
 * Reads a recording from fd (borrowed; read from its current offset to
 * the end, one chunk at a time, so pipes work too) or from a buffer
 * (borrowed: it must outlive the reader). name is used in messages.
 * Returns a reader after reading the header, or NULL with errno set
 * (EINVAL: not a .sear file, an unknown version or a corrupt header; the
 * log says which). Free with sear_reader__free().
 */
struct sear_reader *sear_reader__new_fd(int fd, const char *name);

/*
 * The same on fd after the len bytes at head (copied): what was read from
 * fd already, such as the first block of a pipe that told its format.
 */
struct sear_reader *sear_reader__new_fd_after(int fd, const void *head, size_t len,
					      const char *name);
struct sear_reader *sear_reader__new_mem(const void *buf, size_t len, const char *name);
void sear_reader__free(struct sear_reader *r);

/*
 * The header's metadata; the totals are filled in once for_each has met
 * the trailer. Borrowed, valid until sear_reader__free().
 */
const struct sear_meta *sear_reader__meta(const struct sear_reader *r);

/*
 * Calls fn for each sample of every complete chunk, in file order. The
 * tables are filled as chunks are read, so the sample's strings and stack
 * can be looked up in the callback. Returns 0, fn's non-zero value, or
 * -errno for a read error of the input. Call once.
 */
typedef int (*sear_sample_fn)(void *ctx, const struct sear_sample *s);
int sear_reader__for_each(struct sear_reader *r, sear_sample_fn fn, void *ctx);

/* After for_each: the offset of the first chunk that was cut short or corrupt, or -1. */
int64_t sear_reader__bad_offset(const struct sear_reader *r);

/*
 * Why that chunk was refused when it was not merely cut short or corrupt:
 * the limit it passed ("more strings than its size allows"). Every chunk must be paid for by the
 * bytes of the file: what it decompresses to, and the strings, stacks and tasks it adds, are capped
 * in proportion to the compressed bytes read so far (generously: 40x to 100x what real recordings
 * hold), so that a small hostile file cannot take gigabytes or minutes. NULL when no chunk was
 * refused. Static.
 */
const char *sear_reader__bad_reason(const struct sear_reader *r);

/* The bytes of input read so far. */
uint64_t sear_reader__offset(const struct sear_reader *r);

/* String id's text; borrowed. NULL when out of range. */
const char *sear_reader__string(const struct sear_reader *r, uint32_t id);

/* Stack id's frames (string ids and kinds, outermost first); borrowed. Returns the count, or -1. */
int sear_reader__stack(const struct sear_reader *r, uint32_t id, const uint32_t **names,
		       const uint8_t **kinds);

/* pid's container string, or NULL. */
const char *sear_reader__container(const struct sear_reader *r, uint32_t pid);

#endif
