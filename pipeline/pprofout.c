// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph/pprof.h"
#include "lib/array.h"
#include "lib/hash.h"
#include "lib/profile.h"
#include "pprofout.h"

#define MAX_LINES 32

/* A clock's period is in nanoseconds: only then is a sample's weight CPU time. */
static bool is_clock(const char *events)
{
	return events && (!strcmp(events, "cpu-clock") || !strcmp(events, "task-clock"));
}

/*
 * The sample types: samples and CPU time for a clock; with off-CPU waits
 * (time_us), samples (where counted), CPU time and off-CPU time, each
 * sample weighing in one of the two.
 */
static void pprof_out__opts(struct pprof_opts *o, const struct profile_info *info,
			    int64_t start_unix_ns, bool counted)
{
	memset(o, 0, sizeof(*o));
	if (counted || !info->time_us) {
		o->types[o->nr_types][0] = "samples";
		o->types[o->nr_types++][1] = "count";
	}
	if (info->time_us) {
		o->types[o->nr_types][0] = "cpu";
		o->types[o->nr_types++][1] = "nanoseconds";
		o->types[o->nr_types][0] = "off-cpu";
		o->types[o->nr_types++][1] = "nanoseconds";
		o->period_type[0] = "cpu";
		o->period_type[1] = "nanoseconds";
		o->period = info->frequency ? 1000000000 / info->frequency : 0;
	} else if (is_clock(info->events)) {
		o->types[o->nr_types][0] = "cpu";
		o->types[o->nr_types++][1] = "nanoseconds";
		o->period_type[0] = "cpu";
		o->period_type[1] = "nanoseconds";
		o->period = info->frequency ? 1000000000 / info->frequency : (int64_t)info->period;
	} else {
		o->period_type[0] = info->events[0] ? info->events : "samples";
		o->period_type[1] = "count";
		o->period = info->period ? (int64_t)info->period : 1;
	}
	o->time_nanos = start_unix_ns;
	o->duration_nanos = info->seconds * 1e9;
	o->comment = "sear";
}

struct session_out {
	struct pprof *p;
	struct symbolizer *sym;
	struct u64map mappings;	 /* module id -> pprof mapping id + 1 (1: none) */
	struct u64map locations; /* module id << 48 ^ address -> location id */
	struct frame *keys;	 /* the (module, address) of each location, to check a hit */
	size_t cap_keys;
	uint64_t *locs;
	size_t cap_locs;
	bool time_us; /* weights are microseconds of on- and off-CPU time */
};

static uint64_t session_out__mapping(struct session_out *o, uint32_t dso)
{
	uint64_t *have = u64map__find(&o->mappings, dso), id = 0;
	struct sym_module m;

	if (have)
		return *have - 1;
	if (!symbolizer__module(o->sym, dso, &m)) {
		if (m.kind == FRAME_KERNEL)
			id = pprof__mapping(o->p, 0, UINT64_MAX, 0, "[kernel.kallsyms]", NULL);
		else if (m.path && m.file_offset)
			/* Addresses are file offsets: the mapping spans the file from its start. */
			id = pprof__mapping(o->p, 0, UINT64_MAX >> 1, 0, m.path,
					    m.build_id[0] ? m.build_id : NULL);
	}
	u64map__set(&o->mappings, dso, id + 1);
	return id;
}

static uint64_t session_out__location(struct session_out *o, const struct frame *f)
{
	uint64_t key = hash_u64((uint64_t)f->dso << 48 ^ f->addr), *have, map, id;
	struct pprof_line lines[MAX_LINES];
	struct sym_frame sf[MAX_LINES];
	int n, i;

	have = u64map__find(&o->locations, key);
	if (have && o->keys[*have].addr == f->addr && o->keys[*have].dso == f->dso)
		return *have;
	n = symbolizer__symbolize(o->sym, f->dso, f->addr, sf, MAX_LINES);
	/* pprof lists the inlined functions first, the function they sit in last. */
	for (i = 0; i < n; i++)
		lines[i] = (struct pprof_line){ sf[n - 1 - i].func, sf[n - 1 - i].file,
						sf[n - 1 - i].line };
	map = session_out__mapping(o, f->dso);
	id = pprof__location(o->p, map, map ? f->addr : 0, lines, n);
	if (id && !have &&
	    !array__grow((void **)&o->keys, &o->cap_keys, id + 1, sizeof(*o->keys)) &&
	    !u64map__set(&o->locations, key, id))
		o->keys[id] = *f;
	return id;
}

static int session_out__stack(void *ctx, const struct session_stack *st)
{
	struct session_out *o = ctx;
	struct pprof_label labels[5];
	int64_t values[3] = { st->count, st->weight, 0 };
	struct sym_module m;
	size_t nl = 0;
	uint32_t i;

	/* Timed: microseconds, of CPU time or, under an [off-cpu] leaf, of waiting */
	if (o->time_us) {
		bool off = st->nr && !symbolizer__module(o->sym, st->frames[0].dso, &m) &&
			   m.kind == FRAME_OFFCPU;

		values[1] = off ? 0 : (int64_t)st->weight * 1000;
		values[2] = off ? (int64_t)st->weight * 1000 : 0;
	}

	if (array__grow((void **)&o->locs, &o->cap_locs, st->nr + 1, sizeof(*o->locs)))
		return -ENOMEM;
	for (i = 0; i < st->nr; i++) {
		o->locs[i] = session_out__location(o, &st->frames[i]);
		if (!o->locs[i])
			return -ENOMEM;
	}
	labels[nl++] = (struct pprof_label){ .key = "pid", .num = st->pid };
	if (st->tid)
		labels[nl++] = (struct pprof_label){ .key = "tid", .num = st->tid };
	labels[nl++] = (struct pprof_label){ .key = "comm", .str = st->comm };
	if (st->container)
		labels[nl++] = (struct pprof_label){ .key = "container", .str = st->container };
	if (st->event)
		labels[nl++] = (struct pprof_label){ .key = "event", .str = st->event };
	return pprof__sample(o->p, o->locs, st->nr, values, labels, nl);
}

int pprof_out__session(struct session *s, const struct profile_info *info, int64_t start_unix_ns,
		       FILE *out)
{
	struct session_out o = { .sym = session__symbolizer(s), .time_us = info->time_us };
	struct pprof_opts po;
	int err;

	pprof_out__opts(&po, info, start_unix_ns, true);
	o.p = pprof__new(&po);
	if (!o.p)
		return -ENOMEM;
	err = session__for_each_frames(s, session_out__stack, &o);
	if (!err)
		err = pprof__write(o.p, out);
	pprof__free(o.p);
	u64map__release(&o.mappings);
	u64map__release(&o.locations);
	free(o.keys);
	free(o.locs);
	return err;
}

/* Named stacks: kept until the info that describes them is known, at the end. */
struct named {
	size_t first, nr; /* in names/kinds */
	uint64_t count;
};

struct pprof_names {
	char **names;
	enum frame_kind *kinds;
	size_t nr_names, cap_names, cap_kinds;
	struct named *stacks;
	size_t nr_stacks, cap_stacks;
};

struct pprof_names *pprof_names__new(void)
{
	return calloc(1, sizeof(struct pprof_names));
}

void pprof_names__free(struct pprof_names *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_names; i++)
		free(p->names[i]);
	free(p->names);
	free(p->kinds);
	free(p->stacks);
	free(p);
}

int pprof_names__add(void *ctx, const char *const *names, const enum frame_kind *kinds, size_t nr,
		     uint64_t count, int64_t before)
{
	struct pprof_names *p = ctx;
	size_t i;

	(void)before;
	if (array__grow((void **)&p->names, &p->cap_names, p->nr_names + nr, sizeof(*p->names)) ||
	    array__grow((void **)&p->kinds, &p->cap_kinds, p->nr_names + nr, sizeof(*p->kinds)) ||
	    array__grow((void **)&p->stacks, &p->cap_stacks, p->nr_stacks + 1, sizeof(*p->stacks)))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		p->names[p->nr_names + i] = strdup(names[i]);
		if (!p->names[p->nr_names + i]) {
			while (i--)
				free(p->names[p->nr_names + i]);
			return -ENOMEM;
		}
		p->kinds[p->nr_names + i] = kinds ? kinds[i] : FRAME_USER;
	}
	p->stacks[p->nr_stacks++] = (struct named){ p->nr_names, nr, count };
	p->nr_names += nr;
	return 0;
}

int pprof_names__write(struct pprof_names *p, const struct profile_info *info, FILE *out)
{
	int64_t period_ns = info->frequency ? 1000000000 / info->frequency : (int64_t)info->period;
	struct pprof_opts po;
	struct pprof *pp;
	uint64_t *locs = NULL;
	size_t cap = 0, i, k;
	int err = 0;

	pprof_out__opts(&po, info, 0, false);
	pp = pprof__new(&po);
	if (!pp)
		return -ENOMEM;
	for (i = 0; i < p->nr_stacks && !err; i++) {
		const struct named *st = &p->stacks[i];
		char *const *names = p->names + st->first;
		const enum frame_kind *kinds = p->kinds + st->first;
		struct pprof_label labels[4];
		int64_t values[2] = { (int64_t)st->count, (int64_t)st->count * period_ns };
		size_t nl = 0, nloc = 0;

		/* Named stacks of a timed profile count microseconds, not samples */
		if (info->time_us) {
			bool off = st->nr && kinds[st->nr - 1] == FRAME_OFFCPU;

			values[0] = off ? 0 : (int64_t)st->count * 1000;
			values[1] = off ? (int64_t)st->count * 1000 : 0;
		}
		if (array__grow((void **)&locs, &cap, st->nr + 1, sizeof(*locs))) {
			err = -ENOMEM;
			break;
		}
		/* Root frames are labels: [event], [container ID], then the thread name. */
		for (k = 0; k < st->nr && kinds[k] == FRAME_ROOT && nl < 4; k++) {
			size_t len = strlen(names[k]);

			if (!strncmp(names[k], "[container ", 11) && len > 12)
				labels[nl++] =
				    (struct pprof_label){ .key = "container", .str = names[k] };
			else if (names[k][0] == '[' && names[k][len - 1] == ']' && k + 1 < st->nr &&
				 kinds[k + 1] == FRAME_ROOT)
				labels[nl++] =
				    (struct pprof_label){ .key = "event", .str = names[k] };
			else
				labels[nl++] =
				    (struct pprof_label){ .key = "comm", .str = names[k] };
		}
		/* The rest, leaf first. */
		for (size_t j = st->nr; j-- > k;) {
			struct pprof_line line = { names[j], NULL, 0 };

			locs[nloc] = pprof__location(pp, 0, 0, &line, 1);
			if (!locs[nloc++]) {
				err = -ENOMEM;
				break;
			}
		}
		if (!err)
			err = pprof__sample(pp, locs, nloc, values, labels, nl);
	}
	if (!err)
		err = pprof__write(pp, out);
	free(locs);
	pprof__free(pp);
	return err;
}
