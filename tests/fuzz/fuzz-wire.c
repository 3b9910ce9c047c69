// SPDX-License-Identifier: MIT
/*
 * What the sandboxed ELF reader sends back, as sear reads it: a helper
 * subverted by the file it parsed could write anything. The first byte
 * picks the answer: a symbol table, or one address's DWARF frames.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbolizer/sandbox.h"
#include "symbolizer/symtab.h"

static uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dwarf_frame f[32];
	char *strs;
	int n, i;

	if (!size)
		return 0;
	if (data[0] & 1) {
		struct symtab *t = symtab__deserialize(data + 1, size - 1);
		struct symtab_section hdr, eh;
		uint64_t vaddr;
		int64_t delta;

		if (!t)
			return 0;
		sink += symtab__count(t);
		if (!symtab__file_to_vaddr(t, 0x1000, &vaddr) && symtab__lookup(t, vaddr, NULL))
			sink += strlen(symtab__lookup(t, vaddr, NULL));
		if (symtab__lookup(t, 0x1000, NULL))
			sink++;
		if (!symtab__unwind_tables(t, &hdr, &eh, &delta))
			sink +=
			    (hdr.size ? hdr.data[hdr.size - 1] : 0) + (eh.size ? eh.data[0] : 0);
		symtab__free(t);
		return 0;
	}
	strs = malloc(size + 2 * 32);
	if (!strs)
		return 0;
	n = sandbox__frames(data + 1, size - 1, f, 32, strs);
	for (i = 0; i < n; i++)
		sink += (f[i].name ? strlen(f[i].name) : 0) + (f[i].file ? strlen(f[i].file) : 0);
	free(strs);
	return 0;
}
