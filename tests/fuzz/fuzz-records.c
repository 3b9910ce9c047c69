// SPDX-License-Identifier: MIT
/*
 * Raw perf records, as a perf.data file or a ring buffer holds them: the
 * input is a sequence of records, each fed to the parsers and to a session.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/records.h"
#include "lib/session.h"
#include "symbolizer/symbolizer.h"

static const char kallsyms[] = "ffffffff81000000 T _stext\nffffffff81001000 T ksys_read\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct record_layout l = {
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			       PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN |
			       PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER,
		.regs_user_mask = 0xff,
		.sample_id_all = true,
	};
	struct symbolizer *sym = symbolizer__new(NULL);
	struct session *s = sym ? session__new(sym, NULL) : NULL;
	uint64_t *rec = malloc(65536);
	size_t off = 0;

	if (!s || !rec)
		goto out;
	symbolizer__load_kernel(sym, kallsyms, sizeof(kallsyms) - 1);
	while (size - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;

		memcpy(&h, data + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > size - off)
			break;
		/* Records are 8-byte aligned in real buffers: give the parsers that. */
		memcpy(rec, data + off, h.size);
		/* Names in fuzzed MMAP records would be opened: keep to the session's pure paths.
		 */
		if (h.type != PERF_RECORD_MMAP && h.type != PERF_RECORD_MMAP2) {
			session__process(s, (struct perf_event_header *)rec, &l);
		} else {
			struct record_mmap m;

			record__parse_mmap((struct perf_event_header *)rec, &m);
		}
		record__time((struct perf_event_header *)rec, &l);
		off += h.size;
	}
out:
	free(rec);
	session__free(s);
	symbolizer__free(sym);
	return 0;
}
