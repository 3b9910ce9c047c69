// SPDX-License-Identifier: MIT
/* sear collapse: 'perf script' text to folded stacks, as stackcollapse-perf.pl writes them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flamegraph/collapse.h"
#include "lib/array.h"
#include "lib/strtab.h"
#include "cmd.h"

extern char **environ;

#define TOOL_OUTPUT_MAX (64u << 20) /* what addr2line or nm may print for one module */

static void collapse__usage(FILE *f)
{
	fputs("usage: sear collapse [options] [FILE...] > out.folded\n"
	      "\n"
	      "Folds 'perf script' text (the FILEs in turn, or stdin) into one line per\n"
	      "distinct stack: the same bytes as FlameGraph's stackcollapse-perf.pl, with\n"
	      "the same options, many times faster.\n"
	      "\n"
	      "  perf script | sear collapse > out.folded\n"
	      "  perf script | sear collapse | sear flamegraph > flame.svg\n"
	      "\n"
	      "Each stack's count is the sum of its samples' periods (the number perf\n"
	      "prints before the event name), or of samples when there is none. Only one\n"
	      "event is kept: the first one in the input, unless --event-filter names one.\n"
	      "\n"
	      "  --pid                  root frames 'comm-PID' (perf prints the PID with\n"
	      "                         'perf script -F comm,pid,tid,time,event,ip,sym,dso')\n"
	      "                           perf script -F comm,pid,tid,time,event,ip,sym,dso | "
	      "sear collapse --pid\n"
	      "  --tid                  root frames 'comm-PID/TID'\n"
	      "                           perf script -F comm,pid,tid,time,event,ip,sym,dso | "
	      "sear collapse --tid\n"
	      "  --kernel               mark kernel frames with _[k] (for --colors java)\n"
	      "                           perf script | sear collapse --kernel\n"
	      "  --jit                  mark frames from /tmp/perf-PID.map with _[j]\n"
	      "                           perf script | sear collapse --jit\n"
	      "  --all                  both marks: --kernel --jit\n"
	      "                           perf script | sear collapse --all\n"
	      "  --addrs                a frame without a symbol keeps its address:\n"
	      "                         '[libfoo.so <7f12ab>]'\n"
	      "                           perf script | sear collapse --addrs\n"
	      "  --event-filter EVENT   keep the samples of EVENT (as perf script names it)\n"
	      "                           perf script | sear collapse --event-filter cycles\n"
	      "  --inline               expand each frame into the functions inlined at its\n"
	      "                         address, asking addr2line (binutils) about the binary\n"
	      "                           perf script | sear collapse --inline\n"
	      "  --context              with --inline, add each function's file:line\n"
	      "                           perf script | sear collapse --inline --context\n"
	      "  --srcline              read the source line perf prints after each frame\n"
	      "                           perf script -F+srcline | sear collapse --srcline\n"
	      "  --threads N            parse on N threads (default: one per CPU)\n"
	      "  -o, --output FILE      write here instead of stdout\n"
	      "  -q, --quiet            no notes about skipped lines and left-out events\n",
	      f);
}

/*
 * --inline: asks addr2line for the functions inlined at an address, as
 * stackcollapse-perf.pl does, with its fallback to nm when addr2line knows
 * only the symbol. The tools run without a shell; each answer is kept.
 */
struct inliner {
	bool context;
	bool missing; /* addr2line or nm could not run: said once */
	struct strtab *keys;
	char **answers; /* by key id */
	size_t cap_answers;
	struct strtab *nm_keys;
	char **nm_out; /* by module id */
	size_t cap_nm;
	char *buf; /* the answer being built */
	size_t buf_cap;
};

/* Runs argv[0] (from PATH) and returns what it wrote to stdout (stderr is the user's). */
static char *inliner__run(struct inliner *in, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	size_t len = 0, cap = 0;
	char *out = NULL;
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		if (!in->missing)
			msg("cannot run '%s' for --inline: %s (it comes with binutils)", argv[0],
			    errstr(errno));
		in->missing = true;
		return strdup("");
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	for (;;) {
		if (array__grow((void **)&out, &cap, len + 65536 + 1, 1)) {
			free(out);
			out = NULL;
			break;
		}
		got = read(fds[0], out + len, 65536);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (len + got <= TOOL_OUTPUT_MAX)
			len += got;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		out[len] = '\0';
	return out;
}

static int inliner__resolve(struct inliner *in, const char *pc, const char *rawfunc,
			    const char *mod, const char **res);

/*
 * addr2line found no function: with a "name+0xOFF" frame, the symbol's
 * address from nm plus the offset may do better. Returns 1 with *res set
 * when it did, 0 when not, or -ENOMEM.
 */
static int inliner__by_symbol(struct inliner *in, const char *rawfunc, const char *mod,
			      const char **res)
{
	const char *plus = NULL, *q;
	unsigned long long base;
	size_t flen;
	int64_t id;
	int err;
	char newpc[40];

	for (q = rawfunc; (q = strstr(q, "+0x")); q++)
		if (q > rawfunc && q[3] && strspn(q + 3, "0123456789abcdef") == strlen(q + 3))
			plus = q;
	if (!plus)
		return 0;
	flen = plus - rawfunc;
	id = strtab__intern(in->nm_keys, mod);
	if (id < 0 || array__grow((void **)&in->nm_out, &in->cap_nm, id + 1, sizeof(char *)))
		return -ENOMEM;
	if (!in->nm_out[id]) {
		char *argv[] = { "nm", (char *)mod, NULL };

		in->nm_out[id] = inliner__run(in, argv);
		if (!in->nm_out[id])
			return -ENOMEM;
	}
	if (collapse__nm_address(in->nm_out[id], rawfunc, flen, &base)) {
		unsigned long long off = strtoull(plus + 3, NULL, 16);

		snprintf(newpc, sizeof(newpc), "0x%llx", base + off);
		err = inliner__resolve(in, newpc, "", mod, res);
		return err ? err : 1;
	}
	return 0;
}

static int inliner__resolve(struct inliner *in, const char *pc, const char *rawfunc,
			    const char *mod, const char **res)
{
	char key[PATH_MAX + 64], *out, *body;
	int64_t id;
	int err;

	snprintf(key, sizeof(key), "%s%c%s", pc, 1, mod);
	id = strtab__intern(in->keys, key);
	if (id < 0 || array__grow((void **)&in->answers, &in->cap_answers, id + 1, sizeof(char *)))
		return -ENOMEM;
	if (in->answers[id]) {
		*res = in->answers[id];
		return 0;
	}
	{
		char *argv[] = { "addr2line", "-a", (char *)pc, "-e", (char *)mod,
				 "-i",	      "-f", "-s",	"-C", NULL };

		out = inliner__run(in, argv);
	}
	if (!out)
		return -ENOMEM;
	/* The first line is the address. */
	body = strchr(out, '\n') ? strchr(out, '\n') + 1 : out;
	if (strstr(body, "??\n??:0")) {
		err = inliner__by_symbol(in, rawfunc, mod, res);
		if (err) {
			free(out);
			if (err < 0)
				return err;
			in->answers[id] = strdup(*res);
			*res = in->answers[id];
			return in->answers[id] ? 0 : -ENOMEM;
		}
	}
	err = collapse__inline_answer(body, in->context, &in->buf, &in->buf_cap);
	free(out);
	if (err)
		return err;
	in->answers[id] = strdup(in->buf);
	*res = in->answers[id];
	return in->answers[id] ? 0 : -ENOMEM;
}

static int inliner__fn(void *ctx, const char *pc, size_t pc_len, const char *rawfunc,
		       size_t rawfunc_len, const char *mod, size_t mod_len, const char **out,
		       size_t *out_len)
{
	char pcs[256], fn[4096], m[PATH_MAX];
	int err;

	/* Arguments cannot hold NULs, nor can these be longer than a path. */
	if (pc_len >= sizeof(pcs) || rawfunc_len >= sizeof(fn) || mod_len >= sizeof(m) ||
	    memchr(pc, 0, pc_len) || memchr(rawfunc, 0, rawfunc_len) || memchr(mod, 0, mod_len)) {
		*out_len = 0;
		return 0;
	}
	memcpy(pcs, pc, pc_len);
	pcs[pc_len] = '\0';
	memcpy(fn, rawfunc, rawfunc_len);
	fn[rawfunc_len] = '\0';
	memcpy(m, mod, mod_len);
	m[mod_len] = '\0';
	err = inliner__resolve(ctx, pcs, fn, m, out);
	*out_len = err ? 0 : strlen(*out);
	return err;
}

static void inliner__release(struct inliner *in)
{
	size_t i;

	for (i = 0; i < in->cap_answers; i++)
		free(in->answers[i]);
	for (i = 0; i < in->cap_nm; i++)
		free(in->nm_out[i]);
	free(in->answers);
	free(in->nm_out);
	free(in->buf);
	strtab__free(in->keys);
	strtab__free(in->nm_keys);
}

/* Reads one input into the collapser. Returns 0, or -1 after saying why. */
static int collapse__input(struct collapse *col, const char *path)
{
	bool std = !strcmp(path, "-");
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC), err;
	char head[8];
	ssize_t got;

	if (fd < 0) {
		msg("cannot open '%s': %s", path, errstr(errno));
		return -1;
	}
	got = pread(fd, head, sizeof(head), 0);
	if (got < 0 && errno == ESPIPE) {
		/* a pipe: the first bytes are fed, then the rest read */
		got = read(fd, head, sizeof(head));
		if (got > 0 && !(got == 8 && !memcmp(head, "PERFILE2", 8)) &&
		    collapse__feed(col, head, got)) {
			msg("out of memory");
			goto out_close;
		}
	}
	if (got == 8 && !memcmp(head, "PERFILE2", 8)) {
		msg("'%s' is a perf.data file: use 'sear report %s -o out.folded', or 'perf script "
		    "-i %s | sear collapse'",
		    path, path, path);
		goto out_close;
	}
	err = got < 0 ? -errno : collapse__read_fd(col, fd);
	if (err) {
		msg("cannot read '%s': %s", std ? "stdin" : path, errstr(-err));
		goto out_close;
	}
	/* A regular file may be read again at the end: it stays open until then. */
	return fd;
out_close:
	if (!std)
		close(fd);
	return -1;
}

int cmd_collapse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", no_argument, NULL, 'p' },
		{ "tid", no_argument, NULL, 't' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "jit", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "addrs", no_argument, NULL, 'A' },
		{ "event-filter", required_argument, NULL, 'e' },
		{ "inline", no_argument, NULL, 'i' },
		{ "context", no_argument, NULL, 'c' },
		{ "srcline", no_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct collapse_opts opts = { 0 };
	struct inliner in = { 0 };
	struct collapse_notes cn;
	const char *output = NULL;
	struct collapse *col = NULL;
	int c, i, fds[64], nr_fds = 0, ret = 1;
	struct output o = { .fd = -1 };
	bool do_inline = false;
	FILE *out;
	char *end;
	long v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			opts.pid = true;
			break;
		case 't':
			opts.tid = true;
			break;
		case 'k':
			opts.kernel = true;
			break;
		case 'j':
			opts.jit = true;
			break;
		case 'a':
			opts.kernel = opts.jit = true;
			break;
		case 'A':
			opts.addrs = true;
			break;
		case 'e':
			opts.event_filter = optarg;
			break;
		case 'i':
			do_inline = true;
			break;
		case 'c':
			in.context = true;
			break;
		case 's':
			opts.srcline = true;
			break;
		case 'T':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > 64) {
				msg("invalid --threads '%s': use a number from 1 to 64", optarg);
				return 1;
			}
			opts.threads = v;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			collapse__usage(stdout);
			return 0;
		default:
			fputs("run 'sear collapse --help' for the options\n", stderr);
			return 1;
		}
	}
	if (argc - optind > (int)(sizeof(fds) / sizeof(fds[0]))) {
		msg("at most %zu input files at once", sizeof(fds) / sizeof(fds[0]));
		return 1;
	}
	if (do_inline) {
		in.keys = strtab__new();
		in.nm_keys = strtab__new();
		if (!in.keys || !in.nm_keys) {
			msg("out of memory");
			goto out;
		}
		opts.inline_fn = inliner__fn;
		opts.inline_ctx = &in;
	}
	/* Checked now, written at the end: a failed run leaves what was there. */
	if (output__open(&o, output ? output : "-", "folded"))
		goto out;
	for (i = optind; i < argc; i++)
		if (output__is(&o, argv[i])) {
			msg("'%s' is both an input and the output: write elsewhere", output);
			goto out;
		}
	col = collapse__new(&opts);
	if (!col) {
		msg("out of memory");
		goto out;
	}
	for (i = optind; i < argc || (i == optind && optind == argc); i++) {
		int fd = collapse__input(col, i < argc ? argv[i] : "-");

		if (fd < 0)
			goto out;
		fds[nr_fds++] = fd;
	}
	c = collapse__finish(col);
	if (c) {
		msg("cannot read the input: %s", errstr(-c));
		goto out;
	}
	out = output__begin(&o);
	if (!out)
		goto out;
	if (collapse__write(col, out)) {
		msg("cannot write '%s': write failed (is the disk full?); what was there is kept",
		    output ? output : "stdout");
		goto out;
	}
	if (output__commit(&o))
		goto out;
	collapse__notes(col, &cn);
	if (cn.dropped_event[0])
		note("the input holds several events: kept the samples of '%s', the first one, and "
		     "left out %llu of others such as '%s' (choose with --event-filter)",
		     cn.event, (unsigned long long)cn.dropped_samples, cn.dropped_event);
	for (i = 0; i < (int)cn.nr_first; i++)
		note("line %llu is not perf script output, skipped: '%s'",
		     (unsigned long long)cn.first[i].line, cn.first[i].text);
	if (cn.unrecognized > cn.nr_first)
		note("%llu lines in all were not perf script output",
		     (unsigned long long)cn.unrecognized);
	if (cn.long_lines)
		note("%llu lines longer than %u MiB were cut", (unsigned long long)cn.long_lines,
		     COLLAPSE_MAX_LINE >> 20);
	if (cn.inexact)
		note("counts past 2^64 were summed on several threads: their last digits may "
		     "differ from perl's (--threads 1 sums them in order)");
	ret = 0;
out:
	output__abort(&o);
	for (i = 0; i < nr_fds; i++)
		if (fds[i] > STDIN_FILENO)
			close(fds[i]);
	collapse__free(col);
	inliner__release(&in);
	return ret;
}
