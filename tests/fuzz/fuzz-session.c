// SPDX-License-Identifier: MIT
/*
 * The pipeline: raw perf records through a session, in both unwinding
 * modes, then named. The symbolizer opens no file at all, so a fuzzed MMAP
 * record cannot make it read the host's files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/session.h"

static const char kallsyms[] = "ffffffff81000000 T _stext\nffffffff81001000 T ksys_read\n";

static int visit(void *ctx, const struct stack_names *n, uint64_t count)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < n->nr; i++)
		count += strlen(n->names[i]);
	return count == 0;
}

static void run(const uint8_t *data, size_t size, enum session_unwind unwind)
{
	const struct perfrec_layout l = {
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			       PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN |
			       PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER,
		.regs_user_mask = 0xff0fff,
		.sample_id_all = true,
	};
	struct symbolizer_opts so = { .offline = true, .no_files = true, .unwind_tables = true };
	struct session_opts opts = { .unwind = unwind, .pid_roots = true };
	struct symbolizer *sym = symbolizer__new(&so);
	struct session *s = sym ? session__new(sym, &opts) : NULL;
	uint64_t *rec = malloc(65536);
	size_t off = 0;

	if (!s || !rec)
		goto out;
	symbolizer__load_kernel(sym, kallsyms, sizeof(kallsyms) - 1);
	session__set_layout(s, &l);
	while (size - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;

		memcpy(&h, data + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > size - off)
			break;
		memcpy(rec, data + off, h.size);
		session__process(s, (struct perf_event_header *)rec);
		off += h.size;
	}
	session__for_each_stack(s, visit, NULL);
out:
	free(rec);
	session__free(s);
	symbolizer__free(sym);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, SESSION_UNWIND_NONE);
	run(data, size, SESSION_UNWIND_DWARF);
	return 0;
}
