// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "lib/array.h"
#include "lib/hash.h"
#include "searout.h"

struct sear_out {
	struct session *s;
	struct sear_writer *w;
	struct session_sample *pending;
	size_t nr_pending, cap_pending;
	int64_t *stack_id; /* session stack id -> recording stack id + 1 */
	size_t cap_stack_id;
	int64_t *comm_id; /* session comm id -> recording string id + 1 */
	size_t cap_comm_id;
	struct u64map tasks; /* pids whose container was written */
	struct stack_names names;
	uint32_t ids[STACK_NAMES_MAX];
};

static int sear_out__sample(void *ctx, const struct session_sample *s)
{
	struct sear_out *o = ctx;

	if (array__grow((void **)&o->pending, &o->cap_pending, o->nr_pending + 1,
			sizeof(*o->pending)))
		return -ENOMEM;
	o->pending[o->nr_pending++] = *s;
	return 0;
}

struct sear_out *sear_out__new(struct session *s, int fd, const struct sear_meta *meta)
{
	struct sear_out *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->s = s;
	o->w = sear_writer__new(fd, meta);
	if (!o->w) {
		free(o);
		return NULL;
	}
	session__set_sample_hook(s, sear_out__sample, o);
	return o;
}

size_t sear_out__pending(const struct sear_out *o)
{
	return o->nr_pending;
}

/* The recording's id for a session stack: named and written the first time. */
static int64_t sear_out__stack(struct sear_out *o, uint32_t stack)
{
	size_t n, i;
	int64_t id;

	if (array__grow((void **)&o->stack_id, &o->cap_stack_id, stack + 1, sizeof(*o->stack_id)))
		return -ENOMEM;
	if (o->stack_id[stack])
		return o->stack_id[stack] - 1;
	n = session__stack_names(o->s, stack, &o->names);
	if (n > SEAR_MAX_FRAMES)
		n = SEAR_MAX_FRAMES;
	for (i = 0; i < n; i++) {
		id = sear_writer__string(o->w, o->names.names[i]);
		if (id < 0)
			return id;
		o->ids[i] = id;
	}
	id = sear_writer__stack(o->w, o->ids, o->names.kinds, n);
	if (id >= 0)
		o->stack_id[stack] = id + 1;
	return id;
}

static int64_t sear_out__comm(struct sear_out *o, uint32_t comm)
{
	int64_t id;

	if (array__grow((void **)&o->comm_id, &o->cap_comm_id, comm + 1, sizeof(*o->comm_id)))
		return -ENOMEM;
	if (o->comm_id[comm])
		return o->comm_id[comm] - 1;
	id = sear_writer__string(o->w, session__comm(o->s, comm));
	if (id >= 0)
		o->comm_id[comm] = id + 1;
	return id;
}

/* Writes pid's container once, before its first sample. */
static int sear_out__task(struct sear_out *o, uint32_t pid)
{
	const char *c;
	int64_t cid;

	if (u64map__find(&o->tasks, pid))
		return 0;
	c = session__container(o->s, pid);
	cid = c ? sear_writer__string(o->w, c) : -1;
	if ((c && cid < 0) || sear_writer__task(o->w, pid, cid) || u64map__set(&o->tasks, pid, 1))
		return -ENOMEM;
	return 0;
}

int sear_out__flush(struct sear_out *o)
{
	size_t i;
	int err;

	for (i = 0; i < o->nr_pending; i++) {
		const struct session_sample *p = &o->pending[i];
		int64_t stack = sear_out__stack(o, p->stack), comm = sear_out__comm(o, p->comm);
		struct sear_sample r;

		if (stack < 0 || comm < 0)
			return stack < 0 ? stack : comm;
		err = sear_out__task(o, p->pid);
		if (err)
			return err;
		r = (struct sear_sample){ p->time,  p->pid, p->tid, p->cpu,
					  p->event, comm,   stack,  p->weight };
		err = sear_writer__sample(o->w, &r);
		if (err)
			return err;
	}
	o->nr_pending = 0;
	return sear_writer__flush(o->w);
}

static void sear_out__release(struct sear_out *o)
{
	session__set_sample_hook(o->s, NULL, NULL);
	free(o->pending);
	free(o->stack_id);
	free(o->comm_id);
	u64map__release(&o->tasks);
	free(o);
}

int sear_out__finish(struct sear_out *o, const struct sear_meta *meta)
{
	int err = sear_out__flush(o);

	if (err) {
		sear_writer__free(o->w);
		sear_out__release(o);
		return err;
	}
	err = sear_writer__finish(o->w, meta);
	sear_out__release(o);
	return err;
}

void sear_out__free(struct sear_out *o)
{
	if (!o)
		return;
	sear_writer__free(o->w);
	sear_out__release(o);
}
