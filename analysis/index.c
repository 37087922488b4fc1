/* SPDX-License-Identifier: MIT */
#include "index.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "figures.h"
#include "xalloc.h"
#include "banned.h"

struct index {
	sqlite3 *db;
	char *path;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS runs("
	" id TEXT PRIMARY KEY, root TEXT NOT NULL, series TEXT,"
	" meta_json TEXT, created INTEGER NOT NULL, status INTEGER NOT NULL,"
	" error TEXT, fingerprint TEXT, progress_done INTEGER DEFAULT 0,"
	" progress_total INTEGER DEFAULT 0, instructions INTEGER DEFAULT 0,"
	" benchmarks INTEGER DEFAULT 0, lower_bound INTEGER DEFAULT 0,"
	" nwarnings INTEGER DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS runs_series ON runs(series, created);"
	"CREATE INDEX IF NOT EXISTS runs_created ON runs(created);"
	"CREATE TABLE IF NOT EXISTS benchmarks("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, name TEXT NOT NULL, suite TEXT, dir TEXT,"
	" instructions INTEGER, lower_bound INTEGER, overflow INTEGER,"
	" has_insns INTEGER, insns INTEGER, nrows INTEGER, malformed INTEGER,"
	" invocations INTEGER, arch TEXT, PRIMARY KEY(run_id, bench));"
	"CREATE INDEX IF NOT EXISTS benchmarks_name ON benchmarks(name);"
	"CREATE TABLE IF NOT EXISTS invocations("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, idx INTEGER NOT NULL, qemu_out TEXT, map "
	"TEXT,"
	" instructions INTEGER, nrows INTEGER, collected INTEGER, insns "
	"INTEGER,"
	" malformed INTEGER, partial INTEGER, PRIMARY KEY(run_id, bench, idx));"
	"CREATE TABLE IF NOT EXISTS objects("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT, path TEXT,"
	" elf TEXT, elf_error TEXT, instructions INTEGER,"
	" PRIMARY KEY(run_id, bench, idx));"
	"CREATE TABLE IF NOT EXISTS functions("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, idx INTEGER NOT NULL, object INTEGER,"
	" name TEXT, instructions INTEGER, addr INTEGER, size INTEGER,"
	" blocks INTEGER, code_hash INTEGER, PRIMARY KEY(run_id, bench, idx));"
	"CREATE TABLE IF NOT EXISTS blocks("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, idx INTEGER NOT NULL, object INTEGER,"
	" function INTEGER, addr INTEGER, icount INTEGER, ecount INTEGER,"
	" tcount INTEGER, code TEXT, PRIMARY KEY(run_id, bench, idx));"
	"CREATE TABLE IF NOT EXISTS mix("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, idx INTEGER NOT NULL, function INTEGER,"
	" mnemonic TEXT, class INTEGER, decoder INTEGER, ext TEXT,"
	" count INTEGER, compressed INTEGER, stack INTEGER, vector INTEGER,"
	" PRIMARY KEY(run_id, bench, idx));"
	"CREATE TABLE IF NOT EXISTS warnings("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, idx INTEGER NOT NULL, message TEXT,"
	" PRIMARY KEY(run_id, bench, idx));";

static const char *const derived_tables[] = {
	"warnings", "mix",	   "blocks",	 "functions",
	"objects",  "invocations", "benchmarks", "runs",
};

const char *index_status_name(enum index_status s)
{
	switch (s) {
	case INDEX_PENDING:
		return "pending";
	case INDEX_INDEXING:
		return "indexing";
	case INDEX_READY:
		return "ready";
	case INDEX_FAILED:
		return "failed";
	}
	return "unknown";
}

static int db_error(struct index *idx, struct errbuf *err, const char *what)
{
	return errbuf_set(err, "index '%s': %s: %s", idx->path, what,
			  sqlite3_errmsg(idx->db));
}

static int exec(struct index *idx, const char *sql, struct errbuf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(idx->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errbuf_set(err, "index '%s': %s", idx->path,
			   msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *prepare(struct index *idx, const char *sql,
			     struct errbuf *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(idx->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(idx, err, "prepare");
		return NULL;
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* u64 figures are stored as their two's complement int64 */
static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

static uint64_t col_u64(sqlite3_stmt *st, int i)
{
	return (uint64_t)sqlite3_column_int64(st, i);
}

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

static int schema_version(struct index *idx)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(idx->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

struct index *index_open(const char *path, struct errbuf *err)
{
	struct index *idx = xcalloc(1, sizeof(*idx));
	int v;

	idx->path = xstrdup(path);
	if (sqlite3_open_v2(path, &idx->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		db_error(idx, err, "open");
		index_close(idx);
		return NULL;
	}
	sqlite3_busy_timeout(idx->db, 10000);
	if (exec(idx,
		 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		 "PRAGMA foreign_keys=ON;",
		 err) < 0)
		goto fail;
	v = schema_version(idx);
	if (v < 0) {
		db_error(idx, err, "read schema version");
		goto fail;
	}
	if (v != INDEX_SCHEMA_VERSION) {
		struct errbuf e2;
		char sql[128];

		/* derived data only: drop it, every run is analysed again */
		if (exec(idx, "BEGIN IMMEDIATE", err) < 0)
			goto fail;
		for (size_t i = 0;
		     i < sizeof(derived_tables) / sizeof(derived_tables[0]);
		     i++) {
			snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s",
				 derived_tables[i]);
			if (exec(idx, sql, err) < 0) {
				exec(idx, "ROLLBACK", &e2);
				goto fail;
			}
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
			 INDEX_SCHEMA_VERSION);
		if (exec(idx, schema, err) < 0 || exec(idx, sql, err) < 0) {
			exec(idx, "ROLLBACK", &e2);
			goto fail;
		}
		if (exec(idx, "COMMIT", err) < 0)
			goto fail;
	}
	return idx;
fail:
	index_close(idx);
	return NULL;
}

void index_close(struct index *idx)
{
	if (!idx)
		return;
	sqlite3_close_v2(idx->db);
	free(idx->path);
	free(idx);
}

void index_run_release(struct index_run *r)
{
	free(r->id);
	free(r->root);
	free(r->series);
	free(r->meta_json);
	free(r->error);
	free(r->fingerprint);
	memset(r, 0, sizeof(*r));
}

int index_upsert_run(struct index *idx, const struct index_run *r,
		     struct errbuf *err)
{
	sqlite3_stmt *st = prepare(
		idx,
		"INSERT INTO runs(id, root, series, meta_json, created, status,"
		" error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(id) DO UPDATE SET root=?2, series=?3,"
		" meta_json=?4, status=?6, error=?7",
		err);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->root);
	bind_text(st, 3, r->series);
	bind_text(st, 4, r->meta_json);
	sqlite3_bind_int64(st, 5, r->created);
	sqlite3_bind_int(st, 6, (int)r->status);
	bind_text(st, 7, r->error);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "upsert run");
}

int index_set_status(struct index *idx, const char *id,
		     enum index_status status, const char *error, uint64_t done,
		     uint64_t total, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(idx,
				   "UPDATE runs SET status=?2, error=?3,"
				   " progress_done=?4, progress_total=?5"
				   " WHERE id=?1",
				   err);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, id);
	sqlite3_bind_int(st, 2, (int)status);
	bind_text(st, 3, error);
	bind_u64(st, 4, done);
	bind_u64(st, 5, total);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "set status");
}

static int delete_figures(struct index *idx, const char *id, struct errbuf *err)
{
	static const char *const sql[] = {
		"DELETE FROM warnings WHERE run_id=?1",
		"DELETE FROM mix WHERE run_id=?1",
		"DELETE FROM blocks WHERE run_id=?1",
		"DELETE FROM functions WHERE run_id=?1",
		"DELETE FROM objects WHERE run_id=?1",
		"DELETE FROM invocations WHERE run_id=?1",
		"DELETE FROM benchmarks WHERE run_id=?1",
	};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = prepare(idx, sql[i], err);
		int rc;

		if (!st)
			return -1;
		bind_text(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_error(idx, err, "delete");
	}
	return 0;
}

static int insert_warnings(sqlite3_stmt *st, const char *id, int64_t bench,
			   const struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		sqlite3_reset(st);
		bind_text(st, 1, id);
		sqlite3_bind_int64(st, 2, bench);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		bind_text(st, 4, l->items[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

int index_store_run(struct index *idx, const char *id, const struct run *run,
		    const char *fingerprint, struct errbuf *err)
{
	sqlite3_stmt *sb = NULL, *si = NULL, *so = NULL, *sf = NULL, *sw = NULL,
		     *su = NULL, *sk = NULL, *sm = NULL;
	struct errbuf e2;
	uint64_t nwarn = run->warnings.nr;
	bool lower = false;
	int ret = -1;

	if (exec(idx, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (delete_figures(idx, id, err) < 0)
		goto out;
	sb = prepare(idx,
		     "INSERT INTO benchmarks VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		     " ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
		     err);
	si = prepare(
		idx,
		"INSERT INTO invocations VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, ?10, ?11)",
		err);
	so = prepare(
		idx,
		"INSERT INTO objects VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		err);
	sf = prepare(idx,
		     "INSERT INTO functions VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		     " ?8, ?9, ?10)",
		     err);
	sw = prepare(idx, "INSERT INTO warnings VALUES(?1, ?2, ?3, ?4)", err);
	sk = prepare(idx,
		     "INSERT INTO blocks VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		     " ?9, ?10)",
		     err);
	sm = prepare(
		idx,
		"INSERT INTO mix VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		" ?10, ?11, ?12)",
		err);
	if (!sb || !si || !so || !sf || !sw || !sk || !sm)
		goto out;
	for (size_t b = 0; b < run->nr_benchmarks; b++) {
		const struct benchmark *bm = &run->benchmarks[b];

		sqlite3_reset(sb);
		bind_text(sb, 1, id);
		sqlite3_bind_int64(sb, 2, (sqlite3_int64)b);
		bind_text(sb, 3, bm->name);
		bind_text(sb, 4, bm->suite);
		bind_text(sb, 5, bm->dir);
		bind_u64(sb, 6, bm->instructions);
		sqlite3_bind_int(sb, 7, bm->partial);
		sqlite3_bind_int(sb, 8, bm->overflow);
		sqlite3_bind_int(sb, 9, bm->has_insns);
		bind_u64(sb, 10, bm->insns);
		bind_u64(sb, 11, bm->rows);
		bind_u64(sb, 12, bm->malformed);
		bind_u64(sb, 13, bm->invocation_count);
		bind_text(sb, 14, bm->arch);
		if (sqlite3_step(sb) != SQLITE_DONE)
			goto db_fail;
		lower |= bm->partial;
		nwarn += bm->warnings.nr;
		for (size_t i = 0; i < bm->nr_invocations; i++) {
			const struct invocation *v = &bm->invocations[i];

			sqlite3_reset(si);
			bind_text(si, 1, id);
			sqlite3_bind_int64(si, 2, (sqlite3_int64)b);
			sqlite3_bind_int64(si, 3, (sqlite3_int64)i);
			bind_text(si, 4, v->qemu_out);
			bind_text(si, 5, v->map);
			bind_u64(si, 6, v->instructions);
			bind_u64(si, 7, v->rows);
			if (v->has_collected)
				bind_u64(si, 8, v->collected);
			else
				sqlite3_bind_null(si, 8);
			if (v->has_insns)
				bind_u64(si, 9, v->insns);
			else
				sqlite3_bind_null(si, 9);
			bind_u64(si, 10, v->malformed);
			sqlite3_bind_int(si, 11, v->partial);
			if (sqlite3_step(si) != SQLITE_DONE)
				goto db_fail;
		}
		for (size_t i = 0; i < bm->nr_objects; i++) {
			const struct object_total *o = &bm->objects[i];

			sqlite3_reset(so);
			bind_text(so, 1, id);
			sqlite3_bind_int64(so, 2, (sqlite3_int64)b);
			sqlite3_bind_int64(so, 3, (sqlite3_int64)i);
			bind_text(so, 4, o->name);
			bind_text(so, 5, o->path);
			bind_text(so, 6, o->elf);
			bind_text(so, 7, o->elf_error);
			bind_u64(so, 8, o->instructions);
			if (sqlite3_step(so) != SQLITE_DONE)
				goto db_fail;
		}
		for (size_t i = 0; i < bm->nr_functions; i++) {
			const struct function_total *f = &bm->functions[i];

			sqlite3_reset(sf);
			bind_text(sf, 1, id);
			sqlite3_bind_int64(sf, 2, (sqlite3_int64)b);
			sqlite3_bind_int64(sf, 3, (sqlite3_int64)i);
			sqlite3_bind_int64(sf, 4, f->object);
			bind_text(sf, 5, f->name);
			bind_u64(sf, 6, f->instructions);
			bind_u64(sf, 7, f->addr);
			bind_u64(sf, 8, f->size);
			sqlite3_bind_int64(sf, 9, f->blocks);
			if (f->code_hash)
				bind_u64(sf, 10, f->code_hash);
			else
				sqlite3_bind_null(sf, 10);
			if (sqlite3_step(sf) != SQLITE_DONE)
				goto db_fail;
		}
		for (size_t i = 0; i < bm->nr_blocks; i++) {
			const struct block_total *k = &bm->blocks[i];

			sqlite3_reset(sk);
			bind_text(sk, 1, id);
			sqlite3_bind_int64(sk, 2, (sqlite3_int64)b);
			sqlite3_bind_int64(sk, 3, (sqlite3_int64)i);
			sqlite3_bind_int64(sk, 4, k->object);
			sqlite3_bind_int64(sk, 5, k->function);
			bind_u64(sk, 6, k->addr);
			sqlite3_bind_int64(sk, 7, k->icount);
			bind_u64(sk, 8, k->ecount);
			bind_u64(sk, 9, k->tcount);
			bind_text(sk, 10, k->code);
			if (sqlite3_step(sk) != SQLITE_DONE)
				goto db_fail;
		}
		for (size_t i = 0; i < bm->nr_mix; i++) {
			const struct mix_row *m = &bm->mix[i];

			sqlite3_reset(sm);
			bind_text(sm, 1, id);
			sqlite3_bind_int64(sm, 2, (sqlite3_int64)b);
			sqlite3_bind_int64(sm, 3, (sqlite3_int64)i);
			sqlite3_bind_int64(sm, 4, m->function);
			bind_text(sm, 5, m->mnemonic);
			sqlite3_bind_int(sm, 6, m->cls);
			sqlite3_bind_int(sm, 7, m->by);
			bind_text(sm, 8, m->ext);
			bind_u64(sm, 9, m->count);
			bind_u64(sm, 10, m->compressed);
			bind_u64(sm, 11, m->stack);
			bind_u64(sm, 12, m->vector);
			if (sqlite3_step(sm) != SQLITE_DONE)
				goto db_fail;
		}
		if (insert_warnings(sw, id, (int64_t)b, &bm->warnings) < 0)
			goto db_fail;
	}
	if (insert_warnings(sw, id, -1, &run->warnings) < 0)
		goto db_fail;
	su = prepare(idx,
		     "UPDATE runs SET status=?2, error=NULL, fingerprint=?3,"
		     " instructions=?4, benchmarks=?5, lower_bound=?6,"
		     " nwarnings=?7, progress_done=progress_total WHERE id=?1",
		     err);
	if (!su)
		goto out;
	bind_text(su, 1, id);
	sqlite3_bind_int(su, 2, INDEX_READY);
	bind_text(su, 3, fingerprint);
	bind_u64(su, 4, run->instructions);
	bind_u64(su, 5, run->nr_benchmarks);
	sqlite3_bind_int(su, 6, lower);
	bind_u64(su, 7, nwarn);
	if (sqlite3_step(su) != SQLITE_DONE || sqlite3_changes(idx->db) != 1) {
		errbuf_set(err, "index: no run '%s' to store", id);
		goto out;
	}
	if (exec(idx, "COMMIT", err) < 0)
		goto out;
	ret = 0;
	goto done;
db_fail:
	db_error(idx, err, "store run");
out:
	exec(idx, "ROLLBACK", &e2);
done:
	sqlite3_finalize(sb);
	sqlite3_finalize(si);
	sqlite3_finalize(so);
	sqlite3_finalize(sf);
	sqlite3_finalize(sw);
	sqlite3_finalize(sk);
	sqlite3_finalize(sm);
	sqlite3_finalize(su);
	return ret;
}

int index_delete_run(struct index *idx, const char *id, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(idx, "DELETE FROM runs WHERE id=?1", err);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "delete run");
}

#define RUN_COLUMNS                                                            \
	"id, root, series, meta_json, created, status, error, fingerprint,"    \
	" progress_done, progress_total, instructions, benchmarks,"            \
	" lower_bound, nwarnings"

static void read_run_row(sqlite3_stmt *st, struct index_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = col_str(st, 0);
	r->root = col_str(st, 1);
	r->series = col_str(st, 2);
	r->meta_json = col_str(st, 3);
	r->created = sqlite3_column_int64(st, 4);
	r->status = (enum index_status)sqlite3_column_int(st, 5);
	r->error = col_str(st, 6);
	r->fingerprint = col_str(st, 7);
	r->progress_done = col_u64(st, 8);
	r->progress_total = col_u64(st, 9);
	r->instructions = col_u64(st, 10);
	r->benchmarks = col_u64(st, 11);
	r->lower_bound = sqlite3_column_int(st, 12) != 0;
	r->warnings = col_u64(st, 13);
}

int index_get_run(struct index *idx, const char *id, struct index_run *out,
		  struct errbuf *err)
{
	sqlite3_stmt *st = prepare(
		idx, "SELECT " RUN_COLUMNS " FROM runs WHERE id=?1", err);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_run_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "get run");
}

int index_list_runs(struct index *idx, const char *series, size_t offset,
		    size_t limit, struct index_run **out, size_t *nr,
		    size_t *total, struct errbuf *err)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	st = prepare(idx,
		     "SELECT count(*) FROM runs WHERE ?1 IS NULL OR series=?1",
		     err);
	if (!st)
		return -1;
	bind_text(st, 1, series);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(idx, err, "count runs");
	}
	*total = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = prepare(idx,
		     "SELECT " RUN_COLUMNS " FROM runs WHERE ?1 IS NULL OR"
		     " series=?1 ORDER BY created DESC, id DESC LIMIT ?2"
		     " OFFSET ?3",
		     err);
	if (!st)
		return -1;
	bind_text(st, 1, series);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_run_row(st, &(*out)[(*nr)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		index_runs_free(*out, *nr);
		*out = NULL;
		*nr = 0;
		return db_error(idx, err, "list runs");
	}
	return 0;
}

void index_runs_free(struct index_run *runs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		index_run_release(&runs[i]);
	free(runs);
}

/* The position of benchmark number b in run->benchmarks, or NULL. */
static struct benchmark *bench_by_index(struct run *run, const int64_t *ids,
					int64_t b)
{
	for (size_t i = 0; i < run->nr_benchmarks; i++)
		if (ids[i] == b)
			return &run->benchmarks[i];
	return NULL;
}

/* ?2 of the per-benchmark queries: the one benchmark asked for, or all. */
static void bind_only(sqlite3_stmt *st, const char *only, const struct run *r,
		      const int64_t *ids)
{
	if (only && r->nr_benchmarks == 1)
		sqlite3_bind_int64(st, 2, ids[0]);
	else
		sqlite3_bind_null(st, 2);
}

/*
 * Run a per-benchmark query (?1 the run, ?2 the benchmark or NULL; its
 * first column the benchmark) and hand each row to add_row with the
 * benchmark it belongs to and that benchmark's allocation counter.
 */
static int load_rows(struct index *idx, const char *sql, const char *id,
		     const char *only, struct run *out, const int64_t *ids,
		     void (*add_row)(struct benchmark *b, sqlite3_stmt *st,
				     size_t *alloc),
		     struct errbuf *err)
{
	size_t *allocs = xcalloc(out->nr_benchmarks + 1, sizeof(*allocs));
	sqlite3_stmt *st = prepare(idx, sql, err);
	int rc;

	if (!st) {
		free(allocs);
		return -1;
	}
	bind_text(st, 1, id);
	bind_only(st, only, out, ids);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct benchmark *b =
			bench_by_index(out, ids, sqlite3_column_int64(st, 0));

		if (b)
			add_row(b, st, &allocs[b - out->benchmarks]);
	}
	free(allocs);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "load run");
}

static void add_block_row(struct benchmark *b, sqlite3_stmt *st, size_t *alloc)
{
	struct block_total *k;

	ALLOC_GROW(b->blocks, b->nr_blocks + 1, *alloc);
	k = &b->blocks[b->nr_blocks++];
	memset(k, 0, sizeof(*k));
	k->object = (uint32_t)sqlite3_column_int64(st, 1);
	k->function = (uint32_t)sqlite3_column_int64(st, 2);
	k->addr = col_u64(st, 3);
	k->icount = (uint32_t)sqlite3_column_int64(st, 4);
	k->ecount = col_u64(st, 5);
	k->tcount = col_u64(st, 6);
	k->code = col_str(st, 7);
}

static void add_mix_row(struct benchmark *b, sqlite3_stmt *st, size_t *alloc)
{
	struct mix_row *m;

	ALLOC_GROW(b->mix, b->nr_mix + 1, *alloc);
	m = &b->mix[b->nr_mix++];
	memset(m, 0, sizeof(*m));
	m->function = (uint32_t)sqlite3_column_int64(st, 1);
	m->mnemonic = col_str(st, 2);
	if (!m->mnemonic)
		m->mnemonic = xstrdup("");
	m->cls = (uint8_t)sqlite3_column_int(st, 3);
	m->by = (uint8_t)sqlite3_column_int(st, 4);
	m->ext = col_str(st, 5);
	if (!m->ext)
		m->ext = xstrdup("");
	m->count = col_u64(st, 6);
	m->compressed = col_u64(st, 7);
	m->stack = col_u64(st, 8);
	m->vector = col_u64(st, 9);
}

int index_load_run(struct index *idx, const char *id, unsigned flags,
		   const char *only, struct run *out, struct errbuf *err)
{
	struct index_run info;
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t alloc = 0;
	int rc, found;

	memset(out, 0, sizeof(*out));
	found = index_get_run(idx, id, &info, err);
	if (found <= 0)
		return found;
	if (info.status != INDEX_READY) {
		index_run_release(&info);
		return 0;
	}
	out->root = info.root;
	info.root = NULL;
	index_run_release(&info);

	st = prepare(
		idx,
		"SELECT bench, name, suite, dir, instructions, lower_bound,"
		" overflow, has_insns, insns, nrows, malformed,"
		" invocations, arch FROM benchmarks WHERE run_id=?1 AND"
		" (?2 IS NULL OR name=?2) ORDER BY bench",
		err);
	if (!st)
		goto fail;
	bind_text(st, 1, id);
	bind_text(st, 2, only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct benchmark *b;
		size_t n = out->nr_benchmarks;

		ALLOC_GROW(out->benchmarks, n + 1, alloc);
		ids = xreallocarray(ids, alloc, sizeof(*ids));
		b = &out->benchmarks[n];
		memset(b, 0, sizeof(*b));
		ids[n] = sqlite3_column_int64(st, 0);
		b->name = col_str(st, 1);
		b->suite = col_str(st, 2);
		b->dir = col_str(st, 3);
		b->instructions = col_u64(st, 4);
		b->partial = sqlite3_column_int(st, 5) != 0;
		b->overflow = sqlite3_column_int(st, 6) != 0;
		b->has_insns = sqlite3_column_int(st, 7) != 0;
		b->insns = col_u64(st, 8);
		b->rows = col_u64(st, 9);
		b->malformed = col_u64(st, 10);
		b->invocation_count = (size_t)col_u64(st, 11);
		b->arch = col_str(st, 12);
		out->nr_benchmarks++;
		if (__builtin_add_overflow(out->instructions, b->instructions,
					   &out->instructions))
			out->overflow = true;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto db_fail;

	if (flags & INDEX_LOAD_OBJECTS) {
		st = prepare(
			idx,
			"SELECT bench, name, path, elf, elf_error,"
			" instructions FROM objects WHERE run_id=?1"
			" AND (?2 IS NULL OR bench=?2) ORDER BY bench, idx",
			err);
		if (!st)
			goto fail;
		bind_text(st, 1, id);
		bind_only(st, only, out, ids);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct benchmark *b = bench_by_index(
				out, ids, sqlite3_column_int64(st, 0));
			struct object_total *o;

			if (!b)
				continue;
			b->objects =
				xreallocarray(b->objects, b->nr_objects + 1,
					      sizeof(*b->objects));
			o = &b->objects[b->nr_objects++];
			o->name = col_str(st, 1);
			o->path = col_str(st, 2);
			o->elf = col_str(st, 3);
			o->elf_error = col_str(st, 4);
			o->instructions = col_u64(st, 5);
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE)
			goto db_fail;
	}
	if (flags & INDEX_LOAD_FUNCTIONS) {
		size_t *allocs =
			xcalloc(out->nr_benchmarks + 1, sizeof(*allocs));

		st = prepare(idx,
			     "SELECT bench, object, name, instructions, addr,"
			     " size, blocks, code_hash FROM functions WHERE"
			     " run_id=?1 AND (?2 IS NULL OR bench=?2)"
			     " ORDER BY bench, idx",
			     err);
		if (!st) {
			free(allocs);
			goto fail;
		}
		bind_text(st, 1, id);
		bind_only(st, only, out, ids);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct benchmark *b = bench_by_index(
				out, ids, sqlite3_column_int64(st, 0));
			struct function_total *f;

			if (!b)
				continue;
			ALLOC_GROW(b->functions, b->nr_functions + 1,
				   allocs[b - out->benchmarks]);
			f = &b->functions[b->nr_functions++];
			f->object = (uint32_t)sqlite3_column_int64(st, 1);
			f->name = col_str(st, 2);
			f->instructions = col_u64(st, 3);
			f->addr = col_u64(st, 4);
			f->size = col_u64(st, 5);
			f->blocks = (uint32_t)sqlite3_column_int64(st, 6);
			f->code_hash = col_u64(st, 7);
		}
		free(allocs);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE)
			goto db_fail;
	}
	if (flags & INDEX_LOAD_DETAILS) {
		st = prepare(idx,
			     "SELECT bench, qemu_out, map, instructions, nrows,"
			     " collected, insns, malformed, partial FROM"
			     " invocations WHERE run_id=?1 AND (?2 IS NULL OR"
			     " bench=?2) ORDER BY bench, idx",
			     err);
		if (!st)
			goto fail;
		bind_text(st, 1, id);
		bind_only(st, only, out, ids);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct benchmark *b = bench_by_index(
				out, ids, sqlite3_column_int64(st, 0));
			struct invocation *v;

			if (!b)
				continue;
			b->invocations = xreallocarray(b->invocations,
						       b->nr_invocations + 1,
						       sizeof(*b->invocations));
			v = &b->invocations[b->nr_invocations++];
			memset(v, 0, sizeof(*v));
			v->qemu_out = col_str(st, 1);
			v->map = col_str(st, 2);
			v->instructions = col_u64(st, 3);
			v->rows = col_u64(st, 4);
			v->has_collected =
				sqlite3_column_type(st, 5) != SQLITE_NULL;
			v->collected = col_u64(st, 5);
			v->has_insns =
				sqlite3_column_type(st, 6) != SQLITE_NULL;
			v->insns = col_u64(st, 6);
			v->malformed = col_u64(st, 7);
			v->partial = sqlite3_column_int(st, 8) != 0;
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE)
			goto db_fail;
		st = prepare(idx,
			     "SELECT bench, message FROM warnings WHERE"
			     " run_id=?1 ORDER BY bench, idx",
			     err);
		if (!st)
			goto fail;
		bind_text(st, 1, id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t bi = sqlite3_column_int64(st, 0);
			const char *msg =
				(const char *)sqlite3_column_text(st, 1);
			struct benchmark *b;

			if (bi < 0) {
				strlist_add(&out->warnings, msg ? msg : "");
				continue;
			}
			b = bench_by_index(out, ids, bi);
			if (b)
				strlist_add(&b->warnings, msg ? msg : "");
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE)
			goto db_fail;
	}
	if ((flags & INDEX_LOAD_BLOCKS) &&
	    load_rows(idx,
		      "SELECT bench, object, function, addr, icount, ecount,"
		      " tcount, code FROM blocks WHERE run_id=?1 AND"
		      " (?2 IS NULL OR bench=?2) ORDER BY bench, idx",
		      id, only, out, ids, add_block_row, err) < 0)
		goto fail;
	if ((flags & INDEX_LOAD_MIX) &&
	    load_rows(idx,
		      "SELECT bench, function, mnemonic, class, decoder, ext,"
		      " count, compressed, stack, vector FROM mix WHERE"
		      " run_id=?1 AND (?2 IS NULL OR bench=?2) ORDER BY"
		      " bench, idx",
		      id, only, out, ids, add_mix_row, err) < 0)
		goto fail;
	free(ids);
	return 1;
db_fail:
	db_error(idx, err, "load run");
fail:
	sqlite3_finalize(st);
	free(ids);
	run_release(out);
	return -1;
}

int index_history(struct index *idx, const char *bench, const char *series,
		  struct history_point **out, size_t *nr, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(
		idx,
		"SELECT r.id, r.created, b.instructions, b.lower_bound"
		" FROM runs r LEFT JOIN benchmarks b ON b.run_id = r.id AND"
		" b.name = ?1 WHERE r.status = ?3 AND (?2 IS NULL OR"
		" r.series = ?2) ORDER BY r.created, r.id",
		err);
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	bind_text(st, 1, bench);
	bind_text(st, 2, series);
	sqlite3_bind_int(st, 3, INDEX_READY);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_point *p;

		ALLOC_GROW(*out, *nr + 1, alloc);
		p = &(*out)[(*nr)++];
		p->run_id = col_str(st, 0);
		p->created = sqlite3_column_int64(st, 1);
		p->present = sqlite3_column_type(st, 2) != SQLITE_NULL;
		p->instructions = col_u64(st, 2);
		p->lower_bound = sqlite3_column_int(st, 3) != 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		index_history_free(*out, *nr);
		*out = NULL;
		*nr = 0;
		return db_error(idx, err, "history");
	}
	return 0;
}

void index_history_free(struct history_point *p, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(p[i].run_id);
	free(p);
}
