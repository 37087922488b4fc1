/* SPDX-License-Identifier: MIT */
/*
 * Allocation that cannot fail: out of memory prints a message and aborts
 * (every size comes from bounded input, so a client cannot trigger it).
 * Also BUG_ON() for programmer errors, which is never compiled out.
 */
#ifndef ANALYSIS_XALLOC_H
#define ANALYSIS_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc(ptr, nmemb * size), aborting on multiplication overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * Grow an array so that it holds at least `nr` elements; `alloc` is its
 * capacity and is updated.  Doubles, so appends are amortised O(1).
 */
#define ALLOC_GROW(array, nr, alloc)                                           \
	do {                                                                   \
		if ((nr) > (alloc)) {                                          \
			(alloc) = (alloc) < 16 ? 16 : (alloc)*2;               \
			if ((alloc) < (nr))                                    \
				(alloc) = (nr);                                \
			(array) = xreallocarray((array), (alloc),              \
						sizeof(*(array)));             \
		}                                                              \
	} while (0)

void bug_fl(const char *file, int line, const char *func, const char *cond)
	__attribute__((noreturn));
#define BUG_ON(cond)                                                           \
	do {                                                                   \
		if (cond)                                                      \
			bug_fl(__FILE__, __LINE__, __func__, #cond);           \
	} while (0)

#endif
