/* SPDX-License-Identifier: MIT */
/*
 * sort_n(): qsort() that accepts an empty array.  qsort's base must not be
 * NULL even when n is 0 (C11 7.22.5), and an empty array is often NULL
 * here; UBSan and fuzzing found such calls.  banned.h bans qsort itself.
 */
#ifndef ANALYSIS_SORT_H
#define ANALYSIS_SORT_H

#include <stddef.h>
#include <stdlib.h>

static inline void sort_n(void *base, size_t n, size_t size,
			  int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

#endif
