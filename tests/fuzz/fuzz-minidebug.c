// SPDX-License-Identifier: MIT
/* MiniDebugInfo: an ELF's .gnu_debugdata, xz-compressed, and the ELF symbols inside it. */
#include <stdint.h>
#include <stdlib.h>

#include "symbolizer/dwarf.h"
#include "symbolizer/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = 0;
	void *elf = minidebuginfo__read_mem(data, size, &len);
	struct symtab *t;

	if (!elf)
		return 0;
	t = symtab__new_elf_mem(elf, len, 0);
	if (t)
		symtab__lookup(t, 0x1000, NULL);
	symtab__free(t);
	free(elf);
	return 0;
}
