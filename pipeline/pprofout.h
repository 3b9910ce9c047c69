/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PPROFOUT_H
#define SEAR_PPROFOUT_H

#include <stdint.h>
#include <stdio.h>

#include "flamegraph/folded.h"
#include "info.h"
#include "session.h"

/*
 * Profiles written as pprof (flamegraph/pprof.h), from a session (record,
 * and report of perf.data: mappings with their files and build-ids,
 * addresses, functions, and their source lines and inline frames when the
 * names were asked with --srcline or --inline) or from named stacks alone
 * (a .sear or folded text: functions only).
 *
 * Sample types: samples/count, and cpu/nanoseconds when the event is a
 * clock (cpu-clock, task-clock), weighing each sample by its period. The
 * root frames become labels: pid, comm, container, event.
 */

/* Writes s's stacks to out. start_unix_ns: when the recording began. Returns 0 or -errno. */
int pprof_out__session(struct session *s, const struct profile_info *info, int64_t start_unix_ns,
		       FILE *out);

struct pprof_names;

/* Starts a profile from named stacks; free with pprof_names__free(). NULL with errno. */
struct pprof_names *pprof_names__new(void);
void pprof_names__free(struct pprof_names *p);

/* The folded_fn that adds one named stack (root frames first) to p (the ctx). */
int pprof_names__add(void *ctx, const char *const *names, const enum frame_kind *kinds, size_t nr,
		     uint64_t count, int64_t before);

/* Writes what was added, described by info. Returns 0 or -errno. */
int pprof_names__write(struct pprof_names *p, const struct profile_info *info, FILE *out);

#endif
