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
 * Give the allocator's free memory back to the system (glibc's
 * malloc_trim), after a large piece of work whose results are kept.  A
 * no-op under AddressSanitizer, whose allocator replaces glibc's (and
 * glibc's malloc_trim then walks an arena that was never set up).
 */
void xalloc_trim(void);

/*
 * Grow an array so that it holds at least `nr` elements; `alloc` (a
 * size_t) is its capacity and is updated.  Doubles, so appends are
 * amortised O(1).
 */
#define ALLOC_GROW(array, nr, alloc)                                           \
	do {                                                                   \
		if ((nr) > (alloc))                                            \
			(array) = alloc_grow((array), (nr), &(alloc),          \
					     sizeof(*(array)));                \
	} while (0)

/*
 * ALLOC_GROW() for an array whose element size is only known at run time:
 * returns the array, grown to hold at least nr elements of `size` bytes
 * when *alloc is less (*alloc is updated).
 */
void *alloc_grow(void *array, size_t nr, size_t *alloc, size_t size);

void bug_fl(const char *file, int line, const char *func, const char *cond)
	__attribute__((noreturn));
#define BUG_ON(cond)                                                           \
	do {                                                                   \
		if (cond)                                                      \
			bug_fl(__FILE__, __LINE__, __func__, #cond);           \
	} while (0)

#endif
