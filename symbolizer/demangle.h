/* SPDX-License-Identifier: MIT */
#ifndef SEAR_DEMANGLE_H
#define SEAR_DEMANGLE_H

#include <stdbool.h>

/*
 * C++ and Rust (legacy and v0) demangling through libiberty. Without full,
 * names lose their parameter lists ("ns::Class::method", as flame graphs
 * are usually read); with it they keep them.
 *
 * Returns a new string (free() it), or NULL when name is not mangled.
 */
char *demangle(const char *name, bool full);

#endif
