/* SPDX-License-Identifier: MIT */
#include "http.h"

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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "api_upload.h"
#include "cache.h"
#include "catalog.h"
#include "config.h"
#include "encoding.h"
#include "errbuf.h"
#include "log.h"
#include "server.h"
#include "sha256.h"
#include "strbuf.h"
#include "tokens.h"
#include "web.h"
#include "web_assets.h"
#include "xalloc.h"
#include "banned.h"

/* Whole answers kept, by exact request: slots, bytes, largest body. */
#define ANSWER_SLOTS	1024
#define ANSWER_BYTES	(64u << 20)
#define ANSWER_MAX_BODY (8u << 20)

/*
 * What a body must bring in each --request-timeout window (not counting
 * the time the server itself takes to store what came).
 */
#define BODY_PROGRESS_BYTES 1024

/* Connections at most from one address. */
#define PER_ADDRESS_CONNECTIONS 256u

/*
 * One open connection, watched for slow clients (see watch_thread()).
 * Created when MHD accepts it, freed when MHD closes it; all fields under
 * http.watch_lock.
 */
struct watch {
	struct watch *prev, *next;
	int fd;
	double deadline;   /* of the request line and headers; 0: none */
	bool in_body;	   /* receiving a request body */
	bool in_server;	   /* the server is storing what came */
	double mark;	   /* when the body last made progress */
	uint64_t received; /* body bytes so far */
	uint64_t mark_received;
	bool closed; /* shut down by the watcher */
};

struct http {
	struct MHD_Daemon *daemon;
	struct server *srv;
	struct cache *answers; /* GET answers, by http_cache_key() */
	pthread_mutex_t watch_lock;
	pthread_cond_t watch_wake;
	struct watch watches; /* list head */
	bool watch_stop;
	bool watch_started;
	pthread_t watcher;
};

/* Per-request state, created on the first callback, freed on completion. */
struct request {
	struct timespec start;
	char *method, *url; /* for the access log */
	unsigned status;
	uint64_t bytes;
	bool cache_hit;	       /* answered from the cache (access log) */
	struct api_upload *up; /* a POST /api/v1/runs being received */
	struct api_response *deferred; /* a refusal, sent after the body */
	uint64_t body_bytes; /* of the request body, received so far */
	struct strbuf body;  /* a PATCH's body (api_regress.c) */
	struct watch *watch; /* of its connection */
	/* the answer's Content-Encoding; does it send Vary: Accept-Encoding? */
	enum content_coding coding;
	bool vary;
};

/* The largest PATCH body kept: a note and its links. */
#define PATCH_MAX_BODY (256u << 10)

/* ---- helpers ------------------------------------------------------------ */

static const char *query_get(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static const char *header_get(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

/*
 * The strong ETag of an answer: the first 128 bits of the SHA-256 of its
 * identity body (hash, in hex), then "-gzip" or "-br" when it is sent in
 * that coding (a strong ETag names the bytes sent, RFC 9110 8.8.3).
 */
static void make_etag(const char *hash, enum content_coding c, char out[40])
{
	const char *name = coding_name(c);

	snprintf(out, 40, "\"%.32s%s%s\"", hash, name ? "-" : "",
		 name ? name : "");
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

/*
 * Queue the answer *r (its body copied).  etag may be "" and then none is
 * sent.
 */
static enum MHD_Result reply(struct MHD_Connection *conn, struct request *rq,
			     const struct api_response *r, const char *etag)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned status = r->status;
	size_t len = r->body.len;
	bool not_modified = status == 200 && *etag && etag_matches(conn, etag);

	if (not_modified) {
		status = MHD_HTTP_NOT_MODIFIED;
		len = 0;
	}
	resp = MHD_create_response_from_buffer(len, r->body.buf,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				cache_control(status == 200 || not_modified
						      ? r->cache
						      : CACHE_NONE));
	if (*etag && (status == 200 || not_modified))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	if (rq->coding != CODING_IDENTITY && !not_modified)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
					coding_name(rq->coding));
	if (rq->vary)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
					MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (r->retry_after) {
		char v[16];

		snprintf(v, sizeof(v), "%u", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	if (r->csp)
		MHD_add_response_header(resp, "Content-Security-Policy",
					r->csp);
	if (r->location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
					r->location);
	if (r->www_authenticate)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"tbscope\"");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	rq->status = status;
	rq->bytes = len;
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn,
				  struct request *rq, unsigned status,
				  const char *msg)
{
	struct api_response r;
	enum MHD_Result ret;

	api_response_init(&r);
	api_error(&r, status, api_error_code(status), "%s", msg);
	r.www_authenticate = status == MHD_HTTP_UNAUTHORIZED;
	ret = reply(conn, rq, &r, "");
	api_response_release(&r);
	return ret;
}

/* ---- the answer cache --------------------------------------------------- */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
				   const char *key, size_t key_size,
				   const char *value, size_t value_size)
{
	struct query_args *q = cls;

	ALLOC_GROW(q->items, q->nr + 1, q->alloc);
	q->items[q->nr++] =
		(struct query_arg){key, key_size, value, value_size};
	return MHD_YES;
}

/* The cache key of a GET: request_cache_key() of its path and query. */
static void http_cache_key(struct MHD_Connection *conn, const char *url,
			   struct strbuf *key)
{
	struct query_args q = {0};

	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_arg,
				    &q);
	request_cache_key(key, url, q.items, q.nr);
	free(q.items);
}

/*
 * The embedded file a /static/<version>/<name> answer sent, when body is
 * that file's content (web.c serves it unchanged): its compressed copies
 * are then sent rather than compressing it again.  NULL otherwise.
 */
static const struct web_asset *static_asset(const char *url,
					    const struct strbuf *body)
{
	const char *name = strrchr(url, '/');

	if (strncmp(url, "/static/", 8) || !name)
		return NULL;
	for (size_t i = 0; i < web_assets_nr; i++) {
		const struct web_asset *a = &web_assets[i];

		if (!strcmp(a->name, name + 1))
			return a->len == body->len &&
					       !memcmp(a->data, body->buf,
						       body->len)
				       ? a
				       : NULL;
	}
	return NULL;
}

/*
 * Put r's body in coding c when it is worth it: a compressible type of
 * CODING_MIN_BYTES or more.  A static file's copy made at build time is
 * taken when there is one, else the body is compressed now.  Returns
 * the coding the body is in.
 */
static enum content_coding
encode_answer(const char *url, struct api_response *r, enum content_coding c)
{
	const struct web_asset *a;
	struct strbuf out = STRBUF_INIT;

	if (c == CODING_IDENTITY || r->body.len < CODING_MIN_BYTES ||
	    !coding_type_compressible(r->content_type))
		return CODING_IDENTITY;
	a = r->status == 200 ? static_asset(url, &r->body) : NULL;
	if (a && c == CODING_GZIP && a->gzip)
		strbuf_add(&out, a->gzip, a->gzip_len);
	else if (a && c == CODING_BR && a->br)
		strbuf_add(&out, a->br, a->br_len);
	else if (!coding_compress(c, r->body.buf, r->body.len, false, &out))
		return CODING_IDENTITY;
	strbuf_release(&r->body);
	r->body = out;
	return c;
}

/*
 * A GET or HEAD outside uploads: from the cache when the index has not
 * changed since it was answered, else from the API routes or the pages.
 * The answer is in the coding the request's Accept-Encoding asks for
 * (encoding.h), and the cache keeps it so: its key ends in the coding
 * asked for, and its body starts with one byte naming the coding the
 * bytes after it are in ('0' + enum content_coding; a small answer is
 * identity whatever was asked).  A hit costs no compression.
 */
static enum MHD_Result answer_get(struct http *h, struct MHD_Connection *conn,
				  struct request *rq, const char *url,
				  const char *method)
{
	struct api_request req = {method,     url,	    query_get,	 conn,
				  header_get, rq->body.buf, rq->body.len};
	struct api_response r;
	struct cache_entry e;
	struct strbuf key = STRBUF_INIT;
	uint64_t gen = catalog_generation(h->srv->cat);
	bool cacheable = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	enum content_coding want = coding_choose(MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	char etag[40] = "";
	enum MHD_Result ret;

	api_response_init(&r);
	if (cacheable) {
		http_cache_key(conn, url, &key);
		strbuf_addch(&key, '\0');
		strbuf_addch(&key, (char)('0' + want));
		if (cache_get(h->answers, key.buf, key.len, gen, &e)) {
			strbuf_add(&r.body, e.body + 1, e.len - 1);
			rq->coding = (enum content_coding)(e.body[0] - '0');
			rq->vary = coding_type_compressible(e.content_type);
			r.content_type = e.content_type;
			r.cache = e.policy;
			r.csp = e.csp;
			memcpy(etag, e.etag, sizeof(etag));
			cache_entry_release(&e);
			rq->cache_hit = true;
			ret = reply(conn, rq, &r, etag);
			goto out;
		}
	}
	if (!strncmp(url, "/api/", 5))
		api_handle(h->srv, &req, &r);
	else
		web_handle(h->srv, &req, &r);
	rq->vary = coding_type_compressible(r.content_type);
	if (r.status == 200 && r.cache != CACHE_NONE) {
		char hash[SHA256_HEX_LEN + 1];

		sha256_hex(r.body.buf, r.body.len, hash);
		rq->coding = encode_answer(url, &r, want);
		make_etag(hash, rq->coding, etag);
		if (cacheable && r.body.len < ANSWER_MAX_BODY) {
			struct strbuf kept = STRBUF_INIT;
			struct cache_entry keep = {
				.content_type = r.content_type,
				.csp = r.csp,
				.policy = r.cache,
				.status = 200,
			};

			strbuf_addch(&kept, (char)('0' + rq->coding));
			strbuf_add(&kept, r.body.buf, r.body.len);
			keep.body = kept.buf;
			keep.len = keep.size = kept.len;
			memcpy(keep.etag, etag, sizeof(etag));
			cache_put(h->answers, key.buf, key.len, gen, &keep);
			strbuf_release(&kept);
		}
	} else {
		rq->coding = encode_answer(url, &r, want);
	}
	ret = reply(conn, rq, &r, etag);
out:
	strbuf_release(&key);
	api_response_release(&r);
	return ret;
}

/* ---- query values -------------------------------------------------------- */

/* Does [s, s + len) hold a NUL or another control character? */
static bool has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* Is [s, s + len) UTF-8 (no overlong forms, surrogates, past U+10FFFF)? */
static bool utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/*
 * A path (percent-decoded) with a control character or bytes that are not
 * UTF-8 names nothing here: run ids and benchmark names are ASCII, and the
 * pages and error messages that quote it are UTF-8.  NULL when it is fine,
 * else the refusal (400).
 */
static struct api_response *check_path(const char *url)
{
	struct api_response *r;

	if (!has_control(url, strlen(url)) &&
	    utf8_ok((const unsigned char *)url, strlen(url)))
		return NULL;
	r = xmalloc(sizeof(*r));
	api_response_init(r);
	api_error(r, MHD_HTTP_BAD_REQUEST, "bad_request",
		  "the path holds a control character or is not UTF-8");
	return r;
}

struct query_check {
	char *bad; /* the first refused parameter's name, or NULL */
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind,
				 const char *key, size_t key_size,
				 const char *value, size_t value_size)
{
	struct query_check *c = cls;

	if (has_control(key, key_size) ||
	    !utf8_ok((const unsigned char *)key, key_size) ||
	    (value && (has_control(value, value_size) ||
		       !utf8_ok((const unsigned char *)value, value_size)))) {
		struct strbuf name = STRBUF_INIT;

		/* the name as printable ASCII: other bytes as \xNN */
		for (size_t i = 0; i < key_size && i < 100; i++) {
			unsigned char ch = (unsigned char)key[i];

			if (ch < 0x20 || ch >= 0x7f || ch == '\\')
				strbuf_addf(&name, "\\x%02x", ch);
			else
				strbuf_addch(&name, (char)ch);
		}
		c->bad = strbuf_detach(&name, NULL);
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * Refuse a request whose query has a NUL or another control character, or
 * bytes that are not UTF-8, in a parameter's name or value (400, naming
 * the parameter): the handlers read values as C strings, and
 * "name=nul%00zz" must not be taken for "name=nul"; the pages and
 * messages that quote values are UTF-8.  Returns NULL when the query is
 * clean, else the refusal.
 */
static struct api_response *check_query(struct MHD_Connection *conn)
{
	struct query_check c = {NULL};
	struct api_response *r;

	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, check_arg, &c);
	if (!c.bad)
		return NULL;
	r = xmalloc(sizeof(*r));
	api_response_init(r);
	api_error(r, MHD_HTTP_BAD_REQUEST, "bad_request",
		  "query parameter '%s': a control character or bytes that "
		  "are not UTF-8 in its name or value",
		  c.bad);
	free(c.bad);
	return r;
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
	unsigned scopes = 0;

	if (!h->srv->cfg->read_token_file)
		return true;
	tok = bearer(conn);
	if (!tok)
		tok = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						  "token");
	if (!tok)
		return false;
	/* or a token of DATA/tokens that may read (triage reads too) */
	return token_file_check(h->srv->cfg->read_token_file, tok,
				strlen(tok)) ||
	       (tokens_lookup(h->srv->cat->tokens_path, tok, strlen(tok), NULL,
			      0, &scopes) &&
		(scopes & (TOKEN_READ | TOKEN_TRIAGE)));
}

/* ---- uploads ------------------------------------------------------------ */

/* The declared Content-Length, if any. */
static bool declared_length(struct MHD_Connection *conn, uint64_t *len)
{
	const char *clen = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	if (!clen)
		return false;
	*len = strtoull(clen, NULL, 10);
	return true;
}

/*
 * The most body bytes read of a request: --max-upload, and of a refused
 * body --max-discard more, so that its answer reaches the client.
 */
static uint64_t body_bound(const struct server_config *cfg)
{
	uint64_t b = cfg->max_upload + cfg->max_discard;

	return b < cfg->max_upload ? UINT64_MAX : b;
}

/*
 * Send a refused upload's answer on its first call, or keep it for after
 * the body.  A client that sent "Expect: 100-continue" is answered at
 * once and never sends the body.  Others (curl below 1 MiB, most HTTP
 * libraries) are sending it already: answering and closing now would
 * reset the connection under them, and they would report a failed send
 * instead of this answer.  So the body is read and dropped, and the
 * answer goes after it, also a 413 for a declared length over
 * --max-upload, as long as the body is within body_bound(); a body
 * declared larger is not worth reading and is answered at once (one
 * that turns out larger is hung up on: see on_request()).  Takes over
 * *r.
 */
static enum MHD_Result refuse_upload(struct http *h,
				     struct MHD_Connection *conn,
				     struct request *rq, struct api_response *r)
{
	const char *expect = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	uint64_t len;
	enum MHD_Result ret;

	if ((expect && !strcasecmp(expect, "100-continue")) ||
	    (declared_length(conn, &len) && len > body_bound(h->srv->cfg))) {
		ret = reply(conn, rq, r, "");
		api_response_release(r);
		free(r);
		return ret;
	}
	rq->deferred = r;
	return MHD_YES;
}

/* The first call of a POST: may it upload, and is the upload acceptable? */
static enum MHD_Result begin_post(struct http *h, struct MHD_Connection *conn,
				  struct request *rq, const char *url)
{
	struct api_request req = {"POST",     url,  query_get, conn,
				  header_get, NULL, 0};
	struct api_response *r = xmalloc(sizeof(*r));
	uint64_t len;

	api_response_init(r);
	if (!may_read(h, conn)) {
		api_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
			  "this server needs a read token");
		r->www_authenticate = true;
		return refuse_upload(h, conn, rq, r);
	}
	rq->up = api_upload_begin(h->srv, &req, bearer(conn),
				  declared_length(conn, &len) ? &len : NULL, r);
	if (!rq->up)
		return refuse_upload(h, conn, rq, r);
	api_response_release(r);
	free(r);
	return MHD_YES;
}

static enum MHD_Result finish_post(struct http *h, struct MHD_Connection *conn,
				   struct request *rq, const char *url)
{
	struct api_request req = {"POST",     url,  query_get, conn,
				  header_get, NULL, 0};
	struct api_response r;
	enum MHD_Result ret;

	api_response_init(&r);
	api_upload_finish(h->srv, rq->up, &req, &r);
	rq->up = NULL;
	ret = reply(conn, rq, &r, "");
	api_response_release(&r);
	return ret;
}

/* ---- slow clients ------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * MHD's idle timeout is reset by every byte, so a client sending a header
 * line every few seconds would hold its connection for ever.  The watcher
 * gives each request --request-timeout seconds from the connection's
 * opening (or, on a kept-alive connection, --timeout seconds from the end
 * of the previous answer) to complete its request line and headers, and
 * a body that many seconds for each BODY_PROGRESS_BYTES.  A connection
 * past its deadline is shut down (shutdown(2)): MHD then sees the end of
 * the stream and closes it as if the client had gone.  The fd cannot be
 * another connection's by then: MHD closes it only after on_connection()
 * took the watch out of the list, under the same lock.
 */
static void *watch_thread(void *arg)
{
	struct http *h = arg;
	const struct server_config *cfg = h->srv->cfg;
	double limit = cfg->request_timeout_s;

	pthread_mutex_lock(&h->watch_lock);
	while (!h->watch_stop) {
		struct timespec until;
		double now = now_s();

		for (struct watch *w = h->watches.next; w != &h->watches;
		     w = w->next) {
			const char *why = NULL;

			if (w->closed)
				continue;
			if (w->deadline > 0 && now > w->deadline)
				why = "request line and headers";
			else if (w->in_body && !w->in_server &&
				 now - w->mark > limit)
				why = "body";
			if (!why)
				continue;
			log_info("http: closing a connection: %s too slow "
				 "(--request-timeout %us)",
				 why, cfg->request_timeout_s);
			shutdown(w->fd, SHUT_RDWR);
			w->closed = true;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&h->watch_wake, &h->watch_lock, &until);
	}
	pthread_mutex_unlock(&h->watch_lock);
	return NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	struct watch *w = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		w = xcalloc(1, sizeof(*w));
		w->fd = info ? info->connect_fd : -1;
		w->deadline = now_s() + h->srv->cfg->request_timeout_s;
		if (w->fd < 0)
			w->closed = true; /* never shut down */
		pthread_mutex_lock(&h->watch_lock);
		w->next = h->watches.next;
		w->prev = &h->watches;
		w->next->prev = w;
		h->watches.next = w;
		pthread_mutex_unlock(&h->watch_lock);
		*socket_context = w;
		return;
	}
	if (!w)
		return;
	pthread_mutex_lock(&h->watch_lock);
	w->prev->next = w->next;
	w->next->prev = w->prev;
	pthread_mutex_unlock(&h->watch_lock);
	free(w);
	*socket_context = NULL;
}

/* The headers are in: the body (if any) must now make progress. */
static void watch_headers_done(struct http *h, struct watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&h->watch_lock);
	w->deadline = 0;
	w->in_body = true;
	w->mark = now_s();
	w->received = w->mark_received = 0;
	pthread_mutex_unlock(&h->watch_lock);
}

/* len more body bytes came; the server is (busy) storing them or not. */
static void watch_body(struct http *h, struct watch *w, size_t len, bool busy)
{
	if (!w)
		return;
	pthread_mutex_lock(&h->watch_lock);
	if (busy) {
		w->in_server = true;
		pthread_mutex_unlock(&h->watch_lock);
		return;
	}
	w->received += len;
	/* the time the server took is not the client's */
	if (w->in_server ||
	    w->received - w->mark_received >= BODY_PROGRESS_BYTES) {
		w->in_server = false;
		w->mark = now_s();
		w->mark_received = w->received;
	}
	pthread_mutex_unlock(&h->watch_lock);
}

/* The body is in (or there is none): no deadline until the answer ends. */
static void watch_body_done(struct http *h, struct watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&h->watch_lock);
	w->in_body = false;
	pthread_mutex_unlock(&h->watch_lock);
}

/* An answer ended: a kept-alive connection's next request has --timeout. */
static void watch_request_done(struct http *h, struct watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&h->watch_lock);
	w->in_body = false;
	w->deadline = now_s() + h->srv->cfg->timeout_s;
	pthread_mutex_unlock(&h->watch_lock);
}

/* ---- callbacks ---------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **req_cls)
{
	struct http *h = cls;
	struct request *rq = *req_cls;
	struct api_response *bad;
	const union MHD_ConnectionInfo *info;

	if (!rq) {
		rq = xcalloc(1, sizeof(*rq));
		clock_gettime(CLOCK_MONOTONIC, &rq->start);
		rq->method = xstrdup(method);
		rq->url = xstrdup(url);
		*req_cls = rq;
		info = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		rq->watch = info ? info->socket_context : NULL;
		watch_headers_done(h, rq->watch);
		bad = check_path(url);
		if (!bad)
			bad = check_query(conn);
		if (bad && !strcmp(method, "POST"))
			return refuse_upload(h, conn, rq, bad);
		rq->deferred = bad; /* answered after any body */
		if (!bad && !strcmp(method, "POST"))
			return begin_post(h, conn, rq, url);
		/* reply on a later call: replying now would cost keep-alive */
		return MHD_YES;
	}
	if (*data_size) {
		/* an upload's next bytes; a PATCH's kept; others dropped */
		if (rq->up) {
			watch_body(h, rq->watch, 0, true);
			api_upload_feed(rq->up, data, *data_size);
		} else if (!strcmp(method, "PATCH") &&
			   rq->body.len + *data_size <= PATCH_MAX_BODY) {
			strbuf_add(&rq->body, data, *data_size);
		} else if (!strcmp(method, "PATCH")) {
			return MHD_NO;
		}
		watch_body(h, rq->watch, *data_size, false);
		rq->body_bytes += *data_size;
		*data_size = 0;
		/* a body past what is read of one: hang up */
		if (rq->body_bytes > body_bound(h->srv->cfg))
			return MHD_NO;
		return MHD_YES;
	}
	watch_body_done(h, rq->watch);
	if (rq->deferred)
		return reply(conn, rq, rq->deferred, "");
	if (rq->up)
		return finish_post(h, conn, rq, url);
	if (!may_read(h, conn))
		return send_error(conn, rq, MHD_HTTP_UNAUTHORIZED,
				  "this server needs a read token");
	if (strncmp(url, "/api/", 5) && strcmp(method, "GET") &&
	    strcmp(method, "HEAD"))
		return send_error(conn, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET and HEAD are allowed here");
	return answer_get(h, conn, rq, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct request *rq = *req_cls;
	struct timespec end;
	double ms;

	if (!rq)
		return;
	watch_request_done(h, rq->watch);
	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (double)(end.tv_sec - rq->start.tv_sec) * 1e3 +
	     (double)(end.tv_nsec - rq->start.tv_nsec) / 1e6;
	log_info("http: %s %s %u %llu %.1fms%s%s", rq->method, rq->url,
		 rq->status, (unsigned long long)rq->bytes, ms,
		 rq->cache_hit ? " cached" : "",
		 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
							    : " (aborted)");
	if (rq->up) {
		log_warn("upload: %s: interrupted: nothing stored",
			 api_upload_id(rq->up));
		api_upload_abort(rq->up);
	}
	if (rq->deferred) {
		api_response_release(rq->deferred);
		free(rq->deferred);
	}
	free(rq->method);
	free(rq->url);
	strbuf_release(&rq->body);
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

static void stop_watcher(struct http *h)
{
	if (!h->watch_started)
		return;
	pthread_mutex_lock(&h->watch_lock);
	h->watch_stop = true;
	pthread_cond_signal(&h->watch_wake);
	pthread_mutex_unlock(&h->watch_lock);
	pthread_join(h->watcher, NULL);
	h->watch_started = false;
}

/*
 * Raise the open-file limit to what --max-connections needs (up to the
 * hard limit); returns the connections that fit.
 */
static unsigned fit_connections(unsigned want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + 256; /* files, index, uploads */

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want;
	if (rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= need)
		return want;
	if (rl.rlim_cur < 256 + 16)
		return 16;
	log_warn("http: open-file limit %llu: at most %llu connections",
		 (unsigned long long)rl.rlim_cur,
		 (unsigned long long)(rl.rlim_cur - 256));
	return (unsigned)(rl.rlim_cur - 256);
}

struct http *http_start(struct server *srv, uint16_t *port, struct errbuf *err)
{
	const struct server_config *cfg = srv->cfg;
	struct http *h = xcalloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_ERROR_LOG;
	/* MHD shares the limit out among its threads: one each at least */
	unsigned conns = fit_connections(cfg->max_connections > cfg->threads
						 ? cfg->max_connections
						 : cfg->threads);

	/* epoll scales to many (slow) connections; select() stops at 1024 */
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL_INTERNAL_THREAD;
	else
		flags |= MHD_USE_AUTO_INTERNAL_THREAD;
	if (cfg->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->srv = srv;
	h->answers = cache_new(ANSWER_SLOTS, ANSWER_BYTES);
	pthread_mutex_init(&h->watch_lock, NULL);
	pthread_cond_init(&h->watch_wake, NULL);
	h->watches.next = h->watches.prev = &h->watches;
	if (pthread_create(&h->watcher, NULL, watch_thread, h)) {
		errbuf_set(err, "cannot start a thread");
		goto fail;
	}
	h->watch_started = true;
	h->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
		log_mhd, NULL, /* must be first */
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&cfg->addr,
		MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, PER_ADDRESS_CONNECTIONS,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
	if (!h->daemon) {
		errbuf_set(err, "cannot listen on %s", cfg->listen);
		goto fail;
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : 0;
	return h;
fail:
	stop_watcher(h);
	cache_free(h->answers);
	free(h);
	return NULL;
}

void http_stop(struct http *h)
{
	if (!h)
		return;
	/* no shutdown(2) of a connection MHD is closing */
	stop_watcher(h);
	MHD_stop_daemon(h->daemon);
	cache_free(h->answers);
	pthread_mutex_destroy(&h->watch_lock);
	pthread_cond_destroy(&h->watch_wake);
	free(h);
}
