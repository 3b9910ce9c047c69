/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PERFREC_H
#define SEAR_PERFREC_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/perf_event.h>

/*
 * Parsing of raw perf_event records (PERF_RECORD_*), as they come from a
 * ring buffer or a perf.data file.
 *
 * The input is untrusted: every parser checks each field against
 * hdr->size and returns -EINVAL rather than read past the record. Parsed
 * structs borrow from the record (strings, callchains, stack copies) and
 * are valid only as long as the record's bytes are.
 */

/* What a sample record holds, from the attr that produced it. */
struct perfrec_layout {
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t regs_user_mask;
	bool sample_id_all;
};

/* Callchain entries >= this are context markers (PERF_CONTEXT_*), not addresses. */
#define PERFREC_CONTEXT_MAX ((uint64_t)-4095)

struct perfrec_sample {
	uint16_t misc; /* the header's misc: PERF_RECORD_MISC_CPUMODE_MASK tells user or kernel */
	uint64_t id;
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	uint64_t period;
	uint64_t nr;	     /* callchain entries, markers included */
	const uint64_t *ips; /* borrowed; records must be 8-byte aligned */
	uint64_t regs_abi;   /* 0: no user registers */
	uint64_t nr_regs;
	const uint64_t *regs; /* borrowed, nr_regs entries in mask bit order */
	uint64_t stack_size;  /* bytes copied of the user stack */
	uint64_t stack_dyn;   /* bytes of it that are valid */
	const uint8_t *stack; /* borrowed */
	bool truncated;	      /* set by sources that unwind: the stack goes on past ips */
	bool off_cpu;	      /* set by sources that time waits: period is the ns blocked */
};

/* Common trailer of non-sample records when sample_id_all is set. */
struct perfrec_id {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	uint64_t id;
};

struct perfrec_mmap {
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	uint32_t maj, min;
	uint64_t ino;
	uint32_t prot, flags;	 /* prot is PROT_EXEC for code; MMAP (not MMAP2) sets PROT_EXEC */
	uint8_t build_id_size;	 /* non-zero when the kernel sent a build-id instead of an inode */
	const uint8_t *build_id; /* borrowed */
	const char *filename;	 /* borrowed, NUL-terminated within the record */
};

struct perfrec_comm {
	uint32_t pid, tid;
	bool exec;
	const char *comm; /* borrowed, NUL-terminated within the record */
};

struct perfrec_switch { /* SWITCH and SWITCH_CPU_WIDE: a task leaving or taking a CPU */
	uint32_t pid, tid;
	uint64_t time;
	bool out;     /* switched out; else in */
	bool preempt; /* out, but still runnable: preempted rather than blocked */
};

struct perfrec_task { /* FORK and EXIT */
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

/* Each parser returns 0, or -EINVAL for a record that is short or inconsistent. */
int perfrec__parse_sample(const struct perf_event_header *hdr, const struct perfrec_layout *l,
			  struct perfrec_sample *out);
int perfrec__parse_mmap(const struct perf_event_header *hdr, struct perfrec_mmap *out);
int perfrec__parse_comm(const struct perf_event_header *hdr, struct perfrec_comm *out);
int perfrec__parse_task(const struct perf_event_header *hdr, struct perfrec_task *out);
/* LOST and LOST_SAMPLES: the number of samples lost. */
int perfrec__parse_lost(const struct perf_event_header *hdr, uint64_t *lost);
/* The sample_id trailer of a non-sample record; zeroed when the layout has none. */
int perfrec__parse_id(const struct perf_event_header *hdr, const struct perfrec_layout *l,
		      struct perfrec_id *out);

/*
 * A consumer of records, as perf's struct perf_tool: one handler per kind,
 * each given the parsed record (borrowed for the call). NULL handlers skip
 * their records. A handler returns 0, or a negative errno that stops the
 * source (out of memory, say).
 */
struct perf_tool {
	int (*sample)(void *ctx, const struct perfrec_sample *s);
	int (*mmap)(void *ctx, const struct perfrec_mmap *m); /* MMAP and MMAP2 */
	int (*comm)(void *ctx, const struct perfrec_comm *c);
	int (*fork)(void *ctx, const struct perfrec_task *t);
	int (*exit)(void *ctx, const struct perfrec_task *t);
	int (*lost)(void *ctx, uint64_t lost); /* LOST and LOST_SAMPLES: samples dropped */
	int (*throttle)(void *ctx);
	int (*context_switch)(void *ctx, const struct perfrec_switch *sw);
};

/*
 * Parses one raw record and hands it to tool's handler for its kind.
 * Returns the handler's value, 0 for a kind no handler takes, or -EINVAL
 * (without calling anything) for a record that is short or inconsistent.
 */
int perfrec__deliver(const struct perf_tool *tool, void *ctx, const struct perf_event_header *hdr,
		     const struct perfrec_layout *l);

/* Returns the record's timestamp, or 0 when it carries none. Used to order records. */
uint64_t perfrec__time(const struct perf_event_header *hdr, const struct perfrec_layout *l);

#endif
