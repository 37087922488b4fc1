/* SPDX-License-Identifier: MIT */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_regress.h"
#include "config.h"
#include "errbuf.h"
#include "index.h"
#include "log.h"
#include "run.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

static char *join(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", a, b);
	return strbuf_detach(&sb, NULL);
}

static int mkdir_p(const char *path, struct errbuf *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return errbuf_set(err, "cannot create '%s': %s", path,
				  strerror(errno));
	return 0;
}

bool catalog_immutable(const struct catalog *cat, const char *root)
{
	size_t n = strlen(cat->runs_dir);

	return !strncmp(root, cat->runs_dir, n) && root[n] == '/';
}

uint64_t catalog_generation(struct catalog *cat)
{
	return atomic_load(&cat->generation);
}

struct index *catalog_get(struct catalog *cat, struct errbuf *err)
{
	struct index *idx = NULL;

	pthread_mutex_lock(&cat->lock);
	if (cat->pool_nr)
		idx = cat->pool[--cat->pool_nr];
	pthread_mutex_unlock(&cat->lock);
	if (!idx)
		idx = index_open(cat->index_path, err);
	return idx;
}

void catalog_put(struct catalog *cat, struct index *idx)
{
	if (!idx)
		return;
	pthread_mutex_lock(&cat->lock);
	if (cat->pool_nr < sizeof(cat->pool) / sizeof(cat->pool[0])) {
		cat->pool[cat->pool_nr++] = idx;
		idx = NULL;
	}
	pthread_mutex_unlock(&cat->lock);
	index_close(idx);
}

/* ---- metadata ----------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* "2026-11-22T10:00:00Z" (or with +HH:MM), or a unix time number. */
static bool parse_time(json_t *v, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	const char *str;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	str = json_string_value(v);
	if (sscanf(str, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || mo < 1 ||
	    mo > 12 || d < 1 || d > 31)
		return false;
	str += n;
	if (*str == 'T' || *str == ' ') {
		if (sscanf(str + 1, "%2d:%2d:%2d%n", &h, &mi, &s, &n) != 3)
			return false;
		str += 1 + n;
		while (*str == '.' || (*str >= '0' && *str <= '9'))
			str++;
	}
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       h * 3600 + mi * 60 + s;
	if (*str == '+' || *str == '-') {
		int oh, om;

		if (sscanf(str + 1, "%2d:%2d", &oh, &om) == 2)
			*out -= (*str == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	}
	return true;
}

/*
 * Fill series, meta_json and created from DIR/tbscope-run.json when it
 * exists; created falls back to the directory's modification time.
 */
static void read_metadata(const char *root, struct index_run *r)
{
	char *path = join(root, "tbscope-run.json");
	json_error_t jerr;
	json_t *meta = NULL, *v;
	struct stat st;

	r->created = stat(root, &st) == 0 ? (int64_t)st.st_mtim.tv_sec
					  : (int64_t)time(NULL);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < 65536)
		meta = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	free(path);
	if (!meta)
		return;
	if (!json_is_object(meta)) {
		json_decref(meta);
		return;
	}
	v = json_object_get(meta, "series");
	if (json_is_string(v))
		r->series = xstrdup(json_string_value(v));
	v = json_object_get(meta, "timestamp");
	if (v)
		parse_time(v, &r->created);
	r->meta_json = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(meta);
}

/* ---- analysis ----------------------------------------------------------- */

struct progress_ctx {
	struct index *idx;
	const char *id;
	time_t last;
};

static void on_progress(void *p, uint64_t done, uint64_t total)
{
	struct progress_ctx *ctx = p;
	time_t now = time(NULL);

	/* at most once a second: it is a write transaction */
	if (now == ctx->last && done != total)
		return;
	ctx->last = now;
	index_set_status(ctx->idx, ctx->id, INDEX_INDEXING, NULL, done, total,
			 NULL);
}

static bool busy_has(struct catalog *cat, const char *id)
{
	for (size_t i = 0; i < cat->busy.nr; i++)
		if (!strcmp(cat->busy.items[i], id))
			return true;
	return false;
}

static void busy_remove(struct catalog *cat, const char *id)
{
	for (size_t i = 0; i < cat->busy.nr; i++)
		if (!strcmp(cat->busy.items[i], id)) {
			free(cat->busy.items[i]);
			cat->busy.items[i] = cat->busy.items[--cat->busy.nr];
			return;
		}
}

/* Analyse and store one run; the caller has marked it busy. */
static int analyze_one(struct catalog *cat, struct index *idx, const char *id,
		       const char *root, struct errbuf *err)
{
	struct progress_ctx pctx = {idx, id, 0};
	struct run_options opts = {
		.sysroots = (const char *const *)cat->cfg->sysroots.items,
		.nr_sysroots = cat->cfg->sysroots.nr,
		.progress = on_progress,
		.progress_ctx = &pctx,
		.decode = true,
		.threads = run_default_threads(),
	};
	struct run run = RUN_INIT;
	char fp[33];
	struct timespec t0, t1;
	struct errbuf e2;
	int ret = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (run_fingerprint(root, fp, err) < 0)
		goto fail;
	index_set_status(idx, id, INDEX_INDEXING, NULL, 0, 0, &e2);
	if (run_analyze(&run, root, &opts, err) < 0)
		goto fail;
	if (index_store_run(idx, id, &run, fp, err) < 0)
		goto fail;
	/* before the generation moves: answers then include its changes */
	regress_on_ready(cat->cfg->data_dir, idx, id);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("index: %s: %zu benchmarks, %llu files, %.0f ms", id,
		 run.nr_benchmarks, (unsigned long long)run.files,
		 (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			 (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	ret = 0;
	goto out;
fail:
	log_warn("index: %s: %s", id, err->msg);
	index_set_status(idx, id, INDEX_FAILED, err->msg, 0, 0, &e2);
out:
	run_release(&run);
	/*
	 * The analysis of a SPEC-sized run peaks at hundreds of MB, freed
	 * by now but kept by malloc in its arenas (one per thread that
	 * analysed): give it back, so a long-running server stays small
	 * between uploads.
	 */
	xalloc_trim();
	atomic_fetch_add(&cat->generation, 1);
	return ret;
}

/* Move the last item of l to the front. */
static void queue_to_front(struct strlist *l)
{
	char *last = l->items[l->nr - 1];

	memmove(l->items + 1, l->items, (l->nr - 1) * sizeof(char *));
	l->items[0] = last;
}

int catalog_enqueue(struct catalog *cat, const char *id, const char *root,
		    struct errbuf *err)
{
	struct index_run r = {0};
	struct index *idx = catalog_get(cat, err);
	int ret;

	if (!idx)
		return -1;
	r.id = (char *)id;
	r.root = (char *)root;
	r.status = INDEX_PENDING;
	read_metadata(root, &r);
	ret = index_upsert_run(idx, &r, err);
	free(r.series);
	free(r.meta_json);
	catalog_put(cat, idx);
	if (ret < 0)
		return -1;
	atomic_fetch_add(&cat->generation, 1);
	pthread_mutex_lock(&cat->lock);
	/* before the runs found at start-up: someone is waiting for it */
	strlist_add(&cat->queue_ids, id);
	strlist_add(&cat->queue_roots, root);
	queue_to_front(&cat->queue_ids);
	queue_to_front(&cat->queue_roots);
	pthread_cond_broadcast(&cat->cond);
	pthread_mutex_unlock(&cat->lock);
	return 0;
}

int catalog_index_now(struct catalog *cat, const char *id, const char *root,
		      struct errbuf *err)
{
	struct index *idx;
	struct index_run r = {0};
	int ret;

	pthread_mutex_lock(&cat->lock);
	while (busy_has(cat, id))
		pthread_cond_wait(&cat->cond, &cat->lock);
	strlist_add(&cat->busy, id);
	pthread_mutex_unlock(&cat->lock);

	idx = catalog_get(cat, err);
	if (!idx) {
		ret = -1;
		goto out;
	}
	r.id = (char *)id;
	r.root = (char *)root;
	r.status = INDEX_PENDING;
	read_metadata(root, &r);
	ret = index_upsert_run(idx, &r, err);
	atomic_fetch_add(&cat->generation, 1);
	free(r.series);
	free(r.meta_json);
	if (!ret)
		ret = analyze_one(cat, idx, id, root, err);
	catalog_put(cat, idx);
out:
	pthread_mutex_lock(&cat->lock);
	busy_remove(cat, id);
	pthread_cond_broadcast(&cat->cond);
	pthread_mutex_unlock(&cat->lock);
	return ret;
}

static bool stopping(struct catalog *cat)
{
	bool stop;

	pthread_mutex_lock(&cat->lock);
	stop = cat->stop;
	pthread_mutex_unlock(&cat->lock);
	return stop;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void startup_scan(struct catalog *cat, struct index *idx);

static void *indexer_main(void *arg)
{
	struct catalog *cat = arg;
	struct errbuf err;
	struct index *idx = catalog_get(cat, &err);

	if (!idx) {
		log_error("index: %s", err.msg);
		pthread_mutex_lock(&cat->lock);
		cat->scanning = false;
		cat->thread_done = true;
		pthread_cond_broadcast(&cat->cond);
		pthread_mutex_unlock(&cat->lock);
		return NULL;
	}
	startup_scan(cat, idx);
	for (;;) {
		char *id, *root;
		bool skip;

		pthread_mutex_lock(&cat->lock);
		while (!cat->stop && !cat->queue_ids.nr)
			pthread_cond_wait(&cat->cond, &cat->lock);
		if (cat->stop) {
			pthread_mutex_unlock(&cat->lock);
			break;
		}
		id = cat->queue_ids.items[0];
		root = cat->queue_roots.items[0];
		memmove(cat->queue_ids.items, cat->queue_ids.items + 1,
			--cat->queue_ids.nr * sizeof(char *));
		memmove(cat->queue_roots.items, cat->queue_roots.items + 1,
			--cat->queue_roots.nr * sizeof(char *));
		/* an upload handler may be analysing it right now */
		skip = busy_has(cat, id);
		if (!skip)
			strlist_add(&cat->busy, id);
		pthread_mutex_unlock(&cat->lock);

		if (!skip)
			analyze_one(cat, idx, id, root, &err);

		pthread_mutex_lock(&cat->lock);
		if (!skip)
			busy_remove(cat, id);
		pthread_cond_broadcast(&cat->cond);
		pthread_mutex_unlock(&cat->lock);
		free(id);
		free(root);
	}
	catalog_put(cat, idx);
	pthread_mutex_lock(&cat->lock);
	cat->thread_done = true;
	pthread_cond_broadcast(&cat->cond);
	pthread_mutex_unlock(&cat->lock);
	return NULL;
}

/* ---- start-up scan ------------------------------------------------------ */

static bool id_ok(const char *id)
{
	size_t len = strlen(id);

	return len && len <= 100 && id[0] != '.' &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
			  "YZ0123456789._-") == len;
}

/* Compare one run directory with the index; queue it when it changed. */
static void scan_run(struct catalog *cat, struct index *idx, const char *id,
		     const char *root, struct strlist *seen)
{
	struct index_run old, r = {0};
	struct errbuf err;
	char fp[33];
	int found;

	for (size_t i = 0; i < seen->nr; i++)
		if (!strcmp(seen->items[i], id)) {
			log_warn("index: run id '%s' at '%s' is taken by "
				 "another directory: skipped",
				 id, root);
			return;
		}
	strlist_add(seen, id);
	pthread_mutex_lock(&cat->lock);
	found = busy_has(cat, id); /* being uploaded right now */
	pthread_mutex_unlock(&cat->lock);
	if (found)
		return;
	found = index_get_run(idx, id, &old, &err);
	if (found < 0) {
		log_error("index: %s", err.msg);
		return;
	}
	if (found && old.status == INDEX_READY && old.fingerprint &&
	    !strcmp(old.root, root) && run_fingerprint(root, fp, &err) == 0 &&
	    !strcmp(fp, old.fingerprint)) {
		index_run_release(&old);
		return; /* unchanged */
	}
	if (found)
		index_run_release(&old);
	r.id = (char *)id;
	r.root = (char *)root;
	r.status = INDEX_PENDING;
	read_metadata(root, &r);
	if (index_upsert_run(idx, &r, &err) < 0)
		log_error("index: %s", err.msg);
	atomic_fetch_add(&cat->generation, 1);
	free(r.series);
	free(r.meta_json);
	pthread_mutex_lock(&cat->lock);
	strlist_add(&cat->queue_ids, id);
	strlist_add(&cat->queue_roots, root);
	pthread_mutex_unlock(&cat->lock);
}

static void scan_dir(struct catalog *cat, struct index *idx, const char *dir,
		     struct strlist *seen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strlist names = STRLIST_INIT;

	if (!d) {
		log_error("index: cannot read '%s': %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		char *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		path = join(dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (st.st_dev == cat->data_st.st_dev &&
			    st.st_ino == cat->data_st.st_ino)
				log_info("index: '%s' is the data directory, "
					 "not a run: skipped",
					 path);
			else if (id_ok(de->d_name))
				strlist_add(&names, de->d_name);
			else
				log_warn("index: '%s': not a valid run id "
					 "([A-Za-z0-9._-], at most 100): "
					 "skipped",
					 path);
		}
		free(path);
	}
	closedir(d);
	for (size_t i = 0; i < names.nr && !stopping(cat); i++) {
		char *path = join(dir, names.items[i]);

		scan_run(cat, idx, names.items[i], path, seen);
		free(path);
	}
	strlist_release(&names);
}

static void drop_vanished(struct catalog *cat, struct index *idx,
			  const struct strlist *seen)
{
	struct index_run *runs;
	size_t nr, total;
	struct errbuf err;

	if (index_list_runs(idx, NULL, 0, SIZE_MAX >> 1, &runs, &nr, &total,
			    &err) < 0) {
		log_error("index: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < nr; i++) {
		bool present = false;

		for (size_t j = 0; j < seen->nr && !present; j++)
			present = !strcmp(seen->items[j], runs[i].id);
		/* uploaded while the scan ran */
		if (!present && catalog_immutable(cat, runs[i].root))
			present = is_dir(runs[i].root);
		if (!present) {
			log_info("index: %s: directory gone, dropped",
				 runs[i].id);
			index_delete_run(idx, runs[i].id, &err);
			atomic_fetch_add(&cat->generation, 1);
		}
	}
	index_runs_free(runs, nr);
}

/*
 * The start-up scan, in the indexer thread: compare every run directory
 * with the index, queue what is new or changed, drop what is gone.
 */
static void startup_scan(struct catalog *cat, struct index *idx)
{
	const struct server_config *cfg = cat->cfg;
	struct strlist seen = STRLIST_INIT;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	scan_dir(cat, idx, cat->runs_dir, &seen);
	for (size_t i = 0; i < cfg->runs_dirs.nr && !stopping(cat); i++)
		scan_dir(cat, idx, cfg->runs_dirs.items[i], &seen);
	if (!stopping(cat))
		drop_vanished(cat, idx, &seen);
	strlist_release(&seen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_mutex_lock(&cat->lock);
	cat->scanning = false;
	log_info("index: %zu runs to analyse (checked in %.0f ms)",
		 cat->queue_ids.nr,
		 (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			 (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	pthread_cond_broadcast(&cat->cond);
	pthread_mutex_unlock(&cat->lock);
}

void catalog_wait_idle(struct catalog *cat)
{
	pthread_mutex_lock(&cat->lock);
	while (cat->scanning || cat->queue_ids.nr || cat->busy.nr)
		pthread_cond_wait(&cat->cond, &cat->lock);
	pthread_mutex_unlock(&cat->lock);
}

int catalog_start(struct catalog *cat, const struct server_config *cfg,
		  struct errbuf *err)
{
	struct index *idx;

	memset(cat, 0, sizeof(*cat));
	cat->cfg = cfg;
	pthread_mutex_init(&cat->lock, NULL);
	pthread_cond_init(&cat->cond, NULL);
	cat->index_path = join(cfg->data_dir, "index.sqlite");
	cat->runs_dir = join(cfg->data_dir, "runs");
	cat->staging_dir = join(cfg->data_dir, "staging");
	cat->tokens_path = join(cfg->data_dir, "tokens");
	if (mkdir_p(cfg->data_dir, err) < 0 ||
	    mkdir_p(cat->runs_dir, err) < 0 ||
	    mkdir_p(cat->staging_dir, err) < 0)
		return -1;
	/* a --runs-dir may hold the data directory: it is not a run */
	if (stat(cfg->data_dir, &cat->data_st) < 0)
		return errbuf_set(err, "cannot stat '%s': %s", cfg->data_dir,
				  strerror(errno));
	/* opened here so that a bad index is an error of the start */
	idx = catalog_get(cat, err);
	if (!idx)
		return -1;
	catalog_put(cat, idx);
	cat->scanning = true;
	if (pthread_create(&cat->thread, NULL, indexer_main, cat) != 0) {
		cat->scanning = false;
		return errbuf_set(err, "cannot start the indexer thread");
	}
	cat->thread_started = true;
	return 0;
}

bool catalog_stop_within(struct catalog *cat, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&cat->lock);
	cat->stop = true;
	pthread_cond_broadcast(&cat->cond);
	while (cat->thread_started && !cat->thread_done)
		if (pthread_cond_timedwait(&cat->cond, &cat->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (cat->thread_started && !cat->thread_done) {
		pthread_mutex_unlock(&cat->lock);
		return false;
	}
	pthread_mutex_unlock(&cat->lock);
	catalog_stop(cat);
	return true;
}

void catalog_stop(struct catalog *cat)
{
	pthread_mutex_lock(&cat->lock);
	cat->stop = true;
	pthread_cond_broadcast(&cat->cond);
	pthread_mutex_unlock(&cat->lock);
	if (cat->thread_started)
		pthread_join(cat->thread, NULL);
	cat->thread_started = false;
	for (size_t i = 0; i < cat->pool_nr; i++)
		index_close(cat->pool[i]);
	strlist_release(&cat->queue_ids);
	strlist_release(&cat->queue_roots);
	strlist_release(&cat->busy);
	pthread_mutex_destroy(&cat->lock);
	pthread_cond_destroy(&cat->cond);
	free(cat->index_path);
	free(cat->runs_dir);
	free(cat->staging_dir);
	free(cat->tokens_path);
}

/* ---- for the fuzz target ------------------------------------------------ */

void catalog_read_metadata(const char *root, struct index_run *r)
{
	read_metadata(root, r);
}
