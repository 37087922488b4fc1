/* SPDX-License-Identifier: MIT */
#include "strlist.h"

#include <stdarg.h>
#include <stdlib.h>

#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

void strlist_add_take(struct strlist *l, char *s)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = s;
}

void strlist_add(struct strlist *l, const char *s)
{
	strlist_add_take(l, xstrdup(s));
}

void strlist_addf(struct strlist *l, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strlist_add_take(l, strbuf_detach(&sb, NULL));
}

void strlist_extend(struct strlist *l, const struct strlist *src)
{
	for (size_t i = 0; i < src->nr; i++)
		strlist_add(l, src->items[i]);
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}
