/* SPDX-License-Identifier: MIT */
#ifndef SEAR_NAMES_H
#define SEAR_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/frame_kind.h"
#include "lib/searfile.h"

/*
 * One named stack, root first, as every reader hands it on: the root
 * frames (the event when there are several, the container, the thread
 * name), then the outermost caller down to the sampled function.
 *
 * A struct stack_names is scratch space owned by whoever fills it (a
 * session, a loader), so that naming needs no static buffers. Names are
 * borrowed: the root labels point into the struct itself, the frames into
 * the symbolizer or the reader that named them.
 */

/* Frames, inline chains included, plus the roots: more than any stack sear keeps. */
#define STACK_NAMES_MAX (4 * SEAR_MAX_FRAMES + 8)

struct stack_names {
	const char *names[STACK_NAMES_MAX];
	enum frame_kind kinds[STACK_NAMES_MAX];
	size_t nr;
	char event[80], container[32], comm[224]; /* the root labels' text */
};

/* What the root frames say. NULL fields are left out; comm is required. */
struct stack_roots {
	const char *event;     /* with several events, the sample's */
	const char *container; /* the process's container id */
	const char *comm;      /* the thread name */
	uint32_t pid;
	bool pid_roots; /* "comm [pid]" instead of "comm" */
};

/* Empties n and puts the root frames of r first. */
void stack_names__set_roots(struct stack_names *n, const struct stack_roots *r);

/* Appends a frame. Returns false (and appends nothing) when n is full. */
static inline bool stack_names__push(struct stack_names *n, const char *name, enum frame_kind kind)
{
	if (n->nr >= STACK_NAMES_MAX)
		return false;
	n->names[n->nr] = name;
	n->kinds[n->nr++] = kind;
	return true;
}

#endif
