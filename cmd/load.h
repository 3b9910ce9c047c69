/* SPDX-License-Identifier: MIT */
#ifndef SEAR_CMD_LOAD_H
#define SEAR_CMD_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../flamegraph/folded.h"

/*
 * Profiles as report and diff read them: a .sear recording, a perf.data
 * file, or folded text, told apart by their first bytes, never by name.
 * Each is handed over as named stacks, root first, with counts.
 */

#define LOAD_MAX_FILTER 64

struct load_opts {
	pid_t pids[LOAD_MAX_FILTER], tids[LOAD_MAX_FILTER];
	int nr_pids, nr_tids;
	const char *comms[LOAD_MAX_FILTER];
	int nr_comms;
	double from, to; /* seconds from the start; to < 0: the end */
	bool pid_roots;
	bool reverse; /* leaf first */
};

struct load_info {
	char title[256];    /* what was recorded: the command */
	char subtitle[512]; /* samples, event, rate, duration, lost */
	uint64_t samples;
};

/* Parses the filter and shape options report and diff share. Returns 1 when opt was one, 0 if not,
 * -1 on error. */
int load_option(struct load_opts *o, int opt, const char *arg);

enum {
	OPT_LOAD_PID = 2000,
	OPT_LOAD_TID,
	OPT_LOAD_COMM,
	OPT_LOAD_FROM,
	OPT_LOAD_TO,
	OPT_LOAD_PID_ROOTS,
	OPT_LOAD_REVERSE,
};

/* clang-format off */
#define LOAD_LONGOPTS							\
	{ "pid", required_argument, NULL, OPT_LOAD_PID },		\
	{ "tid", required_argument, NULL, OPT_LOAD_TID },		\
	{ "comm", required_argument, NULL, OPT_LOAD_COMM },		\
	{ "from", required_argument, NULL, OPT_LOAD_FROM },		\
	{ "to", required_argument, NULL, OPT_LOAD_TO },			\
	{ "pid-roots", no_argument, NULL, OPT_LOAD_PID_ROOTS },		\
	{ "reverse", no_argument, NULL, OPT_LOAD_REVERSE }
/* clang-format on */

extern const char load_options_help[];

/*
 * Reads path and calls fn for every stack that passes the filters. Prints
 * what goes wrong (one line each) and returns -1 on failure; a truncated
 * recording is a warning, and its complete chunks are used.
 */
int load_profile(const char *path, const struct load_opts *o, folded_fn fn, void *ctx,
		 struct load_info *info);

#endif
