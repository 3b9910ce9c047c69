// SPDX-License-Identifier: MIT
/*
 * The CFI parser and row compiler on hostile sections. Layout of the input:
 * a mode byte (bit 0: the section is .debug_frame; bit 1: the second half
 * of the data is an extra .debug_frame), 4 bytes of the section's address
 * (shifted left by 4), then the section. Checks the table's invariants:
 * rows strictly sorted, and lookups that agree with them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ehframe.h"

static int count_fde(void *ctx, uint64_t start, uint64_t end)
{
	(void)start;
	(void)end;
	(*(size_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ehframe_opts o = { 0 };
	struct ehframe_table *t;
	const struct unwind_row *rows, *r;
	size_t nr, i, fdes = 0, len;
	uint32_t addr;
	uint8_t mode;

	if (size < 5)
		return 0;
	mode = data[0];
	memcpy(&addr, data + 1, 4);
	data += 5;
	size -= 5;
	o.vaddr = (uint64_t)addr << 4;
	o.data_base = o.vaddr + 0x100000;
	o.debug_frame = mode & 1;
	len = size;
	if (mode & 2) {
		len = size / 2;
		o.debug_frame_buf = data + len;
		o.debug_frame_len = size - len;
	}
	ehframe__fdes_mem(data, len, &o, count_fde, &fdes);
	t = ehframe_table__new_mem(data, len, &o);
	if (!t)
		return 0;
	rows = ehframe_table__rows(t, &nr);
	for (i = 0; i < nr; i++) {
		if (i && rows[i].pc <= rows[i - 1].pc)
			abort(); /* rows must be strictly sorted */
		r = ehframe_table__find(t, ehframe_table__base(t) + rows[i].pc);
		if (r != &rows[i])
			abort();
		if (unwind_row__cfa_type(&rows[i]) > UNWIND_CFA_UNSUPPORTED)
			abort();
	}
	if (nr && ehframe_table__base(t) && ehframe_table__find(t, ehframe_table__base(t) - 1))
		abort();
	ehframe_table__free(t);
	return 0;
}
