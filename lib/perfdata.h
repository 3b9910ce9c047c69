/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PERFDATA_H
#define SEAR_PERFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfrec.h"

/*
 * The perf.data parser (perf record's file mode, perf 4.x to 6.x): the
 * header, the events and their ids, the features sear uses (build-ids,
 * command line, event names), and the data records, handed to a
 * struct perf_tool in time order, round by round, as perf report gets them.
 *
 * The file is streamed: only the records of the rounds not yet delivered
 * are held, never the whole file. A file cut short (perf killed, a full
 * disk) is read as far as its records parse, and the loss is counted.
 *
 * The file is untrusted: every offset, size and count is checked and
 * capped. What sear cannot read (pipe mode, compressed records, AUX
 * traces, big-endian files) is an error that says so.
 *
 * Errors are returned as -errno (NULL and errno for the constructors); the
 * one-line reason, naming the file, goes to the log (lib/log.h) as a
 * warning. Callers print nothing more.
 */

struct perfdata;

/* A build-id the file recorded for a binary. Borrowed, valid until perfdata__free(). */
struct perfdata_build_id {
	const char *path;
	const uint8_t *id;
	size_t len;
};

/* What perfdata__process() saw. */
struct perfdata_stats {
	uint64_t records;     /* records delivered */
	uint64_t bad_records; /* records that failed to parse, or failed a plausibility check */
	uint64_t cut_bytes;   /* bytes at the end of the data that hold no whole record */
	bool no_size;	      /* the header gave no data size: perf did not finish the file */
};

/*
 * Opens a perf.data file on fd (borrowed: it must stay open until
 * perfdata__free(); read with pread, never mapped). name is used in
 * messages. Returns a new parser; free with perfdata__free(). NULL with
 * errno (EINVAL: not a perf.data file, or one sear cannot read; the log
 * says which and why).
 */
struct perfdata *perfdata__open_fd(int fd, const char *name);

/* The same over a buffer (borrowed: it must outlive the parser). For tests and fuzzing. */
struct perfdata *perfdata__open_mem(const void *buf, size_t len, const char *name);

void perfdata__free(struct perfdata *pd);

/* True when buf begins with perf.data's magic (either byte order). */
bool perfdata__is_perfdata(const void *buf, size_t len);

/*
 * For a perf.data that arrives on a pipe and is copied to a file first:
 * the data section its first len bytes declare (a size of 0: perf was
 * killed before it wrote one). Returns 0, or -EINVAL when buf holds no
 * whole header.
 */
int perfdata__data_section(const void *buf, size_t len, uint64_t *offset, uint64_t *size);

/*
 * True when the 8 bytes at hdr can start a record of a file: the copy of a
 * stream with no declared size stops at the first that cannot, as reading
 * it would (zeros or noise after a cut).
 */
bool perfdata__plausible_record(const void *hdr);

/* The layout of the sample records (every event of a file shares it). Borrowed. */
const struct perfrec_layout *perfdata__layout(const struct perfdata *pd);

/* The bytes of user stack each sample copied (perf record --call-graph dwarf), or 0. */
uint64_t perfdata__stack_size(const struct perfdata *pd);

/* How the first event sampled: *freq samples per second, or one every *period events. */
void perfdata__rate(const struct perfdata *pd, uint64_t *freq, uint64_t *period);

/* Number of events, and event i's name ("cpu-clock"); borrowed until perfdata__free(). */
int perfdata__nr_events(const struct perfdata *pd);
const char *perfdata__event_name(const struct perfdata *pd, int i);

/* The index of the event a sample id belongs to, or -1. */
int perfdata__event_of(const struct perfdata *pd, uint64_t id);

/* perf's command line, from the cmdline feature, or "" when absent. Borrowed. */
const char *perfdata__command(const struct perfdata *pd);

/* The build-ids the file recorded. Returns the count and points *ids at them (borrowed). */
size_t perfdata__build_ids(const struct perfdata *pd, const struct perfdata_build_id **ids);

/*
 * Hands every data record to tool, in time order. Returns 0, or the first
 * non-zero value a handler returned. Records that fail to parse are
 * counted, not fatal. Call once.
 */
int perfdata__process(struct perfdata *pd, const struct perf_tool *tool, void *ctx);

/* Counters of perfdata__process(); borrowed. */
const struct perfdata_stats *perfdata__stats(const struct perfdata *pd);

#endif
