/* SPDX-License-Identifier: MIT */
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

/*
 * A message cut at the buffer's end may end inside a UTF-8 sequence (a
 * quoted value in a non-ASCII script): drop the partial sequence, so the
 * message stays text that JSON and HTML can carry.
 */
static void trim_partial_utf8(char *s, size_t len)
{
	size_t i = len, cont = 0, need;
	unsigned char lead;

	while (i > 0 && cont < 4 && ((unsigned char)s[i - 1] & 0xc0) == 0x80) {
		i--;
		cont++;
	}
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	if (lead < 0xc0)
		return; /* ASCII (or stray continuation bytes: not ours) */
	need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
	if (cont < need)
		s[i - 1] = '\0';
}

int errbuf_set(struct errbuf *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(err->msg))
		trim_partial_utf8(err->msg, sizeof(err->msg) - 1);
	return -1;
}

int errbuf_prefix(struct errbuf *err, const char *prefix)
{
	size_t plen, mlen, cap = sizeof(err->msg) - 1;

	if (!err)
		return -1;
	plen = strlen(prefix) + 2;
	if (plen > cap)
		plen = cap;
	mlen = strnlen(err->msg, cap);
	if (mlen > cap - plen) {
		mlen = cap - plen;
		trim_partial_utf8(err->msg, mlen);
		mlen = strnlen(err->msg, mlen);
	}
	memmove(err->msg + plen, err->msg, mlen);
	err->msg[plen + mlen] = '\0';
	memcpy(err->msg, prefix, plen - 2);
	memcpy(err->msg + plen - 2, ": ", 2);
	return -1;
}
