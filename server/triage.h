/* SPDX-License-Identifier: MIT */
/*
 * triage: the regression tracker's store, DATA/triage.sqlite.  Unlike
 * index.sqlite (derived from the runs, rebuilt by `tbscope reindex`), it
 * holds user data: what the team decided about each regression (state,
 * note, links, who and when), the per-series settings, and the queue of
 * notifications still to send.  It is never dropped or rebuilt; the
 * database is in WAL mode with synchronous=FULL, so a change that
 * returned is on disk and a kill -9 in the middle of one loses nothing
 * that was committed.
 *
 * Detection (api_regress.c) records one row per run pair and kind
 * ("regression": the pair's worse changes; "improvement": its better
 * ones), keyed by (series, base run, new run, kind): recomputing it after
 * a reindex finds the same row and keeps its triage.  Ids come from
 * AUTOINCREMENT and are never reused.  A pair that is no longer a pair of
 * consecutive runs (a run was uploaded between them) or no longer has
 * such changes is marked stale, not deleted: its permalink keeps working.
 *
 * One struct triage is one SQLite connection, for one thread at a time;
 * open one per operation (cheap) or keep one per thread.  Functions
 * return 0 (or a count, or an id) on success, -1 with *err on failure.
 * JSON values returned are new references owned by the caller.
 */
#ifndef SERVER_TRIAGE_H
#define SERVER_TRIAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct errbuf;
struct regress_pair;

#define TRIAGE_FILE "triage.sqlite"

struct triage;

/* Open (creating) DATA/triage.sqlite. */
struct triage *triage_open(const char *data_dir, struct errbuf *err);
void triage_close(struct triage *t);

/* The states a regression can be in, "new" first. */
extern const char *const triage_states[];
bool triage_state_ok(const char *state);
/* Open states: new, acknowledged, investigating. */
bool triage_state_open(const char *state);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK around a detection pass. */
int triage_begin(struct triage *t, struct errbuf *err);
int triage_commit(struct triage *t, struct errbuf *err);
void triage_rollback(struct triage *t);

/* The series' threshold in percent: its setting, else *pct unchanged. */
int triage_threshold(struct triage *t, const char *series, double *pct,
		     struct errbuf *err);
int triage_set_threshold(struct triage *t, const char *series, double pct,
			 struct errbuf *err);

/*
 * Record the changes of the consecutive runs base -> new of series
 * (new_created orders the pairs: the new run's created time).  Rows for
 * kinds the pair no longer has are marked stale; rows of `new` against
 * another base are marked stale.  *opened is set to the id of a
 * regression row created now (0 when none was), for notifications.
 */
int triage_record_pair(struct triage *t, const char *series, const char *base,
		       const char *new_id, int64_t new_created,
		       const struct regress_pair *pair, int64_t *opened,
		       struct errbuf *err);
/* new_id has no previous run any more: mark its rows stale. */
int triage_mark_first(struct triage *t, const char *series, const char *new_id,
		      struct errbuf *err);

/*
 * The regressions of series opened by a run created before `before`,
 * not stale, and not looking fixed by a run created before `before`
 * either (a run placed earlier may fix them first): ids and their
 * changes, parsed.
 */
struct triage_candidate {
	int64_t id;
	struct regress_pair *changes;
};
int triage_fix_candidates(struct triage *t, const char *series, int64_t before,
			  struct triage_candidate **out, size_t *nr,
			  struct errbuf *err);
void triage_candidates_free(struct triage_candidate *c, size_t nr);
/* Run `run` (created then) brings regression id back. */
int triage_set_looks_fixed(struct triage *t, int64_t id, const char *run,
			   int64_t created, struct errbuf *err);

/* Filters of triage_list(); NULL fields do not filter. */
struct triage_filter {
	const char *series;
	const char *state;   /* a state, "open" or "closed" */
	const char *kind;    /* "regression" (default) or "improvement" */
	const char *run;     /* base or new run of the pair */
	const char *base;    /* the pair's base run */
	const char *new_run; /* the pair's new run */
	bool stale;	     /* also list stale pairs */
	size_t limit;	     /* 0: all */
};

/* The rows, newest pair first, as an array of regression objects. */
json_t *triage_list(struct triage *t, const struct triage_filter *f,
		    struct errbuf *err);
/* One row with its history of changes; NULL and *found=false if none. */
json_t *triage_get(struct triage *t, int64_t id, bool *found,
		   struct errbuf *err);

/* What a PATCH changes; NULL fields are kept. */
struct triage_change {
	const char *state;
	const char *note;
	json_t *links; /* array of {"kind", "url"}; borrowed */
};
/*
 * Change row id as `who`, recording the change in its history.  Returns
 * 1, 0 when there is no such row, -1 on error.
 */
int triage_update(struct triage *t, int64_t id, const char *who,
		  const struct triage_change *c, struct errbuf *err);

/* ---- the notification queue ------------------------------------------- */

int triage_enqueue(struct triage *t, const char *url, const char *body,
		   struct errbuf *err);
struct triage_message {
	int64_t id;
	char *url, *body;
	unsigned attempts;
};
/* The messages due at `now` (at most max). */
int triage_due(struct triage *t, int64_t now, size_t max,
	       struct triage_message **out, size_t *nr, struct errbuf *err);
void triage_messages_free(struct triage_message *m, size_t nr);
/* Sent: drop it.  Failed: try again at next_at. */
int triage_sent(struct triage *t, int64_t id, struct errbuf *err);
int triage_retry(struct triage *t, int64_t id, int64_t next_at,
		 struct errbuf *err);

/* Copy the store, consistently, to path (VACUUM INTO). */
int triage_backup(struct triage *t, const char *path, struct errbuf *err);

#endif
