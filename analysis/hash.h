/* SPDX-License-Identifier: MIT */
/*
 * hash: 64-bit FNV-1a, the project's one non-cryptographic hash (hash
 * tables, cache slots).  Incremental: start from FNV1A_INIT and feed
 * pieces in order.
 */
#ifndef ANALYSIS_HASH_H
#define ANALYSIS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ull

static inline uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static inline uint64_t fnv1a_str(uint64_t h, const char *s)
{
	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

#endif
