// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ehframe.h"
#include "log.h"

/* x86-64 DWARF register numbers. */
#define REG_RBP 6
#define REG_RSP 7

#define CIE_CACHE     16
#define STATE_STACK   16 /* DW_CFA_remember_state nesting; compilers use 1 or 2 */
#define AUG_MAX	      16 /* augmentation string length */
#define CIE_INSNS_MAX 256

/* DW_EH_PE_* pointer encodings */
#define PE_ABSPTR   0x00
#define PE_ULEB128  0x01
#define PE_UDATA2   0x02
#define PE_UDATA4   0x03
#define PE_UDATA8   0x04
#define PE_SLEB128  0x09
#define PE_SDATA2   0x0a
#define PE_SDATA4   0x0b
#define PE_SDATA8   0x0c
#define PE_PCREL    0x10
#define PE_TEXTREL  0x20
#define PE_DATAREL  0x30
#define PE_FUNCREL  0x40
#define PE_ALIGNED  0x50
#define PE_INDIRECT 0x80
#define PE_OMIT	    0xff

/* A bounded reader over [p, end); every read checks the bound. */
struct cur {
	const uint8_t *p, *end;
};

static bool rd_bytes(struct cur *c, void *out, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	memcpy(out, c->p, n);
	c->p += n;
	return true;
}

static bool rd_u8(struct cur *c, uint8_t *v)
{
	return rd_bytes(c, v, 1);
}

/* LEB128's bytes into *r; *shift and *last tell the sign extension. */
static bool rd_leb(struct cur *c, uint64_t *r, unsigned int *shift, uint8_t *last)
{
	uint8_t b;

	*r = 0;
	*shift = 0;
	do {
		if (c->p >= c->end)
			return false;
		b = *c->p++;
		if (*shift < 64)
			*r |= (uint64_t)(b & 0x7f) << *shift;
		*shift += 7;
		/* No real value is this long: stop a run of 0x80 bytes here. */
		if (*shift > 70 && (b & 0x80))
			return false;
	} while (b & 0x80);
	*last = b;
	return true;
}

static bool rd_uleb(struct cur *c, uint64_t *v)
{
	unsigned int shift;
	uint8_t last;

	return rd_leb(c, v, &shift, &last);
}

static bool rd_sleb(struct cur *c, int64_t *v)
{
	uint64_t r;
	unsigned int shift;
	uint8_t b;

	if (!rd_leb(c, &r, &shift, &b))
		return false;
	if (shift < 64 && (b & 0x40))
		r |= ~0ULL << shift;
	*v = (int64_t)r;
	return true;
}

/* A section being parsed. */
struct sec {
	const uint8_t *buf;
	size_t len;
	uint64_t vaddr, data_base;
	bool debug_frame;
	uint8_t src; /* 0: the main buffer, 1: the extra .debug_frame */
};

enum ptr_use {
	PTR_ADDR,  /* an address: apply pcrel/datarel, refuse indirect */
	PTR_RANGE, /* a length: the value format only */
	PTR_SKIP,  /* a personality or LSDA pointer: read past it, value unused */
};

/* Reads one pointer of encoding enc. Returns false when it cannot be read or resolved. */
static bool rd_ptr(struct cur *c, const struct sec *s, uint8_t enc, enum ptr_use use, uint64_t *out)
{
	uint64_t field = s->vaddr + (uint64_t)(c->p - s->buf), v = 0;
	uint16_t b2;
	uint32_t b4;
	int64_t sv;

	if (enc == PE_OMIT)
		return false;
	if (use != PTR_RANGE && (enc & 0x70) == PE_ALIGNED) {
		size_t skip = (8 - (field & 7)) & 7;

		if ((size_t)(c->end - c->p) < skip)
			return false;
		c->p += skip;
		field += skip;
		enc = PE_ABSPTR | (enc & PE_INDIRECT);
	}
	switch (enc & 0x0f) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		if (!rd_bytes(c, &v, 8))
			return false;
		break;
	case PE_ULEB128:
		if (!rd_uleb(c, &v))
			return false;
		break;
	case PE_SLEB128:
		if (!rd_sleb(c, &sv))
			return false;
		v = (uint64_t)sv;
		break;
	case PE_UDATA2:
		if (!rd_bytes(c, &b2, 2))
			return false;
		v = b2;
		break;
	case PE_SDATA2:
		if (!rd_bytes(c, &b2, 2))
			return false;
		v = (uint64_t)(int64_t)(int16_t)b2;
		break;
	case PE_UDATA4:
		if (!rd_bytes(c, &b4, 4))
			return false;
		v = b4;
		break;
	case PE_SDATA4:
		if (!rd_bytes(c, &b4, 4))
			return false;
		v = (uint64_t)(int64_t)(int32_t)b4;
		break;
	default:
		return false;
	}
	if (use == PTR_RANGE)
		goto out;
	switch (enc & 0x70) {
	case 0:
		break;
	case PE_PCREL:
		v += field;
		break;
	case PE_DATAREL:
		if (!s->data_base && use == PTR_ADDR)
			return false;
		v += s->data_base;
		break;
	default: /* textrel and funcrel mean nothing for these pointers on x86-64 */
		if (use == PTR_ADDR)
			return false;
	}
	/* The value is where the pointer is stored: nothing we can follow without the image. */
	if ((enc & PE_INDIRECT) && use == PTR_ADDR)
		return false;
out:
	*out = v;
	return true;
}

/* One entry's framing: its body [body, end) and the CIE id or pointer field. */
struct entry {
	size_t off, body, end; /* offsets in the section; body starts after the id */
	uint64_t id;	       /* CIE id (CIE) or CIE pointer (FDE) */
	size_t id_off;	       /* where the id field sits */
	bool is_cie;
};

/*
 * Reads the framing of the entry at off. Returns 1 with e filled, 0 at the
 * end of the section (a terminator or a length that runs past it), -1 for
 * an entry too short to hold its id (skipped by the caller).
 */
static int read_entry(const struct sec *s, size_t off, struct entry *e)
{
	struct cur c;
	uint32_t l32;
	uint64_t len, idsz = 4;
	size_t hdr = 4;

	if (off >= s->len) /* also a section with no buffer */
		return 0;
	c = (struct cur){ s->buf + off, s->buf + s->len };
	if (!rd_bytes(&c, &l32, 4) || l32 == 0)
		return 0;
	len = l32;
	if (l32 == 0xffffffff) {
		if (!rd_bytes(&c, &len, 8))
			return 0;
		hdr = 12;
		idsz = 8;
	} else if (l32 >= 0xfffffff0) {
		return 0; /* reserved lengths */
	}
	if (len > s->len - off - hdr)
		return 0;
	e->off = off;
	e->end = off + hdr + len;
	e->id_off = off + hdr;
	if (len < idsz) {
		e->body = e->end;
		return -1;
	}
	e->id = 0;
	memcpy(&e->id, s->buf + e->id_off, idsz);
	e->body = e->id_off + idsz;
	if (s->debug_frame)
		e->is_cie = idsz == 4 ? e->id == 0xffffffffULL : e->id == ~0ULL;
	else
		e->is_cie = e->id == 0;
	return 1;
}

/* A register rule, for the registers the walk needs (RBP and the return address). */
enum rule_kind {
	RULE_SAME,
	RULE_UNDEF,
	RULE_OFFSET, /* saved at CFA + off */
	RULE_UNSUP,
};

struct rule {
	uint8_t kind;
	int64_t off;
};

enum cfa_kind {
	CFA_REG,
	CFA_PLT,
	CFA_UNSUP,
};

struct state {
	uint8_t cfa_kind;
	uint8_t plt_k;
	uint64_t cfa_reg;
	int64_t cfa_off;
	struct rule rbp, ra;
};

struct cie {
	size_t off; /* cache key; SIZE_MAX when empty */
	bool ok;
	bool has_z, personality;
	uint8_t fde_enc, addr_size;
	uint64_t caf, ra_reg;
	int64_t daf;
	struct cur insns;
	struct state init; /* after the initial instructions */
};

struct parser {
	struct cie cache[CIE_CACHE];
	struct ehframe_stats *st;
};

/* The rows being written, and what runs the CFI programs into them. */
struct ehframe_table {
	struct unwind_row *rows;
	size_t nr, cap;
	uint64_t base;
	struct ehframe_stats st;
};

struct emit {
	struct ehframe_table *t;
	uint64_t limit; /* rows at or past this address belong to someone else */
	int err;	/* -E2BIG past the row cap, -ENOMEM */
};

static bool rules_equal(const struct unwind_row *a, const struct unwind_row *b)
{
	return a->cfa == b->cfa && a->rbp == b->rbp;
}

/* Appends a row at off, replacing one at the same pc and merging equal neighbours. */
static void emit_row(struct emit *e, uint64_t addr, uint16_t cfa, int16_t rbp)
{
	struct ehframe_table *t = e->t;
	struct unwind_row r = { (uint32_t)(addr - t->base), cfa, rbp };

	if (e->err)
		return;
	if (t->nr && t->rows[t->nr - 1].pc == r.pc) {
		t->rows[t->nr - 1] = r;
		if (t->nr >= 2 && rules_equal(&t->rows[t->nr - 2], &r))
			t->nr--;
		return;
	}
	if (t->nr && rules_equal(&t->rows[t->nr - 1], &r))
		return;
	if (t->nr >= EHFRAME_MAX_ROWS) {
		e->err = -E2BIG;
		return;
	}
	if (array__grow((void **)&t->rows, &t->cap, t->nr + 1, sizeof(*t->rows))) {
		e->err = -ENOMEM;
		return;
	}
	t->rows[t->nr++] = r;
}

static uint16_t cfa_field(int type, int64_t off)
{
	if (off < 0 || off > UNWIND_CFA_OFF_MAX || off % 8)
		return UNWIND_CFA_UNSUPPORTED;
	return (uint16_t)(type | (off / 8) << UNWIND_CFA_OFF_SHIFT);
}

static void emit_state(struct emit *e, uint64_t addr, const struct state *s)
{
	uint16_t cfa = UNWIND_CFA_UNSUPPORTED;
	int16_t rbp = UNWIND_RBP_SAME;

	if (addr >= e->limit)
		return;
	if (s->ra.kind == RULE_UNDEF) {
		emit_row(e, addr, UNWIND_CFA_END, 0);
		return;
	}
	if (s->ra.kind != RULE_OFFSET || s->ra.off != -8) {
		emit_row(e, addr, UNWIND_CFA_UNSUPPORTED, 0);
		return;
	}
	if (s->cfa_kind == CFA_PLT) {
		emit_row(e, addr, cfa_field(UNWIND_CFA_PLT, s->cfa_off), s->plt_k);
		return;
	}
	if (s->cfa_kind == CFA_REG && s->cfa_reg == REG_RSP)
		cfa = cfa_field(UNWIND_CFA_RSP, s->cfa_off);
	else if (s->cfa_kind == CFA_REG && s->cfa_reg == REG_RBP)
		cfa = cfa_field(UNWIND_CFA_RBP, s->cfa_off);
	if ((cfa & UNWIND_CFA_TYPE_MASK) == UNWIND_CFA_UNSUPPORTED) {
		emit_row(e, addr, UNWIND_CFA_UNSUPPORTED, 0);
		return;
	}
	if (s->rbp.kind == RULE_OFFSET && s->rbp.off != 0 && s->rbp.off > -32768 &&
	    s->rbp.off < 32768)
		rbp = (int16_t)s->rbp.off;
	else if (s->rbp.kind != RULE_SAME)
		rbp = UNWIND_RBP_UNSUPPORTED;
	emit_row(e, addr, cfa, rbp);
}

/* The .plt stubs' CFA: DW_OP_breg7 N; breg16 0; lit15; and; litK; ge; lit3; shl; plus. */
static bool plt_expression(const uint8_t *b, size_t n, int64_t *off, uint8_t *k)
{
	static const uint8_t mid[] = { 0x80, 0x00, 0x3f, 0x1a };
	static const uint8_t tail[] = { 0x2a, 0x33, 0x24, 0x22 };
	struct cur c = { b, b + n };
	uint8_t op;

	if (!rd_u8(&c, &op) || op != 0x77 || !rd_sleb(&c, off))
		return false;
	if ((size_t)(c.end - c.p) != sizeof(mid) + 1 + sizeof(tail) ||
	    memcmp(c.p, mid, sizeof(mid)))
		return false;
	c.p += sizeof(mid);
	op = *c.p++;
	if (op < 0x30 || op > 0x3f) /* DW_OP_lit0..lit15 */
		return false;
	*k = op - 0x30;
	return !memcmp(c.p, tail, sizeof(tail));
}

static struct rule *rule_of(struct state *s, uint64_t reg, uint64_t ra_reg)
{
	if (reg == ra_reg)
		return &s->ra;
	if (reg == REG_RBP)
		return &s->rbp;
	return NULL;
}

static const struct rule *init_rule_of(const struct state *s, uint64_t reg, uint64_t ra_reg)
{
	return reg == ra_reg ? &s->ra : &s->rbp;
}

static bool set_rule(struct state *s, uint64_t reg, uint64_t ra_reg, uint8_t kind, int64_t off)
{
	struct rule *r = rule_of(s, reg, ra_reg);

	if (r)
		*r = (struct rule){ kind, off };
	return true;
}

static bool factored(uint64_t u, int64_t f, int64_t *out)
{
	int64_t v;

	if (u > INT64_MAX)
		return false;
	return !__builtin_mul_overflow((int64_t)u, f, &v) && (*out = v, true);
}

static bool sfactored(int64_t s, int64_t f, int64_t *out)
{
	return !__builtin_mul_overflow(s, f, out);
}

/*
 * Runs one CFI program. For a CIE (fde_sec NULL) it only builds the initial
 * state; for an FDE it emits a row each time the location advances.
 * Returns true when the program ran to its end (or past the FDE's limit).
 */
static bool cfi_run(const struct cie *cie, struct cur c, struct state *s, const struct sec *fde_sec,
		    uint64_t *loc, struct emit *e)
{
	struct state stack[STATE_STACK];
	unsigned int depth = 0;
	uint64_t reg, reg2, u, delta;
	int64_t off;
	uint16_t d2;
	uint32_t d4;
	uint8_t op, d1;

	while (c.p < c.end) {
		op = *c.p++;
		delta = 0;
		switch (op >> 6) {
		case 1: /* DW_CFA_advance_loc */
			delta = op & 0x3f;
			goto advance;
		case 2: /* DW_CFA_offset */
			if (!rd_uleb(&c, &u) || !factored(u, cie->daf, &off))
				return false;
			set_rule(s, op & 0x3f, cie->ra_reg, RULE_OFFSET, off);
			continue;
		case 3: /* DW_CFA_restore */
			reg = op & 0x3f;
			goto restore;
		}
		switch (op) {
		case 0x00: /* nop */
			continue;
		case 0x01: /* set_loc */
			if (!fde_sec || !rd_ptr(&c, fde_sec, cie->fde_enc, PTR_ADDR, &u) ||
			    u < *loc)
				return false;
			emit_state(e, *loc, s);
			*loc = u;
			if (*loc >= e->limit)
				return true;
			continue;
		case 0x02: /* advance_loc1 */
			if (!rd_u8(&c, &d1))
				return false;
			delta = d1;
			goto advance;
		case 0x03: /* advance_loc2 */
			if (!rd_bytes(&c, &d2, 2))
				return false;
			delta = d2;
			goto advance;
		case 0x04: /* advance_loc4 */
			if (!rd_bytes(&c, &d4, 4))
				return false;
			delta = d4;
			goto advance;
		case 0x05: /* offset_extended */
			if (!rd_uleb(&c, &reg) || !rd_uleb(&c, &u) || !factored(u, cie->daf, &off))
				return false;
			set_rule(s, reg, cie->ra_reg, RULE_OFFSET, off);
			continue;
		case 0x06: /* restore_extended */
			if (!rd_uleb(&c, &reg))
				return false;
			goto restore;
		case 0x07: /* undefined */
			if (!rd_uleb(&c, &reg))
				return false;
			set_rule(s, reg, cie->ra_reg, RULE_UNDEF, 0);
			continue;
		case 0x08: /* same_value */
			if (!rd_uleb(&c, &reg))
				return false;
			set_rule(s, reg, cie->ra_reg, RULE_SAME, 0);
			continue;
		case 0x09: /* register */
			if (!rd_uleb(&c, &reg) || !rd_uleb(&c, &reg2))
				return false;
			set_rule(s, reg, cie->ra_reg, reg == reg2 ? RULE_SAME : RULE_UNSUP, 0);
			continue;
		case 0x0a: /* remember_state */
			if (depth == STATE_STACK)
				return false;
			stack[depth++] = *s;
			continue;
		case 0x0b: /* restore_state */
			if (!depth)
				return false;
			*s = stack[--depth];
			continue;
		case 0x0c: /* def_cfa */
			if (!rd_uleb(&c, &reg) || !rd_uleb(&c, &u) || u > INT64_MAX)
				return false;
			s->cfa_kind = CFA_REG;
			s->cfa_reg = reg;
			s->cfa_off = (int64_t)u;
			continue;
		case 0x0d: /* def_cfa_register */
			if (!rd_uleb(&c, &reg))
				return false;
			if (s->cfa_kind == CFA_PLT)
				s->cfa_kind = CFA_UNSUP;
			else if (s->cfa_kind == CFA_REG)
				s->cfa_reg = reg;
			continue;
		case 0x0e: /* def_cfa_offset */
			if (!rd_uleb(&c, &u) || u > INT64_MAX)
				return false;
			if (s->cfa_kind == CFA_PLT)
				s->cfa_kind = CFA_UNSUP;
			s->cfa_off = (int64_t)u;
			continue;
		case 0x0f: /* def_cfa_expression */
			if (!rd_uleb(&c, &u) || u > (uint64_t)(c.end - c.p))
				return false;
			if (plt_expression(c.p, u, &off, &d1)) {
				s->cfa_kind = CFA_PLT;
				s->cfa_off = off;
				s->plt_k = d1;
			} else {
				s->cfa_kind = CFA_UNSUP;
			}
			c.p += u;
			continue;
		case 0x10: /* expression */
		case 0x16: /* val_expression */
			if (!rd_uleb(&c, &reg) || !rd_uleb(&c, &u) || u > (uint64_t)(c.end - c.p))
				return false;
			c.p += u;
			set_rule(s, reg, cie->ra_reg, RULE_UNSUP, 0);
			continue;
		case 0x11: /* offset_extended_sf */
			if (!rd_uleb(&c, &reg) || !rd_sleb(&c, &off) ||
			    !sfactored(off, cie->daf, &off))
				return false;
			set_rule(s, reg, cie->ra_reg, RULE_OFFSET, off);
			continue;
		case 0x12: /* def_cfa_sf */
			if (!rd_uleb(&c, &reg) || !rd_sleb(&c, &off) ||
			    !sfactored(off, cie->daf, &off))
				return false;
			s->cfa_kind = CFA_REG;
			s->cfa_reg = reg;
			s->cfa_off = off;
			continue;
		case 0x13: /* def_cfa_offset_sf */
			if (!rd_sleb(&c, &off) || !sfactored(off, cie->daf, &off))
				return false;
			if (s->cfa_kind == CFA_PLT)
				s->cfa_kind = CFA_UNSUP;
			s->cfa_off = off;
			continue;
		case 0x14: /* val_offset: the value, not a save slot */
			if (!rd_uleb(&c, &reg) || !rd_uleb(&c, &u))
				return false;
			set_rule(s, reg, cie->ra_reg, RULE_UNSUP, 0);
			continue;
		case 0x15: /* val_offset_sf */
			if (!rd_uleb(&c, &reg) || !rd_sleb(&c, &off))
				return false;
			set_rule(s, reg, cie->ra_reg, RULE_UNSUP, 0);
			continue;
		case 0x2e: /* GNU_args_size */
			if (!rd_uleb(&c, &u))
				return false;
			continue;
		case 0x2f: /* GNU_negative_offset_extended */
			if (!rd_uleb(&c, &reg) || !rd_uleb(&c, &u) ||
			    !factored(u, cie->daf, &off) || off == INT64_MIN)
				return false;
			set_rule(s, reg, cie->ra_reg, RULE_OFFSET, -off);
			continue;
		default:
			return false;
		}
	advance:
		if (!fde_sec)
			return false; /* a CIE has no location to advance */
		if (__builtin_mul_overflow(delta, cie->caf, &delta) ||
		    __builtin_add_overflow(*loc, delta, &u))
			return false;
		emit_state(e, *loc, s);
		*loc = u;
		if (*loc >= e->limit)
			return true;
		continue;
	restore:
		if (fde_sec) {
			struct rule *r = rule_of(s, reg, cie->ra_reg);

			if (r)
				*r = *init_rule_of(&cie->init, reg, cie->ra_reg);
		} else {
			set_rule(s, reg, cie->ra_reg, RULE_SAME, 0);
		}
	}
	return true;
}

/* Parses the CIE at off. Returns it from the cache, or NULL when it is malformed. */
static const struct cie *cie_get(struct parser *ps, const struct sec *s, size_t off)
{
	struct cie *cie = &ps->cache[(off / 4) % CIE_CACHE];
	struct entry e;
	struct cur c;
	char aug[AUG_MAX + 1];
	uint8_t version, b, enc;
	uint64_t u, aug_len = 0;
	size_t i, n = 0;
	const uint8_t *aug_end = NULL;

	if (cie->off == off)
		return cie->ok ? cie : NULL;
	memset(cie, 0, sizeof(*cie));
	cie->off = off;
	if (read_entry(s, off, &e) != 1 || !e.is_cie)
		goto out_bad;
	c = (struct cur){ s->buf + e.body, s->buf + e.end };
	if (!rd_u8(&c, &version) || (version != 1 && version != 3 && version != 4) ||
	    (version == 4 && !s->debug_frame))
		goto out_bad;
	for (;;) {
		if (!rd_u8(&c, &b))
			goto out_bad;
		if (!b)
			break;
		if (n == AUG_MAX)
			goto out_bad;
		aug[n++] = (char)b;
	}
	aug[n] = '\0';
	cie->addr_size = 8;
	if (version == 4) {
		if (!rd_u8(&c, &cie->addr_size) || !rd_u8(&c, &b) || b != 0 ||
		    (cie->addr_size != 4 && cie->addr_size != 8))
			goto out_bad; /* segmented addressing is not x86-64's */
	}
	if (!rd_uleb(&c, &cie->caf) || !rd_sleb(&c, &cie->daf))
		goto out_bad;
	if (version == 1) {
		if (!rd_u8(&c, &b))
			goto out_bad;
		cie->ra_reg = b;
	} else if (!rd_uleb(&c, &cie->ra_reg)) {
		goto out_bad;
	}
	cie->fde_enc = s->debug_frame ? (cie->addr_size == 4 ? PE_UDATA4 : PE_ABSPTR) : PE_ABSPTR;
	if (aug[0] == 'z') {
		cie->has_z = true;
		if (!rd_uleb(&c, &aug_len) || aug_len > (uint64_t)(c.end - c.p))
			goto out_bad;
		aug_end = c.p + aug_len;
	} else if (n) {
		goto out_bad; /* data we could not skip */
	}
	for (i = 1; i < n; i++) {
		struct cur ac = { c.p, aug_end };

		switch (aug[i]) {
		case 'L': /* LSDA encoding: the pointer itself is in the FDE's data */
			if (!rd_u8(&ac, &enc))
				goto out_bad;
			break;
		case 'P':
			cie->personality = true;
			if (!rd_u8(&ac, &enc) || !rd_ptr(&ac, s, enc, PTR_SKIP, &u))
				goto out_bad;
			break;
		case 'R':
			if (!rd_u8(&ac, &cie->fde_enc))
				goto out_bad;
			break;
		case 'S': /* signal frame */
		case 'B': /* AArch64 BTI, harmless */
			break;
		default:
			/* Unknown data of unknown size: the rest is skipped by length,
			 * but an 'R' after it would be missed, so stop only if it was seen. */
			goto out_bad;
		}
		c.p = ac.p;
	}
	if (aug_end)
		c.p = aug_end;
	if (cie->caf == 0 || cie->caf > 64 || cie->fde_enc == PE_OMIT)
		goto out_bad;
	cie->insns = c;
	cie->init = (struct state){ .cfa_kind = CFA_UNSUP,
				    .rbp = { RULE_SAME, 0 },
				    .ra = { RULE_SAME, 0 } };
	if ((size_t)(c.end - c.p) > CIE_INSNS_MAX || !cfi_run(cie, c, &cie->init, NULL, &u, NULL))
		goto out_bad;
	cie->ok = true;
	return cie;
out_bad:
	return NULL;
}

/* An FDE, resolved. */
struct fde {
	uint64_t start, end;
	const struct cie *cie;
	struct cur insns;
};

/* Parses the FDE entry e. Returns false when it is malformed or its CIE is. */
static bool fde_parse(struct parser *ps, const struct sec *s, const struct entry *e, struct fde *f)
{
	struct cur c = { s->buf + e->body, s->buf + e->end };
	uint64_t range, aug_len, cie_off;
	const struct cie *cie;

	if (s->debug_frame) {
		cie_off = e->id;
	} else {
		/* relative to the pointer's own position */
		if (e->id > e->id_off)
			return false;
		cie_off = e->id_off - e->id;
	}
	if (cie_off >= s->len || cie_off == e->off)
		return false;
	cie = cie_get(ps, s, cie_off);
	if (!cie)
		return false;
	if (!rd_ptr(&c, s, cie->fde_enc, PTR_ADDR, &f->start) ||
	    !rd_ptr(&c, s, cie->fde_enc, PTR_RANGE, &range))
		return false;
	if (cie->addr_size == 4 && s->debug_frame)
		range &= 0xffffffff;
	if (__builtin_add_overflow(f->start, range, &f->end))
		return false;
	if (cie->has_z) {
		if (!rd_uleb(&c, &aug_len) || aug_len > (uint64_t)(c.end - c.p))
			return false;
		c.p += aug_len;
	}
	f->cie = cie;
	f->insns = c;
	return true;
}

static void parser__init(struct parser *ps, struct ehframe_stats *st)
{
	int i;

	memset(ps, 0, sizeof(*ps));
	for (i = 0; i < CIE_CACHE; i++)
		ps->cache[i].off = SIZE_MAX;
	ps->st = st;
}

static void sec__init(struct sec *s, const void *buf, size_t len, const struct ehframe_opts *o,
		      bool debug_frame, uint8_t src)
{
	*s = (struct sec){ buf, len, o ? o->vaddr : 0, o ? o->data_base : 0, debug_frame, src };
}

typedef int (*fde_cb)(void *ctx, const struct sec *s, size_t off, const struct fde *f);

/* Walks every entry of s, calling cb for each well-formed FDE. */
static int walk(struct parser *ps, const struct sec *s, fde_cb cb, void *ctx)
{
	size_t off = 0;
	struct entry e;
	struct fde f;
	int r, ret;

	while ((r = read_entry(s, off, &e)) != 0) {
		off = e.end; /* > e.off: every entry is at least 4 bytes long */
		if (r > 0 && e.is_cie) {
			const struct cie *cie = cie_get(ps, s, e.off);

			ps->st->cies += !!cie;
			ps->st->bad_cies += !cie;
			ps->st->personality += cie && cie->personality;
		}
		if (r < 0 || e.is_cie)
			continue;
		if (!fde_parse(ps, s, &e, &f)) {
			ps->st->bad_fdes++;
			continue;
		}
		ps->st->fdes++;
		ret = cb(ctx, s, e.off, &f);
		if (ret)
			return ret;
	}
	return 0;
}

struct enum_ctx {
	ehframe_fde_fn fn;
	void *ctx;
};

static int enum_cb(void *ctx, const struct sec *s, size_t off, const struct fde *f)
{
	struct enum_ctx *ec = ctx;

	(void)s;
	(void)off;
	return ec->fn(ec->ctx, f->start, f->end);
}

int ehframe__fdes_mem(const void *buf, size_t len, const struct ehframe_opts *o, ehframe_fde_fn fn,
		      void *ctx)
{
	struct ehframe_stats st = { 0 };
	struct enum_ctx ec = { fn, ctx };
	struct parser ps;
	struct sec s;

	parser__init(&ps, &st);
	sec__init(&s, buf, buf ? len : 0, o, o && o->debug_frame, 0);
	return walk(&ps, &s, enum_cb, &ec);
}

/* Where an FDE is, to interpret it again once all FDEs are sorted. */
struct fde_ref {
	uint64_t start, end;
	uint64_t off : 63; /* entry offset in its section */
	uint64_t src : 1;
};

struct collect {
	struct fde_ref *v;
	size_t nr, cap;
	int err;
};

static int collect_cb(void *ctx, const struct sec *s, size_t off, const struct fde *f)
{
	struct collect *c = ctx;

	if (f->end <= f->start)
		return 0; /* covers nothing */
	if (c->nr >= EHFRAME_MAX_FDES) {
		c->err = -E2BIG;
		return 1;
	}
	if (array__grow((void **)&c->v, &c->cap, c->nr + 1, sizeof(*c->v))) {
		c->err = -ENOMEM;
		return 1;
	}
	c->v[c->nr++] = (struct fde_ref){ f->start, f->end, off, s->src };
	return 0;
}

static int fde_ref_cmp(const void *a, const void *b)
{
	const struct fde_ref *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1; /* .eh_frame first */
	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Keeps FDEs that can be placed: .debug_frame ones only where .eh_frame
 * has none, and none that would need a pc offset of 4 GiB or more.
 */
static size_t fdes_place(struct fde_ref *v, size_t nr, uint64_t *base, uint64_t *dropped)
{
	size_t i, n = 0;

	if (nr > 1)
		qsort(v, nr, sizeof(*v), fde_ref_cmp);
	*base = nr ? v[0].start : 0;
	for (i = 0; i < nr; i++) {
		struct fde_ref *last = n ? &v[n - 1] : NULL;

		if (v[i].end - *base > UINT32_MAX) {
			(*dropped)++;
			continue;
		}
		if (last && v[i].start < last->end && v[i].src != last->src) {
			(*dropped)++;
			if (v[i].src) /* the .eh_frame one stays */
				continue;
			n--;
		}
		v[n++] = v[i];
	}
	return n;
}

static void table_stats(struct ehframe_table *t)
{
	size_t i;

	t->st.rows = t->nr;
	for (i = 0; i < t->nr; i++) {
		switch (unwind_row__cfa_type(&t->rows[i])) {
		case UNWIND_CFA_UNSUPPORTED:
			t->st.unsupported++;
			break;
		case UNWIND_CFA_PLT:
			t->st.plt++;
			continue;
		}
		if (t->rows[i].rbp == UNWIND_RBP_UNSUPPORTED)
			t->st.rbp_unsupported++;
	}
}

struct ehframe_table *ehframe_table__new_mem(const void *buf, size_t len,
					     const struct ehframe_opts *o)
{
	struct ehframe_table *t = calloc(1, sizeof(*t));
	struct ehframe_stats again;
	struct collect col = { 0 };
	struct parser ps[2];
	struct sec secs[2];
	size_t i, nr;
	int err = -ENOMEM;

	if (!t)
		goto out_err;
	sec__init(&secs[0], buf, buf ? len : 0, o, o && o->debug_frame, 0);
	sec__init(&secs[1], o ? o->debug_frame_buf : NULL,
		  o && o->debug_frame_buf ? o->debug_frame_len : 0, o, true, 1);
	secs[1].vaddr = 0; /* .debug_frame addresses are absolute */
	for (i = 0; i < 2 && !col.err; i++) {
		parser__init(&ps[i], &t->st);
		walk(&ps[i], &secs[i], collect_cb, &col);
	}
	if (col.err) {
		err = col.err;
		goto out_free_col;
	}
	nr = fdes_place(col.v, col.nr, &t->base, &t->st.bad_fdes);
	/* The second pass meets the same CIEs: count them once. */
	parser__init(&ps[0], &again);
	parser__init(&ps[1], &again);
	for (i = 0; i < nr; i++) {
		const struct fde_ref *r = &col.v[i];
		const struct sec *s = &secs[r->src];
		struct emit e = { t, r->end, 0 };
		struct entry ent;
		struct fde f;
		struct state st;
		uint64_t loc;

		if (i + 1 < nr && col.v[i + 1].start < e.limit)
			e.limit = col.v[i + 1].start;
		if (read_entry(s, r->off, &ent) != 1 || !fde_parse(&ps[r->src], s, &ent, &f))
			continue; /* parsed once already: cannot happen */
		st = f.cie->init;
		loc = f.start;
		if (!cfi_run(f.cie, f.insns, &st, s, &loc, &e)) {
			t->st.bad_insns++;
			st.cfa_kind = CFA_UNSUP;
		}
		emit_state(&e, loc, &st);
		emit_row(&e, e.limit, UNWIND_CFA_GAP, 0);
		if (e.err) {
			err = e.err;
			goto out_free_col;
		}
	}
	free(col.v);
	table_stats(t);
	return t;
out_free_col:
	free(col.v);
	ehframe_table__free(t);
out_err:
	errno = -err;
	return NULL;
}

void ehframe_table__free(struct ehframe_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t);
}

const struct unwind_row *ehframe_table__rows(const struct ehframe_table *t, size_t *nr)
{
	*nr = t->nr;
	return t->rows;
}

uint64_t ehframe_table__base(const struct ehframe_table *t)
{
	return t->base;
}

const struct unwind_row *ehframe_table__find(const struct ehframe_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nr;
	uint64_t off;

	if (!t->nr || addr < t->base)
		return NULL;
	off = addr - t->base;
	if (off > UINT32_MAX)
		return &t->rows[t->nr - 1];
	while (lo < hi) { /* the first row past off */
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].pc <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[lo - 1] : NULL;
}

const struct ehframe_stats *ehframe_table__stats(const struct ehframe_table *t)
{
	return &t->st;
}
