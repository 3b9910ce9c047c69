// SPDX-License-Identifier: MIT
#include <libiberty/demangle.h>
#include <string.h>

#include "demangle.h"

char *demangle(const char *name, bool full)
{
	/* _Z: Itanium C++ and legacy Rust; _R: Rust v0. Others are left as they are. */
	if (strncmp(name, "_Z", 2) && strncmp(name, "_R", 2))
		return NULL;
	return cplus_demangle(name, DMGL_AUTO | (full ? DMGL_PARAMS | DMGL_ANSI : 0));
}
