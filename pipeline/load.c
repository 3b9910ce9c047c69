// SPDX-License-Identifier: MIT
/* Reading profiles for report, diff and flamegraph: .sear, perf.data and folded text. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/perfdata.h"
#include "lib/profile.h"
#include "lib/sat.h"
#include "lib/searfile.h"
#include "load.h"
#include "names.h"
#include "pprofout.h"
#include "session.h"

#define LOAD_BLOCK     (1u << 20)  /* bytes read at a time */
#define FOLDED_LINE    (16u << 20) /* the longest folded line taken */
#define SNIFF	       4096	   /* bytes that tell text from binary */
#define MAX_EVENTS     8
#define SPOOL_FEATURES (64u << 20) /* a piped perf.data's feature sections, after its data */

/*
 * What the stacks of a .sear may amount to, for its size (the reader caps
 * its tables the same way, lib/searfile.h). Real recordings name at most
 * 7.2 frames and make 0.19 graph nodes per byte of file (a deep recursion
 * unwound with dwarf; docs/HARDENING.md); a recursion seen at every depth
 * to 4096 names 264 frames per byte, in 4096 nodes. A small hostile file
 * can make thousands of thread names share a 4096-frame stack, each a root
 * of its own: billions of frames, gigabytes of graph. The caps leave 4x
 * over the extreme for frames, and 20x over real recordings for nodes.
 */
#define SEAR_EMIT_FLOOR	   (16u << 20) /* frames named, any file */
#define SEAR_EMIT_PER_BYTE 1024
#define SEAR_NODE_FLOOR	   (1u << 20) /* graph nodes, any file */
#define SEAR_NODE_PER_BYTE 4

struct loader {
	const char *path;
	const struct load_opts *o;
	folded_fn fn;
	void *ctx;
	struct flame *flame; /* the target, when it is a graph: a faster path for perf.data */
	FILE *pprof;	     /* the target, when it is pprof: perf.data keeps its addresses */
	struct profile_info *info;
	struct stack_names names;
};

/* Hands one named stack on, reversed when asked (--reverse). */
static int loader__emit(struct loader *l, struct stack_names *n, uint64_t count, int64_t before)
{
	if (l->o->reverse)
		flame__reverse_stack(n->names, n->kinds, n->nr);
	return l->fn(l->ctx, n->names, n->kinds, n->nr, count, before);
}

/* .sear: samples are counted per (event, pid, comm, stack) first, then named once each. */
struct sear_load {
	struct loader *l;
	struct sear_reader *r;
	struct profile *agg;
	uint64_t start, seen;
	uint64_t emitted, emit_max, node_max; /* frames named, and the caps */
	char events[MAX_EVENTS][64];
	int nr_events;
};

static int sear_load__sample(void *ctx, const struct sear_sample *s)
{
	struct sear_load *sl = ctx;
	const struct sample_filter *f = &sl->l->o->filter;
	struct frame stack = { .addr = s->stack };
	int64_t id;

	sl->seen++;
	if (sample_filter__active(f) &&
	    !sample_filter__match(f, s->pid, s->tid, sear_reader__string(sl->r, s->comm),
				  s->time > sl->start ? (s->time - sl->start) / 1e9 : 0))
		return 0;
	/* With weights in time, a record is one sample (or wait); else weight samples */
	sl->l->info->samples =
	    u64_sat_add(sl->l->info->samples, sear_reader__meta(sl->r)->weight_us ? 1 : s->weight);
	id = profile__stack(sl->agg, s->event, s->pid, s->comm, 0, &stack, 1);
	return id < 0 ? id : profile__add(sl->agg, id, s->weight, 0);
}

static int sear_load__emit(void *ctx, uint16_t event, uint32_t pid, uint32_t comm, uint32_t tid,
			   uint32_t id, uint64_t count, uint64_t weight)
{
	struct sear_load *sl = ctx;
	struct frame f = { 0 };
	uint32_t stack = profile__frames(sl->agg, id, &f, 1) ? f.addr : 0;

	(void)weight, (void)tid;
	struct loader *l = sl->l;
	struct stack_roots roots = {
		.event = sl->nr_events > 1 && event < sl->nr_events ? sl->events[event] : NULL,
		.container = sear_reader__meta(sl->r)->container_roots
				 ? sear_reader__container(sl->r, pid)
				 : NULL,
		.comm = sear_reader__string(sl->r, comm),
		.pid = pid,
		.pid_roots = l->o->pid_roots,
	};
	const uint32_t *ids;
	const uint8_t *k;
	int nr = sear_reader__stack(sl->r, stack, &ids, &k), i;

	int err;

	sl->emitted += nr > 0 ? nr : 0;
	if (sl->emitted > sl->emit_max)
		return -E2BIG;
	stack_names__set_roots(&l->names, &roots);
	for (i = 0; i < nr; i++)
		stack_names__push(&l->names, sear_reader__string(sl->r, ids[i]), k[i]);
	err = loader__emit(l, &l->names, count, -1);
	return !err && l->flame && flame__count(l->flame) > sl->node_max ? -E2BIG : err;
}

/* Splits the header's "a, b" event list, for the root frames of several events. */
static void sear_load__events(struct sear_load *sl, const char *list)
{
	const char *p = list;

	while (*p && sl->nr_events < MAX_EVENTS) {
		size_t n = strcspn(p, ",");

		snprintf(sl->events[sl->nr_events++], sizeof(sl->events[0]), "%.*s", (int)n, p);
		p += n;
		p += *p == ',';
		p += strspn(p, " ");
	}
}

static int load_sear(struct loader *l, int fd, const void *head, size_t head_len)
{
	struct sear_load sl = { .l = l };
	const struct sear_meta *m;
	const char *why;
	int64_t bad;
	int err;

	sl.r = sear_reader__new_fd_after(fd, head, head_len, l->path);
	if (!sl.r)
		return -errno;
	sl.agg = profile__new();
	if (!sl.agg) {
		err = -ENOMEM;
		goto out;
	}
	m = sear_reader__meta(sl.r);
	sl.start = m->start_ns;
	sear_load__events(&sl, m->events);
	err = sear_reader__for_each(sl.r, sear_load__sample, &sl);
	if (err) {
		if (err != -ENOMEM)
			pr_warn("cannot read '%s': %s", l->path, sear_strerror(-err));
		goto out;
	}
	/* Nothing complete to show: the first chunk is lost, or was never written. */
	bad = sear_reader__bad_offset(sl.r);
	why = sear_reader__bad_reason(sl.r);
	if (!sl.seen && !m->complete) {
		if (why)
			pr_warn("cannot read '%s': corrupt at byte %lld (%s), before any samples",
				l->path, (long long)bad, why);
		else
			pr_warn("cannot read '%s': cut short or corrupt at byte %lld, before any "
				"samples",
				l->path,
				bad >= 0 ? (long long)bad : (long long)sear_reader__offset(sl.r));
		err = -EINVAL;
		goto out;
	}
	sl.emit_max = SEAR_EMIT_FLOOR + SEAR_EMIT_PER_BYTE * sear_reader__offset(sl.r);
	sl.node_max = SEAR_NODE_FLOOR + SEAR_NODE_PER_BYTE * sear_reader__offset(sl.r);
	err = profile__for_each(sl.agg, sear_load__emit, &sl);
	if (err == -E2BIG)
		pr_warn("cannot read '%s': its stacks make a bigger graph than %llu bytes of "
			"recording can hold (corrupt or hostile)",
			l->path, (unsigned long long)sear_reader__offset(sl.r));
	if (err)
		goto out;
	/* After the stacks: an input refused for them says only that. */
	if (why)
		pr_warn("warning: '%s' is corrupt at byte %lld (%s): using the complete chunks "
			"before it",
			l->path, (long long)bad, why);
	else if (bad >= 0)
		pr_warn("warning: '%s' is cut short or corrupt at byte %lld: using the complete "
			"chunks before it",
			l->path, (long long)bad);
	else if (!m->complete)
		pr_warn("warning: '%s' has no trailer (the recording did not end cleanly): using "
			"its complete chunks",
			l->path);
	snprintf(l->info->title, sizeof(l->info->title), "%s",
		 m->command[0] ? m->command : l->path);
	snprintf(l->info->events, sizeof(l->info->events), "%s", m->events);
	snprintf(l->info->call_graph, sizeof(l->info->call_graph), "%s", m->call_graph);
	l->info->frequency = m->frequency;
	l->info->period = m->period;
	l->info->time_us = m->weight_us;
	l->info->lost = m->lost;
	l->info->seconds = m->seconds;
out:
	profile__free(sl.agg);
	sear_reader__free(sl.r);
	return err;
}

/* perf.data: replayed through a session, as a live recording is. */
static int perf_load__stack(void *ctx, const struct stack_names *n, uint64_t count)
{
	struct loader *l = ctx;

	/* The session's names are its scratch: copy them, --reverse reorders in place. */
	l->names.nr = n->nr;
	memcpy(l->names.names, n->names, n->nr * sizeof(n->names[0]));
	memcpy(l->names.kinds, n->kinds, n->nr * sizeof(n->kinds[0]));
	return loader__emit(l, &l->names, count, -1);
}

static int perf_load__event_of(const void *ctx, uint64_t id)
{
	return perfdata__event_of(ctx, id);
}

static int load_perf(struct loader *l, int fd)
{
	struct symbolizer_opts so = l->o->names;
	struct session_opts sess = { .pid_roots = l->o->pid_roots };
	const char *names[MAX_EVENTS];
	const struct perfdata_build_id *ids;
	const struct perfdata_stats *ps;
	const struct session_stats *st;
	struct symbolizer *sym = NULL;
	struct session *s = NULL;
	struct perfdata *pd;
	size_t nr_ids, i, n = 0;
	uint64_t freq;
	int err = -ENOMEM, nr_events;
	char why[512] = "";
	uint64_t bad;

	pd = perfdata__open_fd(fd, l->path);
	if (!pd)
		return -errno;
	/* perf record --call-graph dwarf: unwind the stack copies, as perf report does. */
	if ((perfdata__layout(pd)->sample_type & PERF_SAMPLE_STACK_USER) &&
	    (perfdata__layout(pd)->sample_type & PERF_SAMPLE_REGS_USER)) {
		sess.unwind = SESSION_UNWIND_DWARF;
		so.unwind_tables = true;
	}
	so.offline = true;
	sym = symbolizer__new(&so);
	s = sym ? session__new(sym, &sess) : NULL;
	if (!s)
		goto out;
	nr_ids = perfdata__build_ids(pd, &ids);
	for (i = 0; i < nr_ids; i++)
		symbolizer__expect_build_id(sym, ids[i].path, ids[i].id, ids[i].len);
	nr_events = perfdata__nr_events(pd);
	if (nr_events > MAX_EVENTS)
		nr_events = MAX_EVENTS;
	for (i = 0; i < (size_t)nr_events; i++)
		names[i] = perfdata__event_name(pd, i);
	session__set_layout(s, perfdata__layout(pd));
	session__set_events(s, names, nr_events, perf_load__event_of, pd);
	session__set_filter(s, &l->o->filter, 0);
	err = perfdata__process(pd, session__tool(), s);
	if (err)
		goto out;
	ps = perfdata__stats(pd);
	st = session__stats(s);
	/* What was lost, in one line: a flipped size both corrupts a record and cuts the rest. */
	bad = ps->bad_records + st->bad_records;
	if (ps->no_size)
		n += snprintf(why + n, sizeof(why) - n,
			      "was not finished by perf (killed, or cut short): read the %llu "
			      "records it holds",
			      (unsigned long long)ps->records);
	else if (ps->cut_bytes)
		n += snprintf(why + n, sizeof(why) - n,
			      "ends inside a record: %llu bytes at its end are lost",
			      (unsigned long long)ps->cut_bytes);
	if (bad)
		snprintf(why + n, sizeof(why) - n,
			 "%shas %llu records that are corrupt or out of order: they were left out",
			 n ? "; it " : "", (unsigned long long)bad);
	if (why[0])
		pr_warn("warning: '%s' %s", l->path, why);
	if (sess.unwind == SESSION_UNWIND_DWARF)
		session__log_unwind(s, perfdata__stack_size(pd));
	l->info->samples = st->samples;
	l->info->lost = st->lost;
	perfdata__rate(pd, &freq, &l->info->period);
	l->info->frequency = freq;
	snprintf(l->info->source, sizeof(l->info->source), "perf.data");
	snprintf(l->info->title, sizeof(l->info->title), "%s",
		 perfdata__command(pd)[0] ? perfdata__command(pd) : l->path);
	for (i = 0; i < (size_t)nr_events; i++)
		snprintf(l->info->events + strlen(l->info->events),
			 sizeof(l->info->events) - strlen(l->info->events), "%s%s", i ? ", " : "",
			 names[i]);
	if (st->last_time > st->first_time)
		l->info->seconds = (st->last_time - st->first_time) / 1e9;
	if (l->pprof)
		err = pprof_out__session(s, l->info, 0, l->pprof);
	else if (l->flame && !l->o->reverse)
		err = session__fold(s, l->flame);
	else
		err = session__for_each_stack(s, perf_load__stack, l);
	if (err)
		goto out;
	symbolizer__report_missing(sym);
out:
	session__free(s);
	symbolizer__free(sym);
	perfdata__free(pd);
	return err;
}

/* Folded text: streamed a block at a time, whole lines only. */
struct folded_load {
	struct loader *l;
	size_t lines; /* before the current block */
};

static int folded_load__stack(void *ctx, const char *const *names, const enum frame_kind *kinds,
			      size_t nr, uint64_t count, int64_t before)
{
	struct folded_load *fl = ctx;
	struct loader *l = fl->l;

	if (!nr || !sample_filter__comm(&l->o->filter, names[0]))
		return 0;
	l->info->samples = u64_sat_add(l->info->samples, count);
	return l->fn(l->ctx, names, kinds, nr, count, before);
}

static size_t count_lines(const char *p, size_t len)
{
	const char *end = p + len;
	size_t n = 0;

	while ((p = memchr(p, '\n', end - p))) {
		n++;
		p++;
	}
	return n;
}

static int load_folded(struct loader *l, int fd, const char *head, size_t head_len)
{
	struct folded_opts fo = { .reverse = l->o->reverse };
	struct folded_load fl = { l, 0 };
	size_t cap = LOAD_BLOCK, len = head_len, bad = 0, whole;
	char *buf = malloc(cap + 1);
	bool eof = false;
	ssize_t got;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, head, head_len);
	while (!err && (!eof || len)) {
		if (!eof && len < cap) {
			got = io__read_full(fd, buf + len, cap - len);
			if (got < 0) {
				err = got;
				pr_warn("cannot read '%s': %s", l->path, sear_strerror(-err));
				goto out;
			}
			eof = len + got < cap;
			len += got;
		}
		if (eof) {
			whole = len;
		} else {
			const char *nl = memrchr(buf, '\n', len);

			if (!nl) {
				/* A line longer than the buffer: grow, up to the cap. */
				char *n = cap < FOLDED_LINE ? realloc(buf, cap * 2 + 1) : NULL;

				if (!n) {
					pr_warn(
					    "%s:%zu: a line longer than %u MiB: not folded text",
					    l->path, fl.lines + 1, FOLDED_LINE >> 20);
					err = -EINVAL;
					goto out;
				}
				buf = n;
				cap *= 2;
				continue;
			}
			whole = nl + 1 - buf;
		}
		err = folded__for_each(buf, whole, &fo, folded_load__stack, &fl, &bad);
		if (err == -EINVAL)
			pr_warn("%s:%zu: not a folded stack ('frame;frame;... COUNT')", l->path,
				fl.lines + bad);
		fl.lines += count_lines(buf, whole);
		memmove(buf, buf + whole, len - whole);
		len -= whole;
	}
	snprintf(l->info->title, sizeof(l->info->title), "%s", l->path);
out:
	free(buf);
	return err;
}

/*
 * Copies a perf.data arriving on a pipe, after its first head_len bytes,
 * to an unlinked file, for the parser's random access. Only what can
 * matter is copied: up to the end the header declares, plus room for the
 * feature sections; with no declared size (perf was killed), up to the
 * first bytes that cannot start a record. So zeros or noise after a header
 * do not fill the disk. Returns the file, or -errno after a message.
 */
static int spool(const char *path, int in, const char *head, size_t head_len)
{
	char *buf = malloc(LOAD_BLOCK);
	const char *dir = getenv("TMPDIR");
	int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600), err;
	uint64_t data_off = 0, data_size = 0, limit = UINT64_MAX, written = 0, next = UINT64_MAX;
	ssize_t got;

	if (!perfdata__data_section(head, head_len, &data_off, &data_size)) {
		if (data_size)
			limit = u64_sat_add(u64_sat_add(data_off, data_size), SPOOL_FEATURES);
		else if (data_off > SPOOL_FEATURES)
			limit = SPOOL_FEATURES; /* no file has that much before its data */
		else
			next = data_off; /* walk the records as they arrive */
	}
	err = fd < 0 ? -errno : !buf ? -ENOMEM : 0;
	got = head_len;
	if (!err)
		memcpy(buf, head, head_len);
	while (!err && got > 0 && written < limit) {
		uint8_t h[8];

		if ((uint64_t)got > limit - written)
			got = limit - written;
		err = io__write_all(fd, buf, got);
		written += got;
		while (!err && next != UINT64_MAX && next + sizeof(h) <= written) {
			if (pread(fd, h, sizeof(h), next) != sizeof(h)) {
				err = -EIO;
			} else if (!perfdata__plausible_record(h)) {
				limit = next; /* the reader stops here too: keep no more */
				next = UINT64_MAX;
			} else {
				next += ((const struct perf_event_header *)h)->size;
			}
		}
		if (!err && written < limit)
			got = io__read_full(in, buf, LOAD_BLOCK);
		if (got < 0)
			err = got;
	}
	if (!err && written > limit && ftruncate(fd, limit))
		err = -errno;
	if (!err && lseek(fd, 0, SEEK_SET))
		err = -errno;
	if (!err) {
		free(buf);
		return fd;
	}
	pr_warn("cannot read '%s': spooling the pipe to a temporary file failed: %s", path,
		sear_strerror(-err));
	free(buf);
	if (fd >= 0)
		close(fd);
	return -EIO;
}

/*
 * Reads the input on fd, which is at its start: told apart by its first
 * bytes. A regular file is read in place; a pipe streams, and a perf.data
 * in one is spooled first.
 */
static int load_fd(struct loader *l, int fd)
{
	char head[SNIFF];
	struct stat st;
	size_t len = 0;
	ssize_t got;
	int err;

	if (fstat(fd, &st)) {
		err = -errno;
		pr_warn("cannot read '%s': %s", l->path, sear_strerror(-err));
		return err;
	}
	got = io__read_full(fd, head, sizeof(head));
	if (got < 0) {
		pr_warn("cannot read '%s': %s", l->path, sear_strerror(-got));
		return got;
	}
	len = got;
	if (!len)
		return -ENODATA; /* the caller says whether that is wrong */
	if (searfile__is_sear(head, len)) {
		/* Read in one pass: a pipe goes on after the bytes already taken. */
		if (S_ISREG(st.st_mode))
			return lseek(fd, 0, SEEK_SET) ? -errno : load_sear(l, fd, NULL, 0);
		return load_sear(l, fd, head, len);
	}
	if (perfdata__is_perfdata(head, len)) {
		/* Read at random offsets, which a pipe lacks. */
		int spooled = fd;

		if (S_ISREG(st.st_mode)) {
			if (lseek(fd, 0, SEEK_SET))
				return -errno;
		} else {
			spooled = spool(l->path, fd, head, len);
			if (spooled < 0)
				return spooled;
		}
		err = load_perf(l, spooled);
		if (spooled != fd)
			close(spooled);
		return err;
	}
	if (memchr(head, '\0', len)) {
		pr_warn("'%s' is not a .sear recording, a perf.data file or folded text", l->path);
		return -EINVAL;
	}
	if (sample_filter__needs_samples(&l->o->filter)) {
		pr_warn("'%s' is folded text, which has no pids, tids or times: --pid, --tid, "
			"--from and --to need a .sear or perf.data input",
			l->path);
		return -EINVAL;
	}
	return load_folded(l, fd, head, len);
}

static int load(const char *path, int fd, const struct load_opts *o, folded_fn fn, void *ctx,
		struct flame *flame, FILE *pprof, struct profile_info *info)
{
	bool std = path && !strcmp(path, "-");
	struct loader *l = malloc(sizeof(*l));
	struct stat st;
	int err;

	memset(info, 0, sizeof(*info));
	if (!l) {
		pr_warn("cannot read '%s': out of memory", path);
		return -ENOMEM;
	}
	*l = (struct loader){ .path = std ? "stdin" : path,
			      .o = o,
			      .fn = fn,
			      .ctx = ctx,
			      .flame = flame,
			      .pprof = pprof,
			      .info = info };
	if (fd < 0) {
		fd = std ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &st)) {
			err = -errno;
			pr_warn("cannot open '%s': %s", l->path, sear_strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode) ||
		    (!std && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))) {
			pr_warn("cannot read '%s': not a regular file or a pipe", l->path);
			err = -EINVAL;
			goto out;
		}
		if (!std)
			fcntl(fd, F_SETFL, 0); /* O_NONBLOCK was only for a FIFO's open */
		err = load_fd(l, fd);
	} else {
		err = load_fd(l, fd);
		fd = -1; /* the caller's */
	}
out:
	if (err == -ENOMEM)
		pr_warn("cannot read '%s': out of memory", l->path);
	if (fd >= 0)
		close(fd);
	free(l);
	return err;
}

int load__profile(const char *path, const struct load_opts *o, folded_fn fn, void *ctx,
		  struct profile_info *info)
{
	return load(path, -1, o, fn, ctx, NULL, NULL, info);
}

static int load__add(void *ctx, const char *const *names, const enum frame_kind *kinds, size_t nr,
		     uint64_t count, int64_t before)
{
	if (before >= 0)
		return flame__add_diff(ctx, names, kinds, nr, count, before);
	return flame__add(ctx, names, kinds, nr, count);
}

int load__flame(const char *path, const struct load_opts *o, struct flame *f,
		struct profile_info *info)
{
	return load(path, -1, o, load__add, f, f, NULL, info);
}

int load__pprof(const char *path, const struct load_opts *o, FILE *out, struct profile_info *info)
{
	struct pprof_names *p = pprof_names__new();
	int err;

	if (!p)
		return -ENOMEM;
	/* perf.data goes straight to out; the named stacks of the others are gathered first. */
	err = load(path, -1, o, pprof_names__add, p, NULL, out, info);
	if (!err && strcmp(info->source, "perf.data"))
		err = pprof_names__write(p, info, out);
	if (err == -ENOMEM)
		pr_warn("cannot read '%s': out of memory", path);
	pprof_names__free(p);
	return err;
}

int load__flame_fd(int fd, const char *name, const struct load_opts *o, struct flame *f,
		   struct profile_info *info)
{
	return load(name, fd, o, load__add, f, f, NULL, info);
}
