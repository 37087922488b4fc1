/* SPDX-License-Identifier: MIT */
#include "xalloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define ALLOCATOR_REPLACED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) ||     \
	__has_feature(thread_sanitizer)
#define ALLOCATOR_REPLACED 1
#endif
#endif

void xalloc_trim(void)
{
#ifndef ALLOCATOR_REPLACED
	malloc_trim(0);
#endif
}

static void oom(size_t size)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return xrealloc(ptr, nmemb * size);
}

void *alloc_grow(void *array, size_t nr, size_t *alloc, size_t size)
{
	if (nr <= *alloc)
		return array;
	*alloc = *alloc < 16 ? 16 : *alloc * 2;
	if (*alloc < nr)
		*alloc = nr;
	return xreallocarray(array, *alloc, size);
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, SIZE_MAX);
}

void bug_fl(const char *file, int line, const char *func, const char *cond)
{
	fprintf(stderr, "BUG: %s:%d: %s: %s\n", file, line, func, cond);
	abort();
}
