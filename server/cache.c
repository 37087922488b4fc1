/* SPDX-License-Identifier: MIT */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "xalloc.h"
#include "banned.h"

struct slot {
	char *key; /* NULL: empty */
	size_t key_len;
	uint64_t generation;
	struct cache_entry e;
};

struct cache {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t nr_slots, max_bytes, bytes;
	atomic_uint_fast64_t hits, misses, stores;
};

struct cache *cache_new(size_t slots, size_t max_bytes)
{
	struct cache *c = xcalloc(1, sizeof(*c));

	BUG_ON(!slots);
	pthread_mutex_init(&c->lock, NULL);
	c->slots = xcalloc(slots, sizeof(*c->slots));
	c->nr_slots = slots;
	c->max_bytes = max_bytes;
	return c;
}

void cache_entry_release(struct cache_entry *e)
{
	json_decref(e->json);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

static void slot_clear(struct cache *c, struct slot *s)
{
	if (!s->key)
		return;
	c->bytes -= s->e.size + s->key_len;
	free(s->key);
	s->key = NULL;
	cache_entry_release(&s->e);
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr_slots; i++)
		slot_clear(c, &c->slots[i]);
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void entry_copy(struct cache_entry *dst, const struct cache_entry *src)
{
	*dst = *src;
	dst->json = json_incref(src->json);
	if (src->body) {
		dst->body = xmalloc(src->len + 1);
		memcpy(dst->body, src->body, src->len);
		dst->body[src->len] = '\0';
	}
}

static struct slot *slot_of(struct cache *c, const void *key, size_t len)
{
	return &c->slots[fnv1a_bytes(FNV1A_INIT, key, len) % c->nr_slots];
}

bool cache_get(struct cache *c, const void *key, size_t len, uint64_t gen,
	       struct cache_entry *out)
{
	struct slot *s = slot_of(c, key, len);
	bool hit = false;

	pthread_mutex_lock(&c->lock);
	if (s->key && s->generation == gen && s->key_len == len &&
	    !memcmp(s->key, key, len)) {
		entry_copy(out, &s->e);
		hit = true;
	}
	pthread_mutex_unlock(&c->lock);
	atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
	return hit;
}

void cache_put(struct cache *c, const void *key, size_t len, uint64_t gen,
	       const struct cache_entry *e)
{
	struct slot *s = slot_of(c, key, len);
	struct cache_entry copy;
	char *k;

	if (e->size + len > c->max_bytes)
		return;
	entry_copy(&copy, e);
	k = xmalloc(len + 1);
	memcpy(k, key, len);
	k[len] = '\0';
	pthread_mutex_lock(&c->lock);
	slot_clear(c, s);
	if (c->bytes + e->size + len > c->max_bytes) {
		pthread_mutex_unlock(&c->lock);
		free(k);
		cache_entry_release(&copy);
		return;
	}
	s->key = k;
	s->key_len = len;
	s->generation = gen;
	s->e = copy;
	c->bytes += e->size + len;
	pthread_mutex_unlock(&c->lock);
	atomic_fetch_add(&c->stores, 1);
}

void cache_get_stats(struct cache *c, struct cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->hits = atomic_load(&c->hits);
	out->misses = atomic_load(&c->misses);
	out->stores = atomic_load(&c->stores);
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nr_slots; i++)
		out->entries += c->slots[i].key != NULL;
	out->bytes = c->bytes;
	pthread_mutex_unlock(&c->lock);
}
