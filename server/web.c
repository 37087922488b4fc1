/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's server side: static assets from the embedded web/ files,
 * and HTML shells rendered from templates/page.html.  A shell's title and
 * link-preview meta are computed from the JSON the page's API twin returns
 * (the same typed call of api.c, from the same cache), so a link pasted in
 * chat says what the page will show.  Every value is
 * HTML-escaped; run metadata is user input.
 */
#include "web.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_regress.h"
#include "compare.h"
#include "errbuf.h"
#include "og_image.h"
#include "parse_value.h"
#include "report.h"
#include "server.h"
#include "strbuf.h"
#include "template.h"
#include "web_assets.h"
#include "xalloc.h"
#include "banned.h"

#define CSP                                                                    \
	"default-src 'none'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; "          \
	"form-action 'self'; frame-ancestors 'none'"

#define ARROW "\xe2\x86\x92" /* U+2192 */

#define MAX_SEGMENTS 6

/* ---- embedded files ----------------------------------------------------- */

static const struct web_asset *asset_find(const char *name)
{
	for (size_t i = 0; i < web_assets_nr; i++)
		if (!strcmp(web_assets[i].name, name))
			return &web_assets[i];
	return NULL;
}

static const char *content_type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	return "application/octet-stream";
}

/*
 * /static/<version>/<name>.  Under the current version the content never
 * changes, so it is cached for a year; an older version's URL (a page
 * loaded before an upgrade) still gets today's file, revalidated.
 */
static void serve_static(const char *version, const char *name,
			 struct api_response *resp)
{
	const struct web_asset *a = asset_find(name);

	if (!a || !strncmp(name, "templates/", 10)) {
		api_error(resp, 404, "not_found", "no asset '%s'", name);
		return;
	}
	strbuf_add(&resp->body, a->data, a->len);
	resp->status = 200;
	resp->content_type = content_type_of(name);
	resp->cache = strcmp(version, web_assets_version) ? CACHE_REVALIDATE
							  : CACHE_IMMUTABLE;
}

/* ---- formatting --------------------------------------------------------- */

/*
 * The link previews' prose is templates/preview.txt; these put the values
 * it shows into its view, formatted.  Strings lose control characters, so
 * a value cannot break the template's lines.
 */
static void set_str(json_t *view, const char *key, const char *s)
{
	char *copy = xstrdup(s ? s : "");
	json_t *v;

	for (char *p = copy; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	v = json_string(copy);
	json_object_set_new(view, key, v ? v : json_string("(not UTF-8)"));
	free(copy);
}

/* 636364652 -> "636,364,652"; "-" when v is not an integer */
static void set_count(json_t *view, const char *key, json_t *v, bool sign)
{
	struct strbuf sb = STRBUF_INIT;
	json_int_t n;

	if (!json_is_integer(v)) {
		strbuf_adds(&sb, "-");
	} else {
		n = json_integer_value(v);
		if (n < 0)
			strbuf_addch(&sb, '-');
		else if (sign && n > 0)
			strbuf_addch(&sb, '+');
		format_thousands(&sb, n < 0 ? 0ull - (unsigned long long)n
					    : (unsigned long long)n);
	}
	set_str(view, key, sb.buf);
	strbuf_release(&sb);
}

/* -4.75292 -> "-4.75 %"; tiny deltas keep two significant digits */
static void set_pct(json_t *view, const char *key, json_t *v)
{
	struct strbuf sb = STRBUF_INIT;
	double p;

	if (!json_is_number(v)) {
		strbuf_adds(&sb, "n/a");
	} else {
		p = json_number_value(v);
		if (p != 0 && fabs(p) < 0.005)
			strbuf_addf(&sb, "%+.2g %%", p);
		else
			strbuf_addf(&sb, "%+.2f %%", p);
	}
	set_str(view, key, sb.buf);
	strbuf_release(&sb);
}

static const char *str_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* ---- pages -------------------------------------------------------------- */

struct page {
	const char *name; /* body data-page */
	unsigned status;
	struct strbuf heading, api;
	json_t *view; /* {"<kind>": {...}} for templates/preview.txt */
};

/* The object templates/preview.txt reads for this kind of page. */
static json_t *view_of(struct page *pg, const char *kind)
{
	json_t *v = json_object();

	json_decref(pg->view);
	pg->view = json_pack("{s:o}", kind, v);
	return v;
}

/*
 * The API call failed (j is NULL): make the shell say so (the page's
 * script shows the same message) and answer 404 / 400 as the API does;
 * 503 (still being analysed) is a 200 page that waits.
 */
static bool api_failed(struct page *pg, const json_t *j,
		       const struct api_err *err)
{
	json_t *v;

	if (j)
		return false;
	v = view_of(pg, "error");
	set_str(v, "heading", pg->heading.buf);
	set_str(v, "message", err->msg);
	pg->status =
		err->status == 404 || err->status == 400 ? err->status : 200;
	return true;
}

static void page_runs(struct server *srv, const struct api_request *req,
		      struct page *pg)
{
	const char *series = req->query(req->ctx, "series");
	struct api_err err;
	json_t *j, *v;

	if (series && !*series)
		series = NULL;
	pg->name = "runs";
	strbuf_adds(&pg->api, "/api/v1/runs");
	strbuf_adds(&pg->heading, "Runs");
	j = api_runs(srv, series, 0, 1, NULL, &err);
	if (!api_failed(pg, j, &err)) {
		v = view_of(pg, "runs");
		if (series)
			set_str(v, "series", series);
		set_count(v, "total", json_object_get(j, "total"), false);
	}
	json_decref(j);
}

static json_t *find_benchmark(json_t *benchmarks, const char *name)
{
	size_t i;
	json_t *b;

	json_array_foreach (benchmarks, i, b) {
		if (!strcmp(str_of(b, "name"), name))
			return b;
	}
	return NULL;
}

/*
 * The comparison's summary: geomean, suites, the counts of each change
 * (decided by analysis/compare.c at the comparison's threshold), totals.
 */
static void view_compare_summary(json_t *v, json_t *j)
{
	json_t *geo = json_object_get(j, "geomean"), *totals, *s, *g;
	json_t *changes = json_object_get(j, "changes");
	json_t *threshold = json_object_get(j, "threshold_pct");
	json_t *suites = json_array();
	size_t i;

	if (!json_is_object(geo)) {
		json_decref(suites);
		return;
	}
	g = json_object();
	set_pct(g, "pct", json_object_get(geo, "delta_pct"));
	set_count(g, "benchmarks", json_object_get(geo, "benchmarks"), false);
	json_array_foreach (json_object_get(j, "suites"), i, s) {
		json_t *e = json_object();

		set_str(e, "sep", i ? ", " : " (");
		set_str(e, "suite", str_of(s, "suite"));
		set_pct(e, "pct", json_object_get(s, "delta_pct"));
		json_array_append_new(suites, e);
	}
	json_object_set_new(g, "suites_end", json_boolean(i > 0));
	json_object_set_new(g, "suites", suites);
	json_object_set_new(v, "geomean", g);
	set_count(v, "regressed", json_object_get(changes, "regressed"), false);
	set_count(v, "improved", json_object_get(changes, "improved"), false);
	set_count(v, "unchanged", json_object_get(changes, "unchanged"), false);
	if (json_number_value(threshold) > 0) {
		char t[32];

		snprintf(t, sizeof(t), "%g", json_number_value(threshold));
		set_str(v, "threshold", t);
	}
	totals = json_object_get(j, "totals");
	set_count(v, "base_total", json_object_get(totals, "base_instructions"),
		  false);
	set_count(v, "new_total", json_object_get(totals, "new_instructions"),
		  false);
}

/*
 * Where a benchmark's delta comes from, for its link preview: the function
 * that moved most ("top"), or with ?function=F[&object=O] that function
 * ("function", which the page shows side by side).
 */
static void view_compare_function(struct server *srv, const char *base,
				  const char *new_id, const char *bench,
				  const char *name, const char *object,
				  json_t *bv)
{
	struct api_bench_opts opts = {.limit = name ? 0 : 1};
	struct api_err err;
	json_t *j, *f, *fv, *changed, *share;
	size_t i;

	j = api_compare_bench(srv, base, new_id, bench, &opts, NULL, &err);
	json_array_foreach (json_object_get(j, "functions"), i, f) {
		if (!name) {
			if (!json_integer_value(json_object_get(f, "delta")))
				break;
			fv = json_object();
			set_str(fv, "name", str_of(f, "name"));
			set_str(fv, "object", str_of(f, "object"));
			set_count(fv, "delta", json_object_get(f, "delta"),
				  true);
			json_object_set_new(bv, "top", fv);
			break;
		}
		if (strcmp(str_of(f, "name"), name) ||
		    (object && *object && strcmp(str_of(f, "object"), object)))
			continue;
		fv = json_object();
		set_str(fv, "name", name);
		set_str(fv, "object", str_of(f, "object"));
		set_count(fv, "base_count", json_object_get(f, "base"), false);
		set_count(fv, "new_count", json_object_get(f, "new"), false);
		set_count(fv, "delta", json_object_get(f, "delta"), true);
		share = json_object_get(f, "share_pct");
		if (json_is_number(share)) {
			char t[32];

			snprintf(t, sizeof(t), "%.2f",
				 json_number_value(share));
			set_str(fv, "share", t);
		}
		changed = json_object_get(f, "code_changed");
		json_object_set_new(fv, "code_changed",
				    json_boolean(json_is_true(changed)));
		json_object_set_new(fv, "same_code",
				    json_boolean(json_is_false(changed)));
		json_object_set_new(bv, "function", fv);
		break;
	}
	json_decref(j);
}

static void view_compare_worst(json_t *v, json_t *j);

static void page_compare(struct server *srv, const struct api_request *req,
			 const char *spec, const char *path_bench,
			 struct page *pg)
{
	const char *bench = req->query(req->ctx, "bench");
	const char *thr = req->query(req->ctx, "threshold");
	const char *fn = req->query(req->ctx, "function");
	struct api_compare_opts opts = {.threshold = COMPARE_THRESHOLD_PCT};
	struct api_err err;
	json_t *j = NULL, *b, *v;
	char *base = NULL, *new = NULL;

	if (!bench || !*bench)
		bench = path_bench;
	/* a bad threshold is the API's 400; the page shows the default */
	if (thr && parse_percent(thr, &opts.threshold, NULL) < 0)
		opts.threshold = COMPARE_THRESHOLD_PCT;
	/* /compare/<spec>/<bench> is the benchmark's own view (delta.js) */
	pg->name = path_bench ? "delta" : "compare";
	strbuf_addf(&pg->api, "/api/v1/compare/%s", spec);
	strbuf_adds(&pg->heading, "Compare");
	if (!api_split_compare(srv, spec, &base, &new)) {
		err.status = 400;
		snprintf(err.msg, sizeof(err.msg),
			 "expected /compare/<base>...<new>");
	} else {
		j = api_compare(srv, base, new, &opts, NULL, &err);
	}
	if (api_failed(pg, j, &err))
		goto out;
	strbuf_reset(&pg->heading);
	strbuf_addf(&pg->heading, "%s " ARROW " %s", base, new);
	v = view_of(pg, "compare");
	set_str(v, "base", base);
	set_str(v, "new", new);
	set_pct(v, "geomean_pct",
		json_object_get(json_object_get(j, "geomean"), "delta_pct"));
	b = bench ? find_benchmark(json_object_get(j, "benchmarks"), bench)
		  : NULL;
	if (b) {
		const char *in = str_of(b, "in");
		bool both = !strcmp(in, "both");
		json_t *bv = json_object();

		set_str(bv, "name", bench);
		json_object_set_new(bv, "in_both", json_boolean(both));
		set_str(bv, "side", in);
		set_pct(bv, "pct", json_object_get(b, "delta_pct"));
		set_count(bv, "base_count",
			  json_object_get(b, "base_instructions"), false);
		set_count(bv, "new_count",
			  json_object_get(b, "new_instructions"), false);
		set_count(bv, "delta", json_object_get(b, "delta"), true);
		if (both)
			view_compare_function(
				srv, base, new, bench,
				path_bench && fn && *fn ? fn : NULL,
				req->query(req->ctx, "object"), bv);
		if (both && path_bench && fn && *fn &&
		    !json_object_get(bv, "function"))
			/* no such function: name the one that moved most */
			view_compare_function(srv, base, new, bench, NULL, NULL,
					      bv);
		json_object_set_new(v, "bench", bv);
	}
	view_compare_summary(v, j);
	view_compare_worst(v, j);
out:
	json_decref(j);
	free(base);
	free(new);
}

static void page_run(struct server *srv, const char *id, struct page *pg)
{
	struct api_err err;
	json_t *j, *v, *series, *benchmarks;

	pg->name = "run";
	strbuf_addf(&pg->api, "/api/v1/runs/%s", id);
	strbuf_adds(&pg->heading, id);
	j = api_run(srv, id, NULL, &err);
	if (!api_failed(pg, j, &err)) {
		v = view_of(pg, "run");
		set_str(v, "id", id);
		series = json_object_get(j, "series");
		if (json_is_string(series))
			set_str(v, "series", json_string_value(series));
		set_count(v, "instructions", json_object_get(j, "instructions"),
			  false);
		benchmarks = json_object_get(j, "benchmarks");
		if (json_is_array(benchmarks))
			json_object_set_new(
				v, "benchmarks",
				json_integer((json_int_t)json_array_size(
					benchmarks)));
		else
			set_count(v, "benchmarks", benchmarks, false);
		set_str(v, "status", str_of(j, "status"));
	}
	json_decref(j);
}

static void page_benchmark(struct server *srv, const char *id,
			   const char *bench, struct page *pg)
{
	struct api_err err;
	json_t *j, *v, *top;

	pg->name = "benchmark";
	strbuf_addf(&pg->api, "/api/v1/runs/%s/benchmarks/%s", id, bench);
	strbuf_addf(&pg->heading, "%s in %s", bench, id);
	j = api_benchmark(srv, id, bench, 1, false, NULL, &err);
	if (!api_failed(pg, j, &err)) {
		v = view_of(pg, "benchmark");
		set_str(v, "name", bench);
		set_str(v, "run", id);
		set_count(v, "instructions", json_object_get(j, "instructions"),
			  false);
		set_count(v, "invocations", json_object_get(j, "invocations"),
			  false);
		json_object_set_new(v, "objects",
				    json_integer((json_int_t)json_array_size(
					    json_object_get(j, "objects"))));
		top = json_array_get(json_object_get(j, "functions"), 0);
		if (top) {
			json_t *t = json_object();

			set_str(t, "name", str_of(top, "name"));
			set_str(t, "object", str_of(top, "object"));
			set_count(t, "instructions",
				  json_object_get(top, "instructions"), false);
			json_object_set_new(v, "top", t);
		}
	}
	json_decref(j);
}

/* A history's "runs" and "steps" in view v; returns the number of runs. */
static size_t view_points(json_t *v, json_t *points)
{
	size_t i, steps = 0, nr = json_array_size(points);
	json_t *p;

	json_array_foreach (points, i, p) {
		steps += json_is_true(json_object_get(p, "step"));
	}
	json_object_set_new(v, "runs", json_integer((json_int_t)nr));
	json_object_set_new(v, "steps", json_integer((json_int_t)steps));
	return nr;
}

static void page_history(struct server *srv, const struct api_request *req,
			 const char *bench, struct page *pg)
{
	const char *series = req->query(req->ctx, "series");
	size_t nr;
	struct api_err err;
	json_t *j, *v, *points, *p;

	if (series && !*series)
		series = NULL;
	pg->name = "history";
	strbuf_addf(&pg->api, "/api/v1/history/%s", bench);
	strbuf_addf(&pg->heading, "%s history", bench);
	if (series)
		strbuf_addf(&pg->heading, " in series %s", series);
	j = api_history(srv, bench, series, NULL, &err);
	if (api_failed(pg, j, &err))
		goto out;
	v = view_of(pg, "history");
	set_str(v, "heading", pg->heading.buf);
	points = json_object_get(j, "points");
	nr = view_points(v, points);
	if (nr) {
		json_t *l = json_object();

		p = json_array_get(points, nr - 1);
		set_str(l, "run", str_of(p, "run"));
		set_count(l, "instructions", json_object_get(p, "instructions"),
			  false);
		json_object_set_new(v, "latest", l);
	}
out:
	json_decref(j);
}

/* ---- the dashboard's pages (issue #11) ---------------------------------- */

/* /history?series=S: the series over time (history.js draws it). */
static void page_series_history(struct server *srv,
				const struct api_request *req, struct page *pg)
{
	const char *series = req->query(req->ctx, "series");
	size_t nr;
	struct api_err err;
	json_t *j, *v, *points, *p;

	pg->name = "history";
	strbuf_adds(&pg->heading, "Series history");
	if (!series || !*series) {
		/* the page lists the series to pick from */
		strbuf_adds(&pg->api, "/api/v1/series");
		set_str(view_of(pg, "series_pick"), "heading", pg->heading.buf);
		return;
	}
	strbuf_addf(&pg->api, "/api/v1/series/%s/history", series);
	strbuf_reset(&pg->heading);
	strbuf_addf(&pg->heading, "Series %s over time", series);
	j = api_series_history(srv, series, NULL, &err);
	if (api_failed(pg, j, &err))
		goto out;
	v = view_of(pg, "series_history");
	set_str(v, "heading", pg->heading.buf);
	points = json_object_get(j, "points");
	nr = view_points(v, points);
	json_object_set_new(v, "benchmarks",
			    json_integer((json_int_t)json_array_size(
				    json_object_get(j, "benchmarks"))));
	if (nr > 1) {
		json_t *l = json_object();

		p = json_array_get(points, nr - 1);
		set_str(l, "run", str_of(p, "run"));
		set_pct(l, "pct", json_object_get(p, "geomean_pct"));
		set_str(l, "first", str_of(json_array_get(points, 0), "run"));
		json_object_set_new(v, "latest", l);
	}
out:
	json_decref(j);
}

/*
 * The worst regression of a comparison, for its link preview: the
 * regressed benchmark (as analysis/compare.c decided) with the largest
 * delta %.
 */
static void view_compare_worst(json_t *v, json_t *j)
{
	json_t *b, *worst = NULL;
	size_t i;

	json_array_foreach (json_object_get(j, "benchmarks"), i, b) {
		if (strcmp(str_of(b, "change"), "regressed"))
			continue;
		if (!worst ||
		    json_number_value(json_object_get(b, "delta_pct")) >
			    json_number_value(
				    json_object_get(worst, "delta_pct")))
			worst = b;
	}
	if (worst) {
		json_t *w = json_object();

		set_str(w, "name", str_of(worst, "name"));
		set_pct(w, "pct", json_object_get(worst, "delta_pct"));
		json_object_set_new(v, "worst", w);
	}
}

/* ---- regressions (api_regress.c) ---------------------------------------- */

static void page_regressions(struct server *srv, const struct api_request *req,
			     struct page *pg)
{
	const char *series = req->query(req->ctx, "series");
	const char *state = req->query(req->ctx, "state");
	struct api_err err;
	json_t *j, *v;

	if (series && !*series)
		series = NULL;
	if (state && !*state)
		state = NULL;
	pg->name = "regressions";
	strbuf_adds(&pg->api, "/api/v1/regressions");
	strbuf_adds(&pg->heading, "Regressions");
	if (series)
		strbuf_addf(&pg->heading, " in series %s", series);
	j = regress_find_list(srv, series, state, &err);
	if (api_failed(pg, j, &err))
		return;
	v = view_of(pg, "regressions");
	if (series)
		set_str(v, "series", series);
	set_str(v, "state", state ? state : "any");
	json_object_set_new(v, "total",
			    json_integer((json_int_t)json_array_size(j)));
	json_decref(j);
}

static void page_regression(struct server *srv, const char *id, struct page *pg)
{
	struct api_err err;
	json_t *j, *v, *top;

	pg->name = "regression";
	strbuf_addf(&pg->api, "/api/v1/regressions/%s", id);
	strbuf_addf(&pg->heading, "Regression #%s", id);
	j = regress_find(srv, id, &err);
	if (api_failed(pg, j, &err))
		return;
	strbuf_reset(&pg->heading);
	strbuf_addf(&pg->heading, "%s #%s in %s: %s " ARROW " %s",
		    strcmp(str_of(j, "kind"), "regression") ? "Improvement"
							    : "Regression",
		    id, str_of(j, "series"), str_of(j, "base"),
		    str_of(j, "new"));
	v = view_of(pg, "regression");
	set_str(v, "id", id);
	set_str(v, "kind",
		strcmp(str_of(j, "kind"), "regression") ? "Improvement"
							: "Regression");
	set_str(v, "series", str_of(j, "series"));
	set_str(v, "base", str_of(j, "base"));
	set_str(v, "new", str_of(j, "new"));
	set_str(v, "state", str_of(j, "state"));
	json_object_set_new(v, "benchmarks",
			    json_integer((json_int_t)json_array_size(
				    json_object_get(j, "changes"))));
	if (json_is_string(json_object_get(j, "looks_fixed_by")))
		set_str(v, "fixed_by", str_of(j, "looks_fixed_by"));
	top = json_object_get(j, "top");
	if (top) {
		json_t *t = json_object();

		set_str(t, "name", str_of(top, "benchmark"));
		set_str(t, "change", str_of(top, "change"));
		set_pct(t, "pct", json_object_get(top, "delta_pct"));
		set_count(t, "base", json_object_get(top, "base"), false);
		set_count(t, "new", json_object_get(top, "new"), false);
		set_count(t, "delta", json_object_get(top, "delta"), true);
		if (json_object_get(top, "function")) {
			json_t *f = json_object();

			set_str(f, "name", str_of(top, "function"));
			set_str(f, "object", str_of(top, "object"));
			set_count(f, "delta",
				  json_object_get(top, "function_delta"), true);
			json_object_set_new(t, "function", f);
		}
		json_object_set_new(v, "top", t);
	}
	json_decref(j);
}

/*
 * The title and description of a page: templates/preview.txt rendered
 * from its view, one "title: " and one "description: " line.
 */
static int render_preview(const struct page *pg, struct strbuf *title,
			  struct strbuf *description, struct errbuf *err)
{
	const struct web_asset *tpl = asset_find("templates/preview.txt");
	struct strbuf out = STRBUF_INIT;
	const char *line, *end;

	if (!tpl) /* the build embeds templates/: cannot happen */
		return errbuf_set(err, "templates/preview.txt missing");
	if (template_render(&out, (const char *)tpl->data, pg->view,
			    TEMPLATE_RAW, err) < 0) {
		strbuf_release(&out);
		return errbuf_prefix(err, "templates/preview.txt");
	}
	for (line = out.buf; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (!strncmp(line, "title: ", 7))
			strbuf_add(title, line + 7, (size_t)(end - line - 7));
		else if (!strncmp(line, "description: ", 13))
			strbuf_add(description, line + 13,
				   (size_t)(end - line - 13));
	}
	strbuf_release(&out);
	return 0;
}

static void render_page(struct page *pg, const char *url, const char *image,
			struct api_response *resp)
{
	const struct web_asset *tpl = asset_find("templates/page.html");
	struct strbuf assets = STRBUF_INIT, title = STRBUF_INIT;
	struct strbuf description = STRBUF_INIT;
	struct errbuf err;
	json_t *vars = NULL;

	/* the build embeds templates/: a failure here is a bug */
	if (!tpl || !pg->view ||
	    render_preview(pg, &title, &description, &err) < 0) {
		api_error(resp, 500, "internal", "%s",
			  tpl && pg->view ? err.msg : "page template missing");
		goto out;
	}
	strbuf_addf(&assets, "/static/%s", web_assets_version);
	/* every value is HTML-escaped by the template engine */
	vars = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "title",
			 title.len ? title.buf : pg->heading.buf, "heading",
			 pg->heading.buf, "description", description.buf,
			 "page", pg->name, "api",
			 pg->api.len ? pg->api.buf : "/api/v1/runs", "assets",
			 assets.buf, "url", url, "image", image);
	strbuf_reset(&resp->body);
	if (!vars || template_render(&resp->body, (const char *)tpl->data, vars,
				     TEMPLATE_HTML, &err) < 0) {
		api_error(resp, 500, "internal", "templates/page.html: %s",
			  vars ? err.msg : "not UTF-8");
		goto out;
	}
	resp->status = pg->status;
	resp->content_type = "text/html; charset=utf-8";
	resp->cache = pg->status == 200 ? CACHE_REVALIDATE : CACHE_NONE;
	resp->csp = CSP;
out:
	json_decref(vars);
	strbuf_release(&assets);
	strbuf_release(&title);
	strbuf_release(&description);
}

void web_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp)
{
	char *path = xstrdup(req->path);
	char *seg[MAX_SEGMENTS];
	struct page pg = {.name = "notfound", .status = 200};
	struct strbuf url = STRBUF_INIT, image = STRBUF_INIT;
	size_t n;

	if (og_image_path(req->path)) {
		og_image_handle(srv, req, resp); /* og_image.c */
		free(path);
		return;
	}
	strbuf_init(&pg.heading, 0);
	strbuf_init(&pg.api, 0);
	if (!route_split(path, seg, MAX_SEGMENTS, &n)) {
		n = 0;
		seg[0] = NULL;
		pg.status = 404;
	}
	if (n == 3 && !strcmp(seg[0], "static")) {
		serve_static(seg[1], seg[2], resp);
		goto out;
	}
	if (n == 2 && !strcmp(seg[0], "feeds") &&
	    !strcmp(seg[1], "regressions.atom")) {
		regress_feed(srv, req, resp); /* api_regress.c */
		goto out;
	}
	if (pg.status != 404 && n == 0)
		page_runs(srv, req, &pg);
	else if (n == 2 && !strcmp(seg[0], "compare"))
		page_compare(srv, req, seg[1], NULL, &pg);
	else if (n == 3 && !strcmp(seg[0], "compare"))
		page_compare(srv, req, seg[1], seg[2], &pg);
	else if (n == 2 && !strcmp(seg[0], "runs"))
		page_run(srv, seg[1], &pg);
	else if (n == 3 && !strcmp(seg[0], "runs"))
		page_benchmark(srv, seg[1], seg[2], &pg);
	else if (n == 1 && !strcmp(seg[0], "history"))
		page_series_history(srv, req, &pg);
	else if (n == 2 && !strcmp(seg[0], "history"))
		page_history(srv, req, seg[1], &pg);
	else if (n == 1 && !strcmp(seg[0], "regressions"))
		page_regressions(srv, req, &pg);
	else if (n == 2 && !strcmp(seg[0], "regressions"))
		page_regression(srv, seg[1], &pg);
	else {
		pg.status = 404;
		strbuf_adds(&pg.heading, "Not found");
		set_str(view_of(&pg, "notfound"), "path", req->path);
	}
	/* the link preview's picture, of pages that show something */
	og_page_url(&url, srv, req, false);
	if (pg.status == 200 && pg.view && !json_object_get(pg.view, "error"))
		og_page_url(&image, srv, req, true);
	render_page(&pg, url.buf, image.buf, resp);
	strbuf_release(&url);
	strbuf_release(&image);
	/* triage changes without the index changing: never cached */
	if (!strncmp(pg.name, "regression", 10))
		resp->cache = CACHE_NONE;
out:
	json_decref(pg.view);
	strbuf_release(&pg.heading);
	strbuf_release(&pg.api);
	free(path);
}
