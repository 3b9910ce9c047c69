/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PROFILE_H
#define SEAR_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Aggregated samples: a count per (event, process, thread name, stack).
 *
 * The stacks are kept as a tree (a trie) under one node per (event, pid,
 * thread name) key: each node is one frame below its caller, so stacks
 * that share callers share their nodes, and memory grows with the
 * distinct call paths rather than with the stacks. A stack's id is the id
 * of its innermost frame's node. Adding a path seen before only walks the
 * tree and bumps a counter: it never allocates.
 *
 * A frame is a module id and an address in that module (symbolizer.h).
 * Node ids grow as nodes are made, so a node's parent always has a
 * smaller id than the node.
 */

struct frame {
	uint64_t addr;
	uint32_t dso;
	uint32_t flags; /* reserved, 0 */
};

struct profile;

/* Returns a new, empty profile; free with profile__free(). NULL with errno on failure. */
struct profile *profile__new(void);
void profile__free(struct profile *p);

/*
 * Interns a stack of nr frames, innermost first, under the key (event,
 * pid, comm: a thread name's string id) and, when tid is not 0, the
 * thread (kept apart only for outputs that label threads: it costs a path
 * per thread). Returns its id, or -ENOMEM.
 */
int64_t profile__stack(struct profile *p, uint16_t event, uint32_t pid, uint32_t comm, uint32_t tid,
		       const struct frame *frames, uint32_t nr);

/*
 * Adds count samples to stack id, and their weight (the sum of their
 * periods: nanoseconds for a clock event). Counts and weights saturate
 * rather than wrap. Returns 0.
 */
int profile__add(struct profile *p, uint32_t id, uint64_t count, uint64_t weight);

/* Writes stack id's frames, innermost first, into out (at most max). Returns the count. */
uint32_t profile__frames(const struct profile *p, uint32_t id, struct frame *out, uint32_t max);

/*
 * Calls fn for each stack with samples, with its key and count, in the
 * order the stacks were first seen; stops at non-zero and returns that.
 * Returns 0, or -ENOMEM.
 */
typedef int (*profile_fn)(void *ctx, uint16_t event, uint32_t pid, uint32_t comm, uint32_t tid,
			  uint32_t stack, uint64_t count, uint64_t weight);
int profile__for_each(const struct profile *p, profile_fn fn, void *ctx);

/* One node of the tree, as profile__walk() shows it. */
struct profile_node {
	uint32_t id, parent;
	bool key;	    /* a key node: event, pid and comm are set (or tid), frame is not */
	bool parent_key;    /* a thread's key node, below its (event, pid, comm) */
	uint16_t event;	    /* key nodes */
	uint32_t pid, comm; /* key nodes */
	uint32_t tid;	    /* a thread's key node */
	struct frame frame; /* frame nodes: the frame, below its caller (parent) */
	uint64_t count;	    /* samples whose stack ends here */
	uint64_t weight;    /* and their weight */
};

/*
 * Calls fn for every node, keys and frames alike, in id order: a node's
 * parent comes before it. Stops at non-zero and returns that; else 0.
 */
typedef int (*profile_walk_fn)(void *ctx, const struct profile_node *n);
int profile__walk(const struct profile *p, profile_walk_fn fn, void *ctx);

/* The number of nodes (ids run below it). */
uint32_t profile__nodes(const struct profile *p);

/*
 * Writes the frames of the frame nodes with ids in [from, to) into out
 * (room for to - from), in id order: what was added since a count of
 * profile__nodes(). Returns how many.
 */
size_t profile__node_frames(const struct profile *p, uint32_t from, uint32_t to, struct frame *out);

/* The number of stacks with samples. */
uint64_t profile__count(const struct profile *p);

#endif
