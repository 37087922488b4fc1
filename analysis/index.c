/* SPDX-License-Identifier: MIT */
#include "index.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "errbuf.h"
#include "figures.h"
#include "hash.h"
#include "mix.h"
#include "sort.h"
#include "sqlite_db.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

struct index {
	sqlite3 *db;
	char *path;
	char *name; /* "index '<path>'", for messages */
};

/*
 * The schema.  The runs table (one row per run: its status, metadata and
 * a summary of its figures) and the warnings table are written out as
 * SQL.  The figures are one table per array of struct benchmark (see
 * figures.h) and one for the benchmarks themselves, each a column list
 * below: the SQL column, the field of the C struct it holds and how it is
 * converted.  The CREATE TABLE, the INSERT and the SELECT of these tables
 * are all made from the lists (create_schema(), store_rows(),
 * load_rows()), so a column is added, renamed or dropped in one line (and
 * INDEX_SCHEMA_VERSION bumped: test_index pins the schema).
 */
static const char runs_schema[] =
	"CREATE TABLE IF NOT EXISTS runs("
	" id TEXT PRIMARY KEY, root TEXT NOT NULL, series TEXT,"
	" meta_json TEXT, created INTEGER NOT NULL, status INTEGER NOT NULL,"
	" error TEXT, fingerprint TEXT, progress_done INTEGER DEFAULT 0,"
	" progress_total INTEGER DEFAULT 0, instructions INTEGER DEFAULT 0,"
	" benchmarks INTEGER DEFAULT 0, lower_bound INTEGER DEFAULT 0,"
	" nwarnings INTEGER DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS runs_series ON runs(series, created);"
	"CREATE INDEX IF NOT EXISTS runs_created ON runs(created);";

/* The benchmarks' messages, and the run's own under bench -1. */
static const char warnings_schema[] =
	"CREATE TABLE IF NOT EXISTS warnings("
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" bench INTEGER NOT NULL, idx INTEGER NOT NULL, message TEXT,"
	" PRIMARY KEY(run_id, bench, idx));";

enum column_kind {
	COL_TEXT,	/* char *; NULL is NULL */
	COL_TEXT_EMPTY, /* const char * of mix_intern(); NULL loads as "" */
	COL_U64,	/* uint64_t, as its two's complement int64 */
	COL_U64_NZ,	/* uint64_t; 0 is stored as NULL (unknown) */
	COL_U64_OPT,	/* uint64_t beside a bool (.has): NULL when false */
	COL_SIZE,	/* size_t */
	COL_U32,	/* uint32_t */
	COL_U8,		/* uint8_t */
	COL_BOOL,	/* bool, as 0 or 1 */
	COL_BLOB,	/* blob tables' data only: not a struct field */
	COL_NAME,	/* char *, in blobs an index into a name set (below) */
};

struct column {
	const char *name;
	enum column_kind kind;
	size_t off;    /* of the field in the struct */
	size_t has;    /* COL_U64_OPT: of the bool saying it is present */
	bool not_null; /* declared NOT NULL */
};

#define COLUMN(type, field, name, kind)                                        \
	{                                                                      \
		name, kind, offsetof(type, field), 0, false                    \
	}
#define COLUMN_NOT_NULL(type, field, name, kind)                               \
	{                                                                      \
		name, kind, offsetof(type, field), 0, true                     \
	}
#define COLUMN_OPT(type, field, has_field, name)                               \
	{                                                                      \
		name, COL_U64_OPT, offsetof(type, field),                      \
			offsetof(type, has_field), false                       \
	}

/* The benchmarks table: a row per struct benchmark, key (run_id, bench). */
static const struct column benchmark_columns[] = {
	COLUMN_NOT_NULL(struct benchmark, name, "name", COL_TEXT),
	COLUMN(struct benchmark, suite, "suite", COL_TEXT),
	COLUMN(struct benchmark, dir, "dir", COL_TEXT),
	COLUMN(struct benchmark, instructions, "instructions", COL_U64),
	COLUMN(struct benchmark, partial, "lower_bound", COL_BOOL),
	COLUMN(struct benchmark, overflow, "overflow", COL_BOOL),
	COLUMN(struct benchmark, has_insns, "has_insns", COL_BOOL),
	COLUMN(struct benchmark, insns, "insns", COL_U64),
	COLUMN(struct benchmark, rows, "nrows", COL_U64),
	COLUMN(struct benchmark, malformed, "malformed", COL_U64),
	COLUMN(struct benchmark, invocation_count, "invocations", COL_SIZE),
	COLUMN(struct benchmark, arch, "arch", COL_TEXT),
};

static const struct column invocation_columns[] = {
	COLUMN(struct invocation, qemu_out, "qemu_out", COL_TEXT),
	COLUMN(struct invocation, map, "map", COL_TEXT),
	COLUMN(struct invocation, instructions, "instructions", COL_U64),
	COLUMN(struct invocation, rows, "nrows", COL_U64),
	COLUMN_OPT(struct invocation, collected, has_collected, "collected"),
	COLUMN_OPT(struct invocation, insns, has_insns, "insns"),
	COLUMN(struct invocation, malformed, "malformed", COL_U64),
	COLUMN(struct invocation, partial, "partial", COL_BOOL),
	COLUMN(struct invocation, rate, "rate", COL_TEXT),
};

static const struct column rate_columns[] = {
	COLUMN(struct rate_sample, invocation, "invocation", COL_U32),
	COLUMN(struct rate_sample, cpu, "cpu", COL_U32),
	COLUMN(struct rate_sample, time_ns, "time_ns", COL_U64),
	COLUMN(struct rate_sample, dur_ns, "dur_ns", COL_U64),
	COLUMN(struct rate_sample, count, "count", COL_U64),
};

static const struct column object_columns[] = {
	COLUMN(struct object_total, name, "name", COL_TEXT),
	COLUMN(struct object_total, path, "path", COL_TEXT),
	COLUMN(struct object_total, elf, "elf", COL_TEXT),
	COLUMN(struct object_total, elf_error, "elf_error", COL_TEXT),
	COLUMN(struct object_total, instructions, "instructions", COL_U64),
};

static const struct column function_columns[] = {
	COLUMN(struct function_total, object, "object", COL_U32),
	COLUMN(struct function_total, name, "name", COL_NAME),
	COLUMN(struct function_total, instructions, "instructions", COL_U64),
	COLUMN(struct function_total, addr, "addr", COL_U64),
	COLUMN(struct function_total, size, "size", COL_U64),
	COLUMN(struct function_total, blocks, "blocks", COL_U32),
	COLUMN(struct function_total, code_hash, "code_hash", COL_U64_NZ),
};

static const struct column block_columns[] = {
	COLUMN(struct block_total, object, "object", COL_U32),
	COLUMN(struct block_total, function, "function", COL_U32),
	COLUMN(struct block_total, addr, "addr", COL_U64),
	COLUMN(struct block_total, icount, "icount", COL_U32),
	COLUMN(struct block_total, ecount, "ecount", COL_U64),
	COLUMN(struct block_total, tcount, "tcount", COL_U64),
	COLUMN(struct block_total, code, "code", COL_TEXT),
};

static const struct column mix_columns[] = {
	COLUMN(struct mix_row, function, "function", COL_U32),
	COLUMN(struct mix_row, mnemonic, "mnemonic", COL_TEXT_EMPTY),
	COLUMN(struct mix_row, cls, "class", COL_U8),
	COLUMN(struct mix_row, by, "decoder", COL_U8),
	COLUMN(struct mix_row, ext, "ext", COL_TEXT_EMPTY),
	COLUMN(struct mix_row, count, "count", COL_U64),
	COLUMN(struct mix_row, compressed, "compressed", COL_U64),
	COLUMN(struct mix_row, stack, "stack", COL_U64),
	COLUMN(struct mix_row, vector, "vector", COL_U64),
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))

/* The columns of a blob table after (run_id, bench); see row_tables. */
static const struct column blob_columns[] = {
	{"nr", COL_U64, 0, 0, true},
	{"names", COL_U64, 0, 0, false}, /* the name set's key, or NULL */
	{"data", COL_BLOB, 0, 0, true},
};

/*
 * Name sets: the distinct COL_NAME strings of one blob (a benchmark's
 * function names), sorted, each as varint length + bytes, compressed;
 * keyed by a hash of that encoding, so every run of the same programs
 * shares one copy (names were half of the functions blob, and 100,000
 * mangled C++ names repeat in every nightly run).  Blobs hold each name
 * as its position in the set + 1 (0: NULL).  A set no blob refers to is
 * dropped with the last run that used it.
 */
static const char names_schema[] =
	"CREATE TABLE IF NOT EXISTS names(hash INTEGER PRIMARY KEY,"
	" nr INTEGER NOT NULL, data BLOB NOT NULL);";

/*
 * A table of one of a benchmark's arrays: a row per element, key (run_id,
 * bench, idx), idx the element's position.
 */
struct row_table {
	const char *name;
	bool blob;	    /* one compressed blob per benchmark (below) */
	unsigned load_flag; /* the index_load_flags that loads it */
	size_t size;	    /* of an element */
	size_t items, nr;   /* of the array and its count in the benchmark */
	const struct column *cols;
	size_t nr_cols;
};

#define ROW_TABLE(name, blob, flag, type, items, nr, cols)                     \
	{                                                                      \
		name, blob, flag, sizeof(type),                                \
			offsetof(struct benchmark, items),                     \
			offsetof(struct benchmark, nr), cols, NR(cols)         \
	}

/*
 * The large arrays, always read whole (functions: 100k elements in a big
 * benchmark; the mix; the hottest blocks with their code), are one row
 * per benchmark (run_id, bench, nr, data): data is the array encoded
 * column after column (encode_blob()) and compressed with zstd.  As rows
 * they took 131 % of the raw .qemu_out bytes, mostly SQLite's per-row
 * keys and the repeated names.
 */
static const struct row_table row_tables[] = {
	ROW_TABLE("invocations", false, INDEX_LOAD_DETAILS, struct invocation,
		  invocations, nr_invocations, invocation_columns),
	ROW_TABLE("objects", false, INDEX_LOAD_OBJECTS, struct object_total,
		  objects, nr_objects, object_columns),
	ROW_TABLE("functions", true, INDEX_LOAD_FUNCTIONS,
		  struct function_total, functions, nr_functions,
		  function_columns),
	ROW_TABLE("blocks", true, INDEX_LOAD_BLOCKS, struct block_total, blocks,
		  nr_blocks, block_columns),
	ROW_TABLE("mix", true, INDEX_LOAD_MIX, struct mix_row, mix, nr_mix,
		  mix_columns),
	ROW_TABLE("rate", true, INDEX_LOAD_RATE, struct rate_sample, rate,
		  nr_rate, rate_columns),
};

#define NR_ROW_TABLES NR(row_tables)

/* Does the table have a COL_NAME column? */
static bool has_names(const struct row_table *t)
{
	for (size_t c = 0; c < t->nr_cols; c++)
		if (t->cols[c].kind == COL_NAME)
			return true;
	return false;
}

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
	return db_fail(idx->db, idx->name, what, err);
}

static int exec(struct index *idx, const char *sql, struct errbuf *err)
{
	return db_exec(idx->db, idx->name, sql, err);
}

static sqlite3_stmt *prepare(struct index *idx, const char *sql,
			     struct errbuf *err)
{
	return db_prepare(idx->db, idx->name, sql, err);
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

/*
 * The tables of figures, children first (the order to empty them in):
 * warnings, the row tables, benchmarks.  Returns how many.
 */
static size_t figure_tables(const char *out[NR_ROW_TABLES + 2])
{
	size_t n = 0;

	out[n++] = "warnings";
	for (size_t i = NR_ROW_TABLES; i-- > 0;)
		out[n++] = row_tables[i].name;
	out[n++] = "benchmarks";
	return n;
}

/*
 * "CREATE TABLE table(run_id, bench[, idx], columns..., PRIMARY KEY(the
 * keys))": keys is 2 for (run_id, bench), 3 for (run_id, bench, idx).
 */
static void add_create_table(struct strbuf *sql, const char *table, int keys,
			     const struct column *c, size_t n)
{
	strbuf_addf(
		sql,
		"CREATE TABLE IF NOT EXISTS %s("
		" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
		" bench INTEGER NOT NULL%s",
		table, keys == 3 ? ", idx INTEGER NOT NULL" : "");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sql, ", %s %s%s", c[i].name,
			    c[i].kind == COL_TEXT ||
					    c[i].kind == COL_TEXT_EMPTY ||
					    c[i].kind == COL_NAME
				    ? "TEXT"
			    : c[i].kind == COL_BLOB ? "BLOB"
						    : "INTEGER",
			    c[i].not_null ? " NOT NULL" : "");
	strbuf_addf(sql, ", PRIMARY KEY(run_id, bench%s));",
		    keys == 3 ? ", idx" : "");
}

/* Drop every table and create them again: an empty index. */
static int create_schema(struct index *idx, struct errbuf *err)
{
	const char *tables[NR_ROW_TABLES + 2];
	struct strbuf sql = STRBUF_INIT;
	size_t n = figure_tables(tables);
	int ret;

	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sql, "DROP TABLE IF EXISTS %s;", tables[i]);
	strbuf_adds(&sql, "DROP TABLE IF EXISTS runs;");
	strbuf_adds(&sql, "DROP TABLE IF EXISTS names;");
	strbuf_adds(&sql, runs_schema);
	strbuf_adds(&sql, names_schema);
	add_create_table(&sql, "benchmarks", 2, benchmark_columns,
			 NR(benchmark_columns));
	strbuf_adds(&sql, "CREATE INDEX IF NOT EXISTS benchmarks_name ON"
			  " benchmarks(name);");
	for (size_t t = 0; t < NR_ROW_TABLES; t++) {
		if (row_tables[t].blob) {
			add_create_table(&sql, row_tables[t].name, 2,
					 blob_columns, NR(blob_columns));
			continue;
		}
		add_create_table(&sql, row_tables[t].name, 3,
				 row_tables[t].cols, row_tables[t].nr_cols);
	}
	strbuf_adds(&sql, warnings_schema);
	strbuf_addf(&sql, "PRAGMA user_version=%d;", INDEX_SCHEMA_VERSION);
	ret = exec(idx, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

struct index *index_open(const char *path, struct errbuf *err)
{
	struct index *idx = xcalloc(1, sizeof(*idx));
	int v;

	idx->path = xstrdup(path);
	{
		struct strbuf name = STRBUF_INIT;

		strbuf_addf(&name, "index '%s'", path);
		idx->name = strbuf_detach(&name, NULL);
	}
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

		/* derived data only: drop it, every run is analysed again */
		if (exec(idx, "BEGIN IMMEDIATE", err) < 0)
			goto fail;
		if (create_schema(idx, err) < 0) {
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
	free(idx->name);
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
	db_bind_text(st, 1, r->id);
	db_bind_text(st, 2, r->root);
	db_bind_text(st, 3, r->series);
	db_bind_text(st, 4, r->meta_json);
	sqlite3_bind_int64(st, 5, r->created);
	sqlite3_bind_int(st, 6, (int)r->status);
	db_bind_text(st, 7, r->error);
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
	db_bind_text(st, 1, id);
	sqlite3_bind_int(st, 2, (int)status);
	db_bind_text(st, 3, error);
	bind_u64(st, 4, done);
	bind_u64(st, 5, total);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "set status");
}

/* The name sets no blob refers to any more. */
static int drop_unused_names(struct index *idx, struct errbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	strbuf_adds(&sql, "DELETE FROM names WHERE hash NOT IN (");
	for (size_t t = 0, n = 0; t < NR_ROW_TABLES; t++)
		if (row_tables[t].blob && has_names(&row_tables[t]))
			strbuf_addf(&sql,
				    "%sSELECT names FROM %s WHERE names IS NOT"
				    " NULL",
				    n++ ? " UNION ALL " : "",
				    row_tables[t].name);
	strbuf_addch(&sql, ')');
	ret = exec(idx, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

int index_delete_run(struct index *idx, const char *id, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(idx, "DELETE FROM runs WHERE id=?1", err);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(idx, err, "delete run");
	return drop_unused_names(idx, err);
}

#define RUN_COLUMNS                                                            \
	"id, root, series, meta_json, created, status, error, fingerprint,"    \
	" progress_done, progress_total, instructions, benchmarks,"            \
	" lower_bound, nwarnings"

static void read_run_row(sqlite3_stmt *st, struct index_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = db_col_str(st, 0);
	r->root = db_col_str(st, 1);
	r->series = db_col_str(st, 2);
	r->meta_json = db_col_str(st, 3);
	r->created = sqlite3_column_int64(st, 4);
	r->status = (enum index_status)sqlite3_column_int(st, 5);
	r->error = db_col_str(st, 6);
	r->fingerprint = db_col_str(st, 7);
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
	db_bind_text(st, 1, id);
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
	db_bind_text(st, 1, series);
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
	db_bind_text(st, 1, series);
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

int index_previous_run(struct index *idx, const char *id, struct index_run *out,
		       struct errbuf *err)
{
	/* the order of index_list_runs(): created, then id */
	sqlite3_stmt *st = prepare(
		idx,
		"SELECT " RUN_COLUMNS " FROM runs WHERE status=?2 AND"
		" series=(SELECT series FROM runs WHERE id=?1) AND"
		" (created, id) < (SELECT created, id FROM runs WHERE id=?1)"
		" ORDER BY created DESC, id DESC LIMIT 1",
		err);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	sqlite3_bind_int(st, 2, INDEX_READY);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_run_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "previous run");
}

void index_runs_free(struct index_run *runs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		index_run_release(&runs[i]);
	free(runs);
}

/* ---- the figures: struct run <-> tables --------------------------------- */

/*
 * A benchmark's array of a row table (copied, not cast: the field is a
 * pointer to the element type, not a void *), and its count.
 */
static void *table_items(const struct row_table *t, const struct benchmark *b)
{
	void *items;

	memcpy(&items, (const char *)b + t->items, sizeof(items));
	return items;
}

static void set_table_items(const struct row_table *t, struct benchmark *b,
			    void *items)
{
	memcpy((char *)b + t->items, &items, sizeof(items));
}

static size_t *table_nr(const struct row_table *t, struct benchmark *b)
{
	return (size_t *)((char *)b + t->nr);
}

/* Bind the columns of the struct at elem to ?first, ?first + 1... */
static void bind_columns(sqlite3_stmt *st, int first, const struct column *c,
			 size_t n, const void *elem)
{
	const char *p = elem;

	for (size_t i = 0; i < n; i++) {
		const void *f = p + c[i].off;
		int at = first + (int)i;
		uint64_t v;

		switch (c[i].kind) {
		case COL_TEXT:
		case COL_TEXT_EMPTY:
		case COL_NAME:
			db_bind_text(st, at, *(char *const *)f);
			break;
		case COL_U64:
			bind_u64(st, at, *(const uint64_t *)f);
			break;
		case COL_U64_NZ:
			v = *(const uint64_t *)f;
			if (v)
				bind_u64(st, at, v);
			else
				sqlite3_bind_null(st, at);
			break;
		case COL_U64_OPT:
			if (*(const bool *)(p + c[i].has))
				bind_u64(st, at, *(const uint64_t *)f);
			else
				sqlite3_bind_null(st, at);
			break;
		case COL_SIZE:
			bind_u64(st, at, *(const size_t *)f);
			break;
		case COL_U32:
			sqlite3_bind_int64(st, at, *(const uint32_t *)f);
			break;
		case COL_U8:
			sqlite3_bind_int(st, at, *(const uint8_t *)f);
			break;
		case COL_BOOL:
			sqlite3_bind_int(st, at, *(const bool *)f);
			break;
		case COL_BLOB:
			break;
		}
	}
}

/* Fill the struct at elem from result columns first, first + 1... */
static void read_columns(sqlite3_stmt *st, int first, const struct column *c,
			 size_t n, void *elem)
{
	char *p = elem;

	for (size_t i = 0; i < n; i++) {
		void *f = p + c[i].off;
		int at = first + (int)i;

		switch (c[i].kind) {
		case COL_TEXT:
		case COL_NAME:
			*(char **)f = db_col_str(st, at);
			break;
		case COL_TEXT_EMPTY: {
			const char *t =
				(const char *)sqlite3_column_text(st, at);

			*(const char **)f =
				mix_intern(t ? t : "", t ? strlen(t) : 0);
			break;
		}
		case COL_U64:
		case COL_U64_NZ:
			*(uint64_t *)f = col_u64(st, at);
			break;
		case COL_U64_OPT:
			*(bool *)(p + c[i].has) =
				sqlite3_column_type(st, at) != SQLITE_NULL;
			*(uint64_t *)f = col_u64(st, at);
			break;
		case COL_SIZE:
			*(size_t *)f = (size_t)col_u64(st, at);
			break;
		case COL_U32:
			*(uint32_t *)f = (uint32_t)sqlite3_column_int64(st, at);
			break;
		case COL_U8:
			*(uint8_t *)f = (uint8_t)sqlite3_column_int(st, at);
			break;
		case COL_BOOL:
			*(bool *)f = sqlite3_column_int(st, at) != 0;
			break;
		case COL_BLOB:
			break;
		}
	}
}

/* ", name1, name2..." */
static void add_names(struct strbuf *sql, const struct column *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sql, ", %s", c[i].name);
}

/*
 * "INSERT INTO table(run_id, bench[, idx], columns...) VALUES(?1, ...)":
 * keys are the key columns before the listed ones.
 */
static sqlite3_stmt *prepare_insert(struct index *idx, const char *table,
				    int keys, const struct column *c, size_t n,
				    struct errbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;

	strbuf_addf(&sql, "INSERT INTO %s(run_id, bench%s", table,
		    keys == 3 ? ", idx" : "");
	add_names(&sql, c, n);
	strbuf_adds(&sql, ") VALUES(?1");
	for (size_t i = 2; i <= (size_t)keys + n; i++)
		strbuf_addf(&sql, ", ?%zu", i);
	strbuf_addch(&sql, ')');
	st = prepare(idx, sql.buf, err);
	strbuf_release(&sql);
	return st;
}

static int delete_figures(struct index *idx, const char *id, struct errbuf *err)
{
	const char *tables[NR_ROW_TABLES + 2];
	size_t n = figure_tables(tables);

	for (size_t i = 0; i < n; i++) {
		struct strbuf sql = STRBUF_INIT;
		sqlite3_stmt *st;
		int rc;

		strbuf_addf(&sql, "DELETE FROM %s WHERE run_id=?1", tables[i]);
		st = prepare(idx, sql.buf, err);
		strbuf_release(&sql);
		if (!st)
			return -1;
		db_bind_text(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_error(idx, err, "delete");
	}
	return 0;
}

/* ---- blob tables: an array as one compressed blob ---------------------- */

/*
 * The encoding: for each column of the table's list in turn, the value of
 * every element, as LEB128 varints (texts: length + 1, 0 for NULL, then
 * the bytes; COL_U64_OPT: 0 when absent, else 1 and the value).  Column
 * after column puts like values together (names beside names), which is
 * what zstd compresses best.  The blob is the encoding compressed at
 * BLOB_ZSTD_LEVEL.
 */
#define BLOB_ZSTD_LEVEL 6
#define BLOB_MAX_RAW	(1ull << 32) /* refused when loading: corrupt */

static void put_varint(struct strbuf *sb, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	strbuf_add(sb, b, n);
}

struct blob_reader {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t get_varint(struct blob_reader *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/* A name set being built (store) or read (load). */
struct name_set {
	char **names; /* sorted, distinct; not owned when loading */
	size_t nr;
	size_t *lens; /* loading: each name's length */
};

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct COL_NAME strings of items[0..nr), sorted (borrowed). */
static void collect_names(struct name_set *ns, const struct row_table *t,
			  const char *items, size_t nr)
{
	size_t kept = 0;

	memset(ns, 0, sizeof(*ns));
	for (size_t c = 0; c < t->nr_cols; c++) {
		if (t->cols[c].kind != COL_NAME)
			continue;
		ns->names = xreallocarray(ns->names, ns->nr + nr + 1,
					  sizeof(*ns->names));
		for (size_t i = 0; i < nr; i++) {
			char *n = *(char *const *)(items + i * t->size +
						   t->cols[c].off);

			if (n)
				ns->names[ns->nr++] = n;
		}
	}
	sort_n(ns->names, ns->nr, sizeof(*ns->names), cmp_str_ptr);
	for (size_t i = 0; i < ns->nr; i++)
		if (!kept || strcmp(ns->names[kept - 1], ns->names[i]))
			ns->names[kept++] = ns->names[i];
	ns->nr = kept;
}

/* Position + 1 of name in the set being stored (it is there), 0: NULL. */
static uint64_t name_code(const struct name_set *ns, const char *name)
{
	size_t lo = 0, hi = ns->nr;

	if (!name)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ns->names[mid], name);

		if (!c)
			return mid + 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	BUG_ON(1);
	return 0;
}

static void encode_blob(struct strbuf *out, const struct row_table *t,
			const char *items, size_t nr, const struct name_set *ns)
{
	for (size_t c = 0; c < t->nr_cols; c++) {
		const struct column *col = &t->cols[c];

		for (size_t i = 0; i < nr; i++) {
			const char *e = items + i * t->size;
			const void *f = e + col->off;
			const char *str;

			switch (col->kind) {
			case COL_TEXT:
			case COL_TEXT_EMPTY:
				str = *(char *const *)f;
				put_varint(out, str ? strlen(str) + 1 : 0);
				if (str)
					strbuf_adds(out, str);
				break;
			case COL_NAME:
				put_varint(out,
					   name_code(ns, *(char *const *)f));
				break;
			case COL_U64:
			case COL_U64_NZ:
				put_varint(out, *(const uint64_t *)f);
				break;
			case COL_U64_OPT:
				if (*(const bool *)(e + col->has)) {
					put_varint(out, 1);
					put_varint(out, *(const uint64_t *)f);
				} else {
					put_varint(out, 0);
				}
				break;
			case COL_SIZE:
				put_varint(out, *(const size_t *)f);
				break;
			case COL_U32:
				put_varint(out, *(const uint32_t *)f);
				break;
			case COL_U8:
				put_varint(out, *(const uint8_t *)f);
				break;
			case COL_BOOL:
				put_varint(out, *(const bool *)f);
				break;
			case COL_BLOB:
				break;
			}
		}
	}
}

/* Fill items[0..nr) (zeroed) from an encoding; returns 0, or -1 if bad. */
static int decode_blob(struct blob_reader *r, const struct row_table *t,
		       char *items, size_t nr, const struct name_set *ns)
{
	for (size_t c = 0; c < t->nr_cols; c++) {
		const struct column *col = &t->cols[c];

		for (size_t i = 0; i < nr && !r->bad; i++) {
			char *e = items + i * t->size;
			void *f = e + col->off;
			uint64_t v = get_varint(r);

			switch (col->kind) {
			case COL_TEXT:
			case COL_TEXT_EMPTY:
				if (v > (uint64_t)(r->end - r->p) + 1) {
					r->bad = true;
					break;
				}
				if (v && col->kind == COL_TEXT_EMPTY) {
					*(const char **)f = mix_intern(
						(const char *)r->p, v - 1);
					r->p += v - 1;
				} else if (v) {
					*(char **)f = xstrndup(
						(const char *)r->p, v - 1);
					r->p += v - 1;
				} else if (col->kind == COL_TEXT_EMPTY) {
					*(const char **)f = mix_intern("", 0);
				}
				break;
			case COL_NAME:
				if (v > ns->nr)
					r->bad = true;
				else if (v)
					*(char **)f = xstrndup(ns->names[v - 1],
							       ns->lens[v - 1]);
				break;
			case COL_U64:
			case COL_U64_NZ:
				*(uint64_t *)f = v;
				break;
			case COL_U64_OPT:
				*(bool *)(e + col->has) = v != 0;
				if (v)
					*(uint64_t *)f = get_varint(r);
				break;
			case COL_SIZE:
				*(size_t *)f = (size_t)v;
				break;
			case COL_U32:
				*(uint32_t *)f = (uint32_t)v;
				break;
			case COL_U8:
				*(uint8_t *)f = (uint8_t)v;
				break;
			case COL_BOOL:
				*(bool *)f = v != 0;
				break;
			case COL_BLOB:
				break;
			}
		}
	}
	return r->bad || r->p != r->end ? -1 : 0;
}

/* Compress raw into *z (malloc'd); returns its length, or 0 on error. */
static size_t compress_blob(const struct strbuf *raw, void **z)
{
	size_t bound = ZSTD_compressBound(raw->len), zlen;

	*z = xmalloc(bound);
	zlen = ZSTD_compress(*z, bound, raw->buf, raw->len, BLOB_ZSTD_LEVEL);
	if (ZSTD_isError(zlen)) {
		free(*z);
		*z = NULL;
		return 0;
	}
	return zlen;
}

/*
 * Store name set ns unless it is there; its key in *key.  The key is a
 * hash of the compressed set; a different set under the same key (a
 * collision, or another zstd's output) moves on to the next key.
 */
static int store_names(struct index *idx, const struct name_set *ns,
		       int64_t *key)
{
	struct strbuf raw = STRBUF_INIT;
	sqlite3_stmt *get = NULL, *put = NULL;
	size_t zlen;
	void *z;
	int ret = -1;

	for (size_t i = 0; i < ns->nr; i++) {
		size_t len = strlen(ns->names[i]);

		put_varint(&raw, len);
		strbuf_add(&raw, ns->names[i], len);
	}
	zlen = compress_blob(&raw, &z);
	strbuf_release(&raw);
	if (!zlen)
		return -1;
	*key = (int64_t)fnv1a_bytes(FNV1A_INIT, z, zlen);
	get = prepare(idx, "SELECT data FROM names WHERE hash=?1", NULL);
	put = prepare(idx,
		      "INSERT INTO names(hash, nr, data) VALUES(?1, ?2, ?3)",
		      NULL);
	if (!get || !put)
		goto out;
	for (int tries = 0; tries < 16; tries++, (*key)++) {
		int rc;

		sqlite3_reset(get);
		sqlite3_bind_int64(get, 1, *key);
		rc = sqlite3_step(get);
		if (rc == SQLITE_ROW) {
			if ((size_t)sqlite3_column_bytes(get, 0) == zlen &&
			    !memcmp(sqlite3_column_blob(get, 0), z, zlen)) {
				ret = 0; /* already there */
				break;
			}
			continue;
		}
		if (rc != SQLITE_DONE)
			break;
		sqlite3_bind_int64(put, 1, *key);
		bind_u64(put, 2, ns->nr);
		sqlite3_bind_blob64(put, 3, z, zlen, SQLITE_STATIC);
		ret = sqlite3_step(put) == SQLITE_DONE ? 0 : -1;
		break;
	}
out:
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	free(z);
	return ret;
}

/*
 * One benchmark's array as a row (run_id, bench, nr, names, data), and
 * its name set; nothing if the array is empty.
 */
static int store_blob(struct index *idx, sqlite3_stmt *st,
		      const struct row_table *t, const char *id, int64_t bench,
		      const struct benchmark *b)
{
	const char *items = table_items(t, b);
	size_t nr = *(const size_t *)((const char *)b + t->nr), zlen;
	struct strbuf raw = STRBUF_INIT;
	struct name_set ns = {0};
	bool named = has_names(t);
	int64_t key = 0;
	void *z;
	int rc;

	if (!nr)
		return 0;
	if (named) {
		collect_names(&ns, t, items, nr);
		if (store_names(idx, &ns, &key) < 0) {
			free(ns.names);
			return -1;
		}
	}
	encode_blob(&raw, t, items, nr, &ns);
	free(ns.names);
	zlen = compress_blob(&raw, &z);
	strbuf_release(&raw);
	if (!zlen)
		return -1;
	sqlite3_reset(st);
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, bench);
	bind_u64(st, 3, nr);
	if (named)
		sqlite3_bind_int64(st, 4, key);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_blob64(st, 5, z, zlen, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_clear_bindings(st);
	free(z);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The rows of a benchmark's array: (run_id, bench, idx, columns...). */
static int store_rows(sqlite3_stmt *st, const struct row_table *t,
		      const char *id, int64_t bench, const struct benchmark *b)
{
	const char *items = table_items(t, b);
	size_t nr = *(const size_t *)((const char *)b + t->nr);

	for (size_t i = 0; i < nr; i++) {
		sqlite3_reset(st);
		db_bind_text(st, 1, id);
		sqlite3_bind_int64(st, 2, bench);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		bind_columns(st, 4, t->cols, t->nr_cols, items + i * t->size);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* Warnings: bench -1 holds the run's own. */
static int store_warnings(sqlite3_stmt *st, const char *id, int64_t bench,
			  const struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		sqlite3_reset(st);
		db_bind_text(st, 1, id);
		sqlite3_bind_int64(st, 2, bench);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		db_bind_text(st, 4, l->items[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* The runs row's summary of the figures, and its status: ready. */
static int store_summary(struct index *idx, const char *id,
			 const struct run *run, const char *fingerprint,
			 struct errbuf *err)
{
	uint64_t nwarn = run->warnings.nr;
	bool lower = false;
	sqlite3_stmt *st;
	int rc;

	for (size_t b = 0; b < run->nr_benchmarks; b++) {
		lower |= run->benchmarks[b].partial;
		nwarn += run->benchmarks[b].warnings.nr;
	}
	st = prepare(idx,
		     "UPDATE runs SET status=?2, error=NULL, fingerprint=?3,"
		     " instructions=?4, benchmarks=?5, lower_bound=?6,"
		     " nwarnings=?7, progress_done=progress_total WHERE id=?1",
		     err);
	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	sqlite3_bind_int(st, 2, INDEX_READY);
	db_bind_text(st, 3, fingerprint);
	bind_u64(st, 4, run->instructions);
	bind_u64(st, 5, run->nr_benchmarks);
	sqlite3_bind_int(st, 6, lower);
	bind_u64(st, 7, nwarn);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(idx, err, "store run");
	if (sqlite3_changes(idx->db) != 1)
		return errbuf_set(err, "index: no run '%s' to store", id);
	return 0;
}

int index_store_run(struct index *idx, const char *id, const struct run *run,
		    const char *fingerprint, struct errbuf *err)
{
	sqlite3_stmt *sb = NULL, *sw = NULL, *rows[NR_ROW_TABLES] = {NULL};
	struct errbuf e2;
	int ret = -1;

	if (exec(idx, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (delete_figures(idx, id, err) < 0)
		goto out;
	sb = prepare_insert(idx, "benchmarks", 2, benchmark_columns,
			    NR(benchmark_columns), err);
	sw = prepare(idx, "INSERT INTO warnings VALUES(?1, ?2, ?3, ?4)", err);
	if (!sb || !sw)
		goto out;
	for (size_t t = 0; t < NR_ROW_TABLES; t++) {
		rows[t] = row_tables[t].blob
				  ? prepare_insert(idx, row_tables[t].name, 2,
						   blob_columns,
						   NR(blob_columns), err)
				  : prepare_insert(idx, row_tables[t].name, 3,
						   row_tables[t].cols,
						   row_tables[t].nr_cols, err);
		if (!rows[t])
			goto out;
	}
	for (size_t b = 0; b < run->nr_benchmarks; b++) {
		const struct benchmark *bm = &run->benchmarks[b];

		sqlite3_reset(sb);
		db_bind_text(sb, 1, id);
		sqlite3_bind_int64(sb, 2, (sqlite3_int64)b);
		bind_columns(sb, 3, benchmark_columns, NR(benchmark_columns),
			     bm);
		if (sqlite3_step(sb) != SQLITE_DONE)
			goto db_fail;
		for (size_t t = 0; t < NR_ROW_TABLES; t++)
			if ((row_tables[t].blob
				     ? store_blob(idx, rows[t], &row_tables[t],
						  id, (int64_t)b, bm)
				     : store_rows(rows[t], &row_tables[t], id,
						  (int64_t)b, bm)) < 0)
				goto db_fail;
		if (store_warnings(sw, id, (int64_t)b, &bm->warnings) < 0)
			goto db_fail;
	}
	if (store_warnings(sw, id, -1, &run->warnings) < 0)
		goto db_fail;
	if (store_summary(idx, id, run, fingerprint, err) < 0)
		goto out;
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
	sqlite3_finalize(sw);
	for (size_t t = 0; t < NR_ROW_TABLES; t++)
		sqlite3_finalize(rows[t]);
	return ret;
}

/* The benchmarks loaded, and the bench key of each. */
struct loading {
	struct run *run;
	int64_t *ids; /* ids[i]: the bench column of run->benchmarks[i] */
	size_t alloc, ids_alloc;
	size_t last; /* where the previous row's benchmark was found */
};

/* The benchmark whose bench key is b, or NULL (not loaded). */
static struct benchmark *bench_by_key(struct loading *l, int64_t b)
{
	size_t n = l->run->nr_benchmarks;

	/* rows come ordered by bench: the previous one is the likely one */
	if (l->last < n && l->ids[l->last] == b)
		return &l->run->benchmarks[l->last];
	for (size_t i = 0; i < n; i++)
		if (l->ids[i] == b) {
			l->last = i;
			return &l->run->benchmarks[i];
		}
	return NULL;
}

static int load_benchmarks(struct index *idx, const char *id, const char *only,
			   struct loading *l, struct errbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct run *out = l->run;
	sqlite3_stmt *st;
	int rc;

	strbuf_adds(&sql, "SELECT bench");
	add_names(&sql, benchmark_columns, NR(benchmark_columns));
	strbuf_adds(&sql, " FROM benchmarks WHERE run_id=?1 AND"
			  " (?2 IS NULL OR name=?2) ORDER BY bench");
	st = prepare(idx, sql.buf, err);
	strbuf_release(&sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t n = out->nr_benchmarks;
		struct benchmark *b;

		ALLOC_GROW(out->benchmarks, n + 1, l->alloc);
		ALLOC_GROW(l->ids, n + 1, l->ids_alloc);
		b = &out->benchmarks[n];
		memset(b, 0, sizeof(*b));
		l->ids[n] = sqlite3_column_int64(st, 0);
		read_columns(st, 1, benchmark_columns, NR(benchmark_columns),
			     b);
		out->nr_benchmarks++;
		if (__builtin_add_overflow(out->instructions, b->instructions,
					   &out->instructions))
			out->overflow = true;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "load run");
}

/* The rows of one of the benchmarks' arrays, in idx order. */
static int load_rows(struct index *idx, const struct row_table *t,
		     const char *id, const char *only, struct loading *l,
		     struct errbuf *err)
{
	struct run *out = l->run;
	size_t *allocs = xcalloc(out->nr_benchmarks + 1, sizeof(*allocs));
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	strbuf_adds(&sql, "SELECT bench");
	add_names(&sql, t->cols, t->nr_cols);
	strbuf_addf(&sql,
		    " FROM %s WHERE run_id=?1 AND (?2 IS NULL OR bench=?2)"
		    " ORDER BY bench, idx",
		    t->name);
	st = prepare(idx, sql.buf, err);
	strbuf_release(&sql);
	if (!st) {
		free(allocs);
		return -1;
	}
	db_bind_text(st, 1, id);
	/* ?2: the one benchmark asked for, or all */
	if (only && out->nr_benchmarks == 1)
		sqlite3_bind_int64(st, 2, l->ids[0]);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct benchmark *b =
			bench_by_key(l, sqlite3_column_int64(st, 0));
		char *items, *elem;
		size_t *nr;

		if (!b)
			continue;
		nr = table_nr(t, b);
		items = alloc_grow(table_items(t, b), *nr + 1,
				   &allocs[b - out->benchmarks], t->size);
		set_table_items(t, b, items);
		elem = items + *nr * t->size;
		memset(elem, 0, t->size);
		read_columns(st, 1, t->cols, t->nr_cols, elem);
		(*nr)++;
	}
	free(allocs);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "load run");
}

/*
 * Decompress blob z (zlen bytes) into *raw (malloc'd, *raw_len bytes).
 * Returns 0, or -1 when it is corrupt.
 */
static int decompress_blob(const void *z, size_t zlen, char **raw,
			   size_t *raw_len)
{
	unsigned long long n =
		z ? ZSTD_getFrameContentSize(z, zlen) : ZSTD_CONTENTSIZE_ERROR;
	size_t got;

	if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN ||
	    n > BLOB_MAX_RAW)
		return -1;
	*raw = xmalloc(n ? n : 1);
	got = ZSTD_decompress(*raw, n, z, zlen);
	if (ZSTD_isError(got) || got != n) {
		free(*raw);
		*raw = NULL;
		return -1;
	}
	*raw_len = n;
	return 0;
}

/*
 * Read name set `key` into *ns (pointers into *raw, which the caller
 * frees, with ns->names and ns->lens).  Returns 0, or -1 if missing or
 * corrupt.
 */
static int load_names(struct index *idx, int64_t key, struct name_set *ns,
		      char **raw)
{
	sqlite3_stmt *st =
		prepare(idx, "SELECT nr, data FROM names WHERE hash=?1", NULL);
	struct blob_reader r;
	size_t raw_len;
	uint64_t nr;
	int ret = -1;

	memset(ns, 0, sizeof(*ns));
	*raw = NULL;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, key);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	nr = col_u64(st, 0);
	if (decompress_blob(sqlite3_column_blob(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1), raw,
			    &raw_len) < 0 ||
	    nr > raw_len)
		goto out;
	ns->names = xcalloc(nr ? nr : 1, sizeof(*ns->names));
	ns->lens = xcalloc(nr ? nr : 1, sizeof(*ns->lens));
	r = (struct blob_reader){(const unsigned char *)*raw,
				 (const unsigned char *)*raw + raw_len, false};
	for (ns->nr = 0; ns->nr < nr; ns->nr++) {
		uint64_t len = get_varint(&r);

		if (r.bad || len > (uint64_t)(r.end - r.p))
			goto out;
		ns->names[ns->nr] = (char *)r.p;
		ns->lens[ns->nr] = (size_t)len;
		r.p += len;
	}
	ret = r.p == r.end ? 0 : -1;
out:
	sqlite3_finalize(st);
	return ret;
}

/* Decode one blob row into b's array; returns 0, or -1 with *err set. */
static int load_blob(struct index *idx, sqlite3_stmt *st,
		     const struct row_table *t, struct benchmark *b,
		     struct errbuf *err)
{
	uint64_t nr = col_u64(st, 1);
	struct name_set ns = {0};
	char *raw = NULL, *names_raw = NULL, *items;
	struct blob_reader r;
	size_t raw_len;
	int ret = -1;

	if (decompress_blob(sqlite3_column_blob(st, 3),
			    (size_t)sqlite3_column_bytes(st, 3), &raw,
			    &raw_len) < 0 ||
	    nr > raw_len)
		goto out;
	if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
	    load_names(idx, sqlite3_column_int64(st, 2), &ns, &names_raw) < 0)
		goto out;
	items = xcalloc(nr ? nr : 1, t->size);
	r = (struct blob_reader){(const unsigned char *)raw,
				 (const unsigned char *)raw + raw_len, false};
	/* decoded in place: b owns what is decoded, even if it is bad */
	set_table_items(t, b, items);
	*table_nr(t, b) = nr;
	ret = decode_blob(&r, t, items, nr, &ns);
out:
	if (ret < 0)
		errbuf_set(err, "index '%s': %s: a corrupt blob", idx->path,
			   t->name);
	free(raw);
	free(names_raw);
	free(ns.names);
	free(ns.lens);
	return ret;
}

/* The blobs of a blob table: every benchmark's, or the one asked for. */
static int load_blobs(struct index *idx, const struct row_table *t,
		      const char *id, const char *only, struct loading *l,
		      struct errbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	strbuf_addf(&sql,
		    "SELECT bench, nr, names, data FROM %s WHERE run_id=?1 AND"
		    " (?2 IS NULL OR bench=?2)",
		    t->name);
	st = prepare(idx, sql.buf, err);
	strbuf_release(&sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	if (only && l->run->nr_benchmarks == 1)
		sqlite3_bind_int64(st, 2, l->ids[0]);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct benchmark *b =
			bench_by_key(l, sqlite3_column_int64(st, 0));

		if (b && !*table_nr(t, b) &&
		    load_blob(idx, st, t, b, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "load run");
}

static int load_warnings(struct index *idx, const char *id, struct loading *l,
			 struct errbuf *err)
{
	sqlite3_stmt *st = prepare(idx,
				   "SELECT bench, message FROM warnings WHERE"
				   " run_id=?1 ORDER BY bench, idx",
				   err);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t bi = sqlite3_column_int64(st, 0);
		const char *msg = (const char *)sqlite3_column_text(st, 1);
		struct benchmark *b;

		if (bi < 0) {
			strlist_add(&l->run->warnings, msg ? msg : "");
			continue;
		}
		b = bench_by_key(l, bi);
		if (b)
			strlist_add(&b->warnings, msg ? msg : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "load run");
}

int index_load_run(struct index *idx, const char *id, unsigned flags,
		   const char *only, struct run *out, struct errbuf *err)
{
	struct loading l = {.run = out};
	struct index_run info;
	int found;

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

	if (load_benchmarks(idx, id, only, &l, err) < 0)
		goto fail;
	for (size_t t = 0; t < NR_ROW_TABLES; t++)
		if ((flags & row_tables[t].load_flag) &&
		    (row_tables[t].blob ? load_blobs(idx, &row_tables[t], id,
						     only, &l, err)
					: load_rows(idx, &row_tables[t], id,
						    only, &l, err)) < 0)
			goto fail;
	if ((flags & INDEX_LOAD_DETAILS) && load_warnings(idx, id, &l, err) < 0)
		goto fail;
	free(l.ids);
	return 1;
fail:
	free(l.ids);
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
	db_bind_text(st, 1, bench);
	db_bind_text(st, 2, series);
	sqlite3_bind_int(st, 3, INDEX_READY);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_point *p;

		ALLOC_GROW(*out, *nr + 1, alloc);
		p = &(*out)[(*nr)++];
		p->run_id = db_col_str(st, 0);
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

/* ---- the dashboard's queries (issue #11) -------------------------------- */

int index_list_series(struct index *idx, struct index_series **out, size_t *nr,
		      struct errbuf *err)
{
	sqlite3_stmt *st =
		prepare(idx,
			"SELECT series, count(*), sum(status=?1), max(created)"
			" FROM runs WHERE series IS NOT NULL GROUP BY series"
			" ORDER BY max(created) DESC, series",
			err);
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, INDEX_READY);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct index_series *s;

		ALLOC_GROW(*out, *nr + 1, alloc);
		s = &(*out)[(*nr)++];
		s->name = db_col_str(st, 0);
		s->runs = col_u64(st, 1);
		s->ready = col_u64(st, 2);
		s->latest = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		index_series_free(*out, *nr);
		*out = NULL;
		*nr = 0;
		return db_error(idx, err, "list series");
	}
	return 0;
}

void index_series_free(struct index_series *s, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(s[i].name);
	free(s);
}

int index_next_run(struct index *idx, const char *id, struct index_run *out,
		   struct errbuf *err)
{
	/* index_previous_run() the other way round */
	sqlite3_stmt *st = prepare(
		idx,
		"SELECT " RUN_COLUMNS " FROM runs WHERE status=?2 AND"
		" series=(SELECT series FROM runs WHERE id=?1) AND"
		" (created, id) > (SELECT created, id FROM runs WHERE id=?1)"
		" ORDER BY created, id LIMIT 1",
		err);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, id);
	sqlite3_bind_int(st, 2, INDEX_READY);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_run_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_error(idx, err, "next run");
}

int index_series_runs(struct index *idx, const char *series,
		      struct index_run **out, size_t *nr, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(idx,
				   "SELECT " RUN_COLUMNS " FROM runs WHERE"
				   " series=?1 AND status=?2"
				   " ORDER BY created, id",
				   err);
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	sqlite3_bind_int(st, 2, INDEX_READY);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_run_row(st, &(*out)[(*nr)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		index_runs_free(*out, *nr);
		*out = NULL;
		*nr = 0;
		return db_error(idx, err, "series runs");
	}
	return 0;
}
