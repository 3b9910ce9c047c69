/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SYMBOLIZER_H
#define SEAR_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/frame_kind.h"

/*
 * The symbolizer: a registry of modules (dsos) and the names of addresses
 * in them.
 *
 * A file module is opened when it is registered, which happens when its
 * MMAP record is processed, while the target still runs. It is opened
 * through /proc/PID/map_files (the very file mapped, even if deleted or
 * replaced since) or else inside the target's pinned root (target.h), so
 * containers resolve from the host and names survive the target's exit.
 * JIT code is named from the target's perf-PID.map or jitdump, read at
 * naming time through the same pinned root.
 *
 * Modules are small dense ids, valid until symbolizer__free(). Id 0 is "no
 * module": its addresses are [unknown]. Names are computed once per
 * (module, address) and cached.
 */

struct symbolizer_opts {
	bool inline_frames; /* inlined functions as frames of their own (DWARF) */
	bool srcline;	    /* append " file:line" to names (DWARF) */
	bool full_names;    /* keep C++/Rust parameter lists when demangling */
	bool offline;	    /* replaying a file: the pids are not this machine's now */
	bool unwind_tables; /* keep .eh_frame for the unwinder (symbolizer__unwind_info()) */
	bool no_files;	    /* open no file at all, not even kallsyms: for fuzzing the pipeline */
	bool no_sandbox;   /* parse ELF and DWARF in this process, not in the sandbox (sandbox.h) */
	const char *symfs; /* offline: read every file under this directory, as perf --symfs */
	bool no_debuginfod; /* never ask debuginfod servers, even with DEBUGINFOD_URLS set */
	const char *debuginfod_urls; /* the servers; NULL: DEBUGINFOD_URLS */
	double debuginfod_timeout;   /* seconds that all waits for them may take; 0: 10 */
};

struct symbolizer;

/* One named frame. name is borrowed, valid until symbolizer__free(). */
struct sym_frame {
	const char *name; /* what graphs show: with " file:line" under srcline */
	enum frame_kind kind;
	const char *func; /* the function's name alone */
	const char *file; /* its source file (DWARF), or NULL */
	int line;	  /* its line there, or 0 */
};

/* Returns a new symbolizer (opts may be NULL); free with symbolizer__free(). NULL with errno set.
 */
struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts);
void symbolizer__free(struct symbolizer *sym);

/*
 * Loads kernel symbols from kallsyms text (from /proc/kallsyms when buf is
 * NULL). Returns the kernel's module id, or -errno. Without readable
 * addresses (kptr_restrict) kernel frames are named [kernel.kallsyms].
 */
int symbolizer__load_kernel(struct symbolizer *sym, const char *buf, size_t len);

/*
 * The address range [*start, *end) of kernel function name, from kallsyms
 * (waiting for them to load). Returns 0, or -ENOENT.
 */
int symbolizer__kernel_function(struct symbolizer *sym, const char *name, uint64_t *start,
				uint64_t *end);

/* Returns the kernel's module id (loading /proc/kallsyms on first use). */
uint32_t symbolizer__kernel(struct symbolizer *sym);

/* pid was forked by ppid: until seen alive, it shares ppid's root. */
void symbolizer__fork(struct symbolizer *sym, pid_t pid, pid_t ppid);

/*
 * Notes pid while it is alive: pins its root, and reads its namespace pid
 * and container. Cheap after the first call for a pid.
 */
void symbolizer__see(struct symbolizer *sym, pid_t pid);

/* pid called exec: its root and ids are read again (a chroot before exec, say). */
void symbolizer__exec(struct symbolizer *sym, pid_t pid);

/* The id (or name) of the container pid runs in, or NULL. Borrowed until symbolizer__free(). */
const char *symbolizer__container(struct symbolizer *sym, pid_t pid);

/*
 * Registers the file mapped at [start, end) by pid under path, with its
 * device and inode from the MMAP2 record (0 when unknown). Read now, once
 * per (device, inode), or per path and root. Returns its module id, or 0
 * on allocation failure (the frames then show [unknown]).
 */
uint32_t symbolizer__file(struct symbolizer *sym, pid_t pid, const char *path, uint32_t maj,
			  uint32_t min, uint64_t ino, uint64_t start, uint64_t end);

/*
 * A recording (perf.data) says the file at path had this build-id: a local
 * file that differs is reported once when it is loaded.
 */
void symbolizer__expect_build_id(struct symbolizer *sym, const char *path, const uint8_t *id,
				 size_t len);

/* Returns the module id for pid's anonymous executable memory: JIT code. */
uint32_t symbolizer__anon(struct symbolizer *sym, pid_t pid);

/* pid mapped a jitdump file (node --perf-prof): its JIT code is named from it too. */
void symbolizer__jitdump(struct symbolizer *sym, pid_t pid, const char *path);

/* What the unwinders need of a module's image; the bytes are borrowed until symbolizer__free(). */
struct sym_unwind {
	const uint8_t *eh_frame_hdr, *eh_frame; /* NULL when absent */
	uint64_t eh_frame_hdr_vaddr, eh_frame_hdr_size, eh_frame_vaddr, eh_frame_size;
	int64_t delta;		     /* image address - file offset, in the loadable segments */
	uint64_t image_lo, image_hi; /* the image addresses the loadable segments span */
};

/*
 * The unwind tables of module id (with the unwind_tables option), for
 * lib/unwind.c and the in-kernel unwinder. Returns 0; -ENOENT when the
 * module has none; -EAGAIN for JIT code, which has no CFI but frame
 * pointers.
 */
int symbolizer__unwind_info(struct symbolizer *sym, uint32_t id, struct sym_unwind *out);

/*
 * A module that names every address of it label ("[truncated]"): for the
 * marker frames the pipeline adds. Returns its id, or 0 when out of memory.
 */
uint32_t symbolizer__label(struct symbolizer *sym, const char *label, enum frame_kind kind);

/* True when frames of module id hold file offsets; else raw addresses. */
bool symbolizer__uses_file_offset(const struct symbolizer *sym, uint32_t id);

/*
 * Names addr in module id. For file modules addr is the file offset, for
 * the kernel and JIT code the address. Fills out with the real function
 * first and, with inline_frames, the functions inlined into it at addr.
 * Unresolved addresses are named after their module ("[libfoo.so]") or
 * "[unknown]". Returns the count, 1 to max.
 */
int symbolizer__symbolize(struct symbolizer *sym, uint32_t id, uint64_t addr, struct sym_frame *out,
			  int max);

/* What a module is, for outputs that describe mappings (pprof). Strings borrowed. */
struct sym_module {
	const char *path;  /* the file, as the target named it; NULL for the kernel and JIT code */
	const char *label; /* "[libc.so.6]", "[kernel.kallsyms]", "[unknown]" */
	enum frame_kind kind;
	char build_id[41]; /* hex, "" when unknown */
	bool file_offset;  /* its frames' addresses are file offsets */
};

/* Describes module id. Returns 0, or -ENOENT for an unknown id. */
int symbolizer__module(struct symbolizer *sym, uint32_t id, struct sym_module *out);

/*
 * Names the n frames (module id and address, as symbolizer__symbolize()
 * takes them; lib/profile.h) ahead, in one DWARF batch per module, so that
 * the symbolize calls that follow find them cached. Worth it with
 * inline_frames or srcline, where each address asks the sandbox; else it
 * does nothing.
 */
struct frame;
void symbolizer__prefetch(struct symbolizer *sym, const struct frame *frames, size_t n);

/*
 * The process that parses the targets' files for sym (sandbox.h), or 0
 * while there is none: sear's own work, for views that leave sear out.
 */
pid_t symbolizer__helper_pid(struct symbolizer *sym);

/* Reports (through the log) the modules that were sampled but had no symbols, once each. */
void symbolizer__report_missing(struct symbolizer *sym);

#endif
