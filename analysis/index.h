/* SPDX-License-Identifier: MIT */
/*
 * index: the SQLite index of analysed runs.  It is derived from the run
 * directories and can be rebuilt at any time: it holds each run's status,
 * metadata and the figures of struct run (benchmarks, invocations,
 * objects, functions, hottest blocks and their code, the instruction mix,
 * warnings), from which index_load_run() rebuilds a
 * struct run without reading the run directory again, so the API renders
 * through the same json_view functions as the command line.
 *
 * One struct index is one SQLite connection: use it from one thread at a
 * time (the server keeps a pool).  The database is in WAL mode, so one
 * writer and many readers work side by side.  A schema change bumps
 * INDEX_SCHEMA_VERSION; opening an index of another version drops its
 * tables, and every run is then analysed again.
 */
#ifndef ANALYSIS_INDEX_H
#define ANALYSIS_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct errbuf;
struct run;

#define INDEX_SCHEMA_VERSION 4

struct index;

enum index_status {
	INDEX_PENDING,	/* found, waiting to be analysed */
	INDEX_INDEXING, /* being analysed now */
	INDEX_READY,
	INDEX_FAILED, /* analysis failed: see error */
};

const char *index_status_name(enum index_status s);

/* A row of the runs table. */
struct index_run {
	char *id;
	char *root;	 /* the run directory */
	char *series;	 /* may be NULL */
	char *meta_json; /* the run's metadata object as JSON text, or NULL */
	int64_t created; /* unix time: metadata timestamp, else when found */
	enum index_status status;
	char *error;	   /* why it failed, or NULL */
	char *fingerprint; /* what the run directory looked like when analysed
			    */
	uint64_t progress_done,
		progress_total; /* files analysed / to analyse */
	uint64_t instructions;
	uint64_t benchmarks;
	bool lower_bound;
	uint64_t warnings; /* how many */
};

void index_run_release(struct index_run *r);

/*
 * Open the index at path, creating the file and its tables if needed (a
 * database of another INDEX_SCHEMA_VERSION loses its tables and starts
 * empty).  Returns NULL with the reason in *err when the file cannot be
 * opened or set up.  Close with index_close().
 */
struct index *index_open(const char *path, struct errbuf *err);
/* Close the connection and free idx; NULL is fine. */
void index_close(struct index *idx);

/*
 * Add a run or update its directory, metadata and status, keeping its
 * figures.  created is kept from an earlier row unless the row is new.
 */
int index_upsert_run(struct index *idx, const struct index_run *r,
		     struct errbuf *err);
/*
 * Set run id's status, error (NULL: none) and progress (files done of
 * total), keeping its figures.  An unknown id changes nothing and is not
 * an error.  Returns 0, or -1 with the reason in *err.
 */
int index_set_status(struct index *idx, const char *id,
		     enum index_status status, const char *error, uint64_t done,
		     uint64_t total, struct errbuf *err);
/*
 * Replace the figures of run `id` by those of `run`, mark it ready and
 * record the fingerprint, in one transaction.
 */
int index_store_run(struct index *idx, const char *id, const struct run *run,
		    const char *fingerprint, struct errbuf *err);
/*
 * Remove run id and all its figures (the tables cascade).  The run
 * directory is not touched.  An unknown id is not an error.  Returns 0,
 * or -1 with the reason in *err.
 */
int index_delete_run(struct index *idx, const char *id, struct errbuf *err);

/* Returns 1 and fills *out, 0 when there is no such run, -1 on error. */
int index_get_run(struct index *idx, const char *id, struct index_run *out,
		  struct errbuf *err);

/*
 * Runs, newest first (created, then id), optionally of one series;
 * *total is the count before offset/limit.  Free with index_runs_free().
 */
int index_list_runs(struct index *idx, const char *series, size_t offset,
		    size_t limit, struct index_run **out, size_t *nr,
		    size_t *total, struct errbuf *err);
void index_runs_free(struct index_run *runs, size_t nr);

/*
 * The run to compare run id with: the newest ready run of id's series
 * that is older than id, in index_list_runs()' order (created, then id:
 * of two runs created in the same second, the smaller id is the older).
 * id itself may have any status.  A run without a series has no previous
 * run.  Returns 1 and fills *out (free with index_run_release()), 0 when
 * there is none or id is unknown, -1 on error.
 */
int index_previous_run(struct index *idx, const char *id, struct index_run *out,
		       struct errbuf *err);

/* What index_load_run() reads besides benchmark totals. */
enum index_load_flags {
	INDEX_LOAD_OBJECTS = 1 << 0,
	INDEX_LOAD_FUNCTIONS = 1 << 1,
	INDEX_LOAD_DETAILS = 1 << 2, /* invocations and warnings */
	INDEX_LOAD_BLOCKS = 1 << 3,  /* the hottest blocks, with their code */
	INDEX_LOAD_MIX = 1 << 4,     /* the instruction mix rows */
	INDEX_LOAD_RATE = 1 << 5,    /* the rate timelines (rate.h) */
};

/*
 * Rebuild the struct run of a ready run (only benchmark `only` when it is
 * not NULL).  Returns 1, 0 when the run is unknown or not ready, -1 on
 * error.  Free with run_release().
 */
int index_load_run(struct index *idx, const char *id, unsigned flags,
		   const char *only, struct run *out, struct errbuf *err);

/* One point of a benchmark's history. */
struct history_point {
	char *run_id;
	int64_t created;
	bool present; /* the benchmark is in this run */
	uint64_t instructions;
	bool lower_bound;
};

/* The ready runs of `series`, oldest first, with benchmark `bench`. */
int index_history(struct index *idx, const char *bench, const char *series,
		  struct history_point **out, size_t *nr, struct errbuf *err);
void index_history_free(struct history_point *p, size_t nr);

/* ---- the dashboard's queries (issue #11) -------------------------------- */

/* A series, as the dashboard lists it. */
struct index_series {
	char *name;
	uint64_t runs;	/* runs of any status */
	uint64_t ready; /* ready runs */
	int64_t latest; /* created of its newest run */
};

/*
 * Every named series (runs without a series are not one), the one with
 * the newest run first.  Free with index_series_free().
 */
int index_list_series(struct index *idx, struct index_series **out, size_t *nr,
		      struct errbuf *err);
void index_series_free(struct index_series *s, size_t nr);

/*
 * The counterpart of index_previous_run(): the oldest ready run of id's
 * series that is newer than id, in index_list_runs()' order.  Returns 1
 * and fills *out, 0 when there is none or id is unknown, -1 on error.
 */
int index_next_run(struct index *idx, const char *id, struct index_run *out,
		   struct errbuf *err);

/*
 * The ready runs of `series`, oldest first (created, then id).  Free
 * with index_runs_free().
 */
int index_series_runs(struct index *idx, const char *series,
		      struct index_run **out, size_t *nr, struct errbuf *err);

#endif
