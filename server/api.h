/* SPDX-License-Identifier: MIT */
/*
 * api: the server's answers as functions.  Each entry point takes typed
 * arguments, reads the index through the catalog and returns a JSON value
 * built by analysis/json_view.c: the JSON routes (api_routes.c) serialise
 * it, the pages (web.c) read it for their titles and link previews, and
 * both share one cache below these functions (keyed by the arguments and
 * the index generation), so a page and its JSON twin analyse a run once.
 *
 * Returned values are new references that may be shared with other
 * threads: read them, json_decref() them, never modify them.  *policy
 * (may be NULL) says how long the answer stays true.  On failure the
 * functions return NULL (or -1) and fill *err with the HTTP status, an
 * error code and a message.
 */
#ifndef SERVER_API_H
#define SERVER_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "response.h"

struct server;
struct strbuf;

struct api_err {
	unsigned status;      /* 400, 404, 409, 500, 503 */
	const char *code;     /* "bad_request", "not_found", "not_ready", ... */
	unsigned retry_after; /* seconds, with 503 */
	char msg[512];
};

/* Fill *resp with the error *err describes. */
void api_response_error(struct api_response *resp, const struct api_err *err);

/* GET /api/v1/runs: newest first; series NULL for all. */
json_t *api_runs(struct server *srv, const char *series, size_t offset,
		 size_t limit, enum cache_policy *policy, struct api_err *err);

/* GET /api/v1/runs/ID: the run, with its benchmarks once it is ready. */
json_t *api_run(struct server *srv, const char *id, enum cache_policy *policy,
		struct api_err *err);

/*
 * GET /api/v1/runs/ID/benchmarks/BENCH: totals, objects, invocations and
 * the `limit` hottest functions (0: all); functions_only gives the
 * .../functions answer instead.
 */
json_t *api_benchmark(struct server *srv, const char *id, const char *bench,
		      size_t limit, bool functions_only,
		      enum cache_policy *policy, struct api_err *err);

/* A function of a benchmark, as ?function=NAME&object=OBJ names it. */
struct api_function {
	const char *name;   /* NULL: none, the whole benchmark */
	const char *object; /* NULL: any object */
};

/* .../blocks (the `limit` hottest) or .../mix, of one function or all. */
json_t *api_blocks(struct server *srv, const char *id, const char *bench,
		   const struct api_function *fn, size_t limit,
		   enum cache_policy *policy, struct api_err *err);
json_t *api_mix(struct server *srv, const char *id, const char *bench,
		const struct api_function *fn, enum cache_policy *policy,
		struct api_err *err);

struct api_compare_opts {
	bool objects;	  /* per-object columns */
	double threshold; /* |delta %| above it is a change (compare.h) */
};

/*
 * Split "<base>...<new>" into two run ids (run ids may hold dots: the
 * split that names two known runs wins).  False when there is no "...".
 */
bool api_split_compare(struct server *srv, const char *spec, char **base,
		       char **new_id);

/* GET /api/v1/compare/BASE...NEW */
json_t *api_compare(struct server *srv, const char *base, const char *new_id,
		    const struct api_compare_opts *opts,
		    enum cache_policy *policy, struct api_err *err);

/*
 * The same comparison as text, CSV or Markdown (format != REPORT_JSON),
 * appended to *out.  Returns 0, or -1 with *err.
 */
int api_compare_report(struct server *srv, const char *base, const char *new_id,
		       const struct api_compare_opts *opts,
		       enum report_format format, struct strbuf *out,
		       enum cache_policy *policy, struct api_err *err);

struct api_bench_opts {
	size_t limit;		/* functions listed by |delta| */
	struct api_function fn; /* with a name: its blocks side by side */
};

/* GET /api/v1/compare/BASE...NEW/BENCH, as JSON or (text) as text. */
json_t *api_compare_bench(struct server *srv, const char *base,
			  const char *new_id, const char *bench,
			  const struct api_bench_opts *opts,
			  enum cache_policy *policy, struct api_err *err);
int api_compare_bench_text(struct server *srv, const char *base,
			   const char *new_id, const char *bench,
			   const struct api_bench_opts *opts,
			   struct strbuf *out, enum cache_policy *policy,
			   struct api_err *err);

/*
 * GET /api/v1/history/BENCH?series=S.  Series NULL: every ready run, each
 * stepping only from the previous run of its own series, and "lines", one
 * per series.  404 for an unknown series or a benchmark no run has.
 */
json_t *api_history(struct server *srv, const char *bench, const char *series,
		    enum cache_policy *policy, struct api_err *err);

/*
 * The Markdown comparison of run `new_id` against the previous ready run
 * of its series (for upload answers).  Returns false when there is none;
 * otherwise fills *base_id (free it) and appends to *md.
 */
bool api_markdown_vs_previous(struct server *srv, const char *new_id,
			      char **base_id, struct strbuf *md);

/*
 * The pure part of api_split_compare(): the first split of spec at "..."
 * into two valid run ids that known() accepts, else the first split at
 * "..." whatever it names (for the error message).  False when spec has
 * no "...".  *base and *new_id are the caller's to free.
 */
bool api_split_range(const char *spec, bool (*known)(void *ctx, const char *id),
		     void *ctx, char **base, char **new_id);

/* Handle a GET under /api/v1/ (api_routes.c). */
void api_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp);

/* ---- the dashboard (issue #11) ------------------------------------------ */

/*
 * GET /api/v1/changes?series=S: the runs of api_runs(), each with
 * "previous" (index_previous_run(), or null) and "vs_previous": a summary
 * of the comparison with it (geomean_pct, changes, totals, worst, best,
 * top: the changed benchmarks by |delta %|), or null.
 */
json_t *api_changes(struct server *srv, const char *series, size_t offset,
		    size_t limit, enum cache_policy *policy,
		    struct api_err *err);

/*
 * GET /api/v1/series: every named series, newest first, with the change
 * of its newest ready run against the one before ("latest_change").
 */
json_t *api_series_list(struct server *srv, enum cache_policy *policy,
			struct api_err *err);

/* GET /api/v1/runs/ID/neighbours: the run, its previous and next run. */
json_t *api_neighbours(struct server *srv, const char *id,
		       enum cache_policy *policy, struct api_err *err);

/*
 * GET /api/v1/series/S/history: the series' geomean against its first
 * run over time, each benchmark's delta % against it, and the steps.
 * 404 for a series without runs.
 */
json_t *api_series_history(struct server *srv, const char *series,
			   enum cache_policy *policy, struct api_err *err);

/* ---- the rate timeline (issue #12) -------------------------------------- */

/*
 * GET /api/v1/runs/ID/benchmarks/BENCH/rate: the instruction-rate
 * timelines of the benchmark's invocations (rate.h's json_rate()), with
 * "run"; "invocations" is empty when none was recorded with --rate.
 */
json_t *api_rate(struct server *srv, const char *id, const char *bench,
		 enum cache_policy *policy, struct api_err *err);

#endif
