/* SPDX-License-Identifier: MIT */
#include "api.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_diff.h"
#include "cache.h"
#include "catalog.h"
#include "compare.h"
#include "config.h"
#include "errbuf.h"
#include "index.h"
#include "json_view.h"
#include "report.h"
#include "run.h"
#include "server.h"
#include "xalloc.h"
#include "banned.h"

/* The typed answers kept: slots, and bytes (JSON measured serialised). */
#define RESULT_SLOTS 1024
#define RESULT_BYTES (256u << 20)

void server_init(struct server *srv, const struct server_config *cfg,
		 struct catalog *cat)
{
	srv->cfg = cfg;
	srv->cat = cat;
	srv->results = cache_new(RESULT_SLOTS, RESULT_BYTES);
}

void server_release(struct server *srv)
{
	cache_free(srv->results);
	srv->results = NULL;
}

static int fail(struct api_err *err, unsigned status, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct api_err *err, unsigned status, const char *code,
		const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->code = code;
	err->retry_after = status == 503 ? 2 : 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void api_response_error(struct api_response *resp, const struct api_err *err)
{
	api_error(resp, err->status, err->code, "%s", err->msg);
	resp->retry_after = err->retry_after;
}

/* ---- the cache below the entry points ----------------------------------- */

/*
 * A cache key from typed arguments: each one length-prefixed (NULL is
 * "-"), so two different argument lists never share a key.
 */
static void key_add(struct strbuf *key, const char *s)
{
	if (!s) {
		strbuf_adds(key, "-;");
		return;
	}
	strbuf_addf(key, "%zu:%s;", strlen(s), s);
}

static void key_addu(struct strbuf *key, unsigned long long v)
{
	strbuf_addf(key, "%llu;", v);
}

/* A cached JSON answer for key, or NULL. */
static json_t *cached_json(struct server *srv, const struct strbuf *key,
			   uint64_t gen, enum cache_policy *policy)
{
	struct cache_entry e;
	json_t *j;

	if (!cache_get(srv->results, key->buf, key->len, gen, &e))
		return NULL;
	if (policy)
		*policy = e.policy;
	j = e.json;
	e.json = NULL;
	cache_entry_release(&e);
	return j;
}

/* Keep j for key, when it can be: answers that may change are not kept. */
static void keep_json(struct server *srv, const struct strbuf *key,
		      uint64_t gen, json_t *j, enum cache_policy policy)
{
	struct cache_entry e = {.json = j, .policy = policy, .status = 200};

	if (policy == CACHE_NONE)
		return;
	e.size = json_dumpb(j, NULL, 0, JSON_VIEW_DUMP_FLAGS);
	cache_put(srv->results, key->buf, key->len, gen, &e);
}

static bool cached_text(struct server *srv, const struct strbuf *key,
			uint64_t gen, struct strbuf *out,
			enum cache_policy *policy)
{
	struct cache_entry e;

	if (!cache_get(srv->results, key->buf, key->len, gen, &e))
		return false;
	strbuf_add(out, e.body, e.len);
	if (policy)
		*policy = e.policy;
	cache_entry_release(&e);
	return true;
}

static void keep_text(struct server *srv, const struct strbuf *key,
		      uint64_t gen, const char *text, size_t len,
		      enum cache_policy policy)
{
	struct cache_entry e = {.body = (char *)text,
				.len = len,
				.size = len,
				.policy = policy,
				.status = 200};

	if (policy != CACHE_NONE)
		cache_put(srv->results, key->buf, key->len, gen, &e);
}

/* ---- loading runs ------------------------------------------------------- */

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

static struct index *get_index(struct server *srv, struct api_err *err)
{
	struct errbuf e;
	struct index *idx = catalog_get(srv->cat, &e);

	if (!idx)
		fail(err, 500, "internal", "%s", e.msg);
	return idx;
}

/*
 * Load run `id` (only benchmark `only`, when not NULL).  Fails with 404
 * unknown, 503 still being analysed, 409 failed, 500.
 */
static int load_ready(struct index *idx, const char *id, unsigned flags,
		      const char *only, struct loaded *l, struct api_err *err)
{
	struct errbuf e;
	int rc;

	if (!api_name_ok(id))
		return fail(err, 400, "bad_request", "'%s' is not a run id",
			    id);
	rc = index_get_run(idx, id, &l->info, &e);
	if (rc < 0)
		return fail(err, 500, "internal", "%s", e.msg);
	if (!rc)
		return fail(err, 404, "not_found", "no run '%s'", id);
	l->have_info = true;
	if (l->info.status == INDEX_FAILED)
		return fail(err, 409, "run_failed",
			    "run '%s' could not be analysed: %s", id,
			    l->info.error ? l->info.error : "unknown error");
	if (l->info.status != INDEX_READY)
		return fail(err, 503, "not_ready",
			    "run '%s' is being analysed (%llu of %llu files)",
			    id, (unsigned long long)l->info.progress_done,
			    (unsigned long long)l->info.progress_total);
	rc = index_load_run(idx, id, flags, only, &l->run, &e);
	if (rc < 0)
		return fail(err, 500, "internal", "%s", e.msg);
	if (!rc)
		return fail(err, 503, "not_ready", "run '%s' is being analysed",
			    id);
	l->have_run = true;
	return 0;
}

/* load_ready() for one benchmark; a 404 when the run does not have it. */
static int load_bench(struct index *idx, const char *id, const char *bench,
		      unsigned flags, struct loaded *l, struct api_err *err)
{
	if (load_ready(idx, id, flags, bench, l, err) < 0)
		return -1;
	if (!l->run.nr_benchmarks)
		return fail(err, 404, "not_found",
			    "no benchmark '%s' in run '%s'", bench, id);
	return 0;
}

static enum cache_policy policy_for(struct server *srv, const struct loaded *a,
				    const struct loaded *b)
{
	bool imm = catalog_immutable(srv->cat, a->info.root) &&
		   (!b || catalog_immutable(srv->cat, b->info.root));

	return imm ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
}

static void set_policy(enum cache_policy *out, enum cache_policy p)
{
	if (out)
		*out = p;
}

/* ---- the entry points --------------------------------------------------- */

json_t *api_runs(struct server *srv, const char *series, size_t offset,
		 size_t limit, enum cache_policy *policy, struct api_err *err)
{
	struct index *idx = get_index(srv, err);
	struct index_run *runs;
	struct errbuf e;
	size_t nr, total;
	json_t *arr;

	if (!idx)
		return NULL;
	if (series && !*series)
		series = NULL;
	if (index_list_runs(idx, series, offset, limit, &runs, &nr, &total,
			    &e) < 0) {
		catalog_put(srv->cat, idx);
		fail(err, 500, "internal", "%s", e.msg);
		return NULL;
	}
	catalog_put(srv->cat, idx);
	arr = json_array();
	for (size_t i = 0; i < nr; i++)
		json_array_append_new(arr, json_index_run(&runs[i]));
	index_runs_free(runs, nr);
	set_policy(policy, CACHE_NONE);
	return json_pack("{s:o, s:I, s:I, s:I}", "runs", arr, "total",
			 (json_int_t)total, "offset", (json_int_t)offset,
			 "limit", (json_int_t)limit);
}

json_t *api_run(struct server *srv, const char *id, enum cache_policy *policy,
		struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT;
	struct loaded l = {0};
	struct index *idx = NULL;
	struct errbuf e;
	json_t *j = NULL;
	int rc;

	if (!api_name_ok(id)) {
		fail(err, 400, "bad_request", "'%s' is not a run id", id);
		return NULL;
	}
	strbuf_adds(&key, "run;");
	key_add(&key, id);
	j = cached_json(srv, &key, gen, policy);
	if (j || !(idx = get_index(srv, err)))
		goto out;
	rc = index_get_run(idx, id, &l.info, &e);
	if (rc <= 0) {
		if (rc < 0)
			fail(err, 500, "internal", "%s", e.msg);
		else
			fail(err, 404, "not_found", "no run '%s'", id);
		goto out;
	}
	l.have_info = true;
	j = json_index_run(&l.info);
	if (l.info.status == INDEX_READY &&
	    index_load_run(idx, id, INDEX_LOAD_OBJECTS | INDEX_LOAD_DETAILS,
			   NULL, &l.run, &e) == 1) {
		json_t *full = json_run(&l.run, id);

		l.have_run = true;
		json_object_set(j, "benchmarks",
				json_object_get(full, "benchmarks"));
		json_object_set(j, "warning_messages",
				json_object_get(full, "warnings"));
		json_decref(full);
		set_policy(policy, policy_for(srv, &l, NULL));
		keep_json(srv, &key, gen, j, policy_for(srv, &l, NULL));
	} else {
		set_policy(policy, CACHE_NONE);
	}
out:
	catalog_put(srv->cat, idx);
	loaded_release(&l);
	strbuf_release(&key);
	return j;
}

/* The index of the function fn names in b, -1 for none, -2 (404) unknown. */
static long find_function(const struct benchmark *b,
			  const struct api_function *fn, struct api_err *err)
{
	if (!fn || !fn->name)
		return -1;
	for (size_t i = 0; i < b->nr_functions; i++)
		if (!strcmp(b->functions[i].name, fn->name) &&
		    (!fn->object ||
		     !strcmp(b->objects[b->functions[i].object].name,
			     fn->object)))
			return (long)i;
	fail(err, 404, "not_found", "no function '%s'%s%s in %s", fn->name,
	     fn->object ? " in " : "", fn->object ? fn->object : "", b->name);
	return -2;
}

json_t *api_benchmark(struct server *srv, const char *id, const char *bench,
		      size_t limit, bool functions_only,
		      enum cache_policy *policy, struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT;
	struct loaded l = {0};
	struct index *idx = NULL;
	json_t *j;

	strbuf_adds(&key, functions_only ? "functions;" : "benchmark;");
	key_add(&key, id);
	key_add(&key, bench);
	key_addu(&key, limit);
	j = cached_json(srv, &key, gen, policy);
	if (j || !(idx = get_index(srv, err)))
		goto out;
	if (load_bench(idx, id, bench,
		       INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS |
			       INDEX_LOAD_DETAILS,
		       &l, err) < 0)
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
	set_policy(policy, policy_for(srv, &l, NULL));
	keep_json(srv, &key, gen, j, policy_for(srv, &l, NULL));
out:
	catalog_put(srv->cat, idx);
	loaded_release(&l);
	strbuf_release(&key);
	return j;
}

static json_t *benchmark_detail(struct server *srv, const char *id,
				const char *bench,
				const struct api_function *fn, bool mix,
				size_t limit, enum cache_policy *policy,
				struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT;
	struct loaded l = {0};
	struct index *idx = NULL;
	json_t *j;
	long f;

	strbuf_adds(&key, mix ? "mix;" : "blocks;");
	key_add(&key, id);
	key_add(&key, bench);
	key_add(&key, fn ? fn->name : NULL);
	key_add(&key, fn ? fn->object : NULL);
	key_addu(&key, mix ? 0 : limit);
	j = cached_json(srv, &key, gen, policy);
	if (j || !(idx = get_index(srv, err)))
		goto out;
	if (load_bench(idx, id, bench,
		       INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS |
			       (mix ? INDEX_LOAD_MIX : INDEX_LOAD_BLOCKS),
		       &l, err) < 0)
		goto out;
	f = find_function(&l.run.benchmarks[0], fn, err);
	if (f == -2)
		goto out;
	j = mix ? json_mix(&l.run.benchmarks[0], f)
		: json_blocks(&l.run.benchmarks[0], f, limit);
	json_object_set_new(j, "run", json_string(id));
	set_policy(policy, policy_for(srv, &l, NULL));
	keep_json(srv, &key, gen, j, policy_for(srv, &l, NULL));
out:
	catalog_put(srv->cat, idx);
	loaded_release(&l);
	strbuf_release(&key);
	return j;
}

json_t *api_blocks(struct server *srv, const char *id, const char *bench,
		   const struct api_function *fn, size_t limit,
		   enum cache_policy *policy, struct api_err *err)
{
	return benchmark_detail(srv, id, bench, fn, false, limit, policy, err);
}

json_t *api_mix(struct server *srv, const char *id, const char *bench,
		const struct api_function *fn, enum cache_policy *policy,
		struct api_err *err)
{
	return benchmark_detail(srv, id, bench, fn, true, 0, policy, err);
}

struct known_ctx {
	struct index *idx;
};

static bool known_run(void *ctx, const char *id)
{
	struct known_ctx *k = ctx;
	struct index_run r;

	if (!k->idx || index_get_run(k->idx, id, &r, NULL) != 1)
		return false;
	index_run_release(&r);
	return true;
}

bool api_split_compare(struct server *srv, const char *spec, char **base,
		       char **new_id)
{
	struct known_ctx k = {catalog_get(srv->cat, NULL)};
	bool ok = api_split_range(spec, known_run, &k, base, new_id);

	catalog_put(srv->cat, k.idx);
	return ok;
}

/*
 * Load both runs (benchmark totals, objects if asked) and compare them.
 * *c points into *la and *lb: release them after it.
 */
static int compare_load(struct server *srv, const char *base,
			const char *new_id, const struct api_compare_opts *opts,
			struct loaded *la, struct loaded *lb, struct compare *c,
			enum cache_policy *policy, struct api_err *err)
{
	struct index *idx = get_index(srv, err);
	unsigned flags = opts->objects ? INDEX_LOAD_OBJECTS : 0;
	int ret = -1;

	if (!idx)
		return -1;
	if (load_ready(idx, base, flags, NULL, la, err) < 0 ||
	    load_ready(idx, new_id, flags, NULL, lb, err) < 0)
		goto out;
	compare_runs(c, &la->run, &lb->run, opts->threshold);
	*policy = policy_for(srv, la, lb);
	ret = 0;
out:
	catalog_put(srv->cat, idx);
	return ret;
}

static void compare_key(struct strbuf *key, const char *what, const char *base,
			const char *new_id, const struct api_compare_opts *opts)
{
	strbuf_adds(key, what);
	key_add(key, base);
	key_add(key, new_id);
	strbuf_addf(key, "%d;%.17g;", opts->objects, opts->threshold);
}

json_t *api_compare(struct server *srv, const char *base, const char *new_id,
		    const struct api_compare_opts *opts,
		    enum cache_policy *policy, struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT;
	struct loaded la = {0}, lb = {0};
	enum cache_policy p;
	struct compare c;
	json_t *j;

	compare_key(&key, "compare;", base, new_id, opts);
	j = cached_json(srv, &key, gen, policy);
	if (!j &&
	    compare_load(srv, base, new_id, opts, &la, &lb, &c, &p, err) == 0) {
		j = json_compare(&c, base, new_id, opts->objects);
		compare_release(&c);
		set_policy(policy, p);
		keep_json(srv, &key, gen, j, p);
	}
	loaded_release(&la);
	loaded_release(&lb);
	strbuf_release(&key);
	return j;
}

int api_compare_report(struct server *srv, const char *base, const char *new_id,
		       const struct api_compare_opts *opts,
		       enum report_format format, struct strbuf *out,
		       enum cache_policy *policy, struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf url = STRBUF_INIT;
	struct loaded la = {0}, lb = {0};
	enum cache_policy p;
	struct compare c;
	int ret = 0;

	compare_key(&key, "compare-report;", base, new_id, opts);
	strbuf_addf(&key, "%d;", (int)format);
	if (cached_text(srv, &key, gen, out, policy))
		goto out;
	if (compare_load(srv, base, new_id, opts, &la, &lb, &c, &p, err) < 0) {
		ret = -1;
		goto out;
	}
	switch (format) {
	case REPORT_TEXT:
		report_compare_text(&text, &c);
		break;
	case REPORT_CSV:
		report_compare_csv(&text, &c);
		break;
	case REPORT_MARKDOWN:
		strbuf_addf(&url, "%s/compare/%s...%s", srv->cfg->public_url,
			    base, new_id);
		report_compare_markdown(&text, &c, base, new_id, url.buf);
		break;
	case REPORT_JSON:
		BUG_ON(format == REPORT_JSON);
	}
	compare_release(&c);
	strbuf_add(out, text.buf, text.len);
	set_policy(policy, p);
	keep_text(srv, &key, gen, text.buf, text.len, p);
out:
	loaded_release(&la);
	loaded_release(&lb);
	strbuf_release(&url);
	strbuf_release(&text);
	strbuf_release(&key);
	return ret;
}

/* Both runs' benchmark `bench` and the diff between them. */
static int bench_diff_load(struct server *srv, const char *base,
			   const char *new_id, const char *bench, bool blocks,
			   struct loaded *la, struct loaded *lb,
			   struct bench_diff *d, struct api_err *err)
{
	unsigned flags = INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS |
			 INDEX_LOAD_MIX | (blocks ? INDEX_LOAD_BLOCKS : 0);
	struct index *idx = get_index(srv, err);
	int ret = -1;

	if (!idx)
		return -1;
	if (!api_name_ok(bench))
		fail(err, 404, "not_found", "no benchmark '%s'", bench);
	else if (load_bench(idx, base, bench, flags, la, err) == 0 &&
		 load_bench(idx, new_id, bench, flags, lb, err) == 0) {
		bench_diff_compute(d, &la->run.benchmarks[0],
				   &lb->run.benchmarks[0]);
		ret = 0;
	}
	catalog_put(srv->cat, idx);
	return ret;
}

static void compare_bench_key(struct strbuf *key, const char *what,
			      const char *base, const char *new_id,
			      const char *bench,
			      const struct api_bench_opts *opts)
{
	strbuf_adds(key, what);
	key_add(key, base);
	key_add(key, new_id);
	key_add(key, bench);
	key_addu(key, opts->limit);
	key_add(key, opts->fn.name);
	key_add(key, opts->fn.object);
}

json_t *api_compare_bench(struct server *srv, const char *base,
			  const char *new_id, const char *bench,
			  const struct api_bench_opts *opts,
			  enum cache_policy *policy, struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT;
	struct loaded la = {0}, lb = {0};
	struct bench_diff d;
	json_t *j;

	compare_bench_key(&key, "compare-bench;", base, new_id, bench, opts);
	j = cached_json(srv, &key, gen, policy);
	if (j || bench_diff_load(srv, base, new_id, bench,
				 opts->fn.name != NULL, &la, &lb, &d, err) < 0)
		goto out;
	j = json_bench_diff(&d, base, new_id, opts->limit);
	if (opts->fn.name)
		json_object_set_new(
			j, "blocks",
			json_function_blocks_diff(&d, opts->fn.object,
						  opts->fn.name, 20));
	bench_diff_release(&d);
	set_policy(policy, policy_for(srv, &la, &lb));
	keep_json(srv, &key, gen, j, policy_for(srv, &la, &lb));
out:
	loaded_release(&la);
	loaded_release(&lb);
	strbuf_release(&key);
	return j;
}

int api_compare_bench_text(struct server *srv, const char *base,
			   const char *new_id, const char *bench,
			   const struct api_bench_opts *opts,
			   struct strbuf *out, enum cache_policy *policy,
			   struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT, text = STRBUF_INIT;
	struct loaded la = {0}, lb = {0};
	struct bench_diff d;
	int ret = 0;

	compare_bench_key(&key, "compare-bench-text;", base, new_id, bench,
			  opts);
	if (cached_text(srv, &key, gen, out, policy))
		goto out;
	if (bench_diff_load(srv, base, new_id, bench, false, &la, &lb, &d,
			    err) < 0) {
		ret = -1;
		goto out;
	}
	report_bench_diff_text(&text, &d, opts->limit);
	bench_diff_release(&d);
	strbuf_add(out, text.buf, text.len);
	set_policy(policy, policy_for(srv, &la, &lb));
	keep_text(srv, &key, gen, text.buf, text.len,
		  policy_for(srv, &la, &lb));
out:
	loaded_release(&la);
	loaded_release(&lb);
	strbuf_release(&text);
	strbuf_release(&key);
	return ret;
}

json_t *api_history(struct server *srv, const char *bench, const char *series,
		    enum cache_policy *policy, struct api_err *err)
{
	struct index *idx;
	struct history_point *p;
	struct errbuf e;
	size_t nr;
	json_t *j;

	if (!api_name_ok(bench)) {
		fail(err, 400, "bad_request", "'%s' is not a benchmark name",
		     bench);
		return NULL;
	}
	if (series && !*series)
		series = NULL;
	idx = get_index(srv, err);
	if (!idx)
		return NULL;
	if (index_history(idx, bench, series, &p, &nr, &e) < 0) {
		catalog_put(srv->cat, idx);
		fail(err, 500, "internal", "%s", e.msg);
		return NULL;
	}
	catalog_put(srv->cat, idx);
	j = json_history(bench, series, p, nr);
	index_history_free(p, nr);
	set_policy(policy, CACHE_NONE);
	return j;
}

bool api_markdown_vs_previous(struct server *srv, const char *new_id,
			      char **base_id, struct strbuf *md)
{
	struct api_compare_opts opts = {.threshold = COMPARE_THRESHOLD_PCT};
	struct index *idx = catalog_get(srv->cat, NULL);
	struct index_run prev;
	struct api_err aerr;
	bool ok = false;

	*base_id = NULL;
	if (!idx)
		return false;
	if (index_previous_run(idx, new_id, &prev, NULL) == 1) {
		*base_id = xstrdup(prev.id);
		index_run_release(&prev);
	}
	catalog_put(srv->cat, idx);
	if (*base_id)
		ok = api_compare_report(srv, *base_id, new_id, &opts,
					REPORT_MARKDOWN, md, NULL, &aerr) == 0;
	if (!ok) {
		free(*base_id);
		*base_id = NULL;
	}
	return ok;
}

/* ---- the compare range, without the index ------------------------------ */

bool api_split_range(const char *spec, bool (*known)(void *ctx, const char *id),
		     void *ctx, char **base, char **new_id)
{
	const char *p;

	for (p = strstr(spec, "..."); p; p = strstr(p + 1, "...")) {
		char *x = xstrndup(spec, (size_t)(p - spec));
		char *y = xstrdup(p + 3);

		if (api_name_ok(x) && api_name_ok(y) && known(ctx, x) &&
		    known(ctx, y)) {
			*base = x;
			*new_id = y;
			return true;
		}
		free(x);
		free(y);
	}
	/* no split names two known runs: take the first, for the message */
	p = strstr(spec, "...");
	if (!p)
		return false;
	*base = xstrndup(spec, (size_t)(p - spec));
	*new_id = xstrdup(p + 3);
	return true;
}
