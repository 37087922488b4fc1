/* SPDX-License-Identifier: MIT */
/*
 * The link-preview pictures (og_image.h): each page's figures are put
 * into a small chart model (a title, a subtitle, a note, and bars or
 * lines), which one drawing function renders with cairo and cairo encodes
 * as PNG.
 */
#include "og_image.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_regress.h"
#include "compare.h"
#include "config.h"
#include "parse_value.h"
#include "report.h"
#include "server.h"
#include "sort.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

#define ARROW	 "\xe2\x86\x92" /* U+2192 */
#define MINUS	 "\xe2\x88\x92" /* U+2212 */
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */
#define MIDDOT	 " \xc2\xb7 "	/* U+00B7 */

#define MAX_BARS 8
#define MAX_NAME 160 /* bytes of a name measured before it is cut */
#define FONT	 "DejaVu Sans"

/* ---- the chart model ---------------------------------------------------- */

enum tone { TONE_NEUTRAL, TONE_BAD, TONE_GOOD };

struct bar {
	char *label, *text; /* owned */
	double value;
	enum tone tone;
};

struct point {
	size_t x; /* position among the chart's nx */
	double y;
	enum tone mark; /* a step: up (bad) or down (good) */
	bool step;
};

struct line {
	struct point *p;
	size_t nr, alloc;
};

enum y_format { Y_COUNT, Y_PCT };

struct chart {
	struct strbuf title, subtitle, note;
	enum tone note_tone;
	struct bar *bars;
	size_t bars_nr, bars_alloc;
	size_t more; /* rows not shown */
	const char *more_what;
	struct line *lines;
	size_t lines_nr, lines_alloc;
	size_t nx;
	char *x_first, *x_last; /* labels of the first and last x */
	enum y_format y_format;
};

static void chart_init(struct chart *c)
{
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->title, 0);
	strbuf_init(&c->subtitle, 0);
	strbuf_init(&c->note, 0);
	c->more_what = "more";
}

static void chart_release(struct chart *c)
{
	for (size_t i = 0; i < c->bars_nr; i++) {
		free(c->bars[i].label);
		free(c->bars[i].text);
	}
	free(c->bars);
	for (size_t i = 0; i < c->lines_nr; i++)
		free(c->lines[i].p);
	free(c->lines);
	free(c->x_first);
	free(c->x_last);
	strbuf_release(&c->title);
	strbuf_release(&c->subtitle);
	strbuf_release(&c->note);
}

static void add_bar(struct chart *c, const char *label, double value,
		    const char *text, enum tone tone)
{
	struct bar *b;

	ALLOC_GROW(c->bars, c->bars_nr + 1, c->bars_alloc);
	b = &c->bars[c->bars_nr++];
	b->label = xstrdup(label);
	b->text = xstrdup(text);
	b->value = isfinite(value) ? value : 0;
	b->tone = tone;
}

static struct line *add_line(struct chart *c)
{
	ALLOC_GROW(c->lines, c->lines_nr + 1, c->lines_alloc);
	memset(&c->lines[c->lines_nr], 0, sizeof(struct line));
	return &c->lines[c->lines_nr++];
}

/* A step is marked by its direction: more instructions is worse. */
static void add_point(struct line *l, size_t x, double y, bool step)
{
	struct point *p;

	if (!isfinite(y))
		return;
	ALLOC_GROW(l->p, l->nr + 1, l->alloc);
	p = &l->p[l->nr++];
	p->x = x;
	p->y = y;
	p->step = step;
	p->mark = l->nr > 1 && y > l->p[l->nr - 2].y ? TONE_BAD : TONE_GOOD;
}

/* ---- formatting --------------------------------------------------------- */

static const char *str_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static double num_of(json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

/* "+3.55 %", with U+2212 for minus; tiny deltas keep two digits */
static void add_pct(struct strbuf *sb, double p)
{
	char t[64];

	if (!isfinite(p)) {
		strbuf_adds(sb, "n/a");
		return;
	}
	snprintf(t, sizeof(t), p != 0 && fabs(p) < 0.005 ? "%.2g" : "%.2f",
		 fabs(p));
	strbuf_adds(sb, p < 0 ? MINUS : p > 0 ? "+" : "");
	strbuf_addf(sb, "%s %%", t);
}

/* 115065868 -> "115,065,868", signed with sign */
static void add_count(struct strbuf *sb, json_t *v, bool sign)
{
	json_int_t n = json_integer_value(v);

	if (!json_is_integer(v)) {
		strbuf_adds(sb, "-");
		return;
	}
	if (n < 0)
		strbuf_adds(sb, MINUS);
	else if (sign && n > 0)
		strbuf_addch(sb, '+');
	format_thousands(sb, n < 0 ? 0ull - (unsigned long long)n
				   : (unsigned long long)n);
}

/* 115065868 -> "115.1M": an axis label */
static void add_compact(struct strbuf *sb, double v)
{
	static const char *const unit[] = {"", "k", "M", "G", "T", "P"};
	size_t u = 0;
	double a = fabs(v);

	while (a >= 1000 && u + 1 < sizeof(unit) / sizeof(*unit)) {
		a /= 1000;
		u++;
	}
	strbuf_addf(sb, "%s%.*f%s", v < 0 ? MINUS : "", a < 10 && u ? 2 : 1, a,
		    unit[u]);
}

static enum tone tone_of_change(const char *change)
{
	if (!strcmp(change, "regressed"))
		return TONE_BAD;
	if (!strcmp(change, "improved"))
		return TONE_GOOD;
	return TONE_NEUTRAL;
}

/* ---- the pictures' figures ---------------------------------------------- */

static int by_abs_pct(const void *a, const void *b)
{
	double x = fabs(num_of(*(json_t *const *)a, "delta_pct"));
	double y = fabs(num_of(*(json_t *const *)b, "delta_pct"));

	return (x < y) - (x > y);
}

/*
 * Rows (JSON objects with name_key, "delta_pct" and "change") as bars
 * of their delta %, the largest |delta %| first, `worst` among them.
 */
static void pct_bars(struct chart *c, json_t *rows, const char *name_key,
		     json_t *worst)
{
	size_t nr = 0, i, shown;
	json_t **v = xcalloc(json_array_size(rows) + 1, sizeof(*v)), *r;
	struct strbuf t = STRBUF_INIT;
	bool has_worst = false;

	json_array_foreach (rows, i, r) {
		if (json_is_number(json_object_get(r, "delta_pct")))
			v[nr++] = r;
	}
	sort_n(v, nr, sizeof(*v), by_abs_pct);
	shown = nr < MAX_BARS ? nr : MAX_BARS;
	for (i = 0; i < shown; i++)
		has_worst |= v[i] == worst;
	if (worst && !has_worst && shown)
		v[shown - 1] = worst;
	for (i = 0; i < shown; i++) {
		strbuf_reset(&t);
		add_pct(&t, num_of(v[i], "delta_pct"));
		add_bar(c, str_of(v[i], name_key), num_of(v[i], "delta_pct"),
			t.buf, tone_of_change(str_of(v[i], "change")));
	}
	c->more = nr - shown;
	strbuf_release(&t);
	free(v);
}

static void og_compare(struct server *srv, const struct api_request *req,
		       const char *base, const char *new_id, struct chart *c,
		       struct api_err *err, enum cache_policy *policy)
{
	const char *thr = req->query(req->ctx, "threshold");
	struct api_compare_opts opts = {.threshold = COMPARE_THRESHOLD_PCT};
	json_t *j, *b, *worst = NULL, *ch;
	size_t i;

	if (thr && parse_percent(thr, &opts.threshold, NULL) < 0)
		opts.threshold = COMPARE_THRESHOLD_PCT;
	j = api_compare(srv, base, new_id, &opts, policy, err);
	if (!j)
		return;
	json_array_foreach (json_object_get(j, "benchmarks"), i, b) {
		if (strcmp(str_of(b, "change"), "regressed"))
			continue;
		if (!worst ||
		    num_of(b, "delta_pct") > num_of(worst, "delta_pct"))
			worst = b;
	}
	strbuf_addf(&c->title, "%s " ARROW " %s", base, new_id);
	if (json_is_object(json_object_get(j, "geomean"))) {
		strbuf_adds(&c->subtitle, "geomean ");
		add_pct(&c->subtitle,
			num_of(json_object_get(j, "geomean"), "delta_pct"));
		ch = json_object_get(j, "changes");
		strbuf_addf(&c->subtitle,
			    MIDDOT "%lld regressed, %lld improved, %lld "
				   "unchanged",
			    (long long)json_integer_value(
				    json_object_get(ch, "regressed")),
			    (long long)json_integer_value(
				    json_object_get(ch, "improved")),
			    (long long)json_integer_value(
				    json_object_get(ch, "unchanged")));
	} else {
		strbuf_adds(&c->subtitle, "no benchmark is in both runs");
	}
	if (worst) {
		strbuf_addf(&c->note, "worst: %s ", str_of(worst, "name"));
		add_pct(&c->note, num_of(worst, "delta_pct"));
		c->note_tone = TONE_BAD;
	} else if (json_array_size(json_object_get(j, "benchmarks"))) {
		strbuf_adds(&c->note, "no regression");
		c->note_tone = TONE_GOOD;
	}
	pct_bars(c, json_object_get(j, "benchmarks"), "name", worst);
	c->more_what = "more benchmarks";
	json_decref(j);
}

/* /compare/B...N/BENCH: the functions that moved most */
static void og_delta(struct server *srv, const char *base, const char *new_id,
		     const char *bench, struct chart *c, struct api_err *err,
		     enum cache_policy *policy)
{
	struct api_bench_opts opts = {.limit = MAX_BARS};
	struct strbuf label = STRBUF_INIT, t = STRBUF_INIT;
	json_t *j, *f;
	size_t i;

	j = api_compare_bench(srv, base, new_id, bench, &opts, policy, err);
	if (!j)
		return;
	strbuf_addf(&c->title, "%s: %s " ARROW " %s", bench, base, new_id);
	add_count(&c->subtitle,
		  json_object_get(json_object_get(j, "base"), "instructions"),
		  false);
	strbuf_adds(&c->subtitle, " " ARROW " ");
	add_count(&c->subtitle,
		  json_object_get(json_object_get(j, "new"), "instructions"),
		  false);
	strbuf_adds(&c->subtitle, " instructions (");
	add_pct(&c->subtitle, num_of(j, "delta_pct"));
	strbuf_adds(&c->subtitle, ")");
	json_array_foreach (json_object_get(j, "functions"), i, f) {
		json_t *d = json_object_get(f, "delta");

		if (!json_integer_value(d))
			break; /* by |delta|: the rest did not move */
		if (i == 0) {
			strbuf_addf(&c->note, "largest: %s ",
				    str_of(f, "name"));
			add_count(&c->note, d, true);
			c->note_tone = json_integer_value(d) > 0 ? TONE_BAD
								 : TONE_GOOD;
		}
		strbuf_reset(&label);
		strbuf_reset(&t);
		strbuf_addf(&label, "%s (%s)", str_of(f, "name"),
			    str_of(f, "object"));
		add_count(&t, d, true);
		add_bar(c, label.buf, (double)json_integer_value(d), t.buf,
			json_integer_value(d) > 0   ? TONE_BAD
			: json_integer_value(d) < 0 ? TONE_GOOD
						    : TONE_NEUTRAL);
	}
	strbuf_release(&label);
	strbuf_release(&t);
	json_decref(j);
}

static int by_instructions(const void *a, const void *b)
{
	double x = num_of(*(json_t *const *)a, "instructions");
	double y = num_of(*(json_t *const *)b, "instructions");

	return (x < y) - (x > y);
}

/* Bars of rows' "instructions", the largest first. */
static void count_bars(struct chart *c, json_t *rows, bool with_object)
{
	size_t nr = json_array_size(rows), i, shown;
	json_t **v = xcalloc(nr + 1, sizeof(*v));
	struct strbuf label = STRBUF_INIT, t = STRBUF_INIT;

	for (i = 0; i < nr; i++)
		v[i] = json_array_get(rows, i);
	sort_n(v, nr, sizeof(*v), by_instructions);
	shown = nr < MAX_BARS ? nr : MAX_BARS;
	for (i = 0; i < shown; i++) {
		strbuf_reset(&label);
		strbuf_reset(&t);
		strbuf_adds(&label, str_of(v[i], "name"));
		if (with_object)
			strbuf_addf(&label, " (%s)", str_of(v[i], "object"));
		add_count(&t, json_object_get(v[i], "instructions"), false);
		add_bar(c, label.buf, num_of(v[i], "instructions"), t.buf,
			TONE_NEUTRAL);
	}
	c->more = nr - shown;
	strbuf_release(&label);
	strbuf_release(&t);
	free(v);
}

static void og_run(struct server *srv, const char *id, struct chart *c,
		   struct api_err *err, enum cache_policy *policy)
{
	json_t *j = api_run(srv, id, policy, err), *benchmarks;

	if (!j)
		return;
	strbuf_addf(&c->title, "run %s", id);
	if (json_is_string(json_object_get(j, "series")))
		strbuf_addf(&c->title, MIDDOT "series %s", str_of(j, "series"));
	benchmarks = json_object_get(j, "benchmarks");
	add_count(&c->subtitle, json_object_get(j, "instructions"), false);
	strbuf_addf(&c->subtitle, " instructions in %zu benchmarks",
		    json_array_size(benchmarks));
	if (strcmp(str_of(j, "status"), "ready"))
		strbuf_addf(&c->note, "status: %s", str_of(j, "status"));
	count_bars(c, benchmarks, false);
	c->more_what = "more benchmarks";
	json_decref(j);
}

static void og_benchmark(struct server *srv, const char *id, const char *bench,
			 struct chart *c, struct api_err *err,
			 enum cache_policy *policy)
{
	json_t *j = api_benchmark(srv, id, bench, MAX_BARS, false, policy, err);

	if (!j)
		return;
	strbuf_addf(&c->title, "%s in %s", bench, id);
	add_count(&c->subtitle, json_object_get(j, "instructions"), false);
	strbuf_adds(&c->subtitle, " instructions in ");
	add_count(&c->subtitle, json_object_get(j, "invocations"), false);
	strbuf_adds(&c->subtitle, " invocations");
	strbuf_adds(&c->note, "hottest functions");
	count_bars(c, json_object_get(j, "functions"), true);
	c->more = 0;
	json_decref(j);
}

/*
 * Lines from history points: lines[] (each with "points") or one line of
 * points, placed by their run's index in points; y_key their value.
 */
static void history_lines(struct chart *c, json_t *points, json_t *lines,
			  const char *y_key)
{
	size_t i, k, x, nr = json_array_size(points);
	json_t *p, *l, *q;
	struct line *line;

	c->nx = nr;
	if (nr) {
		c->x_first = xstrdup(str_of(json_array_get(points, 0), "run"));
		c->x_last =
			xstrdup(str_of(json_array_get(points, nr - 1), "run"));
	}
	if (!json_array_size(lines)) {
		line = add_line(c);
		json_array_foreach (points, i, p) {
			add_point(line, i, num_of(p, y_key),
				  json_is_true(json_object_get(p, "step")));
		}
		return;
	}
	json_array_foreach (lines, k, l) {
		line = add_line(c);
		x = 0;
		json_array_foreach (json_object_get(l, "points"), i, q) {
			/* the lines' points are the points', in order */
			while (x < nr &&
			       strcmp(str_of(json_array_get(points, x), "run"),
				      str_of(q, "run")))
				x++;
			if (x == nr)
				break;
			add_point(line, x, num_of(q, y_key),
				  json_is_true(json_object_get(q, "step")));
		}
	}
}

static size_t count_steps(json_t *points)
{
	size_t i, steps = 0;
	json_t *p;

	json_array_foreach (points, i, p) {
		steps += json_is_true(json_object_get(p, "step"));
	}
	return steps;
}

static void og_history(struct server *srv, const struct api_request *req,
		       const char *bench, struct chart *c, struct api_err *err,
		       enum cache_policy *policy)
{
	const char *series = req->query(req->ctx, "series");
	json_t *j, *points, *last;
	size_t nr;

	if (series && !*series)
		series = NULL;
	j = api_history(srv, bench, series, policy, err);
	if (!j)
		return;
	points = json_object_get(j, "points");
	nr = json_array_size(points);
	strbuf_addf(&c->title, "%s history", bench);
	if (series)
		strbuf_addf(&c->title, " in series %s", series);
	strbuf_addf(&c->subtitle, "%zu runs, %zu steps", nr,
		    count_steps(points));
	last = json_array_get(points, nr ? nr - 1 : 0);
	if (last) {
		strbuf_addf(&c->note, "latest %s: ", str_of(last, "run"));
		add_count(&c->note, json_object_get(last, "instructions"),
			  false);
		strbuf_adds(&c->note, " instructions");
	}
	history_lines(c, points, series ? NULL : json_object_get(j, "lines"),
		      "instructions");
	c->y_format = Y_COUNT;
	json_decref(j);
}

static void og_series_history(struct server *srv, const char *series,
			      struct chart *c, struct api_err *err,
			      enum cache_policy *policy)
{
	json_t *j = api_series_history(srv, series, policy, err), *points;
	size_t nr;

	if (!j)
		return;
	points = json_object_get(j, "points");
	nr = json_array_size(points);
	strbuf_addf(&c->title, "series %s over time", series);
	strbuf_addf(&c->subtitle, "%zu runs, %zu steps, %zu benchmarks", nr,
		    count_steps(points),
		    json_array_size(json_object_get(j, "benchmarks")));
	if (nr > 1) {
		strbuf_addf(&c->note, "geomean ");
		add_pct(&c->note,
			num_of(json_array_get(points, nr - 1), "geomean_pct"));
		strbuf_addf(&c->note, " from %s to %s",
			    str_of(json_array_get(points, 0), "run"),
			    str_of(json_array_get(points, nr - 1), "run"));
	}
	history_lines(c, points, NULL, "geomean_pct");
	c->y_format = Y_PCT;
	json_decref(j);
}

/* /history: the series, each with its latest change */
static void og_series_list(struct server *srv, struct chart *c,
			   struct api_err *err, enum cache_policy *policy)
{
	json_t *j = api_series_list(srv, policy, err), *s, *lc;
	struct strbuf t = STRBUF_INIT;
	size_t i;

	if (!j)
		return;
	strbuf_adds(&c->title, "series history");
	strbuf_addf(&c->subtitle, "%zu series; latest change of each",
		    json_array_size(json_object_get(j, "series")));
	json_array_foreach (json_object_get(j, "series"), i, s) {
		if (i == MAX_BARS) {
			c->more =
				json_array_size(json_object_get(j, "series")) -
				MAX_BARS;
			break;
		}
		lc = json_object_get(s, "latest_change");
		strbuf_reset(&t);
		add_pct(&t, num_of(lc, "geomean_pct"));
		add_bar(c, str_of(s, "name"), num_of(lc, "geomean_pct"),
			json_is_object(lc) ? t.buf : "one run",
			num_of(lc, "geomean_pct") > 0	? TONE_BAD
			: num_of(lc, "geomean_pct") < 0 ? TONE_GOOD
							: TONE_NEUTRAL);
	}
	c->more_what = "more series";
	strbuf_release(&t);
	json_decref(j);
}

/* /: the newest runs, each against the previous run of its series */
static void og_runs(struct server *srv, const struct api_request *req,
		    struct chart *c, struct api_err *err,
		    enum cache_policy *policy)
{
	const char *series = req->query(req->ctx, "series");
	json_t *j, *r, *vs;
	struct strbuf label = STRBUF_INIT, t = STRBUF_INIT;
	size_t i;

	if (series && !*series)
		series = NULL;
	j = api_changes(srv, series, 0, MAX_BARS, policy, err);
	if (!j)
		return;
	strbuf_adds(&c->title, "tbscope: runs");
	if (series)
		strbuf_addf(&c->title, " of series %s", series);
	add_count(&c->subtitle, json_object_get(j, "total"), false);
	strbuf_adds(&c->subtitle, " runs; the newest, each against the "
				  "previous run of its series");
	json_array_foreach (json_object_get(j, "runs"), i, r) {
		vs = json_object_get(r, "vs_previous");
		strbuf_reset(&label);
		strbuf_reset(&t);
		strbuf_adds(&label, str_of(r, "id"));
		if (json_is_string(json_object_get(r, "series")))
			strbuf_addf(&label, " (%s)", str_of(r, "series"));
		if (json_is_object(vs))
			add_pct(&t, num_of(vs, "geomean_pct"));
		else
			strbuf_adds(&t, str_of(r, "status"));
		add_bar(c, label.buf, num_of(vs, "geomean_pct"), t.buf,
			num_of(vs, "geomean_pct") > 0	? TONE_BAD
			: num_of(vs, "geomean_pct") < 0 ? TONE_GOOD
							: TONE_NEUTRAL);
	}
	c->more = (size_t)json_integer_value(json_object_get(j, "total")) >
				  c->bars_nr
			  ? (size_t)json_integer_value(
				    json_object_get(j, "total")) -
				    c->bars_nr
			  : 0;
	c->more_what = "older runs";
	strbuf_release(&label);
	strbuf_release(&t);
	json_decref(j);
}

static void og_regressions(struct server *srv, const struct api_request *req,
			   struct chart *c, struct api_err *err)
{
	const char *series = req->query(req->ctx, "series");
	const char *state = req->query(req->ctx, "state");
	json_t *j, *r, *top;
	struct strbuf label = STRBUF_INIT, t = STRBUF_INIT;
	size_t i;

	j = regress_find_list(srv, series && *series ? series : NULL,
			      state && *state ? state : NULL, err);
	if (!j)
		return;
	strbuf_adds(&c->title, "tbscope: regressions");
	if (series && *series)
		strbuf_addf(&c->title, " in series %s", series);
	strbuf_addf(&c->subtitle,
		    "%zu regressions and improvements (state: %s)",
		    json_array_size(j), state && *state ? state : "any");
	json_array_foreach (j, i, r) {
		if (i == MAX_BARS) {
			c->more = json_array_size(j) - MAX_BARS;
			break;
		}
		top = json_object_get(r, "top");
		strbuf_reset(&label);
		strbuf_reset(&t);
		strbuf_addf(
			&label, "#%lld %s: %s",
			(long long)json_integer_value(json_object_get(r, "id")),
			str_of(r, "series"), str_of(top, "benchmark"));
		add_pct(&t, num_of(top, "delta_pct"));
		add_bar(c, label.buf, num_of(top, "delta_pct"), t.buf,
			tone_of_change(str_of(top, "change")));
	}
	c->more_what = "more";
	strbuf_release(&label);
	strbuf_release(&t);
	json_decref(j);
}

static void og_regression(struct server *srv, const char *id, struct chart *c,
			  struct api_err *err)
{
	json_t *j = regress_find(srv, id, err), *top;

	if (!j)
		return;
	strbuf_addf(&c->title, "%s #%s in %s: %s " ARROW " %s",
		    strcmp(str_of(j, "kind"), "regression") ? "Improvement"
							    : "Regression",
		    id, str_of(j, "series"), str_of(j, "base"),
		    str_of(j, "new"));
	strbuf_addf(&c->subtitle, "%zu benchmarks changed",
		    json_array_size(json_object_get(j, "changes")));
	top = json_object_get(j, "top");
	if (top) {
		strbuf_addf(&c->note, "largest: %s ", str_of(top, "benchmark"));
		add_pct(&c->note, num_of(top, "delta_pct"));
		c->note_tone = tone_of_change(str_of(top, "change"));
	}
	pct_bars(c, json_object_get(j, "changes"), "benchmark", NULL);
	c->more_what = "more benchmarks";
	json_decref(j);
}

/* ---- drawing ------------------------------------------------------------ */

static void set_rgb(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 255) / 255.0,
			     ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0);
}

#define C_BG	  0xffffff
#define C_TEXT	  0x1b1f24
#define C_MUTED	  0x4b5563
#define C_GRID	  0xd0d7de
#define C_ACCENT  0x2457a6
#define C_BAD	  0xc62828
#define C_GOOD	  0x2e7d32
#define C_NEUTRAL 0x2457a6

static unsigned tone_rgb(enum tone t)
{
	return t == TONE_BAD ? C_BAD : t == TONE_GOOD ? C_GOOD : C_NEUTRAL;
}

/* The length of the valid UTF-8 sequence at s (0: not one). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned min;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, min = 0x80, cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, min = 0x800, cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, min = 0x10000, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * s as text cairo accepts: valid UTF-8, control characters and broken
 * sequences as '?', at most MAX_NAME bytes (then an ellipsis).
 */
static void clean_text(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (out->len >= MAX_NAME) {
			strbuf_adds(out, ELLIPSIS);
			return;
		}
		n = utf8_len(p);
		if (!n || *p < 0x20 || *p == 0x7f) {
			strbuf_addch(out, '?');
			p++;
			continue;
		}
		strbuf_add(out, p, n);
		p += n;
	}
}

static double text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

/*
 * Draw s at (x, y) (the baseline; right-aligned at x when right), cut
 * with an ellipsis to max_w pixels.
 */
static void draw_text(cairo_t *cr, double x, double y, double size, bool bold,
		      unsigned rgb, const char *s, double max_w, bool right)
{
	struct strbuf full = STRBUF_INIT, t = STRBUF_INIT;
	size_t keep;

	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD
				    : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	clean_text(&full, s);
	strbuf_add(&t, full.buf, full.len);
	keep = full.len;
	while (keep && text_width(cr, t.buf) > max_w) {
		/* one character less, and an ellipsis */
		keep--;
		while (keep && ((unsigned char)full.buf[keep] & 0xc0) == 0x80)
			keep--;
		strbuf_reset(&t);
		strbuf_add(&t, full.buf, keep);
		strbuf_adds(&t, ELLIPSIS);
	}
	set_rgb(cr, rgb);
	cairo_move_to(cr, right ? x - text_width(cr, t.buf) : x, y);
	cairo_show_text(cr, t.buf);
	strbuf_release(&t);
	strbuf_release(&full);
}

#define PAD   48.0
#define TOP   196.0 /* the chart area, below the title lines */
#define BASE  574.0
#define RIGHT (OG_IMAGE_WIDTH - PAD)

static void draw_bars(cairo_t *cr, const struct chart *c)
{
	const double lx = PAD, lw = 400, bx = 470, bw = 470;
	const double vx = RIGHT;
	double lo = 0, hi = 0, row, bar, zx, y, x1;
	size_t i;

	for (i = 0; i < c->bars_nr; i++) {
		lo = fmin(lo, c->bars[i].value);
		hi = fmax(hi, c->bars[i].value);
	}
	if (hi - lo <= 0)
		hi = lo + 1;
	row = fmin(48, (BASE - TOP) / (double)(c->bars_nr ? c->bars_nr : 1));
	bar = row * 0.62;
	zx = bx + (0 - lo) / (hi - lo) * bw;
	for (i = 0; i < c->bars_nr; i++) {
		const struct bar *b = &c->bars[i];

		y = TOP + row * (double)i;
		draw_text(cr, lx, y + row / 2 + 8, 23, false, C_TEXT, b->label,
			  lw, false);
		x1 = bx + (b->value - lo) / (hi - lo) * bw;
		if (b->value != 0 && fabs(x1 - zx) < 2)
			x1 = zx + (b->value > 0 ? 2 : -2);
		set_rgb(cr, tone_rgb(b->tone));
		cairo_rectangle(cr, fmin(zx, x1), y + (row - bar) / 2,
				fabs(x1 - zx), bar);
		cairo_fill(cr);
		draw_text(cr, vx, y + row / 2 + 8, 23, true, tone_rgb(b->tone),
			  b->text, 250, true);
	}
	set_rgb(cr, C_MUTED);
	cairo_set_line_width(cr, 2);
	cairo_move_to(cr, zx, TOP - 4);
	cairo_line_to(cr, zx, TOP + row * (double)c->bars_nr + 4);
	cairo_stroke(cr);
}

static void add_y(struct strbuf *sb, enum y_format f, double v)
{
	if (f == Y_PCT)
		add_pct(sb, v);
	else
		add_compact(sb, v);
}

static void draw_lines(cairo_t *cr, const struct chart *c)
{
	const double x0 = 200, x1 = RIGHT - 20, y0 = TOP + 10, y1 = BASE - 40;
	double lo = INFINITY, hi = -INFINITY, px, py;
	struct strbuf t = STRBUF_INIT;
	size_t i, k;

	for (k = 0; k < c->lines_nr; k++)
		for (i = 0; i < c->lines[k].nr; i++) {
			lo = fmin(lo, c->lines[k].p[i].y);
			hi = fmax(hi, c->lines[k].p[i].y);
		}
	if (!isfinite(lo))
		lo = hi = 0;
	if (hi - lo < fmax(1e-9, fabs(hi) * 1e-6)) {
		double d = fabs(hi) > 0 ? fabs(hi) * 0.05 : 1;

		lo -= d;
		hi += d;
	}
#define X_OF(x)                                                                \
	(c->nx > 1 ? x0 + (x1 - x0) * (double)(x) / (double)(c->nx - 1)        \
		   : (x0 + x1) / 2)
#define Y_OF(v) (y1 - ((v)-lo) / (hi - lo) * (y1 - y0))
	/* three grid lines, labelled */
	for (i = 0; i < 3; i++) {
		double v = lo + (hi - lo) * (double)i / 2;

		set_rgb(cr, C_GRID);
		cairo_set_line_width(cr, 1);
		cairo_move_to(cr, x0 - 10, Y_OF(v));
		cairo_line_to(cr, x1 + 10, Y_OF(v));
		cairo_stroke(cr);
		strbuf_reset(&t);
		add_y(&t, c->y_format, v);
		draw_text(cr, x0 - 20, Y_OF(v) + 8, 22, false, C_MUTED, t.buf,
			  x0 - PAD - 20, true);
	}
	for (k = 0; k < c->lines_nr; k++) {
		const struct line *l = &c->lines[k];

		set_rgb(cr, C_ACCENT);
		cairo_set_line_width(cr, 4);
		cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
		for (i = 0; i < l->nr; i++) {
			px = X_OF(l->p[i].x);
			py = Y_OF(l->p[i].y);
			if (i)
				cairo_line_to(cr, px, py);
			else
				cairo_move_to(cr, px, py);
		}
		cairo_stroke(cr);
		for (i = 0; i < l->nr; i++) {
			const struct point *p = &l->p[i];

			set_rgb(cr, p->step ? tone_rgb(p->mark) : C_ACCENT);
			cairo_arc(cr, X_OF(p->x), Y_OF(p->y), p->step ? 9 : 5,
				  0, 2 * 3.14159265358979);
			cairo_fill(cr);
		}
	}
#undef X_OF
#undef Y_OF
	if (c->x_first)
		draw_text(cr, x0, BASE, 22, false, C_MUTED, c->x_first,
			  (x1 - x0) / 2 - 20, false);
	if (c->x_last && c->nx > 1)
		draw_text(cr, x1, BASE, 22, false, C_MUTED, c->x_last,
			  (x1 - x0) / 2 - 20, true);
	strbuf_release(&t);
}

static cairo_status_t png_write(void *closure, const unsigned char *data,
				unsigned int length)
{
	strbuf_add(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

/* Draw chart c and encode it into *png; -1 when cairo failed. */
static int draw_chart(const struct chart *c, struct strbuf *png)
{
	cairo_surface_t *s = cairo_image_surface_create(
		CAIRO_FORMAT_RGB24, OG_IMAGE_WIDTH, OG_IMAGE_HEIGHT);
	cairo_t *cr = cairo_create(s);
	struct strbuf t = STRBUF_INIT;
	cairo_status_t st;

	set_rgb(cr, C_BG);
	cairo_paint(cr);
	set_rgb(cr, C_ACCENT);
	cairo_rectangle(cr, 0, 0, OG_IMAGE_WIDTH, 10);
	cairo_fill(cr);
	draw_text(cr, PAD, 72, 40, true, C_TEXT, c->title.buf, RIGHT - PAD,
		  false);
	draw_text(cr, PAD, 118, 26, false, C_MUTED, c->subtitle.buf,
		  RIGHT - PAD, false);
	draw_text(cr, PAD, 160, 26, true,
		  c->note_tone == TONE_NEUTRAL ? C_TEXT
					       : tone_rgb(c->note_tone),
		  c->note.buf, RIGHT - PAD, false);
	if (c->lines_nr)
		draw_lines(cr, c);
	else
		draw_bars(cr, c);
	if (c->more) {
		strbuf_addf(&t, ELLIPSIS " and %zu %s", c->more, c->more_what);
		draw_text(cr, PAD, OG_IMAGE_HEIGHT - 24, 22, false, C_MUTED,
			  t.buf, 700, false);
	}
	draw_text(cr, RIGHT, OG_IMAGE_HEIGHT - 24, 22, true, C_ACCENT,
		  "tbscope", 200, true);
	cairo_surface_flush(s);
	st = cairo_status(cr);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_write_to_png_stream(s, png_write, png);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	strbuf_release(&t);
	return st == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

/* ---- routing ------------------------------------------------------------ */

bool og_image_path(const char *path)
{
	return !strcmp(path, "/og") || !strncmp(path, "/og/", 4);
}

#define MAX_SEGMENTS 4

void og_image_handle(struct server *srv, const struct api_request *req,
		     struct api_response *resp)
{
	char *path = xstrdup(*(req->path + 3) ? req->path + 3 : "/");
	char *seg[MAX_SEGMENTS], *base = NULL, *new_id = NULL;
	struct api_err err = {.status = 404, .code = "not_found"};
	enum cache_policy policy = CACHE_REVALIDATE;
	struct chart c;
	size_t n;
	bool routed = true;

	chart_init(&c);
	snprintf(err.msg, sizeof(err.msg), "no image at %s", req->path);
	if (!route_split(path, seg, MAX_SEGMENTS, &n))
		routed = false;
	else if (n == 0)
		og_runs(srv, req, &c, &err, &policy);
	else if ((n == 2 || n == 3) && !strcmp(seg[0], "compare")) {
		if (!api_split_compare(srv, seg[1], &base, &new_id)) {
			err.status = 400;
			err.code = "bad_request";
			snprintf(err.msg, sizeof(err.msg),
				 "expected /og/compare/<base>...<new>");
		} else if (n == 2) {
			og_compare(srv, req, base, new_id, &c, &err, &policy);
		} else {
			og_delta(srv, base, new_id, seg[2], &c, &err, &policy);
		}
	} else if (n == 2 && !strcmp(seg[0], "runs"))
		og_run(srv, seg[1], &c, &err, &policy);
	else if (n == 3 && !strcmp(seg[0], "runs"))
		og_benchmark(srv, seg[1], seg[2], &c, &err, &policy);
	else if (n == 1 && !strcmp(seg[0], "history")) {
		const char *series = req->query(req->ctx, "series");

		if (series && *series)
			og_series_history(srv, series, &c, &err, &policy);
		else
			og_series_list(srv, &c, &err, &policy);
	} else if (n == 2 && !strcmp(seg[0], "history"))
		og_history(srv, req, seg[1], &c, &err, &policy);
	else if (n == 1 && !strcmp(seg[0], "regressions"))
		og_regressions(srv, req, &c, &err);
	else if (n == 2 && !strcmp(seg[0], "regressions"))
		og_regression(srv, seg[1], &c, &err);
	else
		routed = false;
	/* every figure function sets a title when its API call succeeded */
	if (!routed || !c.title.len) {
		api_response_error(resp, &err);
	} else if (draw_chart(&c, &resp->body) < 0) {
		strbuf_reset(&resp->body);
		api_error(resp, 500, "internal", "cannot draw %s", req->path);
	} else {
		resp->status = 200;
		resp->content_type = "image/png";
		resp->cache = policy;
	}
	chart_release(&c);
	free(base);
	free(new_id);
	free(path);
}

void og_image_release(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}

/* ---- URLs --------------------------------------------------------------- */

/* s percent-encoded, '/' kept when path */
static void add_encoded(struct strbuf *sb, const char *s, bool path)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~' || (path && ch == '/')) {
			strbuf_addch(sb, (char)ch);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[ch >> 4]);
			strbuf_addch(sb, hex[ch & 15]);
		}
	}
}

void og_page_url(struct strbuf *out, const struct server *srv,
		 const struct api_request *req, bool image)
{
	/* the parameters that refine a page (DESIGN.md: part of its URL) */
	static const char *const keys[] = {"series",   "threshold", "bench",
					   "function", "object",    "state"};
	const char *base = srv->cfg->public_url ? srv->cfg->public_url : "";
	const char *v;
	char sep = '?';
	size_t len = strlen(base);

	strbuf_add(out, base, len && base[len - 1] == '/' ? len - 1 : len);
	if (image)
		strbuf_adds(out, "/og");
	add_encoded(out, req->path, true);
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		v = req->query(req->ctx, keys[i]);
		if (!v || !*v)
			continue;
		/* the image of a benchmark's panel is its comparison's */
		if (image && strcmp(keys[i], "series") &&
		    strcmp(keys[i], "threshold") && strcmp(keys[i], "state"))
			continue;
		strbuf_addf(out, "%c%s=", sep, keys[i]);
		add_encoded(out, v, false);
		sep = '&';
	}
}
