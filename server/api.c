/* SPDX-License-Identifier: MIT */
#include "api.h"

#include <ctype.h>
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
#include "og_image.h"
#include "rate.h"
#include "recording.h"
#include "report.h"
#include "run.h"
#include "server.h"
#include "xalloc.h"
#include "banned.h"

/* The typed answers kept: slots, and bytes (JSON measured serialised). */
#define RESULT_SLOTS 1024
#define RESULT_BYTES (64u << 20)

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
	og_image_release(); /* the fonts: no request is being answered */
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

/*
 * The answer j is computed: tell the caller its policy (out may be NULL)
 * and keep it for key, when it can be: answers that may change are not.
 */
static void keep_json(struct server *srv, const struct strbuf *key,
		      uint64_t gen, json_t *j, enum cache_policy policy,
		      enum cache_policy *out)
{
	struct cache_entry e = {.json = j, .policy = policy, .status = 200};

	if (out)
		*out = policy;
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

/*
 * A run of the index as JSON, with "commit_url": its metadata's url, or
 * else the server's --commit-url with {commit} replaced by the run's
 * commit (percent-encoded); absent when neither is there.  Every page and
 * client links the commit through it.
 */
static json_t *run_json(struct server *srv, const struct index_run *r)
{
	json_t *j = json_index_run(r), *meta = json_object_get(j, "meta");
	const char *url = json_string_value(json_object_get(meta, "url"));
	const char *commit = json_string_value(json_object_get(meta, "commit"));
	const char *tpl = srv->cfg ? srv->cfg->commit_url : NULL, *at;
	struct strbuf sb = STRBUF_INIT;

	if (url &&
	    (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7))) {
		strbuf_adds(&sb, url);
	} else if (tpl && commit && *commit) {
		while ((at = strstr(tpl, "{commit}"))) {
			strbuf_add(&sb, tpl, (size_t)(at - tpl));
			for (const char *c = commit; *c; c++)
				if (isalnum((unsigned char)*c) ||
				    strchr("-._~", *c))
					strbuf_addch(&sb, *c);
				else
					strbuf_addf(&sb, "%%%02X",
						    (unsigned char)*c);
			tpl = at + 8;
		}
		strbuf_adds(&sb, tpl);
	}
	if (sb.len)
		json_object_set_new(j, "commit_url", json_string(sb.buf));
	strbuf_release(&sb);
	return j;
}

/* ---- the entry points --------------------------------------------------- */

static json_t *runs_page(struct server *srv, const char *series, size_t offset,
			 size_t limit, bool changes, struct api_err *err);

json_t *api_runs(struct server *srv, const char *series, size_t offset,
		 size_t limit, enum cache_policy *policy, struct api_err *err)
{
	set_policy(policy, CACHE_NONE);
	return runs_page(srv, series, offset, limit, false, err);
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
	j = run_json(srv, &l.info);
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
		keep_json(srv, &key, gen, j, policy_for(srv, &l, NULL), policy);
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
	keep_json(srv, &key, gen, j, policy_for(srv, &l, NULL), policy);
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
	keep_json(srv, &key, gen, j, policy_for(srv, &l, NULL), policy);
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
		json_object_set_new(j, "recording",
				    recording_compare_text(la.info.meta_json,
							   lb.info.meta_json));
		compare_release(&c);
		keep_json(srv, &key, gen, j, p, policy);
	}
	loaded_release(&la);
	loaded_release(&lb);
	strbuf_release(&key);
	return j;
}

/*
 * The comparability warning (recording.h) of two runs, first in a text
 * or Markdown comparison.
 */
static void add_recording_warning(struct strbuf *text, const struct loaded *a,
				  const struct loaded *b,
				  enum report_format format)
{
	json_t *rc =
		recording_compare_text(a->info.meta_json, b->info.meta_json);
	const char *w = recording_warning(rc);

	if (w && format == REPORT_TEXT)
		strbuf_addf(text, "warning: %s\n\n", w);
	else if (w && format == REPORT_MARKDOWN)
		strbuf_addf(text, "> **Warning:** %s\n\n", w);
	json_decref(rc);
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
	add_recording_warning(&text, &la, &lb, format);
	switch (format) {
	case REPORT_TEXT:
		report_compare_text(&text, &c);
		break;
	case REPORT_TABLE:
		report_compare_table(&text, &c, base, new_id);
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
	keep_json(srv, &key, gen, j, policy_for(srv, &la, &lb), policy);
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

/* Is any point of a history the benchmark's? */
static bool history_has(const struct history_point *p, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (p[i].present)
			return true;
	return false;
}

/*
 * Without a series: every ready run, each point stepping only from the
 * previous run of its own series (runs of different series are different
 * builds), and "lines": the history of each series that has the
 * benchmark.  Runs without a series stand alone.
 */
static json_t *history_all_series(struct index *idx, const char *bench,
				  struct errbuf *e)
{
	struct history_point *p;
	struct index_series *s;
	size_t nr, nseries;
	json_t *lines, *by_run, *points, *j;

	if (index_history(idx, bench, NULL, &p, &nr, e) < 0)
		return NULL;
	if (!history_has(p, nr)) {
		index_history_free(p, nr);
		return json_null();
	}
	if (index_list_series(idx, &s, &nseries, e) < 0) {
		index_history_free(p, nr);
		return NULL;
	}
	lines = json_array();
	by_run = json_object();
	for (size_t i = 0; i < nseries; i++) {
		struct history_point *sp;
		size_t snr, k;
		json_t *h, *pt;

		if (index_history(idx, bench, s[i].name, &sp, &snr, e) < 0) {
			index_history_free(p, nr);
			index_series_free(s, nseries);
			json_decref(lines);
			json_decref(by_run);
			return NULL;
		}
		if (history_has(sp, snr)) {
			h = json_history(bench, s[i].name, sp, snr);
			json_array_foreach (json_object_get(h, "points"), k,
					    pt) {
				json_object_set_new(pt, "series",
						    json_string(s[i].name));
				json_object_set(
					by_run,
					json_string_value(
						json_object_get(pt, "run")),
					pt);
			}
			json_array_append_new(
				lines, json_pack("{s:s, s:O}", "series",
						 s[i].name, "points",
						 json_object_get(h, "points")));
			json_decref(h);
		}
		index_history_free(sp, snr);
	}
	index_series_free(s, nseries);
	/* every run, oldest first; a run without a series has no step */
	j = json_history(bench, NULL, p, nr);
	points = json_array();
	for (size_t i = 0; i < nr; i++) {
		json_t *pt = json_object_get(by_run, p[i].run_id);

		if (pt) {
			json_array_append(points, pt);
			continue;
		}
		pt = json_deep_copy(
			json_array_get(json_object_get(j, "points"), i));
		json_object_set_new(pt, "series", json_null());
		json_object_set_new(pt, "previous_run", json_null());
		json_object_set_new(pt, "delta", json_null());
		json_object_set_new(pt, "delta_pct", json_null());
		json_object_set_new(pt, "step", json_false());
		json_array_append_new(points, pt);
	}
	json_object_set_new(j, "points", points);
	json_object_set_new(j, "lines", lines);
	json_decref(by_run);
	index_history_free(p, nr);
	return j;
}

json_t *api_history(struct server *srv, const char *bench, const char *series,
		    enum cache_policy *policy, struct api_err *err)
{
	struct index *idx;
	struct history_point *p;
	struct index_run *none;
	struct errbuf e;
	size_t nr, nnone, total = 0;
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
	if (!series) {
		j = history_all_series(idx, bench, &e);
		catalog_put(srv->cat, idx);
		if (!j) {
			fail(err, 500, "internal", "%s", e.msg);
		} else if (json_is_null(j)) {
			j = NULL;
			fail(err, 404, "not_found",
			     "no run has a benchmark '%s'", bench);
		}
		set_policy(policy, CACHE_NONE);
		return j;
	}
	if (index_list_runs(idx, series, 0, 0, &none, &nnone, &total, &e) < 0 ||
	    index_history(idx, bench, series, &p, &nr, &e) < 0) {
		catalog_put(srv->cat, idx);
		fail(err, 500, "internal", "%s", e.msg);
		return NULL;
	}
	catalog_put(srv->cat, idx);
	index_runs_free(none, nnone);
	if (!total || !history_has(p, nr)) {
		if (!total)
			fail(err, 404, "not_found", "no series '%s'", series);
		else
			fail(err, 404, "not_found",
			     "no run of series '%s' has a benchmark '%s'",
			     series, bench);
		index_history_free(p, nr);
		return NULL;
	}
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

/* ---- the dashboard (issue #11) ------------------------------------------ */

/* The changed benchmarks a change summary lists, by |delta %|. */
#define CHANGE_TOP 3

static const char *str_or(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static double abs_pct_of(json_t *row)
{
	double p = json_number_value(json_object_get(row, "delta_pct"));

	return p < 0 ? -p : p;
}

/* {name, suite, delta, delta_pct, change} of a compare row */
static json_t *change_row(json_t *row)
{
	return json_pack("{s:O, s:O, s:O, s:O, s:O}", "name",
			 json_object_get(row, "name"), "suite",
			 json_object_get(row, "suite"), "delta",
			 json_object_get(row, "delta"), "delta_pct",
			 json_object_get(row, "delta_pct"), "change",
			 json_object_get(row, "change"));
}

/*
 * What changed from base to new_id, from their comparison (api_compare(),
 * so analysis/compare.c decides each "change"): the geomean, the counts
 * of each change, the worst regression, the best improvement and the
 * CHANGE_TOP changed benchmarks by |delta %|.  NULL with *err when the
 * comparison fails.
 */
static json_t *change_summary(struct server *srv, const char *base,
			      const char *new_id, struct api_err *err)
{
	struct api_compare_opts opts = {.threshold = COMPARE_THRESHOLD_PCT};
	json_t *c = api_compare(srv, base, new_id, &opts, NULL, err);
	json_t *rows, *row, *worst = NULL, *best = NULL, *top, *geo, *j;
	json_t *picked[CHANGE_TOP];
	size_t i, npicked = 0;

	if (!c)
		return NULL;
	rows = json_object_get(c, "benchmarks");
	json_array_foreach (rows, i, row) {
		const char *ch =
			json_string_value(json_object_get(row, "change"));
		double p = json_number_value(json_object_get(row, "delta_pct"));
		size_t k;

		if (!ch)
			continue;
		if (!strcmp(ch, "regressed") &&
		    (!worst || p > json_number_value(json_object_get(
					   worst, "delta_pct"))))
			worst = row;
		if (!strcmp(ch, "improved") &&
		    (!best ||
		     p < json_number_value(json_object_get(best, "delta_pct"))))
			best = row;
		if (strcmp(ch, "regressed") && strcmp(ch, "improved"))
			continue;
		/* insert by |delta %|, keeping the CHANGE_TOP largest */
		k = npicked < CHANGE_TOP ? npicked++ : CHANGE_TOP;

		while (k > 0 && abs_pct_of(picked[k - 1]) < abs_pct_of(row)) {
			if (k < CHANGE_TOP)
				picked[k] = picked[k - 1];
			k--;
		}
		if (k < CHANGE_TOP)
			picked[k] = row;
	}
	top = json_array();
	for (i = 0; i < npicked; i++)
		json_array_append_new(top, change_row(picked[i]));
	geo = json_object_get(c, "geomean");
	j = json_pack("{s:s, s:s, s:o, s:O, s:O, s:o, s:o, s:o}", "base", base,
		      "new", new_id, "geomean_pct",
		      json_is_object(geo)
			      ? json_incref(json_object_get(geo, "delta_pct"))
			      : json_null(),
		      "changes", json_object_get(c, "changes"), "totals",
		      json_object_get(c, "totals"), "worst",
		      worst ? change_row(worst) : json_null(), "best",
		      best ? change_row(best) : json_null(), "top", top);
	json_decref(c);
	return j;
}

/*
 * The previous run of each run (index_previous_run()), as ids; NULL where
 * there is none.  Free with free_ids().
 */
static char **previous_ids(struct server *srv, const struct index_run *runs,
			   size_t nr, struct api_err *err)
{
	struct index *idx = get_index(srv, err);
	char **prev;
	struct errbuf e;

	if (!idx)
		return NULL;
	prev = xcalloc(nr ? nr : 1, sizeof(*prev));
	for (size_t i = 0; i < nr; i++) {
		struct index_run p;
		int rc = index_previous_run(idx, runs[i].id, &p, &e);

		if (rc < 0) {
			catalog_put(srv->cat, idx);
			for (size_t k = 0; k < i; k++)
				free(prev[k]);
			free(prev);
			fail(err, 500, "internal", "%s", e.msg);
			return NULL;
		}
		if (rc) {
			prev[i] = xstrdup(p.id);
			index_run_release(&p);
		}
	}
	catalog_put(srv->cat, idx);
	return prev;
}

static void free_ids(char **ids, size_t nr)
{
	if (!ids)
		return;
	for (size_t i = 0; i < nr; i++)
		free(ids[i]);
	free(ids);
}

/*
 * A run of the list with its change against its previous run: "previous"
 * (the id, or null) and "vs_previous" (a change summary, or null).
 */
static json_t *run_with_change(struct server *srv, const struct index_run *r,
			       const char *prev)
{
	json_t *j = run_json(srv, r), *change = NULL;
	struct api_err err;

	if (prev && r->status == INDEX_READY)
		change = change_summary(srv, prev, r->id, &err);
	json_object_set_new(j, "previous",
			    prev ? json_string(prev) : json_null());
	json_object_set_new(j, "vs_previous", change ? change : json_null());
	return j;
}

/*
 * A page of the runs list, newest first; with changes, each run with its
 * previous run and the change against it (GET /api/v1/changes).
 */
static json_t *runs_page(struct server *srv, const char *series, size_t offset,
			 size_t limit, bool changes, struct api_err *err)
{
	struct index *idx = get_index(srv, err);
	struct index_run *runs;
	struct errbuf e;
	size_t nr, total;
	char **prev = NULL;
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
	if (changes && !(prev = previous_ids(srv, runs, nr, err))) {
		index_runs_free(runs, nr);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < nr; i++)
		json_array_append_new(
			arr, changes ? run_with_change(srv, &runs[i], prev[i])
				     : run_json(srv, &runs[i]));
	if (changes)
		free_ids(prev, nr);
	index_runs_free(runs, nr);
	return json_pack("{s:o, s:I, s:I, s:I}", "runs", arr, "total",
			 (json_int_t)total, "offset", (json_int_t)offset,
			 "limit", (json_int_t)limit);
}

json_t *api_changes(struct server *srv, const char *series, size_t offset,
		    size_t limit, enum cache_policy *policy,
		    struct api_err *err)
{
	set_policy(policy, CACHE_NONE);
	return runs_page(srv, series, offset, limit, true, err);
}

json_t *api_series_list(struct server *srv, enum cache_policy *policy,
			struct api_err *err)
{
	struct index *idx = get_index(srv, err);
	struct index_series *s;
	struct errbuf e;
	size_t nr;
	json_t *arr;

	if (!idx)
		return NULL;
	if (index_list_series(idx, &s, &nr, &e) < 0) {
		catalog_put(srv->cat, idx);
		fail(err, 500, "internal", "%s", e.msg);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < nr; i++) {
		struct index_run *runs = NULL;
		size_t nruns = 0;
		char *latest = NULL, *prev = NULL;
		json_t *change = NULL;
		char when[32];

		/* the newest ready run that has a previous run */
		if (index_series_runs(idx, s[i].name, &runs, &nruns, &e) == 0 &&
		    nruns > 1) {
			latest = xstrdup(runs[nruns - 1].id);
			prev = xstrdup(runs[nruns - 2].id);
		}
		index_runs_free(runs, nruns);
		format_iso8601(s[i].latest, when, sizeof(when));
		json_array_append_new(
			arr,
			json_pack("{s:s, s:I, s:I, s:s}", "name", s[i].name,
				  "runs", (json_int_t)s[i].runs, "ready",
				  (json_int_t)s[i].ready, "latest", when));
		if (latest) {
			struct api_err cerr;

			catalog_put(srv->cat, idx);
			change = change_summary(srv, prev, latest, &cerr);
			idx = get_index(srv, err);
			if (!idx) {
				json_decref(change);
				free(latest);
				free(prev);
				index_series_free(s, nr);
				json_decref(arr);
				return NULL;
			}
		}
		json_object_set_new(json_array_get(arr, i), "latest_change",
				    change ? change : json_null());
		free(latest);
		free(prev);
	}
	catalog_put(srv->cat, idx);
	index_series_free(s, nr);
	set_policy(policy, CACHE_NONE);
	return json_pack("{s:o}", "series", arr);
}

json_t *api_neighbours(struct server *srv, const char *id,
		       enum cache_policy *policy, struct api_err *err)
{
	struct index_run r, p, n;
	struct index *idx;
	struct errbuf e;
	int rc, rp = 0, rn = 0;
	json_t *j;

	if (!api_name_ok(id)) {
		fail(err, 400, "bad_request", "'%s' is not a run id", id);
		return NULL;
	}
	idx = get_index(srv, err);
	if (!idx)
		return NULL;
	rc = index_get_run(idx, id, &r, &e);
	if (rc > 0 && ((rp = index_previous_run(idx, id, &p, &e)) < 0 ||
		       (rn = index_next_run(idx, id, &n, &e)) < 0)) {
		/* r (and p, when only the next run failed) were filled */
		index_run_release(&r);
		if (rp > 0)
			index_run_release(&p);
		rc = -1;
	}
	catalog_put(srv->cat, idx);
	if (rc <= 0) {
		if (rc < 0)
			fail(err, 500, "internal", "%s", e.msg);
		else
			fail(err, 404, "not_found", "no run '%s'", id);
		return NULL;
	}
	j = json_pack("{s:o, s:o, s:o}", "run", run_json(srv, &r), "previous",
		      rp ? run_json(srv, &p) : json_null(), "next",
		      rn ? run_json(srv, &n) : json_null());
	index_run_release(&r);
	if (rp)
		index_run_release(&p);
	if (rn)
		index_run_release(&n);
	set_policy(policy, CACHE_NONE);
	return j;
}

/*
 * GET /api/v1/series/S/history: the series over time.  Each ready run's
 * geomean against the series' first run and against its previous run,
 * each benchmark's delta % against the first run (one thin line each),
 * and the steps: the runs where analysis/compare.c finds a change against
 * the previous run.
 */
json_t *api_series_history(struct server *srv, const char *series,
			   enum cache_policy *policy, struct api_err *err)
{
	struct index *idx;
	struct index_run *runs;
	struct errbuf e;
	size_t nr, total;
	json_t *points, *benches, *names, *j;

	if (!api_name_ok(series)) {
		fail(err, 404, "not_found", "no series '%s'", series);
		return NULL;
	}
	idx = get_index(srv, err);
	if (!idx)
		return NULL;
	if (index_list_runs(idx, series, 0, 0, &runs, &nr, &total, &e) < 0 ||
	    index_series_runs(idx, series, &runs, &nr, &e) < 0) {
		catalog_put(srv->cat, idx);
		fail(err, 500, "internal", "%s", e.msg);
		return NULL;
	}
	catalog_put(srv->cat, idx);
	if (!total) {
		index_runs_free(runs, nr);
		fail(err, 404, "not_found", "no series '%s'", series);
		return NULL;
	}
	points = json_array();
	benches = json_object(); /* name -> array of delta % vs the first */
	names = json_array();
	for (size_t i = 0; i < nr; i++) {
		struct api_compare_opts opts = {.threshold =
							COMPARE_THRESHOLD_PCT};
		json_t *first = NULL, *change = NULL, *row, *geo, *pt;
		char when[32];
		size_t k;

		if (i)
			first = api_compare(srv, runs[0].id, runs[i].id, &opts,
					    NULL, err);
		if (i)
			change = change_summary(srv, runs[i - 1].id, runs[i].id,
						err);
		format_iso8601(runs[i].created, when, sizeof(when));
		geo = json_object_get(first, "geomean");
		pt = json_pack(
			"{s:s, s:s, s:o, s:o, s:o}", "run", runs[i].id,
			"created", when, "previous_run",
			i ? json_string(runs[i - 1].id) : json_null(),
			"geomean_pct",
			!i ? json_real(0)
			: json_is_object(geo)
				? json_incref(json_object_get(geo, "delta_pct"))
				: json_null(),
			"vs_previous", change ? change : json_null());
		if (change) {
			json_t *ch = json_object_get(change, "changes");
			json_int_t moved = 0;
			const char *kinds[] = {"regressed", "improved",
					       "only_base", "only_new"};

			for (k = 0; k < 4; k++)
				moved += json_integer_value(
					json_object_get(ch, kinds[k]));
			json_object_set_new(pt, "step", json_boolean(moved));
		} else {
			json_object_set_new(pt, "step", json_false());
		}
		json_array_append_new(points, pt);
		/* the first run's benchmarks start at 0 % */
		if (!i) {
			struct api_err ferr;
			json_t *r0 = api_run(srv, runs[0].id, NULL, &ferr);

			json_array_foreach (json_object_get(r0, "benchmarks"),
					    k, row) {
				json_t *a = json_array();

				json_array_append_new(a, json_real(0));
				json_object_set_new(benches,
						    str_or(row, "name"), a);
				json_array_append(names,
						  json_object_get(row, "name"));
			}
			json_decref(r0);
			continue;
		}
		json_array_foreach (json_object_get(first, "benchmarks"), k,
				    row) {
			json_t *a =
				json_object_get(benches, str_or(row, "name"));

			if (!a)
				continue; /* not in the first run */
			while (json_array_size(a) < i)
				json_array_append_new(a, json_null());
			json_array_append(a, json_object_get(row, "delta_pct"));
		}
		json_decref(first);
	}
	{
		const char *name;
		json_t *a, *list = json_array();
		size_t k;

		json_array_foreach (names, k, a) {
			name = json_string_value(a);
			a = json_object_get(benches, name);
			while (json_array_size(a) < nr)
				json_array_append_new(a, json_null());
			json_array_append_new(list,
					      json_pack("{s:s, s:O}", "name",
							name, "delta_pct", a));
		}
		j = json_pack("{s:s, s:o, s:o}", "series", series, "points",
			      points, "benchmarks", list);
	}
	json_decref(benches);
	json_decref(names);
	index_runs_free(runs, nr);
	set_policy(policy, CACHE_NONE);
	return j;
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

/* ---- the rate timeline (issue #12) -------------------------------------- */

json_t *api_rate(struct server *srv, const char *id, const char *bench,
		 enum cache_policy *policy, struct api_err *err)
{
	uint64_t gen = catalog_generation(srv->cat);
	struct strbuf key = STRBUF_INIT;
	struct loaded l = {0};
	struct index *idx = NULL;
	json_t *j;

	strbuf_adds(&key, "rate;");
	key_add(&key, id);
	key_add(&key, bench);
	j = cached_json(srv, &key, gen, policy);
	if (j || !(idx = get_index(srv, err)))
		goto out;
	if (load_bench(idx, id, bench, INDEX_LOAD_DETAILS | INDEX_LOAD_RATE, &l,
		       err) < 0)
		goto out;
	j = json_rate(&l.run.benchmarks[0]);
	json_object_set_new(j, "run", json_string(id));
	keep_json(srv, &key, gen, j, policy_for(srv, &l, NULL), policy);
out:
	catalog_put(srv->cat, idx);
	loaded_release(&l);
	strbuf_release(&key);
	return j;
}
