// SPDX-License-Identifier: MIT
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ehframe.h"
#include "symtab.h"

#define SYMTAB_MAX_SYMS	 (16u << 20) /* far above any real binary */
#define SYMTAB_MAX_NAME	 4096	     /* longer names are cut */
#define SYMTAB_MAX_SEGS	 64
#define SYMTAB_MAX_BUILD 20

struct sym {
	uint64_t start;
	uint32_t size;	      /* unsized: the most it may run, until the next symbol ends it */
	uint32_t name : 29;   /* offset into names */
	uint32_t rank : 2;    /* among aliases the highest wins: global, weak, local, FDE */
	uint32_t unsized : 1; /* the file gave no size */
};

#define SYMTAB_MAX_NAMES (1u << 29) /* what a name offset can address */

enum {
	RANK_FDE, /* no symbol: a function's bounds from its FDE, named by file offset */
	RANK_LOCAL,
	RANK_WEAK,
	RANK_GLOBAL,
};

struct segment {
	uint64_t offset, vaddr, filesz;
};

struct fde_range {
	uint64_t start, end; /* image addresses */
};

struct symtab {
	struct sym *syms;
	size_t nr, cap;
	char *names;
	size_t names_len, names_cap;
	struct segment segs[SYMTAB_MAX_SEGS];
	size_t nr_segs;
	uint8_t build_id[SYMTAB_MAX_BUILD];
	size_t build_id_len;
	bool full; /* had .symtab, not only .dynsym */
	uint8_t *eh_frame_hdr, *eh_frame;
	uint64_t eh_frame_hdr_vaddr, eh_frame_hdr_size, eh_frame_vaddr, eh_frame_size;
	bool debug_info; /* had .debug_info */
	/* a stripped file's functions, from .eh_frame, until symtab__fde_names() */
	struct fde_range *fdes;
	size_t nr_fdes, cap_fdes;
};

static struct symtab *symtab__alloc(void)
{
	return calloc(1, sizeof(struct symtab));
}

void symtab__free(struct symtab *t)
{
	if (!t)
		return;
	free(t->syms);
	free(t->names);
	free(t->eh_frame_hdr);
	free(t->eh_frame);
	free(t->fdes);
	free(t);
}

/* Makes room for nr more symbols and bytes more of names, exactly, before adding them. */
static int symtab__reserve(struct symtab *t, size_t nr, size_t bytes)
{
	struct sym *s;
	char *n;

	if (nr > SYMTAB_MAX_SYMS || bytes > SYMTAB_MAX_NAMES)
		return -E2BIG;
	if (t->nr + nr > t->cap) {
		s = realloc(t->syms, (t->nr + nr) * sizeof(*s));
		if (!s)
			return -ENOMEM;
		t->syms = s;
		t->cap = t->nr + nr;
	}
	if (t->names_len + bytes > t->names_cap) {
		n = realloc(t->names, t->names_len + bytes);
		if (!n)
			return -ENOMEM;
		t->names = n;
		t->names_cap = t->names_len + bytes;
	}
	return 0;
}

static int symtab__add(struct symtab *t, uint64_t start, uint64_t size, bool unsized,
		       const char *name, size_t len, int rank)
{
	struct sym *s;

	if (t->nr >= SYMTAB_MAX_SYMS)
		return -E2BIG;
	if (len > SYMTAB_MAX_NAME)
		len = SYMTAB_MAX_NAME;
	if (t->names_len + len + 1 > SYMTAB_MAX_NAMES)
		return -E2BIG;
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;

		s = realloc(t->syms, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		t->syms = s;
		t->cap = cap;
	}
	if (t->names_len + len + 1 > t->names_cap) {
		size_t cap = t->names_cap ? t->names_cap * 2 : 16384;
		char *n;

		while (cap < t->names_len + len + 1)
			cap *= 2;
		n = realloc(t->names, cap);
		if (!n)
			return -ENOMEM;
		t->names = n;
		t->names_cap = cap;
	}
	s = &t->syms[t->nr++];
	s->start = start;
	s->size = size > UINT32_MAX ? UINT32_MAX : size;
	s->name = t->names_len;
	s->rank = rank;
	s->unsized = unsized;
	memcpy(t->names + t->names_len, name, len);
	t->names[t->names_len + len] = '\0';
	t->names_len += len + 1;
	return 0;
}

static size_t underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/*
 * By address; among aliases the name users know first, the same every
 * time whatever the order in the file (so that diffs never show an alias
 * flip): a known size, then global over weak over local, then fewer
 * leading underscores (memcpy over __memcpy, startup_64 over _stext),
 * then the shorter name (memcpy over memmove), then by bytes.
 */
static int sym__cmp(const void *a, const void *b, void *ctx)
{
	const struct sym *x = a, *y = b;
	const char *names = ctx, *nx = names + x->name, *ny = names + y->name;
	size_t ux, uy, lx, ly;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->unsized != y->unsized)
		return x->unsized ? 1 : -1;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	ux = underscores(nx);
	uy = underscores(ny);
	if (ux != uy)
		return ux < uy ? -1 : 1;
	lx = strlen(nx);
	ly = strlen(ny);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(nx, ny);
}

/* Sorts, drops aliases at one address, and bounds unsized symbols by the next one. */
static void symtab__finish(struct symtab *t)
{
	size_t i, n = 0;

	if (!t->nr)
		return;
	/* kallsyms comes sorted by address: then only the aliases at one address need ordering. */
	for (i = 1; i < t->nr && t->syms[i - 1].start <= t->syms[i].start; i++)
		;
	if (i < t->nr) {
		qsort_r(t->syms, t->nr, sizeof(*t->syms), sym__cmp, t->names);
	} else {
		for (i = 0; i < t->nr; i = n) {
			for (n = i + 1; n < t->nr && t->syms[n].start == t->syms[i].start; n++)
				;
			if (n - i > 1)
				qsort_r(t->syms + i, n - i, sizeof(*t->syms), sym__cmp, t->names);
		}
		n = 0;
	}
	for (i = 0; i < t->nr; i++) {
		if (n && t->syms[n - 1].start == t->syms[i].start)
			continue;
		t->syms[n++] = t->syms[i];
	}
	t->nr = n;
	/*
	 * An unsized symbol runs to the next one, and no further than its section
	 * when the file says where that ends (kallsyms does not); the last, 4 KiB.
	 */
	for (i = 0; i < n; i++) {
		struct sym *s = &t->syms[i];
		uint64_t gap;

		if (!s->unsized)
			continue;
		if (i + 1 < n) {
			gap = t->syms[i + 1].start - s->start;
			if (!s->size || gap < s->size)
				s->size = gap > UINT32_MAX ? UINT32_MAX : gap;
		} else if (!s->size || s->size > 4096) {
			s->size = 4096;
		}
	}
	/* Give back what the estimates reserved beyond need. */
	if (n < t->cap) {
		struct sym *s = realloc(t->syms, (n ? n : 1) * sizeof(*s));

		if (s) {
			t->syms = s;
			t->cap = n ? n : 1;
		}
	}
	if (t->names_len < t->names_cap) {
		char *p = realloc(t->names, t->names_len ? t->names_len : 1);

		if (p) {
			t->names = p;
			t->names_cap = t->names_len ? t->names_len : 1;
		}
	}
}

/* The symbol among the n sorted ones of v that covers addr, or NULL. */
static const struct sym *syms__find(const struct sym *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - v[lo - 1].start >= v[lo - 1].size)
		return NULL;
	return &v[lo - 1];
}

const char *symtab__lookup(const struct symtab *t, uint64_t addr, uint64_t *offset)
{
	const struct sym *s = syms__find(t->syms, t->nr, addr);

	if (!s)
		return NULL;
	if (offset)
		*offset = addr - s->start;
	return t->names + s->name;
}

int symtab__file_to_vaddr(const struct symtab *t, uint64_t offset, uint64_t *vaddr)
{
	size_t i;

	for (i = 0; i < t->nr_segs; i++) {
		const struct segment *g = &t->segs[i];

		if (offset >= g->offset && offset - g->offset < g->filesz) {
			*vaddr = offset - g->offset + g->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

int symtab__find_name(const struct symtab *t, const char *name, uint64_t *start, uint64_t *end)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->names + t->syms[i].name, name)) {
			*start = t->syms[i].start;
			*end = t->syms[i].start + t->syms[i].size;
			return 0;
		}
	return -ENOENT;
}

size_t symtab__count(const struct symtab *t)
{
	return t->nr;
}

void symtab__take_symbols(struct symtab *dst, struct symtab *src)
{
	free(dst->syms);
	free(dst->names);
	dst->syms = src->syms;
	dst->nr = src->nr;
	dst->cap = src->cap;
	dst->names = src->names;
	dst->names_len = src->names_len;
	dst->names_cap = src->names_cap;
	dst->full = src->full;
	src->syms = NULL;
	src->names = NULL;
	src->nr = src->cap = src->names_len = src->names_cap = 0;
	symtab__free(src);
}

bool symtab__is_full(const struct symtab *t)
{
	return t->full;
}

bool symtab__has_debug_info(const struct symtab *t)
{
	return t->debug_info;
}

size_t symtab__build_id(const struct symtab *t, const uint8_t **id)
{
	*id = t->build_id;
	return t->build_id_len;
}

static void elf__read_build_id(Elf *elf, struct symtab *t)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)data->d_buf + name_off, "GNU", 4)) {
				t->build_id_len =
				    nh.n_descsz > SYMTAB_MAX_BUILD ? SYMTAB_MAX_BUILD : nh.n_descsz;
				memcpy(t->build_id, (char *)data->d_buf + desc_off,
				       t->build_id_len);
				return;
			}
		}
	}
}

/* A function symbol with a name: the kind symtab keeps. Returns its name, or NULL. */
static const char *elf__function(Elf *elf, const GElf_Shdr *sh, const GElf_Sym *sym)
{
	const char *name;
	int type = GELF_ST_TYPE(sym->st_info);

	if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym->st_shndx == SHN_UNDEF ||
	    !sym->st_value)
		return NULL;
	name = elf_strptr(elf, sh->sh_link, sym->st_name);
	return name && *name && *name != '@' ? name : NULL;
}

static int elf__read_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct symtab *t)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n, nr = 0, bytes = 0;
	const char *name;
	GElf_Sym sym;
	uint64_t size;
	int err;

	if (!data || !sh->sh_entsize)
		return 0;
	n = sh->sh_size / sh->sh_entsize;
	/* Count first, so that the tables are allocated once, at their size. */
	for (i = 0; i < n && gelf_getsym(data, i, &sym); i++) {
		name = elf__function(elf, sh, &sym);
		if (name) {
			nr++;
			bytes += strcspn(name, "@") + 1;
		}
	}
	err = symtab__reserve(t, nr, bytes);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		int bind;

		if (!gelf_getsym(data, i, &sym))
			break;
		name = elf__function(elf, sh, &sym);
		if (!name)
			continue;
		bind = GELF_ST_BIND(sym.st_info);
		size = sym.st_size;
		if (!size) {
			Elf_Scn *in =
			    sym.st_shndx < SHN_LORESERVE ? elf_getscn(elf, sym.st_shndx) : NULL;
			GElf_Shdr ish;

			/* Unsized: it may run to its section's end, and no further. */
			size = in && gelf_getshdr(in, &ish) && sym.st_value >= ish.sh_addr &&
				       sym.st_value - ish.sh_addr < ish.sh_size
				   ? ish.sh_addr + ish.sh_size - sym.st_value
				   : 0;
		}
		/* "memcpy@@GLIBC_2.14": the version is the linker's business, not the user's. */
		if (symtab__add(t, sym.st_value, size, !sym.st_size, name, strcspn(name, "@"),
				bind == STB_GLOBAL ? RANK_GLOBAL
				: bind == STB_WEAK ? RANK_WEAK
						   : RANK_LOCAL))
			return -ENOMEM;
	}
	return 0;
}

#define PLT_ENTRY    16 /* x86-64 .plt and .plt.sec stubs */
#define PLT_MAX_RELS 65536

/* The PLT's sections, as symtab__from_elf() meets them. */
struct plt_info {
	Elf_Scn *rela, *dynsym;
	GElf_Shdr rela_sh, dynsym_sh;
	uint64_t plt, plt_size, plt_sec, plt_sec_size;
};

/*
 * Names each PLT stub "name@plt", as perf does, from .rela.plt: its Nth
 * jump-slot relocation is the Nth stub of .plt.sec when the file has one
 * (IBT), else the stub after .plt's header. Without these, the stubs fell
 * to whatever symbol preceded them (_init, often).
 */
static int elf__read_plt(Elf *elf, const struct plt_info *p, struct symtab *t)
{
	Elf_Data *rels = elf_getdata(p->rela, NULL), *syms = elf_getdata(p->dynsym, NULL);
	uint64_t base = p->plt_sec ? p->plt_sec : p->plt + PLT_ENTRY;
	uint64_t end = p->plt_sec ? p->plt_sec + p->plt_sec_size : p->plt + p->plt_size;
	size_t i, n, slot = 0;
	char name[SYMTAB_MAX_NAME + 8];
	GElf_Rela rel;
	GElf_Sym sym;
	int err;

	if (!rels || !syms || !p->rela_sh.sh_entsize)
		return 0;
	n = p->rela_sh.sh_size / p->rela_sh.sh_entsize;
	if (n > PLT_MAX_RELS)
		n = PLT_MAX_RELS;
	err = symtab__reserve(t, n, n * 64);
	if (err)
		return err;
	for (i = 0; i < n && gelf_getrela(rels, i, &rel); i++) {
		const char *s;
		uint64_t at = base + slot * PLT_ENTRY;

		if (GELF_R_TYPE(rel.r_info) != R_X86_64_JUMP_SLOT)
			continue;
		slot++;
		if (at + PLT_ENTRY > end)
			break;
		if (!gelf_getsym(syms, GELF_R_SYM(rel.r_info), &sym))
			continue;
		s = elf_strptr(elf, p->dynsym_sh.sh_link, sym.st_name);
		if (!s || !*s)
			continue;
		snprintf(name, sizeof(name), "%.*s@plt", SYMTAB_MAX_NAME, s);
		err = symtab__add(t, at, PLT_ENTRY, false, name, strlen(name), RANK_GLOBAL);
		if (err)
			return err;
	}
	return 0;
}

#define UNWIND_SECTION_MAX (256u << 20)

/* Copies a section's bytes: the image may go away, the unwinder must not read it then. */
static uint8_t *section_copy(Elf_Scn *scn, const GElf_Shdr *sh, uint64_t *vaddr, uint64_t *size)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	uint8_t *p;

	if (!d || !d->d_buf || sh->sh_type == SHT_NOBITS || d->d_size > UNWIND_SECTION_MAX)
		return NULL;
	p = malloc(d->d_size ? d->d_size : 1);
	if (!p)
		return NULL;
	memcpy(p, d->d_buf, d->d_size);
	*vaddr = sh->sh_addr;
	*size = d->d_size;
	return p;
}

int symtab__unwind_tables(const struct symtab *t, struct symtab_section *hdr,
			  struct symtab_section *eh, int64_t *delta)
{
	size_t i;

	if (!t->eh_frame_hdr)
		return -ENOENT;
	*hdr =
	    (struct symtab_section){ t->eh_frame_hdr_vaddr, t->eh_frame_hdr_size, t->eh_frame_hdr };
	*eh = (struct symtab_section){ t->eh_frame_vaddr, t->eh_frame_size, t->eh_frame };
	*delta = 0;
	for (i = 0; i < t->nr_segs; i++)
		if (t->segs[i].filesz) {
			*delta = (int64_t)(t->segs[i].vaddr - t->segs[i].offset);
			break;
		}
	return 0;
}

int symtab__image_span(const struct symtab *t, uint64_t *lo, uint64_t *hi)
{
	size_t i;

	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < t->nr_segs; i++) {
		const struct segment *g = &t->segs[i];

		if (g->vaddr < *lo)
			*lo = g->vaddr;
		if (g->vaddr + g->filesz > *hi)
			*hi = g->vaddr + g->filesz;
	}
	return *hi > *lo ? 0 : -ENOENT;
}

static int symtab__fde(void *ctx, uint64_t start, uint64_t end)
{
	struct symtab *t = ctx;

	if (end <= start)
		return 0;
	if (t->nr_fdes == t->cap_fdes) {
		size_t cap = t->cap_fdes ? t->cap_fdes * 2 : 256;
		struct fde_range *f = realloc(t->fdes, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		t->fdes = f;
		t->cap_fdes = cap;
	}
	t->fdes[t->nr_fdes++] = (struct fde_range){ start, end };
	return 0;
}

/*
 * A stripped file's functions: the ranges of its .eh_frame's FDEs, named
 * once the symbols are sorted (symtab__fde_names()). Returns 0 or -ENOMEM.
 */
static int elf__read_fdes(Elf_Scn *scn, const GElf_Shdr *sh, struct symtab *t)
{
	Elf_Data *d = elf_getdata(scn, NULL);

	if (!d || !d->d_buf || sh->sh_type == SHT_NOBITS)
		return 0;
	return ehframe__fdes_mem(d->d_buf, d->d_size,
				 &(struct ehframe_opts){ .vaddr = sh->sh_addr }, symtab__fde,
				 t) == -ENOMEM
		   ? -ENOMEM
		   : 0;
}

/*
 * Names each function of a stripped file that no symbol covers after its
 * FDE: "+0x3a600", the function's start as a file offset, which the
 * symbolizer prefixes with the module's name. Then sorts again.
 */
static void symtab__fde_names(struct symtab *t)
{
	size_t i, j, nr = t->nr;
	char name[32];

	for (i = 0; i < t->nr_fdes; i++) {
		const struct fde_range *f = &t->fdes[i];
		/* the symbols as sorted: those added here are not, and come after them */
		const struct sym *s = syms__find(t->syms, nr, f->start);
		uint64_t off;

		/* A symbol at the start, or sized to cover it, is the function; an unsized one
		 * that began earlier only ran up to it. */
		if (s && (!s->unsized || s->start == f->start))
			continue;
		for (j = 0; j < t->nr_segs; j++)
			if (f->start >= t->segs[j].vaddr &&
			    f->start - t->segs[j].vaddr < t->segs[j].filesz)
				break;
		if (j == t->nr_segs)
			continue;
		off = f->start - t->segs[j].vaddr + t->segs[j].offset;
		snprintf(name, sizeof(name), "+0x%llx", (unsigned long long)off);
		if (symtab__add(t, f->start,
				f->end - f->start > UINT32_MAX ? UINT32_MAX : f->end - f->start,
				false, name, strlen(name), RANK_FDE))
			break; /* out of memory or room: the rest keep the module's name */
	}
	free(t->fdes);
	t->fdes = NULL;
	t->nr_fdes = t->cap_fdes = 0;
	if (t->nr != nr)
		symtab__finish(t);
}

static struct symtab *symtab__from_elf(Elf *elf, int flags)
{
	struct symtab *t;
	Elf_Scn *scn = NULL;
	struct plt_info plt = { 0 };
	Elf_Scn *ehscn = NULL;
	GElf_Shdr sh, ehsh = { 0 };
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t i, nph;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		errno = EINVAL;
		return NULL;
	}
	t = symtab__alloc();
	if (!t)
		return NULL;
	if (!elf_getphdrnum(elf, &nph)) {
		for (i = 0; i < nph && t->nr_segs < SYMTAB_MAX_SEGS; i++) {
			if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
				continue;
			t->segs[t->nr_segs++] =
			    (struct segment){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
		}
	}
	/* .symtab is a superset of .dynsym: read .dynsym only from stripped files. */
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			t->full = true;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, eh.e_shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".debug_info") && sh.sh_type != SHT_NOBITS)
			t->debug_info = true;
		if ((flags & SYMTAB_UNWIND) && name && !strcmp(name, ".eh_frame_hdr") &&
		    !t->eh_frame_hdr)
			t->eh_frame_hdr =
			    section_copy(scn, &sh, &t->eh_frame_hdr_vaddr, &t->eh_frame_hdr_size);
		if (name && !strcmp(name, ".eh_frame") && !ehscn) {
			ehscn = scn;
			ehsh = sh;
			if (flags & SYMTAB_UNWIND)
				t->eh_frame =
				    section_copy(scn, &sh, &t->eh_frame_vaddr, &t->eh_frame_size);
		}
		if ((sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !t->full)) &&
		    elf__read_symbols(elf, scn, &sh, t))
			goto out_nomem;
		if (sh.sh_type == SHT_DYNSYM) {
			plt.dynsym = scn;
			plt.dynsym_sh = sh;
		} else if (sh.sh_type == SHT_RELA && name && !strcmp(name, ".rela.plt")) {
			plt.rela = scn;
			plt.rela_sh = sh;
		} else if (name && !strcmp(name, ".plt")) {
			plt.plt = sh.sh_addr;
			plt.plt_size = sh.sh_size;
		} else if (name && !strcmp(name, ".plt.sec")) {
			plt.plt_sec = sh.sh_addr;
			plt.plt_sec_size = sh.sh_size;
		}
	}
	if (plt.rela && plt.dynsym && (plt.plt || plt.plt_sec) && eh.e_machine == EM_X86_64 &&
	    elf__read_plt(elf, &plt, t))
		goto out_nomem;
	if (!t->full && ehscn && elf__read_fdes(ehscn, &ehsh, t))
		goto out_nomem;
	elf__read_build_id(elf, t);
	return t; /* not finished: the caller ends the Elf first, to free its copies */
out_nomem:
	symtab__free(t);
	errno = ENOMEM;
	return NULL;
}

struct symtab *symtab__new_elf_mem(const void *buf, size_t len, int flags)
{
	struct symtab *t;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)buf, len);
	if (!elf) {
		errno = EINVAL;
		return NULL;
	}
	t = symtab__from_elf(elf, flags);
	elf_end(elf);
	if (t) {
		symtab__finish(t);
		symtab__fde_names(t);
	}
	return t;
}

struct symtab *symtab__new_elf_fd(int fd, int flags)
{
	struct symtab *t;
	Elf *elf;

	elf_version(EV_CURRENT);
	/* ELF_C_READ reads with pread on demand; ELF_C_READ_MMAP could SIGBUS on truncation. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		errno = EINVAL;
		return NULL;
	}
	t = symtab__from_elf(elf, flags);
	elf_end(elf);
	if (t) {
		symtab__finish(t);
		symtab__fde_names(t);
	}
	return t;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Adds the text symbols of whole kallsyms lines. Returns 0 or -ENOMEM. */
static int symtab__kallsyms_lines(struct symtab *t, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol, *name, *name_end;

	for (; p < end; p = eol + 1) {
		uint64_t addr = 0;
		int digits = 0, v;
		char type;

		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		/* "ffffffff81000000 T _stext" or "... t name\t[module]" */
		while (p < eol && (v = hexval(*p)) >= 0 && digits < 16) {
			addr = addr << 4 | v;
			p++;
			digits++;
		}
		if (!digits || eol - p < 4 || p[0] != ' ' || p[2] != ' ')
			continue;
		type = p[1];
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		name = p + 3;
		for (name_end = name; name_end < eol && *name_end != '\t' && *name_end != ' ';
		     name_end++)
			;
		if (name_end == name || !addr)
			continue;
		if (symtab__add(t, addr, 0, true, name, name_end - name,
				type == 'T'		     ? RANK_GLOBAL
				: type == 'W' || type == 'w' ? RANK_WEAK
							     : RANK_LOCAL))
			return -ENOMEM;
	}
	return 0;
}

struct symtab *symtab__new_kallsyms_mem(const char *buf, size_t len)
{
	struct symtab *t = symtab__alloc();

	if (!t)
		return NULL;
	if (symtab__kallsyms_lines(t, buf, len)) {
		symtab__free(t);
		errno = ENOMEM;
		return NULL;
	}
	symtab__finish(t);
	return t;
}

struct symtab *symtab__new_kallsyms_fd(int fd, size_t max)
{
	struct symtab *t = symtab__alloc();
	size_t cap = 1 << 16, len = 0, total = 0;
	char *buf = malloc(cap);
	const char *nl;
	ssize_t got;

	if (!t || !buf)
		goto out_nomem;
	/* Whole lines a block at a time: the text is never held whole. */
	for (;;) {
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || (total += got) > max) {
			if (symtab__kallsyms_lines(t, buf, len))
				goto out_nomem;
			break;
		}
		len += got;
		nl = memrchr(buf, '\n', len);
		if (!nl) {
			if (len == cap)
				len = 0; /* a line longer than the block is no symbol */
			continue;
		}
		if (symtab__kallsyms_lines(t, buf, nl + 1 - buf))
			goto out_nomem;
		len -= nl + 1 - buf;
		memmove(buf, nl + 1, len);
	}
	free(buf);
	symtab__finish(t);
	return t;
out_nomem:
	free(buf);
	symtab__free(t);
	errno = ENOMEM;
	return NULL;
}

/*
 * The wire form of a symtab, for the sandboxed reader (sandbox.h): a
 * header of counts and fields, then the arrays. Native byte order: both
 * ends are the same program on the same machine.
 */
struct symtab_wire {
	char magic[4];
	uint32_t nr_segs, build_id_len, full, debug_info;
	uint64_t nr, names_len;
	uint64_t eh_frame_hdr_vaddr, eh_frame_hdr_size, eh_frame_vaddr, eh_frame_size;
	uint32_t has_eh_frame_hdr, has_eh_frame;
};

void *symtab__serialize(const struct symtab *t, size_t *len)
{
	struct symtab_wire w = {
		.magic = "SYMT",
		.nr_segs = t->nr_segs,
		.build_id_len = t->build_id_len,
		.full = t->full,
		.debug_info = t->debug_info,
		.nr = t->nr,
		.names_len = t->names_len,
		.eh_frame_hdr_vaddr = t->eh_frame_hdr_vaddr,
		.eh_frame_hdr_size = t->eh_frame_hdr ? t->eh_frame_hdr_size : 0,
		.eh_frame_vaddr = t->eh_frame_vaddr,
		.eh_frame_size = t->eh_frame ? t->eh_frame_size : 0,
		.has_eh_frame_hdr = !!t->eh_frame_hdr,
		.has_eh_frame = !!t->eh_frame,
	};
	size_t n = sizeof(w) + t->nr * sizeof(*t->syms) + t->names_len +
		   t->nr_segs * sizeof(*t->segs) + t->build_id_len + w.eh_frame_hdr_size +
		   w.eh_frame_size;
	uint8_t *buf = malloc(n), *p = buf;

	if (!buf)
		return NULL;
#define PUT(src, bytes)                       \
	do {                                  \
		size_t n_ = (bytes);          \
                                              \
		if (n_)                       \
			memcpy(p, (src), n_); \
		p += n_;                      \
	} while (0)
	PUT(&w, sizeof(w));
	PUT(t->syms, t->nr * sizeof(*t->syms));
	PUT(t->names, t->names_len);
	PUT(t->segs, t->nr_segs * sizeof(*t->segs));
	PUT(t->build_id, t->build_id_len);
	PUT(t->eh_frame_hdr, w.eh_frame_hdr_size);
	PUT(t->eh_frame, w.eh_frame_size);
#undef PUT
	*len = n;
	return buf;
}

/* Takes n bytes at *p (below end) into a new buffer at *out (NULL for none). Returns 0 or -1. */
static int wire__take(const uint8_t **p, const uint8_t *end, uint64_t n, void **out)
{
	if (n > (uint64_t)(end - *p))
		return -1;
	*out = NULL;
	if (!n)
		return 0;
	*out = malloc(n);
	if (!*out)
		return -1;
	memcpy(*out, *p, n);
	*p += n;
	return 0;
}

struct symtab *symtab__deserialize(const void *buf, size_t len)
{
	const uint8_t *p = buf, *end = p + len;
	struct symtab_wire w;
	struct symtab *t;
	void *segs = NULL, *id = NULL, *hdr = NULL, *eh = NULL;
	size_t i;

	if (len < sizeof(w))
		goto out_inval;
	memcpy(&w, p, sizeof(w));
	p += sizeof(w);
	/* Every count is checked: the helper may have been subverted by the file it read. */
	if (memcmp(w.magic, "SYMT", 4) || w.nr > SYMTAB_MAX_SYMS ||
	    w.names_len > SYMTAB_MAX_NAMES || w.nr_segs > SYMTAB_MAX_SEGS ||
	    w.build_id_len > SYMTAB_MAX_BUILD || w.eh_frame_hdr_size > UNWIND_SECTION_MAX ||
	    w.eh_frame_size > UNWIND_SECTION_MAX || (w.nr && !w.names_len) ||
	    (!w.has_eh_frame_hdr && w.eh_frame_hdr_size) || (!w.has_eh_frame && w.eh_frame_size))
		goto out_inval; /* a section's size without the section: NULL data of size n */
	t = symtab__alloc();
	if (!t)
		return NULL;
	t->full = w.full;
	t->debug_info = w.debug_info;
	if (wire__take(&p, end, w.nr * sizeof(*t->syms), (void **)&t->syms) ||
	    wire__take(&p, end, w.names_len, (void **)&t->names) ||
	    wire__take(&p, end, w.nr_segs * sizeof(*t->segs), &segs) ||
	    wire__take(&p, end, w.build_id_len, &id) ||
	    wire__take(&p, end, w.eh_frame_hdr_size, &hdr) ||
	    wire__take(&p, end, w.eh_frame_size, &eh) || p != end)
		goto out_free;
	t->nr = t->cap = w.nr;
	t->names_len = t->names_cap = w.names_len;
	/* Names must end inside the table: the last byte is a NUL. */
	if (w.names_len && t->names[w.names_len - 1])
		goto out_free;
	for (i = 0; i < t->nr; i++)
		if (t->syms[i].name >= w.names_len ||
		    (i && t->syms[i].start < t->syms[i - 1].start))
			goto out_free;
	if (segs)
		memcpy(t->segs, segs, w.nr_segs * sizeof(*t->segs));
	t->nr_segs = w.nr_segs;
	if (id)
		memcpy(t->build_id, id, w.build_id_len);
	t->build_id_len = w.build_id_len;
	/* An empty section is kept as an empty one, as section_copy() makes it. */
	if (w.has_eh_frame_hdr && !hdr)
		hdr = malloc(1);
	if (w.has_eh_frame && !eh)
		eh = malloc(1);
	if ((w.has_eh_frame_hdr && !hdr) || (w.has_eh_frame && !eh))
		goto out_free;
	t->eh_frame_hdr = w.has_eh_frame_hdr ? hdr : NULL;
	t->eh_frame = w.has_eh_frame ? eh : NULL;
	if (!w.has_eh_frame_hdr)
		free(hdr);
	if (!w.has_eh_frame)
		free(eh);
	hdr = eh = NULL;
	t->eh_frame_hdr_vaddr = w.eh_frame_hdr_vaddr;
	t->eh_frame_hdr_size = w.eh_frame_hdr_size;
	t->eh_frame_vaddr = w.eh_frame_vaddr;
	t->eh_frame_size = w.eh_frame_size;
	free(segs);
	free(id);
	return t;
out_free:
	free(segs);
	free(id);
	free(hdr);
	free(eh);
	symtab__free(t);
out_inval:
	errno = EINVAL;
	return NULL;
}
