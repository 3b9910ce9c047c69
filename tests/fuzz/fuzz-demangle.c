// SPDX-License-Identifier: MIT
/* Demangling (libiberty): C++ and Rust names from a target's binaries, short and full. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbolizer/demangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), *d;

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	d = demangle(name, false);
	free(d);
	d = demangle(name, true);
	free(d);
	free(name);
	return 0;
}
