/* SPDX-License-Identifier: MIT */
/*
 * key_map: an open-addressing hash map from a fixed-size key (two 64-bit
 * words and a 32-bit word) to a 32-bit index into an array the caller
 * owns.  It is the merge table of attribution: blocks are keyed by
 * (object, address, icount), functions by (object, name pointer).
 */
#ifndef ANALYSIS_KEY_MAP_H
#define ANALYSIS_KEY_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct key_slot {
	uint64_t a, b;
	uint32_t c;
	uint32_t val; /* KEY_MAP_EMPTY when the slot is free */
};

#define KEY_MAP_EMPTY UINT32_MAX

struct key_map {
	struct key_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t nr;
};

#define KEY_MAP_INIT                                                           \
	{                                                                      \
		0                                                              \
	}

/*
 * Find the key; if it is absent, insert it with value `val_if_new`.
 * Returns the value stored for the key; *inserted says which case it was.
 */
uint32_t key_map_get_or_put(struct key_map *m, uint64_t a, uint64_t b,
			    uint32_t c, uint32_t val_if_new, bool *inserted);

/* Make room for n more keys at once (one rehash, not many). */
void key_map_reserve(struct key_map *m, size_t n);
void key_map_release(struct key_map *m);

#endif
