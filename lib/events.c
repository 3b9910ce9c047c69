// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/perf_event.h first: libpfm then skips its own older copy. */
#include "events.h"
#include <perfmon/pfmlib_perf_event.h>

static int pfm_ready(void)
{
	static int ret = 1;

	if (ret == 1)
		ret = pfm_initialize() == PFM_SUCCESS ? 0 : -ENODEV;
	return ret;
}

int events__parse(const char *name, struct perf_event_attr *attr)
{
	pfm_perf_encode_arg_t arg;
	struct perf_event_attr a;
	int ret;

	if (pfm_ready())
		return -ENODEV;
	memset(&a, 0, sizeof(a));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &a;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret == PFM_ERR_NOTFOUND)
		return -ENOENT;
	if (ret != PFM_SUCCESS)
		return -EINVAL;
	attr->type = a.type;
	attr->config = a.config;
	attr->config1 = a.config1;
	attr->config2 = a.config2;
	attr->exclude_user = a.exclude_user;
	attr->exclude_kernel = a.exclude_kernel;
	attr->exclude_hv = a.exclude_hv;
	attr->precise_ip = a.precise_ip;
	return 0;
}

bool events__is_hardware(const struct perf_event_attr *attr)
{
	return attr->type != PERF_TYPE_SOFTWARE && attr->type != PERF_TYPE_TRACEPOINT &&
	       attr->type != PERF_TYPE_BREAKPOINT;
}

bool events__have_pmu(void)
{
	static int have = -1;
	struct perf_event_attr a;
	int fd;

	if (have >= 0)
		return have;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.disabled = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	/* EACCES and the like say nothing about the PMU: assume it is there. */
	have = fd >= 0 || (errno != ENOENT && errno != EOPNOTSUPP && errno != ENODEV);
	if (fd >= 0)
		close(fd);
	return have;
}

/* Calls fn(ctx, lowercase name, info) for every event of every PMU libpfm finds present. */
typedef int (*pfm_each_fn)(void *ctx, const char *name, const pfm_event_info_t *e);

static int pfm_each(pfm_each_fn fn, void *ctx)
{
	pfm_pmu_info_t pi;
	int p, i, ret;

	if (pfm_ready())
		return 0;
	for (p = 0; p < PFM_PMU_MAX; p++) {
		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(p, &pi) != PFM_SUCCESS || !pi.is_present)
			continue;
		for (i = pi.first_event; i != -1; i = pfm_get_event_next(i)) {
			pfm_event_info_t e;
			char name[64];
			size_t k;

			memset(&e, 0, sizeof(e));
			e.size = sizeof(e);
			if (pfm_get_event_info(i, PFM_OS_PERF_EVENT_EXT, &e) != PFM_SUCCESS ||
			    !e.name)
				continue;
			for (k = 0; e.name[k] && k < sizeof(name) - 1; k++)
				name[k] = e.name[k] >= 'A' && e.name[k] <= 'Z' ? e.name[k] + 32
									       : e.name[k];
			name[k] = '\0';
			ret = fn(ctx, name, &e);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Levenshtein distance, capped by the buffers' size. */
static int distance(const char *a, const char *b)
{
	int la = strlen(a), lb = strlen(b), i, j, row[65], prev, tmp;

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

struct suggest {
	char want[64];
	char (*out)[64];
	int dist[8];
	int max, nr;
};

static int suggest__one(void *ctx, const char *name, const pfm_event_info_t *e)
{
	struct suggest *s = ctx;
	int d = distance(s->want, name), limit = strlen(s->want) / 3 + 1, i, pos;

	(void)e;
	if (!strncmp(name, "perf_count_", 11) || d > limit || d == 0)
		return 0;
	for (i = 0; i < s->nr; i++)
		if (!strcmp(s->out[i], name))
			return 0;
	/* Keep the closest ones, in order. */
	for (pos = s->nr; pos > 0 && s->dist[pos - 1] > d; pos--)
		;
	if (pos >= s->max)
		return 0;
	if (s->nr < s->max)
		s->nr++;
	for (i = s->nr - 1; i > pos; i--) {
		memcpy(s->out[i], s->out[i - 1], 64);
		s->dist[i] = s->dist[i - 1];
	}
	snprintf(s->out[pos], 64, "%s", name);
	s->dist[pos] = d;
	return 0;
}

int events__suggest(const char *name, char out[][64], int max)
{
	struct suggest s = { .out = out, .max = max > 8 ? 8 : max };
	size_t k;

	for (k = 0; name[k] && k < sizeof(s.want) - 1; k++)
		s.want[k] = name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k];
	s.want[k] = '\0';
	/* Modifiers (":u") are not part of the name. */
	s.want[strcspn(s.want, ":")] = '\0';
	pfm_each(suggest__one, &s);
	return s.nr;
}

struct lister {
	events_fn fn;
	void *ctx;
};

static int list__one(void *ctx, const char *name, const pfm_event_info_t *e)
{
	struct lister *l = ctx;
	struct perf_event_attr a;
	int fd;

	/* The long PERF_COUNT_* spellings have short aliases: list those. */
	if (!strncmp(name, "perf_count_", 11) || !strcmp(name, "r0000"))
		return 0;
	memset(&a, 0, sizeof(a));
	if (events__parse(name, &a))
		return 0;
	a.size = sizeof(a);
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return 0; /* known to libpfm, not countable here */
	close(fd);
	return l->fn(l->ctx, name, events__is_hardware(&a), e->desc ? e->desc : "");
}

int events__list(events_fn fn, void *ctx)
{
	struct lister l = { fn, ctx };

	return pfm_each(list__one, &l);
}
