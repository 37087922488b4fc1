/* SPDX-License-Identifier: MIT */
/*
 * The API routes and the pages on any path and query, as http.c hands
 * them over, against a real catalog over an empty data directory (every
 * run unknown: what is fuzzed is the routing and the reading of query
 * values, not the analysis).  The input is "path?query", the query cut
 * at '&' and '=' (what http.c refuses is skipped).  Oracles: every
 * answer has a status libmicrohttpd can send (200-599) and none is 500,
 * an error answer is one JSON object {"error": {"code",
 * "message"}} whose code is the status's, and a 200 has a body.
 */
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "catalog.h"
#include "config.h"
#include "errbuf.h"
#include "log.h"
#include "response.h"
#include "server.h"
#include "upload.h"
#include "web.h"

static struct server_config cfg;
static struct catalog cat;
static struct server srv;
static char base[PATH_MAX];

struct query {
	char *keys[32], *values[32];
	size_t nr;
};

static const char *query_get(void *ctx, const char *key)
{
	struct query *q = ctx;

	for (size_t i = 0; i < q->nr; i++)
		if (!strcmp(q->keys[i], key))
			return q->values[i] ? q->values[i] : "";
	return NULL;
}

static void cleanup(void)
{
	catalog_stop(&cat);
	server_release(&srv);
	remove_tree(base);
}

static void setup(void)
{
	const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	struct errbuf err;
	char *argv[] = {(char *)"serve", NULL};

	snprintf(base, sizeof(base), "%s/tbscope-fuzz-api-XXXXXX", shm);
	if (!mkdtemp(base))
		abort();
	config_defaults(&cfg);
	free(cfg.data_dir);
	cfg.data_dir = strdup(base);
	if (config_parse_args(&cfg, 1, argv, &err) < 0)
		abort();
	log_threshold = LOG_ERROR;
	if (catalog_start(&cat, &cfg, &err) < 0)
		abort();
	catalog_wait_idle(&cat);
	server_init(&srv, &cfg, &cat);
	atexit(cleanup);
}

/* UTF-8 (as jansson reads it) without control characters. */
static bool text_ok(const char *s, size_t n)
{
	json_t *utf8 = json_stringn(s, n);
	bool ok = utf8 != NULL;

	json_decref(utf8);
	for (size_t i = 0; ok && i < n; i++)
		ok = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
	return ok;
}

static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *q = memchr(data, '?', size);
	size_t plen = q ? (size_t)(q - data) : size;
	char *path = dup_n(data, plen);
	struct query args = {{0}, {0}, 0};
	struct api_request req = {.method = "GET",
				  .path = path,
				  .query = query_get,
				  .ctx = &args};
	struct api_response r;

	if (!*base)
		setup();
	/* http.c answers 400 to a path with control bytes or not UTF-8 */
	if (!text_ok(path, strlen(path)))
		goto out;
	if (q) {
		const uint8_t *p = q + 1, *end = data + size;

		while (p <= end && args.nr < 32) {
			const uint8_t *amp = memchr(p, '&', (size_t)(end - p));
			const uint8_t *stop = amp ? amp : end;
			const uint8_t *eq = memchr(p, '=', (size_t)(stop - p));

			size_t kn = (size_t)((eq ? eq : stop) - p);
			size_t vn = eq ? (size_t)(stop - eq - 1) : 0;

			args.keys[args.nr] = dup_n(p, kn);
			args.values[args.nr] = eq ? dup_n(eq + 1, vn) : NULL;
			args.nr++;
			/* http.c refuses what is not UTF-8 text (400) */
			if (!text_ok((const char *)p, kn) ||
			    (eq && !text_ok((const char *)eq + 1, vn)))
				goto out;
			if (!amp)
				break;
			p = amp + 1;
		}
	}
	api_response_init(&r);
	if (!strncmp(path, "/api/", 5))
		api_handle(&srv, &req, &r);
	else
		web_handle(&srv, &req, &r);
	/* nothing a client sends is the server's fault */
	if (r.status < 200 || r.status > 599 || r.status == 500)
		abort();
	if (r.status == 200 && !r.body.len)
		abort();
	if (r.status >= 400 && r.content_type &&
	    strstr(r.content_type, "json")) {
		json_error_t jerr;
		json_t *j = json_loadb(r.body.buf, r.body.len, 0, &jerr);
		json_t *e = json_object_get(j, "error");
		const char *code =
			json_string_value(json_object_get(e, "code"));

		if (!json_is_object(j) || json_object_size(j) != 1 ||
		    !json_is_string(json_object_get(e, "message")) || !code)
			abort();
		/* the generic code of the status, or a more precise one */
		if (strcmp(code, api_error_code(r.status)) &&
		    strcmp(code, "not_ready") && strcmp(code, "run_failed"))
			abort();
		json_decref(j);
	}
	api_response_release(&r);
out:
	for (size_t i = 0; i < args.nr; i++) {
		free(args.keys[i]);
		free(args.values[i]);
	}
	free(path);
	return 0;
}
