/* SPDX-License-Identifier: MIT */
#ifndef SEAR_FILTER_H
#define SEAR_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Which samples a report keeps: by process, thread, thread name and time.
 * Empty lists keep everything. One filter serves every source: a live
 * session, a perf.data file, a .sear recording, and (by thread name, the
 * root frame) folded text.
 */

#define FILTER_MAX 64

struct sample_filter {
	pid_t pids[FILTER_MAX], tids[FILTER_MAX];
	int nr_pids, nr_tids;
	const char *comms[FILTER_MAX]; /* borrowed: they must outlive the filter */
	int nr_comms;
	double from, to; /* seconds from the start of the recording; to <= 0: the end */
};

/* True when f keeps only some samples. */
bool sample_filter__active(const struct sample_filter *f);

/* True when f needs pids, tids or times, which folded text lacks. */
bool sample_filter__needs_samples(const struct sample_filter *f);

/* True when f keeps thread name comm. */
bool sample_filter__comm(const struct sample_filter *f, const char *comm);

/* True when f keeps a sample of pid, tid and comm taken secs into the recording. */
bool sample_filter__match(const struct sample_filter *f, uint32_t pid, uint32_t tid,
			  const char *comm, double secs);

#endif
