/* SPDX-License-Identifier: MIT */
#ifndef SEAR_CMD_H
#define SEAR_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "flamegraph/svg.h"
#include "pipeline/info.h"
#include "pipeline/load.h"

/*
 * Shared pieces of the subcommands: messages to the user and the output
 * file. Only cmd/ prints or exits.
 */

/* Each subcommand: returns the process exit status. */
int cmd_record(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_flamegraph(int argc, char **argv);
int cmd_collapse(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* "sear: <msg>" on stderr; for errors, warnings and notes alike (git style). */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "sear: <msg>" on stderr unless -q: for what is good to know but not wrong. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strerror() with a lowercase first letter, as our messages are. Returns a static buffer. */
const char *errstr(int errnum);

/* True once -q was given: notes are dropped, errors still print. */
extern bool quiet;

/* Sends lib/ and symbolizer/ log messages to stderr (debug ones only with verbose). */
void cmd__setup_log(int verbose);

enum out_format {
	OUT_SVG,
	OUT_FOLDED,
	OUT_SEAR,  /* a recording: written by the caller, not output__write() */
	OUT_PPROF, /* pprof's gzipped protobuf: written by the caller */
};

/*
 * Where output goes. Nothing is opened until output__begin(), after every
 * argument and input was checked; a regular file is written to a new file
 * beside it and renamed over it only when complete, so a failed or
 * interrupted run leaves what was there. Devices, FIFOs and stdout are
 * written in place.
 */
struct output {
	const char *path; /* "-": stdout */
	enum out_format format;
	bool stdout_, special; /* stdout; a device, FIFO or socket: written in place */
	bool exists;	       /* path was there: dev and ino say what it is */
	dev_t dev;
	ino_t ino;
	FILE *f; /* between begin and commit */
	int fd;
	char *tmp; /* the new file, until it is renamed over path */
};

/*
 * Picks the format from --format (may be NULL) or the path's extension,
 * and checks that path can be written. Opens nothing. Prints the error
 * and returns -1 on failure.
 */
int output__open(struct output *o, const char *path, const char *format);

/* True when the output is the file input (an output must never overwrite an input). */
bool output__is(const struct output *o, const char *input);

/*
 * Starts writing: a new file beside the target, or the device or stdout.
 * Returns the stream (owned by o), or NULL after a message.
 */
FILE *output__begin(struct output *o);

/* Gives a file being written its final name now, as a .sear recording has while recording. */
int output__publish(struct output *o);

/*
 * Ends writing: flushes, syncs and renames the new file over the target.
 * Returns 0, or -errno after a message (-EPIPE quietly: stdout's reader
 * went away). The target is untouched on failure.
 */
int output__commit(struct output *o);

/* Stops writing and removes the new file; the target is untouched. */
void output__abort(struct output *o);

/* Removes the new files of outputs not yet committed: for exit paths. */
void output__cleanup(void);

/*
 * Writes f in the output's format: begin, render, commit. Prints the
 * error and returns -1 on failure, e.g. a full disk.
 */
int output__write(struct output *o, const struct flame *f, const struct flame_svg_opts *svg);

/*
 * The options of report and diff that choose and name what is read:
 * filters, root frames, and the naming options record has too. Returns 1
 * when opt (a getopt_long value) was one of them, 0 when not, -1 (after a
 * message) for a bad value.
 */
enum {
	OPT_LOAD_PID = 2000,
	OPT_LOAD_TID,
	OPT_LOAD_COMM,
	OPT_LOAD_FROM,
	OPT_LOAD_TO,
	OPT_LOAD_PID_ROOTS,
	OPT_LOAD_REVERSE,
	OPT_LOAD_SYMFS,
};
/* clang-format off */
#define LOAD_LONGOPTS							\
	{ "pid", required_argument, NULL, OPT_LOAD_PID },		\
	{ "tid", required_argument, NULL, OPT_LOAD_TID },		\
	{ "comm", required_argument, NULL, OPT_LOAD_COMM },		\
	{ "from", required_argument, NULL, OPT_LOAD_FROM },		\
	{ "to", required_argument, NULL, OPT_LOAD_TO },			\
	{ "pid-roots", no_argument, NULL, OPT_LOAD_PID_ROOTS },		\
	{ "reverse", no_argument, NULL, OPT_LOAD_REVERSE },		\
	{ "symfs", required_argument, NULL, OPT_LOAD_SYMFS }
/* clang-format on */
int load_option(struct load_opts *o, int opt, const char *arg);

/* The help text for those options. */
extern const char load_options_help[];

/*
 * How frames are named, for record and report alike: inline frames, source
 * lines, full C++ names, debuginfod. Returns 1 when opt was one of them,
 * 0 when not, -1 (after a message) for a bad value.
 */
enum {
	OPT_NAMES_INLINE = 3000,
	OPT_NAMES_SRCLINE,
	OPT_NAMES_FULL_NAMES,
	OPT_NAMES_DEBUGINFOD,
	OPT_NAMES_NO_DEBUGINFOD,
	OPT_NAMES_DEBUGINFOD_TIMEOUT,
};
/* clang-format off */
#define NAMES_LONGOPTS								\
	{ "inline", no_argument, NULL, OPT_NAMES_INLINE },			\
	{ "srcline", no_argument, NULL, OPT_NAMES_SRCLINE },			\
	{ "full-names", no_argument, NULL, OPT_NAMES_FULL_NAMES },		\
	{ "debuginfod", optional_argument, NULL, OPT_NAMES_DEBUGINFOD },	\
	{ "no-debuginfod", no_argument, NULL, OPT_NAMES_NO_DEBUGINFOD },	\
	{ "debuginfod-timeout", required_argument, NULL, OPT_NAMES_DEBUGINFOD_TIMEOUT }
/* clang-format on */
int names_option(struct symbolizer_opts *o, int opt, const char *arg);

/* The help text for those options. */
extern const char names_options_help[];

/*
 * Reads path with the loader (pipeline/load.h) into f: one profile, or a
 * differential one from two-column input. An empty input is an error
 * unless empty_ok. Returns 0, or -1 when the loader (or this) has said
 * what went wrong.
 */
int load_flame(const char *path, const struct load_opts *o, struct flame *f,
	       struct profile_info *info, bool empty_ok);

/*
 * The flame graph options that record, report, diff and flamegraph share,
 * as flamegraph.pl names them. Returns 1 when opt (a getopt_long value)
 * was one of them, 0 when not, -1 (after a message) for a bad value.
 */
enum {
	OPT_SVG_TITLE = 1000,
	OPT_SVG_SUBTITLE,
	OPT_SVG_WIDTH,
	OPT_SVG_HEIGHT,
	OPT_SVG_MINWIDTH,
	OPT_SVG_FONTSIZE,
	OPT_SVG_FONTWIDTH,
	OPT_SVG_FONTTYPE,
	OPT_SVG_COLORS,
	OPT_SVG_BGCOLORS,
	OPT_SVG_HASH,
	OPT_SVG_RANDOM,
	OPT_SVG_INVERTED,
	OPT_SVG_COUNTNAME,
	OPT_SVG_NAMETYPE,
	OPT_SVG_NOTES,
	OPT_SVG_TOTAL,
	OPT_SVG_FACTOR,
	OPT_SVG_ENCODING,
	OPT_SVG_NAMEATTR,
};
/* clang-format off */
#define SVG_LONGOPTS							\
	{ "title", required_argument, NULL, OPT_SVG_TITLE },		\
	{ "subtitle", required_argument, NULL, OPT_SVG_SUBTITLE },	\
	{ "width", required_argument, NULL, OPT_SVG_WIDTH },		\
	{ "height", required_argument, NULL, OPT_SVG_HEIGHT },		\
	{ "minwidth", required_argument, NULL, OPT_SVG_MINWIDTH },	\
	{ "fontsize", required_argument, NULL, OPT_SVG_FONTSIZE },	\
	{ "fontwidth", required_argument, NULL, OPT_SVG_FONTWIDTH },	\
	{ "fonttype", required_argument, NULL, OPT_SVG_FONTTYPE },	\
	{ "colors", required_argument, NULL, OPT_SVG_COLORS },		\
	{ "bgcolors", required_argument, NULL, OPT_SVG_BGCOLORS },	\
	{ "hash", no_argument, NULL, OPT_SVG_HASH },			\
	{ "random", no_argument, NULL, OPT_SVG_RANDOM },		\
	{ "inverted", no_argument, NULL, OPT_SVG_INVERTED },		\
	{ "countname", required_argument, NULL, OPT_SVG_COUNTNAME },	\
	{ "nametype", required_argument, NULL, OPT_SVG_NAMETYPE },	\
	{ "notes", required_argument, NULL, OPT_SVG_NOTES },		\
	{ "total", required_argument, NULL, OPT_SVG_TOTAL },		\
	{ "factor", required_argument, NULL, OPT_SVG_FACTOR },		\
	{ "encoding", required_argument, NULL, OPT_SVG_ENCODING },	\
	{ "nameattr", required_argument, NULL, OPT_SVG_NAMEATTR }
/* clang-format on */
int svg_option(struct flame_svg_opts *o, int opt, const char *arg);

/* The help text for those options. */
extern const char svg_options_help[];

#endif
