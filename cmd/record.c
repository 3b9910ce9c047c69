// SPDX-License-Identifier: MIT
/*
 * sear record: sample a command, processes, threads or the whole machine,
 * and write a flame graph (or folded stacks) when it stops.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "flamegraph/flame.h"
#include "lib/events.h"
#include "lib/io.h"
#include "lib/proc.h"
#include "lib/cgroup.h"
#include "lib/sampler.h"
#include "lib/unwind.h"
#include "lib/workload.h"
#include "pipeline/pprofout.h"
#include "pipeline/searout.h"
#include "pipeline/kunwind.h"
#include "pipeline/session.h"
#include "symbolizer/symbolizer.h"
#include "args.h"
#include "cmd.h"

#ifndef SEAR_VERSION
#define SEAR_VERSION "0"
#endif

#define RECORD_POLL_MS	     100
#define MAX_TARGETS	     4096
#define RECORD_MAX_OUTPUTS   4
#define RECORD_MAX_CGROUPS   16
#define RECORD_NICE	     (-10) /* above a busy target, below real-time work */
#define RECORD_FLUSH_SECS    1.0   /* a .sear chunk at least this often */
#define RECORD_FLUSH_SAMPLES 65536 /* or when this many samples wait */

/* What the command line asked for. */
struct record_opts {
	const char *outputs[RECORD_MAX_OUTPUTS];
	int nr_outputs;
	const char *format, *call_graph;
	enum { BPF_OFF, BPF_AUTO, BPF_REQUIRED } bpf; /* the in-kernel unwinder */
	char *event_list;			      /* -e, comma-separated; split in place */
	const char *events[SAMPLER_MAX_EVENTS];
	int nr_events;
	unsigned int freq;
	uint64_t period;
	unsigned long stack_size; /* dwarf: bytes of user stack per sample */
	unsigned int mmap_pages;
	double duration;
	pid_t pids[MAX_TARGETS], tids[MAX_TARGETS];
	int nr_pids, nr_tids;
	bool system_wide;
	bool include_self;			 /* -a: keep sear's own samples */
	bool off_cpu;				 /* --off-cpu: waits too */
	bool off_cpu_skip_idle;			 /* not epoll_wait's */
	uint64_t off_cpu_min_ns;		 /* --off-cpu-threshold */
	char *cgroup_list;			 /* --cgroup/-G, comma-separated; split in place */
	const char *cgroups[RECORD_MAX_CGROUPS]; /* PATH or CONTAINER-ID each */
	int nr_cgroups;
	char **argv; /* the command after "--" */
	struct flame_svg_opts svg;
	struct symbolizer_opts sym_opts;
	struct session_opts session_opts;
	int verbose;
	int argc; /* sear's own command line, for the .sear header */
	char **full_argv;
};

/* A recording in progress. */
struct record {
	struct record_opts opts;
	struct output outs[RECORD_MAX_OUTPUTS];
	struct sear_out *sear;	    /* the .sear output's writer, if any */
	struct output *sear_output; /* and its file */
	const char *sear_path;
	double last_flush;
	struct sampler *sampler;
	struct kunwind *kunwind; /* the in-kernel unwinder, in bpf mode */
	struct symbolizer *sym;
	struct session *session;
	struct workload work;
	bool have_work;
	bool stopped_work; /* sear stopped the command: its status is not its own */
	int work_status;
	int kernel_threads; /* of the -p targets */
	int pidfds[MAX_TARGETS];
	int nr_pidfds;
	int cgroup_fds[RECORD_MAX_CGROUPS];
	char cgroup_paths[RECORD_MAX_CGROUPS][4096];
	bool sear_failed; /* writing the .sear failed: it keeps what it had */
	bool status_line; /* a live status line on stderr, a TTY */
	double last_status;
	int err; /* a fatal error from the record callback */
	char event_name[128];
	struct timespec start;
	int64_t start_unix_ns;
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STR_(x)	      #x
#define STR(x)	      STR_(x)

static volatile sig_atomic_t record_signal;

/*
 * The signals that end a process by default: each stops a recording the
 * way Ctrl-C does, with a complete output and the command stopped.
 */
static const int record_stop_signals[] = { SIGINT,  SIGTERM, SIGHUP,	SIGQUIT, SIGUSR1, SIGUSR2,
					   SIGALRM, SIGXCPU, SIGVTALRM, SIGPROF, SIGPWR,  SIGIO };

static void record__flush(struct record *r, bool force);

static void record__on_signal(int sig)
{
	record_signal = sig;
}

static void record__on_chld(int sig)
{
	(void)sig; /* only wakes ppoll */
}

static void record__usage(FILE *f)
{
	fputs("usage: sear record [options] -- COMMAND [ARGS...]\n"
	      "   or: sear record [options] -p PID[,PID...] | -t TID[,TID...] | -a | --cgroup "
	      "CG[,CG...]\n"
	      "\n"
	      "Samples call stacks and writes an interactive flame graph (or folded stacks)\n"
	      "when the command exits, the duration ends, or on Ctrl-C.\n"
	      "\n"
	      "Targets:\n"
	      "  -- COMMAND [ARGS]      run COMMAND; follow its threads and children\n"
	      "                           sear record -o flame.svg -- ./myserver --port 8080\n"
	      "  -p, --pid PID[,PID]    attach to running processes, all threads (new ones too)\n"
	      "                           sear record -p 4242 -d 30 -o flame.svg\n"
	      "  -t, --tid TID[,TID]    attach to single threads\n"
	      "                           sear record -t 4243 -o thread.svg\n"
	      "  -a, --all-cpus         every process on every CPU; processes in containers\n"
	      "                         are grouped under [container ID]\n"
	      "                           sear record -a -d 10 -o system.svg\n"
	      "  -G, --cgroup CG[,CG]   the processes of cgroups v2: a path, or a Docker\n"
	      "                         container id (full or a unique prefix)\n"
	      "                           sear record --cgroup 3f2a9c1b -d 30 -o app.svg\n"
	      "                         (with -a or without: perf spells it -a -G CG)\n"
	      "  --pid-roots            name root frames 'comm [pid]', one per process\n"
	      "                           sear record -a --pid-roots -d 5 -o pids.svg\n"
	      "  --include-self         with -a, keep sear's own samples (left out by default)\n"
	      "  --off-cpu              also the time threads spend blocked (sleeping, waiting\n"
	      "                         on I/O or a lock), with its stacks, under [off-cpu]\n"
	      "                         frames: widths become time, in ms\n"
	      "                           sear record --off-cpu -p 4242 -d 10 -o wait.svg\n"
	      "  --off-cpu-threshold MS leave out waits shorter than MS milliseconds\n"
	      "  --off-cpu-skip-idle    leave out idle event loops' waits (epoll, poll, select)\n"
	      "\n"
	      "Sampling:\n"
	      "  -F, --freq HZ          samples per second (default 999)\n"
	      "                           sear record -F 99 -p 4242\n"
	      "  -c, --count N          one sample every N events, instead of -F\n"
	      "                           sear record -e page-faults -c 1 -- ./app\n"
	      "  -e, --event NAME[,...] events to sample (default cycles; cpu-clock without a\n"
	      "                         PMU); several get a root frame each; see 'sear list'\n"
	      "                           sear record -e cpu-clock,page-faults -- ./app\n"
	      "  -g                     record call stacks (always on; accepted as perf does)\n"
	      "  --call-graph MODE      how user stacks are walked: bpf (in the kernel, by each\n"
	      "                         module's CFI, frame pointers in JIT code: whole stacks\n"
	      "                         with or without frame pointers; needs root or\n"
	      "                         CAP_BPF+CAP_PERFMON), fp (frame pointers, and the\n"
	      "                         caller a frameless leaf hides), fp,noleaf (frame\n"
	      "                         pointers only, as perf -g), dwarf[,SIZE] (CFI over a\n"
	      "                         SIZE-byte copy of each stack, default 8192), or auto\n"
	      "                         (the default: bpf where allowed, else dwarf, with a note)\n"
	      "                           sear record --call-graph dwarf -- ./app\n"
	      "  -d, --duration SECS    stop after SECS seconds\n"
	      "                           sear record -p 4242 -d 0.5 -o short.svg\n"
	      "  --mmap-pages N         ring buffer pages per CPU, a power of two (default 128;\n"
	      "                         in bpf mode the unwinder's one buffer, default 4 MiB)\n"
	      "                           sear record --mmap-pages 512 -a -o busy.svg\n"
	      "\n"
	      "Output:\n"
	      "  -o, --output FILE      FILE.svg: flame graph; FILE.folded: folded stacks;\n"
	      "                         FILE.sear: a recording; FILE.pb.gz: pprof;\n"
	      "                         '-': folded stacks on stdout (default flame.svg)\n"
	      "                           sear record -p 4242 -o stacks.folded\n"
	      "  --format FMT           svg or folded, whatever FILE's extension\n"
	      "                           sear record --format folded -o out.txt -- ./app\n"
	      "  (the flame graph takes flamegraph.pl's options: see below)\n"
	      "                           sear record --title 'api server' -p 4242\n"
	      "                           sear record --inverted -o icicle.svg -- ./app\n"
	      "\n"
	      "Messages:\n"
	      "  -q, --quiet            no notes, only errors\n"
	      "  -v, --verbose          more detail, such as files that could not be read\n"
	      "\n",
	      f);
	fputs(names_options_help, f);
	fputs("                           sear record --inline --srcline -o lines.svg -- ./app\n"
	      "                           DEBUGINFOD_URLS=https://debuginfod.debian.net \\\n"
	      "                             sear record -o flame.svg -- xz -9 big.tar\n\n",
	      f);
	fputs(svg_options_help, f);
}

/* Parses "12,34,56" into pids. Returns the count, or -1. */
static int parse_pid_list(const char *s, pid_t *out, int max, int have)
{
	int n = args__id_list(s, out, max, have);

	return n < 0 ? -1 : n;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	return args__uint(s, max, out) ? -1 : 0;
}

/* Splits -e's comma-separated list. */
static int record__parse_events(struct record_opts *o, const char *arg)
{
	free(o->event_list);
	o->event_list = strdup(arg);
	o->nr_events = 0;
	if (!o->event_list)
		return -1;
	o->nr_events = args__split(o->event_list, o->events, SAMPLER_MAX_EVENTS);
	if (o->nr_events < 0) {
		msg("too many events in '%s': at most %d at once", arg, SAMPLER_MAX_EVENTS);
		return -1;
	}
	if (!o->nr_events) {
		msg("no event in '%s': use -e NAME[,NAME...]", arg);
		return -1;
	}
	return 0;
}

/* Adds --cgroup's (or -G's) comma-separated cgroups. */
static int record__parse_cgroups(struct record_opts *o, const char *arg)
{
	size_t have = o->cgroup_list ? strlen(o->cgroup_list) : 0;
	char *list = realloc(o->cgroup_list, have + strlen(arg) + 2);
	int i;

	if (!list)
		return -1;
	/* Earlier names point into the list: keep them valid by rebuilding from the start. */
	if (have)
		list[have] = ',';
	memcpy(list + (have ? have + 1 : 0), arg, strlen(arg) + 1);
	for (i = 0; have && i < (int)have; i++)
		if (!list[i])
			list[i] = ',';
	o->cgroup_list = list;
	o->nr_cgroups = args__split(list, o->cgroups, RECORD_MAX_CGROUPS);
	if (o->nr_cgroups < 0) {
		msg("too many cgroups in '%s': at most %d", arg, RECORD_MAX_CGROUPS);
		return -1;
	}
	if (!o->nr_cgroups) {
		msg("no cgroup in '%s': use --cgroup PATH|ID[,...]", arg);
		return -1;
	}
	return 0;
}

#define LEAF_STACK 64 /* fp mode: enough to read the return address at [SP] */

/* --call-graph auto | bpf | fp[,noleaf] | dwarf[,SIZE] */
static int record__parse_call_graph(struct record_opts *o)
{
	const char *cg = o->call_graph ? o->call_graph : "auto";
	enum args_call_graph mode;
	int err = args__call_graph(cg, &mode, &o->stack_size);

	if (err == -ERANGE) {
		msg("invalid --call-graph '%s': the stack size must be %d to %d bytes", cg,
		    ARGS_DWARF_STACK_MIN, ARGS_DWARF_STACK_MAX);
		return -1;
	}
	if (err) {
		msg("unsupported --call-graph '%s': use auto, bpf, fp, fp,noleaf or dwarf[,SIZE]",
		    cg);
		return -1;
	}
	switch (mode) {
	case ARGS_CALL_GRAPH_AUTO:
	case ARGS_CALL_GRAPH_BPF:
		/* record__kunwind() settles it: the kernel unwinds, or stack copies */
		o->session_opts.unwind = SESSION_UNWIND_NONE;
		o->bpf = mode == ARGS_CALL_GRAPH_BPF ? BPF_REQUIRED : BPF_AUTO;
		break;
	case ARGS_CALL_GRAPH_FP:
		o->session_opts.unwind = SESSION_UNWIND_LEAF;
		break;
	case ARGS_CALL_GRAPH_FP_NOLEAF:
		o->session_opts.unwind = SESSION_UNWIND_NONE;
		break;
	case ARGS_CALL_GRAPH_DWARF:
		o->session_opts.unwind = SESSION_UNWIND_DWARF;
		break;
	}
	return 0;
}

enum {
	OPT_CALL_GRAPH = 256,
	OPT_FORMAT,
	OPT_MMAP_PAGES,
	OPT_CGROUP,
	OPT_PID_ROOTS,
	OPT_INCLUDE_SELF,
	OPT_OFF_CPU,
	OPT_OFF_CPU_THRESHOLD,
	OPT_OFF_CPU_SKIP_IDLE,
};

static int record__parse(struct record_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "all-cpus", no_argument, NULL, 'a' },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "pid-roots", no_argument, NULL, OPT_PID_ROOTS },
		{ "include-self", no_argument, NULL, OPT_INCLUDE_SELF },
		{ "off-cpu", no_argument, NULL, OPT_OFF_CPU },
		{ "off-cpu-threshold", required_argument, NULL, OPT_OFF_CPU_THRESHOLD },
		{ "off-cpu-skip-idle", no_argument, NULL, OPT_OFF_CPU_SKIP_IDLE },
		{ "freq", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'c' },
		{ "event", required_argument, NULL, 'e' },
		{ "call-graph", required_argument, NULL, OPT_CALL_GRAPH },
		{ "duration", required_argument, NULL, 'd' },
		{ "mmap-pages", required_argument, NULL, OPT_MMAP_PAGES },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		SVG_LONGOPTS,
		NAMES_LONGOPTS,
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long v;
	double d;
	int c;

	o->freq = 999;
	optind = 1;
	/* '+': stop at the first non-option, so the command's own flags stay its own. */
	while ((c = getopt_long(argc, argv, "+p:t:aG:F:c:e:gd:o:qvh", longopts, NULL)) != -1) {
		int taken = names_option(&o->sym_opts, c, optarg);

		if (!taken)
			taken = svg_option(&o->svg, c, optarg);
		if (taken > 0)
			continue;
		if (taken < 0)
			return -1;
		switch (c) {
		case 'p':
			o->nr_pids = parse_pid_list(optarg, o->pids, MAX_TARGETS, o->nr_pids);
			if (o->nr_pids < 0) {
				msg("invalid pid list '%s': use -p PID[,PID...]", optarg);
				return -1;
			}
			break;
		case 't':
			o->nr_tids = parse_pid_list(optarg, o->tids, MAX_TARGETS, o->nr_tids);
			if (o->nr_tids < 0) {
				msg("invalid thread id list '%s': use -t TID[,TID...]", optarg);
				return -1;
			}
			break;
		case 'a':
			o->system_wide = true;
			break;
		case 'G':
		case OPT_CGROUP:
			if (record__parse_cgroups(o, optarg))
				return -1;
			break;
		case OPT_INCLUDE_SELF:
			o->include_self = true;
			break;
		case OPT_OFF_CPU:
			o->off_cpu = true;
			break;
		case OPT_OFF_CPU_THRESHOLD:
			if (args__seconds(optarg, &d) || d > 3.6e6) {
				msg("invalid --off-cpu-threshold '%s': give milliseconds, such as "
				    "1 or 0.5",
				    optarg);
				return -1;
			}
			o->off_cpu_min_ns = d * 1e6;
			o->off_cpu = true;
			break;
		case OPT_OFF_CPU_SKIP_IDLE:
			o->off_cpu_skip_idle = true;
			o->off_cpu = true;
			break;
		case OPT_PID_ROOTS:
			o->session_opts.pid_roots = true;
			break;
		case 'F':
			if (parse_uint(optarg, 1000000, &v) || !v) {
				msg("invalid frequency '%s': use -F HZ, e.g. -F 99", optarg);
				return -1;
			}
			o->freq = v;
			break;
		case 'c':
			if (parse_uint(optarg, ULLONG_MAX, &v) || !v) {
				msg("invalid period '%s': use -c N with N > 0", optarg);
				return -1;
			}
			o->period = v;
			break;
		case 'e':
			if (record__parse_events(o, optarg))
				return -1;
			break;
		case 'g':
			break;
		case OPT_CALL_GRAPH:
			o->call_graph = optarg;
			break;
		case 'd':
			if (args__seconds(optarg, &d) || d <= 0) {
				msg("invalid duration '%s': use -d SECONDS, e.g. -d 30", optarg);
				return -1;
			}
			o->duration = d;
			break;
		case OPT_MMAP_PAGES:
			if (args__mmap_pages(optarg, &o->mmap_pages)) {
				msg("invalid --mmap-pages '%s': use a power of two, e.g. 128",
				    optarg);
				return -1;
			}
			break;
		case 'o':
			if (o->nr_outputs == RECORD_MAX_OUTPUTS) {
				msg("too many outputs: at most %d -o at once", RECORD_MAX_OUTPUTS);
				return -1;
			}
			o->outputs[o->nr_outputs++] = optarg;
			break;
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			record__usage(stdout);
			exit(0);
		default:
			fputs("run 'sear record --help' for the options\n", stderr);
			return -1;
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (!o->nr_outputs)
		o->outputs[o->nr_outputs++] = "flame.svg";
	/* perf spells a cgroup -a -G CG: -a with cgroups names the cgroups' processes. */
	if (!!o->argv + !!o->nr_pids + !!o->nr_tids + (o->system_wide || o->nr_cgroups) != 1) {
		msg("name one target: -- COMMAND, -p PID, -t TID, -a or --cgroup "
		    "(see 'sear record --help')");
		return -1;
	}
	/* Machine-wide views group each container's processes under it. */
	if (o->nr_cgroups)
		o->system_wide = false;
	/* pprof labels each sample with its thread: keep them apart. */
	for (c = 0; c < o->nr_outputs; c++) {
		size_t len = strlen(o->outputs[c]);

		if ((o->format && !strcmp(o->format, "pprof")) ||
		    (len > 6 && !strcmp(o->outputs[c] + len - 6, ".pb.gz")))
			o->session_opts.per_thread = true;
	}
	o->session_opts.container_roots = o->system_wide || o->nr_cgroups;
	/* A machine-wide view of what others do: sear's own work is in the way. */
	if (o->system_wide && !o->include_self)
		o->session_opts.exclude_pid = getpid();
	if (record__parse_call_graph(o))
		return -1;
	return 0;
}

static int read_int_file(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = INT_MIN;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = INT_MIN;
		fclose(f);
	}
	return v;
}

/* Encodes one event name into attr, or says what is wrong with it. */
static int record__event(const char *name, struct perf_event_attr *attr)
{
	int err;

	memset(attr, 0, sizeof(*attr));
	err = events__parse(name, attr);
	if (err == -ENOENT) {
		char near[3][64];
		int n = events__suggest(name, near, 3);

		if (n == 1)
			msg("unknown event '%s': did you mean '%s'? ('sear list' shows them all)",
			    name, near[0]);
		else if (n > 1)
			msg("unknown event '%s': did you mean %s%s%s%s%s? ('sear list' shows them "
			    "all)",
			    name, near[0], n > 2 ? ", " : " or ", near[1], n > 2 ? " or " : "",
			    n > 2 ? near[2] : "");
		else
			msg("unknown event '%s': 'sear list' shows the events of this machine",
			    name);
		return -1;
	}
	if (err) {
		msg("invalid event '%s': check its modifiers (e.g. cycles:u)", name);
		return -1;
	}
	if (events__is_hardware(attr) && !events__have_pmu()) {
		msg("event '%s' needs a hardware PMU, and this machine has none (common in VMs): "
		    "use -e cpu-clock",
		    name);
		return -1;
	}
	return 0;
}

/* The events: -e's list, or cycles where a PMU exists, else cpu-clock. */
static int record__events(struct record *r, struct sampler_opts *opts)
{
	size_t len = 0;
	int i;

	if (!r->opts.nr_events) {
		r->opts.events[r->opts.nr_events++] = events__have_pmu() ? "cycles" : "cpu-clock";
		if (!events__have_pmu())
			note("no hardware PMU on this machine; sampling cpu-clock");
	}
	for (i = 0; i < r->opts.nr_events; i++) {
		if (record__event(r->opts.events[i], &opts->events[i]))
			return -1;
		len += snprintf(r->event_name + len, sizeof(r->event_name) - len, "%s%s",
				i ? ", " : "", r->opts.events[i]);
		if (len >= sizeof(r->event_name))
			len = sizeof(r->event_name) - 1;
	}
	opts->nr_events = r->opts.nr_events;
	return 0;
}

/* For the session: which event a sample's id belongs to. */
static int record__event_of(const void *ctx, uint64_t id)
{
	const struct record *r = ctx;

	return sampler__event_of(r->sampler, id);
}

/* Explains a failure to open or map events, with its remedy. */
static void record__open_error(struct record *r, int err, pid_t pid)
{
	enum sampler_op op = sampler__failed_op(r->sampler);
	int paranoid = read_int_file("/proc/sys/kernel/perf_event_paranoid");

	if (op == SAMPLER_OP_MMAP && (err == -EPERM || err == -ENOMEM)) {
		msg("cannot map the ring buffer: over the locked-memory limit; raise "
		    "kernel.perf_event_mlock_kb (now %d) or pass a smaller --mmap-pages",
		    read_int_file("/proc/sys/kernel/perf_event_mlock_kb"));
		return;
	}
	switch (-err) {
	case EACCES:
	case EPERM:
		if (geteuid() == 0 && cgroup__in_container()) {
			/* Root inside a container: the container lacks the rights, and sysctl is
			 * not the user's. Not root: the host's rules apply, as anywhere. Docker
			 * 20.10 (Debian's) refuses PERFMON; SYS_ADMIN passes its seccomp too. */
			msg("perf_event_open denied inside a container: run it with 'docker run "
			    "--privileged', or '--cap-add SYS_ADMIN' (or '--cap-add PERFMON' where "
			    "Docker knows it, with '--security-opt seccomp=unconfined')");
			break;
		}
		msg("perf_event_open denied (kernel.perf_event_paranoid=%d): run as root, grant "
		    "CAP_PERFMON (or CAP_SYS_ADMIN), or allow it with 'sysctl "
		    "kernel.perf_event_paranoid=1'",
		    paranoid);
		break;
	case ESRCH:
		msg("no process with pid %d", (int)pid);
		break;
	case ENOSYS:
		if (cgroup__in_container())
			msg("perf_event_open is blocked inside this container (its seccomp "
			    "profile): "
			    "run it with 'docker run --privileged', or '--security-opt "
			    "seccomp=unconfined' and '--cap-add PERFMON'");
		else
			msg("perf_event_open is not available: the kernel lacks perf events, or "
			    "seccomp blocks it (in Docker, run with --privileged or a seccomp "
			    "profile that allows perf_event_open)");
		break;
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		msg("event '%s' is not supported on this machine: use -e cpu-clock", r->event_name);
		break;
	case EMFILE:
	case ENFILE:
		msg("out of file descriptors (one per thread and CPU): raise 'ulimit -n'");
		break;
	case EINVAL:
		msg("the kernel refused the event settings: check -F against "
		    "kernel.perf_event_max_sample_rate (%d)",
		    read_int_file("/proc/sys/kernel/perf_event_max_sample_rate"));
		break;
	default:
		msg("cannot open event '%s': %s", r->event_name, errstr(-err));
	}
}

/*
 * Opens events on every target. Kernel stacks need more privilege than user
 * ones; when only they are refused, fall back to user space, as perf does.
 */
static int record__open(struct record *r, const struct sampler_opts *base)
{
	struct sampler_opts opts = *base;
	bool retried = false;
	pid_t *tids, failed = 0;
	int i, j, n, err = 0;

retry:
	r->sampler = sampler__new(&opts);
	if (!r->sampler) {
		msg("cannot set up sampling: %s", errstr(errno));
		return -1;
	}
	if (r->have_work)
		err = sampler__open_task(r->sampler, r->work.pid, true);
	for (i = 0; !err && i < r->opts.nr_pids; i++) {
		n = proc__threads(r->opts.pids[i], &tids);
		if (n < 0) {
			err = n;
			failed = r->opts.pids[i];
			break;
		}
		for (j = 0; j < n && !err; j++) {
			err = sampler__open_task(r->sampler, tids[j], true);
			if (err == -ESRCH && tids[j] != r->opts.pids[i])
				err = 0; /* a thread that ended since we listed it */
		}
		if (err)
			failed = r->opts.pids[i];
		free(tids);
	}
	for (i = 0; !err && i < r->opts.nr_tids; i++) {
		err = sampler__open_task(r->sampler, r->opts.tids[i], false);
		if (err)
			failed = r->opts.tids[i];
	}
	for (i = 0; !err && i < r->opts.nr_cgroups; i++)
		err = sampler__open_cgroup(r->sampler, r->cgroup_fds[i]);
	if (!err && r->opts.system_wide) {
		const int *cpus = sampler__cpus(r->sampler, &n);

		for (i = 0; i < n && !err; i++)
			err = sampler__open_cpu(r->sampler, cpus[i]);
	}
	if (!err)
		return 0;
	if ((err == -EACCES || err == -EPERM) && !opts.events[0].exclude_kernel && !retried &&
	    sampler__failed_op(r->sampler) == SAMPLER_OP_OPEN) {
		sampler__free(r->sampler);
		for (i = 0; i < opts.nr_events; i++)
			opts.events[i].exclude_kernel = 1;
		retried = true;
		goto retry;
	}
	record__open_error(r, err, failed);
	sampler__free(r->sampler);
	r->sampler = NULL;
	return -1;
}

static int record__process(void *ctx, const struct perf_event_header *hdr)
{
	struct record *r = ctx;
	int err = session__process(r->session, hdr);

	if (err) {
		r->err = err;
		return err;
	}
	return 0;
}

/* Takes in every record waiting: the unwinder's samples, merged in time order with perf's. */
static void record__drain(struct record *r)
{
	int err;

	if (!r->kunwind) {
		sampler__drain(r->sampler, record__process, r);
		return;
	}
	err = kunwind__drain(r->kunwind, r->sampler);
	if (err && !r->err)
		r->err = err;
}

/*
 * The last records in, with --off-cpu the threads still blocked: their waits
 * count up to now (the records' clock is CLOCK_MONOTONIC, lib/sampler.c).
 */
static void record__end_waits(struct record *r)
{
	struct timespec now;
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (r->opts.off_cpu && r->kunwind)
		err = kunwind__end_waits(r->kunwind);
	record__drain(r);
	if (!err && r->opts.off_cpu && !r->kunwind)
		err = session__end_waits(r->session,
					 (uint64_t)now.tv_sec * 1000000000 + (uint64_t)now.tv_nsec);
	if (err == -ENOMEM && !r->err)
		r->err = err;
	else if (err)
		msg("the waits still pending at the end are left out: %s", errstr(-err));
}

static double record__elapsed(const struct record *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - r->start.tv_sec) + (now.tv_nsec - r->start.tv_nsec) / 1e9;
}

/* True while something is left to profile. */
static bool record__targets_alive(struct record *r)
{
	int i, alive = 0;

	if (r->opts.system_wide || r->opts.nr_cgroups)
		return true;
	if (r->have_work) {
		int status;

		if (waitpid(r->work.pid, &status, WNOHANG) == r->work.pid) {
			r->have_work = false;
			r->work_status = status;
			return false;
		}
		return true;
	}
	for (i = 0; i < r->nr_pidfds; i++) {
		struct pollfd p = { .fd = r->pidfds[i], .events = POLLIN };

		if (r->pidfds[i] >= 0 && poll(&p, 1, 0) == 1) {
			close(r->pidfds[i]);
			r->pidfds[i] = -1;
		}
		alive += r->pidfds[i] >= 0;
	}
	for (i = 0; i < r->opts.nr_tids; i++)
		alive += kill(r->opts.tids[i], 0) == 0 || errno != ESRCH;
	return alive > 0;
}

/* "sear: 12.3 s  45,678 samples  0 lost  1,998/s" on a TTY, rewritten in place. */
static void record__status(struct record *r, bool final)
{
	const struct session_stats *st = session__stats(r->session);
	double now = record__elapsed(r);

	if (!r->status_line)
		return;
	if (final) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (now - r->last_status < 0.5)
		return;
	fprintf(stderr, "\r\033[Ksear: %.1f s  %llu samples  %llu lost  %.0f samples/s", now,
		(unsigned long long)st->samples, (unsigned long long)st->lost,
		now > 0 ? st->samples / now : 0.0);
	r->last_status = now;
}

static int record__loop(struct record *r)
{
	struct pollfd pfds[MAX_TARGETS + 1024];
	int fds[1024], n, i, nr;
	sigset_t orig;

	n = sampler__pollfds(r->sampler, fds, 1024);
	nr = 0;
	for (i = 0; i < n; i++)
		pfds[nr++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	if (r->kunwind)
		pfds[nr++] = (struct pollfd){ .fd = kunwind__fd(r->kunwind), .events = POLLIN };
	n = nr; /* the fds polled for records, before the targets' pidfds */
	for (i = 0; i < r->nr_pidfds; i++)
		pfds[nr++] = (struct pollfd){ .fd = r->pidfds[i], .events = POLLIN };
	/* ppoll waits with the stopping signals (blocked elsewhere) let through. */
	sigprocmask(SIG_SETMASK, NULL, &orig);
	for (i = 0; i < (int)ARRAY_SIZE(record_stop_signals); i++)
		sigdelset(&orig, record_stop_signals[i]);
	sigdelset(&orig, SIGCHLD);
	while (!record_signal && !r->err) {
		double left = r->opts.duration ? r->opts.duration - record__elapsed(r) : 1e9;
		int ms = left * 1000 < RECORD_POLL_MS ? (int)(left * 1000) : RECORD_POLL_MS;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (ms > 0 ? ms : 0) * 1000000L };

		/* Signals are blocked outside ppoll, so none is lost between checks. */
		ppoll(pfds, nr, &ts, &orig);
		record__drain(r);
		record__status(r, false);
		record__flush(r, false);
		if (r->opts.duration && record__elapsed(r) >= r->opts.duration)
			break;
		if (!record__targets_alive(r))
			break;
		/* A target that exited leaves its pidfd readable forever: stop polling it. */
		for (i = n; i < nr; i++)
			if (pfds[i].revents)
				pfds[i].fd = -1;
	}
	sampler__disable(r->sampler);
	record__end_waits(r);
	record__status(r, true);
	if (r->err) {
		msg("out of memory while recording: %s", errstr(-r->err));
		return -1;
	}
	return 0;
}

/* Stops the command if it still runs (sear was interrupted or timed out). */
static void record__stop_workload(struct record *r)
{
	int i, status;

	if (!r->have_work)
		return;
	r->stopped_work = true;
	kill(r->work.pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(r->work.pid, &status, WNOHANG) == r->work.pid)
			goto reaped;
		usleep(20000);
	}
	kill(r->work.pid, SIGKILL);
	waitpid(r->work.pid, &status, 0);
reaped:
	r->have_work = false;
	r->work_status = status;
}

/* A process that was running before recording began: its mappings and threads, from /proc. */
static void record__synthesize(struct record *r, pid_t pid)
{
	proc__synthesize(pid, record__process, r);
}

/* The processes already in the cgroups, from their cgroup.procs. */
static void record__synthesize_cgroups(struct record *r)
{
	char path[4200];
	FILE *f;
	int i, pid;

	for (i = 0; i < r->opts.nr_cgroups; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", r->cgroup_paths[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fscanf(f, "%d", &pid) == 1)
			record__synthesize(r, pid);
		fclose(f);
	}
}

static void record__synthesize_all(struct record *r)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;

	while (dir && (de = readdir(dir)) && !r->err) {
		int pid = atoi(de->d_name);

		if (pid > 0)
			record__synthesize(r, pid);
	}
	if (dir)
		closedir(dir);
}

/* What was recorded, for the subtitle: the same words as a report of it. */
static void record__info(struct record *r, struct profile_info *info, double secs)
{
	const struct session_stats *st = session__stats(r->session);

	memset(info, 0, sizeof(*info));
	snprintf(info->events, sizeof(info->events), "%s", r->event_name);
	info->frequency = sampler__freq(r->sampler);
	info->period = r->opts.period;
	info->samples = st->samples;
	info->lost = st->lost;
	info->seconds = secs;
	info->time_us = r->opts.session_opts.time_weights;
	snprintf(info->call_graph, sizeof(info->call_graph), "%s", r->opts.call_graph);
}

/* The .sear header: what was recorded, and how. */
static void record__meta(struct record *r, struct sear_meta *m)
{
	struct utsname u;
	size_t len = 0;
	int i;

	memset(m, 0, sizeof(*m));
	snprintf(m->version, sizeof(m->version), "%s", SEAR_VERSION);
	for (i = 0; i < r->opts.argc; i++)
		len += snprintf(m->command + len,
				len < sizeof(m->command) ? sizeof(m->command) - len : 0, "%s%s",
				i ? " " : "", r->opts.full_argv[i]);
	snprintf(m->events, sizeof(m->events), "%s", r->event_name);
	m->frequency = sampler__freq(r->sampler);
	m->period = r->opts.period;
	m->start_ns = r->start.tv_sec * 1000000000ULL + r->start.tv_nsec;
	m->start_unix = time(NULL);
	gethostname(m->host, sizeof(m->host) - 1);
	if (!uname(&u))
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.sysname, u.release);
	snprintf(m->call_graph, sizeof(m->call_graph), "%s", r->opts.call_graph);
	m->container_roots = r->opts.session_opts.container_roots;
	m->weight_us = r->opts.session_opts.time_weights;
}

/* Writes the pending samples as a .sear chunk. A write error stops the .sear, not the rest. */
static void record__flush(struct record *r, bool force)
{
	int err;

	if (!r->sear)
		return;
	if (!force && sear_out__pending(r->sear) < RECORD_FLUSH_SAMPLES &&
	    record__elapsed(r) - r->last_flush < RECORD_FLUSH_SECS)
		return;
	r->last_flush = record__elapsed(r);
	err = sear_out__flush(r->sear);
	if (err) {
		msg("cannot write '%s': %s; it keeps what was written before", r->sear_path,
		    errstr(-err));
		sear_out__free(r->sear);
		r->sear = NULL;
		r->sear_failed = true;
	}
}

static int record__finish_sear(struct record *r, double secs)
{
	const struct session_stats *st = session__stats(r->session);
	struct sear_meta m = { 0 };
	struct timespec now;
	int err;

	if (!r->sear)
		return r->sear_failed ? -1 : 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	m.samples = st->samples;
	m.lost = st->lost;
	m.throttled = st->throttled;
	m.unwind_failures = st->unwind_failed;
	m.end_ns = now.tv_sec * 1000000000ULL + now.tv_nsec;
	m.seconds = secs;
	err = sear_out__finish(r->sear, &m);
	r->sear = NULL;
	if (err) {
		msg("cannot write '%s': %s", r->sear_path, errstr(-err));
		return -1;
	}
	return output__commit(r->sear_output) ? -1 : 0;
}

/* pprof, from the session itself: addresses, modules and build-ids included. */
static int record__pprof(struct record *r, struct output *o, double secs)
{
	struct profile_info info;
	FILE *f = output__begin(o);
	int err;

	if (!f)
		return -1;
	record__info(r, &info, secs);
	err = pprof_out__session(r->session, &info, r->start_unix_ns, f);
	if (err) {
		msg("cannot write '%s': %s", o->path, errstr(-err));
		output__abort(o);
		return -1;
	}
	return output__commit(o) ? -1 : 0;
}

static int record__write(struct record *r, double secs)
{
	const struct session_stats *st = session__stats(r->session);
	struct flame *f = NULL;
	struct profile_info info;
	char subtitle[512], names[512] = "";
	int i, ret = 0;

	if (record__finish_sear(r, secs))
		ret = -1;
	for (i = 0; i < r->opts.nr_outputs; i++) {
		if (r->outs[i].format == OUT_SEAR)
			continue;
		if (r->outs[i].format == OUT_PPROF) {
			if (record__pprof(r, &r->outs[i], secs))
				ret = -1;
			continue;
		}
		if (!f) {
			f = flame__new();
			if (!f || session__fold(r->session, f)) {
				msg("out of memory building the flame graph");
				flame__free(f);
				return -1;
			}
			symbolizer__report_missing(r->sym);
			record__info(r, &info, secs);
			profile_info__subtitle(&info, subtitle, sizeof(subtitle));
			r->opts.svg.subtitle = subtitle;
			profile_info__svg(&info, &r->opts.svg);
		}
		if (output__write(&r->outs[i], f, &r->opts.svg))
			ret = -1;
	}
	flame__free(f);
	for (i = 0; i < r->opts.nr_outputs; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s'%s'",
			 i ? (i + 1 == r->opts.nr_outputs ? " and " : ", ") : "",
			 r->opts.outputs[i]);
	if (!st->samples && r->kernel_threads && r->kernel_threads == r->opts.nr_pids)
		msg("no samples were recorded: the kernel threads named slept (they have no user "
		    "stack; their kernel frames show when they run); %s says so",
		    names);
	else if (!st->samples)
		msg("no samples were recorded: the target may have run too briefly or slept; "
		    "%s says so",
		    names);
	if (st->throttled) {
		unsigned int now = read_int_file("/proc/sys/kernel/perf_event_max_sample_rate");

		msg("warning: the kernel throttled sampling %llu times "
		    "(kernel.perf_event_max_sample_rate is now %u); achieved %.0f samples/s: "
		    "lower -F",
		    (unsigned long long)st->throttled, now, secs > 0 ? st->samples / secs : 0.0);
	}
	if (st->lost) {
		double share = 100.0 * st->lost / (st->lost + st->samples);

		msg("%s%llu samples lost (%.1f%%)%s", share > 5 ? "warning: " : "",
		    (unsigned long long)st->lost, share,
		    share > 5 ? ": raise --mmap-pages or lower -F" : "");
	}
	if (r->opts.session_opts.unwind == SESSION_UNWIND_DWARF)
		session__log_unwind(r->session, r->opts.stack_size);
	if (r->kunwind)
		kunwind__log(r->kunwind);
	if (!ret)
		note("%llu samples in %.1f s written to %s", (unsigned long long)st->samples, secs,
		     names);
	return ret;
}

/* Checks that the targets exist before anything is opened. Prints and returns -1 if not. */
static int record__check_targets(struct record *r)
{
	const struct record_opts *o = &r->opts;
	int i;

	for (i = 0; i < o->nr_pids; i++) {
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			msg("no process with pid %d", (int)o->pids[i]);
			return -1;
		}
		if (proc__is_kernel_thread(o->pids[i])) {
			note("pid %d is a kernel thread: it has no user stack, only kernel frames",
			     (int)o->pids[i]);
			r->kernel_threads++;
		}
	}
	for (i = 0; i < o->nr_tids; i++)
		if (proc__tgid(o->tids[i]) < 0) {
			msg("no thread with tid %d", (int)o->tids[i]);
			return -1;
		}
	for (i = 0; i < o->nr_cgroups; i++) {
		int fd =
		    cgroup__open(o->cgroups[i], r->cgroup_paths[i], sizeof(r->cgroup_paths[i]));

		if (fd == -EEXIST)
			msg("container id '%s' matches several cgroups: give more of it",
			    o->cgroups[i]);
		else if (fd == -ENOTSUP)
			msg("no cgroup v2 hierarchy is mounted: --cgroup needs one");
		else if (fd < 0)
			msg("no cgroup '%s' (looked for %s): give a cgroup v2 path or a container "
			    "id",
			    o->cgroups[i], fd == -ENOENT ? "it" : r->cgroup_paths[i]);
		if (fd < 0)
			return -1;
		r->cgroup_fds[i] = fd;
	}
	return 0;
}

/*
 * The unwinder's ring buffer, shared by the CPUs: --mmap-pages per CPU, as
 * perf's are sized, rounded up to a power of two; 0 (4 MiB) by default.
 */
static uint32_t record__bpf_ring(const struct record_opts *o)
{
	uint64_t want = (uint64_t)o->mmap_pages * sysconf(_SC_PAGESIZE) *
			sysconf(_SC_NPROCESSORS_ONLN),
		 bytes = sysconf(_SC_PAGESIZE);

	if (!o->mmap_pages)
		return 0;
	while (bytes < want && bytes < (1u << 30))
		bytes <<= 1;
	return bytes;
}

/*
 * --call-graph auto and bpf: loads the in-kernel unwinder. Where it cannot
 * be had, bpf fails and auto falls back to dwarf, saying why and what
 * would allow it.
 */
static int record__kunwind(struct record *r)
{
	struct record_opts *o = &r->opts;
	struct kunwind_opts ko = {
		.include_self = o->include_self,
		.ring_bytes = record__bpf_ring(o),
		.offcpu = o->off_cpu,
		.offcpu_min_ns = o->off_cpu_min_ns,
	};
	char why[256];

	if (o->bpf == BPF_OFF)
		return 0; /* off-CPU waits from context-switch samples, if asked for */
	if (o->nr_events > 1)
		snprintf(why, sizeof(why), "the in-kernel unwinder takes one event (-e) at a time");
	else if ((r->kunwind = kunwind__new(&ko, why, sizeof(why)))) {
		o->call_graph = "bpf";
		return 0;
	} else if (errno == EPERM && geteuid() == 0 && cgroup__in_container()) {
		/* Root in a container that lacks the capabilities: the remedy is docker run's. */
		snprintf(why, sizeof(why),
			 "BPF is not allowed in this container: run it with 'docker run "
			 "--privileged', or '--cap-add SYS_ADMIN' (or '--cap-add BPF --cap-add "
			 "PERFMON' where Docker knows them, with '--security-opt "
			 "seccomp=unconfined')");
	}
	if (o->bpf == BPF_REQUIRED) {
		msg("cannot use --call-graph bpf: %s", why);
		return -1;
	}
	/* The perf-event mode that still gives whole stacks through code without frame pointers */
	note(
	    "unwinding copies of the stacks in user space (--call-graph dwarf), not in the kernel: "
	    "%s",
	    why);
	o->call_graph = "dwarf," STR(ARGS_DWARF_STACK_DEFAULT);
	o->session_opts.unwind = SESSION_UNWIND_DWARF;
	o->stack_size = ARGS_DWARF_STACK_DEFAULT;
	return 0;
}

/* The sampler's settings: the events, the rate, and what each sample copies for unwinding. */
static int record__sampler_opts(struct record *r, struct sampler_opts *opts)
{
	struct record_opts *o = &r->opts;

	bool clock;

	if (record__events(r, opts))
		return -1;
	opts->freq = o->freq;
	opts->period = o->period;
	clock = opts->events[0].type == PERF_TYPE_SOFTWARE &&
		(opts->events[0].config == PERF_COUNT_SW_CPU_CLOCK ||
		 opts->events[0].config == PERF_COUNT_SW_TASK_CLOCK);
	if (o->off_cpu) {
		/* One unit for both: a clock's samples weigh their period in ns; others 1/F s. */
		if (!clock && o->period) {
			msg("--off-cpu weighs samples in time: with -c, sample a clock "
			    "(-e cpu-clock), or use -F");
			return -1;
		}
		o->session_opts.time_weights = true;
		o->session_opts.sample_ns = clock ? 0 : 1000000000ull / (o->freq ? o->freq : 1);
		o->session_opts.offcpu_skip_idle = o->off_cpu_skip_idle;
		o->session_opts.offcpu_min_ns = o->off_cpu_min_ns;
		/* Without the in-kernel unwinder, each context switch is sampled. */
		opts->switches = !r->kunwind;
	}
	/* A clock's period is in ns: a small -c asks for more samples than a CPU can take. */
	if (o->period && clock && 1e9 / o->period > 100000)
		msg("warning: -c %llu on %s asks for %.0f samples per second per CPU: the target "
		    "will crawl; -c 1000000 (1 ms) or -F 999 are usual",
		    (unsigned long long)o->period, r->event_name, 1e9 / o->period);
	opts->mmap_pages = o->mmap_pages;
	opts->enable_on_exec = o->argv != NULL;
	if (r->kunwind) {
		/* the BPF program takes both stacks; perf's rings carry only side-band records */
		opts->no_callchain = true;
		opts->wake_each = true; /* a new mapping reaches the unwinder at once */
		opts->on_open = kunwind__attach;
		opts->on_open_ctx = r->kunwind;
		o->sym_opts.unwind_tables = true;
	} else if (o->session_opts.unwind != SESSION_UNWIND_NONE) {
		bool dwarf = o->session_opts.unwind == SESSION_UNWIND_DWARF;

		opts->sample_type = PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		opts->regs_user_mask = UNWIND_REGS_MASK;
		opts->stack_user_size = dwarf ? o->stack_size : LEAF_STACK;
		/* dwarf: the kernel's frame-pointer walk of user space is not wanted */
		opts->exclude_callchain_user = dwarf;
		o->sym_opts.unwind_tables = true;
		if (dwarf && !o->mmap_pages)
			opts->mmap_pages = 1024; /* each sample carries its stack copy */
	}
	return 0;
}

/*
 * Catches the signals that stop a recording and blocks them: record__loop()
 * waits for them in ppoll, so a signal at any moment, start-up included,
 * ends the recording in order. A closed stdout pipe is an error of the
 * write, not a signal death. Called first, before anything can be lost.
 */
static void record__signals(void)
{
	struct sigaction sa = { 0 };
	sigset_t block;
	size_t i;

	sigemptyset(&block);
	sa.sa_handler = record__on_signal;
	for (i = 0; i < ARRAY_SIZE(record_stop_signals); i++) {
		sigaction(record_stop_signals[i], &sa, NULL);
		sigaddset(&block, record_stop_signals[i]);
	}
	sa.sa_handler = record__on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Starts the .sear writer, if one of the outputs is a recording. */
static int record__start_sear(struct record *r)
{
	struct sear_meta m;
	int i;

	for (i = 0; i < r->opts.nr_outputs; i++) {
		if (r->outs[i].format != OUT_SEAR)
			continue;
		if (r->sear) {
			msg("one .sear output at a time, please");
			return -1;
		}
		record__meta(r, &m);
		if (!output__begin(&r->outs[i]))
			return -1;
		r->sear = sear_out__new(r->session, fileno(r->outs[i].f), &m);
		if (!r->sear) {
			msg("cannot write '%s': %s", r->opts.outputs[i], errstr(errno));
			return -1;
		}
		r->sear_path = r->opts.outputs[i];
		r->sear_output = &r->outs[i];
	}
	return 0;
}

/*
 * The files a command will map first, whose unwind tables are made before
 * it starts: the program (found as execvp finds it), and the C library and
 * dynamic loader, sear's own being the usual ones.
 */
static void record__prepare_command(struct record *r)
{
	static const char *const libs[] = { "/libc.so.6\n", "/ld-linux-x86-64.so.2\n" };
	const char *cmd = r->opts.argv[0], *path = getenv("PATH");
	char file[PATH_MAX], *maps = NULL;
	ssize_t len;
	size_t i;

	if (strchr(cmd, '/')) {
		kunwind__prepare_file(r->kunwind, cmd);
	} else {
		while (path && *path) {
			size_t n = strcspn(path, ":");

			if (snprintf(file, sizeof(file), "%.*s/%s", (int)n, path, cmd) <
				(int)sizeof(file) &&
			    !access(file, X_OK)) {
				kunwind__prepare_file(r->kunwind, file);
				break;
			}
			path += n + (path[n] == ':');
		}
	}
	len = io__read_file("/proc/self/maps", 1 << 20, &maps);
	for (i = 0; len > 0 && i < sizeof(libs) / sizeof(libs[0]); i++) {
		char *end = strstr(maps, libs[i]), *start = end;

		while (start && start > maps && start[-1] != ' ')
			start--;
		if (end && *start == '/' &&
		    snprintf(file, sizeof(file), "%.*s",
			     (int)(end - start) + (int)strlen(libs[i]) - 1,
			     start) < (int)sizeof(file))
			kunwind__prepare_file(r->kunwind, file);
	}
	free(maps);
}

/*
 * Lets the command run, or enables the events on running targets and
 * describes what they had mapped before. Returns 0, or the exit status.
 */
static int record__start(struct record *r)
{
	const struct record_opts *o = &r->opts;
	int i, err;

	if (!o->argv) {
		if (sampler__enable(r->sampler)) {
			msg("cannot enable sampling: %s", errstr(errno));
			return 1;
		}
		/* Processes already running made their mappings before we looked. */
		for (i = 0; i < o->nr_pids; i++)
			record__synthesize(r, o->pids[i]);
		for (i = 0; i < o->nr_tids; i++)
			record__synthesize(r, proc__tgid(o->tids[i]));
		if (o->system_wide)
			record__synthesize_all(r);
		record__synthesize_cgroups(r);
		return 0;
	}
	/* A command that blocks at once has its waits watched before its first mapping. */
	if (r->kunwind && r->opts.off_cpu)
		kunwind__watch(r->kunwind, r->work.pid);
	err = workload__start(&r->work);
	if (!err)
		return 0;
	r->have_work = false;
	/* The shell's codes: 127 not found, 126 found but not runnable. */
	if (err == -ENOENT) {
		msg("cannot run '%s': command not found", o->argv[0]);
		return 127;
	}
	msg("cannot run '%s': %s", o->argv[0], errstr(-err));
	return 126;
}

/*
 * The exit status: the command's own, as a shell would give it, when it
 * ended by itself (perf does the same); 0 when sear stopped it.
 */
static int record__command_status(struct record *r)
{
	int st = r->work_status, sig;

	if (!r->opts.argv || r->stopped_work)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st)) {
		note("'%s' exited with status %d", r->opts.argv[0], WEXITSTATUS(st));
		return WEXITSTATUS(st);
	}
	if (WIFSIGNALED(st)) {
		sig = WTERMSIG(st);
		msg("'%s' was killed by signal %d (SIG%s)%s", r->opts.argv[0], sig,
		    sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
		    WCOREDUMP(st) ? ", core dumped" : "");
		return 128 + sig;
	}
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct record *r = calloc(1, sizeof(*r));
	struct sampler_opts opts = { 0 };
	int i, err, ret = 1;

	if (!r) {
		msg("out of memory");
		return 1;
	}
	record__signals();
	for (i = 0; i < RECORD_MAX_CGROUPS; i++)
		r->cgroup_fds[i] = -1;
	r->opts.argc = argc;
	r->opts.full_argv = argv;
	/*
	 * A busy target can take every CPU and starve the profiler, which then
	 * lags and loses samples (attaching to 300 busy threads took 12.6 s at
	 * the same priority, 2.4 s at nice -10). Raise our own priority where
	 * allowed; a command we start gets the original one back (workload.c).
	 */
	errno = 0;
	r->work.nice = getpriority(PRIO_PROCESS, 0);
	if (errno)
		r->work.nice = 0;
	if (r->work.nice > RECORD_NICE)
		setpriority(PRIO_PROCESS, 0, RECORD_NICE);
	if (record__parse(&r->opts, argc, argv))
		goto out;
	cmd__setup_log(r->opts.verbose);
	if (record__check_targets(r) || record__kunwind(r) || record__sampler_opts(r, &opts))
		goto out;
	/* Before anything runs: a bad path must not cost a recording. */
	for (i = 0; i < r->opts.nr_outputs; i++)
		if (output__open(&r->outs[i], r->opts.outputs[i], r->opts.format))
			goto out;
	r->sym = symbolizer__new(&r->opts.sym_opts);
	r->session = r->sym ? session__new(r->sym, &r->opts.session_opts) : NULL;
	if (!r->session) {
		msg("out of memory");
		goto out;
	}
	if (r->kunwind)
		kunwind__set_session(r->kunwind, r->session);
	/* Now, in the background, so that the first kernel frame finds its names ready. */
	if (!opts.events[0].exclude_kernel)
		symbolizer__load_kernel(r->sym, NULL, 0);
	if (r->opts.argv) {
		err = workload__prepare(&r->work, r->opts.argv);
		if (err) {
			msg("cannot start '%s': %s", r->opts.argv[0], errstr(-err));
			goto out;
		}
		r->have_work = true;
	}
	if (record__open(r, &opts))
		goto out_stop;
	session__set_layout(r->session, sampler__layout(r->sampler));
	session__set_events(r->session, r->opts.events, r->opts.nr_events, record__event_of, r);
	if (sampler__switch_event(r->sampler) >= 0)
		session__set_switches(r->session, sampler__switch_event(r->sampler));
	for (i = 0; i < r->opts.nr_pids; i++) {
		r->pidfds[r->nr_pidfds] = proc__pidfd(r->opts.pids[i]);
		if (r->pidfds[r->nr_pidfds] >= 0)
			r->nr_pidfds++;
	}
	/* The unwinder's tables of running targets first, else their first samples' stacks
	 * are cut short; before the clock starts, so that -d counts sampling time. */
	for (i = 0; r->kunwind && i < r->opts.nr_pids; i++)
		kunwind__prepare(r->kunwind, r->opts.pids[i]);
	for (i = 0; r->kunwind && i < r->opts.nr_tids; i++)
		kunwind__prepare(r->kunwind, proc__tgid(r->opts.tids[i]));
	if (r->kunwind && r->opts.argv)
		record__prepare_command(r);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	r->start_unix_ns = (int64_t)time(NULL) * 1000000000;
	r->status_line = !quiet && isatty(STDERR_FILENO);
	if (record__start_sear(r))
		goto out_stop;
	ret = record__start(r);
	if (ret)
		goto out;
	/* It runs: a recording killed from now on is found under its own name. */
	for (i = 0; i < r->opts.nr_outputs; i++)
		if (r->outs[i].format == OUT_SEAR && output__publish(&r->outs[i]))
			ret = 1;
	if (record__loop(r) || ret)
		ret = 1;
	record__stop_workload(r);
	/* Whatever stopped the recording, what was recorded is written. */
	if (record__write(r, record__elapsed(r)))
		ret = 1;
	if (!ret)
		ret = record__command_status(r);
	goto out;
out_stop:
	if (r->have_work) {
		workload__abort(&r->work);
		r->have_work = false;
	}
out:
	for (i = 0; i < r->nr_pidfds; i++)
		if (r->pidfds[i] >= 0)
			close(r->pidfds[i]);
	sear_out__free(r->sear);
	for (i = 0; i < r->opts.nr_outputs; i++)
		output__abort(&r->outs[i]); /* what was not committed leaves no file behind */
	for (i = 0; i < RECORD_MAX_CGROUPS; i++)
		if (r->cgroup_fds[i] >= 0)
			close(r->cgroup_fds[i]);
	sampler__free(r->sampler);
	kunwind__free(r->kunwind);
	session__free(r->session);
	free(r->opts.event_list);
	free(r->opts.cgroup_list);
	symbolizer__free(r->sym);
	free(r);
	return ret;
}
