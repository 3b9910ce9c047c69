/* SPDX-License-Identifier: MIT */
#ifndef SEAR_DEBUGINFOD_H
#define SEAR_DEBUGINFOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Debug files from debuginfod servers (elfutils' libdebuginfod): the
 * servers in DEBUGINFOD_URLS, its cache (DEBUGINFOD_CACHE_PATH, by default
 * ~/.cache/debuginfod_client) and its per-request timeouts
 * (DEBUGINFOD_TIMEOUT), as perf and gdb use them.
 *
 * Requests are made as soon as a module is seen to lack symbols, and
 * fetched by a few worker threads, off the sample path. Whoever needs the
 * answer waits for it, but all the waits of a fetcher together last at
 * most its timeout: a server that is slow, down or sends garbage costs
 * that much, never more, and a transfer still running then is stopped.
 */

struct dbgfetch;
struct dbgreq;

/*
 * Returns a new fetcher for the servers in urls (NULL: DEBUGINFOD_URLS),
 * whose waits together last at most timeout seconds; free with
 * dbgfetch__free(). NULL when no server is named (nothing to do, errno
 * 0), or with errno on failure.
 */
struct dbgfetch *dbgfetch__new(const char *urls, double timeout);

/* Stops the transfers still running, waits for the workers, and frees every request. */
void dbgfetch__free(struct dbgfetch *f);

/*
 * Asks for the debug file of build-id id (len bytes). Returns the request,
 * owned by f, or NULL when out of memory.
 */
struct dbgreq *dbgfetch__request(struct dbgfetch *f, const uint8_t *id, size_t len);

/*
 * Waits for r, within what is left of the fetcher's timeout. Returns a
 * new fd of the debug file (the caller closes it), or -errno: -ENOENT
 * when no server has it, -ETIME when the time ran out. Call once.
 */
int dbgreq__wait(struct dbgreq *r);

/* What the fetcher did, for the report at the end. */
struct dbgfetch_stats {
	unsigned int fetched;  /* downloaded */
	unsigned int cached;   /* found in the cache */
	unsigned int missing;  /* no server had it, or it was not a debug file */
	unsigned int timedout; /* not there within the timeout */
};

/* Returns the counts so far. */
struct dbgfetch_stats dbgfetch__stats(const struct dbgfetch *f);

/* Counts a file that came but was not the debug file asked for (a wrong build-id, not ELF). */
void dbgfetch__bad_file(struct dbgfetch *f);

#endif
