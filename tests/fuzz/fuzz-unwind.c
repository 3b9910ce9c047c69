// SPDX-License-Identifier: MIT
/*
 * The unwinder's input: registers, a stack copy and a module's unwind
 * tables, all from the fuzzer. Layout of the input: 20 registers (perf
 * order of UNWIND_REGS_MASK), then a u16 eh_frame_hdr size, that many
 * bytes, a u16 eh_frame size, those bytes, and the rest is the stack.
 */
#include <stdint.h>
#include <string.h>

#include "lib/unwind.h"

struct fuzz_mod {
	struct unwind_module m;
};

static bool find(void *ctx, uint64_t ip, struct unwind_module *out)
{
	struct fuzz_mod *f = ctx;

	if (ip < f->m.start || ip >= f->m.end)
		return false;
	*out = f->m;
	out->jit = ip & 1; /* sometimes the frame-pointer path */
	return true;
}

static bool take(const uint8_t **p, const uint8_t *end, size_t n, const uint8_t **out)
{
	if ((size_t)(end - *p) < n)
		return false;
	*out = *p;
	*p += n;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *regs_b, *hdr, *eh, *lenb;
	static struct unwinder *u;
	static struct fuzz_mod mod;
	uint64_t regs[20], ips[64], caller;
	uint16_t hlen, elen;
	struct unwind_sample s;

	if (!u)
		u = unwinder__new(find, &mod);
	if (!u || !take(&p, end, sizeof(regs), &regs_b) || !take(&p, end, 2, &lenb))
		return 0;
	memcpy(regs, regs_b, sizeof(regs));
	memcpy(&hlen, lenb, 2);
	if (!take(&p, end, hlen, &hdr) || !take(&p, end, 2, &lenb))
		return 0;
	memcpy(&elen, lenb, 2);
	if (!take(&p, end, elen, &eh))
		return 0;
	mod.m = (struct unwind_module){
		.start = regs[8] & ~0xfffULL,
		.end = (regs[8] & ~0xfffULL) + 0x100000,
		.bias = 0,
		.eh_frame_hdr = hlen ? hdr : NULL,
		.eh_frame = elen ? eh : NULL,
		.eh_frame_hdr_vaddr = mod.m.start + 0x1000,
		.eh_frame_hdr_size = hlen,
		.eh_frame_vaddr = mod.m.start + 0x2000,
		.eh_frame_size = elen,
	};
	/* Sometimes fewer registers than the mask names: the unwinder must not trust it. */
	s = (struct unwind_sample){ regs, regs[0] & 1 ? 20 : regs[0] % 21, UNWIND_REGS_MASK, p,
				    (uint64_t)(end - p) };
	unwinder__unwind(u, &s, ips, 64, NULL);
	unwinder__frameless_caller(u, &s, &caller);
	unwinder__flush(u); /* the tables change with every input */
	return 0;
}
