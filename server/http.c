/* SPDX-License-Identifier: MIT */
#include "http.h"

#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "api.h"
#include "catalog.h"
#include "config.h"
#include "errbuf.h"
#include "index.h"
#include "log.h"
#include "strbuf.h"
#include "tokens.h"
#include "upload.h"
#include "web.h"
#include "xalloc.h"
#include "banned.h"

#define CACHE_SLOTS    1024
#define CACHE_MAX_BODY (8u << 20)

struct cached {
	char *key;
	uint64_t generation;
	char *body;
	size_t len;
	const char *content_type;
	char etag[40];
	enum cache_policy policy;
};

struct http {
	struct MHD_Daemon *daemon;
	struct server *srv;
	pthread_mutex_t cache_lock;
	struct cached cache[CACHE_SLOTS];
};

/* Per-request state, created on the first callback, freed on completion. */
struct request {
	struct timespec start;
	char *method, *url; /* for the access log */
	unsigned status;
	uint64_t bytes;
	struct upload *up; /* a POST /api/v1/runs being received */
	char *up_id;
	unsigned deferred;   /* a refused upload answered after its body */
	char *deferred_msg;  /* ... with this message */
	uint64_t body_bytes; /* of the request body, received so far */
};

/* ---- helpers ------------------------------------------------------------ */

static uint64_t fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

static const char *query_get(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *value)
{
	struct strbuf *sb = cls;

	strbuf_addch(sb, sb->len && !strchr(sb->buf, '?') ? '?' : '&');
	strbuf_adds(sb, key);
	if (value) {
		strbuf_addch(sb, '=');
		strbuf_adds(sb, value);
	}
	return MHD_YES;
}

/* The strong ETag of a body: the first 128 bits of its SHA-256. */
static void make_etag(const char *body, size_t len, char out[40])
{
	char hash[TOKEN_HASH_HEX + 1];

	token_hash(body, len, hash);
	snprintf(out, 40, "\"%.32s\"", hash);
}

static const char *cache_control(enum cache_policy p)
{
	switch (p) {
	case CACHE_IMMUTABLE:
		return "public, max-age=31536000, immutable";
	case CACHE_REVALIDATE:
		return "no-cache";
	default:
		return "no-store";
	}
}

/* Does If-None-Match name this ETag (or "*")? */
static int etag_matches(struct MHD_Connection *conn, const char *etag)
{
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      "If-None-Match");

	if (!inm)
		return 0;
	return !strcmp(inm, "*") || strstr(inm, etag) != NULL;
}

static void security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

/*
 * Queue a response whose body is copied from `body`.  etag may be "" and
 * then none is sent.
 */
static enum MHD_Result reply(struct MHD_Connection *conn, struct request *rq,
			     unsigned status, const char *ctype,
			     const char *body, size_t len, const char *etag,
			     enum cache_policy policy, unsigned retry_after,
			     const char *const *headers)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	bool not_modified = status == 200 && *etag && etag_matches(conn, etag);

	if (not_modified) {
		status = MHD_HTTP_NOT_MODIFIED;
		len = 0;
	}
	resp = MHD_create_response_from_buffer(len, (void *)body,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				cache_control(status == 200 || not_modified
						      ? policy
						      : CACHE_NONE));
	if (*etag && (status == 200 || not_modified))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	if (retry_after) {
		char v[16];

		snprintf(v, sizeof(v), "%u", retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	for (size_t i = 0; headers && headers[i]; i += 2)
		if (headers[i + 1])
			MHD_add_response_header(resp, headers[i],
						headers[i + 1]);
	security_headers(resp);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	rq->status = status;
	rq->bytes = len;
	return ret;
}

static enum MHD_Result send_api(struct MHD_Connection *conn, struct request *rq,
				struct api_response *r)
{
	char etag[40] = "";

	if (r->status == 200 && r->cache != CACHE_NONE)
		make_etag(r->body.buf, r->body.len, etag);
	return reply(conn, rq, r->status, r->content_type, r->body.buf,
		     r->body.len, etag, r->cache, r->retry_after, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *conn,
				  struct request *rq, unsigned status,
				  const char *code, const char *msg)
{
	struct api_response r;
	enum MHD_Result ret;

	api_response_init(&r);
	api_error(&r, status, code, "%s", msg);
	ret = send_api(conn, rq, &r);
	api_response_release(&r);
	return ret;
}

/* ---- the response cache ------------------------------------------------- */

static bool cache_lookup(struct http *h, const char *key, uint64_t gen,
			 struct api_response *out, char etag[40])
{
	struct cached *c = &h->cache[fnv(key) % CACHE_SLOTS];
	bool hit = false;

	pthread_mutex_lock(&h->cache_lock);
	if (c->key && c->generation == gen && !strcmp(c->key, key)) {
		strbuf_add(&out->body, c->body, c->len);
		out->content_type = c->content_type;
		out->cache = c->policy;
		out->status = 200;
		memcpy(etag, c->etag, 40);
		hit = true;
	}
	pthread_mutex_unlock(&h->cache_lock);
	return hit;
}

static void cache_store(struct http *h, const char *key, uint64_t gen,
			const struct api_response *r, const char *etag)
{
	struct cached *c = &h->cache[fnv(key) % CACHE_SLOTS];
	char *body;

	if (r->status != 200 || r->cache == CACHE_NONE ||
	    r->body.len > CACHE_MAX_BODY)
		return;
	body = xmalloc(r->body.len + 1);
	memcpy(body, r->body.buf, r->body.len);
	pthread_mutex_lock(&h->cache_lock);
	free(c->key);
	free(c->body);
	c->key = xstrdup(key);
	c->generation = gen;
	c->body = body;
	c->len = r->body.len;
	c->content_type = r->content_type;
	memcpy(c->etag, etag, 40);
	c->policy = r->cache;
	pthread_mutex_unlock(&h->cache_lock);
}

static enum MHD_Result answer_api(struct http *h, struct MHD_Connection *conn,
				  struct request *rq, const char *url,
				  const char *method)
{
	struct api_request req = {method, url, query_get, conn};
	struct api_response r;
	struct strbuf key = STRBUF_INIT;
	uint64_t gen = catalog_generation(h->srv->cat);
	char etag[40] = "";
	enum MHD_Result ret;

	api_response_init(&r);
	strbuf_adds(&key, url);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &key);
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
		if (cache_lookup(h, key.buf, gen, &r, etag)) {
			ret = reply(conn, rq, 200, r.content_type, r.body.buf,
				    r.body.len, etag, r.cache, 0, NULL);
			goto out;
		}
	}
	api_handle(h->srv, &req, &r);
	if (r.status == 200 && r.cache != CACHE_NONE) {
		make_etag(r.body.buf, r.body.len, etag);
		cache_store(h, key.buf, gen, &r, etag);
	}
	ret = reply(conn, rq, r.status, r.content_type, r.body.buf, r.body.len,
		    etag, r.cache, r.retry_after, NULL);
out:
	strbuf_release(&key);
	api_response_release(&r);
	return ret;
}

/* Pages and static assets: web.c decides, with no HTTP library in it. */
static enum MHD_Result answer_web(struct http *h, struct MHD_Connection *conn,
				  struct request *rq, const char *url,
				  const char *method)
{
	struct api_request req = {method, url, query_get, conn};
	struct api_response r;
	char etag[40] = "";
	const char *headers[] = {"Content-Security-Policy", NULL, NULL};
	enum MHD_Result ret;

	api_response_init(&r);
	web_handle(h->srv, &req, &r);
	if (r.status == 200 && r.cache != CACHE_NONE)
		make_etag(r.body.buf, r.body.len, etag);
	headers[1] = r.csp;
	ret = reply(conn, rq, r.status, r.content_type, r.body.buf, r.body.len,
		    etag, r.cache, r.retry_after, headers);
	api_response_release(&r);
	return ret;
}

/* ---- read access -------------------------------------------------------- */

/* The bearer token of the request, or NULL. */
static const char *bearer(struct MHD_Connection *conn)
{
	const char *auth = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (!auth || strncmp(auth, "Bearer ", 7))
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return auth;
}

static bool may_read(struct http *h, struct MHD_Connection *conn)
{
	const char *tok;

	if (!h->srv->cfg->read_token_file)
		return true;
	tok = bearer(conn);
	if (!tok)
		tok = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						  "token");
	return tok &&
	       token_file_check(h->srv->cfg->read_token_file, tok, strlen(tok));
}

/* ---- uploads ------------------------------------------------------------ */

static const char *error_code(unsigned status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 409:
		return "exists";
	case 413:
		return "too_large";
	case 507:
		return "insufficient_storage";
	default:
		return "internal";
	}
}

static enum MHD_Result refuse(struct MHD_Connection *conn, struct request *rq,
			      unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum MHD_Result refuse(struct MHD_Connection *conn, struct request *rq,
			      unsigned status, const char *fmt, ...)
{
	struct api_response r;
	struct strbuf msg = STRBUF_INIT;
	const char *headers[] = {"WWW-Authenticate", NULL, NULL};
	enum MHD_Result ret;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (status == MHD_HTTP_UNAUTHORIZED || status == MHD_HTTP_FORBIDDEN)
		headers[1] = "Bearer realm=\"tbscope\"";
	api_response_init(&r);
	api_error(&r, status, error_code(status), "%s", msg.buf);
	ret = reply(conn, rq, r.status, r.content_type, r.body.buf, r.body.len,
		    "", CACHE_NONE, 0, headers);
	api_response_release(&r);
	strbuf_release(&msg);
	return ret;
}

/*
 * Refuse an upload on its first call.  A client that sent
 * "Expect: 100-continue" is answered at once and never sends the body.
 * Others (curl below 1 MiB, most HTTP libraries) are sending it
 * already: answering and closing now would reset the connection under
 * them, and they would report a failed send instead of this answer.  So
 * the body is read and dropped, and the answer goes after it, as the
 * answers to refused bodies do.  413, and any refusal of a body declared
 * larger than --max-upload, are at once: that body is not worth reading
 * (nor one that turns out larger: see on_request()).
 */
static enum MHD_Result
refuse_upload(struct http *h, struct MHD_Connection *conn, struct request *rq,
	      unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum MHD_Result refuse_upload(struct http *h,
				     struct MHD_Connection *conn,
				     struct request *rq, unsigned status,
				     const char *fmt, ...)
{
	const char *expect = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	const char *clen = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct strbuf msg = STRBUF_INIT;
	enum MHD_Result ret = MHD_YES;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (status == MHD_HTTP_CONTENT_TOO_LARGE ||
	    (expect && !strcasecmp(expect, "100-continue")) ||
	    (clen && strtoull(clen, NULL, 10) > h->srv->cfg->max_upload)) {
		ret = refuse(conn, rq, status, "%s", msg.buf);
		strbuf_release(&msg);
	} else {
		rq->deferred = status;
		rq->deferred_msg = strbuf_detach(&msg, NULL);
	}
	return ret;
}

static bool may_upload(struct http *h, const char *tok)
{
	const struct server_config *cfg = h->srv->cfg;
	size_t len = strlen(tok);
	/* both checks run: no early exit to time */
	bool a = tokens_check(h->srv->cat->tokens_path, tok, len);
	bool b = cfg->token_file && token_file_check(cfg->token_file, tok, len);

	return a || b;
}

/* Is the id taken, by an uploaded run or by one in a --runs-dir? */
static int run_exists(struct http *h, const char *id, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct index_run r = {0};
	struct index *idx;
	struct stat st;
	int found;

	strbuf_addf(&path, "%s/%s", h->srv->cat->runs_dir, id);
	found = lstat(path.buf, &st) == 0;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/run-ids", h->srv->cfg->data_dir);
	found = found || upload_id_taken(path.buf, id);
	strbuf_release(&path);
	if (found)
		return 1;
	idx = catalog_get(h->srv->cat, err);
	if (!idx)
		return -1;
	found = index_get_run(idx, id, &r, err);
	catalog_put(h->srv->cat, idx);
	if (found > 0)
		index_run_release(&r);
	return found;
}

/*
 * The first call of POST /api/v1/runs: everything that can be refused
 * before the body is read (token, id, size) is, through refuse_upload().
 */
static enum MHD_Result begin_upload(struct http *h, struct MHD_Connection *conn,
				    struct request *rq, const char *url)
{
	const struct server_config *cfg = h->srv->cfg;
	const char *tok = bearer(conn), *id, *clen;
	struct upload_limits lim = {cfg->max_upload, cfg->max_unpacked,
				    cfg->max_files, 1024};
	struct errbuf err;
	int exists;

	if (strcmp(url, "/api/v1/runs"))
		return refuse_upload(h, conn, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "POST is accepted at /api/v1/runs only");
	if (!tok || !*tok)
		return refuse_upload(
			h, conn, rq, MHD_HTTP_UNAUTHORIZED,
			"uploads need 'Authorization: Bearer TOKEN' "
			"(tbscope token add NAME)");
	if (!may_upload(h, tok))
		return refuse_upload(h, conn, rq, MHD_HTTP_FORBIDDEN,
				     "the token is not valid for uploads");
	id = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
	if (!id)
		return refuse_upload(
			h, conn, rq, MHD_HTTP_BAD_REQUEST,
			"missing the run id: POST /api/v1/runs?name=ID");
	if (!api_name_ok(id))
		return refuse_upload(h, conn, rq, MHD_HTTP_BAD_REQUEST,
				     "bad run id '%.100s': use 1 to 100 of "
				     "[A-Za-z0-9._-], not starting with '.'",
				     id);
	for (size_t i = 0; upload_meta_keys[i]; i++) {
		const char *v = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, upload_meta_keys[i]);
		json_t *j;

		if (!v)
			continue;
		j = json_string(v);
		if (!j || strlen(v) > 1000) {
			json_decref(j);
			return refuse_upload(
				h, conn, rq, MHD_HTTP_BAD_REQUEST,
				"metadata '%s': not UTF-8 text of at "
				"most 1000 bytes",
				upload_meta_keys[i]);
		}
		json_decref(j);
	}
	clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen && strtoull(clen, NULL, 10) > cfg->max_upload)
		return refuse_upload(h, conn, rq, MHD_HTTP_CONTENT_TOO_LARGE,
				     "upload of %s bytes is larger than %llu "
				     "(--max-upload)",
				     clen, (unsigned long long)cfg->max_upload);
	exists = run_exists(h, id, &err);
	if (exists < 0)
		return refuse_upload(h, conn, rq,
				     MHD_HTTP_INTERNAL_SERVER_ERROR, "%s",
				     err.msg);
	if (exists)
		return refuse_upload(
			h, conn, rq, MHD_HTTP_CONFLICT,
			"run '%s' already exists: run ids are never "
			"reused",
			id);
	rq->up = upload_start(h->srv->cat->staging_dir, id, &lim, &err);
	if (!rq->up)
		return refuse_upload(h, conn, rq,
				     MHD_HTTP_INTERNAL_SERVER_ERROR, "%s",
				     err.msg);
	rq->up_id = xstrdup(id);
	log_info("upload: %s: receiving", id);
	return MHD_YES;
}

static void add_url(json_t *obj, const char *key, const char *base,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_url(json_t *obj, const char *key, const char *base,
		    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_adds(&sb, base);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	json_object_set_new(obj, key, json_string(sb.buf));
	strbuf_release(&sb);
}

/* The body is complete: commit, index, and answer 201 with the URLs. */
static enum MHD_Result
finish_upload(struct http *h, struct MHD_Connection *conn, struct request *rq)
{
	const char *base = h->srv->cfg->public_url, *id = rq->up_id;
	const char *meta[64];
	const char *headers[] = {"Location", NULL, NULL};
	size_t n = 0;
	struct errbuf err;
	char *root = NULL, *base_id = NULL, *body;
	struct strbuf md = STRBUF_INIT, loc = STRBUF_INIT;
	json_t *obj;
	unsigned s;
	enum MHD_Result ret;

	for (size_t i = 0; upload_meta_keys[i] && n + 2 < 64; i++) {
		const char *v = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, upload_meta_keys[i]);

		if (v) {
			meta[n++] = upload_meta_keys[i];
			meta[n++] = v;
		}
	}
	meta[n] = NULL;
	strbuf_addf(&loc, "%s/run-ids", h->srv->cfg->data_dir);
	s = upload_commit(rq->up, h->srv->cat->runs_dir, loc.buf, meta, &root,
			  &err);
	strbuf_reset(&loc);
	upload_free(rq->up);
	rq->up = NULL;
	if (s != MHD_HTTP_CREATED) {
		strbuf_release(&loc);
		log_warn("upload: %s: refused (%u): %s", id, s, err.msg);
		return refuse(conn, rq, s, "%s", err.msg);
	}
	obj = json_object();
	json_object_set_new(obj, "id", json_string(id));
	if (catalog_index_now(h->srv->cat, id, root, &err) < 0) {
		json_object_set_new(obj, "status", json_string("failed"));
		json_object_set_new(obj, "error", json_string(err.msg));
	} else {
		json_object_set_new(obj, "status", json_string("ready"));
	}
	log_info("upload: %s: stored in %s", id, root);
	add_url(obj, "url", base, "/runs/%s", id);
	add_url(obj, "api_url", base, "/api/v1/runs/%s", id);
	if (api_markdown_vs_previous(h->srv, id, &base_id, &md)) {
		json_object_set_new(obj, "base", json_string(base_id));
		add_url(obj, "compare_url", base, "/compare/%s...%s", base_id,
			id);
		json_object_set_new(obj, "markdown", json_string(md.buf));
	} else {
		json_object_set_new(obj, "base", json_null());
		json_object_set_new(obj, "compare_url", json_null());
		json_object_set_new(obj, "markdown", json_null());
	}
	body = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	strbuf_addf(&loc, "%s/runs/%s", base, id);
	headers[1] = loc.buf;
	ret = reply(conn, rq, MHD_HTTP_CREATED, "application/json", body,
		    strlen(body), "", CACHE_NONE, 0, headers);
	free(body);
	json_decref(obj);
	free(base_id);
	free(root);
	strbuf_release(&md);
	strbuf_release(&loc);
	return ret;
}

/* ---- callbacks ---------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **req_cls)
{
	struct http *h = cls;
	struct request *rq = *req_cls;

	if (!rq) {
		rq = xcalloc(1, sizeof(*rq));
		clock_gettime(CLOCK_MONOTONIC, &rq->start);
		rq->method = xstrdup(method);
		rq->url = xstrdup(url);
		*req_cls = rq;
		if (!strcmp(method, "POST")) {
			if (!may_read(h, conn))
				return refuse_upload(h, conn, rq,
						     MHD_HTTP_UNAUTHORIZED,
						     "this server needs a "
						     "read token");
			return begin_upload(h, conn, rq, url);
		}
		/* reply on a later call: replying now would cost keep-alive */
		return MHD_YES;
	}
	if (*data_size) {
		/* an upload's next bytes; any other body is discarded */
		if (rq->up)
			upload_feed(rq->up, data, *data_size);
		rq->body_bytes += *data_size;
		*data_size = 0;
		/* a refused upload's body past the limit: hang up */
		if (rq->deferred && rq->body_bytes > h->srv->cfg->max_upload)
			return MHD_NO;
		return MHD_YES;
	}
	if (rq->deferred)
		return refuse(conn, rq, rq->deferred, "%s", rq->deferred_msg);
	if (rq->up)
		return finish_upload(h, conn, rq);
	if (!may_read(h, conn))
		return send_error(conn, rq, MHD_HTTP_UNAUTHORIZED,
				  "unauthorized",
				  "this server needs a read token");
	if (!strncmp(url, "/api/", 5))
		return answer_api(h, conn, rq, url, method);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_error(conn, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method_not_allowed",
				  "only GET and HEAD are allowed here");
	return answer_web(h, conn, rq, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *req_cls;
	struct timespec end;
	double ms;

	if (!rq)
		return;
	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (double)(end.tv_sec - rq->start.tv_sec) * 1e3 +
	     (double)(end.tv_nsec - rq->start.tv_nsec) / 1e6;
	log_info("http: %s %s %u %llu %.1fms%s", rq->method, rq->url,
		 rq->status, (unsigned long long)rq->bytes, ms,
		 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
							    : " (aborted)");
	if (rq->up) {
		log_warn("upload: %s: interrupted: nothing stored", rq->up_id);
		upload_free(rq->up);
	}
	free(rq->up_id);
	free(rq->deferred_msg);
	free(rq->method);
	free(rq->url);
	free(rq);
	*req_cls = NULL;
}

/* MHD's logger: its own format strings, passed on (printf-checked). */
static void log_mhd(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	log_warn("mhd: %s", sb.buf);
	strbuf_release(&sb);
}

struct http *http_start(struct server *srv, uint16_t *port, struct errbuf *err)
{
	const struct server_config *cfg = srv->cfg;
	struct http *h = xcalloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	if (cfg->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->srv = srv;
	pthread_mutex_init(&h->cache_lock, NULL);
	h->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
		log_mhd, NULL, /* must be first */
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&cfg->addr,
		MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, 1024u,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, 256u,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
	if (!h->daemon) {
		errbuf_set(err, "cannot listen on %s", cfg->listen);
		pthread_mutex_destroy(&h->cache_lock);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : 0;
	return h;
}

void http_stop(struct http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(h->cache[i].key);
		free(h->cache[i].body);
	}
	pthread_mutex_destroy(&h->cache_lock);
	free(h);
}
