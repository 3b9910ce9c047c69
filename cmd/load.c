// SPDX-License-Identifier: MIT
/* Reading profiles for report and diff: .sear, perf.data and folded text. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/perfdata.h"
#include "../lib/profile.h"
#include "../lib/recording.h"
#include "../lib/session.h"
#include "cmd.h"
#include "load.h"

#define LOAD_MAX_NAMES (REC_MAX_FRAMES + 8)

const char load_options_help[] =
    "Filters (.sear and perf.data inputs):\n"
    "  --pid PID[,PID]        only these processes\n"
    "  --tid TID[,TID]        only these threads\n"
    "  --comm NAME[,NAME]     only threads of these names\n"
    "  --from SECS, --to SECS only samples this far into the recording\n"
    "Shape:\n"
    "  --pid-roots            one root frame per process: 'comm [pid]'\n"
    "  --reverse              reverse each stack: the leaves become the roots\n";

static int parse_list(const char *arg, pid_t *out, int *nr)
{
	char *end;

	for (;;) {
		long v = strtol(arg, &end, 10);

		if (end == arg || v <= 0 || *nr >= LOAD_MAX_FILTER)
			return -1;
		out[(*nr)++] = v;
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		arg = end + 1;
	}
}

int load_option(struct load_opts *o, int opt, const char *arg)
{
	char *copy, *tok, *save;

	switch (opt) {
	case OPT_LOAD_PID:
	case OPT_LOAD_TID:
		if (parse_list(arg, opt == OPT_LOAD_PID ? o->pids : o->tids,
			       opt == OPT_LOAD_PID ? &o->nr_pids : &o->nr_tids)) {
			msg("invalid --%s '%s': use numbers separated by commas",
			    opt == OPT_LOAD_PID ? "pid" : "tid", arg);
			return -1;
		}
		return 1;
	case OPT_LOAD_COMM:
		copy = strdup(arg);
		for (tok = strtok_r(copy, ",", &save); tok && o->nr_comms < LOAD_MAX_FILTER;
		     tok = strtok_r(NULL, ",", &save))
			o->comms[o->nr_comms++] = tok; /* copy lives as long as the process */
		return 1;
	case OPT_LOAD_FROM:
	case OPT_LOAD_TO:
		if (parse_seconds(arg, opt == OPT_LOAD_FROM ? &o->from : &o->to)) {
			msg("invalid --%s '%s': use seconds from the start, e.g. 2.5",
			    opt == OPT_LOAD_FROM ? "from" : "to", arg);
			return -1;
		}
		return 1;
	case OPT_LOAD_PID_ROOTS:
		o->pid_roots = true;
		return 1;
	case OPT_LOAD_REVERSE:
		o->reverse = true;
		return 1;
	}
	return 0;
}

static bool has_pid(const pid_t *v, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

static bool comm_ok(const struct load_opts *o, const char *comm)
{
	int i;

	if (!o->nr_comms)
		return true;
	for (i = 0; i < o->nr_comms; i++)
		if (!strcmp(o->comms[i], comm))
			return true;
	return false;
}

/* Calls fn with names reversed when asked (--reverse). */
static int emit(const struct load_opts *o, folded_fn fn, void *ctx, const char **names,
		enum frame_kind *kinds, size_t n, uint64_t count)
{
	if (o->reverse)
		flame__reverse_stack(names, kinds, n);
	return fn(ctx, names, kinds, n, count, -1);
}

/* .sear: aggregate samples per (event, pid, comm, stack) first, then name them once each. */
struct sear_load {
	const struct load_opts *o;
	struct rec_reader *r;
	struct profile *agg;
	uint64_t start, from, to;
	uint64_t samples;
	folded_fn fn;
	void *ctx;
	char events[8][64];
	int nr_events;
	bool container_roots;
};

static int sear_load__sample(void *ctx, const struct rec_sample *s)
{
	struct sear_load *l = ctx;
	const struct load_opts *o = l->o;
	const char *comm = rec_reader__string(l->r, s->comm);

	if (o->nr_pids && !has_pid(o->pids, o->nr_pids, s->pid))
		return 0;
	if (o->nr_tids && !has_pid(o->tids, o->nr_tids, s->tid))
		return 0;
	if (!comm_ok(o, comm))
		return 0;
	if (s->time < l->from || (l->to && s->time >= l->to))
		return 0;
	l->samples += s->weight;
	return profile__add(l->agg, s->event, s->pid, s->comm, s->stack, s->weight) ? -ENOMEM : 0;
}

static int sear_load__emit(void *ctx, uint16_t event, uint32_t pid, uint32_t comm, uint32_t stack,
			   uint64_t count)
{
	struct sear_load *l = ctx;
	static const char *names[LOAD_MAX_NAMES];
	static enum frame_kind kinds[LOAD_MAX_NAMES];
	struct session_root_buf buf;
	struct session_roots roots = {
		.event = l->nr_events > 1 && event < l->nr_events ? l->events[event] : NULL,
		.container = l->container_roots ? rec_reader__container(l->r, pid) : NULL,
		.comm = rec_reader__string(l->r, comm),
		.pid = pid,
		.pid_roots = l->o->pid_roots,
	};
	const uint32_t *ids;
	const uint8_t *k;
	size_t n = session__roots(&roots, names, kinds, &buf);
	int nr = rec_reader__stack(l->r, stack, &ids, &k), i;

	for (i = 0; i < nr; i++, n++) {
		names[n] = rec_reader__string(l->r, ids[i]);
		kinds[n] = k[i];
	}
	return emit(l->o, l->fn, l->ctx, names, kinds, n, count);
}

static int load_sear(const char *path, const char *buf, size_t len, const struct load_opts *o,
		     folded_fn fn, void *ctx, struct load_info *info)
{
	struct sear_load l = { .o = o, .fn = fn, .ctx = ctx };
	const char *err = NULL, *v;
	char events[512] = "";
	int ret = -1;

	l.r = rec_reader__new_mem(buf, len, &err);
	if (!l.r) {
		msg("cannot read '%s': %s", path, err);
		return -1;
	}
	l.agg = profile__new();
	if (!l.agg) {
		msg("out of memory");
		goto out;
	}
	v = rec_reader__meta(l.r, "start_ns");
	l.start = v ? strtoull(v, NULL, 10) : 0;
	l.from = l.start + (uint64_t)(o->from * 1e9);
	l.to = o->to > 0 ? l.start + (uint64_t)(o->to * 1e9) : 0;
	v = rec_reader__meta(l.r, "container_roots");
	l.container_roots = v && !strcmp(v, "1");
	v = rec_reader__meta(l.r, "events");
	if (v) {
		char *save, *tok;

		snprintf(events, sizeof(events), "%s", v);
		for (tok = strtok_r(events, ",", &save); tok && l.nr_events < 8;
		     tok = strtok_r(NULL, ",", &save))
			snprintf(l.events[l.nr_events++], sizeof(l.events[0]), "%s",
				 tok + strspn(tok, " "));
	}
	if (rec_reader__for_each(l.r, sear_load__sample, &l)) {
		msg("out of memory reading '%s'", path);
		goto out;
	}
	if (rec_reader__bad_offset(l.r) >= 0)
		msg("warning: '%s' is cut short or corrupt at byte %lld: using the %s before it",
		    path, (long long)rec_reader__bad_offset(l.r), "complete chunks");
	else if (!rec_reader__complete(l.r))
		msg("warning: '%s' has no trailer (the recording did not end cleanly): using "
		    "its complete chunks",
		    path);
	if (profile__for_each(l.agg, sear_load__emit, &l)) {
		msg("out of memory");
		goto out;
	}
	info->samples = l.samples;
	v = rec_reader__meta(l.r, "command");
	snprintf(info->title, sizeof(info->title), "%s", v ? v : path);
	{
		const char *ev = rec_reader__meta(l.r, "events"), *fq, *lost, *secs;
		char evb[128], fqb[32], lostb[32], secsb[32];

		snprintf(evb, sizeof(evb), "%s", ev ? ev : "?");
		fq = rec_reader__meta(l.r, "frequency");
		snprintf(fqb, sizeof(fqb), "%s", fq ? fq : "?");
		lost = rec_reader__total(l.r, "lost");
		snprintf(lostb, sizeof(lostb), "%s", lost ? lost : "?");
		secs = rec_reader__total(l.r, "seconds");
		snprintf(secsb, sizeof(secsb), "%s", secs ? secs : "?");
		snprintf(info->subtitle, sizeof(info->subtitle),
			 "%llu samples of %s at %s Hz in %s s, %s lost",
			 (unsigned long long)l.samples, evb, fqb, secsb, lostb);
	}
	ret = 0;
out:
	profile__free(l.agg);
	rec_reader__free(l.r);
	return ret;
}

/* perf.data: replayed through a session, then named like a live recording. */
struct perf_load {
	const struct load_opts *o;
	folded_fn fn;
	void *ctx;
};

static int perf_load__stack(void *ctx, const char *const *names, const enum frame_kind *kinds,
			    size_t nr, uint64_t count)
{
	struct perf_load *l = ctx;
	static const char *n[LOAD_MAX_NAMES];
	static enum frame_kind k[LOAD_MAX_NAMES];

	if (nr > LOAD_MAX_NAMES)
		nr = LOAD_MAX_NAMES;
	memcpy(n, names, nr * sizeof(*n));
	memcpy(k, kinds, nr * sizeof(*k));
	return emit(l->o, l->fn, l->ctx, n, k, nr, count);
}

static bool perf_load__filter(void *ctx, const struct perfdata_sample *s)
{
	const struct load_opts *o = ctx;

	if (o->nr_pids && !has_pid(o->pids, o->nr_pids, s->pid))
		return false;
	if (o->nr_tids && !has_pid(o->tids, o->nr_tids, s->tid))
		return false;
	if (s->seconds < o->from || (o->to > 0 && s->seconds >= o->to))
		return false;
	return comm_ok(o, s->comm);
}

static int load_perf(const char *path, const char *buf, size_t len, const struct load_opts *o,
		     folded_fn fn, void *ctx, struct load_info *info)
{
	struct perf_load l = { o, fn, ctx };
	struct perfdata_opts po = {
		.pid_roots = o->pid_roots,
		.filter = perf_load__filter,
		.filter_ctx = (void *)o,
	};
	struct perfdata_result res;
	char err[256];

	if (perfdata__load_mem(buf, len, &po, perf_load__stack, &l, &res, err, sizeof(err))) {
		msg("cannot read '%s': %s", path, err);
		return -1;
	}
	info->samples = res.samples;
	snprintf(info->title, sizeof(info->title), "%s", res.command[0] ? res.command : path);
	snprintf(info->subtitle, sizeof(info->subtitle),
		 "%llu samples of %s from perf.data, %llu lost", (unsigned long long)res.samples,
		 res.event, (unsigned long long)res.lost);
	return 0;
}

struct folded_load {
	const struct load_opts *o;
	folded_fn fn;
	void *ctx;
	uint64_t samples;
};

static int folded_load__stack(void *ctx, const char *const *names, const enum frame_kind *kinds,
			      size_t nr, uint64_t count, int64_t before)
{
	struct folded_load *l = ctx;

	if (!nr || !comm_ok(l->o, names[0]))
		return 0;
	l->samples += count;
	return l->fn(l->ctx, names, kinds, nr, count, before);
}

int load_profile(const char *path, const struct load_opts *o, folded_fn fn, void *ctx,
		 struct load_info *info)
{
	struct folded_opts fo = { .reverse = o->reverse };
	struct folded_load fl = { o, fn, ctx, 0 };
	size_t len, bad = 0;
	char *buf;
	int ret = -1, err;

	memset(info, 0, sizeof(*info));
	if (read_input(path, &buf, &len))
		return -1;
	if (!len) {
		msg("'%s' is empty: nothing to read", path);
	} else if (rec__is_recording(buf, len)) {
		ret = load_sear(path, buf, len, o, fn, ctx, info);
	} else if (perfdata__is_perfdata(buf, len)) {
		ret = load_perf(path, buf, len, o, fn, ctx, info);
	} else if (len && memchr(buf, '\0', len < 4096 ? len : 4096)) {
		msg("'%s' is not a .sear recording, a perf.data file or folded text", path);
	} else if (o->nr_pids || o->nr_tids || o->from > 0 || o->to > 0) {
		msg("'%s' is folded text, which has no pids, tids or times: --pid, --tid, --from "
		    "and --to need a .sear or perf.data input",
		    path);
	} else {
		err = folded__for_each(buf, len, &fo, folded_load__stack, &fl, &bad);
		if (err == -EINVAL)
			msg("%s:%zu: not a folded stack ('frame;frame;... COUNT')", path, bad);
		else if (err)
			msg("out of memory reading '%s'", path);
		else
			ret = 0;
		info->samples = fl.samples;
		snprintf(info->title, sizeof(info->title), "%s", path);
		snprintf(info->subtitle, sizeof(info->subtitle), "%llu samples",
			 (unsigned long long)fl.samples);
	}
	free(buf);
	return ret;
}
