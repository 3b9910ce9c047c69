// SPDX-License-Identifier: MIT
/* sear: the command table. One file per subcommand, as perf and git do. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#ifndef SEAR_VERSION
#define SEAR_VERSION "0"
#endif

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("sear %s\n", SEAR_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "record", cmd_record, "profile a command or processes into a flame graph" },
	{ "report", cmd_report, "render a .sear recording or a perf.data file" },
	{ "diff", cmd_diff, "compare two profiles in a differential flame graph" },
	{ "collapse", cmd_collapse, "fold 'perf script' text, as stackcollapse-perf.pl" },
	{ "flamegraph", cmd_flamegraph, "render folded stacks, as flamegraph.pl" },
	{ "list", cmd_list, "list the events this machine can sample" },
	{ "help", cmd_help, "show this help, or a command's ('sear help record')" },
	{ "version", cmd_version, "print the version" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: sear <command> [options]\n\n"
	      "sear samples a running program and turns it into an interactive flame graph.\n\n"
	      "Commands:\n",
	      f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
	fputs("\nExample:\n  sear record -o flame.svg -- ./myserver --port 8080\n", f);
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c || c->fn == cmd_help || c->fn == cmd_version) {
		usage(stdout);
		return c ? 0 : 1;
	}
	help_argv[0] = argv[1];
	return c->fn(2, help_argv);
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv);
	c = find_command(argv[1]);
	if (!c) {
		msg("'%s' is not a sear command: see 'sear help'", argv[1]);
		return 1;
	}
	/* The library's warnings reach the user from every command. */
	cmd__setup_log(0);
	return c->fn(argc - 1, argv + 1);
}
