/* SPDX-License-Identifier: MIT */
#include "key_map.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

static uint64_t mix(uint64_t a, uint64_t b, uint32_t c)
{
	/* splitmix64-style finaliser over the three words */
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) ^
		     ((uint64_t)c << 32 | c);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 32;
	return h;
}

static void resize(struct key_map *m, size_t ncap)
{
	struct key_slot *ns = xmalloc(ncap * sizeof(*ns));

	for (size_t i = 0; i < ncap; i++)
		ns[i].val = KEY_MAP_EMPTY;
	for (size_t i = 0; i < m->cap; i++) {
		struct key_slot *s = &m->slots[i];
		size_t j;

		if (s->val == KEY_MAP_EMPTY)
			continue;
		j = mix(s->a, s->b, s->c) & (ncap - 1);
		while (ns[j].val != KEY_MAP_EMPTY)
			j = (j + 1) & (ncap - 1);
		ns[j] = *s;
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
}

static void grow(struct key_map *m)
{
	resize(m, m->cap ? m->cap * 2 : 64);
}

void key_map_reserve(struct key_map *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	/* the load factor stays under 3/4 with m->nr + n keys */
	while ((m->nr + n) * 4 > cap * 3)
		cap *= 2;
	if (cap != m->cap)
		resize(m, cap);
}

uint32_t key_map_get_or_put(struct key_map *m, uint64_t a, uint64_t b,
			    uint32_t c, uint32_t val_if_new, bool *inserted)
{
	size_t j;

	BUG_ON(val_if_new == KEY_MAP_EMPTY);
	if ((m->nr + 1) * 4 > m->cap * 3)
		grow(m);
	j = mix(a, b, c) & (m->cap - 1);
	for (;;) {
		struct key_slot *s = &m->slots[j];

		if (s->val == KEY_MAP_EMPTY) {
			*s = (struct key_slot){a, b, c, val_if_new};
			m->nr++;
			*inserted = true;
			return val_if_new;
		}
		if (s->a == a && s->b == b && s->c == c) {
			*inserted = false;
			return s->val;
		}
		j = (j + 1) & (m->cap - 1);
	}
}

void key_map_release(struct key_map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
