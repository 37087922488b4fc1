/* SPDX-License-Identifier: MIT */
#include "api_upload.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"
#include "catalog.h"
#include "config.h"
#include "errbuf.h"
#include "index.h"
#include "log.h"
#include "server.h"
#include "strbuf.h"
#include "tokens.h"
#include "upload.h"
#include "xalloc.h"
#include "banned.h"

struct api_upload {
	struct upload *up;
	char *id;
};

static void refuse(struct api_response *resp, unsigned status, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void refuse(struct api_response *resp, unsigned status, const char *fmt,
		   ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	api_error(resp, status, api_error_code(status), "%s", msg.buf);
	resp->www_authenticate = status == 401 || status == 403;
	strbuf_release(&msg);
}

static bool may_upload(struct server *srv, const char *tok)
{
	const struct server_config *cfg = srv->cfg;
	size_t len = strlen(tok);
	/* both checks run: no early exit to time */
	bool a = tokens_check(srv->cat->tokens_path, tok, len);
	bool b = cfg->token_file && token_file_check(cfg->token_file, tok, len);

	return a || b;
}

/* DATA/run-ids: every id an upload ever took. */
static void ids_log_path(struct server *srv, struct strbuf *sb)
{
	strbuf_addf(sb, "%s/run-ids", srv->cfg->data_dir);
}

/* Is the id taken, by an uploaded run or by one in a --runs-dir? */
static int run_exists(struct server *srv, const char *id, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct index_run r = {0};
	struct index *idx;
	struct stat st;
	int found;

	strbuf_addf(&path, "%s/%s", srv->cat->runs_dir, id);
	found = lstat(path.buf, &st) == 0;
	strbuf_reset(&path);
	ids_log_path(srv, &path);
	found = found || upload_id_taken(path.buf, id);
	strbuf_release(&path);
	if (found)
		return 1;
	idx = catalog_get(srv->cat, err);
	if (!idx)
		return -1;
	found = index_get_run(idx, id, &r, err);
	catalog_put(srv->cat, idx);
	if (found > 0)
		index_run_release(&r);
	return found;
}

struct api_upload *api_upload_begin(struct server *srv,
				    const struct api_request *req,
				    const char *tok,
				    const uint64_t *declared_len,
				    struct api_response *resp)
{
	const struct server_config *cfg = srv->cfg;
	struct upload_limits lim = {cfg->max_upload, cfg->max_unpacked,
				    cfg->max_files, 1024};
	const char *id;
	struct api_upload *u;
	struct upload *up;
	struct errbuf err;
	int exists;

	if (strcmp(req->path, "/api/v1/runs")) {
		refuse(resp, 405, "POST is accepted at /api/v1/runs only");
		return NULL;
	}
	if (!tok || !*tok) {
		refuse(resp, 401,
		       "uploads need 'Authorization: Bearer TOKEN' "
		       "(tbscope token add NAME)");
		return NULL;
	}
	if (!may_upload(srv, tok)) {
		refuse(resp, 403, "the token is not valid for uploads");
		return NULL;
	}
	id = req->query(req->ctx, "name");
	if (!id) {
		refuse(resp, 400,
		       "missing the run id: POST /api/v1/runs?name=ID");
		return NULL;
	}
	if (!api_name_ok(id)) {
		refuse(resp, 400,
		       "bad run id '%.100s': use 1 to 100 of "
		       "[A-Za-z0-9._-], not starting with '.'",
		       id);
		return NULL;
	}
	for (size_t i = 0; upload_meta_keys[i]; i++) {
		const char *v = req->query(req->ctx, upload_meta_keys[i]);
		json_t *j;

		if (!v)
			continue;
		j = json_string(v);
		json_decref(j);
		if (!j || strlen(v) > 1000) {
			refuse(resp, 400,
			       "metadata '%s': not UTF-8 text of at most "
			       "1000 bytes",
			       upload_meta_keys[i]);
			return NULL;
		}
	}
	if (declared_len && *declared_len > cfg->max_upload) {
		refuse(resp, 413,
		       "upload of %llu bytes is larger than %llu "
		       "(--max-upload)",
		       (unsigned long long)*declared_len,
		       (unsigned long long)cfg->max_upload);
		return NULL;
	}
	exists = run_exists(srv, id, &err);
	if (exists < 0) {
		refuse(resp, 500, "%s", err.msg);
		return NULL;
	}
	if (exists) {
		refuse(resp, 409,
		       "run '%s' already exists: run ids are never reused", id);
		return NULL;
	}
	up = upload_start(srv->cat->staging_dir, id, &lim, &err);
	if (!up) {
		refuse(resp, 500, "%s", err.msg);
		return NULL;
	}
	u = xcalloc(1, sizeof(*u));
	u->up = up;
	u->id = xstrdup(id);
	log_info("upload: %s: receiving", id);
	return u;
}

void api_upload_feed(struct api_upload *u, const void *data, size_t len)
{
	upload_feed(u->up, data, len);
}

const char *api_upload_id(const struct api_upload *u)
{
	return u->id;
}

void api_upload_abort(struct api_upload *u)
{
	if (!u)
		return;
	upload_free(u->up);
	free(u->id);
	free(u);
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

/* ?wait=1 (or true, yes): answer once the run is analysed. */
static bool wants_wait(const char *v)
{
	return v &&
	       (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"));
}

/* The id of the run `id` is compared with, if any (index_previous_run()). */
static bool previous_run(struct server *srv, const char *id, char **base_id)
{
	struct index_run prev;
	struct errbuf err;
	struct index *idx = catalog_get(srv->cat, &err);
	bool found;

	if (!idx)
		return false;
	found = index_previous_run(idx, id, &prev, &err) == 1;
	catalog_put(srv->cat, idx);
	if (found) {
		*base_id = prev.id;
		prev.id = NULL;
		index_run_release(&prev);
	}
	return found;
}

void api_upload_finish(struct server *srv, struct api_upload *u,
		       const struct api_request *req, struct api_response *resp)
{
	const char *base = srv->cfg->public_url, *id = u->id;
	const char *meta[64];
	size_t n = 0;
	struct errbuf err;
	char *root = NULL, *base_id = NULL, *body;
	struct strbuf md = STRBUF_INIT, ids = STRBUF_INIT;
	json_t *obj;
	bool wait;
	unsigned s;

	for (size_t i = 0; upload_meta_keys[i] && n + 2 < 64; i++) {
		const char *v = req->query(req->ctx, upload_meta_keys[i]);

		if (v) {
			meta[n++] = upload_meta_keys[i];
			meta[n++] = v;
		}
	}
	meta[n] = NULL;
	ids_log_path(srv, &ids);
	s = upload_commit(u->up, srv->cat->runs_dir, ids.buf, meta, &root,
			  &err);
	strbuf_release(&ids);
	upload_free(u->up);
	u->up = NULL;
	if (s != 201) {
		log_warn("upload: %s: refused (%u): %s", id, s, err.msg);
		refuse(resp, s, "%s", err.msg);
		goto out;
	}
	obj = json_object();
	json_object_set_new(obj, "id", json_string(id));
	wait = wants_wait(req->query(req->ctx, "wait"));
	if (!wait && catalog_enqueue(srv->cat, id, root, &err) == 0) {
		/* answered now; the indexer thread analyses it next */
		json_object_set_new(obj, "status", json_string("indexing"));
	} else if (catalog_index_now(srv->cat, id, root, &err) < 0) {
		json_object_set_new(obj, "status", json_string("failed"));
		json_object_set_new(obj, "error", json_string(err.msg));
	} else {
		json_object_set_new(obj, "status", json_string("ready"));
	}
	log_info("upload: %s: stored in %s", id, root);
	add_url(obj, "url", base, "/runs/%s", id);
	add_url(obj, "api_url", base, "/api/v1/runs/%s", id);
	if (!wait && previous_run(srv, id, &base_id)) {
		/* the summary needs the figures: only when waiting */
		add_url(obj, "compare_url", base, "/compare/%s...%s", base_id,
			id);
		json_object_set_new(obj, "base", json_string(base_id));
		json_object_set_new(obj, "markdown", json_null());
	} else if (wait && api_markdown_vs_previous(srv, id, &base_id, &md)) {
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
	json_decref(obj);
	strbuf_reset(&resp->body);
	strbuf_adds(&resp->body, body);
	free(body);
	resp->status = 201;
	resp->content_type = "application/json";
	resp->cache = CACHE_NONE;
	{
		struct strbuf loc = STRBUF_INIT;

		strbuf_addf(&loc, "%s/runs/%s", base, id);
		resp->location = strbuf_detach(&loc, NULL);
	}
out:
	free(base_id);
	free(root);
	strbuf_release(&md);
	free(u->id);
	free(u);
}
