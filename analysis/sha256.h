/* SPDX-License-Identifier: MIT */
/*
 * sha256: SHA-256 (nettle's) as lower-case hex, for anything that needs a
 * content hash: ETags, token digests, fingerprints.
 */
#ifndef ANALYSIS_SHA256_H
#define ANALYSIS_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* SHA-256 of data[0..len) as 64 hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

#endif
