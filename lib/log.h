/* SPDX-License-Identifier: MIT */
#ifndef SEAR_LOG_H
#define SEAR_LOG_H

/*
 * Logging for lib/ and symbolizer/.
 *
 * Library code never prints or exits. It reports through one callback,
 * installed by cmd/ (as libbpf's libbpf_set_print does), so that tests and
 * fuzz targets stay quiet. The default callback drops everything.
 *
 * Messages follow git's rules: lowercase, no full stop, no trailing newline.
 */

enum sear_log_level {
	SEAR_LOG_WARN,
	SEAR_LOG_INFO,
	SEAR_LOG_DEBUG,
};

typedef void (*sear_log_fn)(enum sear_log_level level, const char *msg);

/* Installs fn as the log sink (NULL drops messages). Returns the previous sink. */
sear_log_fn sear_log__set(sear_log_fn fn);

/* Formats and sends one message to the sink. */
void sear_log(enum sear_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* strerror(), lowercased as our messages are. Returns a static buffer: one call per message. */
const char *sear_strerror(int errnum);

#define pr_warn(...)  sear_log(SEAR_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  sear_log(SEAR_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) sear_log(SEAR_LOG_DEBUG, __VA_ARGS__)

#endif
