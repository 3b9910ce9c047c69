/* SPDX-License-Identifier: MIT */
#ifndef SEAR_UNWIND_H
#define SEAR_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * User-space unwinding of one sample from a copy of its stack and its
 * registers, with libunwind's remote API and the modules' .eh_frame CFI.
 * Where a frame has no CFI (JIT code keeps frame pointers instead), the
 * walk goes on by frame pointer.
 *
 * An unwind reads only the copied stack and the modules' unwind tables
 * (the caller hands them over per address): never the target's memory,
 * never past the copy. It ends at a depth cap, when the stack pointer
 * stops increasing, or when it would read past the copy (counted as
 * truncated: a larger stack copy would have gone further).
 *
 * x86-64 only; the register set is perf's (PERF_REG_X86_*).
 */

/* The registers to sample (attr.sample_regs_user): the general ones, IP and SP. */
#define UNWIND_REGS_MASK 0xff0fffULL

/* One module's unwind tables, as found for an address. Borrowed. */
struct unwind_module {
	uint64_t start, end; /* the executable mapping, runtime addresses */
	int64_t bias;	     /* runtime = image address + bias */
	const uint8_t *eh_frame_hdr, *eh_frame;
	uint64_t eh_frame_hdr_vaddr, eh_frame_hdr_size, eh_frame_vaddr, eh_frame_size;
	/*
	 * The image's loadable segments, image addresses. libunwind reads a CIE's
	 * personality and LSDA pointers there (C++ code with exception tables):
	 * unwinding does not use them, and the target's memory is never read, so
	 * those reads see zeros.
	 */
	uint64_t image_lo, image_hi;
	bool jit; /* code without CFI: continue by frame pointer */
};

/* Finds the module holding ip. Returns false when none does. */
typedef bool (*unwind_find_fn)(void *ctx, uint64_t ip, struct unwind_module *out);

struct unwind_sample {
	const uint64_t *regs; /* in mask bit order */
	uint64_t nr_regs;     /* entries in regs: a mask naming more is not trusted */
	uint64_t mask;
	const uint8_t *stack; /* the copy, starting at the sampled SP */
	uint64_t stack_size;  /* valid bytes of the copy */
};

/* Each sample counts once: unwound whole, or stopped for one reason. */
struct unwind_stats {
	uint64_t unwound;   /* samples unwound to their outermost frame */
	uint64_t no_cfi;    /* samples stopped at a frame with no CFI nor frame pointer to go on */
	uint64_t truncated; /* samples whose walk reached the end of the stack copy */
	uint64_t bad_regs;  /* samples without usable registers (no IP or SP) */
	uint64_t deepest;   /* bytes of stack the deepest whole walk used: a copy size that works */
};

struct unwinder;

/* Returns a new unwinder; free with unwinder__free(). NULL with errno on failure. */
struct unwinder *unwinder__new(unwind_find_fn find, void *ctx);
void unwinder__free(struct unwinder *u);

/*
 * Unwinds s into ips (at most max), leaf first: ips[0] is the sampled IP,
 * the rest return addresses. Returns the count (0 when the sample has no
 * usable registers). *truncated (if not NULL) says whether the walk ended
 * at the end of the stack copy: a larger copy would have gone further.
 */
int unwinder__unwind(struct unwinder *u, const struct unwind_sample *s, uint64_t *ips, int max,
		     bool *truncated);

/*
 * For frame-pointer stacks: when the sampled IP's CFI says no frame is set
 * up yet (CFA = SP + 8: a leaf without a frame, or a function's first
 * instruction), a frame-pointer walk skips the caller. Then *caller gets
 * the return address at [SP] and this returns true.
 */
bool unwinder__frameless_caller(struct unwinder *u, const struct unwind_sample *s,
				uint64_t *caller);

/* Counters so far; borrowed. */
const struct unwind_stats *unwinder__stats(const struct unwinder *u);

/* Forgets cached unwind information: call when mappings change (exec). */
void unwinder__flush(struct unwinder *u);

#endif
