/* SPDX-License-Identifier: MIT */
/* strlist: an owned, growable list of strings (warnings, paths). */
#ifndef ANALYSIS_STRLIST_H
#define ANALYSIS_STRLIST_H

#include <stddef.h>

struct strlist {
	char **items;
	size_t nr;
	size_t alloc;
};

#define STRLIST_INIT                                                           \
	{                                                                      \
		0                                                              \
	}

/* Append a copy of s. */
void strlist_add(struct strlist *l, const char *s);
/* Append the string, taking ownership of it (it must come from malloc). */
void strlist_add_take(struct strlist *l, char *s);
void strlist_addf(struct strlist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append copies of every item of src. */
void strlist_extend(struct strlist *l, const struct strlist *src);
void strlist_release(struct strlist *l);

#endif
