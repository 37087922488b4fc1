/* SPDX-License-Identifier: MIT */
#include "api.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "bench_diff.h"
#include "compare.h"
#include "config.h"
#include "errbuf.h"
#include "index.h"
#include "json_view.h"
#include "report.h"
#include "run.h"
#include "xalloc.h"
#include "banned.h"

#define MAX_SEGMENTS 8

void api_response_init(struct api_response *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, 0);
	r->status = 200;
	r->content_type = "application/json";
}

void api_response_release(struct api_response *r)
{
	strbuf_release(&r->body);
}

static void set_json_take(struct api_response *r, unsigned status, json_t *j)
{
	char *s = json_dumps(j, JSON_VIEW_DUMP_FLAGS);

	json_decref(j);
	strbuf_reset(&r->body);
	strbuf_adds(&r->body, s ? s : "null");
	strbuf_addch(&r->body, '\n');
	free(s);
	r->status = status;
	r->content_type = "application/json";
}

void api_error(struct api_response *r, unsigned status, const char *code,
	       const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	set_json_take(r, status,
		      json_pack("{s:{s:s, s:s}}", "error", "code", code,
				"message", msg.buf));
	r->cache = CACHE_NONE;
	strbuf_release(&msg);
}

bool api_name_ok(const char *s)
{
	size_t len = strlen(s);

	return len && len <= 100 && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == len;
}

/* Split "/a/b/c" into segments; false for empty, "." or ".." segments. */
static bool split_path(char *path, char **seg, size_t *nr)
{
	char *p = path, *save = NULL, *tok;

	*nr = 0;
	if (*p != '/')
		return false;
	if (strstr(p, "//"))
		return false;
	for (tok = strtok_r(p, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, ".") || !strcmp(tok, "..") ||
		    *nr == MAX_SEGMENTS)
			return false;
		seg[(*nr)++] = tok;
	}
	return true;
}

static bool parse_size(const char *s, size_t max, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!s)
		return true;
	if (!*s || *s == '-')
		return false;
	v = strtoull(s, &end, 10);
	if (*end || v > max)
		return false;
	*out = (size_t)v;
	return true;
}

/* ---- helpers shared by handlers ----------------------------------------- */

struct loaded {
	struct index_run info;
	struct run run;
	bool have_info, have_run;
};

static void loaded_release(struct loaded *l)
{
	if (l->have_info)
		index_run_release(&l->info);
	if (l->have_run)
		run_release(&l->run);
}

/*
 * Load run `id` for a handler.  On failure the response is filled (404
 * unknown, 503 still being analysed, 409 failed, 500) and false returned.
 */
static bool load_ready(struct index *idx, const char *id, unsigned flags,
		       const char *only, struct loaded *l,
		       struct api_response *resp)
{
	struct errbuf err;
	int rc;

	if (!api_name_ok(id)) {
		api_error(resp, 400, "bad_request", "'%s' is not a run id", id);
		return false;
	}
	rc = index_get_run(idx, id, &l->info, &err);
	if (rc < 0) {
		api_error(resp, 500, "internal", "%s", err.msg);
		return false;
	}
	if (!rc) {
		api_error(resp, 404, "not_found", "no run '%s'", id);
		return false;
	}
	l->have_info = true;
	if (l->info.status == INDEX_FAILED) {
		api_error(resp, 409, "run_failed",
			  "run '%s' could not be "
			  "analysed: %s",
			  id, l->info.error ? l->info.error : "unknown error");
		return false;
	}
	if (l->info.status != INDEX_READY) {
		api_error(resp, 503, "not_ready",
			  "run '%s' is being analysed (%llu of %llu files)", id,
			  (unsigned long long)l->info.progress_done,
			  (unsigned long long)l->info.progress_total);
		resp->retry_after = 2;
		return false;
	}
	rc = index_load_run(idx, id, flags, only, &l->run, &err);
	if (rc <= 0) {
		if (rc < 0)
			api_error(resp, 500, "internal", "%s", err.msg);
		else
			api_error(resp, 503, "not_ready",
				  "run '%s' is being analysed", id);
		resp->retry_after = 2;
		return false;
	}
	l->have_run = true;
	return true;
}

static enum cache_policy policy_for(struct server *srv, const struct loaded *a,
				    const struct loaded *b)
{
	bool imm = catalog_immutable(srv->cat, a->info.root) &&
		   (!b || catalog_immutable(srv->cat, b->info.root));

	return imm ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
}

/* ---- handlers ----------------------------------------------------------- */

static void runs_list(struct server *srv, struct index *idx,
		      const struct api_request *req, struct api_response *resp)
{
	const char *series = req->query(req->ctx, "series");
	size_t offset = 0, limit = 50, nr, total;
	struct index_run *runs;
	struct errbuf err;
	json_t *arr;

	if (!parse_size(req->query(req->ctx, "offset"), 1u << 30, &offset) ||
	    !parse_size(req->query(req->ctx, "limit"), 1000, &limit)) {
		api_error(resp, 400, "bad_request",
			  "offset and limit must be whole numbers (limit at "
			  "most 1000)");
		return;
	}
	if (series && !*series)
		series = NULL;
	if (index_list_runs(idx, series, offset, limit, &runs, &nr, &total,
			    &err) < 0) {
		api_error(resp, 500, "internal", "%s", err.msg);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < nr; i++)
		json_array_append_new(arr, json_index_run(&runs[i]));
	index_runs_free(runs, nr);
	set_json_take(resp, 200,
		      json_pack("{s:o, s:I, s:I, s:I}", "runs", arr, "total",
				(json_int_t)total, "offset", (json_int_t)offset,
				"limit", (json_int_t)limit));
	resp->cache = CACHE_NONE;
}

static void run_one(struct server *srv, struct index *idx, const char *id,
		    struct api_response *resp)
{
	struct loaded l = {0};
	struct errbuf err;
	json_t *j;
	int rc;

	if (!api_name_ok(id)) {
		api_error(resp, 400, "bad_request", "'%s' is not a run id", id);
		return;
	}
	rc = index_get_run(idx, id, &l.info, &err);
	if (rc <= 0) {
		if (rc < 0)
			api_error(resp, 500, "internal", "%s", err.msg);
		else
			api_error(resp, 404, "not_found", "no run '%s'", id);
		return;
	}
	l.have_info = true;
	j = json_index_run(&l.info);
	if (l.info.status == INDEX_READY &&
	    index_load_run(idx, id, INDEX_LOAD_OBJECTS | INDEX_LOAD_DETAILS,
			   NULL, &l.run, &err) == 1) {
		json_t *full = json_run(&l.run, id);

		l.have_run = true;
		json_object_set(j, "benchmarks",
				json_object_get(full, "benchmarks"));
		json_object_set(j, "warning_messages",
				json_object_get(full, "warnings"));
		json_decref(full);
		set_json_take(resp, 200, j);
		resp->cache = policy_for(srv, &l, NULL);
	} else {
		set_json_take(resp, 200, j);
		resp->cache = CACHE_NONE;
	}
	loaded_release(&l);
}

/* load_ready() for one benchmark; a 404 when the run does not have it. */
static bool load_bench(struct index *idx, const char *id, const char *bench,
		       unsigned flags, struct loaded *l,
		       struct api_response *resp)
{
	if (!load_ready(idx, id, flags, bench, l, resp))
		return false;
	if (!l->run.nr_benchmarks) {
		api_error(resp, 404, "not_found",
			  "no benchmark '%s' in run '%s'", bench, id);
		return false;
	}
	return true;
}

/*
 * The function a query names (?function=NAME&object=OBJ): its index, -1
 * when none is asked for, or -2 (and a 404 filled) when it does not exist.
 */
static long query_function(const struct api_request *req,
			   const struct benchmark *b, struct api_response *resp)
{
	const char *name = req->query(req->ctx, "function");
	const char *object = req->query(req->ctx, "object");

	if (!name)
		return -1;
	for (size_t i = 0; i < b->nr_functions; i++)
		if (!strcmp(b->functions[i].name, name) &&
		    (!object ||
		     !strcmp(b->objects[b->functions[i].object].name, object)))
			return (long)i;
	api_error(resp, 404, "not_found", "no function '%s'%s%s in %s", name,
		  object ? " in " : "", object ? object : "", b->name);
	return -2;
}

/* GET /api/v1/runs/<id>/benchmarks/<bench>/{blocks,mix} */
static void benchmark_detail(struct server *srv, struct index *idx,
			     const struct api_request *req, const char *id,
			     const char *bench, bool mix,
			     struct api_response *resp)
{
	struct loaded l = {0};
	size_t limit = 100;
	long fn;
	json_t *j;

	if (!parse_size(req->query(req->ctx, "limit"), 1u << 30, &limit)) {
		api_error(resp, 400, "bad_request", "bad limit");
		return;
	}
	if (!load_bench(idx, id, bench,
			INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS |
				(mix ? INDEX_LOAD_MIX : INDEX_LOAD_BLOCKS),
			&l, resp))
		goto out;
	fn = query_function(req, &l.run.benchmarks[0], resp);
	if (fn == -2)
		goto out;
	j = mix ? json_mix(&l.run.benchmarks[0], fn)
		: json_blocks(&l.run.benchmarks[0], fn, limit);
	json_object_set_new(j, "run", json_string(id));
	set_json_take(resp, 200, j);
	resp->cache = policy_for(srv, &l, NULL);
out:
	loaded_release(&l);
}

static void benchmark_one(struct server *srv, struct index *idx,
			  const struct api_request *req, const char *id,
			  const char *bench, bool functions_only,
			  struct api_response *resp)
{
	struct loaded l = {0};
	size_t limit = functions_only ? 0 : 100;
	json_t *j;

	if (!parse_size(req->query(req->ctx, "limit"), 1u << 30, &limit)) {
		api_error(resp, 400, "bad_request", "bad limit");
		return;
	}
	if (!load_bench(idx, id, bench,
			INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS |
				INDEX_LOAD_DETAILS,
			&l, resp))
		goto out;
	j = json_benchmark(&l.run.benchmarks[0], limit);
	json_object_set_new(j, "run", json_string(id));
	if (functions_only) {
		json_t *f = json_pack(
			"{s:s, s:s, s:O, s:O, s:O}", "run", id, "benchmark",
			bench, "instructions",
			json_object_get(j, "instructions"), "functions_total",
			json_object_get(j, "functions_total"), "functions",
			json_object_get(j, "functions"));

		json_decref(j);
		j = f;
	}
	set_json_take(resp, 200, j);
	resp->cache = policy_for(srv, &l, NULL);
out:
	loaded_release(&l);
}

/* "<base>...<new>": the split whose two sides are run ids in the index. */
static bool split_compare(struct index *idx, const char *spec, char **a,
			  char **b)
{
	for (const char *p = strstr(spec, "..."); p; p = strstr(p + 1, "...")) {
		char *x = xstrndup(spec, (size_t)(p - spec));
		char *y = xstrdup(p + 3);
		struct index_run r;
		struct errbuf err;
		bool ok = api_name_ok(x) && api_name_ok(y) &&
			  index_get_run(idx, x, &r, &err) == 1;

		if (ok) {
			index_run_release(&r);
			ok = index_get_run(idx, y, &r, &err) == 1;
			if (ok)
				index_run_release(&r);
		}
		if (ok) {
			*a = x;
			*b = y;
			return true;
		}
		free(x);
		free(y);
	}
	/* no split names two known runs: take the first for the message */
	{
		const char *p = strstr(spec, "...");

		if (!p)
			return false;
		*a = xstrndup(spec, (size_t)(p - spec));
		*b = xstrdup(p + 3);
		return true;
	}
}

/* GET /api/v1/compare/<base>...<new>/<bench> */
static void compare_bench_api(struct server *srv, struct index *idx,
			      const struct api_request *req, const char *spec,
			      const char *bench, struct api_response *resp)
{
	const char *fmt = req->query(req->ctx, "format");
	struct loaded la = {0}, lb = {0};
	enum report_format f = REPORT_JSON;
	size_t limit = 50;
	const char *fn = req->query(req->ctx, "function");
	unsigned flags = INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS |
			 INDEX_LOAD_MIX | (fn ? INDEX_LOAD_BLOCKS : 0);
	struct bench_diff d;
	char *a = NULL, *b = NULL;

	if ((fmt && (report_format_parse(fmt, &f) < 0 ||
		     (f != REPORT_JSON && f != REPORT_TEXT))) ||
	    !parse_size(req->query(req->ctx, "limit"), 1u << 30, &limit)) {
		api_error(resp, 400, "bad_request",
			  "format must be json or text; limit a number");
		return;
	}
	if (!split_compare(idx, spec, &a, &b)) {
		api_error(resp, 400, "bad_request",
			  "expected /compare/<base>...<new>/<bench>");
		return;
	}
	if (!load_bench(idx, a, bench, flags, &la, resp) ||
	    !load_bench(idx, b, bench, flags, &lb, resp))
		goto out;
	bench_diff_compute(&d, &la.run.benchmarks[0], &lb.run.benchmarks[0]);
	if (f == REPORT_TEXT) {
		report_bench_diff_text(&resp->body, &d, limit);
		resp->content_type = "text/plain; charset=utf-8";
	} else {
		json_t *j = json_bench_diff(&d, a, b, limit);

		if (fn)
			json_object_set_new(
				j, "blocks",
				json_function_blocks_diff(
					&d, req->query(req->ctx, "object"), fn,
					20));
		set_json_take(resp, 200, j);
	}
	resp->cache = policy_for(srv, &la, &lb);
	bench_diff_release(&d);
out:
	loaded_release(&la);
	loaded_release(&lb);
	free(a);
	free(b);
}

static void compare_runs_api(struct server *srv, struct index *idx,
			     const struct api_request *req, const char *spec,
			     struct api_response *resp)
{
	const char *fmt = req->query(req->ctx, "format");
	const char *thr = req->query(req->ctx, "threshold");
	const char *objects = req->query(req->ctx, "objects");
	bool with_objects = objects && strcmp(objects, "0");
	struct loaded la = {0}, lb = {0};
	enum report_format f = REPORT_JSON;
	double threshold = COMPARE_THRESHOLD_PCT;
	struct compare c;
	char *a = NULL, *b = NULL;

	if (fmt && report_format_parse(fmt, &f) < 0) {
		api_error(resp, 400, "bad_request",
			  "format must be json, text, csv or markdown");
		return;
	}
	if (thr) {
		char *end;

		threshold = strtod(thr, &end);
		if (*end || end == thr || threshold < 0) {
			api_error(resp, 400, "bad_request",
				  "threshold must be a number >= 0");
			return;
		}
	}
	if (!split_compare(idx, spec, &a, &b)) {
		api_error(resp, 400, "bad_request",
			  "expected /compare/<base>...<new>");
		return;
	}
	if (!load_ready(idx, a, with_objects ? INDEX_LOAD_OBJECTS : 0, NULL,
			&la, resp) ||
	    !load_ready(idx, b, with_objects ? INDEX_LOAD_OBJECTS : 0, NULL,
			&lb, resp))
		goto out;
	compare_runs(&c, &la.run, &lb.run, threshold);
	switch (f) {
	case REPORT_JSON: {
		json_t *j = json_compare(&c, a, b, with_objects);

		set_json_take(resp, 200, j);
		break;
	}
	case REPORT_TEXT:
		report_compare_text(&resp->body, &c);
		resp->content_type = "text/plain; charset=utf-8";
		break;
	case REPORT_CSV:
		report_compare_csv(&resp->body, &c);
		resp->content_type = "text/csv; charset=utf-8";
		break;
	case REPORT_MARKDOWN: {
		struct strbuf url = STRBUF_INIT;

		strbuf_addf(&url, "%s/compare/%s...%s", srv->cfg->public_url, a,
			    b);
		report_compare_markdown(&resp->body, &c, a, b, url.buf);
		strbuf_release(&url);
		resp->content_type = "text/markdown; charset=utf-8";
		break;
	}
	}
	resp->cache = policy_for(srv, &la, &lb);
	compare_release(&c);
out:
	loaded_release(&la);
	loaded_release(&lb);
	free(a);
	free(b);
}

static void history(struct server *srv, struct index *idx,
		    const struct api_request *req, const char *bench,
		    struct api_response *resp)
{
	const char *series = req->query(req->ctx, "series");
	struct history_point *p;
	struct errbuf err;
	size_t nr;

	if (!api_name_ok(bench)) {
		api_error(resp, 400, "bad_request",
			  "'%s' is not a benchmark name", bench);
		return;
	}
	if (series && !*series)
		series = NULL;
	if (index_history(idx, bench, series, &p, &nr, &err) < 0) {
		api_error(resp, 500, "internal", "%s", err.msg);
		return;
	}
	set_json_take(resp, 200, json_history(bench, series, p, nr));
	resp->cache = CACHE_NONE;
	index_history_free(p, nr);
}

bool api_markdown_vs_previous(struct server *srv, const char *new_id,
			      char **base_id, struct strbuf *md)
{
	struct errbuf err;
	struct index *idx = catalog_get(srv->cat, &err);
	struct index_run info, *runs = NULL;
	struct loaded la = {0}, lb = {0};
	struct api_response scratch;
	size_t nr = 0, total;
	bool ok = false;

	*base_id = NULL;
	if (!idx)
		return false;
	api_response_init(&scratch);
	if (index_get_run(idx, new_id, &info, &err) != 1)
		goto out;
	if (info.series && index_list_runs(idx, info.series, 0, 1000, &runs,
					   &nr, &total, &err) == 0) {
		/* newest first: the first ready run older than this one */
		for (size_t i = 0; i < nr && !*base_id; i++)
			if (strcmp(runs[i].id, new_id) &&
			    runs[i].status == INDEX_READY &&
			    (runs[i].created < info.created ||
			     (runs[i].created == info.created &&
			      strcmp(runs[i].id, new_id) < 0)))
				*base_id = xstrdup(runs[i].id);
	}
	index_run_release(&info);
	if (*base_id && load_ready(idx, *base_id, 0, NULL, &la, &scratch) &&
	    load_ready(idx, new_id, 0, NULL, &lb, &scratch)) {
		struct compare c;
		struct strbuf url = STRBUF_INIT;

		compare_runs(&c, &la.run, &lb.run, COMPARE_THRESHOLD_PCT);
		strbuf_addf(&url, "%s/compare/%s...%s", srv->cfg->public_url,
			    *base_id, new_id);
		report_compare_markdown(md, &c, *base_id, new_id, url.buf);
		strbuf_release(&url);
		compare_release(&c);
		ok = true;
	}
out:
	if (!ok) {
		free(*base_id);
		*base_id = NULL;
	}
	index_runs_free(runs, nr);
	loaded_release(&la);
	loaded_release(&lb);
	api_response_release(&scratch);
	catalog_put(srv->cat, idx);
	return ok;
}

void api_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp)
{
	char *path = xstrdup(req->path);
	char *seg[MAX_SEGMENTS];
	struct errbuf err;
	struct index *idx = NULL;
	size_t n;

	if (!split_path(path, seg, &n) || n < 2 || strcmp(seg[0], "api") ||
	    strcmp(seg[1], "v1")) {
		api_error(resp, 404, "not_found", "no such endpoint");
		goto out;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		api_error(resp, 405, "method_not_allowed",
			  "%s is not allowed here", req->method);
		goto out;
	}
	idx = catalog_get(srv->cat, &err);
	if (!idx) {
		api_error(resp, 500, "internal", "%s", err.msg);
		goto out;
	}
	if (n == 3 && !strcmp(seg[2], "runs"))
		runs_list(srv, idx, req, resp);
	else if (n == 4 && !strcmp(seg[2], "runs"))
		run_one(srv, idx, seg[3], resp);
	else if (n == 6 && !strcmp(seg[2], "runs") &&
		 !strcmp(seg[4], "benchmarks"))
		benchmark_one(srv, idx, req, seg[3], seg[5], false, resp);
	else if (n == 7 && !strcmp(seg[2], "runs") &&
		 !strcmp(seg[4], "benchmarks") && !strcmp(seg[6], "functions"))
		benchmark_one(srv, idx, req, seg[3], seg[5], true, resp);
	else if (n == 7 && !strcmp(seg[2], "runs") &&
		 !strcmp(seg[4], "benchmarks") &&
		 (!strcmp(seg[6], "blocks") || !strcmp(seg[6], "mix")))
		benchmark_detail(srv, idx, req, seg[3], seg[5],
				 !strcmp(seg[6], "mix"), resp);
	else if (n == 4 && !strcmp(seg[2], "compare"))
		compare_runs_api(srv, idx, req, seg[3], resp);
	else if (n == 5 && !strcmp(seg[2], "compare") && api_name_ok(seg[4]))
		compare_bench_api(srv, idx, req, seg[3], seg[4], resp);
	else if (n == 4 && !strcmp(seg[2], "history"))
		history(srv, idx, req, seg[3], resp);
	else
		api_error(resp, 404, "not_found", "no such endpoint");
out:
	catalog_put(srv->cat, idx);
	free(path);
}
