/* SPDX-License-Identifier: MIT */
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

int errbuf_set(struct errbuf *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
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
	if (mlen > cap - plen)
		mlen = cap - plen;
	memmove(err->msg + plen, err->msg, mlen);
	err->msg[plen + mlen] = '\0';
	memcpy(err->msg, prefix, plen - 2);
	memcpy(err->msg + plen - 2, ": ", 2);
	return -1;
}
