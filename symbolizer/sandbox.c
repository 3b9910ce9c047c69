// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "sandbox.h"
#include "symtab.h"

#define SANDBOX_TIMEOUT_MS	30000 /* no progress for this long: the helper hangs */
#define SANDBOX_TEST_TIMEOUT_MS 1000
#define SANDBOX_BATCH		4096	   /* addresses per request */
#define SANDBOX_FLUSH		(64 << 10) /* the helper's answers go out this often */
#define SANDBOX_PROGRESS_NS	100000000  /* or when this long has passed */
#define SANDBOX_MAX_REPLY	(1u << 30) /* a symtab's bytes, at the most */
#define SANDBOX_MAX_DWARF	65536	   /* modules open in the helper */
#define SANDBOX_NAME_MAX	4096	   /* a name or path in a DWARF answer */
#define SANDBOX_MAX_INLINE	32
#define SANDBOX_NOBODY		65534

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#endif

enum sandbox_op {
	OP_SYMTAB = 1,
	OP_DEBUGLINK,
	OP_MINIDEBUG,
	OP_DWARF_OPEN,
	OP_DWARF_LOOKUP,
	OP_DWARF_CLOSE,
};

/* Test hook flags of a request. */
#define REQ_TEST_CRASH 1
#define REQ_TEST_HANG  2

struct req {
	uint32_t op, flags;
	uint64_t arg; /* flags of OP_SYMTAB; the module of the DWARF ops */
	uint64_t len; /* payload bytes that follow */
};

struct rep {
	int32_t status; /* 0, or -errno */
	uint32_t pad;
	uint64_t len;
};

struct sandbox {
	bool in_process;
	pthread_mutex_t lock;
	pid_t pid;	   /* the helper, or 0 */
	int sock;	   /* to it, or -1 */
	unsigned int gen;  /* helpers started: a module opened in an older one is closed */
	bool failed_start; /* said once: parsing in-process from then on */
	uid_t uid;	   /* nobody's */
	gid_t gid;
	int timeout_ms;	  /* for the request being answered */
	int test_kind;	  /* REQ_TEST_*, for files whose path holds test_text */
	uint32_t test_op; /* in this request: OP_SYMTAB or OP_DWARF_LOOKUP */
	char test_text[256];
	uint8_t *in; /* answers read ahead */
	size_t in_len, in_off, in_cap;
};

struct sandbox_dwarf {
	int fd;		  /* kept, to open it again in a new helper */
	uint64_t handle;  /* in the helper of generation gen */
	unsigned int gen; /* 0: not open in any helper */
	bool failed;
	int test; /* REQ_TEST_* */
	struct dbginfo *local;
};

struct sandbox *sandbox__new(bool in_process)
{
	struct sandbox *sb = calloc(1, sizeof(*sb));
	const char *test = getenv("SEAR_TEST_SANDBOX");

	if (!sb)
		return NULL;
	sb->in_process = in_process;
	sb->sock = -1;
	sb->timeout_ms = SANDBOX_TIMEOUT_MS;
	pthread_mutex_init(&sb->lock, NULL);
	if (test && strchr(test, ':')) {
		size_t n = strchr(test, ':') - test;

		sb->test_op = OP_DWARF_LOOKUP;
		if (n == 5 && !strncmp(test, "crash", n)) {
			sb->test_kind = REQ_TEST_CRASH;
		} else if (n == 4 && !strncmp(test, "hang", n)) {
			sb->test_kind = REQ_TEST_HANG;
		} else if (n == 13 && !strncmp(test, "crash-symbols", n)) {
			sb->test_kind = REQ_TEST_CRASH;
			sb->test_op = OP_SYMTAB;
		}
		snprintf(sb->test_text, sizeof(sb->test_text), "%s", test + n + 1);
	}
	return sb;
}

/* The test hook's flags for a request op about the file at path. */
static int sandbox__test_of(const struct sandbox *sb, const char *path, uint32_t op)
{
	return sb->test_kind && op == sb->test_op && path && sb->test_text[0] &&
		       strstr(path, sb->test_text)
		   ? sb->test_kind
		   : 0;
}

/* Stops the helper, if any: killed (it may hang), then reaped. */
static void sandbox__stop(struct sandbox *sb)
{
	if (sb->sock >= 0)
		close(sb->sock);
	if (sb->pid > 0) {
		kill(sb->pid, SIGKILL);
		while (waitpid(sb->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	sb->sock = -1;
	sb->pid = 0;
	sb->in_len = sb->in_off = 0;
}

void sandbox__free(struct sandbox *sb)
{
	if (!sb)
		return;
	sandbox__stop(sb);
	pthread_mutex_destroy(&sb->lock);
	free(sb->in);
	free(sb);
}

/* The helper */

/* Whole reads and writes on the helper's blocking socket. */
static int helper__read(int sock, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t got = read(sock, p, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= got;
	}
	return 0;
}

static int helper__write(int sock, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(sock, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static void helper__reply(int sock, int status, const void *buf, size_t len)
{
	struct rep r = { status, 0, len };

	if (helper__write(sock, &r, sizeof(r)) || (len && helper__write(sock, buf, len)))
		_exit(0);
}

/* Receives a request and the fd that may come with it (-1). Exits at the end of the input. */
static void helper__receive(int sock, struct req *r, int *fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { r, sizeof(*r) };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control) };
	struct cmsghdr *c;
	ssize_t got;

	*fd = -1;
	do
		got = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		_exit(0);
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if ((size_t)got < sizeof(*r) && helper__read(sock, (uint8_t *)r + got, sizeof(*r) - got))
		_exit(0);
}

/* A growable buffer of answers, sent when it fills. */
struct outbuf {
	int sock;
	uint8_t *p;
	size_t len, cap;
};

static void outbuf__put(struct outbuf *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : SANDBOX_FLUSH * 2;
		uint8_t *q;

		while (cap < o->len + n)
			cap *= 2;
		q = realloc(o->p, cap);
		if (!q)
			_exit(0); /* out of memory: the parent sees a crash */
		o->p = q;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void outbuf__flush(struct outbuf *o)
{
	if (o->len && helper__write(o->sock, o->p, o->len))
		_exit(0);
	o->len = 0;
}

static void outbuf__string(struct outbuf *o, const char *s)
{
	uint32_t n = s ? strnlen(s, SANDBOX_NAME_MAX) : UINT32_MAX;

	outbuf__put(o, &n, sizeof(n));
	if (s)
		outbuf__put(o, s, n);
}

/* What the test hook asks for: a crash as libdw's would be, or a hang. */
static void helper__test(int sock, uint32_t flags)
{
	if (flags & REQ_TEST_CRASH)
		*(volatile int *)0 = 0;
	if (flags & REQ_TEST_HANG) {
		char c;

		for (;;)
			if (read(sock, &c, 1) <= 0)
				_exit(0);
	}
}

static void helper__symtab(int sock, struct symtab *t)
{
	size_t len = 0;
	void *buf = t ? symtab__serialize(t, &len) : NULL;

	helper__reply(sock, buf ? 0 : -ENOENT, buf, len);
	free(buf);
	symtab__free(t);
}

/* CLOCK_MONOTONIC in ns: the vDSO's, no system call. */
static uint64_t helper__now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* Answers each address: u32 record length, then u32 frames, then per frame u32 line and the
 * name and file as u32 length (UINT32_MAX: none) and bytes. */
static void helper__lookup(int sock, struct dbginfo *d, const uint64_t *vaddrs, size_t n)
{
	struct outbuf o = { .sock = sock };
	struct dwarf_frame f[SANDBOX_MAX_INLINE];
	uint64_t flushed = helper__now();
	size_t i;

	for (i = 0; i < n; i++) {
		int nr = d ? dbginfo__lookup(d, vaddrs[i], f, SANDBOX_MAX_INLINE) : 0, k;
		size_t at = o.len;
		uint32_t len = 0, frames = nr;

		outbuf__put(&o, &len, sizeof(len));
		outbuf__put(&o, &frames, sizeof(frames));
		for (k = 0; k < nr; k++) {
			uint32_t line = f[k].line;

			outbuf__put(&o, &line, sizeof(line));
			outbuf__string(&o, f[k].name);
			outbuf__string(&o, f[k].file);
		}
		len = o.len - at - sizeof(len);
		memcpy(o.p + at, &len, sizeof(len));
		/* Often enough that sear sees progress: a slow module is not a hung one. */
		if (o.len >= SANDBOX_FLUSH || helper__now() - flushed >= SANDBOX_PROGRESS_NS) {
			outbuf__flush(&o);
			flushed = helper__now();
		}
	}
	outbuf__flush(&o);
	free(o.p);
}

static void __attribute__((noreturn)) helper__serve(int sock)
{
	struct dbginfo **dw = NULL;
	size_t nr_dw = 0;
	uint64_t *vaddrs = NULL;

	for (;;) {
		struct req r;
		int fd;

		helper__receive(sock, &r, &fd);
		helper__test(sock, r.flags);
		switch (r.op) {
		case OP_SYMTAB:
			helper__symtab(sock, fd >= 0 ? symtab__new_elf_fd(fd, r.arg) : NULL);
			break;
		case OP_DEBUGLINK: {
			struct debuglink l;
			int err = fd >= 0 ? debuglink__read(fd, &l) : -EBADF;

			helper__reply(sock, err, &l, err ? 0 : sizeof(l));
			break;
		}
		case OP_MINIDEBUG: {
			size_t len = 0;
			void *elf = fd >= 0 ? minidebuginfo__read(fd, &len) : NULL;

			helper__symtab(sock, elf ? symtab__new_elf_mem(elf, len, 0) : NULL);
			free(elf);
			break;
		}
		case OP_DWARF_OPEN: {
			struct dbginfo *d = NULL, **n;

			if (fd >= 0 && nr_dw < SANDBOX_MAX_DWARF) {
				d = dbginfo__open_fd(fd); /* takes fd */
				fd = -1;
			}
			n = d ? realloc(dw, (nr_dw + 1) * sizeof(*dw)) : NULL;
			if (n) {
				dw = n;
				dw[nr_dw] = d;
				helper__reply(sock, 0, &nr_dw, sizeof(nr_dw));
				nr_dw++;
			} else {
				dbginfo__free(d);
				helper__reply(sock, -ENOENT, NULL, 0);
			}
			break;
		}
		case OP_DWARF_LOOKUP:
			if (r.len > SANDBOX_BATCH * sizeof(*vaddrs) || r.len % sizeof(*vaddrs) ||
			    !(vaddrs = realloc(vaddrs, r.len ? r.len : 1)) ||
			    helper__read(sock, vaddrs, r.len))
				_exit(0);
			helper__lookup(sock, r.arg < nr_dw ? dw[r.arg] : NULL, vaddrs,
				       r.len / sizeof(*vaddrs));
			break;
		case OP_DWARF_CLOSE:
			if (r.arg < nr_dw) {
				dbginfo__free(dw[r.arg]);
				dw[r.arg] = NULL;
			}
			break;
		default:
			_exit(0);
		}
		if (fd >= 0)
			close(fd);
	}
}

/* The seccomp filter: what a parser needs, and nothing that reaches outside. */

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

struct bpf {
	struct sock_filter f[128];
	unsigned int n;
};

static void bpf__emit(struct bpf *b, struct sock_filter i)
{
	if (b->n < sizeof(b->f) / sizeof(b->f[0]))
		b->f[b->n] = i;
	b->n++; /* past the end: the program is refused below */
}

#define RET(v)	BPF_STMT(BPF_RET | BPF_K, (v))
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define ARG_LO(i)                                                                      \
	(offsetof(struct seccomp_data, args) + 8 * (i)) /* the low word, little-endian \
							 */
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

/* nr: allowed, or refused with an errno (0: allowed). */
static void bpf__nr(struct bpf *b, long nr, int err)
{
	bpf__emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
	bpf__emit(b, (struct sock_filter)RET(err ? ERRNO(err) : SECCOMP_RET_ALLOW));
}

/* nr: allowed when argument i is v (jset: has none of v's bits), else refused with err. */
static void bpf__nr_arg(struct bpf *b, long nr, int i, uint32_t v, bool jset, int err)
{
	bpf__emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4));
	bpf__emit(b, (struct sock_filter)LD(ARG_LO(i)));
	bpf__emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | (jset ? BPF_JSET : BPF_JEQ) | BPF_K, v,
						  jset ? 1 : 0, jset ? 0 : 1));
	bpf__emit(b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
	bpf__emit(b, (struct sock_filter)RET(ERRNO(err)));
	/* Both ends return: the accumulator still holds nr for the checks that follow. */
}

static int helper__seccomp(int sock)
{
#ifdef SANDBOX_ARCH
	struct bpf b = { .n = 0 };
	struct sock_fprog prog;

	bpf__emit(&b, (struct sock_filter)LD(offsetof(struct seccomp_data, arch)));
	bpf__emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0));
	bpf__emit(&b, (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS));
	bpf__emit(&b, (struct sock_filter)LD(offsetof(struct seccomp_data, nr)));
#ifdef __x86_64__
	/* x32 system calls have numbers of their own: none of them. */
	bpf__emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
	bpf__emit(&b, (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS));
#endif
	/* Reading the files handed over; writing and receiving on the socket only. */
	bpf__nr(&b, SYS_read, 0);
	bpf__nr(&b, SYS_pread64, 0);
	bpf__nr(&b, SYS_lseek, 0);
	bpf__nr(&b, SYS_fstat, 0);
	bpf__nr(&b, SYS_close, 0);
	bpf__nr_arg(&b, SYS_write, 0, sock, false, EBADF);
	bpf__nr_arg(&b, SYS_recvmsg, 0, sock, false, EBADF);
	/* libelf asks how an fd was opened: fcntl(F_GETFL) and F_GETFD, nothing that sets. */
	bpf__emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fcntl, 0, 5));
	bpf__emit(&b, (struct sock_filter)LD(ARG_LO(1)));
	bpf__emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_GETFL, 2, 0));
	bpf__emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_GETFD, 1, 0));
	bpf__emit(&b, (struct sock_filter)RET(ERRNO(EPERM)));
	bpf__emit(&b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
	/* glibc's fstat() is newfstatat(fd, "", AT_EMPTY_PATH): no path, so no other file. */
	bpf__nr_arg(&b, SYS_newfstatat, 3, AT_EMPTY_PATH, false, EACCES);
	/* Memory, never executable. */
	bpf__nr_arg(&b, SYS_mmap, 2, PROT_EXEC, true, EPERM);
	bpf__nr_arg(&b, SYS_mprotect, 2, PROT_EXEC, true, EPERM);
	bpf__nr(&b, SYS_munmap, 0);
	bpf__nr(&b, SYS_mremap, 0);
	bpf__nr(&b, SYS_brk, 0);
	bpf__nr(&b, SYS_madvise, 0);
	/* Ending, signals, and what the C library may ask on the way. */
	bpf__nr(&b, SYS_exit, 0);
	bpf__nr(&b, SYS_exit_group, 0);
	bpf__nr(&b, SYS_rt_sigreturn, 0);
	bpf__nr(&b, SYS_rt_sigprocmask, 0);
	bpf__nr(&b, SYS_futex, 0);
	bpf__nr(&b, SYS_getpid, 0);
	bpf__nr(&b, SYS_gettid, 0);
	bpf__nr(&b, SYS_sched_yield, 0);
	bpf__nr(&b, SYS_clock_gettime, 0);
	bpf__nr(&b, SYS_getrandom, 0);
	bpf__nr(&b, SYS_sysinfo, 0); /* glibc's qsort() asks how much memory there is */
	/* A parser that looks for another file (libdw's .gnu_debugaltlink) is told no. */
#ifdef SYS_open
	bpf__nr(&b, SYS_open, EACCES);
	bpf__nr(&b, SYS_stat, EACCES);
	bpf__nr(&b, SYS_lstat, EACCES);
	bpf__nr(&b, SYS_access, EACCES);
	bpf__nr(&b, SYS_readlink, EACCES); /* libdw: where the file is, from /proc/self/fd */
#endif
	bpf__nr(&b, SYS_openat, EACCES);
	bpf__nr(&b, SYS_statx, EACCES);
	bpf__nr(&b, SYS_readlinkat, EACCES);
	bpf__nr(&b, SYS_faccessat, EACCES);
	bpf__nr(&b, SYS_ioctl, ENOTTY);
	/* Anything else is not a parser's doing: the helper dies, as on a crash. */
	bpf__emit(&b, (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS));
	if (b.n > sizeof(b.f) / sizeof(b.f[0]))
		return -E2BIG;
	prog = (struct sock_fprog){ (unsigned short)b.n, b.f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
#else
	(void)sock;
	return -ENOSYS; /* no filter for this architecture: no sandbox */
#endif
}

/* Gives up every privilege: nobody, no groups, no capabilities, not dumpable. */
static int helper__drop(const struct sandbox *sb)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct none[2] = { { 0 } };
	struct rlimit zero = { 0, 0 };
	int cap;

	setrlimit(RLIMIT_CORE, &zero);
	if (geteuid() == 0) {
		for (cap = 0; cap <= 63; cap++)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); /* fails past the last: fine */
		if (setgroups(0, NULL) || setresgid(sb->gid, sb->gid, sb->gid) ||
		    setresuid(sb->uid, sb->uid, sb->uid))
			return -errno;
		if (geteuid() == 0 || getuid() == 0)
			return -EPERM;
	}
	/* A non-root sear may hold capabilities (file capabilities): they go too. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capset, &h, none))
		return -errno;
	/* Not dumpable: another process of nobody's cannot ptrace it or read its memory. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -errno;
	return 0;
}

static void __attribute__((noreturn)) helper__main(const struct sandbox *sb, int sock, pid_t parent)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t all;
	int null, sig, err;

	/* The parent's handlers are not ours; Ctrl-C at a terminal is not for us either. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	setsid();
	/* Only the socket, as fd 3, and /dev/null for 0, 1 and 2 (no output, no terminal). */
	null = open("/dev/null", O_RDWR);
	if (null < 0 || (sock != 3 && dup2(sock, 3) != 3))
		_exit(1);
	sock = 3;
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (close_range(4, ~0U, 0))
		_exit(1);
	err = helper__drop(sb);
	/* After the uid change, which clears it: die with the parent. */
	if (!err && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != parent))
		err = -ESRCH;
	if (!err)
		err = helper__seccomp(sock);
	helper__reply(sock, err, NULL, 0); /* hello: sandboxed, or why not */
	if (err)
		_exit(1);
	helper__serve(sock);
}

/* The parent's side */

static int sandbox__recv(struct sandbox *sb, void *buf, size_t n);

/* Starts the helper. Returns 0, or -errno when there is none (the log says so once). */
static int sandbox__start(struct sandbox *sb)
{
	pid_t parent = getpid(), pid;
	struct rep hello;
	int sv[2], err;

	/* Looked up here, before the fork: NSS has no business in the helper. */
	if (!sb->uid) {
		struct passwd pw, *found = NULL;
		char buf[1024];

		getpwnam_r("nobody", &pw, buf, sizeof(buf), &found);
		sb->uid = found ? found->pw_uid : SANDBOX_NOBODY;
		sb->gid = found ? found->pw_gid : SANDBOX_NOBODY;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (!pid) {
		close(sv[0]);
		helper__main(sb, sv[1], parent);
	}
	close(sv[1]);
	sb->pid = pid;
	sb->sock = sv[0];
	sb->gen++;
	sb->in_len = sb->in_off = 0;
	/* Hello: sandboxed, or why not (a signal to sear may interrupt the wait: go on). */
	sb->timeout_ms = SANDBOX_TIMEOUT_MS;
	err = sandbox__recv(sb, &hello, sizeof(hello));
	if (!err)
		err = hello.status > 0 ? -ECHILD : hello.status;
	if (err) {
		sandbox__stop(sb);
		return err;
	}
	return 0;
}

/* A helper to ask, started if needed. Returns 0, or -errno when the files are parsed here. */
static int sandbox__ready(struct sandbox *sb)
{
	int err;

	if (sb->in_process)
		return -ENOSYS;
	if (sb->pid > 0)
		return 0;
	err = sandbox__start(sb);
	if (err && !sb->failed_start) {
		sb->failed_start = true;
		sb->in_process = true;
		pr_warn("cannot start the sandboxed reader of ELF files (%s): reading them in "
			"this process",
			sear_strerror(-err));
	}
	return err;
}

void sandbox__prepare(struct sandbox *sb)
{
	pthread_mutex_lock(&sb->lock);
	sandbox__ready(sb);
	pthread_mutex_unlock(&sb->lock);
}

pid_t sandbox__pid(struct sandbox *sb)
{
	pid_t pid;

	pthread_mutex_lock(&sb->lock);
	pid = sb->pid > 0 ? sb->pid : 0;
	pthread_mutex_unlock(&sb->lock);
	return pid;
}

/* After the helper failed on a request: stops it, and says how. */
static enum sandbox_fault sandbox__fault(struct sandbox *sb, int err)
{
	sandbox__stop(sb);
	return err == -ETIMEDOUT ? SANDBOX_HUNG : SANDBOX_CRASHED;
}

/* Sends a request; its answer is then waited for as long as the request allows. */
static int sandbox__send(struct sandbox *sb, const struct req *r, int fd, const void *payload)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)r, sizeof(*r) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	const uint8_t *p = payload;
	size_t left = r->len;
	ssize_t w;

	/* The test hook's hang is found out sooner, and only that request's. */
	sb->timeout_ms = r->flags & REQ_TEST_HANG ? SANDBOX_TEST_TIMEOUT_MS : SANDBOX_TIMEOUT_MS;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(control, 0, sizeof(control));
		m.msg_control = control;
		m.msg_controllen = sizeof(control);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		w = sendmsg(sb->sock, &m, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(*r))
		return -ECHILD; /* a request header is far below a socket's buffer */
	while (left) {
		w = send(sb->sock, p, left, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -ECHILD;
		p += w;
		left -= w;
	}
	return 0;
}

/* Reads n bytes of answer, waiting at most the timeout for each bit of progress. */
static int sandbox__recv(struct sandbox *sb, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		size_t have = sb->in_len - sb->in_off;

		if (have) {
			size_t take = have < n ? have : n;

			memcpy(p, sb->in + sb->in_off, take);
			sb->in_off += take;
			p += take;
			n -= take;
			continue;
		}
		if (n >= SANDBOX_FLUSH) {
			/* Big answers straight into place. */
			struct pollfd pf = { sb->sock, POLLIN, 0 };
			int r = poll(&pf, 1, sb->timeout_ms);
			ssize_t got;

			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0)
				return -ETIMEDOUT;
			got = read(sb->sock, p, n);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return -ECHILD;
			p += got;
			n -= got;
			continue;
		}
		if (!sb->in) {
			sb->in = malloc(SANDBOX_FLUSH);
			if (!sb->in)
				return -ENOMEM;
			sb->in_cap = SANDBOX_FLUSH;
		}
		{
			struct pollfd pf = { sb->sock, POLLIN, 0 };
			ssize_t got;
			int r = poll(&pf, 1, sb->timeout_ms);

			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0)
				return -ETIMEDOUT;
			got = read(sb->sock, sb->in, sb->in_cap);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return -ECHILD;
			sb->in_len = got;
			sb->in_off = 0;
		}
	}
	return 0;
}

/* One request and its whole answer (a new buffer, or NULL when empty). Returns 0 or -errno. */
static int sandbox__call(struct sandbox *sb, const struct req *r, int fd, const void *payload,
			 struct rep *rep, void **out)
{
	int err = sandbox__send(sb, r, fd, payload);

	*out = NULL;
	if (!err)
		err = sandbox__recv(sb, rep, sizeof(*rep));
	if (!err && (rep->len > SANDBOX_MAX_REPLY || rep->status > 0))
		err = -ECHILD; /* not an answer this program writes: a subverted helper */
	if (!err && rep->len) {
		*out = malloc(rep->len);
		err = *out ? sandbox__recv(sb, *out, rep->len) : -ENOMEM;
	}
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

/* A request about one file, whose answer is a symtab. */
static struct symtab *sandbox__symtab_op(struct sandbox *sb, uint32_t op, int fd, int flags,
					 const char *path, enum sandbox_fault *fault)
{
	struct req r = { op, (uint32_t)sandbox__test_of(sb, path, op), (uint64_t)flags, 0 };
	struct symtab *t = NULL;
	struct rep rep;
	void *buf;
	int err;

	err = sandbox__call(sb, &r, fd, NULL, &rep, &buf);
	if (err) {
		*fault = sandbox__fault(sb, err);
		return NULL;
	}
	if (!rep.status)
		t = symtab__deserialize(buf, rep.len);
	free(buf);
	return t;
}

struct symtab *sandbox__symtab(struct sandbox *sb, int fd, int flags, const char *path,
			       enum sandbox_fault *fault)
{
	struct symtab *t;

	*fault = SANDBOX_OK;
	pthread_mutex_lock(&sb->lock);
	if (sandbox__ready(sb))
		t = symtab__new_elf_fd(fd, flags);
	else
		t = sandbox__symtab_op(sb, OP_SYMTAB, fd, flags, path, fault);
	pthread_mutex_unlock(&sb->lock);
	return t;
}

struct symtab *sandbox__minidebug(struct sandbox *sb, int fd, enum sandbox_fault *fault)
{
	struct symtab *t = NULL;

	*fault = SANDBOX_OK;
	pthread_mutex_lock(&sb->lock);
	if (sandbox__ready(sb)) {
		size_t len;
		void *elf = minidebuginfo__read(fd, &len);

		t = elf ? symtab__new_elf_mem(elf, len, 0) : NULL;
		free(elf);
	} else {
		t = sandbox__symtab_op(sb, OP_MINIDEBUG, fd, 0, NULL, fault);
	}
	pthread_mutex_unlock(&sb->lock);
	return t;
}

int sandbox__debuglink(struct sandbox *sb, int fd, struct debuglink *out, enum sandbox_fault *fault)
{
	struct req r = { OP_DEBUGLINK, 0, 0, 0 };
	struct rep rep;
	void *buf;
	int err;

	*fault = SANDBOX_OK;
	pthread_mutex_lock(&sb->lock);
	if (sandbox__ready(sb)) {
		err = debuglink__read(fd, out);
		goto out;
	}
	err = sandbox__call(sb, &r, fd, NULL, &rep, &buf);
	if (err) {
		*fault = sandbox__fault(sb, err);
		err = -EIO;
		goto out;
	}
	err = rep.status;
	if (!err && rep.len == sizeof(*out)) {
		memcpy(out, buf, sizeof(*out));
		/* Checked as debuglink__read() leaves it: the name is a plain file name. */
		out->name[sizeof(out->name) - 1] = '\0';
		if (out->build_id_len > sizeof(out->build_id) || strchr(out->name, '/') ||
		    !strcmp(out->name, ".") || !strcmp(out->name, ".."))
			err = -EINVAL;
	} else if (!err) {
		err = -EINVAL;
	}
	free(buf);
out:
	pthread_mutex_unlock(&sb->lock);
	return err;
}

/* Opens d in the current helper. Returns 0, or -errno (with *fault when the helper failed). */
static int sandbox__dwarf_attach(struct sandbox *sb, struct sandbox_dwarf *d,
				 enum sandbox_fault *fault)
{
	struct req r = { OP_DWARF_OPEN, 0, 0, 0 };
	struct rep rep;
	void *buf;
	int err = sandbox__call(sb, &r, d->fd, NULL, &rep, &buf);

	if (err) {
		*fault = sandbox__fault(sb, err);
		return -EIO;
	}
	err = rep.status;
	if (!err && rep.len == sizeof(d->handle))
		memcpy(&d->handle, buf, sizeof(d->handle));
	else if (!err)
		err = -EINVAL;
	free(buf);
	if (!err)
		d->gen = sb->gen;
	return err;
}

struct sandbox_dwarf *sandbox__dwarf_open(struct sandbox *sb, int fd, const char *path,
					  enum sandbox_fault *fault)
{
	struct sandbox_dwarf *d = calloc(1, sizeof(*d));
	int err;

	*fault = SANDBOX_OK;
	if (!d) {
		close(fd);
		return NULL;
	}
	d->fd = fd;
	d->test = sandbox__test_of(sb, path, OP_DWARF_LOOKUP);
	pthread_mutex_lock(&sb->lock);
	if (sandbox__ready(sb)) {
		d->local = dbginfo__open_fd(fd); /* takes fd */
		d->fd = -1;
		err = d->local ? 0 : -ENOENT;
	} else {
		err = sandbox__dwarf_attach(sb, d, fault);
	}
	pthread_mutex_unlock(&sb->lock);
	if (err) {
		if (d->fd >= 0)
			close(d->fd);
		free(d);
		return NULL;
	}
	return d;
}

void sandbox__dwarf_close(struct sandbox *sb, struct sandbox_dwarf *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&sb->lock);
	if (d->gen && d->gen == sb->gen && sb->pid > 0) {
		struct req r = { OP_DWARF_CLOSE, 0, d->handle, 0 };

		if (sandbox__send(sb, &r, -1, NULL))
			sandbox__stop(sb);
	}
	pthread_mutex_unlock(&sb->lock);
	dbginfo__free(d->local);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

bool sandbox__dwarf_failed(const struct sandbox_dwarf *d)
{
	return d->failed;
}

int sandbox__frames(const uint8_t *p, uint32_t len, struct dwarf_frame *f, int max, char *strs)
{
	const uint8_t *end = p + len;
	uint32_t n, k;

	if (len < 4)
		return -1;
	memcpy(&n, p, 4);
	p += 4;
	if (n > (uint32_t)max)
		return -1;
	for (k = 0; k < n; k++) {
		const char **s[2] = { &f[k].name, &f[k].file };
		uint32_t line, slen;
		int j;

		if (end - p < 4)
			return -1;
		memcpy(&line, p, 4);
		p += 4;
		f[k].line = line > INT32_MAX ? 0 : (int)line;
		for (j = 0; j < 2; j++) {
			if (end - p < 4)
				return -1;
			memcpy(&slen, p, 4);
			p += 4;
			*s[j] = NULL;
			if (slen == UINT32_MAX)
				continue;
			if (slen > SANDBOX_NAME_MAX || (uint32_t)(end - p) < slen ||
			    memchr(p, '\0', slen))
				return -1;
			memcpy(strs, p, slen);
			strs[slen] = '\0';
			*s[j] = strs;
			strs += slen + 1;
			p += slen;
		}
	}
	return p == end ? (int)n : -1;
}

int sandbox__dwarf_lookup(struct sandbox *sb, struct sandbox_dwarf *d, const uint64_t *vaddrs,
			  size_t n, sandbox_frames_fn fn, void *ctx, enum sandbox_fault *fault)
{
	struct dwarf_frame f[SANDBOX_MAX_INLINE];
	uint8_t *rec = NULL;
	char *strs = NULL;
	size_t i = 0, at, chunk;
	int err = 0, nr;

	*fault = SANDBOX_OK;
	if (d->failed)
		return -EIO;
	if (d->local) {
		for (i = 0; i < n; i++)
			fn(ctx, i, f, dbginfo__lookup(d->local, vaddrs[i], f, SANDBOX_MAX_INLINE));
		return 0;
	}
	pthread_mutex_lock(&sb->lock);
	for (at = 0; at < n && !err; at += chunk) {
		struct req r = { OP_DWARF_LOOKUP, (uint32_t)d->test, 0, 0 };

		chunk = n - at < SANDBOX_BATCH ? n - at : SANDBOX_BATCH;
		/* A new helper since the module was opened (after a crash elsewhere): again. */
		err = sandbox__ready(sb) ? -EIO : 0;
		if (!err && d->gen != sb->gen)
			err = sandbox__dwarf_attach(sb, d, fault);
		if (err)
			break;
		r.arg = d->handle;
		r.len = chunk * sizeof(*vaddrs);
		err = sandbox__send(sb, &r, -1, vaddrs + at);
		for (i = 0; !err && i < chunk; i++) {
			uint32_t len;
			uint8_t *q;

			err = sandbox__recv(sb, &len, sizeof(len));
			if (err)
				break;
			if (len > 4 + SANDBOX_MAX_INLINE * (12 + 2 * SANDBOX_NAME_MAX)) {
				err = -ECHILD; /* no answer this program writes */
				break;
			}
			q = realloc(rec, len + 1);
			if (q)
				rec = q;
			q = q ? realloc(strs, len + 2 * SANDBOX_MAX_INLINE) : NULL;
			if (!q) {
				err = -ENOMEM;
				break;
			}
			strs = (char *)q;
			err = sandbox__recv(sb, rec, len);
			if (err)
				break;
			nr = sandbox__frames(rec, len, f, SANDBOX_MAX_INLINE, strs);
			if (nr < 0) {
				err = -ECHILD;
				break;
			}
			fn(ctx, at + i, f, nr);
		}
	}
	if (err == -ECHILD || err == -ETIMEDOUT) {
		*fault = sandbox__fault(sb, err);
		err = -EIO;
	}
	if (*fault != SANDBOX_OK) {
		d->failed = true;
		err = -EIO;
	}
	pthread_mutex_unlock(&sb->lock);
	free(rec);
	free(strs);
	return err;
}
