/* SPDX-License-Identifier: MIT */
/*
 * sha256: SHA-256 digests as lowercase hex, for anything that must not
 * collide by chance or by design (token hashes, ETags).  A thin layer over
 * nettle's sha256, so that its callers need neither nettle's headers nor
 * their own hex loop.  For hash tables, see hash.h.
 */
#ifndef ANALYSIS_SHA256_H
#define ANALYSIS_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64 /* hex digits, without the NUL */

/*
 * The SHA-256 of len bytes at data (data may be NULL when len is 0), as
 * 64 lowercase hex digits and a NUL in out.
 */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

#endif
