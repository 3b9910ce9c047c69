// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static sear_log_fn log_fn;

sear_log_fn sear_log__set(sear_log_fn fn)
{
	sear_log_fn old = log_fn;

	log_fn = fn;
	return old;
}

void sear_log(enum sear_log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fn(level, buf);
}
