/* SPDX-License-Identifier: MIT */
/*
 * response: a request and its answer, with no HTTP library in them.  The
 * API routes (api_routes.c), the uploads (api_upload.c) and the pages
 * (web.c) read a struct api_request and fill a struct api_response; http.c
 * is the only file that turns them into libmicrohttpd calls.
 */
#ifndef SERVER_RESPONSE_H
#define SERVER_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct api_request {
	const char *method;
	const char *path; /* percent-decoded, without the query */
	/* the value of a query parameter, or NULL */
	const char *(*query)(void *ctx, const char *key);
	void *ctx;
	/* a request header, or NULL (may be unset: NULL) */
	const char *(*header)(void *ctx, const char *name);
	const char *body; /* a PATCH's body (NULL: none), body_len bytes */
	size_t body_len;
};

enum cache_policy {
	CACHE_NONE,	  /* no-store: changes at any time */
	CACHE_REVALIDATE, /* ETag, revalidate each time (run may change) */
	CACHE_IMMUTABLE,  /* ETag and a year: uploaded runs never change */
};

struct api_response {
	unsigned status;
	struct strbuf body;
	const char *content_type;
	enum cache_policy cache;
	unsigned retry_after;  /* seconds, for 503 */
	const char *csp;       /* Content-Security-Policy for HTML, or NULL */
	char *location;	       /* Location header (owned), or NULL */
	bool www_authenticate; /* 401/403: send a Bearer challenge */
};

void api_response_init(struct api_response *r);
void api_response_release(struct api_response *r);

/* Answer an error as {"error": {"code", "message"}}, never cached. */
void api_error(struct api_response *r, unsigned status, const char *code,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The error code of an HTTP status: 404 "not_found", 409 "exists", ... */
const char *api_error_code(unsigned status);

/* Run ids and benchmark names: [A-Za-z0-9._-]{1,100}, no leading '.'. */
bool api_name_ok(const char *s);

/*
 * Split path (modified in place) "/a/b/c" into at most max segments.
 * False for a path not starting with '/', an empty segment ("//"), "."
 * or "..", or more than max segments.  The one path splitter of the
 * routes and the pages.
 */
bool route_split(char *path, char **seg, size_t max, size_t *nr);

/* One query parameter as sent: value NULL for a bare "?key". */
struct query_arg {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
};

struct query_args {
	struct query_arg *items;
	size_t nr, alloc;
};

/*
 * The cache key of a GET of path with the query args[0..nr): the path,
 * then the pairs percent-encoded (so no value passes for a separator)
 * and sorted by key (so the order of different parameters does not
 * matter; the values of one key keep their order, since the first is
 * the one that counts).  Two requests share a key only if every
 * parameter lookup gives them the same value.
 */
void request_cache_key(struct strbuf *key, const char *path,
		       const struct query_arg *args, size_t nr);

#endif
