/* SPDX-License-Identifier: MIT */
#ifndef SEAR_KUNWIND_H
#define SEAR_KUNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sampler.h"
#include "session.h"

/*
 * Recording with the in-kernel unwinder (lib/bpf_unwind.h): the glue
 * between it, the sampler and a session.
 *
 * The session tells it, through its maps hook, of every executable
 * mapping it learns from the side-band records; kunwind compiles each
 * module's .eh_frame once (lib/ehframe.h) and hands the unwinder the
 * tables and mappings. The unwinder's samples come back through
 * kunwind__drain(), which feeds them to the session in time order with
 * the side-band records still in the sampler's buffers.
 *
 * The sampler must be opened with no_callchain, on_open = kunwind__attach
 * and on_open_ctx = the kunwind, and one event: the unwinder's records do
 * not say which event fired. The session must not unwind itself
 * (SESSION_UNWIND_NONE), and its symbolizer needs the unwind_tables option.
 *
 * A module whose table cannot be had (JIT code, no .eh_frame, a full pool)
 * is walked by frame pointers; the pool running out is reported once.
 */

struct kunwind;

struct kunwind_opts {
	bool include_self;   /* keep sear's own samples (dropped in the kernel otherwise) */
	uint32_t ring_bytes; /* the samples' ring buffer, a power of two; 0: 4 MiB */
	/*
	 * Off-CPU: the targets' waits too, as samples with off_cpu set (see
	 * lib/bpf_unwind.h), of offcpu_min_ns or longer. The session reads
	 * their kernel frames (session_opts.offcpu_skip_idle).
	 */
	bool offcpu;
	uint64_t offcpu_min_ns;
};

/*
 * Loads the unwinder. Returns NULL with errno when BPF cannot be used,
 * with the reason in why (a lowercase phrase that says the remedy:
 * "operation not permitted: the in-kernel unwinder needs root, or ...").
 */
struct kunwind *kunwind__new(const struct kunwind_opts *opts, char *why, size_t len);

/* Hooks k to session s (borrowed; it must outlive k), before any record reaches s. */
void kunwind__set_session(struct kunwind *k, struct session *s);

/* Unhooks and frees k. NULL does nothing. */
void kunwind__free(struct kunwind *k);

/*
 * Builds the tables of running process pid's modules now, before sampling
 * starts: its first samples then walk whole stacks, where they would end
 * in [truncated] while the tables were built. The mappings themselves are
 * still told by the session, as sampling starts. After set_session().
 */
void kunwind__prepare(struct kunwind *k, pid_t pid);

/*
 * The same for the file at path, on this machine, before a command that
 * will map it starts: its table is ready when the mapping comes, and any
 * other path to the same file (by build-id) shares it.
 */
void kunwind__prepare_file(struct kunwind *k, const char *path);

/* pid, a command about to exec, is a target from now on (bpf_unwind__watch()). */
void kunwind__watch(struct kunwind *k, pid_t pid);

/* The sampler's on_open callback: ctx is the kunwind. Returns 0 or -errno. */
int kunwind__attach(void *ctx, int fd);

/* A file descriptor to poll along with the sampler's; borrowed. */
int kunwind__fd(const struct kunwind *k);

/*
 * Hands the session every sample the unwinder has written, each after the
 * side-band records of sm (borrowed for the call) that are older than it,
 * then the side-band records left. Returns 0 or a negative errno from the
 * session (out of memory).
 */
int kunwind__drain(struct kunwind *k, struct sampler *sm);

/*
 * The recording ends (its events disabled): the off-CPU waits still
 * pending are written out, to be taken by the next kunwind__drain().
 * Returns 0 or -errno.
 */
int kunwind__end_waits(struct kunwind *k);

/*
 * Says, through the log, what was cut short: truncated walks, processes
 * with no room. Samples lost to a full ring buffer reach the session as
 * lost samples, as it drains.
 */
void kunwind__log(const struct kunwind *k);

#endif
