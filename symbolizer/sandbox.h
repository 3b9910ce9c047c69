/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SANDBOX_H
#define SEAR_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dwarf.h"

/*
 * Where the ELF and DWARF of the profiled programs' files are parsed.
 * sear runs as root, and those files are the targets' to craft: libelf and
 * libdw (0.188) have read out of bounds on crafted files. So they are read
 * in a helper process, forked on first use, one per symbolizer, that can
 * do nothing but parse the files it is handed and write its answers back:
 *
 * - it runs as nobody, with no capabilities, no_new_privs, not dumpable,
 *   in a session of its own, with only /dev/null and its socket open;
 * - a seccomp filter lets it read, write its socket, map memory (never
 *   executable) and little else; opening a file fails with EACCES;
 * - every answer it gives is checked as hostile input (symtab__deserialize()).
 *
 * A crash or a hang (no progress for 30 s) costs only what was being read:
 * the symbols of that file, or the DWARF of that module, whose symbol
 * names remain. The helper is started again for the next request.
 *
 * Lookups are batched: one request names many addresses of a module, and
 * the answers stream back as they are found.
 *
 * Without a helper (in_process, or when one cannot start: the log says
 * so once) the same calls parse in this process. Calls may come from
 * several threads (the symbol loader's worker and the caller's): they are
 * serialized.
 *
 * Test hook: SEAR_TEST_SANDBOX=crash:TEXT or hang:TEXT makes the helper
 * crash (a write to address 0, as a parser's bad read would) or hang when
 * it looks up addresses in the DWARF of a file whose path contains TEXT,
 * and crash-symbols:TEXT when it reads that file's symbols; a request
 * that hangs so is given 1 s instead of 30. It lets whoever sets sear's
 * environment crash sear's own helper, no more.
 */

struct sandbox;
struct symtab;

/* How a request failed when the helper did not answer it. */
enum sandbox_fault {
	SANDBOX_OK,
	SANDBOX_CRASHED, /* the helper died on it */
	SANDBOX_HUNG,	 /* no progress for the time allowed: the helper was killed */
};

/*
 * Returns a new sandbox; no helper is started before it is needed. With
 * in_process, files are parsed in this process instead. Free with
 * sandbox__free(), which stops the helper. NULL with errno on failure.
 */
struct sandbox *sandbox__new(bool in_process);
void sandbox__free(struct sandbox *sb);

/*
 * Starts the helper now, while the caller has one thread: the fork then
 * copies no lock that another thread holds. glibc's allocator survives a
 * fork from threads, but not every allocator does (ASan's deadlocked in
 * the truncation sweep). A helper started again after a failure is forked
 * from wherever the failure was met.
 */
void sandbox__prepare(struct sandbox *sb);

/* The helper's pid, or 0 while none runs (it is forked again after a failure). */
pid_t sandbox__pid(struct sandbox *sb);

/*
 * symtab__new_elf_fd() of fd (borrowed), named path (for the test hook).
 * Returns the symtab (free with symtab__free()), or NULL; *fault says
 * whether the helper failed on it.
 */
struct symtab *sandbox__symtab(struct sandbox *sb, int fd, int flags, const char *path,
			       enum sandbox_fault *fault);

/* debuglink__read() of fd (borrowed). Returns 0, or -errno; *fault as above. */
int sandbox__debuglink(struct sandbox *sb, int fd, struct debuglink *out,
		       enum sandbox_fault *fault);

/*
 * The symbols of fd's MiniDebugInfo (minidebuginfo__read(), then
 * symtab__new_elf_mem()). Returns a new symtab, or NULL; *fault as above.
 */
struct symtab *sandbox__minidebug(struct sandbox *sb, int fd, enum sandbox_fault *fault);

/* One module's DWARF, opened in the helper (or here). */
struct sandbox_dwarf;

/*
 * Takes fd, an ELF file with DWARF, named path. Returns the module's
 * handle, or NULL (fd closed) when it has no DWARF that libdw can open or
 * the helper failed on it (*fault). Close with sandbox__dwarf_close().
 */
struct sandbox_dwarf *sandbox__dwarf_open(struct sandbox *sb, int fd, const char *path,
					  enum sandbox_fault *fault);
void sandbox__dwarf_close(struct sandbox *sb, struct sandbox_dwarf *d);

/*
 * dbginfo__lookup() of each of the n addresses of d, in order: fn gets
 * each address's index and frames (borrowed for the call; n_frames 0 when
 * no DWARF covers it). Returns 0, or -EIO when the helper failed on the
 * module (*fault): the addresses not answered get no call, and the
 * module's DWARF is not read again (sandbox__dwarf_failed()).
 */
typedef void (*sandbox_frames_fn)(void *ctx, size_t i, const struct dwarf_frame *frames,
				  int n_frames);
int sandbox__dwarf_lookup(struct sandbox *sb, struct sandbox_dwarf *d, const uint64_t *vaddrs,
			  size_t n, sandbox_frames_fn fn, void *ctx, enum sandbox_fault *fault);

/* True once the helper failed on d: its DWARF is not asked for again. */
bool sandbox__dwarf_failed(const struct sandbox_dwarf *d);

/*
 * Reads the helper's answer for one address (len bytes at p) into at most
 * max frames, their strings copied to strs (len + 2 * max bytes) with a NUL
 * each. Returns the count, or -1 for what the helper would never write.
 * Exposed for the wire's fuzz target; symtab__deserialize() reads the rest.
 */
int sandbox__frames(const uint8_t *p, uint32_t len, struct dwarf_frame *f, int max, char *strs);

#endif
