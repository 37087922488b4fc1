/* SPDX-License-Identifier: MIT */
/*
 * cache: answers kept while the index they were computed from is current.
 *
 * An entry is found by an exact key (any bytes) and the catalog's
 * generation when it was computed: once the index changes, the entry is
 * stale and is never returned again.  It holds a JSON value (shared:
 * readers take a reference and must not modify it; jansson's reference
 * counts are atomic) and/or a rendered body with its ETag.
 *
 * The cache is a fixed array of slots (a new key replaces the one in its
 * slot) with a bound on the bytes it holds; an answer that would go over
 * it is simply not kept.  All functions are thread-safe.
 */
#ifndef SERVER_CACHE_H
#define SERVER_CACHE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "response.h"

struct cache;

struct cache_entry {
	json_t *json; /* or NULL */
	char *body;   /* or NULL; len bytes */
	size_t len;
	size_t size;		  /* bytes it accounts for (json: estimate) */
	const char *content_type; /* a static string */
	const char *csp;	  /* a static string, or NULL */
	enum cache_policy policy;
	unsigned status;
	char etag[40]; /* quoted, or "" */
};

struct cache_stats {
	uint64_t hits, misses, stores, entries, bytes;
};

/* A cache of `slots` entries holding at most max_bytes. */
struct cache *cache_new(size_t slots, size_t max_bytes);
void cache_free(struct cache *c);

/*
 * Look key[0..len) up at generation gen.  On a hit *out is a copy: its
 * json is a new reference and its body a new allocation; release it with
 * cache_entry_release().
 */
bool cache_get(struct cache *c, const void *key, size_t len, uint64_t gen,
	       struct cache_entry *out);

/*
 * Keep a copy of *e (json gets a new reference, body is copied) under
 * key at generation gen.  e->size says how many bytes it accounts for.
 */
void cache_put(struct cache *c, const void *key, size_t len, uint64_t gen,
	       const struct cache_entry *e);

void cache_entry_release(struct cache_entry *e);

void cache_get_stats(struct cache *c, struct cache_stats *out);

#endif
