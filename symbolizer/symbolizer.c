// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/log.h"
#include "../lib/strtab.h"
#include "symbolizer.h"
#include "symtab.h"

#define KALLSYMS_MAX (256u << 20)

struct dso {
	char *path;
	char *label; /* "[libc.so.6]": the name of an address with no symbol */
	enum frame_kind kind;
	struct symtab *symtab;
	bool file_offset; /* frames hold file offsets, not addresses */
	bool missing;	  /* looked up, and had no symbols */
	bool reported;
};

struct symbolizer {
	struct dso *dsos;
	uint32_t nr, cap;
	struct strtab *keys; /* key string id -> dso id - 1 */
	uint32_t *key_dso;
	uint32_t key_cap;
	int64_t kernel;
};

struct symbolizer *symbolizer__new(void)
{
	struct symbolizer *sym = calloc(1, sizeof(*sym));

	if (!sym)
		return NULL;
	sym->keys = strtab__new();
	sym->kernel = -1;
	if (!sym->keys) {
		free(sym);
		return NULL;
	}
	/* id 0: no module */
	sym->dsos = calloc(16, sizeof(*sym->dsos));
	if (!sym->dsos) {
		strtab__free(sym->keys);
		free(sym);
		return NULL;
	}
	sym->cap = 16;
	sym->nr = 1;
	sym->dsos[0].label = strdup("[unknown]");
	sym->dsos[0].kind = FRAME_USER;
	return sym;
}

void symbolizer__free(struct symbolizer *sym)
{
	uint32_t i;

	if (!sym)
		return;
	for (i = 0; i < sym->nr; i++) {
		free(sym->dsos[i].path);
		free(sym->dsos[i].label);
		symtab__free(sym->dsos[i].symtab);
	}
	free(sym->dsos);
	free(sym->key_dso);
	strtab__free(sym->keys);
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
	len = strlen(base);
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
	char *text = NULL;
	bool created;
	uint32_t id;

	if (!buf) {
		/* kallsyms reports size 0: read until EOF. */
		FILE *f = fopen("/proc/kallsyms", "re");
		size_t cap = 0, n;

		if (f) {
			for (len = 0;; len += n) {
				if (cap - len < 65536) {
					char *p = cap < KALLSYMS_MAX ? realloc(text, cap += 1 << 20)
								     : NULL;

					if (!p)
						break;
					text = p;
				}
				n = fread(text + len, 1, cap - len, f);
				if (!n)
					break;
			}
			fclose(f);
		}
		buf = text;
	}
	if (buf)
		t = symtab__new_kallsyms_mem(buf, len);
	free(text);
	id = symbolizer__slot(sym, "kernel", &created);
	if (!id) {
		symtab__free(t);
		return -ENOMEM;
	}
	if (!created)
		symtab__free(sym->dsos[id].symtab);
	else
		sym->dsos[id].label = strdup("[kernel.kallsyms]");
	sym->dsos[id].kind = FRAME_KERNEL;
	sym->dsos[id].symtab = t;
	if (!t || !symtab__count(t))
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

static struct symtab *symtab__open(const char *path, uint64_t ino)
{
	struct symtab *t = NULL;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted at a library's path must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode)) {
		if (ino && st.st_ino != ino)
			pr_debug("'%s' was replaced since it was mapped", path);
		t = symtab__new_elf_fd(fd);
	}
	close(fd);
	return t;
}

uint32_t symbolizer__file(struct symbolizer *sym, pid_t pid, const char *path, uint32_t maj,
			  uint32_t min, uint64_t ino)
{
	char key[4200];
	bool created;
	uint32_t id;
	struct dso *d;

	(void)pid;
	if (ino)
		snprintf(key, sizeof(key), "f:%u:%u:%llu", maj, min, (unsigned long long)ino);
	else
		snprintf(key, sizeof(key), "p:%s", path);
	id = symbolizer__slot(sym, key, &created);
	if (!id || !created)
		return id;
	d = &sym->dsos[id];
	d->kind = FRAME_USER;
	d->file_offset = true;
	d->path = strdup(path);
	d->label = label_for(path);
	if (path[0] == '/')
		d->symtab = symtab__open(path, ino);
	return id;
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
	}
	return id;
}

int symbolizer__uses_file_offset(const struct symbolizer *sym, uint32_t id)
{
	return id < sym->nr && sym->dsos[id].file_offset;
}

const char *symbolizer__name(struct symbolizer *sym, uint32_t id, uint64_t addr,
			     enum frame_kind *kind)
{
	struct dso *d = &sym->dsos[id < sym->nr ? id : 0];
	const char *name = NULL;
	uint64_t vaddr = addr;

	*kind = d->kind;
	if (d->symtab && (!d->file_offset || !symtab__file_to_vaddr(d->symtab, addr, &vaddr)))
		name = symtab__lookup(d->symtab, vaddr, NULL);
	if (!name && (!d->symtab || !symtab__count(d->symtab)))
		d->missing = true;
	if (name)
		return name;
	return d->label ? d->label : "[unknown]";
}

void symbolizer__report_missing(struct symbolizer *sym)
{
	uint32_t i;

	for (i = 1; i < sym->nr; i++) {
		struct dso *d = &sym->dsos[i];

		if (d->missing && !d->reported && d->path && d->path[0] == '/') {
			pr_info("no symbols for '%s'", d->path);
			d->reported = true;
		}
	}
}
