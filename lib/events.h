/* SPDX-License-Identifier: MIT */
#ifndef SEAR_EVENTS_H
#define SEAR_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/perf_event.h>

/*
 * Event names, through libpfm4: perf's generic names (cycles, cpu-clock,
 * instructions:u, page-faults), PMU event strings, and raw rNNNN codes.
 */

/*
 * Encodes name into attr's type, config and exclude_* bits.
 * Returns 0; -ENOENT for an unknown name; -EINVAL for a bad modifier.
 */
int events__parse(const char *name, struct perf_event_attr *attr);

/* True when attr needs a hardware PMU (not a kernel software or tracepoint event). */
bool events__is_hardware(const struct perf_event_attr *attr);

/*
 * True when this machine can count cycles, probed once with perf_event_open
 * on the calling thread. VMs without a virtual PMU answer false.
 */
bool events__have_pmu(void);

/*
 * Writes up to max event names that look like name (typos, case) into
 * out, each up to len bytes. Returns how many.
 */
int events__suggest(const char *name, char out[][64], int max);

/*
 * Calls fn for each event that this machine can count, with its name (the
 * short lowercase alias where there is one), whether it needs a hardware
 * PMU, and a description. Returns 0, or fn's non-zero value.
 */
typedef int (*events_fn)(void *ctx, const char *name, bool hardware, const char *desc);
int events__list(events_fn fn, void *ctx);

#endif
