/* SPDX-License-Identifier: MIT */
#ifndef SEAR_EHFRAME_H
#define SEAR_EHFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind_row.h"

/*
 * A parser of x86-64 call frame information (.eh_frame, and .debug_frame
 * where given), and its compiler into the compact rows that the in-kernel
 * unwinder reads (lib/unwind_row.h).
 *
 * The input is untrusted: a profiled process controls its binaries and sear
 * runs as root. Every length is checked against the buffer, counts are
 * capped (EHFRAME_MAX_FDES, EHFRAME_MAX_ROWS), every loop advances through
 * the buffer or is bounded, and a malformed CIE or FDE is skipped (and
 * counted), never trusted. Nothing here prints: messages go through
 * lib/log.h.
 *
 * What the rows keep of each FDE's CFI, and what they drop:
 *  - the CFA rule, when it is RSP or RBP plus an offset that is a multiple
 *    of 8 in 0..65528, or the .plt stubs' expression; anything else (other
 *    registers, other expressions, offsets that do not fit) is a row of type
 *    UNWIND_CFA_UNSUPPORTED;
 *  - where the caller's RBP is: unchanged, or saved at CFA + an int16
 *    offset; any other rule (register, expression, val_offset, undefined,
 *    an offset that does not fit) is UNWIND_RBP_UNSUPPORTED;
 *  - whether the return address is undefined (UNWIND_CFA_END: the outermost
 *    frame). A return address anywhere but CFA - 8 is UNSUPPORTED;
 *  - every other register's rule, DW_CFA_GNU_args_size and signal-frame
 *    ('S') marks are dropped: the walk needs only RSP, RBP and RIP;
 *  - an FDE whose start or end lies 4 GiB or more above the table's base
 *    (the lowest FDE start) is dropped, since row pcs are 32-bit offsets.
 *
 * Each FDE's rows end with an UNWIND_CFA_GAP row at its end address, so
 * code between functions is not covered by the previous function's last
 * row. Where FDEs overlap, the later one starts where the earlier one is
 * cut. Adjacent rows with the same rules are merged.
 */

#define EHFRAME_MAX_FDES (4u << 20)  /* node has 76K */
#define EHFRAME_MAX_ROWS (16u << 20) /* 128 MiB; node has 372K rows */

/* Where a section sits in the image, to resolve its relative pointers. */
struct ehframe_opts {
	uint64_t vaddr;	    /* image address of the section's first byte (DW_EH_PE_pcrel) */
	uint64_t data_base; /* DW_EH_PE_datarel base (.got on x86-64); 0 rejects such pointers */
	bool debug_frame;   /* the buffer is .debug_frame (CIE id ~0, absolute CIE offsets) */
	/* ehframe_table__new_mem only: .debug_frame rows for addresses .eh_frame leaves out. */
	const void *debug_frame_buf;
	size_t debug_frame_len;
};

/* What a parse met and what it dropped. */
struct ehframe_stats {
	uint64_t cies, fdes;  /* well-formed ones */
	uint64_t personality; /* CIEs with a personality routine ('P') */
	uint64_t bad_cies;    /* malformed or unsupported CIEs (their FDEs are dropped) */
	uint64_t bad_fdes;    /* malformed FDEs, and FDEs that could not be placed */
	uint64_t bad_insns;   /* FDEs whose CFI program stopped early (the rest is UNSUPPORTED) */
	uint64_t rows;	      /* rows in the final table */
	uint64_t unsupported; /* of which UNWIND_CFA_UNSUPPORTED */
	uint64_t rbp_unsupported; /* of which with UNWIND_RBP_UNSUPPORTED */
	uint64_t plt;		  /* of which UNWIND_CFA_PLT */
};

/*
 * Called once per well-formed FDE, in section order, with the function's
 * [start, end) in image addresses. Returning non-zero stops the walk.
 */
typedef int (*ehframe_fde_fn)(void *ctx, uint64_t start, uint64_t end);

/*
 * Enumerates the FDEs of a .eh_frame (or .debug_frame) section in buf.
 * Malformed entries are skipped; a length that runs past the buffer ends
 * the walk. Returns 0, or fn's non-zero value.
 */
int ehframe__fdes_mem(const void *buf, size_t len, const struct ehframe_opts *o, ehframe_fde_fn fn,
		      void *ctx);

/* One module's compiled rows. */
struct ehframe_table;

/*
 * Compiles the CFI of every FDE in buf (and in o->debug_frame_buf) into a
 * table of rows. A section with no usable FDE gives an empty table, not an
 * error. Returns a new table; free with ehframe_table__free(). NULL with
 * errno ENOMEM, or E2BIG when the section holds more than the caps.
 */
struct ehframe_table *ehframe_table__new_mem(const void *buf, size_t len,
					     const struct ehframe_opts *o);
void ehframe_table__free(struct ehframe_table *t);

/* The rows, sorted by pc; *nr gets their count. Borrowed, valid until ehframe_table__free(). */
const struct unwind_row *ehframe_table__rows(const struct ehframe_table *t, size_t *nr);

/* The image address that the rows' pcs are offsets from. */
uint64_t ehframe_table__base(const struct ehframe_table *t);

/*
 * Returns the row that covers image address addr, or NULL when no row does
 * (before the first FDE). Borrowed, valid until ehframe_table__free().
 */
const struct unwind_row *ehframe_table__find(const struct ehframe_table *t, uint64_t addr);

/* What the parse met. Borrowed, valid until ehframe_table__free(). */
const struct ehframe_stats *ehframe_table__stats(const struct ehframe_table *t);

#endif
