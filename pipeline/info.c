// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "flamegraph/svg.h"
#include "info.h"

void profile_info__subtitle(const struct profile_info *i, char *buf, size_t size)
{
	size_t n = 0;

#define ADD(...)                                                       \
	do {                                                           \
		if (n < size)                                          \
			n += snprintf(buf + n, size - n, __VA_ARGS__); \
	} while (0)
	ADD("%llu samples", (unsigned long long)i->samples);
	if (i->events[0])
		ADD(" of %s", i->events);
	if (i->frequency)
		ADD(" at %u Hz", i->frequency);
	else if (i->period)
		ADD(" every %llu events", (unsigned long long)i->period);
	if (i->source[0])
		ADD(" from %s", i->source);
	if (i->seconds > 0)
		ADD(" in %.1f s", i->seconds);
	if (i->events[0] || i->lost)
		ADD(", %llu lost", (unsigned long long)i->lost);
	if (i->call_graph[0])
		ADD(", call graph %s", i->call_graph);
	if (i->time_us)
		ADD("; on- and off-CPU time, in ms");
#undef ADD
}

void profile_info__svg(const struct profile_info *i, struct flame_svg_opts *svg)
{
	if (!i->time_us || svg->count_name)
		return;
	svg->count_name = "ms";
	if (!svg->factor)
		svg->factor = 0.001;
}
