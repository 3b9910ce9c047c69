// SPDX-License-Identifier: MIT
#include <string.h>

#include "filter.h"

static bool has_pid(const pid_t *v, int n, uint32_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if ((uint32_t)v[i] == pid)
			return true;
	return false;
}

bool sample_filter__needs_samples(const struct sample_filter *f)
{
	return f->nr_pids || f->nr_tids || f->from > 0 || f->to > 0;
}

bool sample_filter__active(const struct sample_filter *f)
{
	return sample_filter__needs_samples(f) || f->nr_comms;
}

bool sample_filter__comm(const struct sample_filter *f, const char *comm)
{
	int i;

	if (!f->nr_comms)
		return true;
	for (i = 0; i < f->nr_comms; i++)
		if (!strcmp(f->comms[i], comm))
			return true;
	return false;
}

bool sample_filter__match(const struct sample_filter *f, uint32_t pid, uint32_t tid,
			  const char *comm, double secs)
{
	if (f->nr_pids && !has_pid(f->pids, f->nr_pids, pid))
		return false;
	if (f->nr_tids && !has_pid(f->tids, f->nr_tids, tid))
		return false;
	if (secs < f->from || (f->to > 0 && secs >= f->to))
		return false;
	return sample_filter__comm(f, comm);
}
