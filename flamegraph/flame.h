/* SPDX-License-Identifier: MIT */
#ifndef SEAR_FLAME_H
#define SEAR_FLAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/frame_kind.h"

/*
 * A call tree folded from stacks: the model behind both outputs, folded
 * text and the SVG.
 *
 * Node 0 is the root ("all"); every other node is one frame name under its
 * parent, with the samples of all stacks through it (total) and of stacks
 * that end in it (self). Names are sanitised on the way in: ';' would
 * break folded text and control characters break XML, so both become '?'.
 * Counts saturate at 2^64-1 rather than wrap.
 *
 * A flow tree (flame__new_flow()) merges stacks as flamegraph.pl does: a
 * frame is shared only with the stack added just before, so stacks added
 * in sorted order make the usual tree, but a name can repeat among
 * siblings, and each node keeps where it starts (start) in the order the
 * stacks came. flamegraph.pl's frames, positions and widths follow.
 */

struct flame;

struct flame_node {
	uint64_t before, before_self; /* a differential graph's other profile; else 0 */
	uint32_t name;		      /* string id, see flame__name() */
	uint32_t parent;	      /* 0 for the root's children (and the root itself) */
	uint32_t first_child;	      /* 0: none */
	uint32_t next_sibling;
	uint64_t total, self;
	uint64_t start; /* flow trees: the samples of the stacks added before this frame's first */
	int64_t delta;	/* flow trees, two counts: after - before of the stack that added it, if it
			   ended there; else 0 */
	enum frame_kind kind;
	bool has_delta; /* flow trees: the stack that added it had two counts */
};

/* Returns a new tree with only the root; free with flame__free(). NULL with errno on failure. */
struct flame *flame__new(void);

/* The same, for a flow tree: see above. */
struct flame *flame__new_flow(void);

void flame__free(struct flame *f);

/* True for a tree from flame__new_flow(). */
bool flame__is_flow(const struct flame *f);

/* A flow tree's largest change of one stack with two counts (flamegraph.pl's colour scale). */
uint64_t flame__max_delta(const struct flame *f);

/*
 * Adds count samples of one stack, root first (names[0] is usually the
 * process name). kinds may be NULL (all FRAME_USER). Returns 0 or -ENOMEM.
 */
int flame__add(struct flame *f, const char *const *names, const enum frame_kind *kinds, size_t nr,
	       uint64_t count);

/*
 * For differential graphs: adds count samples of the shape's profile and
 * before samples of the other one. A stack with count 0 still records its
 * before samples, though it has no width. In a flow tree, every stack
 * added so is one of two counts (flamegraph.pl's colours by change).
 * Returns 0 or -ENOMEM.
 */
int flame__add_diff(struct flame *f, const char *const *names, const enum frame_kind *kinds,
		    size_t nr, uint64_t count, uint64_t before);

/*
 * Building a tree node by node, for a caller that holds its stacks as a
 * tree already (pipeline/session.c): the child of parent named name (made
 * if new), and samples added to the stack that ends at node.
 */
int64_t flame__child_named(struct flame *f, uint32_t parent, const char *name,
			   enum frame_kind kind);

/*
 * The same in two steps, for a caller that meets the same names many
 * times: name's string id (as the tree keeps it: ';' and control
 * characters replaced), then the child of parent with that id.
 * Each returns an id, or -ENOMEM.
 */
int64_t flame__name_id(struct flame *f, const char *name);
int64_t flame__child_id(struct flame *f, uint32_t parent, uint32_t name, enum frame_kind kind);

/* Adds count (and before) samples of the stack that ends at node. Returns 0. */
int flame__add_at(struct flame *f, uint32_t node, uint64_t count, uint64_t before);

/*
 * Adds count samples of the stack that ends at node to that node alone:
 * its callers' totals wait for flame__sum(), one pass over the tree for
 * all the stacks added so, rather than a walk up to the root for each
 * (what flame__add_at() does). Returns 0.
 */
int flame__add_self(struct flame *f, uint32_t node, uint64_t count);

/*
 * Brings every total, and the depth, up to date with what was added by
 * flame__add_self(). Returns 0 or -ENOMEM.
 */
int flame__sum(struct flame *f);

/* True once a stack was added with flame__add_diff() and before samples. */
bool flame__is_diff(const struct flame *f);

/* Reverses a stack in place, names and kinds alike: flamegraph.pl's --reverse. */
void flame__reverse_stack(const char **names, enum frame_kind *kinds, size_t nr);

/* Returns node id; borrowed, valid until the next flame__add(). */
const struct flame_node *flame__node(const struct flame *f, uint32_t id);

/* Returns the name of string id; borrowed, valid until flame__free(). */
const char *flame__name(const struct flame *f, uint32_t name);

/* Number of nodes, the root included. */
uint32_t flame__count(const struct flame *f);

/* Total samples (the root's total). */
uint64_t flame__total(const struct flame *f);

/* Depth of the deepest node (the root's children are at depth 1). */
uint32_t flame__depth(const struct flame *f);

/*
 * Returns the children of node id in a new array of *nr ids; free() it.
 * NULL with *nr 0 when there are none or on failure. They are sorted as
 * flamegraph.pl orders the stacks through them, by name followed by ' '
 * when the child has samples of its own, else by ';' (in a flow tree: in
 * the order they were added).
 */
uint32_t *flame__children_sorted(const struct flame *f, uint32_t id, uint32_t *nr);

/*
 * Writes folded text: "a;b;c 123", one line per distinct stack, sorted.
 * A differential tree writes difffolded's "a;b;c BEFORE AFTER", with the
 * before counts multiplied by before_scale (1 for none) and rounded.
 * Returns 0, or -errno (EIO when the stream failed).
 */
int flame__write_folded(const struct flame *f, FILE *out, double before_scale);

#endif
