/* SPDX-License-Identifier: MIT */
/*
 * hash: 64-bit FNV-1a, the one non-cryptographic hash of the project
 * (hash tables, code hashes, the run fingerprint).  Not for anything an
 * attacker chooses the input of and gains by colliding: for that, see
 * sha256.h.
 *
 * The form is incremental: start from FNV1A_INIT (or any other basis),
 * feed bytes, and keep the value:
 *
 *	uint64_t h = FNV1A_INIT;
 *	h = fnv1a_str(h, name);
 *	h = fnv1a_byte(h, '\n');
 *
 * so hashing a string piece by piece gives the same value as hashing it
 * whole.  fnv1a("") is FNV1A_INIT; fnv1a("a") is 0xaf63dc4c8601ec8c.
 */
#ifndef ANALYSIS_HASH_H
#define ANALYSIS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT  0xcbf29ce484222325ull /* the offset basis */
#define FNV1A_PRIME 0x100000001b3ull

static inline uint64_t fnv1a_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV1A_PRIME;
}

/* Feed len bytes of data. */
static inline uint64_t fnv1a_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = fnv1a_byte(h, p[i]);
	return h;
}

/* Feed the bytes of s, not its terminating NUL. */
static inline uint64_t fnv1a_str(uint64_t h, const char *s)
{
	while (*s)
		h = fnv1a_byte(h, (unsigned char)*s++);
	return h;
}

/* The FNV-1a hash of a string. */
static inline uint64_t fnv1a(const char *s)
{
	return fnv1a_str(FNV1A_INIT, s);
}

#endif
