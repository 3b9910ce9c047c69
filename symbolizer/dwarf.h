/* SPDX-License-Identifier: MIT */
#ifndef SEAR_DWARF_H
#define SEAR_DWARF_H

#include <stddef.h>
#include <stdint.h>

/*
 * DWARF of one module, through libdw: the chain of inlined functions at an
 * address, and source lines. Also where a module's debug info lives when
 * the binary is stripped.
 *
 * Lookups are done once per distinct address by the symbolizer, which
 * caches the results; a libdw walk per sample would be far too slow.
 */

struct dbginfo;

/* One level of an inline chain. Strings are borrowed, valid until dbginfo__free(). */
struct dwarf_frame {
	const char *name; /* linkage (mangled) name if there is one, else the plain name */
	const char *file; /* source file of line, or NULL */
	int line;	  /* 0 when unknown */
};

/*
 * Opens the DWARF in the ELF file fd (taking ownership of fd; read with
 * pread). Returns NULL, closing fd, when the file has no DWARF.
 */
struct dbginfo *dbginfo__open_fd(int fd);
void dbginfo__free(struct dbginfo *d);

/*
 * Fills out with the functions at vaddr, the outermost (the real function)
 * first and the innermost inlined one last, each with the source line it
 * is at. Returns the count (at most max), or 0 when no DWARF covers vaddr.
 */
int dbginfo__lookup(struct dbginfo *d, uint64_t vaddr, struct dwarf_frame *out, int max);

/* Where a stripped module's debug info may be: see debuglink__paths(). */
struct debuglink {
	uint8_t build_id[20];
	size_t build_id_len;
	char name[256]; /* .gnu_debuglink file name, or "" */
};

/* Reads the build-id and .gnu_debuglink of the ELF file fd (fd is not closed). Returns 0 or -errno.
 */
int debuglink__read(int fd, struct debuglink *out);

/*
 * Lists the candidate paths of the debug file for the module at path, in
 * the order to try: /usr/lib/debug/.build-id/xx/rest.debug, then the
 * debuglink name beside the file, in .debug/ beside it, and under
 * /usr/lib/debug. Returns how many were written to paths (each PATH_MAX).
 */
int debuglink__paths(const struct debuglink *l, const char *path, char paths[][4096], int max);

/*
 * Decompresses a MiniDebugInfo section (.gnu_debugdata, xz) from the ELF
 * file fd into a new buffer holding an ELF image (free() it). Returns NULL
 * when there is none or it cannot be read.
 */
void *minidebuginfo__read(int fd, size_t *len);

/* The same from an ELF image in memory (borrowed; libelf does not write to it). */
void *minidebuginfo__read_mem(const void *buf, size_t size, size_t *len);

#endif
