/* SPDX-License-Identifier: MIT */
/*
 * Leveled logging to stderr, one line per message:
 *   2026-11-22T10:00:00Z info http: listening on 127.0.0.1:8080
 * journald captures stderr under systemd.  The level is checked before
 * formatting.  Thread-safe (one fprintf per line).
 */
#ifndef SERVER_LOG_H
#define SERVER_LOG_H

#include <stdarg.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_threshold;

/* "error", "warn", "info" or "debug"; returns -1 for anything else. */
int log_level_parse(const char *s, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)                                                          \
	do {                                                                   \
		if (log_threshold >= LOG_INFO)                                 \
			log_msg(LOG_INFO, __VA_ARGS__);                        \
	} while (0)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (log_threshold >= LOG_DEBUG)                                \
			log_msg(LOG_DEBUG, __VA_ARGS__);                       \
	} while (0)

#endif
