/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include <nettle/sha2.h>
#include <stdint.h>

#include "banned.h"

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	if (len)
		sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[SHA256_HEX_LEN] = '\0';
}
