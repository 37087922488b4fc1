/* SPDX-License-Identifier: MIT */
/*
 * strbuf: a growable string with git's invariants: `buf` is never NULL and
 * always NUL-terminated, `len` excludes the NUL.  STRBUF_INIT points at a
 * shared empty string, so an unused strbuf needs no release.
 */
#ifndef ANALYSIS_STRBUF_H
#define ANALYSIS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT                                                            \
	{                                                                      \
		0, 0, strbuf_slopbuf                                           \
	}

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Give the caller the buffer (free() it); *sb is then empty again. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void strbuf_reset(struct strbuf *sb);
/* Append n spaces. */
void strbuf_addspaces(struct strbuf *sb, size_t n);

#endif
