// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "symtab.h"

#define KALLSYMS_MAX (256u << 20)

enum job_kind {
	JOB_ELF,
	JOB_KALLSYMS,
};

struct symjob {
	struct symloader *l;
	enum job_kind kind;
	int fd, flags;
	char *path;
	struct symtab *result;
	enum sandbox_fault fault;
	bool done;
	struct symjob *next; /* in the queue */
};

struct symloader {
	struct sandbox *sb;
	pthread_t thread;
	bool threaded, stop;
	pthread_mutex_t lock;
	pthread_cond_t more, done;
	struct symjob *head, *tail;
	struct symjob **all; /* every job not yet collected, for symloader__free() */
	size_t nr_all, cap_all;
};

static struct symtab *read_kallsyms(void)
{
	int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	struct symtab *t;

	if (fd < 0)
		return NULL;
	t = symtab__new_kallsyms_fd(fd, KALLSYMS_MAX);
	close(fd);
	return t;
}

static void symjob__run(struct symjob *j)
{
	if (j->kind == JOB_KALLSYMS)
		j->result = read_kallsyms();
	else if (j->l->sb)
		j->result = sandbox__symtab(j->l->sb, j->fd, j->flags, j->path, &j->fault);
	else
		j->result = symtab__new_elf_fd(j->fd, j->flags);
}

static void *symloader__worker(void *arg)
{
	struct symloader *l = arg;
	struct symjob *j;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (!l->head && !l->stop)
			pthread_cond_wait(&l->more, &l->lock);
		if (!l->head)
			break;
		j = l->head;
		l->head = j->next;
		if (!l->head)
			l->tail = NULL;
		pthread_mutex_unlock(&l->lock);
		symjob__run(j);
		pthread_mutex_lock(&l->lock);
		j->done = true;
		pthread_cond_broadcast(&l->done);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct symloader *symloader__new(struct sandbox *sb)
{
	struct symloader *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->sb = sb;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->more, NULL);
	pthread_cond_init(&l->done, NULL);
	l->threaded = !pthread_create(&l->thread, NULL, symloader__worker, l);
	return l;
}

static struct symjob *symloader__queue(struct symloader *l, enum job_kind kind, int fd, int flags,
				       const char *path)
{
	struct symjob *j = calloc(1, sizeof(*j)), **all;

	if (!j)
		return NULL;
	*j = (struct symjob){ .l = l, .kind = kind, .fd = fd, .flags = flags };
	if (path && !(j->path = strdup(path))) {
		free(j);
		return NULL;
	}
	if (!l->threaded) {
		symjob__run(j);
		j->done = true;
		return j;
	}
	pthread_mutex_lock(&l->lock);
	if (l->nr_all == l->cap_all) {
		size_t cap = l->cap_all ? l->cap_all * 2 : 64;

		all = realloc(l->all, cap * sizeof(*all));
		if (!all) {
			pthread_mutex_unlock(&l->lock);
			free(j->path);
			free(j);
			errno = ENOMEM;
			return NULL;
		}
		l->all = all;
		l->cap_all = cap;
	}
	l->all[l->nr_all++] = j;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	pthread_cond_signal(&l->more);
	pthread_mutex_unlock(&l->lock);
	return j;
}

struct symjob *symloader__elf(struct symloader *l, int fd, int flags, const char *path)
{
	return symloader__queue(l, JOB_ELF, fd, flags, path);
}

struct symjob *symloader__kallsyms(struct symloader *l)
{
	return symloader__queue(l, JOB_KALLSYMS, -1, 0, NULL);
}

/* Forgets j in the list of jobs not yet collected. Called with the lock held. */
static void symloader__forget(struct symloader *l, struct symjob *j)
{
	size_t i;

	for (i = 0; i < l->nr_all; i++)
		if (l->all[i] == j) {
			l->all[i] = l->all[--l->nr_all];
			return;
		}
}

/* Takes j out of the queue if the worker has not started it. Called with the lock held. */
static bool symloader__unqueue(struct symloader *l, struct symjob *j)
{
	struct symjob **p, *prev = NULL;

	for (p = &l->head; *p; prev = *p, p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			if (l->tail == j)
				l->tail = prev;
			return true;
		}
	return false;
}

struct symtab *symjob__wait(struct symjob *j, enum sandbox_fault *fault)
{
	struct symloader *l = j->l;
	struct symtab *t;

	if (l->threaded) {
		pthread_mutex_lock(&l->lock);
		if (!j->done && symloader__unqueue(l, j)) {
			/* Not started: run it here rather than wait behind the jobs before it. */
			pthread_mutex_unlock(&l->lock);
			symjob__run(j);
			pthread_mutex_lock(&l->lock);
			j->done = true;
		}
		while (!j->done)
			pthread_cond_wait(&l->done, &l->lock);
		symloader__forget(l, j);
		pthread_mutex_unlock(&l->lock);
	}
	t = j->result;
	if (fault)
		*fault = j->fault;
	free(j->path);
	free(j);
	return t;
}

void symloader__free(struct symloader *l)
{
	if (!l)
		return;
	if (l->threaded) {
		pthread_mutex_lock(&l->lock);
		l->stop = true;
		pthread_cond_signal(&l->more);
		pthread_mutex_unlock(&l->lock);
		/* The worker drains the queue before it stops. */
		pthread_join(l->thread, NULL);
	}
	while (l->nr_all) {
		struct symjob *j = l->all[--l->nr_all];

		symtab__free(j->result);
		free(j->path);
		free(j);
	}
	free(l->all);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->more);
	pthread_cond_destroy(&l->done);
	free(l);
}
