// SPDX-License-Identifier: MIT
/* sear list: the events this machine can sample, for -e. */
#include <stdio.h>
#include <string.h>

#include "lib/events.h"
#include "cmd.h"

struct list {
	int software, hardware;
	bool want_hw;
};

static int list__print(void *ctx, const char *name, bool hardware, const char *desc)
{
	struct list *l = ctx;

	if (hardware != l->want_hw)
		return 0;
	if (!strncmp(desc, "PERF_COUNT_", 11))
		desc = ""; /* libpfm's description of generic events is only their long name */
	printf("  %-28s %s\n", name, desc);
	if (hardware)
		l->hardware++;
	else
		l->software++;
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct list l = { 0 };

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: sear list\n\n"
		     "Lists the events this machine can sample, for 'sear record -e NAME'.\n"
		     "Modifiers follow the name: cycles:u (user only), cycles:k (kernel only).\n\n"
		     "  sear list\n"
		     "  sear record -e page-faults -c 1 -- ./app");
		return 0;
	}
	puts("Software events (the kernel's; always there):");
	events__list(list__print, &l);
	l.want_hw = true;
	puts("\nHardware events (need a PMU):");
	events__list(list__print, &l);
	if (!l.hardware)
		puts("  none: this machine has no hardware PMU (common in VMs); use cpu-clock");
	puts("\nRaw PMU events: rNNNN (hex), or PMU::EVENT:UMASK strings libpfm4 knows.");
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
