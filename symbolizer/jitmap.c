// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ranges.h"
#include "lib/strtab.h"
#include "jitmap.h"

#define JITDUMP_MAGIC	   0x4A695444u /* "JiTD" */
#define JITDUMP_HEADER_MIN 40
#define JIT_CODE_LOAD	   0
#define JIT_CODE_MOVE	   1
#define JITDUMP_RECORD_MAX (64u << 20) /* a record holds a copy of the code */

struct jitmap {
	struct ranges ranges; /* val: name string id */
	struct strtab *names;
	size_t entries;
	bool swapped; /* jitdump written with the other byte order */
};

struct jitmap *jitmap__new(void)
{
	struct jitmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->names = strtab__new();
	if (!m->names) {
		free(m);
		return NULL;
	}
	m->ranges.max = JITMAP_MAX_ENTRIES;
	return m;
}

void jitmap__free(struct jitmap *m)
{
	if (!m)
		return;
	ranges__release(&m->ranges);
	strtab__free(m->names);
	free(m);
}

static int jitmap__add(struct jitmap *m, uint64_t start, uint64_t size, const char *name,
		       size_t len)
{
	int64_t id;

	if (m->entries >= JITMAP_MAX_ENTRIES)
		return -E2BIG;
	if (len > JITMAP_MAX_LINE)
		len = JITMAP_MAX_LINE;
	id = strtab__intern_len(m->names, name, len);
	if (id < 0)
		return id;
	m->entries++;
	return ranges__insert(&m->ranges, start, size, 0, id);
}

static bool parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	*v = 0;
	for (; s < end && digits <= 16; s++, digits++) {
		char c = *s;

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v = *v << 4 | (c - 'A' + 10);
		else
			break;
	}
	*p = s;
	return digits > 0 && digits <= 16;
}

long jitmap__parse_perfmap_mem(struct jitmap *m, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol, *s, *name, *name_end;
	uint64_t start, size;
	int err;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			break; /* a line still being written: read it next time */
		s = p;
		if (!parse_hex(&s, eol, &start) || s >= eol || *s != ' ')
			continue;
		s++;
		if (!parse_hex(&s, eol, &size) || s >= eol || *s != ' ' || !size)
			continue;
		name = s + 1;
		name_end = eol;
		if (name_end > name && name_end[-1] == '\r')
			name_end--;
		if (name_end == name)
			continue;
		err = jitmap__add(m, start, size, name, name_end - name);
		if (err)
			return err;
	}
	return p - buf;
}

static uint32_t rd32(const struct jitmap *m, const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return m->swapped ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const struct jitmap *m, const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return m->swapped ? __builtin_bswap64(v) : v;
}

long jitmap__parse_jitdump_mem(struct jitmap *m, const char *buf, size_t len, size_t offset)
{
	size_t off = 0;
	int err;

	if (offset == 0) {
		uint32_t magic, hdr;

		if (len < JITDUMP_HEADER_MIN)
			return 0; /* not written yet */
		memcpy(&magic, buf, 4);
		if (magic == JITDUMP_MAGIC)
			m->swapped = false;
		else if (magic == __builtin_bswap32(JITDUMP_MAGIC))
			m->swapped = true;
		else
			return -EINVAL;
		hdr = rd32(m, buf + 8);
		if (hdr < JITDUMP_HEADER_MIN || hdr > 4096)
			return -EINVAL;
		if (hdr > len)
			return 0;
		off = hdr;
	}
	/* Records: { u32 id; u32 total_size; u64 timestamp; body } */
	while (len - off >= 16) {
		const char *r = buf + off;
		uint32_t id = rd32(m, r), size = rd32(m, r + 4);

		if (size < 16 || size > JITDUMP_RECORD_MAX)
			return -EINVAL;
		if (size > len - off)
			break;
		if (id == JIT_CODE_LOAD && size >= 56) {
			/* pid, tid, vma, code_addr, code_size, code_index, name[] */
			uint64_t addr = rd64(m, r + 32), csize = rd64(m, r + 40);
			const char *name = r + 56, *nul = memchr(name, '\0', size - 56);

			if (nul && csize) {
				err = jitmap__add(m, addr, csize, name, nul - name);
				if (err)
					return err;
			}
		} else if (id == JIT_CODE_MOVE && size >= 64) {
			/* pid, tid, vma, old_code_addr, new_code_addr, code_size, code_index */
			uint64_t from = rd64(m, r + 32), to = rd64(m, r + 40),
				 csize = rd64(m, r + 48);
			const char *name = jitmap__lookup(m, from);

			if (name && csize) {
				char copy[JITMAP_MAX_LINE];
				size_t n = strnlen(name, sizeof(copy) - 1);

				memcpy(copy, name, n); /* the strtab may not move, but be plain */
				err = jitmap__add(m, to, csize, copy, n);
				if (err)
					return err;
			}
		}
		off += size;
	}
	return off;
}

const char *jitmap__lookup(const struct jitmap *m, uint64_t addr)
{
	const struct range *r = ranges__find(&m->ranges, addr);

	return r ? strtab__str(m->names, r->val) : NULL;
}

size_t jitmap__count(const struct jitmap *m)
{
	return m->ranges.nr;
}
