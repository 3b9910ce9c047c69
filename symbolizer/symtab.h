/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SYMTAB_H
#define SEAR_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One module's function symbols, sorted by address for binary search, with
 * the module's loadable segments to turn file offsets into addresses.
 *
 * A symtab owns copies of everything it holds: the file or buffer it was
 * read from may go away (a deleted binary, an exited container) and names
 * stay valid until symtab__free().
 *
 * Inputs are untrusted (a profiled process controls its binaries and
 * /proc/kallsyms is the only trusted source); the readers cap symbol and
 * name counts and never read past the buffer.
 */

struct symtab;

/*
 * Reads .symtab and .dynsym from an ELF image in memory. Returns a new
 * symtab (possibly with no symbols, which is not an error); NULL with errno
 * EINVAL for a buffer that is not ELF. Free with symtab__free().
 */
struct symtab *symtab__new_elf_mem(const void *buf, size_t len, int flags);

/* The same from an open file, read with pread (no mmap: the file may shrink). */
struct symtab *symtab__new_elf_fd(int fd, int flags);

/* flags: also keep copies of .eh_frame_hdr and .eh_frame, for unwinding. */
#define SYMTAB_UNWIND 1

/* A section kept for unwinding: its address in the image and its bytes (borrowed). */
struct symtab_section {
	uint64_t vaddr, size;
	const uint8_t *data; /* NULL when the image has none */
};

/*
 * The unwind tables (with SYMTAB_UNWIND), and the difference between the
 * addresses and the file offsets of the loadable segments (vaddr - offset).
 * Returns 0, or -ENOENT when there is no .eh_frame_hdr.
 */
int symtab__unwind_tables(const struct symtab *t, struct symtab_section *eh_frame_hdr,
			  struct symtab_section *eh_frame, int64_t *vaddr_minus_offset);

/*
 * The image addresses [*lo, *hi) that the loadable segments span. Returns
 * 0, or -ENOENT when the image has none.
 */
int symtab__image_span(const struct symtab *t, uint64_t *lo, uint64_t *hi);

/*
 * Parses /proc/kallsyms text: text symbols (t, T, w, W) of the kernel and
 * its modules. Returns a new symtab; NULL with errno set on failure.
 */
struct symtab *symtab__new_kallsyms_mem(const char *buf, size_t len);

/* The same from a file such as /proc/kallsyms, read a block at a time, up to max bytes. */
struct symtab *symtab__new_kallsyms_fd(int fd, size_t max);

void symtab__free(struct symtab *t);

/*
 * Returns the name of the function holding addr, or NULL. *offset (if not
 * NULL) gets addr's offset into it. Borrowed, valid until symtab__free().
 */
const char *symtab__lookup(const struct symtab *t, uint64_t addr, uint64_t *offset);

/*
 * Turns a file offset inside a loadable segment into the address that the
 * symbols use. Returns 0, or -ENOENT when no segment holds it.
 */
int symtab__file_to_vaddr(const struct symtab *t, uint64_t offset, uint64_t *vaddr);

/* Number of function symbols. */
size_t symtab__count(const struct symtab *t);

/* The range [*start, *end) of the symbol named name (the first of that name). Returns 0 or -ENOENT.
 */
int symtab__find_name(const struct symtab *t, const char *name, uint64_t *start, uint64_t *end);

/*
 * Replaces dst's symbols with src's and frees src, keeping dst's segments:
 * for a stripped binary whose symbols come from its separate debug file.
 */
void symtab__take_symbols(struct symtab *dst, struct symtab *src);

/* True when the image had a .symtab (not only the dynamic symbols of a stripped file). */
bool symtab__is_full(const struct symtab *t);

/* True when the image had DWARF (.debug_info with contents). */
bool symtab__has_debug_info(const struct symtab *t);

/* The GNU build-id, if the image has one: returns its length and points *id at it. */
size_t symtab__build_id(const struct symtab *t, const uint8_t **id);

/*
 * The symtab as bytes, for the sandboxed reader to hand back (sandbox.h).
 * Returns a new buffer (free() it) and sets *len; NULL on ENOMEM.
 */
void *symtab__serialize(const struct symtab *t, size_t *len);

/*
 * The reverse, trusting nothing: every count, offset and order is checked,
 * as the helper that wrote the bytes may have been subverted by the file
 * it read. Returns a new symtab (free with symtab__free()), or NULL with
 * errno EINVAL.
 */
struct symtab *symtab__deserialize(const void *buf, size_t len);

#endif
