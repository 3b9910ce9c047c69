// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "io.h"

ssize_t io__read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t got = read(fd, (uint8_t *)buf + done, n - done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (!got)
			break;
		done += got;
	}
	return done;
}

int io__write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= w;
	}
	return 0;
}

ssize_t io__read_file(const char *path, size_t max, char **out)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *n;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 1 >= cap) { /* full, but for the NUL */
			if (cap >= max + 1)
				break;
			cap = cap ? cap * 2 : 4096 + 1;
			if (cap > max + 1)
				cap = max + 1;
			n = realloc(buf, cap);
			if (!n) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = n;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			close(fd);
			return r;
		}
		if (!r)
			break;
		len += r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return len;
}
