// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>

#include "symbolizer/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct symtab *t = symtab__new_kallsyms_mem((const char *)data, size);

	if (t) {
		symtab__lookup(t, 0xffffffff81000000ULL, NULL);
		symtab__free(t);
	}
	return 0;
}
