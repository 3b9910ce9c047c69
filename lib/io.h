/* SPDX-License-Identifier: MIT */
#ifndef SEAR_IO_H
#define SEAR_IO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Whole reads and writes on file descriptors, through EINTR and short
 * transfers, as every reader and writer of sear needs them.
 */

/* Reads up to n bytes; fewer only at the end of the input. Returns the count, or -errno. */
ssize_t io__read_full(int fd, void *buf, size_t n);

/* Writes all n bytes. Returns 0 or -errno. */
int io__write_all(int fd, const void *buf, size_t n);

/*
 * Reads the file at path whole, up to max bytes (what is past them is
 * left out), into a new NUL-terminated buffer: for /proc and /sys files,
 * whose size stat cannot tell. Returns the length and sets *out (free()
 * it), or -errno.
 */
ssize_t io__read_file(const char *path, size_t max, char **out);

#endif
