/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SYMBOLIZER_H
#define SEAR_SYMBOLIZER_H

#include <stdint.h>
#include <sys/types.h>

#include "../lib/frame_kind.h"

/*
 * The symbolizer: a registry of modules (dsos) and the names of addresses
 * in them.
 *
 * A module is loaded when it is first registered, which happens when its
 * MMAP record is processed: while the target still runs and its files are
 * still reachable. A process that exits or a binary deleted before the end
 * of a recording still gets names.
 *
 * Modules are identified by small dense ids that stay valid until
 * symbolizer__free(). Id 0 is "no module": its addresses are [unknown].
 */

struct symbolizer;

/* Returns a new symbolizer; free with symbolizer__free(). NULL with errno set on failure. */
struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *sym);

/*
 * Loads kernel symbols from kallsyms text (from /proc/kallsyms when buf is
 * NULL). Returns the kernel's module id, or -errno. Without readable
 * addresses (kptr_restrict) kernel frames still get the [kernel.kallsyms]
 * module name.
 */
int symbolizer__load_kernel(struct symbolizer *sym, const char *buf, size_t len);

/* Returns the kernel's module id (loading /proc/kallsyms on first use). */
uint32_t symbolizer__kernel(struct symbolizer *sym);

/*
 * Registers the file at path, as mapped by process pid, with its device and
 * inode from the MMAP2 record (0 when unknown). The file is read now, once
 * per (device, inode) or path. Returns its module id, or 0 on allocation
 * failure (the frames then show [unknown]).
 */
uint32_t symbolizer__file(struct symbolizer *sym, pid_t pid, const char *path, uint32_t maj,
			  uint32_t min, uint64_t ino);

/* Returns the module id for pid's anonymous executable memory (JIT code). */
uint32_t symbolizer__anon(struct symbolizer *sym, pid_t pid);

/* Returns how a module's file offset is kept in a frame: as the mapped file offset (1) or the raw
 * address (0). */
int symbolizer__uses_file_offset(const struct symbolizer *sym, uint32_t id);

/*
 * Names addr in module id: a function name, else the module's name in
 * brackets ("[libfoo.so]"), else "[unknown]". For file-backed modules addr
 * is the file offset; for the kernel and anonymous memory the address.
 * Returns the name, borrowed until symbolizer__free(), and sets *kind.
 */
const char *symbolizer__name(struct symbolizer *sym, uint32_t id, uint64_t addr,
			     enum frame_kind *kind);

/* Prints (through the log) the modules that had no symbols, once each. */
void symbolizer__report_missing(struct symbolizer *sym);

#endif
