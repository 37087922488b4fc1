/* SPDX-License-Identifier: MIT */
#include "triage.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"
#include "regress.h"
#include "sqlite_db.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

/*
 * The schema's version, in PRAGMA user_version.  This is user data: a
 * change of schema migrates the rows (ALTER TABLE), it never drops them.
 */
#define TRIAGE_SCHEMA_VERSION "1"

struct triage {
	sqlite3 *db;
};

const char *const triage_states[] = {
	"new",	   "acknowledged", "investigating", "fixed", "expected",
	"wontfix", NULL,
};

bool triage_state_ok(const char *state)
{
	for (size_t i = 0; triage_states[i]; i++)
		if (!strcmp(state, triage_states[i]))
			return true;
	return false;
}

bool triage_state_open(const char *state)
{
	return !strcmp(state, "new") || !strcmp(state, "acknowledged") ||
	       !strcmp(state, "investigating");
}

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS regressions("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" series TEXT NOT NULL, base_run TEXT NOT NULL, new_run TEXT NOT NULL,"
	" kind TEXT NOT NULL, new_created INTEGER NOT NULL,"
	" opened INTEGER NOT NULL, changes TEXT NOT NULL,"
	" stale INTEGER NOT NULL DEFAULT 0, looks_fixed_by TEXT,"
	" looks_fixed_created INTEGER,"
	" state TEXT NOT NULL DEFAULT 'new', state_at INTEGER, state_by TEXT,"
	" note TEXT NOT NULL DEFAULT '', links TEXT NOT NULL DEFAULT '[]',"
	" UNIQUE(series, base_run, new_run, kind));"
	"CREATE INDEX IF NOT EXISTS regressions_order"
	" ON regressions(series, new_created);"
	"CREATE TABLE IF NOT EXISTS events("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" regression INTEGER NOT NULL REFERENCES regressions(id),"
	" at INTEGER NOT NULL, who TEXT NOT NULL, state TEXT, note TEXT,"
	" links TEXT);"
	"CREATE TABLE IF NOT EXISTS settings("
	" series TEXT PRIMARY KEY, threshold REAL NOT NULL);"
	"CREATE TABLE IF NOT EXISTS outbox("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL,"
	" body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL);";

#define NAME "triage store" /* in messages */

static int db_error(struct triage *t, struct errbuf *err, const char *what)
{
	return db_fail(t->db, NAME, what, err);
}

struct triage *triage_open(const char *data_dir, struct errbuf *err)
{
	struct triage *t = xcalloc(1, sizeof(*t));
	struct strbuf path = STRBUF_INIT;
	char *msg = NULL;

	strbuf_addf(&path, "%s/%s", data_dir, TRIAGE_FILE);
	if (sqlite3_open_v2(path.buf, &t->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		errbuf_set(err, "cannot open '%s': %s", path.buf,
			   t->db ? sqlite3_errmsg(t->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(t->db, 10000);
	/* user data: every commit reaches the disk before it returns */
	if (sqlite3_exec(t->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 " PRAGMA foreign_keys=ON;",
			 NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(t->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(t->db, "PRAGMA user_version=" TRIAGE_SCHEMA_VERSION,
			 NULL, NULL, &msg) != SQLITE_OK) {
		errbuf_set(err, "cannot set up '%s': %s", path.buf,
			   msg ? msg : sqlite3_errmsg(t->db));
		sqlite3_free(msg);
		goto fail;
	}
	strbuf_release(&path);
	return t;
fail:
	strbuf_release(&path);
	triage_close(t);
	return NULL;
}

void triage_close(struct triage *t)
{
	if (!t)
		return;
	sqlite3_close(t->db);
	free(t);
}

static sqlite3_stmt *prepare(struct triage *t, const char *sql,
			     struct errbuf *err)
{
	return db_prepare(t->db, NAME, sql, err);
}

/* Run a statement that returns no rows. */
static int step_done(struct triage *t, sqlite3_stmt *st, const char *what,
		     struct errbuf *err)
{
	return db_step_done(t->db, NAME, st, what, err);
}

static int exec(struct triage *t, const char *sql, struct errbuf *err)
{
	return db_exec(t->db, NAME, sql, err);
}

int triage_begin(struct triage *t, struct errbuf *err)
{
	return exec(t, "BEGIN IMMEDIATE", err);
}

int triage_commit(struct triage *t, struct errbuf *err)
{
	return exec(t, "COMMIT", err);
}

void triage_rollback(struct triage *t)
{
	sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
}

int triage_threshold(struct triage *t, const char *series, double *pct,
		     struct errbuf *err)
{
	sqlite3_stmt *st = prepare(
		t, "SELECT threshold FROM settings WHERE series=?1", err);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*pct = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? 0
		       : db_error(t, err, "threshold");
}

int triage_set_threshold(struct triage *t, const char *series, double pct,
			 struct errbuf *err)
{
	sqlite3_stmt *st =
		prepare(t,
			"INSERT INTO settings(series, threshold)"
			" VALUES(?1, ?2) ON CONFLICT(series)"
			" DO UPDATE SET threshold=excluded.threshold",
			err);

	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	sqlite3_bind_double(st, 2, pct);
	return step_done(t, st, "set threshold", err);
}

/* ---- changes <-> JSON -----------------------------------------------------
 */

static json_t *changes_json(const struct regress_pair *p, bool worse)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nr; i++) {
		const struct regress_change *c = &p->items[i];
		json_t *o;

		if (regress_kind_worse(c->kind) != worse)
			continue;
		if (!worse && c->kind != REGRESS_IMPROVED &&
		    c->kind != REGRESS_ADDED)
			continue;
		o = json_pack("{s:s, s:s, s:I, s:I, s:I}", "benchmark",
			      c->bench, "change", regress_kind_name(c->kind),
			      "base", (json_int_t)c->base, "new",
			      (json_int_t)c->new, "delta",
			      (json_int_t)c->delta);
		if (!o)
			continue; /* a name that is not UTF-8 */
		json_object_set_new(o, "delta_pct",
				    c->has_pct && isfinite(c->delta_pct)
					    ? json_real(c->delta_pct)
					    : json_null());
		if (c->function) {
			json_object_set_new(o, "function",
					    json_string(c->function));
			json_object_set_new(
				o, "object",
				json_string(c->object ? c->object : ""));
			json_object_set_new(
				o, "function_delta",
				json_integer((json_int_t)c->function_delta));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static struct regress_pair *changes_parse(const char *text)
{
	struct regress_pair *p = xcalloc(1, sizeof(*p));
	json_t *a = json_loads(text, 0, NULL), *o;
	size_t i;

	json_array_foreach (a, i, o) {
		struct regress_change c = {0};
		json_t *pct = json_object_get(o, "delta_pct");
		const char *kind =
			json_string_value(json_object_get(o, "change"));

		c.bench = (char *)json_string_value(
			json_object_get(o, "benchmark"));
		if (!c.bench || !kind || !regress_kind_parse(kind, &c.kind))
			continue;
		c.base = (uint64_t)json_integer_value(
			json_object_get(o, "base"));
		c.new = (uint64_t)json_integer_value(json_object_get(o, "new"));
		c.delta = json_integer_value(json_object_get(o, "delta"));
		c.has_pct = json_is_number(pct);
		c.delta_pct = json_number_value(pct);
		regress_pair_add(p, &c);
	}
	json_decref(a);
	return p;
}

/* ---- detection's records ------------------------------------------------- */

/* Insert or refresh one (pair, kind) row; *id its id, *created if new. */
static int upsert(struct triage *t, const char *series, const char *base,
		  const char *new_id, const char *kind, int64_t new_created,
		  const char *changes, int64_t *id, bool *created,
		  struct errbuf *err)
{
	sqlite3_stmt *st =
		prepare(t,
			"SELECT id FROM regressions WHERE series=?1"
			" AND base_run=?2 AND new_run=?3 AND kind=?4",
			err);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	db_bind_text(st, 2, base);
	db_bind_text(st, 3, new_id);
	db_bind_text(st, 4, kind);
	rc = sqlite3_step(st);
	*created = rc == SQLITE_DONE;
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(t, err, "find pair");
	if (*created)
		st = prepare(t,
			     "INSERT INTO regressions(series, base_run,"
			     " new_run, kind, new_created, opened, changes)"
			     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			     err);
	else
		st = prepare(t,
			     "UPDATE regressions SET new_created=?5,"
			     " changes=?7, stale=0 WHERE id=?8",
			     err);
	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	db_bind_text(st, 2, base);
	db_bind_text(st, 3, new_id);
	db_bind_text(st, 4, kind);
	sqlite3_bind_int64(st, 5, new_created);
	sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
	db_bind_text(st, 7, changes);
	if (!*created)
		sqlite3_bind_int64(st, 8, *id);
	if (step_done(t, st, "record pair", err) < 0)
		return -1;
	if (*created)
		*id = sqlite3_last_insert_rowid(t->db);
	return 0;
}

int triage_mark_first(struct triage *t, const char *series, const char *new_id,
		      struct errbuf *err)
{
	sqlite3_stmt *st = prepare(t,
				   "UPDATE regressions SET stale=1 WHERE"
				   " series=?1 AND new_run=?2",
				   err);

	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	db_bind_text(st, 2, new_id);
	return step_done(t, st, "mark stale", err);
}

int triage_record_pair(struct triage *t, const char *series, const char *base,
		       const char *new_id, int64_t new_created,
		       const struct regress_pair *pair, int64_t *opened,
		       struct errbuf *err)
{
	static const char *const kinds[2] = {"regression", "improvement"};
	int64_t ids[2] = {0, 0};

	*opened = 0;
	for (int k = 0; k < 2; k++) {
		json_t *a;
		char *text;
		bool created;
		int rc;

		if (!(k == 0 ? pair->worse : pair->better))
			continue;
		a = changes_json(pair, k == 0);
		text = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		rc = upsert(t, series, base, new_id, kinds[k], new_created,
			    text ? text : "[]", &ids[k], &created, err);
		free(text);
		if (rc < 0)
			return -1;
		if (k == 0 && created)
			*opened = ids[0];
	}
	/* everything else recorded for new_id is no longer current */
	{
		sqlite3_stmt *st = prepare(
			t,
			"UPDATE regressions SET stale=1 WHERE series=?1 AND"
			" new_run=?2 AND id NOT IN (?3, ?4)",
			err);

		if (!st)
			return -1;
		db_bind_text(st, 1, series);
		db_bind_text(st, 2, new_id);
		sqlite3_bind_int64(st, 3, ids[0]);
		sqlite3_bind_int64(st, 4, ids[1]);
		return step_done(t, st, "mark stale", err);
	}
}

int triage_fix_candidates(struct triage *t, const char *series, int64_t before,
			  struct triage_candidate **out, size_t *nr,
			  struct errbuf *err)
{
	sqlite3_stmt *st = prepare(
		t,
		"SELECT id, changes FROM regressions WHERE series=?1 AND"
		" kind='regression' AND stale=0 AND new_created < ?2 AND"
		" (looks_fixed_by IS NULL OR looks_fixed_created > ?2)"
		" ORDER BY id",
		err);
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	sqlite3_bind_int64(st, 2, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		(*out)[*nr].id = sqlite3_column_int64(st, 0);
		(*out)[*nr].changes =
			changes_parse((const char *)sqlite3_column_text(st, 1));
		(*nr)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(t, err, "fix candidates");
}

void triage_candidates_free(struct triage_candidate *c, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		regress_pair_release(c[i].changes);
		free(c[i].changes);
	}
	free(c);
}

int triage_set_looks_fixed(struct triage *t, int64_t id, const char *run,
			   int64_t created, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(t,
				   "UPDATE regressions SET looks_fixed_by=?2,"
				   " looks_fixed_created=?3 WHERE id=?1",
				   err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, run);
	sqlite3_bind_int64(st, 3, created);
	return step_done(t, st, "looks fixed", err);
}

/* ---- reading ------------------------------------------------------------ */

#define ROW_COLUMNS                                                            \
	"id, series, base_run, new_run, kind, new_created, opened, changes,"   \
	" stale, looks_fixed_by, state, state_at, state_by, note, links"

static json_t *time_json(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *text_json(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? json_string(s) : json_null();
}

/* The change that names the row: the largest worse (better) one. */
static json_t *top_change(json_t *changes, bool worse)
{
	json_t *best = NULL, *c;
	double best_v = -INFINITY;
	size_t i;

	json_array_foreach (changes, i, c) {
		json_t *pct = json_object_get(c, "delta_pct");
		double v;

		/* no percentage (a missing benchmark, a base of 0) first */
		v = json_is_number(pct) ? json_number_value(pct)
					: (worse ? INFINITY : -INFINITY);
		if (!worse)
			v = -v;
		if (!best || v > best_v) {
			best = c;
			best_v = v;
		}
	}
	return best;
}

static json_t *row_json(sqlite3_stmt *st)
{
	int64_t id = sqlite3_column_int64(st, 0);
	const char *kind = (const char *)sqlite3_column_text(st, 4);
	bool worse = !strcmp(kind, "regression");
	json_t *o = json_object(), *changes, *counts, *c, *top;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	changes = json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL);
	if (!json_is_array(changes)) {
		json_decref(changes);
		changes = json_array();
	}
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "series", text_json(st, 1));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "base", text_json(st, 2));
	json_object_set_new(o, "new", text_json(st, 3));
	json_object_set_new(o, "new_created",
			    time_json(sqlite3_column_int64(st, 5)));
	json_object_set_new(o, "opened",
			    time_json(sqlite3_column_int64(st, 6)));
	json_object_set_new(o, "opened_unix",
			    json_integer(sqlite3_column_int64(st, 6)));
	json_object_set_new(o, "stale",
			    json_boolean(sqlite3_column_int(st, 8)));
	json_object_set_new(o, "looks_fixed_by", text_json(st, 9));
	json_object_set_new(o, "state",
			    worse ? text_json(st, 10) : json_null());
	json_object_set_new(o, "state_changed",
			    sqlite3_column_type(st, 11) == SQLITE_NULL
				    ? json_null()
				    : time_json(sqlite3_column_int64(st, 11)));
	json_object_set_new(o, "state_by", text_json(st, 12));
	json_object_set_new(o, "note", text_json(st, 13));
	c = json_loads((const char *)sqlite3_column_text(st, 14), 0, NULL);
	json_object_set_new(o, "links", json_is_array(c) ? c : json_array());
	if (!json_is_array(c))
		json_decref(c);
	counts =
		json_pack("{s:i, s:i, s:i, s:i, s:i}", "regressed", 0,
			  "improved", 0, "missing", 0, "failed", 0, "added", 0);
	json_array_foreach (changes, i, c) {
		const char *k = json_string_value(json_object_get(c, "change"));
		json_t *n = k ? json_object_get(counts, k) : NULL;

		if (n)
			json_integer_set(n, json_integer_value(n) + 1);
	}
	json_object_set_new(o, "counts", counts);
	top = top_change(changes, worse);
	if (top)
		json_object_set(o, "top", top);
	json_object_set_new(o, "changes", changes);
	strbuf_addf(&sb, "/regressions/%lld", (long long)id);
	json_object_set_new(o, "url", json_string(sb.buf));
	strbuf_reset(&sb);
	strbuf_addf(&sb, "/compare/%s...%s", sqlite3_column_text(st, 2),
		    sqlite3_column_text(st, 3));
	json_object_set_new(o, "compare_url", json_string(sb.buf));
	strbuf_release(&sb);
	return o;
}

json_t *triage_list(struct triage *t, const struct triage_filter *f,
		    struct errbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	const char *state = f->state;
	sqlite3_stmt *st;
	json_t *a;
	int rc;

	strbuf_adds(&sql, "SELECT " ROW_COLUMNS " FROM regressions WHERE"
			  " kind=?1 AND (?2 IS NULL OR series=?2) AND"
			  " (?3 IS NULL OR base_run=?3 OR new_run=?3) AND"
			  " (?5 IS NULL OR base_run=?5) AND"
			  " (?6 IS NULL OR new_run=?6)");
	if (!f->stale)
		strbuf_adds(&sql, " AND stale=0");
	if (state && !strcmp(state, "open"))
		strbuf_adds(&sql, " AND state IN ('new', 'acknowledged',"
				  " 'investigating')");
	else if (state && !strcmp(state, "closed"))
		strbuf_adds(&sql, " AND state IN ('fixed', 'expected',"
				  " 'wontfix')");
	else if (state)
		strbuf_adds(&sql, " AND state=?4");
	strbuf_adds(&sql, " ORDER BY new_created DESC, id DESC");
	if (f->limit)
		strbuf_addf(&sql, " LIMIT %zu", f->limit);
	st = prepare(t, sql.buf, err);
	strbuf_release(&sql);
	if (!st)
		return NULL;
	db_bind_text(st, 1, f->kind ? f->kind : "regression");
	db_bind_text(st, 2, f->series);
	db_bind_text(st, 3, f->run);
	db_bind_text(st, 4, state);
	db_bind_text(st, 5, f->base);
	db_bind_text(st, 6, f->new_run);
	a = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, row_json(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		db_error(t, err, "list");
		return NULL;
	}
	return a;
}

static json_t *history(struct triage *t, int64_t id, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(t,
				   "SELECT at, who, state, note, links FROM"
				   " events WHERE regression=?1 ORDER BY id",
				   err);
	json_t *a;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	a = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *e = json_object(), *links;
		const char *l = (const char *)sqlite3_column_text(st, 4);

		json_object_set_new(e, "at",
				    time_json(sqlite3_column_int64(st, 0)));
		json_object_set_new(e, "who", text_json(st, 1));
		json_object_set_new(e, "state", text_json(st, 2));
		json_object_set_new(e, "note", text_json(st, 3));
		links = l ? json_loads(l, 0, NULL) : NULL;
		json_object_set_new(e, "links", links ? links : json_null());
		json_array_append_new(a, e);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		db_error(t, err, "history");
		return NULL;
	}
	return a;
}

json_t *triage_get(struct triage *t, int64_t id, bool *found,
		   struct errbuf *err)
{
	sqlite3_stmt *st = prepare(
		t, "SELECT " ROW_COLUMNS " FROM regressions WHERE id=?1", err);
	json_t *o = NULL, *h;
	int rc;

	*found = false;
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		o = row_json(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			db_error(t, err, "get");
		return NULL;
	}
	h = history(t, id, err);
	if (!h) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "history", h);
	*found = true;
	return o;
}

int triage_update(struct triage *t, int64_t id, const char *who,
		  const struct triage_change *c, struct errbuf *err)
{
	char *links = c->links ? json_dumps(c->links, JSON_COMPACT) : NULL;
	int64_t now = (int64_t)time(NULL);
	sqlite3_stmt *st;
	int changed, ret = -1;

	if (triage_begin(t, err) < 0)
		goto out;
	st = prepare(t,
		     "UPDATE regressions SET state=coalesce(?2, state),"
		     " note=coalesce(?3, note), links=coalesce(?4, links),"
		     " state_at=?5, state_by=?6 WHERE id=?1 AND"
		     " kind='regression'",
		     err);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, c->state);
	db_bind_text(st, 3, c->note);
	db_bind_text(st, 4, links);
	sqlite3_bind_int64(st, 5, now);
	db_bind_text(st, 6, who);
	if (step_done(t, st, "update", err) < 0)
		goto fail;
	changed = sqlite3_changes(t->db);
	if (!changed) {
		triage_rollback(t);
		ret = 0;
		goto out;
	}
	st = prepare(t,
		     "INSERT INTO events(regression, at, who, state, note,"
		     " links) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
		     err);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	db_bind_text(st, 3, who);
	db_bind_text(st, 4, c->state);
	db_bind_text(st, 5, c->note);
	db_bind_text(st, 6, links);
	if (step_done(t, st, "history", err) < 0 || triage_commit(t, err) < 0)
		goto fail;
	ret = 1;
	goto out;
fail:
	triage_rollback(t);
out:
	free(links);
	return ret;
}

/* ---- the notification queue --------------------------------------------- */

int triage_enqueue(struct triage *t, const char *url, const char *body,
		   struct errbuf *err)
{
	sqlite3_stmt *st = prepare(
		t, "INSERT INTO outbox(url, body, next_at) VALUES(?1, ?2, 0)",
		err);

	if (!st)
		return -1;
	db_bind_text(st, 1, url);
	db_bind_text(st, 2, body);
	return step_done(t, st, "enqueue", err);
}

int triage_due(struct triage *t, int64_t now, size_t max,
	       struct triage_message **out, size_t *nr, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(t,
				   "SELECT id, url, body, attempts FROM outbox"
				   " WHERE next_at <= ?1 ORDER BY id LIMIT ?2",
				   err);
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct triage_message *m;

		ALLOC_GROW(*out, *nr + 1, alloc);
		m = &(*out)[(*nr)++];
		m->id = sqlite3_column_int64(st, 0);
		m->url = xstrdup((const char *)sqlite3_column_text(st, 1));
		m->body = xstrdup((const char *)sqlite3_column_text(st, 2));
		m->attempts = (unsigned)sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(t, err, "due");
}

void triage_messages_free(struct triage_message *m, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(m[i].url);
		free(m[i].body);
	}
	free(m);
}

int triage_sent(struct triage *t, int64_t id, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(t, "DELETE FROM outbox WHERE id=?1", err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return step_done(t, st, "sent", err);
}

int triage_retry(struct triage *t, int64_t id, int64_t next_at,
		 struct errbuf *err)
{
	sqlite3_stmt *st = prepare(t,
				   "UPDATE outbox SET attempts=attempts+1,"
				   " next_at=?2 WHERE id=?1",
				   err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, next_at);
	return step_done(t, st, "retry", err);
}

int triage_backup(struct triage *t, const char *path, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(t, "VACUUM INTO ?1", err);

	if (!st)
		return -1;
	db_bind_text(st, 1, path);
	return step_done(t, st, "backup", err);
}
