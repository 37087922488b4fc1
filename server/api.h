/* SPDX-License-Identifier: MIT */
/*
 * api: the JSON API's GET handlers, with no HTTP library in them.  A
 * handler parses the path and query, calls the analysis library through
 * the catalog's index, and fills a response: status, body, content type
 * and cache policy.  http.c turns that into a libmicrohttpd response (and
 * adds the ETag).  Errors are {"error": {"code", "message"}}.
 */
#ifndef SERVER_API_H
#define SERVER_API_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct catalog;
struct server_config;

struct api_request {
	const char *method;
	const char *path; /* percent-decoded, without the query */
	/* the value of a query parameter, or NULL */
	const char *(*query)(void *ctx, const char *key);
	void *ctx;
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
	unsigned retry_after; /* seconds, for 503 */
	const char *csp;      /* Content-Security-Policy for HTML, or NULL */
};

struct server {
	const struct server_config *cfg;
	struct catalog *cat;
};

void api_response_init(struct api_response *r);
void api_response_release(struct api_response *r);

/* Answer an error as {"error": {"code", "message"}}. */
void api_error(struct api_response *r, unsigned status, const char *code,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Handle a GET under /api/v1/. */
void api_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp);

/*
 * The Markdown comparison of run `new_id` against the previous ready run
 * of its series (for upload answers).  Returns false when there is none;
 * otherwise fills *base_id (free it) and appends to *md.
 */
bool api_markdown_vs_previous(struct server *srv, const char *new_id,
			      char **base_id, struct strbuf *md);

/* Run ids and benchmark names: [A-Za-z0-9._-]{1,100}, no leading '.'. */
bool api_name_ok(const char *s);

#endif
