/* SPDX-License-Identifier: MIT */
#ifndef SEAR_LOADER_H
#define SEAR_LOADER_H

/*
 * Symbol tables read in the background: a worker thread parses ELF files
 * and /proc/kallsyms while the caller goes on with its samples, so that a
 * large binary (node's 100 MB, with 110,000 symbols) or the kernel's
 * symbols do not stall the recording or the report. ELF files are parsed
 * through the sandbox (sandbox.h): the worker waits for its helper.
 *
 * Jobs run in the order they were queued, except that a job waited for
 * before the worker started it runs at once in the waiting thread (it does
 * not wait behind the kernel's symbols). A job touches only what it was
 * handed: the caller keeps everything else single-threaded. Without a
 * thread (pthread_create failed), jobs run at once, in the caller.
 */

#include "sandbox.h"

struct symtab;
struct symloader;
struct symjob;

/*
 * Returns a new loader that parses ELF files through sb (borrowed: it
 * must outlive the loader). Free with symloader__free(). NULL with errno
 * on failure.
 */
struct symloader *symloader__new(struct sandbox *sb);

/* Waits for the jobs not yet collected, frees what they made, and stops the worker. */
void symloader__free(struct symloader *l);

/*
 * Queues the reading of an ELF file from fd (borrowed: it must stay open
 * until the job is collected), named path, with symtab__new_elf_fd()'s
 * flags. Returns the job; NULL with errno when out of memory.
 */
struct symjob *symloader__elf(struct symloader *l, int fd, int flags, const char *path);

/* Queues the reading of /proc/kallsyms. Returns the job, or NULL with errno. */
struct symjob *symloader__kallsyms(struct symloader *l);

/*
 * Waits for job j and returns what it made (NULL when the file could not
 * be read); the caller owns it: free with symtab__free(). *fault (if not
 * NULL) says whether the sandbox's helper failed on the file. j is freed.
 */
struct symtab *symjob__wait(struct symjob *j, enum sandbox_fault *fault);

#endif
