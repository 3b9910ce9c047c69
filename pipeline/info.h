/* SPDX-License-Identifier: MIT */
#ifndef SEAR_INFO_H
#define SEAR_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What is known about a profile, whatever its source (a live recording, a
 * .sear file, perf.data, folded text): the graph's title and subtitle are
 * made from it, in one place, so every command words them alike. Unknown
 * fields are 0 or "".
 */
struct profile_info {
	char title[1024];	/* what was profiled: the command, else the file */
	char source[16];	/* "perf.data" for perf's files; else "" */
	char events[256];	/* comma-separated */
	char call_graph[64];	/* how stacks were read: fp, dwarf,8192, bpf... */
	unsigned int frequency; /* samples/s requested */
	uint64_t period;	/* events per sample, when not by frequency */
	uint64_t samples, lost;
	double seconds; /* the recording's length */
	bool time_us;	/* widths are microseconds of time, on- and off-CPU (--off-cpu) */
};

struct flame_svg_opts;

/* Sets what an SVG of this profile needs that the user did not give: time in ms. */
void profile_info__svg(const struct profile_info *info, struct flame_svg_opts *svg);

/*
 * Writes the subtitle: "1234 samples of cpu-clock at 999 Hz in 2.0 s,
 * 0 lost", with what info knows.
 */
void profile_info__subtitle(const struct profile_info *info, char *buf, size_t size);

#endif
