// SPDX-License-Identifier: MIT
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <gelf.h>
#include <lzma.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf.h"

#define MINIDEBUG_MAX (64u << 20)

struct dbginfo {
	int fd;
	Elf *elf;
	Dwarf *dw;
};

struct dbginfo *dbginfo__open_fd(int fd)
{
	struct dbginfo *d = calloc(1, sizeof(*d));

	if (!d) {
		close(fd);
		return NULL;
	}
	elf_version(EV_CURRENT);
	d->fd = fd;
	d->elf = elf_begin(fd, ELF_C_READ, NULL);
	d->dw = d->elf ? dwarf_begin_elf(d->elf, DWARF_C_READ, NULL) : NULL;
	if (!d->dw) {
		dbginfo__free(d);
		return NULL;
	}
	return d;
}

void dbginfo__free(struct dbginfo *d)
{
	if (!d)
		return;
	if (d->dw)
		dwarf_end(d->dw);
	if (d->elf)
		elf_end(d->elf);
	close(d->fd);
	free(d);
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	/* Through abstract_origin and specification: inlined copies carry no name of their own. */
	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	return name;
}

/* The call site of an inlined subroutine: where in its caller it was inlined. */
static void call_site(Dwarf_Die *cu, Dwarf_Die *die, struct dwarf_frame *f)
{
	Dwarf_Attribute attr;
	Dwarf_Word file = 0, line = 0;
	Dwarf_Files *files;
	size_t nfiles;

	f->file = NULL;
	f->line = 0;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &line))
		return;
	f->line = line;
	if (!dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &file) &&
	    !dwarf_getsrcfiles(cu, &files, &nfiles) && file < nfiles)
		f->file = dwarf_filesrc(files, file, NULL, NULL);
}

static bool is_function(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

/*
 * dwarf_getscopes() follows an inlined instance to its abstract definition,
 * not to the function it was inlined into; dwarf_getscopes_die() on each
 * inlined instance climbs the concrete chain instead, as eu-addr2line -i.
 */
int dbginfo__lookup(struct dbginfo *d, uint64_t vaddr, struct dwarf_frame *out, int max)
{
	Dwarf_Die cu, *scopes = NULL, chain[64], die;
	int n, i, nr = 0, depth = 0;
	Dwarf_Line *line;

	if (max <= 0 || !dwarf_addrdie(d->dw, vaddr, &cu))
		return 0;
	n = dwarf_getscopes(&cu, vaddr, &scopes);
	for (i = 0; i < n && !is_function(&scopes[i]); i++)
		;
	if (i < n) {
		die = scopes[i];
		for (;;) {
			Dwarf_Die *up = NULL;
			int k, m;

			chain[depth++] = die;
			if (dwarf_tag(&die) != DW_TAG_inlined_subroutine ||
			    depth == (int)(sizeof(chain) / sizeof(chain[0])))
				break;
			m = dwarf_getscopes_die(&die, &up);
			for (k = 1; k < m && !is_function(&up[k]); k++)
				;
			if (k >= m) {
				free(up);
				break;
			}
			die = up[k];
			free(up);
		}
	}
	free(scopes);
	/* chain: innermost first. Out: the real function first. */
	for (i = depth - 1; i >= 0 && nr < max; i--) {
		const char *name = die_name(&chain[i]);

		out[nr].name = name ? name : "[unknown]";
		out[nr].file = NULL;
		out[nr].line = 0;
		/* A frame's line is where it calls the next one in: that one's call site. */
		if (i > 0)
			call_site(&cu, &chain[i - 1], &out[nr]);
		nr++;
	}
	if (!nr) {
		/* No function DIE (assembly, or a CU with only lines): just the line. */
		out[0] = (struct dwarf_frame){ NULL, NULL, 0 };
		nr = 1;
	}
	line = dwarf_getsrc_die(&cu, vaddr);
	if (line) {
		int lineno = 0;

		dwarf_lineno(line, &lineno);
		out[nr - 1].file = dwarf_linesrc(line, NULL, NULL);
		out[nr - 1].line = lineno;
	}
	if (nr == 1 && !out[0].name && !out[0].file)
		return 0;
	return nr;
}

int debuglink__read(int fd, struct debuglink *out)
{
	const void *id = NULL;
	const char *name;
	GElf_Word crc;
	Elf *elf;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return -EINVAL;
	n = dwelf_elf_gnu_build_id(elf, &id);
	if (n > 0 && id) {
		out->build_id_len = n > 20 ? 20 : n;
		memcpy(out->build_id, id, out->build_id_len);
	}
	name = dwelf_elf_gnu_debuglink(elf, &crc);
	/* A name with a slash could point anywhere: only a plain file name is used. */
	if (name && !strchr(name, '/') && strlen(name) < sizeof(out->name) && strcmp(name, "..") &&
	    strcmp(name, "."))
		strcpy(out->name, name);
	elf_end(elf);
	return 0;
}

int debuglink__paths(const struct debuglink *l, const char *path, char paths[][4096], int max)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int n = 0;
	size_t i;

	if (l->build_id_len >= 2 && n < max) {
		int o = snprintf(paths[n], 4096, "/usr/lib/debug/.build-id/%02x/", l->build_id[0]);

		for (i = 1; i < l->build_id_len; i++)
			o += snprintf(paths[n] + o, 4096 - o, "%02x", l->build_id[i]);
		snprintf(paths[n] + o, 4096 - o, ".debug");
		n++;
	}
	if (!l->name[0] || !slash)
		return n;
	if (slash - path >= (ptrdiff_t)sizeof(dir))
		return n;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* A path that does not fit is not a candidate. */
	if (n < max && snprintf(paths[n], 4096, "%s/%s", dir, l->name) < 4096)
		n++;
	if (n < max && snprintf(paths[n], 4096, "%s/.debug/%s", dir, l->name) < 4096)
		n++;
	if (n < max && snprintf(paths[n], 4096, "/usr/lib/debug%s/%s", dir, l->name) < 4096)
		n++;
	return n;
}

/* The MiniDebugInfo of elf, decompressed into a new buffer; NULL when none. Ends elf. */
static void *minidebuginfo__from(Elf *elf, size_t *len)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	void *out = NULL;

	if (!elf || !gelf_getehdr(elf, &eh))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		Elf_Data *data;
		uint64_t memlimit = MINIDEBUG_MAX;
		size_t in_pos = 0, out_pos = 0, cap = 1 << 20;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, eh.e_shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".gnu_debugdata"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_size)
			break;
		for (;;) {
			void *n = realloc(out, cap);
			lzma_ret r;

			if (!n)
				break;
			out = n;
			in_pos = 0;
			out_pos = 0;
			r = lzma_stream_buffer_decode(&memlimit, 0, NULL, data->d_buf, &in_pos,
						      data->d_size, out, &out_pos, cap);
			if (r == LZMA_OK || r == LZMA_STREAM_END) {
				*len = out_pos;
				goto out;
			}
			if (r != LZMA_BUF_ERROR || cap >= MINIDEBUG_MAX)
				break;
			cap *= 2;
		}
		free(out);
		out = NULL;
		break;
	}
out:
	if (elf)
		elf_end(elf);
	return out;
}

void *minidebuginfo__read(int fd, size_t *len)
{
	elf_version(EV_CURRENT);
	return minidebuginfo__from(elf_begin(fd, ELF_C_READ, NULL), len);
}

void *minidebuginfo__read_mem(const void *buf, size_t size, size_t *len)
{
	elf_version(EV_CURRENT);
	return minidebuginfo__from(elf_memory((char *)buf, size), len);
}
