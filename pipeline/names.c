// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "names.h"

void stack_names__set_roots(struct stack_names *n, const struct stack_roots *r)
{
	n->nr = 0;
	if (r->event) {
		snprintf(n->event, sizeof(n->event), "[%.64s]", r->event);
		stack_names__push(n, n->event, FRAME_ROOT);
	}
	if (r->container) {
		snprintf(n->container, sizeof(n->container), "[container %.12s]", r->container);
		stack_names__push(n, n->container, FRAME_ROOT);
	}
	if (r->pid_roots) {
		snprintf(n->comm, sizeof(n->comm), "%.200s [%u]", r->comm, r->pid);
		stack_names__push(n, n->comm, FRAME_ROOT);
	} else {
		stack_names__push(n, r->comm, FRAME_ROOT);
	}
}
