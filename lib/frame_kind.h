/* SPDX-License-Identifier: MIT */
#ifndef SEAR_FRAME_KIND_H
#define SEAR_FRAME_KIND_H

/* Where a frame's code lives; the renderer colours each kind apart. */
enum frame_kind {
	FRAME_USER,   /* native code in a file */
	FRAME_KERNEL, /* kernel and its modules */
	FRAME_JIT,    /* JIT or interpreter code in anonymous memory */
	FRAME_ROOT,   /* a process or thread name at the root of its stacks */
	FRAME_OFFCPU, /* the [off-cpu] marker above the frames of a wait */
};

#endif
