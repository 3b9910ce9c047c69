// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>

#include "symbolizer/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct symtab *t = symtab__new_elf_mem(data, size);
	uint64_t vaddr;

	if (t) {
		if (!symtab__file_to_vaddr(t, 0x1000, &vaddr))
			symtab__lookup(t, vaddr, NULL);
		symtab__free(t);
	}
	return 0;
}
