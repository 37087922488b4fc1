/* SPDX-License-Identifier: MIT */
/*
 * catalog: the server's view of its runs.  It owns the data directory
 * (runs/, staging/, index.sqlite, tokens), a pool of index connections for
 * the request threads, and one indexer thread that analyses new or changed
 * runs off the request path.  At start every run directory (each DATA/runs/<id>
 * and the subdirectories of each --runs-dir) is compared with the index by
 * its fingerprint; only new or changed runs are analysed, and runs whose
 * directory is gone are dropped from the index.  While a run is analysed
 * the index says so, with progress; a run that fails is listed with its
 * error.
 *
 * The generation counter goes up whenever the index changes, so cached
 * answers can tell whether they are still current.
 */
#ifndef SERVER_CATALOG_H
#define SERVER_CATALOG_H

#include <pthread.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "strlist.h"

struct errbuf;
struct index;
struct server_config;

struct catalog {
	const struct server_config *cfg;
	char *index_path;
	char *runs_dir;	     /* DATA/runs: uploaded runs, immutable */
	char *staging_dir;   /* DATA/staging: uploads in progress */
	char *tokens_path;   /* DATA/tokens */
	struct stat data_st; /* DATA itself, never taken for a run */

	pthread_mutex_t lock;
	pthread_cond_t cond; /* queue, busy and stop changes */
	struct strlist queue_ids, queue_roots; /* runs waiting */
	struct strlist busy;		       /* runs being analysed */
	bool stop;
	bool scanning;	  /* the start-up scan is running */
	bool thread_done; /* the indexer thread has returned */
	bool thread_started;
	pthread_t thread;
	struct index *pool[32];
	size_t pool_nr;
	atomic_uint_fast64_t generation;
};

/*
 * Create the data directory if needed, open the index, and start the
 * indexer thread, which first compares the index with the run directories
 * (so that a restart over many runs listens at once).
 */
int catalog_start(struct catalog *cat, const struct server_config *cfg,
		  struct errbuf *err);
/* Stop the indexer (after the run it is analysing) and close everything. */
void catalog_stop(struct catalog *cat);
/*
 * catalog_stop(), but wait at most ms milliseconds for the indexer.
 * Returns true when stopped; false when it is still analysing a run: then
 * nothing is released and the caller should _exit() at once (the run
 * stays pending in the index and is analysed at the next start, as after
 * a crash).
 */
bool catalog_stop_within(struct catalog *cat, unsigned ms);

/* An index connection for this thread; give it back with catalog_put(). */
struct index *catalog_get(struct catalog *cat, struct errbuf *err);
void catalog_put(struct catalog *cat, struct index *idx);

/*
 * Record run id (directory root) as pending and queue it for the indexer
 * thread, ahead of the runs found at start-up: an upload answered before
 * its analysis.  Returns 0, or -1 with the reason in *err.
 */
int catalog_enqueue(struct catalog *cat, const char *id, const char *root,
		    struct errbuf *err);

/*
 * Analyse the run `id` at `root` now, in the calling thread (uploads), and
 * store it.  Waits if the indexer thread is analysing it.  Returns 0, or -1
 * with the reason (the run is then listed as failed).
 */
int catalog_index_now(struct catalog *cat, const char *id, const char *root,
		      struct errbuf *err);

uint64_t catalog_generation(struct catalog *cat);

/* Wait until no run is queued or being analysed. */
void catalog_wait_idle(struct catalog *cat);

/* Is root inside DATA/runs (an uploaded, immutable run)? */
bool catalog_immutable(const struct catalog *cat, const char *root);

/*
 * Fill r->series, r->meta_json (both to free) and r->created from
 * root/tbscope-run.json, as the indexer does (for tests/fuzz).
 */
struct index_run;
void catalog_read_metadata(const char *root, struct index_run *r);

#endif
