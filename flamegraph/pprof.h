/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PPROF_H
#define SEAR_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Profiles in pprof's format (a gzipped perftools.profiles.Profile), for
 * Google's pprof and the continuous-profiling backends that take it
 * (Grafana Pyroscope, Parca).
 *
 * The builder interns what it is given (strings, functions, mappings,
 * locations), so callers may hand over the same frame many times; it owns
 * copies of everything, and the caller's strings may go away after each
 * call. Encoding is protobuf-c's, from flamegraph/profile.proto.
 */

#define PPROF_MAX_TYPES 4

struct pprof_opts {
	/* What each sample's values are: "samples"/"count", "cpu"/"nanoseconds"... */
	const char *types[PPROF_MAX_TYPES][2];
	int nr_types;
	const char *period_type[2]; /* what the period counts: "cpu"/"nanoseconds" */
	int64_t period;
	int64_t time_nanos;	/* when the profile began, ns since 1970 */
	int64_t duration_nanos; /* its length */
	const char *comment;	/* NULL: none */
};

/* One function of a location: the innermost (inlined) first, the one they are in last. */
struct pprof_line {
	const char *function; /* the name */
	const char *file;     /* NULL when unknown */
	int64_t line;	      /* 0 when unknown */
};

/* A label of a sample: a string one (str) or a number (num, when str is NULL). */
struct pprof_label {
	const char *key;
	const char *str;
	int64_t num;
};

struct pprof;

/* Returns a new builder; free with pprof__free(). NULL with errno on failure. */
struct pprof *pprof__new(const struct pprof_opts *opts);
void pprof__free(struct pprof *p);

/*
 * A mapping: a file's code at [start, limit) of the address space, at
 * offset in the file, with its build-id (hex, or NULL). Returns its id
 * (the same for the same file and build-id), or 0 when out of memory.
 */
uint64_t pprof__mapping(struct pprof *p, uint64_t start, uint64_t limit, uint64_t offset,
			const char *file, const char *build_id);

/*
 * A location: address in mapping (0 and 0 for a frame known only by
 * name), with the functions at it. The same (mapping, address), or with no
 * mapping the same function, gives the same id. Returns it, or 0 when out
 * of memory.
 */
uint64_t pprof__location(struct pprof *p, uint64_t mapping, uint64_t address,
			 const struct pprof_line *lines, size_t nr);

/*
 * A sample: its locations (the leaf first), one value per type, and its
 * labels. Returns 0 or -ENOMEM.
 */
int pprof__sample(struct pprof *p, const uint64_t *locations, size_t nr, const int64_t *values,
		  const struct pprof_label *labels, size_t nr_labels);

/* Writes the gzipped profile to out. Returns 0, -ENOMEM, or -EIO when the stream failed. */
int pprof__write(struct pprof *p, FILE *out);

#endif
