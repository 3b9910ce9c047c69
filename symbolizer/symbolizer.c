// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/hash.h"
#include "lib/log.h"
#include "lib/profile.h"
#include "lib/strtab.h"
#include "demangle.h"
#include "debuginfod.h"
#include "dwarf.h"
#include "jitmap.h"
#include "loader.h"
#include "sandbox.h"
#include "symbolizer.h"
#include "symtab.h"
#include "target.h"

#define JIT_FILE_MAX		      (256u << 20)
#define MAX_INLINE		      32
#define MAX_JIT_SOURCES		      4
#define NAME_MAX_LEN		      4096
#define SYMBOLIZER_DEBUGINFOD_TIMEOUT 10.0	   /* seconds, all waits together */
#define JIT_REREAD_NS		      100000000ULL /* misses within this reread nothing */

struct jit_source {
	char path[128];
	int flags;	 /* TARGET_OPEN_* */
	bool jitdump;	 /* jitdump, else perf map text */
	size_t consumed; /* bytes parsed so far: the files only grow */
	bool done;	 /* refused or unreadable: not tried again */
	bool stale;	 /* left by an earlier process, and said so: tried again */
};

struct dso {
	char *path;  /* as the target names it */
	char *label; /* "[libc.so.6]": the name of an address with no symbol */
	enum frame_kind kind;
	pid_t pid; /* the process it was first seen in: its root opens debug files and maps */
	struct symtab *symtab;
	struct symjob *job;   /* symtab is being read in the background: dso__ready() collects it */
	struct dbgreq *fetch; /* its debug file, asked of debuginfod: dso__fetched() collects it */
	int job_fd;	      /* the file the job reads; closed once collected */
	int dwarf_fd; /* the file holding DWARF, until it is opened for inline/srcline; -1 */
	struct sandbox_dwarf *dwarf;
	bool dwarf_tried; /* opened, or found to have none */
	bool fault_told;  /* the sandbox failed on one of its files, and the log said so */
	bool file_offset; /* frames hold file offsets, not addresses */
	bool missing;	  /* sampled, and had no symbols */
	bool reported;
	struct u64map cache; /* addr -> first frame << 8 | count, in symbolizer.frames */
	/* JIT code */
	struct jitmap *jit;
	struct jit_source sources[MAX_JIT_SOURCES];
	int nr_sources;
	bool sources_set;
	bool jit_found;	      /* a map or jitdump was read: names were offered */
	uint32_t jit_unnamed; /* distinct JIT addresses left without a name */
	uint64_t jit_read_ns; /* when the JIT files were last read */
};

struct symbolizer {
	struct symbolizer_opts opts;
	struct dso *dsos;
	uint32_t nr, cap;
	struct strtab *keys; /* key string id -> dso id, through key_dso */
	uint32_t *key_dso;
	uint32_t key_cap;
	int64_t kernel;
	struct sandbox *sandbox; /* where the targets' ELF files are parsed */
	struct symloader *loader;
	struct dbgfetch *fetcher; /* debuginfod, made on the first request; NULL: none */
	bool fetcher_tried;
	struct targets *targets;
	struct strtab *names;	  /* every name handed out */
	struct sym_frame *frames; /* the cache's storage */
	size_t nr_frames, cap_frames;
	struct symtab *vdso;
	bool vdso_tried;
	struct strtab *expected; /* path -> build-id, as "path\0hex" entries */
};

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts)
{
	struct symbolizer *sym = calloc(1, sizeof(*sym));

	if (!sym)
		return NULL;
	if (opts)
		sym->opts = *opts;
	sym->kernel = -1;
	sym->keys = strtab__new();
	sym->names = strtab__new();
	sym->targets = targets__new(sym->opts.offline);
	sym->dsos = calloc(16, sizeof(*sym->dsos));
	/* SEAR_NO_SANDBOX=1 parses in this process: to measure what the sandbox costs. */
	sym->sandbox = sandbox__new(sym->opts.no_sandbox || getenv("SEAR_NO_SANDBOX"));
	/* Before the loader's thread exists; with no files, there is nothing to parse. */
	if (sym->sandbox && !sym->opts.no_files)
		sandbox__prepare(sym->sandbox);
	sym->loader = sym->sandbox ? symloader__new(sym->sandbox) : NULL;
	if (sym->targets && sym->opts.symfs) {
		int fd = open(sym->opts.symfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			symbolizer__free(sym);
			return NULL; /* errno from open */
		}
		targets__set_symfs(sym->targets, fd);
	}
	if (!sym->keys || !sym->names || !sym->targets || !sym->dsos || !sym->sandbox ||
	    !sym->loader) {
		symbolizer__free(sym);
		errno = ENOMEM;
		return NULL;
	}
	sym->cap = 16;
	sym->nr = 1; /* id 0: no module */
	sym->dsos[0].label = strdup("[unknown]");
	sym->dsos[0].dwarf_fd = -1;
	sym->dsos[0].job_fd = -1;
	return sym;
}

void symbolizer__free(struct symbolizer *sym)
{
	uint32_t i;

	if (!sym)
		return;
	/* First: the workers finish, and free what no one collected. */
	symloader__free(sym->loader);
	dbgfetch__free(sym->fetcher);
	for (i = 0; i < sym->nr; i++) {
		struct dso *d = &sym->dsos[i];

		if (d->job_fd >= 0)
			close(d->job_fd);
		free(d->path);
		free(d->label);
		symtab__free(d->symtab);
		sandbox__dwarf_close(sym->sandbox, d->dwarf);
		if (d->dwarf_fd >= 0)
			close(d->dwarf_fd);
		u64map__release(&d->cache);
		jitmap__free(d->jit);
	}
	free(sym->dsos);
	free(sym->key_dso);
	free(sym->frames);
	strtab__free(sym->keys);
	strtab__free(sym->names);
	symtab__free(sym->vdso);
	strtab__free(sym->expected);
	targets__free(sym->targets);
	sandbox__free(sym->sandbox);
	free(sym);
}

/* Returns the dso registered under key, or creates an empty one. *created tells which. */
static uint32_t symbolizer__slot(struct symbolizer *sym, const char *key, bool *created)
{
	int64_t k = strtab__intern(sym->keys, key);
	struct dso *d;

	*created = false;
	if (k < 0)
		return 0;
	if ((uint32_t)k < sym->key_cap && sym->key_dso[k])
		return sym->key_dso[k];
	if ((uint32_t)k >= sym->key_cap) {
		uint32_t cap = sym->key_cap ? sym->key_cap * 2 : 64, *n;

		while (cap <= (uint32_t)k)
			cap *= 2;
		n = realloc(sym->key_dso, cap * sizeof(*n));
		if (!n)
			return 0;
		memset(n + sym->key_cap, 0, (cap - sym->key_cap) * sizeof(*n));
		sym->key_dso = n;
		sym->key_cap = cap;
	}
	if (sym->nr == sym->cap) {
		d = realloc(sym->dsos, sym->cap * 2 * sizeof(*d));
		if (!d)
			return 0;
		sym->dsos = d;
		sym->cap *= 2;
	}
	d = &sym->dsos[sym->nr];
	memset(d, 0, sizeof(*d));
	d->dwarf_fd = -1;
	d->job_fd = -1;
	sym->key_dso[k] = sym->nr;
	*created = true;
	return sym->nr++;
}

static char *label_for(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;
	char *s;

	if (path[0] == '[')
		return strdup(path); /* [vdso] and the like are labels already */
	base = base && base[1] ? base + 1 : path;
	len = strcspn(base, " "); /* drop " (deleted)" */
	if (len > 255)
		len = 255;
	s = malloc(len + 3);
	if (s)
		snprintf(s, len + 3, "[%.*s]", (int)len, base);
	return s;
}

int symbolizer__load_kernel(struct symbolizer *sym, const char *buf, size_t len)
{
	struct symtab *t = NULL;
	struct symjob *job = NULL;
	bool created;
	uint32_t id;

	if (buf)
		t = symtab__new_kallsyms_mem(buf, len);
	else if (!sym->opts.no_files)
		job = symloader__kallsyms(sym->loader);
	id = symbolizer__slot(sym, "kernel", &created);
	if (!id) {
		symtab__free(job ? symjob__wait(job, NULL) : t);
		return -ENOMEM;
	}
	if (!created) {
		symtab__free(sym->dsos[id].job ? symjob__wait(sym->dsos[id].job, NULL)
					       : sym->dsos[id].symtab);
		sym->dsos[id].job = NULL;
	} else {
		sym->dsos[id].label = strdup("[kernel.kallsyms]");
	}
	sym->dsos[id].kind = FRAME_KERNEL;
	sym->dsos[id].symtab = t;
	sym->dsos[id].job = job;
	if (!job && (!t || !symtab__count(t)))
		pr_warn("no kernel symbols: /proc/kallsyms hides addresses (kernel.kptr_restrict); "
			"kernel frames are shown as [kernel.kallsyms]");
	sym->kernel = id;
	return id;
}

uint32_t symbolizer__kernel(struct symbolizer *sym)
{
	if (sym->kernel < 0 && symbolizer__load_kernel(sym, NULL, 0) < 0)
		return 0;
	return sym->kernel;
}

static void dso__ready(struct symbolizer *sym, struct dso *d);

int symbolizer__kernel_function(struct symbolizer *sym, const char *name, uint64_t *start,
				uint64_t *end)
{
	uint32_t id = symbolizer__kernel(sym);
	struct dso *d;

	if (!id)
		return -ENOENT;
	d = &sym->dsos[id];
	dso__ready(sym, d);
	return d->symtab ? symtab__find_name(d->symtab, name, start, end) : -ENOENT;
}

void symbolizer__fork(struct symbolizer *sym, pid_t pid, pid_t ppid)
{
	targets__fork(sym->targets, pid, ppid);
}

void symbolizer__expect_build_id(struct symbolizer *sym, const char *path, const uint8_t *id,
				 size_t len)
{
	char entry[4200];
	size_t n, i;

	if (!sym->expected && !(sym->expected = strtab__new()))
		return;
	n = snprintf(entry, sizeof(entry), "%s", path) + 1;
	for (i = 0; i < len && i < 20 && n + 2 < sizeof(entry); i++)
		n += snprintf(entry + n, sizeof(entry) - n, "%02x", id[i]);
	strtab__intern_len(sym->expected, entry, n);
}

/* Warns when a loaded file's build-id differs from the one a recording expects. */
static void symbolizer__check_build_id(struct symbolizer *sym, const char *path,
				       const struct symtab *t)
{
	char want[41] = "", got[41] = "";
	const uint8_t *id;
	size_t plen = strlen(path), n, i;
	uint32_t k;

	if (!sym->expected || !t)
		return;
	for (k = 0; k < strtab__count(sym->expected); k++) {
		const char *e = strtab__str(sym->expected, k);

		if (strtab__len(sym->expected, k) > plen && !memcmp(e, path, plen + 1)) {
			snprintf(want, sizeof(want), "%s", e + plen + 1);
			break;
		}
	}
	n = symtab__build_id(t, &id);
	for (i = 0; i < n; i++)
		snprintf(got + 2 * i, sizeof(got) - 2 * i, "%02x", id[i]);
	if (want[0] && got[0] && strcmp(want, got))
		pr_warn("'%s' is not the file that was recorded (build-id %s, recorded %s): its "
			"names may be wrong",
			path, got, want);
}

void symbolizer__see(struct symbolizer *sym, pid_t pid)
{
	targets__get(sym->targets, pid);
}

void symbolizer__exec(struct symbolizer *sym, pid_t pid)
{
	targets__exec(sym->targets, pid);
}

const char *symbolizer__container(struct symbolizer *sym, pid_t pid)
{
	const struct target *tg = targets__get(sym->targets, pid);

	return tg->container[0] ? tg->container : NULL;
}

/*
 * The vDSO is the same image in every process of this kernel and ABI:
 * read our own, from memory, once.
 */
static struct symtab *symbolizer__vdso(struct symbolizer *sym)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	FILE *f;
	char line[256];

	if (sym->vdso_tried)
		return sym->vdso;
	sym->vdso_tried = true;
	if (sym->opts.symfs || sym->opts.no_files)
		return NULL; /* ours is this machine's, not the recorded one's */
	f = base ? fopen("/proc/self/maps", "re") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start == base && end > start && end - start < (1 << 20)) {
			sym->vdso =
			    symtab__new_elf_mem((const void *)start, end - start, SYMTAB_UNWIND);
			break;
		}
	}
	if (f)
		fclose(f);
	return sym->vdso;
}

/*
 * Opens the file that pid mapped at [start, end). map_files gives the very
 * file, even deleted or replaced on disk or in another mount namespace;
 * it needs the mapping to still exist. Else the path, inside pid's root.
 */
static int symbolizer__open_mapped(struct symbolizer *sym, pid_t pid, const char *path,
				   uint64_t ino, uint64_t start, uint64_t end)
{
	char buf[4096], link[96];
	const char *deleted;
	struct stat st;
	int fd;

	if (sym->opts.no_files)
		return -EPERM;
	snprintf(link, sizeof(link), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)start, (unsigned long long)end);
	fd = start < end && !sym->opts.offline ? open(link, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
	if (fd >= 0) {
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (!ino || st.st_ino == ino))
			return fd;
		close(fd);
	}
	deleted = strstr(path, " (deleted)");
	if (deleted && !deleted[10]) {
		snprintf(buf, sizeof(buf), "%.*s", (int)(deleted - path), path);
		path = buf;
	}
	fd = targets__open(sym->targets, pid, path, 0, 0, NULL, NULL);
	if (fd < 0)
		return fd;
	/* Offline, inodes are another machine's or another time's: the build-id says more. */
	if (ino && !sym->opts.offline && !fstat(fd, &st) && st.st_ino != ino)
		pr_warn("'%s' was replaced on disk after pid %d mapped it: its names may be wrong",
			path, (int)pid);
	return fd;
}

/*
 * Says once per module that the sandbox's helper failed on one of its
 * files: what was being read is lost, and nothing else.
 */
static void dso__fault(struct dso *d, enum sandbox_fault fault, const char *what, const char *lost)
{
	if (fault == SANDBOX_OK || d->fault_told)
		return;
	d->fault_told = true;
	d->reported = true; /* one message: not "no symbols" as well */
	pr_warn("'%s': the sandboxed ELF reader %s on its %s: %s", d->path,
		fault == SANDBOX_HUNG ? "hung" : "crashed", what, lost);
}

/*
 * For a stripped module: symbols (and DWARF) from its separate debug file,
 * by build-id or .gnu_debuglink, looked up in the target's root and then
 * on the host; else from MiniDebugInfo. The files are found here and
 * parsed in the sandbox.
 */
static void symbolizer__find_debug(struct symbolizer *sym, struct dso *d, int fd, bool need_dwarf)
{
	enum sandbox_fault fault;
	struct debuglink link;
	char paths[4][4096];
	int i, n, dfd;

	if (!sandbox__debuglink(sym->sandbox, fd, &link, &fault)) {
		n = debuglink__paths(&link, d->path, paths, 4);
		for (i = 0; i < 2 * n; i++) {
			struct symtab *t;

			dfd = targets__open(sym->targets, d->pid, paths[i % n],
					    i < n ? 0 : TARGET_OPEN_HOST, 0, NULL, NULL);
			if (dfd < 0)
				continue;
			t = sandbox__symtab(sym->sandbox, dfd, 0, paths[i % n], &fault);
			dso__fault(d, fault, "debug file", "its names come from the binary alone");
			if (t && symtab__is_full(t) && !symtab__is_full(d->symtab))
				symtab__take_symbols(d->symtab, t);
			else
				symtab__free(t);
			if (need_dwarf && d->dwarf_fd < 0)
				d->dwarf_fd = dfd;
			else
				close(dfd);
			return;
		}
	}
	dso__fault(d, fault, "build-id", "its debug file is not looked for");
	if (!symtab__is_full(d->symtab)) {
		struct symtab *t = sandbox__minidebug(sym->sandbox, fd, &fault);

		dso__fault(d, fault, "MiniDebugInfo", "its names are those it exports");
		if (t && symtab__count(t) > symtab__count(d->symtab))
			symtab__take_symbols(d->symtab, t);
		else
			symtab__free(t);
	}
}

/* Asks debuginfod for d's debug file, when servers are named and d has a build-id. */
static void dso__fetch(struct symbolizer *sym, struct dso *d)
{
	const uint8_t *id;
	size_t len = symtab__build_id(d->symtab, &id);

	if (!len || sym->opts.no_debuginfod || sym->opts.no_files)
		return;
	if (!sym->fetcher_tried) {
		sym->fetcher_tried = true;
		sym->fetcher =
		    dbgfetch__new(sym->opts.debuginfod_urls, sym->opts.debuginfod_timeout > 0
								 ? sym->opts.debuginfod_timeout
								 : SYMBOLIZER_DEBUGINFOD_TIMEOUT);
	}
	if (sym->fetcher)
		d->fetch = dbgfetch__request(sym->fetcher, id, len);
}

/* What a freshly read module needs: a build-id check, and its debug file when stripped. */
static void dso__finish(struct symbolizer *sym, struct dso *d, int fd)
{
	bool need_dwarf = sym->opts.inline_frames || sym->opts.srcline;

	symbolizer__check_build_id(sym, d->path, d->symtab);
	if (!d->symtab)
		return;
	if (!symtab__is_full(d->symtab) || (need_dwarf && !symtab__has_debug_info(d->symtab)))
		symbolizer__find_debug(sym, d, fd, need_dwarf);
	if (need_dwarf && d->dwarf_fd < 0 && symtab__has_debug_info(d->symtab))
		d->dwarf_fd = dup(fd);
	/* Still without names (or lines, when asked for): a debuginfod server may have them. */
	if (!symtab__is_full(d->symtab) || (need_dwarf && d->dwarf_fd < 0))
		dso__fetch(sym, d);
}

/* Collects d's debug file from debuginfod, if one was asked for: its symbols and DWARF. */
static void dso__fetched(struct symbolizer *sym, struct dso *d)
{
	bool need_dwarf = sym->opts.inline_frames || sym->opts.srcline;
	const uint8_t *want, *got;
	enum sandbox_fault fault;
	struct symtab *t;
	size_t wlen, glen;
	int fd;

	if (!d->fetch)
		return;
	fd = dbgreq__wait(d->fetch);
	d->fetch = NULL;
	if (fd < 0)
		return;
	/* What a server sends is parsed where any file of a target is: in the sandbox. */
	t = sandbox__symtab(sym->sandbox, fd, 0, d->path, &fault);
	dso__fault(d, fault, "debug file from debuginfod", "its names come from the binary alone");
	wlen = symtab__build_id(d->symtab, &want);
	glen = t ? symtab__build_id(t, &got) : 0;
	/* A server may send anything: only the file whose build-id was asked for is used. */
	if (!t || glen != wlen || memcmp(want, got, wlen)) {
		pr_debug("debuginfod sent a file for '%s' that is not its debug file: ignored",
			 d->path);
		dbgfetch__bad_file(sym->fetcher);
		symtab__free(t);
		close(fd);
		return;
	}
	if (symtab__is_full(t) && !symtab__is_full(d->symtab))
		symtab__take_symbols(d->symtab, t);
	else
		symtab__free(t);
	if (need_dwarf && d->dwarf_fd < 0)
		d->dwarf_fd = fd;
	else
		close(fd);
}

uint32_t symbolizer__file(struct symbolizer *sym, pid_t pid, const char *path, uint32_t maj,
			  uint32_t min, uint64_t ino, uint64_t start, uint64_t end)
{
	const struct target *tg;
	bool created;
	char key[4200];
	struct dso *d;
	uint32_t id;
	int fd;

	/*
	 * Offline, the inodes are another machine's or another time's and the
	 * file is opened by its path: one module per path, or a recording could
	 * name one big library under a thousand inodes and have it read as
	 * many times.
	 */
	if (ino && !sym->opts.offline) {
		snprintf(key, sizeof(key), "f:%u:%u:%llu", maj, min, (unsigned long long)ino);
	} else {
		/* Without an inode the path is all there is: the same path in two roots differs. */
		tg = targets__get(sym->targets, pid);
		snprintf(key, sizeof(key), "p:%d:%s", path[0] == '[' ? -1 : tg->root_fd, path);
	}
	id = symbolizer__slot(sym, key, &created);
	if (!id || !created)
		return id;
	d = &sym->dsos[id];
	d->kind = FRAME_USER;
	d->file_offset = true;
	d->pid = pid;
	d->path = strdup(path);
	d->label = label_for(path);
	if (!strcmp(path, "[vdso]")) {
		symbolizer__vdso(sym); /* shared by every process: see symbolizer__resolve() */
		return id;
	}
	if (path[0] != '/')
		return id;
	fd = symbolizer__open_mapped(sym, pid, path, ino, start, end);
	if (fd < 0) {
		pr_debug("cannot open '%s' of pid %d: %s", path, (int)pid, sear_strerror(-fd));
		return id;
	}
	/* Read in the background: dso__ready() collects it when its names are needed. */
	d->job = symloader__elf(sym->loader, fd, sym->opts.unwind_tables ? SYMTAB_UNWIND : 0, path);
	if (d->job) {
		d->job_fd = fd;
		return id;
	}
	{
		enum sandbox_fault fault;

		d->symtab = sandbox__symtab(
		    sym->sandbox, fd, sym->opts.unwind_tables ? SYMTAB_UNWIND : 0, path, &fault);
		dso__fault(d, fault, "symbols", "its frames are named after it");
	}
	dso__finish(sym, d, fd);
	close(fd);
	return id;
}

/* Collects a module read in the background, and does what needs the symbolizer's state. */
static void dso__ready(struct symbolizer *sym, struct dso *d)
{
	enum sandbox_fault fault;
	bool kernel;

	if (!d->job)
		return;
	kernel = d->kind == FRAME_KERNEL;
	d->symtab = symjob__wait(d->job, &fault);
	d->job = NULL;
	dso__fault(d, fault, "symbols", "its frames are named after it");
	if (kernel) {
		if (!d->symtab || !symtab__count(d->symtab))
			pr_warn("no kernel symbols: /proc/kallsyms hides addresses "
				"(kernel.kptr_restrict); kernel frames are shown as "
				"[kernel.kallsyms]");
		return;
	}
	dso__finish(sym, d, d->job_fd);
	close(d->job_fd);
	d->job_fd = -1;
}

uint32_t symbolizer__anon(struct symbolizer *sym, pid_t pid)
{
	char key[32];
	bool created;
	uint32_t id;

	snprintf(key, sizeof(key), "a:%d", (int)pid);
	id = symbolizer__slot(sym, key, &created);
	if (id && created) {
		sym->dsos[id].kind = FRAME_JIT;
		sym->dsos[id].label = strdup("[unknown]");
		sym->dsos[id].pid = pid;
		/* Now, while pid is alive: its root and namespace pid name its perf map later. */
		targets__get(sym->targets, pid);
	}
	return id;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void dso__add_source(struct dso *d, const char *path, int flags, bool jitdump)
{
	int i;

	for (i = 0; i < d->nr_sources; i++)
		if (!strcmp(d->sources[i].path, path) && d->sources[i].flags == flags)
			return;
	if (d->nr_sources == MAX_JIT_SOURCES || strlen(path) >= sizeof(d->sources[0].path))
		return;
	snprintf(d->sources[d->nr_sources].path, sizeof(d->sources[0].path), "%s", path);
	d->sources[d->nr_sources].flags = flags;
	d->sources[d->nr_sources].jitdump = jitdump;
	d->nr_sources++;
}

void symbolizer__jitdump(struct symbolizer *sym, pid_t pid, const char *path)
{
	uint32_t id = symbolizer__anon(sym, pid);

	if (id)
		dso__add_source(&sym->dsos[id], path,
				TARGET_OPEN_NO_SYMLINKS | TARGET_OPEN_CHECK_OWNER, true);
}

int symbolizer__unwind_info(struct symbolizer *sym, uint32_t id, struct sym_unwind *out)
{
	struct dso *d = &sym->dsos[id < sym->nr ? id : 0];
	struct symtab_section hdr, eh;
	const struct symtab *t;
	int err;

	dso__ready(sym, d);
	t = d->symtab;
	if (d->kind == FRAME_JIT)
		return -EAGAIN;
	if (!t && d->label && !strcmp(d->label, "[vdso]"))
		t = sym->vdso;
	if (!t)
		return -ENOENT;
	err = symtab__unwind_tables(t, &hdr, &eh, &out->delta);
	if (err)
		return err;
	out->eh_frame_hdr = hdr.data;
	out->eh_frame_hdr_vaddr = hdr.vaddr;
	out->eh_frame_hdr_size = hdr.size;
	out->eh_frame = eh.data;
	out->eh_frame_vaddr = eh.vaddr;
	out->eh_frame_size = eh.size;
	if (symtab__image_span(t, &out->image_lo, &out->image_hi))
		out->image_lo = out->image_hi = 0;
	return 0;
}

uint32_t symbolizer__label(struct symbolizer *sym, const char *label, enum frame_kind kind)
{
	char key[128];
	bool created;
	uint32_t id;

	snprintf(key, sizeof(key), "l:%.120s", label);
	id = symbolizer__slot(sym, key, &created);
	if (id && created) {
		sym->dsos[id].kind = kind;
		sym->dsos[id].label = strdup(label);
	}
	return id;
}

bool symbolizer__uses_file_offset(const struct symbolizer *sym, uint32_t id)
{
	return id < sym->nr && sym->dsos[id].file_offset;
}

/* The perf map: named with the pid inside the target's namespace, in its root; the host's as a
 * fallback. */
static void dso__set_perfmap_sources(struct symbolizer *sym, struct dso *d)
{
	const struct target *tg = targets__get(sym->targets, d->pid);
	const int flags = TARGET_OPEN_NO_SYMLINKS | TARGET_OPEN_CHECK_OWNER | TARGET_OPEN_NOT_STALE;
	char path[64];

	d->sources_set = true;
	if (tg->nspid > 0) {
		snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)tg->nspid);
		dso__add_source(d, path, flags, false);
	}
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)d->pid);
	dso__add_source(d, path, flags | TARGET_OPEN_HOST, false);
}

/* Whether a source before d->sources[i] has the same path and was refused already. */
static bool jit_source__said(const struct dso *d, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if ((d->sources[j].done || d->sources[j].stale) &&
		    !strcmp(d->sources[j].path, d->sources[i].path))
			return true;
	return false;
}

/* Reads what the JIT files gained since the last read. */
static void symbolizer__read_jit(struct symbolizer *sym, struct dso *d)
{
	bool found_map = false;
	int i;

	if (!d->sources_set)
		dso__set_perfmap_sources(sym, d);
	if (!d->jit && !(d->jit = jitmap__new()))
		return;
	for (i = 0; i < d->nr_sources; i++) {
		struct jit_source *s = &d->sources[i];
		const char *why;
		size_t size, len;
		char *buf;
		long n;
		int fd;

		/* The host's map is only the fallback for the one in the target's root. */
		if (sym->opts.no_files || s->done ||
		    (!s->jitdump && (s->flags & TARGET_OPEN_HOST) && found_map))
			continue;
		fd = targets__open(sym->targets, d->pid, s->path, s->flags, JIT_FILE_MAX, &size,
				   &why);
		if (fd < 0) {
			/*
			 * A stale map may yet be rewritten by the process: said once, tried
			 * again. For a process in our namespaces, the host's map is the same
			 * file as the one in its root, and was spoken of already.
			 */
			if (why && !s->stale && !jit_source__said(d, i))
				pr_warn("ignoring '%s' of pid %d: %s", s->path, (int)d->pid, why);
			if (fd == -ESTALE)
				s->stale = true;
			else if (why)
				s->done = true;
			continue;
		}
		if (!s->jitdump)
			found_map = true;
		d->jit_found = true;
		if (size <= s->consumed) {
			close(fd);
			continue;
		}
		/* Only what was appended since the last read: the maps only grow. */
		buf = target_file__read(fd, s->consumed, JIT_FILE_MAX - s->consumed, &len);
		close(fd);
		if (!buf)
			continue;
		if (s->jitdump)
			n = jitmap__parse_jitdump_mem(d->jit, buf, len, s->consumed);
		else
			n = jitmap__parse_perfmap_mem(d->jit, buf, len);
		free(buf);
		if (n < 0) {
			pr_warn("ignoring the rest of '%s' of pid %d: %s", s->path, (int)d->pid,
				n == -E2BIG ? "too many entries" : "it is malformed");
			s->done = true;
			continue;
		}
		s->consumed += n;
	}
}

/* Fills f: the display name, the function's own name, and where it is in the source. */
static void symbolizer__frame(struct symbolizer *sym, struct sym_frame *f, const char *name,
			      const char *file, int line, enum frame_kind kind)
{
	char *dm = demangle(name, sym->opts.full_names), buf[NAME_MAX_LEN + 64];
	int64_t id = strtab__intern(sym->names, dm ? dm : name);
	const char *slash;

	free(dm);
	f->kind = kind;
	f->func = id < 0 ? "[unknown]" : strtab__str(sym->names, id);
	f->name = f->func;
	id = file ? strtab__intern(sym->names, file) : -1;
	f->file = id < 0 ? NULL : strtab__str(sym->names, id);
	f->line = f->file ? line : 0;
	if (sym->opts.srcline && f->file) {
		slash = strrchr(f->file, '/');
		snprintf(buf, sizeof(buf), "%.*s %s:%d", NAME_MAX_LEN, f->func,
			 slash ? slash + 1 : f->file, line);
		id = strtab__intern(sym->names, buf);
		if (id >= 0)
			f->name = strtab__str(sym->names, id);
	}
}

/*
 * The symbol table that names module d's addresses, and addr as an
 * address in it (*vaddr). Returns NULL when d has none that covers addr.
 */
static struct symtab *dso__symtab(struct symbolizer *sym, struct dso *d, uint64_t addr,
				  uint64_t *vaddr)
{
	struct symtab *t;

	dso__ready(sym, d);
	dso__fetched(sym, d);
	t = d->symtab ? d->symtab : (!strcmp(d->label, "[vdso]") ? sym->vdso : NULL);
	*vaddr = addr;
	if (t && d->file_offset && symtab__file_to_vaddr(t, addr, vaddr))
		return NULL;
	return t;
}

/* d's DWARF, opened in the sandbox on first use; NULL when it has none to read. */
static struct sandbox_dwarf *dso__dwarf(struct symbolizer *sym, struct dso *d)
{
	enum sandbox_fault fault;

	if (!d->dwarf_tried && d->dwarf_fd >= 0) {
		d->dwarf_tried = true;
		d->dwarf = sandbox__dwarf_open(sym->sandbox, d->dwarf_fd, d->path, &fault);
		d->dwarf_fd = -1;
		dso__fault(d, fault, "DWARF",
			   "its frames keep their symbol names, without inlined functions or "
			   "source lines");
	}
	return d->dwarf && !sandbox__dwarf_failed(d->dwarf) ? d->dwarf : NULL;
}

/*
 * Names one address of a file or kernel module from its symbol (name, or
 * NULL) and its DWARF frames (n of them, the real function first).
 * Returns the count written to out.
 */
static int dso__name(struct symbolizer *sym, struct dso *d, const char *name,
		     const struct dwarf_frame *df, int n, struct sym_frame *out, int max)
{
	char fde_name[256];
	int i;

	if (!name && n && df[0].name)
		name = df[0].name;
	if (!name) {
		out[0] = (struct sym_frame){ .name = d->label, .kind = d->kind, .func = d->label };
		return 1;
	}
	if (name[0] == '+' && d->path) {
		/* A stripped function, known by its FDE: "libfoo.so.1+0x3a600", for addr2line */
		const char *base = strrchr(d->path, '/');

		snprintf(fde_name, sizeof(fde_name), "%.200s%s", base ? base + 1 : d->path, name);
		name = fde_name;
	}
	if (!n || !sym->opts.inline_frames) {
		/* One frame; its line is the innermost one's, where the address really is. */
		symbolizer__frame(sym, &out[0], name, n ? df[n - 1].file : NULL,
				  n ? df[n - 1].line : 0, d->kind);
		return 1;
	}
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		symbolizer__frame(sym, &out[i], i ? df[i].name : name, df[i].file, df[i].line,
				  d->kind);
	return n;
}

/* Keeps addr's names in d's cache. */
static void dso__cache(struct symbolizer *sym, struct dso *d, uint64_t addr,
		       const struct sym_frame *f, int n)
{
	if (sym->nr_frames + n > sym->cap_frames) {
		size_t cap = sym->cap_frames ? sym->cap_frames * 2 : 4096;
		struct sym_frame *p = realloc(sym->frames, cap * sizeof(*p));

		if (p) {
			sym->frames = p;
			sym->cap_frames = cap;
		}
	}
	if (sym->nr_frames + n <= sym->cap_frames &&
	    !u64map__set(&d->cache, addr, sym->nr_frames << 8 | n)) {
		memcpy(&sym->frames[sym->nr_frames], f, n * sizeof(*f));
		sym->nr_frames += n;
	}
}

/* DWARF answers of a batch, named as they come. */
struct dwarf_batch {
	struct symbolizer *sym;
	struct dso *d;
	const uint64_t *addrs;	  /* the module's addresses (file offsets or addresses) */
	const char *const *names; /* their symbols' names, or NULL */
	struct sym_frame *out;	  /* one address: its frames go here */
	int max, nr;
};

static void dwarf_batch__one(void *ctx, size_t i, const struct dwarf_frame *df, int n)
{
	struct dwarf_batch *b = ctx;
	struct sym_frame tmp[MAX_INLINE];

	if (b->out) {
		b->nr = dso__name(b->sym, b->d, b->names[i], df, n, b->out, b->max);
		return;
	}
	n = dso__name(b->sym, b->d, b->names[i], df, n, tmp, MAX_INLINE);
	dso__cache(b->sym, b->d, b->addrs[i], tmp, n);
}

/* Names one address of a file or kernel module. Returns the count written to out. */
static int symbolizer__resolve(struct symbolizer *sym, struct dso *d, uint64_t addr,
			       struct sym_frame *out, int max)
{
	struct symtab *t = dso__symtab(sym, d, addr, &addr);
	const char *name = t ? symtab__lookup(t, addr, NULL) : NULL;
	struct sandbox_dwarf *dw = t && d->kind != FRAME_KERNEL ? dso__dwarf(sym, d) : NULL;
	struct dwarf_batch b = { sym, d, &addr, &name, out, max, 0 };
	enum sandbox_fault fault;

	if (!name && (!t || !symtab__count(t)))
		d->missing = true;
	if (dw) {
		sandbox__dwarf_lookup(sym->sandbox, dw, &addr, 1, dwarf_batch__one, &b, &fault);
		dso__fault(d, fault, "DWARF",
			   "its frames keep their symbol names, without inlined functions or "
			   "source lines");
		if (b.nr)
			return b.nr;
	}
	return dso__name(sym, d, name, NULL, 0, out, max);
}

/* One address to name ahead: its module, and its address there. */
struct prefetch {
	uint32_t dso;
	uint64_t addr;
};

static int prefetch__cmp(const void *a, const void *b)
{
	const struct prefetch *x = a, *y = b;

	if (x->dso != y->dso)
		return x->dso < y->dso ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Names the n addresses at v, all of module d and not yet cached, in one DWARF batch. */
static void symbolizer__prefetch_dso(struct symbolizer *sym, struct dso *d,
				     const struct prefetch *v, size_t n)
{
	uint64_t *addrs = malloc(n * sizeof(*addrs)), *vaddrs = malloc(n * sizeof(*vaddrs));
	const char **names = malloc(n * sizeof(*names));
	struct dwarf_batch b = { sym, d, addrs, names, NULL, 0, 0 };
	struct sandbox_dwarf *dw;
	enum sandbox_fault fault;
	size_t i, k = 0;

	if (!addrs || !vaddrs || !names)
		goto out;
	for (i = 0; i < n; i++) {
		struct symtab *t = dso__symtab(sym, d, v[i].addr, &vaddrs[k]);

		if (!t)
			continue; /* named on demand: its module's label */
		addrs[k] = v[i].addr;
		names[k] = symtab__lookup(t, vaddrs[k], NULL);
		if (!names[k] && !symtab__count(t))
			d->missing = true;
		k++;
	}
	dw = k ? dso__dwarf(sym, d) : NULL;
	if (!dw)
		goto out;
	sandbox__dwarf_lookup(sym->sandbox, dw, vaddrs, k, dwarf_batch__one, &b, &fault);
	dso__fault(d, fault, "DWARF",
		   "its frames keep their symbol names, without inlined functions or source "
		   "lines");
out:
	free(addrs);
	free(vaddrs);
	free(names);
}

void symbolizer__prefetch(struct symbolizer *sym, const struct frame *frames, size_t n)
{
	struct prefetch *v;
	size_t i, k = 0, start;

	/* Only DWARF is worth a batch: a symbol lookup is a binary search here. */
	if (!sym->opts.inline_frames && !sym->opts.srcline)
		return;
	v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < n; i++) {
		struct dso *d = frames[i].dso < sym->nr ? &sym->dsos[frames[i].dso] : NULL;

		if (!d || !frames[i].dso || d->kind != FRAME_USER ||
		    (d->dwarf_tried ? !d->dwarf : d->dwarf_fd < 0 && !d->job) ||
		    u64map__find(&d->cache, frames[i].addr))
			continue;
		v[k++] = (struct prefetch){ frames[i].dso, frames[i].addr };
	}
	qsort(v, k, sizeof(*v), prefetch__cmp);
	for (start = 0, i = 1; i <= k; i++) {
		if (i < k && v[i].dso == v[start].dso)
			continue;
		/* Duplicates named once: drop them within the group. */
		{
			size_t j, m = 0;
			struct prefetch *g = v + start;

			for (j = 0; j < i - start; j++)
				if (!m || g[j].addr != g[m - 1].addr)
					g[m++] = g[j];
			if (m)
				symbolizer__prefetch_dso(sym, &sym->dsos[v[start].dso], g, m);
		}
		start = i;
	}
	free(v);
}

int symbolizer__symbolize(struct symbolizer *sym, uint32_t id, uint64_t addr, struct sym_frame *out,
			  int max)
{
	struct dso *d = &sym->dsos[id < sym->nr ? id : 0];
	uint64_t *hit = u64map__find(&d->cache, addr);
	struct sym_frame tmp[MAX_INLINE];
	int n, i;

	if (max <= 0)
		return 0;
	if (hit) {
		n = *hit & 0xff;
		if (n > max)
			n = max;
		memcpy(out, &sym->frames[*hit >> 8], n * sizeof(*out));
		return n;
	}
	if (d->kind == FRAME_JIT) {
		const char *name = d->jit ? jitmap__lookup(d->jit, addr) : NULL;

		/*
		 * The map only grows: read again what was added since the last
		 * miss, but not for every address it still lacks.
		 */
		if (!name && monotonic_ns() - d->jit_read_ns >= JIT_REREAD_NS) {
			symbolizer__read_jit(sym, d);
			d->jit_read_ns = monotonic_ns();
			name = d->jit ? jitmap__lookup(d->jit, addr) : NULL;
		}
		if (name) {
			symbolizer__frame(sym, &tmp[0], name, NULL, 0, FRAME_JIT);
		} else {
			d->jit_unnamed++;
			tmp[0] = (struct sym_frame){ .name = d->label,
						     .kind = FRAME_JIT,
						     .func = d->label };
		}
		n = 1;
	} else {
		n = symbolizer__resolve(sym, d, addr, tmp, MAX_INLINE);
	}
	dso__cache(sym, d, addr, tmp, n);
	for (i = 0; i < n && i < max; i++)
		out[i] = tmp[i];
	return i;
}

int symbolizer__module(struct symbolizer *sym, uint32_t id, struct sym_module *out)
{
	struct dso *d;
	const uint8_t *bid;
	size_t n, i;

	if (id >= sym->nr)
		return -ENOENT;
	d = &sym->dsos[id];
	dso__ready(sym, d);
	memset(out, 0, sizeof(*out));
	out->path = d->path;
	out->label = d->label;
	out->kind = d->kind;
	out->file_offset = d->file_offset;
	n = d->symtab ? symtab__build_id(d->symtab, &bid) : 0;
	for (i = 0; i < n && i < 20; i++)
		snprintf(out->build_id + 2 * i, 3, "%02x", bid[i]);
	return 0;
}

pid_t symbolizer__helper_pid(struct symbolizer *sym)
{
	return sym->sandbox ? sandbox__pid(sym->sandbox) : 0;
}

void symbolizer__report_missing(struct symbolizer *sym)
{
	unsigned int nameless = 0;
	uint32_t i;

	for (i = 1; i < sym->nr; i++) {
		struct dso *d = &sym->dsos[i];

		if (d->missing && !d->reported && d->path && d->path[0] == '/') {
			pr_info("no symbols for '%s'", d->path);
			d->reported = true;
		}
		/* JIT code and no file that names it: the runtime was not asked to write one. */
		if (d->kind == FRAME_JIT && d->pid && d->jit_unnamed && !d->jit_found &&
		    !d->reported) {
			d->reported = true;
			if (nameless++ < 3)
				pr_info("pid %d ran JIT code that no perf map or jitdump names (%u "
					"addresses show as [unknown]); for Node, start it with "
					"--perf-basic-prof",
					(int)d->pid, d->jit_unnamed);
		}
	}
	if (nameless > 3)
		pr_info("%u more processes ran JIT code with no names", nameless - 3);
	if (sym->fetcher) {
		struct dbgfetch_stats st = dbgfetch__stats(sym->fetcher);

		if (st.fetched + st.cached + st.missing + st.timedout)
			pr_info(
			    "debuginfod: %u debug files fetched, %u from the cache, %u missing%s",
			    st.fetched, st.cached, st.missing,
			    st.timedout ? ", some not there in time (--debuginfod-timeout)" : "");
	}
}
