// SPDX-License-Identifier: MIT
#include <errno.h>
#include <libunwind.h>
#include <stdlib.h>
#include <string.h>

#include "unwind.h"

/* libunwind exports this, but declares it only in its private headers. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

#define UNWIND_MAX_DEPTH 512
#define MODULE_CACHE	 8

/* perf's x86-64 register numbers */
enum {
	PERF_AX,
	PERF_BX,
	PERF_CX,
	PERF_DX,
	PERF_SI,
	PERF_DI,
	PERF_BP,
	PERF_SP,
	PERF_IP,
	PERF_R8 = 16,
};

struct unwinder {
	unw_addr_space_t as;
	unwind_find_fn find;
	void *find_ctx;
	struct unwind_stats stats;
	/* the sample being unwound */
	const struct unwind_sample *s;
	uint64_t regs[24]; /* current values by perf number */
	uint64_t stack_lo, stack_hi;
	bool hit_end; /* a read went past the copy */
	struct unwind_module mods[MODULE_CACHE];
	int nr_mods, next_mod;
};

/* True when the whole word at addr lies in [start, start + size). */
static bool in_range(uint64_t addr, uint64_t start, uint64_t size)
{
	return addr >= start && size >= 8 && addr - start <= size - 8;
}

/*
 * Copies the part of the word at addr that lies in [start, start + size)
 * from data, zero-filling the rest. libunwind reads aligned words, so a
 * word may begin before a section or end after it. Returns false when
 * they do not overlap.
 */
static bool read_overlap(uint64_t addr, uint64_t start, uint64_t size, const uint8_t *data,
			 unw_word_t *valp)
{
	uint64_t lo = addr > start ? addr : start, hi = addr + 8, end = start + size;
	uint8_t word[8] = { 0 };

	if (!data || !size || addr >= end || hi <= start)
		return false;
	if (hi > end)
		hi = end;
	memcpy(word + (lo - addr), data + (lo - start), hi - lo);
	memcpy(valp, word, 8);
	return true;
}

/* Reads a word the unwinder may see: the stack copy, or a cached module's tables. */
static int acc_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp, int write, void *arg)
{
	struct unwinder *u = arg;
	int i;

	(void)as;
	if (write)
		return -UNW_EINVAL;
	if (read_overlap(addr, u->stack_lo, u->stack_hi - u->stack_lo, u->s->stack, valp))
		return 0;
	for (i = 0; i < u->nr_mods; i++) {
		const struct unwind_module *m = &u->mods[i];

		if (read_overlap(addr, m->eh_frame_hdr_vaddr + m->bias, m->eh_frame_hdr_size,
				 m->eh_frame_hdr, valp) ||
		    read_overlap(addr, m->eh_frame_vaddr + m->bias, m->eh_frame_size, m->eh_frame,
				 valp))
			return 0;
	}
	if (addr >= u->stack_hi && addr < u->stack_hi + (1 << 20)) {
		u->hit_end = true;
		return -UNW_EINVAL;
	}
	/* Elsewhere in a module's image: a personality or LSDA pointer, which unwinding
	 * does not use. */
	for (i = 0; i < u->nr_mods; i++) {
		const struct unwind_module *m = &u->mods[i];

		if (m->image_hi > m->image_lo && addr >= m->image_lo + m->bias &&
		    addr < m->image_hi + m->bias) {
			*valp = 0;
			return 0;
		}
	}
	return -UNW_EINVAL;
}

static int perf_reg(int unw)
{
	switch (unw) {
	case UNW_X86_64_RAX:
		return PERF_AX;
	case UNW_X86_64_RDX:
		return PERF_DX;
	case UNW_X86_64_RCX:
		return PERF_CX;
	case UNW_X86_64_RBX:
		return PERF_BX;
	case UNW_X86_64_RSI:
		return PERF_SI;
	case UNW_X86_64_RDI:
		return PERF_DI;
	case UNW_X86_64_RBP:
		return PERF_BP;
	case UNW_X86_64_RSP:
		return PERF_SP;
	case UNW_X86_64_RIP:
		return PERF_IP;
	default:
		if (unw >= UNW_X86_64_R8 && unw <= UNW_X86_64_R15)
			return PERF_R8 + unw - UNW_X86_64_R8;
		return -1;
	}
}

static int acc_reg(unw_addr_space_t as, unw_regnum_t regnum, unw_word_t *valp, int write, void *arg)
{
	struct unwinder *u = arg;
	int r = perf_reg(regnum);

	(void)as;
	if (write || r < 0)
		return -UNW_EBADREG;
	*valp = u->regs[r];
	return 0;
}

static int acc_fpreg(unw_addr_space_t as, unw_regnum_t regnum, unw_fpreg_t *val, int write,
		     void *arg)
{
	(void)as, (void)regnum, (void)val, (void)write, (void)arg;
	return -UNW_EINVAL;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as, (void)c, (void)arg;
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			 unw_word_t *off, void *arg)
{
	(void)as, (void)addr, (void)buf, (void)len, (void)off, (void)arg;
	return -UNW_EINVAL;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dilap, void *arg)
{
	(void)as, (void)dilap, (void)arg;
	return -UNW_ENOINFO;
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as, (void)pi, (void)arg;
}

/* A DWARF pointer in .eh_frame_hdr: only the encodings linkers write. */
static bool eh_read(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t base, uint64_t *v)
{
	int32_t s4;
	uint32_t u4;

	if (enc == 0xff)
		return false; /* omitted */
	switch (enc & 0x0f) {
	case 0x03: /* udata4 */
		if (end - *p < 4)
			return false;
		memcpy(&u4, *p, 4);
		*v = u4;
		*p += 4;
		break;
	case 0x0b: /* sdata4 */
		if (end - *p < 4)
			return false;
		memcpy(&s4, *p, 4);
		*v = (int64_t)s4;
		*p += 4;
		break;
	default:
		return false;
	}
	if ((enc & 0x70) == 0x10) /* pcrel */
		*v += base;
	return true;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	struct unwinder *u = arg;
	struct unwind_module m;
	const uint8_t *p, *end;
	uint64_t hdr_rt, eh_ptr, count;
	unw_dyn_info_t di;
	int i;

	if (!u->find(u->find_ctx, ip, &m) || m.jit || !m.eh_frame_hdr || m.eh_frame_hdr_size < 12)
		return -UNW_ENOINFO;
	p = m.eh_frame_hdr;
	end = p + m.eh_frame_hdr_size;
	hdr_rt = m.eh_frame_hdr_vaddr + m.bias;
	/* version 1; eh_frame_ptr, fde_count and a table of sdata4 datarel pairs */
	if (p[0] != 1 || p[3] != 0x3b)
		return -UNW_ENOINFO;
	p += 4;
	if (!eh_read(&p, end, m.eh_frame_hdr[1], hdr_rt + 4, &eh_ptr) ||
	    !eh_read(&p, end, m.eh_frame_hdr[2], 0, &count) || count > (uint64_t)(end - p) / 8)
		return -UNW_ENOINFO;
	/* Keep the module for acc_mem: libunwind reads its tables next. */
	for (i = 0; i < u->nr_mods; i++)
		if (u->mods[i].eh_frame_hdr == m.eh_frame_hdr && u->mods[i].bias == m.bias)
			break;
	if (i == u->nr_mods) {
		if (u->nr_mods < MODULE_CACHE) {
			i = u->nr_mods++;
		} else {
			i = u->next_mod;
			u->next_mod = (u->next_mod + 1) % MODULE_CACHE;
		}
		u->mods[i] = m;
	}
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m.start;
	di.end_ip = m.end;
	di.u.rti.segbase = hdr_rt;
	di.u.rti.table_data = hdr_rt + (p - m.eh_frame_hdr);
	di.u.rti.table_len = count * 8 / sizeof(unw_word_t);
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi, need_unwind_info, arg);
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = acc_mem,
	.access_reg = acc_reg,
	.access_fpreg = acc_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

struct unwinder *unwinder__new(unwind_find_fn find, void *ctx)
{
	struct unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->as = unw_create_addr_space(&accessors, 0);
	if (!u->as) {
		free(u);
		errno = ENOMEM;
		return NULL;
	}
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	u->find = find;
	u->find_ctx = ctx;
	return u;
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	unw_destroy_addr_space(u->as);
	free(u);
}

void unwinder__flush(struct unwinder *u)
{
	unw_flush_cache(u->as, 0, 0);
	u->nr_mods = 0;
}

const struct unwind_stats *unwinder__stats(const struct unwinder *u)
{
	return &u->stats;
}

/* Loads the sample's registers by perf number. Returns false without IP and SP. */
static bool unwinder__load(struct unwinder *u, const struct unwind_sample *s)
{
	uint64_t mask = s->mask;
	int bit, i = 0;

	memset(u->regs, 0, sizeof(u->regs));
	for (bit = 0; bit < 24 && mask && (uint64_t)i < s->nr_regs; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		u->regs[bit] = s->regs[i++];
		mask &= ~(1ULL << bit);
	}
	if (mask)
		return false; /* the mask names registers the sample does not have */
	if (!(s->mask & (1ULL << PERF_IP)) || !(s->mask & (1ULL << PERF_SP)))
		return false;
	u->s = s;
	u->stack_lo = u->regs[PERF_SP];
	u->stack_hi = u->stack_lo + s->stack_size;
	u->hit_end = false;
	return true;
}

/* A frame-pointer step from bp, inside the copy: the JIT frames' way. */
static bool fp_step(struct unwinder *u)
{
	uint64_t bp = u->regs[PERF_BP], sp = u->regs[PERF_SP], next_bp, ret;

	if (bp < sp || !in_range(bp, u->stack_lo, u->stack_hi - u->stack_lo) ||
	    !in_range(bp + 8, u->stack_lo, u->stack_hi - u->stack_lo)) {
		if (bp >= u->stack_hi && bp < u->stack_hi + (1 << 20))
			u->hit_end = true;
		return false;
	}
	memcpy(&next_bp, u->s->stack + (bp - u->stack_lo), 8);
	memcpy(&ret, u->s->stack + (bp + 8 - u->stack_lo), 8);
	if (!ret)
		return false;
	u->regs[PERF_IP] = ret;
	u->regs[PERF_SP] = bp + 16;
	u->regs[PERF_BP] = next_bp;
	return true;
}

int unwinder__unwind(struct unwinder *u, const struct unwind_sample *s, uint64_t *ips, int max,
		     bool *truncated)
{
	unw_cursor_t c;
	int n = 0, r;
	bool cursor = false, ended = false;
	uint64_t sp0;

	if (truncated)
		*truncated = false;
	if (max <= 0)
		return 0;
	if (!unwinder__load(u, s)) {
		u->stats.bad_regs++;
		return 0;
	}
	sp0 = u->regs[PERF_SP];
	ips[n++] = u->regs[PERF_IP];
	while (n < max && n < UNWIND_MAX_DEPTH) {
		uint64_t sp = u->regs[PERF_SP];
		unw_word_t ip = 0, nsp = 0, bp = 0;

		if (!cursor) {
			if (unw_init_remote(&c, u->as, u))
				break;
			cursor = true;
		}
		r = unw_step(&c);
		if (!r) {
			ended = true; /* the outermost frame: its return address is undefined */
			break;
		}
		if (r > 0 && !unw_get_reg(&c, UNW_REG_IP, &ip) &&
		    !unw_get_reg(&c, UNW_REG_SP, &nsp) && !unw_get_reg(&c, UNW_X86_64_RBP, &bp)) {
			/* A walk that does not move up the stack is going in circles. */
			if (nsp <= sp || !ip) {
				ended = !ip;
				break;
			}
			u->regs[PERF_IP] = ip;
			u->regs[PERF_SP] = nsp;
			u->regs[PERF_BP] = bp;
		} else if (r < 0 && fp_step(u) && u->regs[PERF_SP] > sp) {
			/* No CFI here (JIT code): one frame by frame pointer, then CFI again. */
			cursor = false;
		} else {
			break;
		}
		ips[n++] = u->regs[PERF_IP];
	}
	if (u->hit_end) {
		u->stats.truncated++;
		if (truncated)
			*truncated = true;
	} else if (ended) {
		u->stats.unwound++;
		if (u->regs[PERF_SP] - sp0 > u->stats.deepest)
			u->stats.deepest = u->regs[PERF_SP] - sp0;
	} else {
		u->stats.no_cfi++;
	}
	return n;
}

bool unwinder__frameless_caller(struct unwinder *u, const struct unwind_sample *s, uint64_t *caller)
{
	unw_word_t ip, sp;
	unw_cursor_t c;
	uint64_t sp0;

	if (!unwinder__load(u, s))
		return false;
	sp0 = u->regs[PERF_SP];
	if (unw_init_remote(&c, u->as, u) || unw_step(&c) <= 0 ||
	    unw_get_reg(&c, UNW_REG_IP, &ip) || unw_get_reg(&c, UNW_REG_SP, &sp))
		return false;
	/* CFA = SP + 8: the return address is the top word, and no frame was made. */
	if (sp != sp0 + 8 || !ip)
		return false;
	*caller = ip;
	return true;
}
