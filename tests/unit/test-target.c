// SPDX-License-Identifier: MIT
/*
 * targets__open(): the rules for files a profiled process controls, on real
 * files in a fresh directory, for a child process that stands for the target.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "symbolizer/target.h"

static char dir[] = "/tmp/sear-test-target.XXXXXX";
static pid_t child;

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	child = fork();
	if (!child) {
		pause();
		_exit(0);
	}
	return child > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

/* Writes text to dir/name and returns its path (static buffer). */
static const char *put(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Opens path for the child with flags; returns the fd or -errno, and *why. */
static int open_as_child(struct targets *t, const char *path, int flags, size_t max,
			 const char **why)
{
	size_t size = 0;
	int fd = targets__open(t, child, path, flags, max, &size, why);

	if (fd >= 0) {
		assert_null(*why);
		close(fd);
	}
	return fd;
}

static void test_open_rules(void **state)
{
	const int all = TARGET_OPEN_NO_SYMLINKS | TARGET_OPEN_CHECK_OWNER | TARGET_OPEN_NOT_STALE;
	struct targets *t = targets__new(false);
	struct timespec old[2] = { { .tv_sec = 1 }, { .tv_sec = 1 } };
	char link[128], fifo[128];
	const char *path, *why;

	(void)state;
	assert_non_null(t);
	assert_true(targets__get(t, child)->start_ns > 0);

	path = put("good.map", "1000 10 good\n");
	assert_true(open_as_child(t, path, all, 1 << 20, &why) >= 0);

	/* Too large for the cap asked. */
	assert_int_equal(open_as_child(t, path, all, 4, &why), -EFBIG);
	assert_string_equal(why, "it is too large");

	snprintf(link, sizeof(link), "%s/link.map", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(open_as_child(t, link, all, 0, &why), -ELOOP);
	assert_string_equal(why, "it is a symlink");
	/* Without the flag, a symlink is followed. */
	assert_true(open_as_child(t, link, TARGET_OPEN_CHECK_OWNER, 0, &why) >= 0);

	snprintf(fifo, sizeof(fifo), "%s/fifo.map", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(open_as_child(t, fifo, all, 0, &why), -EINVAL);
	assert_string_equal(why, "it is not a regular file");

	/* Another user's file (the child runs as root, as this test does). */
	path = put("owner.map", "1000 10 planted\n");
	if (getuid() == 0) {
		assert_int_equal(chown(path, 12345, 12345), 0);
		assert_int_equal(open_as_child(t, path, all, 0, &why), -EPERM);
		assert_string_equal(why, "its owner is neither root nor the process's user");
		assert_true(open_as_child(t, path, TARGET_OPEN_NO_SYMLINKS, 0, &why) >= 0);
	}

	/* Written before the child started: an earlier process's. */
	path = put("stale.map", "1000 10 stale\n");
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(open_as_child(t, path, all, 0, &why), -ESTALE);
	assert_non_null(strstr(why, "older than the process"));
	assert_true(open_as_child(t, path, TARGET_OPEN_NO_SYMLINKS, 0, &why) >= 0);
	/* Rewritten since: used. */
	path = put("stale.map", "1000 10 fresh\n");
	assert_true(open_as_child(t, path, all, 0, &why) >= 0);

	assert_int_equal(open_as_child(t, "/nonexistent/x.map", all, 0, &why), -ENOENT);
	assert_null(why);
	targets__free(t);
}

/* Offline, the process that recorded is not asked about: no start time, nothing stale. */
static void test_offline_not_stale(void **state)
{
	struct timespec old[2] = { { .tv_sec = 1 }, { .tv_sec = 1 } };
	struct targets *t = targets__new(true);
	const char *path, *why;

	(void)state;
	assert_int_equal(targets__get(t, child)->start_ns, 0);
	path = put("offline.map", "1000 10 x\n");
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_true(open_as_child(t, path, TARGET_OPEN_NOT_STALE, 0, &why) >= 0);
	targets__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_rules),
		cmocka_unit_test(test_offline_not_stale),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
