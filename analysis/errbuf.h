/* SPDX-License-Identifier: MIT */
/*
 * errbuf: a fixed-size buffer that carries one error message out of a
 * function.  Functions that can fail take a `struct errbuf *err` as their
 * last argument (NULL is allowed: the message is then dropped) and return
 * -1 or NULL after filling it.  Messages follow git's style: lowercase, no
 * final period, what before where ("cannot open 'x': No such file").
 */
#ifndef ANALYSIS_ERRBUF_H
#define ANALYSIS_ERRBUF_H

struct errbuf {
	char msg[512];
};

/*
 * Format a message into *err and return -1, so callers can write
 * "return errbuf_set(err, ...);".  err may be NULL.
 */
int errbuf_set(struct errbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the current message with "<prefix>: "; returns -1 like errbuf_set. */
int errbuf_prefix(struct errbuf *err, const char *prefix);

#endif
