// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lib/array.h"
#include "lib/hash.h"
#include "lib/strtab.h"
#include "pprof.h"
#include "profile.pb-c.h"

struct fn {
	uint32_t name, file;
};

struct map {
	uint64_t start, limit, offset;
	uint32_t file, build_id;
	struct u64map locations; /* address -> location id */
	bool lines, inlines;	 /* some location has line numbers; several lines */
};

struct loc {
	uint64_t mapping, address;
	size_t first_line;
	uint32_t nr_lines;
};

struct line {
	uint64_t function;
	int64_t line;
};

struct label {
	uint32_t key, str;
	int64_t num;
};

struct sample {
	size_t first_loc, first_label;
	uint32_t nr_locs, nr_labels;
};

struct pprof {
	struct pprof_opts opts;
	uint32_t types[PPROF_MAX_TYPES][2], period_type[2], comment;
	struct strtab *strings;
	struct fn *fns;
	size_t nr_fns, cap_fns;
	struct u64map fn_ids; /* name << 32 | file -> function id */
	struct map *maps;
	size_t nr_maps, cap_maps;
	struct u64map map_ids; /* file << 32 | build-id -> mapping id */
	struct loc *locs;
	size_t nr_locs, cap_locs;
	struct u64map named_locs; /* function id -> location id, for frames known by name */
	struct line *lines;
	size_t nr_lines, cap_lines;
	struct sample *samples;
	size_t nr_samples, cap_samples;
	uint64_t *sample_locs;
	size_t nr_sample_locs, cap_sample_locs;
	int64_t *values;
	size_t cap_values;
	struct label *labels;
	size_t nr_labels, cap_labels;
};

static int64_t pprof__string(struct pprof *p, const char *s)
{
	return strtab__intern(p->strings, s ? s : "");
}

struct pprof *pprof__new(const struct pprof_opts *opts)
{
	struct pprof *p = calloc(1, sizeof(*p));
	int i, k;

	if (!p)
		return NULL;
	p->opts = *opts;
	if (p->opts.nr_types > PPROF_MAX_TYPES)
		p->opts.nr_types = PPROF_MAX_TYPES;
	p->strings = strtab__new();
	if (!p->strings || pprof__string(p, "") != 0)
		goto out_nomem;
	for (i = 0; i < p->opts.nr_types; i++)
		for (k = 0; k < 2; k++) {
			int64_t id = pprof__string(p, opts->types[i][k]);

			if (id < 0)
				goto out_nomem;
			p->types[i][k] = id;
		}
	for (k = 0; k < 2; k++) {
		int64_t id = pprof__string(p, opts->period_type[k]);

		if (id < 0)
			goto out_nomem;
		p->period_type[k] = id;
	}
	if (opts->comment) {
		int64_t id = pprof__string(p, opts->comment);

		if (id < 0)
			goto out_nomem;
		p->comment = id;
	}
	return p;
out_nomem:
	pprof__free(p);
	errno = ENOMEM;
	return NULL;
}

void pprof__free(struct pprof *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_maps; i++)
		u64map__release(&p->maps[i].locations);
	free(p->maps);
	u64map__release(&p->map_ids);
	free(p->fns);
	u64map__release(&p->fn_ids);
	free(p->locs);
	u64map__release(&p->named_locs);
	free(p->lines);
	free(p->samples);
	free(p->sample_locs);
	free(p->values);
	free(p->labels);
	strtab__free(p->strings);
	free(p);
}

uint64_t pprof__mapping(struct pprof *p, uint64_t start, uint64_t limit, uint64_t offset,
			const char *file, const char *build_id)
{
	int64_t f = pprof__string(p, file), b = pprof__string(p, build_id);
	uint64_t key, *have;
	struct map *m;

	if (f < 0 || b < 0)
		return 0;
	key = (uint64_t)f << 32 | (uint64_t)b;
	have = u64map__find(&p->map_ids, key);
	if (have)
		return *have;
	if (array__grow((void **)&p->maps, &p->cap_maps, p->nr_maps + 1, sizeof(*p->maps)))
		return 0;
	m = &p->maps[p->nr_maps];
	*m = (struct map){
		.start = start, .limit = limit, .offset = offset, .file = f, .build_id = b
	};
	if (u64map__set(&p->map_ids, key, p->nr_maps + 1))
		return 0;
	return ++p->nr_maps;
}

static uint64_t pprof__function(struct pprof *p, const char *name, const char *file)
{
	int64_t n = pprof__string(p, name), f = pprof__string(p, file);
	uint64_t key, *have;

	if (n < 0 || f < 0)
		return 0;
	key = (uint64_t)n << 32 | (uint64_t)f;
	have = u64map__find(&p->fn_ids, key);
	if (have)
		return *have;
	if (array__grow((void **)&p->fns, &p->cap_fns, p->nr_fns + 1, sizeof(*p->fns)) ||
	    u64map__set(&p->fn_ids, key, p->nr_fns + 1))
		return 0;
	p->fns[p->nr_fns] = (struct fn){ n, f };
	return ++p->nr_fns;
}

uint64_t pprof__location(struct pprof *p, uint64_t mapping, uint64_t address,
			 const struct pprof_line *lines, size_t nr)
{
	struct u64map *index;
	uint64_t key, *have, first_fn = 0;
	struct map *m = mapping && mapping <= p->nr_maps ? &p->maps[mapping - 1] : NULL;
	size_t i;

	if (!nr)
		return 0;
	if (!m) {
		first_fn = pprof__function(p, lines[0].function, lines[0].file);
		if (!first_fn)
			return 0;
		index = &p->named_locs;
		key = first_fn << 20 | lines[0].line;
		mapping = 0;
	} else {
		index = &m->locations;
		key = address;
	}
	have = u64map__find(index, key);
	if (have)
		return *have;
	if (array__grow((void **)&p->locs, &p->cap_locs, p->nr_locs + 1, sizeof(*p->locs)) ||
	    array__grow((void **)&p->lines, &p->cap_lines, p->nr_lines + nr, sizeof(*p->lines)))
		return 0;
	for (i = 0; i < nr; i++) {
		uint64_t fn = i || !first_fn ? pprof__function(p, lines[i].function, lines[i].file)
					     : first_fn;

		if (!fn)
			return 0;
		p->lines[p->nr_lines + i] = (struct line){ fn, lines[i].line };
		if (m && lines[i].line)
			m->lines = true;
	}
	if (m && nr > 1)
		m->inlines = true;
	if (u64map__set(index, key, p->nr_locs + 1))
		return 0;
	p->locs[p->nr_locs] = (struct loc){ mapping, address, p->nr_lines, nr };
	p->nr_lines += nr;
	return ++p->nr_locs;
}

int pprof__sample(struct pprof *p, const uint64_t *locations, size_t nr, const int64_t *values,
		  const struct pprof_label *labels, size_t nr_labels)
{
	size_t nt = p->opts.nr_types, i;

	if (array__grow((void **)&p->samples, &p->cap_samples, p->nr_samples + 1,
			sizeof(*p->samples)) ||
	    array__grow((void **)&p->sample_locs, &p->cap_sample_locs, p->nr_sample_locs + nr,
			sizeof(*p->sample_locs)) ||
	    array__grow((void **)&p->values, &p->cap_values, (p->nr_samples + 1) * nt,
			sizeof(*p->values)) ||
	    array__grow((void **)&p->labels, &p->cap_labels, p->nr_labels + nr_labels,
			sizeof(*p->labels)))
		return -ENOMEM;
	for (i = 0; i < nr_labels; i++) {
		int64_t k = pprof__string(p, labels[i].key),
			s = labels[i].str ? pprof__string(p, labels[i].str) : 0;

		if (k < 0 || s < 0)
			return -ENOMEM;
		p->labels[p->nr_labels + i] =
		    (struct label){ k, s, labels[i].str ? 0 : labels[i].num };
	}
	memcpy(p->sample_locs + p->nr_sample_locs, locations, nr * sizeof(*locations));
	memcpy(p->values + p->nr_samples * nt, values, nt * sizeof(*values));
	p->samples[p->nr_samples++] =
	    (struct sample){ p->nr_sample_locs, p->nr_labels, nr, nr_labels };
	p->nr_sample_locs += nr;
	p->nr_labels += nr_labels;
	return 0;
}

/* Compresses buf as gzip onto out. Returns 0, or -EIO. */
static int gzip_to(FILE *out, const uint8_t *buf, size_t len)
{
	uint8_t chunk[65536];
	z_stream z = { 0 };
	int ret, err = 0;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -EIO;
	z.next_in = (uint8_t *)buf;
	z.avail_in = len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		ret = deflate(&z, Z_FINISH);
		if (ret == Z_STREAM_ERROR || fwrite(chunk, 1, sizeof(chunk) - z.avail_out, out) !=
						 sizeof(chunk) - z.avail_out)
			err = -EIO;
	} while (!err && ret != Z_STREAM_END);
	deflateEnd(&z);
	return err;
}

int pprof__write(struct pprof *p, FILE *out)
{
	Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType types[PPROF_MAX_TYPES], *type_ptrs[PPROF_MAX_TYPES],
	    period = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	Perftools__Profiles__Sample *samples = NULL, **sample_ptrs = NULL;
	Perftools__Profiles__Label *labels = NULL, **label_ptrs = NULL;
	Perftools__Profiles__Mapping *maps = NULL, **map_ptrs = NULL;
	Perftools__Profiles__Location *locs = NULL, **loc_ptrs = NULL;
	Perftools__Profiles__Line *lines = NULL, **line_ptrs = NULL;
	Perftools__Profiles__Function *fns = NULL, **fn_ptrs = NULL;
	char **strings = NULL;
	int64_t comment = p->comment;
	uint8_t *buf = NULL;
	size_t i, n, len, nt = p->opts.nr_types;
	int err = -ENOMEM;

	for (i = 0; i < nt; i++) {
		perftools__profiles__value_type__init(&types[i]);
		types[i].type = p->types[i][0];
		types[i].unit = p->types[i][1];
		type_ptrs[i] = &types[i];
	}
	period.type = p->period_type[0];
	period.unit = p->period_type[1];
	n = strtab__count(p->strings);
	strings = malloc(n * sizeof(*strings));
	samples = calloc(p->nr_samples + 1, sizeof(*samples));
	sample_ptrs = calloc(p->nr_samples + 1, sizeof(*sample_ptrs));
	labels = calloc(p->nr_labels + 1, sizeof(*labels));
	label_ptrs = calloc(p->nr_labels + 1, sizeof(*label_ptrs));
	maps = calloc(p->nr_maps + 1, sizeof(*maps));
	map_ptrs = calloc(p->nr_maps + 1, sizeof(*map_ptrs));
	locs = calloc(p->nr_locs + 1, sizeof(*locs));
	loc_ptrs = calloc(p->nr_locs + 1, sizeof(*loc_ptrs));
	lines = calloc(p->nr_lines + 1, sizeof(*lines));
	line_ptrs = calloc(p->nr_lines + 1, sizeof(*line_ptrs));
	fns = calloc(p->nr_fns + 1, sizeof(*fns));
	fn_ptrs = calloc(p->nr_fns + 1, sizeof(*fn_ptrs));
	if (!strings || !samples || !sample_ptrs || !labels || !label_ptrs || !maps || !map_ptrs ||
	    !locs || !loc_ptrs || !lines || !line_ptrs || !fns || !fn_ptrs)
		goto out;
	/* protobuf-c takes char *: the strings are only read, never written. */
	for (i = 0; i < n; i++)
		strings[i] = (char *)strtab__str(p->strings, i);
	for (i = 0; i < p->nr_labels; i++) {
		perftools__profiles__label__init(&labels[i]);
		labels[i].key = p->labels[i].key;
		labels[i].str = p->labels[i].str;
		labels[i].num = p->labels[i].num;
		label_ptrs[i] = &labels[i];
	}
	for (i = 0; i < p->nr_samples; i++) {
		const struct sample *s = &p->samples[i];

		perftools__profiles__sample__init(&samples[i]);
		samples[i].n_location_id = s->nr_locs;
		samples[i].location_id = p->sample_locs + s->first_loc;
		samples[i].n_value = nt;
		samples[i].value = p->values + i * nt;
		samples[i].n_label = s->nr_labels;
		samples[i].label = label_ptrs + s->first_label;
		sample_ptrs[i] = &samples[i];
	}
	for (i = 0; i < p->nr_maps; i++) {
		const struct map *m = &p->maps[i];

		perftools__profiles__mapping__init(&maps[i]);
		maps[i].id = i + 1;
		maps[i].memory_start = m->start;
		maps[i].memory_limit = m->limit;
		maps[i].file_offset = m->offset;
		maps[i].filename = m->file;
		maps[i].build_id = m->build_id;
		maps[i].has_functions = true;
		maps[i].has_filenames = m->lines;
		maps[i].has_line_numbers = m->lines;
		maps[i].has_inline_frames = m->inlines;
		map_ptrs[i] = &maps[i];
	}
	for (i = 0; i < p->nr_lines; i++) {
		perftools__profiles__line__init(&lines[i]);
		lines[i].function_id = p->lines[i].function;
		lines[i].line = p->lines[i].line;
		line_ptrs[i] = &lines[i];
	}
	for (i = 0; i < p->nr_locs; i++) {
		const struct loc *l = &p->locs[i];

		perftools__profiles__location__init(&locs[i]);
		locs[i].id = i + 1;
		locs[i].mapping_id = l->mapping;
		locs[i].address = l->address;
		locs[i].n_line = l->nr_lines;
		locs[i].line = line_ptrs + l->first_line;
		loc_ptrs[i] = &locs[i];
	}
	for (i = 0; i < p->nr_fns; i++) {
		perftools__profiles__function__init(&fns[i]);
		fns[i].id = i + 1;
		fns[i].name = p->fns[i].name;
		fns[i].system_name = p->fns[i].name;
		fns[i].filename = p->fns[i].file;
		fn_ptrs[i] = &fns[i];
	}
	prof.n_sample_type = nt;
	prof.sample_type = type_ptrs;
	prof.n_sample = p->nr_samples;
	prof.sample = sample_ptrs;
	prof.n_mapping = p->nr_maps;
	prof.mapping = map_ptrs;
	prof.n_location = p->nr_locs;
	prof.location = loc_ptrs;
	prof.n_function = p->nr_fns;
	prof.function = fn_ptrs;
	prof.n_string_table = n;
	prof.string_table = strings;
	prof.time_nanos = p->opts.time_nanos;
	prof.duration_nanos = p->opts.duration_nanos;
	prof.period_type = &period;
	prof.period = p->opts.period;
	if (p->comment) {
		prof.n_comment = 1;
		prof.comment = &comment;
	}
	len = perftools__profiles__profile__get_packed_size(&prof);
	buf = malloc(len ? len : 1);
	if (!buf)
		goto out;
	perftools__profiles__profile__pack(&prof, buf);
	err = gzip_to(out, buf, len);
out:
	free(buf);
	free(strings);
	free(samples);
	free(sample_ptrs);
	free(labels);
	free(label_ptrs);
	free(maps);
	free(map_ptrs);
	free(locs);
	free(loc_ptrs);
	free(lines);
	free(line_ptrs);
	free(fns);
	free(fn_ptrs);
	return err;
}
