/* SPDX-License-Identifier: MIT */
#ifndef SEAR_UNWIND_ROW_H
#define SEAR_UNWIND_ROW_H

/*
 * The compact unwind row: what lib/ehframe.c compiles CFI into and what
 * lib/unwind.bpf.c reads at sample time. This header is included by both
 * user space and the BPF program, so it uses only the kernel's __u* types.
 *
 * A module's rows form a table sorted by strictly increasing pc. The row
 * for an address is the last one whose pc is <= the address's offset from
 * the table's base (an image address, see ehframe_table__base()); before
 * the first row there is no CFI.
 *
 * Invariants:
 *  - the caller's return address is at CFA - 8 (x86-64), and the caller's
 *    RSP is the CFA;
 *  - cfa holds a type in its low 3 bits and the CFA offset divided by 8 in
 *    the 13 high bits (0..65528 bytes). A rule whose offset is negative,
 *    not a multiple of 8 or larger becomes UNWIND_CFA_UNSUPPORTED;
 *  - rbp is where the caller's RBP was saved, relative to the CFA, in
 *    bytes: UNWIND_RBP_SAME when the function did not change it,
 *    UNWIND_RBP_UNSUPPORTED for any other rule, or an offset that fits in
 *    an int16 (one that does not fit is UNSUPPORTED too);
 *  - in UNWIND_CFA_PLT rows, rbp holds the threshold K of the PLT
 *    expression instead (RBP is unchanged in PLT stubs).
 */

#ifdef __VMLINUX_H__
/* BPF: vmlinux.h defines the types. */
#else
#include <linux/types.h>
#endif

struct unwind_row {
	__u32 pc;  /* offset of the first address this row covers from the table's base */
	__u16 cfa; /* UNWIND_CFA_* | (offset / 8) << 3 */
	__s16 rbp; /* UNWIND_RBP_* or CFA-relative offset of the saved RBP */
};

enum unwind_cfa_type {
	/* No CFI here (between functions, code with no FDE): a frame-pointer step. */
	UNWIND_CFA_GAP = 0,
	UNWIND_CFA_RSP = 1, /* CFA = RSP + offset */
	UNWIND_CFA_RBP = 2, /* CFA = RBP + offset */
	/* A .plt stub: CFA = RSP + offset + ((RIP & 15) >= K ? 8 : 0), K in rbp. */
	UNWIND_CFA_PLT = 3,
	/* The return address is undefined: the outermost frame (_start, clone). */
	UNWIND_CFA_END = 4,
	/* Another register or expression: the BPF side falls back to a frame-pointer step. */
	UNWIND_CFA_UNSUPPORTED = 5,
};

#define UNWIND_CFA_TYPE_MASK   7
#define UNWIND_CFA_OFF_SHIFT   3
#define UNWIND_CFA_OFF_MAX     (0x1fff * 8)
#define UNWIND_RBP_SAME	       0
#define UNWIND_RBP_UNSUPPORTED (-32768)

#define unwind_row__cfa_type(r) ((r)->cfa & UNWIND_CFA_TYPE_MASK)
#define unwind_row__cfa_off(r)	((__u32)((r)->cfa >> UNWIND_CFA_OFF_SHIFT) * 8)

#endif
