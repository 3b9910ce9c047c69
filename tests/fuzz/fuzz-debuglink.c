// SPDX-License-Identifier: MIT
/*
 * Where a stripped module's debug file may be: the paths made from its
 * build-id and .gnu_debuglink name (both from the binary) and its path
 * (from the target). Input: a length byte and that many build-id bytes,
 * then the debuglink name up to a NUL, then the module's path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbolizer/dwarf.h"

static char paths[4][4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct debuglink l = { 0 };
	const uint8_t *p = data, *end = data + size, *nul;
	char *path;
	size_t n;

	if (!size)
		return 0;
	n = *p++ % (sizeof(l.build_id) + 1);
	if ((size_t)(end - p) < n)
		return 0;
	memcpy(l.build_id, p, n);
	l.build_id_len = n;
	p += n;
	nul = memchr(p, '\0', end - p);
	n = nul ? (size_t)(nul - p) : (size_t)(end - p);
	if (n >= sizeof(l.name))
		n = sizeof(l.name) - 1;
	memcpy(l.name, p, n);
	p = nul ? nul + 1 : end;
	path = malloc(end - p + 1);
	if (!path)
		return 0;
	memcpy(path, p, end - p);
	path[end - p] = '\0';
	debuglink__paths(&l, path, paths, 4);
	debuglink__paths(&l, path, paths, (int)(size % 5));
	free(path);
	return 0;
}
