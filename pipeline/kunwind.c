// SPDX-License-Identifier: MIT
/* The in-kernel unwinder wired to the sampler and a session: see kunwind.h. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "kunwind.h"
#include "lib/array.h"
#include "lib/bpf_unwind.h"
#include "lib/ehframe.h"
#include "lib/log.h"
#include "lib/perfrec.h"
#include "lib/proc.h"

/* A module's table in the unwinder, once asked for. */
#define TABLE_UNKNOWN 0			  /* not built yet */
#define TABLE_NONE    BPF_UNWIND_NO_TABLE /* frame-pointer steps */

struct kunwind {
	struct kunwind_opts opts;
	struct bpf_unwind *u;
	struct session *session;
	/* by symbolizer module id: the table id + 1, TABLE_UNKNOWN, or TABLE_NONE */
	uint32_t *tables;
	uint32_t nr_tables;
	/* the tables made so far, by their file's build-id: one per file, whatever its path */
	struct built {
		char build_id[41];
		uint32_t table; /* id + 1 */
	} * built;
	size_t nr_built, cap_built;
	bool pool_full;	  /* said once */
	uint64_t no_room; /* mappings refused: too many processes or mappings */
	uint64_t drops;	  /* samples lost so far, as told to the session */
	/* the drain in progress */
	struct sampler *sm;
	const struct perfrec_layout *layout;
	uint64_t until;
	int err;
	uint64_t ips[BPF_UNWIND_MAX_KERNEL + BPF_UNWIND_MAX_USER + 2];
};

/* The one-line reason bpf_unwind__new() gives, caught from the log. */
static char kunwind_why[256];

static void kunwind__catch(enum sear_log_level level, const char *msg)
{
	if (level == SEAR_LOG_WARN && !kunwind_why[0])
		snprintf(kunwind_why, sizeof(kunwind_why), "%s",
			 strncmp(msg, "bpf: ", 5) ? msg : msg + 5);
}

/* The table id + 1 for module dso, building it on first use; TABLE_NONE when there is none. */
static uint32_t kunwind__table(struct kunwind *k, uint32_t dso, int64_t *delta)
{
	struct symbolizer *sym = session__symbolizer(k->session);
	struct sym_unwind ui;
	struct sym_module m;
	struct ehframe_table *t;
	size_t i;
	const struct unwind_row *rows;
	size_t nr;
	uint32_t id;
	int err;

	*delta = 0;
	if (dso >= k->nr_tables) {
		uint32_t n = dso + 64, *p = realloc(k->tables, n * sizeof(*p));

		if (!p)
			return TABLE_NONE;
		memset(p + k->nr_tables, 0, (n - k->nr_tables) * sizeof(*p));
		k->tables = p;
		k->nr_tables = n;
	}
	err = symbolizer__unwind_info(sym, dso, &ui);
	if (!err)
		*delta = ui.delta;
	if (k->tables[dso] != TABLE_UNKNOWN)
		return k->tables[dso];
	k->tables[dso] = TABLE_NONE;
	if (err || !ui.eh_frame)
		return TABLE_NONE; /* JIT code, or nothing to read: frame pointers */
	/* The same file under another path or inode (a container's layer): its table */
	if (!symbolizer__module(sym, dso, &m) && m.build_id[0]) {
		for (i = 0; i < k->nr_built; i++)
			if (!strcmp(k->built[i].build_id, m.build_id))
				return k->tables[dso] = k->built[i].table;
	}
	t = ehframe_table__new_mem(ui.eh_frame, ui.eh_frame_size,
				   &(struct ehframe_opts){ .vaddr = ui.eh_frame_vaddr });
	if (!t)
		return TABLE_NONE;
	rows = ehframe_table__rows(t, &nr);
	err = nr ? bpf_unwind__add_table(k->u, rows, nr, ehframe_table__base(t), &id) : -ENOENT;
	ehframe_table__free(t);
	if (err == -ENOSPC && !k->pool_full) {
		k->pool_full = true;
		pr_warn("the in-kernel unwinder's table pool is full: modules loaded from now on "
			"are walked by frame pointers");
	}
	if (err)
		return k->tables[dso];
	k->tables[dso] = id + 1;
	if (m.build_id[0] &&
	    !array__grow((void **)&k->built, &k->cap_built, k->nr_built + 1, sizeof(*k->built))) {
		memcpy(k->built[k->nr_built].build_id, m.build_id, sizeof(m.build_id));
		k->built[k->nr_built++].table = id + 1;
	}
	return k->tables[dso];
}

static int kunwind__map(void *ctx, pid_t pid, uint64_t start, uint64_t end, uint64_t pgoff,
			uint32_t dso)
{
	struct kunwind *k = ctx;
	int64_t delta;
	uint32_t t = kunwind__table(k, dso, &delta);
	int err;

	/* runtime = start + (file offset - pgoff), image = file offset + delta */
	err = bpf_unwind__map(k->u, pid, start, end, (int64_t)(start - pgoff) - delta,
			      t == TABLE_NONE ? BPF_UNWIND_NO_TABLE : t - 1);
	if (err == -ENOSPC || err == -E2BIG)
		k->no_room++; /* that process is walked by what the unwinder has */
	return 0;
}

/* One mapping of a running process, from /proc: its module's table, built now. */
static int kunwind__warm(void *ctx, const struct perf_event_header *hdr)
{
	struct kunwind *k = ctx;
	struct symbolizer *sym = session__symbolizer(k->session);
	struct perfrec_mmap m;
	size_t len;
	int64_t delta;
	uint32_t dso;

	if (hdr->type != PERF_RECORD_MMAP2 || perfrec__parse_mmap(hdr, &m) ||
	    !(m.prot & PROT_EXEC) || m.filename[0] != '/' || m.filename[1] == '/' ||
	    !strncmp(m.filename, "/memfd:", 7))
		return 0;
	len = strlen(m.filename);
	if (len > 5 && !strcmp(m.filename + len - 5, ".dump"))
		return 0; /* a jitdump: the session reads it, it has no table */
	symbolizer__see(sym, m.pid);
	dso = symbolizer__file(sym, m.pid, m.filename, m.maj, m.min, m.ino, m.addr, m.addr + m.len);
	if (dso)
		kunwind__table(k, dso, &delta);
	return 0;
}

void kunwind__prepare(struct kunwind *k, pid_t pid)
{
	if (k && k->session)
		proc__synthesize(pid, kunwind__warm, k);
}

void kunwind__prepare_file(struct kunwind *k, const char *path)
{
	struct symbolizer *sym;
	char abs[PATH_MAX];
	struct stat st;
	int64_t delta;
	uint32_t dso;

	/*
	 * The module is named as the kernel will name it: by its absolute path, with no
	 * symlink ("build/demo" would be looked for in the root, "/build/demo").
	 */
	if (!k || !k->session || !realpath(path, abs) || stat(abs, &st) || !S_ISREG(st.st_mode))
		return;
	sym = session__symbolizer(k->session);
	dso = symbolizer__file(sym, getpid(), abs, major(st.st_dev), minor(st.st_dev), st.st_ino, 0,
			       0);
	if (dso)
		kunwind__table(k, dso, &delta);
}

static int kunwind__fork(void *ctx, pid_t pid, pid_t ppid)
{
	struct kunwind *k = ctx;

	if (bpf_unwind__fork(k->u, pid, ppid))
		k->no_room++;
	return 0;
}

static int kunwind__exec(void *ctx, pid_t pid)
{
	return bpf_unwind__exec(((struct kunwind *)ctx)->u, pid), 0;
}

static int kunwind__exit(void *ctx, pid_t pid)
{
	return bpf_unwind__exit(((struct kunwind *)ctx)->u, pid), 0;
}

static const struct session_maps_hook kunwind_hook = {
	.map = kunwind__map,
	.fork = kunwind__fork,
	.exec = kunwind__exec,
	.exit = kunwind__exit,
};

struct kunwind *kunwind__new(const struct kunwind_opts *opts, char *why, size_t len)
{
	struct kunwind *k = calloc(1, sizeof(*k));
	sear_log_fn prev;
	int err;

	if (!k) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	kunwind_why[0] = 0;
	prev = sear_log__set(kunwind__catch);
	k->opts = *opts;
	k->u = bpf_unwind__new(&(struct bpf_unwind_opts){
	    .self_pid = opts->include_self ? -1 : 0,
	    .ringbuf_bytes = opts->ring_bytes,
	    .offcpu = opts->offcpu,
	    .offcpu_min_ns = opts->offcpu_min_ns,
	});
	err = errno;
	sear_log__set(prev);
	if (!k->u) {
		snprintf(why, len, "%s", kunwind_why[0] ? kunwind_why : sear_strerror(err));
		free(k);
		errno = err;
		return NULL;
	}
	return k;
}

void kunwind__set_session(struct kunwind *k, struct session *s)
{
	k->session = s;
	session__set_maps_hook(s, &kunwind_hook, k);
}

void kunwind__free(struct kunwind *k)
{
	if (!k)
		return;
	if (k->session)
		session__set_maps_hook(k->session, NULL, NULL);
	bpf_unwind__free(k->u);
	free(k->tables);
	free(k->built);
	free(k);
}

int kunwind__attach(void *ctx, int fd)
{
	return bpf_unwind__attach(((struct kunwind *)ctx)->u, fd);
}

int kunwind__fd(const struct kunwind *k)
{
	return bpf_unwind__fd(k->u);
}

/* A side-band record: processed when it is no newer than the sample at hand. */
static int kunwind__side(void *ctx, const struct perf_event_header *hdr)
{
	struct kunwind *k = ctx;

	if (perfrec__time(hdr, k->layout) > k->until)
		return 1; /* stays in the buffer for later */
	k->err = session__process(k->session, hdr);
	return k->err;
}

static int kunwind__sample(void *ctx, const struct bpf_unwind_sample *bs)
{
	struct kunwind *k = ctx;
	struct perfrec_sample r = {
		.misc = bs->flags & BPF_UNWIND_F_KERNEL ? PERF_RECORD_MISC_KERNEL
							: PERF_RECORD_MISC_USER,
		.pid = bs->pid,
		.tid = bs->tid,
		.time = bs->time,
		.cpu = bs->cpu,
		.period = bs->period,
		.ips = k->ips,
		.truncated = bs->flags & BPF_UNWIND_F_TRUNCATED,
		.off_cpu = bs->flags & BPF_UNWIND_F_OFFCPU,
	};
	uint32_t i, nk = bs->nr_kernel, nu = bs->nr_user;
	k->until = bs->time;
	sampler__drain(k->sm, kunwind__side, k);
	if (k->err)
		return k->err;
	if (nk > BPF_UNWIND_MAX_KERNEL)
		nk = BPF_UNWIND_MAX_KERNEL;
	if (nu > BPF_UNWIND_MAX_USER)
		nu = BPF_UNWIND_MAX_USER;
	if (nk) {
		k->ips[r.nr++] = PERF_CONTEXT_KERNEL;
		for (i = 0; i < nk; i++)
			k->ips[r.nr++] = bs->ips[i];
	}
	if (nu) {
		k->ips[r.nr++] = PERF_CONTEXT_USER;
		for (i = 0; i < nu; i++)
			k->ips[r.nr++] = bs->ips[nk + i];
	}
	return k->err = session__tool()->sample(k->session, &r);
}

int kunwind__drain(struct kunwind *k, struct sampler *sm)
{
	struct bpf_unwind_stats st;
	int err;

	k->sm = sm;
	k->layout = sampler__layout(sm);
	k->err = 0;
	err = bpf_unwind__drain(k->u, kunwind__sample, k);
	if (!err && !k->err) {
		k->until = UINT64_MAX;
		sampler__drain(sm, kunwind__side, k);
	}
	/* Samples the full ring buffer refused are lost samples, as perf's LOST records say. */
	bpf_unwind__stats(k->u, &st);
	if (!k->err && st.drops > k->drops) {
		k->err = session__tool()->lost(k->session, st.drops - k->drops);
		k->drops = st.drops;
	}
	return k->err ? k->err : err;
}

void kunwind__watch(struct kunwind *k, pid_t pid)
{
	bpf_unwind__watch(k->u, pid); /* without it, only its first waits go unseen */
}

int kunwind__end_waits(struct kunwind *k)
{
	return bpf_unwind__end_waits(k->u);
}

void kunwind__log(const struct kunwind *k)
{
	struct bpf_unwind_stats st;

	bpf_unwind__stats(k->u, &st);
	if (st.truncated && st.samples)
		pr_info("%llu samples (%.1f%%) end in [truncated]: their walk met code it could "
			"not step through",
			(unsigned long long)st.truncated, 100.0 * st.truncated / st.samples);
	if (k->no_room)
		pr_warn("%llu mappings found no room in the unwinder: processes past 1024, or "
			"past 256 code mappings each, are walked by frame pointers",
			(unsigned long long)k->no_room);
	pr_debug("unwinder: %llu samples, %llu CFI steps, %llu frame-pointer steps, %llu rows",
		 (unsigned long long)st.samples, (unsigned long long)st.cfi_steps,
		 (unsigned long long)st.fp_steps, (unsigned long long)st.rows);
}
