/* SPDX-License-Identifier: MIT */
#include "api_regress.h"

#include "api.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "compare.h"
#include "config.h"
#include "errbuf.h"
#include "figures.h"
#include "index.h"
#include "json_view.h"
#include "log.h"
#include "parse_value.h"
#include "regress.h"
#include "report.h"
#include "server.h"
#include "strbuf.h"
#include "strlist.h"
#include "tokens.h"
#include "triage.h"
#include "xalloc.h"
#include "banned.h"

/* ---- settings ----------------------------------------------------------- */

static pthread_mutex_t notify_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strlist notify_urls = STRLIST_INIT;
static char *notify_base;

void regress_set_notify(const struct strlist *urls, const char *public_url)
{
	pthread_mutex_lock(&notify_lock);
	strlist_release(&notify_urls);
	for (size_t i = 0; urls && i < urls->nr; i++)
		strlist_add(&notify_urls, urls->items[i]);
	free(notify_base);
	notify_base = xstrdup(public_url ? public_url : "");
	pthread_mutex_unlock(&notify_lock);
}

/* ---- detection ---------------------------------------------------------- */

static int load(struct index *idx, const char *id, struct run *run,
		struct errbuf *err)
{
	int rc = index_load_run(idx, id,
				INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS, NULL,
				run, err);

	if (rc == 0)
		errbuf_set(err, "run %s is not ready", id);
	return rc == 1 ? 0 : -1;
}

/* Queue the message of regression id for every --notify URL. */
static void enqueue_notifications(struct triage *t, int64_t id)
{
	struct errbuf err;
	struct strbuf md = STRBUF_INIT, url = STRBUF_INIT;
	json_t *r, *msg;
	bool found;
	char *body;

	pthread_mutex_lock(&notify_lock);
	if (!notify_urls.nr) {
		pthread_mutex_unlock(&notify_lock);
		return;
	}
	r = triage_get(t, id, &found, &err);
	if (!r) {
		pthread_mutex_unlock(&notify_lock);
		return;
	}
	regress_markdown(r, notify_base, &md);
	strbuf_addf(&url, "%s/regressions/%lld", notify_base, (long long)id);
	msg = json_pack("{s:s, s:I, s:s, s:O, s:O, s:O, s:O}", "text", md.buf,
			"id", (json_int_t)id, "url", url.buf, "series",
			json_object_get(r, "series"), "base",
			json_object_get(r, "base"), "new",
			json_object_get(r, "new"), "changes",
			json_object_get(r, "changes"));
	body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	for (size_t i = 0; body && i < notify_urls.nr; i++)
		if (triage_enqueue(t, notify_urls.items[i], body, &err) < 0)
			log_error("notify: %s", err.msg);
	pthread_mutex_unlock(&notify_lock);
	free(body);
	json_decref(msg);
	json_decref(r);
	strbuf_release(&md);
	strbuf_release(&url);
}

/* (created, id) order, as index_list_runs() sorts. */
static int cmp_run(const struct index_run *a, const struct index_run *b)
{
	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	return strcmp(a->id, b->id);
}

/*
 * Is a run of the series still to be analysed between a and b (a before
 * b)?  Then a and b are not neighbours yet: that run, once ready, pairs
 * with both.  This keeps a bulk analysis (reindex, first start) from
 * recording pairs it would undo a moment later.
 */
static bool pending_between(struct index *idx, const char *series,
			    const struct index_run *a,
			    const struct index_run *b)
{
	struct index_run *runs;
	size_t nr, total;
	struct errbuf err;
	bool found = false;

	if (index_list_runs(idx, series, 0, SIZE_MAX >> 1, &runs, &nr, &total,
			    &err) < 0)
		return false;
	for (size_t i = 0; i < nr && !found; i++)
		found = (runs[i].status == INDEX_PENDING ||
			 runs[i].status == INDEX_INDEXING) &&
			cmp_run(a, &runs[i]) < 0 && cmp_run(&runs[i], b) < 0;
	index_runs_free(runs, nr);
	return found;
}

/*
 * Regression `id` (the changes of `pair`) was just opened for a pair whose
 * new run is `after`: when later ready runs exist (a run uploaded out of
 * order, a reindex), the first of them that brings its benchmarks back
 * marks it looking fixed, as it would have had the runs come in order.
 */
static int later_fix(struct triage *t, struct index *idx,
		     const struct index_run *after,
		     const struct regress_pair *pair, double thr, int64_t id,
		     struct errbuf *err)
{
	struct index_run *runs;
	size_t nr, total;
	int ret = 0;

	if (!pair->worse ||
	    index_list_runs(idx, after->series, 0, SIZE_MAX >> 1, &runs, &nr,
			    &total, err) < 0)
		return pair->worse ? -1 : 0;
	for (size_t i = nr; i-- > 0;) { /* oldest first */
		struct run r = RUN_INIT;
		bool fixed;

		if (runs[i].status != INDEX_READY ||
		    cmp_run(after, &runs[i]) >= 0)
			continue;
		if (index_load_run(idx, runs[i].id, 0, NULL, &r, err) < 0) {
			ret = -1;
			break;
		}
		fixed = regress_looks_fixed(pair->items, pair->nr, &r, thr);
		run_release(&r);
		if (fixed) {
			ret = triage_set_looks_fixed(t, id, runs[i].id,
						     runs[i].created, err);
			break;
		}
	}
	index_runs_free(runs, nr);
	return ret;
}

static int detect(struct triage *t, struct index *idx, const char *id,
		  int64_t opened[2], struct errbuf *err)
{
	struct index_run me = {0}, prev = {0}, next = {0};
	struct run me_run = RUN_INIT, other = RUN_INIT;
	struct triage_candidate *cand = NULL;
	struct regress_pair pair = REGRESS_PAIR_INIT;
	double thr = COMPARE_THRESHOLD_PCT;
	size_t nr_cand = 0;
	int hp = 0, hn = 0, ret = -1;

	if (index_get_run(idx, id, &me, err) <= 0 || !me.series ||
	    me.status != INDEX_READY) {
		ret = 0;
		goto out;
	}
	if (triage_threshold(t, me.series, &thr, err) < 0 ||
	    (hp = index_previous_run(idx, id, &prev, err)) < 0 ||
	    (hn = index_next_run(idx, id, &next, err)) < 0 ||
	    load(idx, id, &me_run, err) < 0)
		goto out;
	if (hp && pending_between(idx, me.series, &prev, &me))
		hp = -2; /* that run will pair with this one */
	if (hn && pending_between(idx, me.series, &me, &next))
		hn = -2;
	if (triage_begin(t, err) < 0)
		goto out;
	if (hp == 1) {
		if (load(idx, prev.id, &other, err) < 0)
			goto fail;
		regress_detect(&pair, &other, &me_run, thr);
		if (triage_record_pair(t, me.series, prev.id, id, me.created,
				       &pair, &opened[0], err) < 0 ||
		    (opened[0] &&
		     later_fix(t, idx, &me, &pair, thr, opened[0], err) < 0))
			goto fail;
		regress_pair_release(&pair);
		run_release(&other);
	} else if (!hp && triage_mark_first(t, me.series, id, err) < 0) {
		goto fail;
	}
	if (hn == 1) {
		/* placed before a later run: that run's pair is this one now */
		if (load(idx, next.id, &other, err) < 0)
			goto fail;
		regress_detect(&pair, &me_run, &other, thr);
		if (triage_record_pair(t, me.series, id, next.id, next.created,
				       &pair, &opened[1], err) < 0 ||
		    (opened[1] &&
		     later_fix(t, idx, &next, &pair, thr, opened[1], err) < 0))
			goto fail;
	}
	if (triage_fix_candidates(t, me.series, me.created, &cand, &nr_cand,
				  err) < 0)
		goto fail;
	for (size_t i = 0; i < nr_cand; i++)
		if (regress_looks_fixed(cand[i].changes->items,
					cand[i].changes->nr, &me_run, thr) &&
		    triage_set_looks_fixed(t, cand[i].id, id, me.created, err) <
			    0)
			goto fail;
	if (triage_commit(t, err) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	triage_rollback(t);
	opened[0] = opened[1] = 0;
out:
	triage_candidates_free(cand, nr_cand);
	regress_pair_release(&pair);
	run_release(&other);
	run_release(&me_run);
	index_run_release(&me);
	if (hp > 0 || hp == -2)
		index_run_release(&prev);
	if (hn > 0 || hn == -2)
		index_run_release(&next);
	return ret;
}

void regress_on_ready(const char *data_dir, struct index *idx, const char *id)
{
	struct errbuf err;
	struct triage *t = triage_open(data_dir, &err);
	int64_t opened[2] = {0, 0};

	if (!t) {
		log_error("regressions: %s", err.msg);
		return;
	}
	if (detect(t, idx, id, opened, &err) < 0)
		log_error("regressions: %s: %s", id, err.msg);
	for (int i = 0; i < 2; i++)
		if (opened[i]) {
			log_info("regressions: %s: opened #%lld", id,
				 (long long)opened[i]);
			enqueue_notifications(t, opened[i]);
		}
	triage_close(t);
}

/* ---- Markdown ----------------------------------------------------------- */

static void add_count(struct strbuf *sb, json_t *v, bool sign)
{
	json_int_t n = json_integer_value(v);

	if (n < 0)
		strbuf_addch(sb, '-');
	else if (sign && n > 0)
		strbuf_addch(sb, '+');
	format_thousands(sb, n < 0 ? 0ull - (unsigned long long)n
				   : (unsigned long long)n);
}

static void add_pct(struct strbuf *sb, json_t *v)
{
	if (json_is_number(v))
		strbuf_addf(sb, "%+.2f %%", json_number_value(v));
	else
		strbuf_adds(sb, "n/a");
}

/* Markdown-safe inline text: no table pipes, backticks or newlines. */
static void add_code(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '`');
	for (; s && *s; s++)
		strbuf_addch(sb,
			     *s == '`' || *s == '|' || *s == '\n' || *s == '\r'
				     ? ' '
				     : *s);
	strbuf_addch(sb, '`');
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

void regress_markdown(const json_t *r, const char *base, struct strbuf *out)
{
	json_t *changes = json_object_get(r, "changes"), *c;
	bool worse = !strcmp(str(r, "kind"), "regression");
	size_t i;

	strbuf_addf(out, "**%s #%lld** in series ",
		    worse ? "Regression" : "Improvement",
		    (long long)json_integer_value(json_object_get(r, "id")));
	add_code(out, str(r, "series"));
	strbuf_adds(out, ": ");
	add_code(out, str(r, "base"));
	strbuf_adds(out, " \xe2\x86\x92 ");
	add_code(out, str(r, "new"));
	strbuf_addf(out, ", %zu benchmark%s %s", json_array_size(changes),
		    json_array_size(changes) == 1 ? "" : "s",
		    worse ? "worse" : "better");
	if (worse)
		strbuf_addf(out, " (state: %s)", str(r, "state"));
	strbuf_adds(out, "\n\n| Benchmark | Change | Base | New | \xce\x94 | "
			 "\xce\x94 % | Function that carries it |\n"
			 "|---|---|---:|---:|---:|---:|---|\n");
	json_array_foreach (changes, i, c) {
		strbuf_adds(out, "| ");
		add_code(out, str(c, "benchmark"));
		strbuf_addf(out, " | %s | ", str(c, "change"));
		add_count(out, json_object_get(c, "base"), false);
		strbuf_adds(out, " | ");
		add_count(out, json_object_get(c, "new"), false);
		strbuf_adds(out, " | ");
		add_count(out, json_object_get(c, "delta"), true);
		strbuf_adds(out, " | ");
		add_pct(out, json_object_get(c, "delta_pct"));
		strbuf_adds(out, " | ");
		if (json_object_get(c, "function")) {
			add_code(out, str(c, "function"));
			strbuf_adds(out, " (");
			add_count(out, json_object_get(c, "function_delta"),
				  true);
			strbuf_adds(out, ")");
		}
		strbuf_adds(out, " |\n");
	}
	if (json_is_string(json_object_get(r, "looks_fixed_by"))) {
		strbuf_adds(out, "\nLooks fixed by ");
		add_code(out, str(r, "looks_fixed_by"));
		strbuf_adds(out, ".\n");
	}
	strbuf_addf(out, "\nPermalink: %s%s\n", base, str(r, "url"));
}

/* ---- the API ------------------------------------------------------------ */

static void set_json(struct api_response *resp, unsigned status, json_t *j)
{
	char *s = json_dumps(j, JSON_VIEW_DUMP_FLAGS);

	strbuf_reset(&resp->body);
	strbuf_adds(&resp->body, s ? s : "null");
	strbuf_addch(&resp->body, '\n');
	free(s);
	resp->status = status;
	resp->content_type = "application/json";
	resp->cache = CACHE_NONE; /* triage changes at any time */
}

static struct triage *open_store(struct server *srv, struct api_response *resp)
{
	struct errbuf err;
	struct triage *t = triage_open(srv->cfg->data_dir, &err);

	if (!t)
		api_error(resp, 500, "internal", "%s", err.msg);
	return t;
}

static const char *q(const struct api_request *req, const char *key)
{
	const char *s = req->query(req->ctx, key);

	return s && *s ? s : NULL;
}

static bool filter_of(const struct api_request *req, struct triage_filter *f,
		      struct api_response *resp)
{
	const char *limit = q(req, "limit"), *stale = q(req, "stale");
	struct errbuf err;
	uint64_t n;

	memset(f, 0, sizeof(*f));
	f->series = q(req, "series");
	f->state = q(req, "state");
	f->kind = q(req, "kind");
	f->run = q(req, "run");
	f->base = q(req, "base");
	f->new_run = q(req, "new");
	f->stale = stale && strcmp(stale, "0");
	if (f->state && strcmp(f->state, "open") &&
	    strcmp(f->state, "closed") && !triage_state_ok(f->state)) {
		api_error(resp, 400, "bad_request",
			  "state must be open, closed, new, acknowledged, "
			  "investigating, fixed, expected or wontfix");
		return false;
	}
	if (f->kind && strcmp(f->kind, "regression") &&
	    strcmp(f->kind, "improvement")) {
		api_error(resp, 400, "bad_request",
			  "kind must be regression or improvement");
		return false;
	}
	if (limit) {
		if (parse_count(limit, 1, 10000, &n, &err) < 0) {
			api_error(resp, 400, "bad_request", "limit: %s",
				  err.msg);
			return false;
		}
		f->limit = (size_t)n;
	}
	return true;
}

static void list(struct server *srv, const struct api_request *req,
		 struct api_response *resp)
{
	struct triage_filter f;
	struct triage *t;
	struct errbuf err;
	const char *fmt = q(req, "format");
	json_t *a;

	if (!filter_of(req, &f, resp))
		return;
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "markdown")) {
		api_error(resp, 400, "bad_request",
			  "format must be json or markdown");
		return;
	}
	t = open_store(srv, resp);
	if (!t)
		return;
	a = triage_list(t, &f, &err);
	triage_close(t);
	if (!a) {
		api_error(resp, 500, "internal", "%s", err.msg);
		return;
	}
	if (fmt && !strcmp(fmt, "markdown")) {
		size_t i;
		json_t *r;

		strbuf_reset(&resp->body);
		json_array_foreach (a, i, r) {
			if (i)
				strbuf_addch(&resp->body, '\n');
			regress_markdown(r,
					 srv->cfg->public_url
						 ? srv->cfg->public_url
						 : "",
					 &resp->body);
		}
		resp->status = 200;
		resp->content_type = "text/markdown; charset=utf-8";
		resp->cache = CACHE_NONE;
		json_decref(a);
	} else {
		json_t *o = json_pack("{s:o}", "regressions", a);

		set_json(resp, 200, o);
		json_decref(o);
	}
}

static bool parse_id(const char *s, long long *id)
{
	char *end;

	if (!s || *s < '1' || *s > '9' || strlen(s) > 15)
		return false;
	errno = 0;
	*id = strtoll(s, &end, 10);
	return !*end && !errno;
}

json_t *regress_get(struct server *srv, long long id, unsigned *status,
		    struct api_response *resp)
{
	struct triage *t = open_store(srv, resp);
	struct errbuf err;
	bool found;
	json_t *r;

	*status = 500;
	if (!t)
		return NULL;
	r = triage_get(t, id, &found, &err);
	triage_close(t);
	if (!r && found)
		api_error(resp, 500, "internal", "%s", err.msg);
	else if (!r)
		api_error(resp, *status = 404, "not_found",
			  "no regression %lld", id);
	else
		*status = 200;
	return r;
}

/* The token's name when it has the triage scope; else a 401 or 403. */
static bool may_triage(struct server *srv, const struct api_request *req,
		       char *who, size_t who_size, struct api_response *resp)
{
	const char *auth =
		req->header ? req->header(req->ctx, "Authorization") : NULL;
	unsigned scopes = 0;

	if (!auth || strncmp(auth, "Bearer ", 7)) {
		api_error(resp, 401, "unauthorized",
			  "changing a regression needs a token with the "
			  "triage scope (Authorization: Bearer)");
		resp->www_authenticate = true;
		return false;
	}
	auth += 7;
	while (*auth == ' ')
		auth++;
	if (!tokens_lookup(srv->cat->tokens_path, auth, strlen(auth), who,
			   who_size, &scopes)) {
		api_error(resp, 401, "unauthorized",
			  "unknown or revoked token");
		resp->www_authenticate = true;
		return false;
	}
	if (!(scopes & TOKEN_TRIAGE)) {
		api_error(resp, 403, "forbidden",
			  "the token '%s' has no triage scope "
			  "(tbscope token add --scope triage NAME)",
			  who);
		resp->www_authenticate = true;
		return false;
	}
	return true;
}

static bool link_ok(json_t *l)
{
	const char *kind = json_string_value(json_object_get(l, "kind"));
	const char *url = json_string_value(json_object_get(l, "url"));

	if (!json_is_object(l) || json_object_size(l) != 2 || !kind || !url)
		return false;
	if (strcmp(kind, "commit") && strcmp(kind, "bug") &&
	    strcmp(kind, "patch") && strcmp(kind, "other"))
		return false;
	/* only web links: a javascript: URL must never become a link */
	return strlen(url) < 2048 &&
	       (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7));
}

static void patch(struct server *srv, const struct api_request *req,
		  long long id, struct api_response *resp)
{
	struct triage_change c = {0};
	struct triage *t;
	struct errbuf err;
	json_error_t jerr;
	json_t *body, *v, *r;
	const char *key;
	char who[128];
	unsigned status;
	size_t i;
	int rc;

	if (!may_triage(srv, req, who, sizeof(who), resp))
		return;
	body = req->body ? json_loadb(req->body, req->body_len,
				      JSON_REJECT_DUPLICATES, &jerr)
			 : NULL;
	if (!json_is_object(body)) {
		api_error(resp, 400, "bad_request",
			  "expected a JSON object {\"state\", \"note\", "
			  "\"links\"}");
		goto out;
	}
	json_object_foreach (body, key, v) {
		if (strcmp(key, "state") && strcmp(key, "note") &&
		    strcmp(key, "links")) {
			api_error(resp, 400, "bad_request",
				  "unknown field '%s': expected state, note, "
				  "links",
				  key);
			goto out;
		}
	}
	v = json_object_get(body, "state");
	if (v &&
	    (!json_is_string(v) || !triage_state_ok(json_string_value(v)))) {
		api_error(resp, 400, "bad_request",
			  "state must be new, acknowledged, investigating, "
			  "fixed, expected or wontfix");
		goto out;
	}
	c.state = json_string_value(v);
	v = json_object_get(body, "note");
	if (v && (!json_is_string(v) || strlen(json_string_value(v)) > 65536)) {
		api_error(resp, 400, "bad_request",
			  "note must be a string of at most 64 KiB");
		goto out;
	}
	c.note = json_string_value(v);
	v = json_object_get(body, "links");
	if (v) {
		json_t *l;

		if (!json_is_array(v) || json_array_size(v) > 50) {
			api_error(resp, 400, "bad_request",
				  "links must be an array of {\"kind\", "
				  "\"url\"}");
			goto out;
		}
		json_array_foreach (v, i, l) {
			if (!link_ok(l)) {
				api_error(resp, 400, "bad_request",
					  "links[%zu]: expected {\"kind\": "
					  "commit|bug|patch|other, \"url\": "
					  "\"https://...\"}",
					  i);
				goto out;
			}
		}
		c.links = v;
	}
	if (!c.state && !c.note && !c.links) {
		api_error(resp, 400, "bad_request",
			  "nothing to change: give state, note or links");
		goto out;
	}
	t = open_store(srv, resp);
	if (!t)
		goto out;
	rc = triage_update(t, id, who, &c, &err);
	triage_close(t);
	if (rc < 0) {
		api_error(resp, 500, "internal", "%s", err.msg);
		goto out;
	}
	if (!rc) {
		api_error(resp, 404, "not_found",
			  "no regression %lld (improvements are not triaged)",
			  id);
		goto out;
	}
	log_info("regressions: #%lld changed by %s%s%s", id, who,
		 c.state ? " to " : "", c.state ? c.state : "");
	r = regress_get(srv, id, &status, resp);
	if (r)
		set_json(resp, 200, r);
	json_decref(r);
out:
	json_decref(body);
}

void api_regress_handle(struct server *srv, const struct api_request *req,
			char **seg, size_t nr, struct api_response *resp)
{
	bool get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	long long id;
	unsigned status;
	json_t *r;

	if (nr == 0 && get) {
		list(srv, req, resp);
	} else if (nr == 1 && !parse_id(seg[0], &id)) {
		api_error(resp, 404, "not_found", "no regression '%s'", seg[0]);
	} else if (nr == 1 && get) {
		r = regress_get(srv, id, &status, resp);
		if (r)
			set_json(resp, 200, r);
		json_decref(r);
	} else if (nr == 1 && !strcmp(req->method, "PATCH")) {
		patch(srv, req, id, resp);
	} else if (nr <= 1) {
		api_error(resp, 405, "method_not_allowed",
			  "%s is not allowed here", req->method);
	} else {
		api_error(resp, 404, "not_found", "no such endpoint");
	}
}

/* ---- the Atom feed ------------------------------------------------------ */

static void xml_escape(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (*s == '&')
			strbuf_adds(sb, "&amp;");
		else if (*s == '<')
			strbuf_adds(sb, "&lt;");
		else if (*s == '>')
			strbuf_adds(sb, "&gt;");
		else if (*s == '"')
			strbuf_adds(sb, "&quot;");
		else if (ch < 0x20 && *s != '\n' && *s != '\t')
			strbuf_addch(sb, ' '); /* not allowed in XML 1.0 */
		else
			strbuf_addch(sb, *s);
	}
}

/* A URL query value, percent-encoded. */
static void url_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			strbuf_addch(sb, (char)ch);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[ch >> 4]);
			strbuf_addch(sb, hex[ch & 15]);
		}
	}
}

/* "Regression #3 in main: 612.matmul_r +24.60 % (fn), state new" */
static void entry_title(const json_t *r, struct strbuf *sb)
{
	json_t *top = json_object_get(r, "top");

	strbuf_addf(sb, "Regression #%lld in %s: ",
		    (long long)json_integer_value(json_object_get(r, "id")),
		    str(r, "series"));
	if (top) {
		strbuf_addf(sb, "%s ", str(top, "benchmark"));
		if (json_is_number(json_object_get(top, "delta_pct")))
			add_pct(sb, json_object_get(top, "delta_pct"));
		else
			strbuf_adds(sb, str(top, "change"));
		if (json_object_get(top, "function"))
			strbuf_addf(sb, " (%s)", str(top, "function"));
	}
	strbuf_addf(sb, ", state %s", str(r, "state"));
	if (json_is_string(json_object_get(r, "looks_fixed_by")))
		strbuf_addf(sb, ", looks fixed by %s",
			    str(r, "looks_fixed_by"));
}

void regress_feed(struct server *srv, const struct api_request *req,
		  struct api_response *resp)
{
	const char *series = q(req, "series");
	const char *base = srv->cfg->public_url ? srv->cfg->public_url : "";
	struct triage_filter f = {.series = series, .limit = 200};
	struct strbuf *sb = &resp->body, self = STRBUF_INIT;
	struct triage *t;
	struct errbuf err;
	const char *updated = "1970-01-01T00:00:00Z";
	json_t *a, *r;
	size_t i;

	t = open_store(srv, resp);
	if (!t)
		return;
	a = triage_list(t, &f, &err);
	triage_close(t);
	if (!a) {
		api_error(resp, 500, "internal", "%s", err.msg);
		return;
	}
	json_array_foreach (a, i, r) {
		const char *u = str(r, "opened"), *s = str(r, "state_changed");

		if (*s && strcmp(s, u) > 0)
			u = s;
		if (strcmp(u, updated) > 0)
			updated = u;
	}
	strbuf_addf(&self, "%s/feeds/regressions.atom", base);
	if (series) {
		strbuf_adds(&self, "?series=");
		url_escape(&self, series);
	}
	strbuf_reset(sb);
	strbuf_adds(sb, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			"<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
			"<title>tbscope regressions");
	if (series) {
		strbuf_adds(sb, " in series ");
		xml_escape(sb, series);
	}
	strbuf_adds(sb, "</title>\n<id>");
	xml_escape(sb, self.buf);
	strbuf_addf(sb,
		    "</id>\n<updated>%s</updated>\n<link rel=\"self\" "
		    "href=\"",
		    updated);
	xml_escape(sb, self.buf);
	strbuf_addf(sb,
		    "\"/>\n<link rel=\"alternate\" type=\"text/html\" "
		    "href=\"%s/regressions",
		    base);
	if (series) {
		struct strbuf e = STRBUF_INIT;

		url_escape(&e, series);
		strbuf_adds(sb, "?series=");
		xml_escape(sb, e.buf);
		strbuf_release(&e);
	}
	strbuf_adds(sb, "\"/>\n<author><name>tbscope</name></author>\n"
			"<generator>tbscope</generator>\n");
	json_array_foreach (a, i, r) {
		struct strbuf title = STRBUF_INIT, md = STRBUF_INIT;
		const char *u = str(r, "opened"), *s = str(r, "state_changed");

		if (*s && strcmp(s, u) > 0)
			u = s;
		entry_title(r, &title);
		regress_markdown(r, base, &md);
		strbuf_adds(sb, "<entry>\n<title>");
		xml_escape(sb, title.buf);
		/* the permalink: stable, and never reused */
		strbuf_addf(sb, "</title>\n<id>%s%s</id>\n", base,
			    str(r, "url"));
		strbuf_addf(sb,
			    "<link rel=\"alternate\" type=\"text/html\" "
			    "href=\"%s%s\"/>\n<published>%s</published>\n"
			    "<updated>%s</updated>\n<summary type=\"text\">",
			    base, str(r, "url"), str(r, "opened"), u);
		xml_escape(sb, title.buf);
		strbuf_adds(sb, "</summary>\n<content type=\"text\">");
		xml_escape(sb, md.buf);
		strbuf_adds(sb, "</content>\n</entry>\n");
		strbuf_release(&title);
		strbuf_release(&md);
	}
	strbuf_adds(sb, "</feed>\n");
	json_decref(a);
	strbuf_release(&self);
	resp->status = 200;
	resp->content_type = "application/atom+xml; charset=utf-8";
	resp->cache = CACHE_NONE;
}

/* ---- the notifier ------------------------------------------------------- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, stop;
	pthread_t thread;
	char *data_dir;
} notifier = {.lock = PTHREAD_MUTEX_INITIALIZER,
	      .cond = PTHREAD_COND_INITIALIZER};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* POST body to url; true on a 2xx answer. */
static bool post(const char *url, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	long code = 0;
	CURLcode rc;

	if (!c)
		return false;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tbscope-notify");
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc == CURLE_OK && code >= 200 && code < 300;
}

/* Send what is due; the seconds until the next try (at most 1). */
static void send_due(struct triage *t)
{
	struct triage_message *m;
	struct errbuf err;
	size_t nr;
	int64_t now = (int64_t)time(NULL);

	if (triage_due(t, now, 16, &m, &nr, &err) < 0) {
		log_error("notify: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < nr; i++) {
		if (post(m[i].url, m[i].body)) {
			log_info("notify: sent #%lld to %s", (long long)m[i].id,
				 m[i].url);
			triage_sent(t, m[i].id, &err);
		} else {
			/* 1, 2, 4 ... seconds, at most 10 minutes */
			unsigned a = m[i].attempts < 10 ? m[i].attempts : 10;
			int64_t wait = (int64_t)1 << a;

			if (wait > 600)
				wait = 600;
			log_warn("notify: %s failed (attempt %u): again in "
				 "%llds",
				 m[i].url, m[i].attempts + 1, (long long)wait);
			triage_retry(t, m[i].id, (int64_t)time(NULL) + wait,
				     &err);
		}
	}
	triage_messages_free(m, nr);
}

static void *notifier_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&notifier.lock);
	while (!notifier.stop) {
		struct triage *t;
		struct errbuf err;
		struct timespec until;

		pthread_mutex_unlock(&notifier.lock);
		t = triage_open(notifier.data_dir, &err);
		if (t) {
			send_due(t);
			triage_close(t);
		} else {
			log_error("notify: %s", err.msg);
		}
		pthread_mutex_lock(&notifier.lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (!notifier.stop)
			pthread_cond_timedwait(&notifier.cond, &notifier.lock,
					       &until);
	}
	pthread_mutex_unlock(&notifier.lock);
	return NULL;
}

void regress_notifier_start(const char *data_dir)
{
	pthread_mutex_lock(&notifier.lock);
	if (!notifier.started) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		notifier.data_dir = xstrdup(data_dir);
		notifier.stop = false;
		notifier.started = pthread_create(&notifier.thread, NULL,
						  notifier_main, NULL) == 0;
	}
	pthread_mutex_unlock(&notifier.lock);
}

void regress_notifier_stop(void)
{
	pthread_mutex_lock(&notifier.lock);
	notifier.stop = true;
	pthread_cond_broadcast(&notifier.cond);
	pthread_mutex_unlock(&notifier.lock);
	if (notifier.started)
		pthread_join(notifier.thread, NULL);
	notifier.started = false;
	free(notifier.data_dir);
	notifier.data_dir = NULL;
}

/* ---- for the pages ------------------------------------------------------ */

static void set_err(struct api_err *err, unsigned status, const char *code,
		    const char *msg)
{
	memset(err, 0, sizeof(*err));
	err->status = status;
	err->code = code;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

json_t *regress_find(struct server *srv, const char *id, struct api_err *err)
{
	struct errbuf e;
	struct triage *t;
	long long n;
	bool found = false;
	json_t *r;

	if (!parse_id(id, &n)) {
		set_err(err, 404, "not_found", "no such regression");
		return NULL;
	}
	t = triage_open(srv->cfg->data_dir, &e);
	if (!t) {
		set_err(err, 500, "internal", e.msg);
		return NULL;
	}
	r = triage_get(t, n, &found, &e);
	triage_close(t);
	if (!r)
		set_err(err, found ? 500 : 404,
			found ? "internal" : "not_found",
			found ? e.msg : "no such regression");
	return r;
}

json_t *regress_find_list(struct server *srv, const char *series,
			  const char *state, struct api_err *err)
{
	struct triage_filter f = {.series = series, .state = state};
	struct errbuf e;
	struct triage *t;
	json_t *a;

	if (state && strcmp(state, "open") && strcmp(state, "closed") &&
	    !triage_state_ok(state))
		f.state = NULL;
	t = triage_open(srv->cfg->data_dir, &e);
	if (!t) {
		set_err(err, 500, "internal", e.msg);
		return NULL;
	}
	a = triage_list(t, &f, &e);
	triage_close(t);
	if (!a)
		set_err(err, 500, "internal", e.msg);
	return a;
}
