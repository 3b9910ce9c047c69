// SPDX-License-Identifier: MIT
#include <elfutils/debuginfod.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "debuginfod.h"

#define WORKERS	     4
#define MAX_BUILD_ID 20

struct dbgreq {
	struct dbgfetch *f;
	uint8_t id[MAX_BUILD_ID];
	size_t len;
	int fd;	     /* the answer: an fd, or -errno */
	bool done;   /* answered */
	bool handed; /* the fd went to the waiter, who closes it */
	struct dbgreq *next_queued, *next_all;
};

struct dbgfetch {
	pthread_t threads[WORKERS];
	int nr_threads;
	pthread_mutex_t lock;
	pthread_cond_t more, done;
	struct dbgreq *head, *tail; /* queued */
	struct dbgreq *all;
	double timeout;
	double deadline; /* set by the first wait: CLOCK_MONOTONIC seconds; 0: none yet */
	bool stop;
	struct dbgfetch_stats stats;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Called by libdebuginfod during a transfer: non-zero stops it. */
static int dbgfetch__progress(debuginfod_client *c, long done, long total)
{
	struct dbgfetch *f = debuginfod_get_user_data(c);
	bool stop;

	(void)done, (void)total;
	pthread_mutex_lock(&f->lock);
	stop = f->stop || (f->deadline && now_s() > f->deadline);
	pthread_mutex_unlock(&f->lock);
	return stop;
}

static void *dbgfetch__worker(void *arg)
{
	struct dbgfetch *f = arg;
	debuginfod_client *c = debuginfod_begin();
	struct dbgreq *r;
	bool late;
	int fd;

	if (c) {
		debuginfod_set_user_data(c, f);
		debuginfod_set_progressfn(c, dbgfetch__progress);
	}
	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->head && !f->stop)
			pthread_cond_wait(&f->more, &f->lock);
		if (f->stop)
			break;
		r = f->head;
		f->head = r->next_queued;
		if (!f->head)
			f->tail = NULL;
		/* Past the deadline, a queued request is not even started. */
		late = f->deadline && now_s() > f->deadline;
		pthread_mutex_unlock(&f->lock);
		fd = late ? -ETIME
		     : c  ? debuginfod_find_debuginfo(c, r->id, r->len, NULL)
			  : -ENOSYS;
		pthread_mutex_lock(&f->lock);
		if (fd >= 0 && c && debuginfod_get_url(c))
			f->stats.fetched++;
		else if (fd >= 0)
			f->stats.cached++;
		else if (f->stop || (f->deadline && now_s() > f->deadline))
			fd = -ETIME;
		else
			f->stats.missing++;
		r->fd = fd;
		r->done = true;
		pthread_cond_broadcast(&f->done);
	}
	pthread_mutex_unlock(&f->lock);
	if (c)
		debuginfod_end(c);
	return NULL;
}

struct dbgfetch *dbgfetch__new(const char *urls, double timeout)
{
	struct dbgfetch *f;
	int i;

	if (urls)
		setenv("DEBUGINFOD_URLS", urls, 1); /* libdebuginfod reads it from there */
	urls = getenv("DEBUGINFOD_URLS");
	if (!urls || !urls[strspn(urls, " \t")]) {
		errno = 0;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->timeout = timeout;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->more, NULL);
	pthread_cond_init(&f->done, NULL);
	for (i = 0; i < WORKERS; i++)
		if (!pthread_create(&f->threads[f->nr_threads], NULL, dbgfetch__worker, f))
			f->nr_threads++;
	if (!f->nr_threads) {
		dbgfetch__free(f);
		errno = EAGAIN;
		return NULL;
	}
	return f;
}

void dbgfetch__free(struct dbgfetch *f)
{
	struct dbgreq *r, *next;
	int i;

	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->more);
	pthread_mutex_unlock(&f->lock);
	for (i = 0; i < f->nr_threads; i++)
		pthread_join(f->threads[i], NULL);
	for (r = f->all; r; r = next) {
		next = r->next_all;
		if (r->done && !r->handed && r->fd >= 0)
			close(r->fd);
		free(r);
	}
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->more);
	pthread_cond_destroy(&f->done);
	free(f);
}

struct dbgreq *dbgfetch__request(struct dbgfetch *f, const uint8_t *id, size_t len)
{
	struct dbgreq *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->f = f;
	r->len = len < MAX_BUILD_ID ? len : MAX_BUILD_ID;
	memcpy(r->id, id, r->len);
	r->fd = -ENOENT;
	pthread_mutex_lock(&f->lock);
	r->next_all = f->all;
	f->all = r;
	if (f->tail)
		f->tail->next_queued = r;
	else
		f->head = r;
	f->tail = r;
	pthread_cond_signal(&f->more);
	pthread_mutex_unlock(&f->lock);
	return r;
}

int dbgreq__wait(struct dbgreq *r)
{
	struct dbgfetch *f = r->f;
	struct timespec until;
	double left;
	int fd;

	pthread_mutex_lock(&f->lock);
	if (!f->deadline)
		f->deadline = now_s() + f->timeout;
	while (!r->done && (left = f->deadline - now_s()) > 0) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)left;
		until.tv_nsec += (long)((left - (time_t)left) * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&f->done, &f->lock, &until);
	}
	if (!r->done) {
		fd = -ETIME;
		f->stats.timedout++;
	} else {
		fd = r->fd;
		if (fd == -ETIME)
			f->stats.timedout++;
	}
	r->handed = fd >= 0;
	pthread_mutex_unlock(&f->lock);
	return fd;
}

struct dbgfetch_stats dbgfetch__stats(const struct dbgfetch *f)
{
	return f->stats;
}

void dbgfetch__bad_file(struct dbgfetch *f)
{
	pthread_mutex_lock(&f->lock);
	f->stats.missing++;
	if (f->stats.fetched)
		f->stats.fetched--;
	else if (f->stats.cached)
		f->stats.cached--;
	pthread_mutex_unlock(&f->lock);
}
