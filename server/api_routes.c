/* SPDX-License-Identifier: MIT */
/*
 * The JSON API's GET routes: parse the path and the query, call the typed
 * entry point of api.c, serialise what it returns.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_regress.h"
#include "compare.h"
#include "errbuf.h"
#include "json_view.h"
#include "parse_value.h"
#include "report.h"
#include "server.h"
#include "xalloc.h"
#include "banned.h"

#define MAX_SEGMENTS 8

static void set_json_take(struct api_response *r, json_t *j,
			  enum cache_policy policy)
{
	char *s = json_dumps(j, JSON_VIEW_DUMP_FLAGS);

	json_decref(j);
	strbuf_reset(&r->body);
	strbuf_adds(&r->body, s ? s : "null");
	strbuf_addch(&r->body, '\n');
	free(s);
	r->status = 200;
	r->content_type = "application/json";
	r->cache = policy;
}

/*
 * The answer of a typed call: its JSON, or the error it reported.  The
 * policy is passed by address: the call fills it while the arguments of
 * answer() are evaluated, in an unspecified order.
 */
static void answer(struct api_response *resp, json_t *j,
		   const enum cache_policy *policy, const struct api_err *err)
{
	if (j)
		set_json_take(resp, j, *policy);
	else
		api_response_error(resp, err);
}

/*
 * The count in query parameter `key` (absent: *out unchanged), at most
 * max; false with a 400 naming the parameter when it is not one.
 */
static bool query_count(const struct api_request *req, const char *key,
			size_t max, size_t *out, struct api_response *resp)
{
	const char *s = req->query(req->ctx, key);
	struct errbuf err;
	uint64_t v;

	if (!s)
		return true;
	if (parse_count(s, 0, max, &v, &err) < 0) {
		errbuf_prefix(&err, key);
		api_error(resp, 400, "bad_request", "%s", err.msg);
		return false;
	}
	*out = (size_t)v;
	return true;
}

static const char *q(const struct api_request *req, const char *key)
{
	return req->query(req->ctx, key);
}

static void runs_list(struct server *srv, const struct api_request *req,
		      struct api_response *resp)
{
	size_t offset = 0, limit = 50;
	enum cache_policy p = CACHE_NONE;
	struct api_err err;

	if (!query_count(req, "offset", 1u << 30, &offset, resp) ||
	    !query_count(req, "limit", 1000, &limit, resp))
		return;
	answer(resp, api_runs(srv, q(req, "series"), offset, limit, &p, &err),
	       &p, &err);
}

static void benchmark(struct server *srv, const struct api_request *req,
		      const char *id, const char *bench, const char *what,
		      struct api_response *resp)
{
	struct api_function fn = {q(req, "function"), q(req, "object")};
	bool functions = what && !strcmp(what, "functions");
	size_t limit = functions ? 0 : 100;
	enum cache_policy p = CACHE_NONE;
	struct api_err err;
	json_t *j;

	if (!query_count(req, "limit", 1u << 30, &limit, resp))
		return;
	if (!what || functions)
		j = api_benchmark(srv, id, bench, limit, functions, &p, &err);
	else if (!strcmp(what, "mix"))
		j = api_mix(srv, id, bench, &fn, &p, &err);
	else
		j = api_blocks(srv, id, bench, &fn, limit, &p, &err);
	answer(resp, j, &p, &err);
}

static void compare_two(struct server *srv, const struct api_request *req,
			const char *spec, struct api_response *resp)
{
	const char *fmt = q(req, "format"), *thr = q(req, "threshold");
	const char *objects = q(req, "objects");
	struct api_compare_opts opts = {objects && strcmp(objects, "0"),
					COMPARE_THRESHOLD_PCT};
	enum report_format f = REPORT_JSON;
	enum cache_policy p = CACHE_NONE;
	struct api_err err;
	struct errbuf e;
	char *a = NULL, *b = NULL;

	if (fmt && report_format_parse(fmt, &f) < 0) {
		api_error(resp, 400, "bad_request",
			  "format must be json, text, table, csv or markdown");
		return;
	}
	if (thr && parse_percent(thr, &opts.threshold, &e) < 0) {
		errbuf_prefix(&e, "threshold");
		api_error(resp, 400, "bad_request", "%s", e.msg);
		return;
	}
	if (!api_split_compare(srv, spec, &a, &b)) {
		api_error(resp, 400, "bad_request",
			  "expected /compare/<base>...<new>");
		return;
	}
	if (f == REPORT_JSON) {
		answer(resp, api_compare(srv, a, b, &opts, &p, &err), &p, &err);
	} else if (api_compare_report(srv, a, b, &opts, f, &resp->body, &p,
				      &err) < 0) {
		api_response_error(resp, &err);
	} else {
		resp->cache = p;
		resp->content_type = f == REPORT_TEXT || f == REPORT_TABLE
					     ? "text/plain; charset=utf-8"
				     : f == REPORT_CSV
					     ? "text/csv; charset=utf-8"
					     : "text/markdown; charset=utf-8";
	}
	free(a);
	free(b);
}

static void compare_bench(struct server *srv, const struct api_request *req,
			  const char *spec, const char *bench,
			  struct api_response *resp)
{
	const char *fmt = q(req, "format");
	struct api_bench_opts opts = {50,
				      {q(req, "function"), q(req, "object")}};
	enum report_format f = REPORT_JSON;
	enum cache_policy p = CACHE_NONE;
	struct api_err err;
	char *a = NULL, *b = NULL;

	if (fmt && (report_format_parse(fmt, &f) < 0 ||
		    (f != REPORT_JSON && f != REPORT_TEXT))) {
		api_error(resp, 400, "bad_request",
			  "format must be json or text");
		return;
	}
	if (!query_count(req, "limit", 1u << 30, &opts.limit, resp))
		return;
	if (!api_split_compare(srv, spec, &a, &b)) {
		api_error(resp, 400, "bad_request",
			  "expected /compare/<base>...<new>/<bench>");
		return;
	}
	if (f == REPORT_JSON) {
		answer(resp,
		       api_compare_bench(srv, a, b, bench, &opts, &p, &err), &p,
		       &err);
	} else if (api_compare_bench_text(srv, a, b, bench, &opts, &resp->body,
					  &p, &err) < 0) {
		api_response_error(resp, &err);
	} else {
		resp->cache = p;
		resp->content_type = "text/plain; charset=utf-8";
	}
	free(a);
	free(b);
}

/* ---- the dashboard (issue #11) ------------------------------------------ */

static void changes_list(struct server *srv, const struct api_request *req,
			 struct api_response *resp)
{
	size_t offset = 0, limit = 50;
	enum cache_policy p = CACHE_NONE;
	struct api_err err;

	if (!query_count(req, "offset", 1u << 30, &offset, resp) ||
	    !query_count(req, "limit", 1000, &limit, resp))
		return;
	answer(resp,
	       api_changes(srv, q(req, "series"), offset, limit, &p, &err), &p,
	       &err);
}

/* The dashboard's routes; false when the path is none of them. */
static bool dashboard_route(struct server *srv, const struct api_request *req,
			    char **seg, size_t n, struct api_response *resp)
{
	enum cache_policy p = CACHE_NONE;
	struct api_err err;

	if (n == 3 && !strcmp(seg[2], "changes"))
		changes_list(srv, req, resp);
	else if (n == 3 && !strcmp(seg[2], "series"))
		answer(resp, api_series_list(srv, &p, &err), &p, &err);
	else if (n == 5 && !strcmp(seg[2], "runs") &&
		 !strcmp(seg[4], "neighbours"))
		answer(resp, api_neighbours(srv, seg[3], &p, &err), &p, &err);
	else if (n == 5 && !strcmp(seg[2], "series") &&
		 !strcmp(seg[4], "history"))
		answer(resp, api_series_history(srv, seg[3], &p, &err), &p,
		       &err);
	else
		return false;
	return true;
}

/* ---- the rate timeline (issue #12) -------------------------------------- */

/* .../benchmarks/BENCH/rate; false when the path is not it. */
static bool rate_route(struct server *srv, char **seg, size_t n,
		       struct api_response *resp)
{
	enum cache_policy p = CACHE_NONE;
	struct api_err err;

	if (n != 7 || strcmp(seg[2], "runs") || strcmp(seg[4], "benchmarks") ||
	    strcmp(seg[6], "rate"))
		return false;
	answer(resp, api_rate(srv, seg[3], seg[5], &p, &err), &p, &err);
	return true;
}

void api_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp)
{
	char *path = xstrdup(req->path);
	char *seg[MAX_SEGMENTS];
	enum cache_policy p = CACHE_NONE;
	struct api_err err;
	size_t n;

	if (!route_split(path, seg, MAX_SEGMENTS, &n) || n < 2 ||
	    strcmp(seg[0], "api") || strcmp(seg[1], "v1")) {
		api_error(resp, 404, "not_found", "no such endpoint");
		goto out;
	}
	if (n >= 3 && !strcmp(seg[2], "regressions")) {
		/* the regression tracker's routes, PATCH included */
		api_regress_handle(srv, req, seg + 3, n - 3, resp);
		goto out;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		api_error(resp, 405, "method_not_allowed",
			  "%s is not allowed here", req->method);
		goto out;
	}
	if (dashboard_route(srv, req, seg, n, resp) ||
	    rate_route(srv, seg, n, resp))
		goto out;
	if (n == 3 && !strcmp(seg[2], "runs"))
		runs_list(srv, req, resp);
	else if (n == 4 && !strcmp(seg[2], "runs"))
		answer(resp, api_run(srv, seg[3], &p, &err), &p, &err);
	else if (n == 6 && !strcmp(seg[2], "runs") &&
		 !strcmp(seg[4], "benchmarks"))
		benchmark(srv, req, seg[3], seg[5], NULL, resp);
	else if (n == 7 && !strcmp(seg[2], "runs") &&
		 !strcmp(seg[4], "benchmarks") &&
		 (!strcmp(seg[6], "functions") || !strcmp(seg[6], "blocks") ||
		  !strcmp(seg[6], "mix")))
		benchmark(srv, req, seg[3], seg[5], seg[6], resp);
	else if (n == 4 && !strcmp(seg[2], "compare"))
		compare_two(srv, req, seg[3], resp);
	else if (n == 5 && !strcmp(seg[2], "compare") && api_name_ok(seg[4]))
		compare_bench(srv, req, seg[3], seg[4], resp);
	else if (n == 4 && !strcmp(seg[2], "history"))
		answer(resp,
		       api_history(srv, seg[3], q(req, "series"), &p, &err), &p,
		       &err);
	else
		api_error(resp, 404, "not_found", "no such endpoint");
out:
	free(path);
}
