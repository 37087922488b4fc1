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
#include "errbuf.h"
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

/* 636364652 -> "636,364,652"; "-" when v is not an integer */
static void add_count(struct strbuf *sb, json_t *v)
{
	json_int_t n;

	if (!json_is_integer(v)) {
		strbuf_adds(sb, "-");
		return;
	}
	n = json_integer_value(v);
	if (n < 0)
		strbuf_addch(sb, '-');
	format_thousands(sb, n < 0 ? 0ull - (unsigned long long)n
				   : (unsigned long long)n);
}

/* a delta: "+46", "-17,916,768", "0" */
static void add_signed(struct strbuf *sb, json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) > 0)
		strbuf_addch(sb, '+');
	add_count(sb, v);
}

/* -4.75292 -> "-4.75 %"; tiny deltas keep two significant digits */
static void add_pct(struct strbuf *sb, json_t *v)
{
	double p;

	if (!json_is_number(v)) {
		strbuf_adds(sb, "n/a");
		return;
	}
	p = json_number_value(v);
	if (p != 0 && fabs(p) < 0.005)
		strbuf_addf(sb, "%+.2g %%", p);
	else
		strbuf_addf(sb, "%+.2f %%", p);
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
	struct strbuf title, heading, description, api;
};

/*
 * The API call failed (j is NULL): make the shell say so (the page's
 * script shows the same message) and answer 404 / 400 as the API does;
 * 503 (still being analysed) is a 200 page that waits.
 */
static bool api_failed(struct page *pg, const json_t *j,
		       const struct api_err *err)
{
	if (j)
		return false;
	strbuf_reset(&pg->title);
	strbuf_addf(&pg->title, "%s: %s", pg->heading.buf, err->msg);
	strbuf_reset(&pg->description);
	strbuf_adds(&pg->description, err->msg);
	pg->status =
		err->status == 404 || err->status == 400 ? err->status : 200;
	return true;
}

static void page_runs(struct server *srv, const struct api_request *req,
		      struct page *pg)
{
	const char *series = req->query(req->ctx, "series");
	struct api_err err;
	json_t *j;

	if (series && !*series)
		series = NULL;
	pg->name = "runs";
	strbuf_adds(&pg->api, "/api/v1/runs");
	strbuf_adds(&pg->heading, "Runs");
	strbuf_adds(&pg->title, "tbscope: runs");
	if (series)
		strbuf_addf(&pg->title, " of series %s", series);
	j = api_runs(srv, series, 0, 1, NULL, &err);
	if (!api_failed(pg, j, &err)) {
		add_count(&pg->description, json_object_get(j, "total"));
		strbuf_adds(&pg->description, " runs");
		if (series)
			strbuf_addf(&pg->description, " in series %s", series);
		strbuf_adds(&pg->description,
			    ", newest first. Pick two to compare their exact "
			    "instruction counts.");
	}
	json_decref(j);
}

static json_t *find_benchmark(json_t *benchmarks, const char *name)
{
	size_t i;
	json_t *b;

	json_array_foreach(benchmarks, i,
			   b) if (!strcmp(str_of(b, "name"), name)) return b;
	return NULL;
}

static void describe_compare(struct strbuf *sb, json_t *j, double threshold)
{
	json_t *geo = json_object_get(j, "geomean"), *totals, *b, *s;
	size_t i, up = 0, down = 0, same = 0;

	if (!json_is_object(geo)) {
		strbuf_adds(sb, "No benchmark is in both runs.");
		return;
	}
	strbuf_adds(sb, "Geomean ");
	add_pct(sb, json_object_get(geo, "delta_pct"));
	strbuf_adds(sb, " over ");
	add_count(sb, json_object_get(geo, "benchmarks"));
	strbuf_adds(sb, " benchmarks");
	json_array_foreach(json_object_get(j, "suites"), i, s)
	{
		strbuf_adds(sb, i ? ", " : " (");
		strbuf_addf(sb, "%s ", str_of(s, "suite"));
		add_pct(sb, json_object_get(s, "delta_pct"));
	}
	if (i)
		strbuf_addch(sb, ')');
	json_array_foreach(json_object_get(j, "benchmarks"), i, b)
	{
		json_t *p = json_object_get(b, "delta_pct");

		if (!json_is_number(p))
			continue;
		if (json_number_value(p) > threshold)
			up++;
		else if (json_number_value(p) < -threshold)
			down++;
		else
			same++;
	}
	strbuf_addf(sb, "; %zu regressed, %zu improved, %zu unchanged", up,
		    down, same);
	if (threshold > 0)
		strbuf_addf(sb, " at %g %%", threshold);
	totals = json_object_get(j, "totals");
	strbuf_adds(sb, ". Total ");
	add_count(sb, json_object_get(totals, "base_instructions"));
	strbuf_adds(sb, " " ARROW " ");
	add_count(sb, json_object_get(totals, "new_instructions"));
	strbuf_adds(sb, " instructions.");
}

/*
 * Where a benchmark's delta comes from, for its link preview: the function
 * that moved most, from GET /api/v1/compare/<spec>/<bench>.
 */
static void describe_top_function(struct server *srv, const char *base,
				  const char *new_id, const char *bench,
				  struct strbuf *sb)
{
	struct api_bench_opts opts = {.limit = 1};
	struct api_err err;
	json_t *j, *f;

	j = api_compare_bench(srv, base, new_id, bench, &opts, NULL, &err);
	f = json_array_get(json_object_get(j, "functions"), 0);
	if (f && json_integer_value(json_object_get(f, "delta"))) {
		strbuf_addf(sb, "Largest change: %s (%s) ", str_of(f, "name"),
			    str_of(f, "object"));
		add_signed(sb, json_object_get(f, "delta"));
		strbuf_adds(sb, ". ");
	}
	json_decref(j);
}

/*
 * The function a /compare/<spec>/<bench>?function=F[&object=O] page shows
 * side by side, for its link preview: "main (612.matmul_r): 90,429,240 ->
 * 72,512,472 (-17,916,768, 100.00 % of the delta), code changed."  False
 * when the comparison has no such function.
 */
static bool describe_function(struct server *srv, const char *base,
			      const char *new_id, const char *bench,
			      const char *name, const char *object,
			      struct strbuf *sb)
{
	struct api_bench_opts opts = {.limit = 0};
	struct api_err err;
	json_t *j, *f, *share, *changed;
	bool found = false;
	size_t i;

	j = api_compare_bench(srv, base, new_id, bench, &opts, NULL, &err);
	if (!j)
		goto out;
	json_array_foreach(json_object_get(j, "functions"), i, f)
	{
		if (strcmp(str_of(f, "name"), name) ||
		    (object && *object && strcmp(str_of(f, "object"), object)))
			continue;
		strbuf_addf(sb, "%s (%s): ", name, str_of(f, "object"));
		add_count(sb, json_object_get(f, "base"));
		strbuf_adds(sb, " " ARROW " ");
		add_count(sb, json_object_get(f, "new"));
		strbuf_adds(sb, " (");
		add_signed(sb, json_object_get(f, "delta"));
		share = json_object_get(f, "share_pct");
		if (json_is_number(share))
			strbuf_addf(sb, ", %.2f %% of the delta",
				    json_number_value(share));
		strbuf_adds(sb, ")");
		changed = json_object_get(f, "code_changed");
		if (json_is_boolean(changed))
			strbuf_adds(sb, json_is_true(changed) ? ", code changed"
							      : ", same code");
		strbuf_adds(sb, ". ");
		found = true;
		break;
	}
out:
	json_decref(j);
	return found;
}

static void page_compare(struct server *srv, const struct api_request *req,
			 const char *spec, const char *path_bench,
			 struct page *pg)
{
	const char *bench = req->query(req->ctx, "bench");
	const char *thr = req->query(req->ctx, "threshold");
	const char *fn = req->query(req->ctx, "function");
	struct api_compare_opts opts = {.objects = false, .threshold = 0.5};
	struct strbuf path = STRBUF_INIT;
	double threshold = 0;
	struct api_err err;
	json_t *j = NULL, *b;
	char *base = NULL, *new = NULL;

	if (!bench || !*bench)
		bench = path_bench;
	if (thr) {
		char *end;

		threshold = strtod(thr, &end);
		if (*end || !(threshold >= 0))
			threshold = 0;
	}
	/* /compare/<spec>/<bench> is the benchmark's own view (delta.js) */
	pg->name = path_bench ? "delta" : "compare";
	strbuf_addf(&path, "/api/v1/compare/%s", spec);
	strbuf_adds(&pg->api, path.buf);
	strbuf_adds(&pg->heading, "Compare");
	strbuf_release(&path);
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
	b = bench ? find_benchmark(json_object_get(j, "benchmarks"), bench)
		  : NULL;
	if (b) {
		const char *in = str_of(b, "in");

		strbuf_addf(&pg->title, "%s ", bench);
		if (!strcmp(in, "both"))
			add_pct(&pg->title, json_object_get(b, "delta_pct"));
		else
			strbuf_addf(&pg->title, "only in %s", in);
		strbuf_addf(&pg->title, ": %s " ARROW " %s", base, new);
		strbuf_addf(&pg->description, "%s: ", bench);
		add_count(&pg->description,
			  json_object_get(b, "base_instructions"));
		strbuf_adds(&pg->description, " " ARROW " ");
		add_count(&pg->description,
			  json_object_get(b, "new_instructions"));
		strbuf_adds(&pg->description, " instructions (");
		add_signed(&pg->description, json_object_get(b, "delta"));
		strbuf_adds(&pg->description, "). ");
		if (path_bench && fn && *fn && !strcmp(in, "both") &&
		    describe_function(srv, base, new, bench, fn,
				      req->query(req->ctx, "object"),
				      &pg->description))
			strbuf_addf(&pg->title, " \xc2\xb7 %s", fn);
		else if (!strcmp(in, "both"))
			describe_top_function(srv, base, new, bench,
					      &pg->description);
	} else {
		strbuf_addf(&pg->title, "%s " ARROW " %s: geomean ", base, new);
		add_pct(&pg->title,
			json_object_get(json_object_get(j, "geomean"),
					"delta_pct"));
	}
	describe_compare(&pg->description, j, threshold);
out:
	json_decref(j);
	free(base);
	free(new);
}

static void page_run(struct server *srv, const char *id, struct page *pg)
{
	struct strbuf path = STRBUF_INIT;
	struct api_err err;
	json_t *j;

	pg->name = "run";
	strbuf_addf(&path, "/api/v1/runs/%s", id);
	strbuf_adds(&pg->api, path.buf);
	strbuf_adds(&pg->heading, id);
	j = api_run(srv, id, NULL, &err);
	strbuf_release(&path);
	if (!api_failed(pg, j, &err)) {
		json_t *series = json_object_get(j, "series"), *benchmarks;

		strbuf_addf(&pg->title, "%s: run", id);
		if (json_is_string(series))
			strbuf_addf(&pg->title, " in series %s",
				    json_string_value(series));
		add_count(&pg->description, json_object_get(j, "instructions"));
		strbuf_adds(&pg->description, " instructions in ");
		benchmarks = json_object_get(j, "benchmarks");
		if (json_is_array(benchmarks))
			strbuf_addf(&pg->description, "%zu",
				    json_array_size(benchmarks));
		else
			add_count(&pg->description, benchmarks);
		strbuf_addf(&pg->description, " benchmarks, status %s.",
			    str_of(j, "status"));
	}
	json_decref(j);
}

static void page_benchmark(struct server *srv, const char *id,
			   const char *bench, struct page *pg)
{
	struct strbuf path = STRBUF_INIT;
	struct api_err err;
	json_t *j;

	pg->name = "benchmark";
	strbuf_addf(&path, "/api/v1/runs/%s/benchmarks/%s", id, bench);
	strbuf_adds(&pg->api, path.buf);
	strbuf_addf(&pg->heading, "%s in %s", bench, id);
	j = api_benchmark(srv, id, bench, 1, false, NULL, &err);
	strbuf_release(&path);
	if (!api_failed(pg, j, &err)) {
		json_t *top =
			json_array_get(json_object_get(j, "functions"), 0);

		strbuf_addf(&pg->title, "%s in %s: ", bench, id);
		add_count(&pg->title, json_object_get(j, "instructions"));
		strbuf_adds(&pg->title, " instructions");
		add_count(&pg->description, json_object_get(j, "instructions"));
		strbuf_adds(&pg->description, " instructions; invocations: ");
		add_count(&pg->description, json_object_get(j, "invocations"));
		strbuf_addf(&pg->description, ", objects: %zu",
			    json_array_size(json_object_get(j, "objects")));
		if (top) {
			strbuf_addf(&pg->description,
				    "; hottest function %s (%s) ",
				    str_of(top, "name"), str_of(top, "object"));
			add_count(&pg->description,
				  json_object_get(top, "instructions"));
		}
		strbuf_addch(&pg->description, '.');
	}
	json_decref(j);
}

static void page_history(struct server *srv, const struct api_request *req,
			 const char *bench, struct page *pg)
{
	const char *series = req->query(req->ctx, "series");
	struct strbuf path = STRBUF_INIT;
	size_t i, steps = 0, nr;
	struct api_err err;
	json_t *j, *points, *p;

	if (series && !*series)
		series = NULL;
	pg->name = "history";
	strbuf_addf(&path, "/api/v1/history/%s", bench);
	strbuf_adds(&pg->api, path.buf);
	strbuf_addf(&pg->heading, "%s history", bench);
	if (series)
		strbuf_addf(&pg->heading, " in series %s", series);
	j = api_history(srv, bench, series, NULL, &err);
	strbuf_release(&path);
	if (api_failed(pg, j, &err))
		goto out;
	strbuf_addf(&pg->title, "%s", pg->heading.buf);
	points = json_object_get(j, "points");
	nr = json_array_size(points);
	json_array_foreach(points, i, p) steps +=
		json_is_true(json_object_get(p, "step"));
	strbuf_addf(&pg->description, "%zu runs, %zu steps", nr, steps);
	if (nr) {
		p = json_array_get(points, nr - 1);
		strbuf_addf(&pg->description,
			    "; latest %s: ", str_of(p, "run"));
		add_count(&pg->description, json_object_get(p, "instructions"));
		strbuf_adds(&pg->description, " instructions");
	}
	strbuf_addch(&pg->description, '.');
out:
	json_decref(j);
}

static void render_page(struct page *pg, struct api_response *resp)
{
	const struct web_asset *tpl = asset_find("templates/page.html");
	struct strbuf assets = STRBUF_INIT;

	if (!tpl) { /* the build embeds templates/: cannot happen */
		api_error(resp, 500, "internal", "templates/page.html missing");
		return;
	}
	strbuf_addf(&assets, "/static/%s", web_assets_version);
	{
		/* every value is HTML-escaped by the template engine */
		json_t *vars = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s}", "title",
			pg->title.len ? pg->title.buf : pg->heading.buf,
			"heading", pg->heading.buf, "description",
			pg->description.buf, "page", pg->name, "api",
			pg->api.len ? pg->api.buf : "/api/v1/runs", "assets",
			assets.buf);
		struct errbuf err;

		strbuf_reset(&resp->body);
		if (!vars ||
		    template_render(&resp->body, (const char *)tpl->data, vars,
				    TEMPLATE_HTML, &err) < 0) {
			json_decref(vars);
			strbuf_release(&assets);
			api_error(resp, 500, "internal",
				  "templates/page.html: %s",
				  vars ? err.msg : "not UTF-8");
			return;
		}
		json_decref(vars);
	}
	strbuf_release(&assets);
	resp->status = pg->status;
	resp->content_type = "text/html; charset=utf-8";
	resp->cache = pg->status == 200 ? CACHE_REVALIDATE : CACHE_NONE;
	resp->csp = CSP;
}

void web_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp)
{
	char *path = xstrdup(req->path);
	char *seg[MAX_SEGMENTS];
	struct page pg = {.name = "notfound", .status = 200};
	size_t n;

	strbuf_init(&pg.title, 0);
	strbuf_init(&pg.heading, 0);
	strbuf_init(&pg.description, 0);
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
	else if (n == 2 && !strcmp(seg[0], "history"))
		page_history(srv, req, seg[1], &pg);
	else {
		pg.status = 404;
		strbuf_adds(&pg.heading, "Not found");
		strbuf_addf(&pg.description, "There is no page at %s.",
			    req->path);
	}
	render_page(&pg, resp);
out:
	strbuf_release(&pg.title);
	strbuf_release(&pg.heading);
	strbuf_release(&pg.description);
	strbuf_release(&pg.api);
	free(path);
}
