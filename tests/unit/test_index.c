/* SPDX-License-Identifier: MIT */
/*
 * The SQLite index: a run stored and loaded again renders the same JSON as
 * the run analysed from its directory; listing, status and history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "errbuf.h"
#include "index.h"
#include "json_view.h"
#include "run.h"
#include "strbuf.h"
#include "testutil.h"

#define RUN_A TEST_DATA "/runs/build.gcc-O2-rv64gc"
#define RUN_B TEST_DATA "/runs/build.gcc-O3-rv64gc_zba_zbb_zbs"

static struct index *fresh_index(char **tmp)
{
	struct errbuf err;
	char *path;
	struct index *idx;

	*tmp = tu_mkdtemp();
	path = tu_path(*tmp, "index.sqlite");
	idx = index_open(path, &err);
	if (!idx)
		fail_msg("%s", err.msg);
	free(path);
	return idx;
}

static void add_run(struct index *idx, const char *id, const char *root,
		    const char *series, int64_t created)
{
	struct index_run r = {0};
	struct errbuf err;

	r.id = (char *)id;
	r.root = (char *)root;
	r.series = (char *)series;
	r.created = created;
	r.status = INDEX_PENDING;
	assert_int_equal(index_upsert_run(idx, &r, &err), 0);
}

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1));

	json_decref(j);
	return s;
}

static void stored_run_renders_the_same_json(void **state)
{
	static const char *const sysroots[] = {"/usr/riscv64-linux-gnu"};
	struct run_options opts = {.sysroots = sysroots, .nr_sysroots = 1};
	struct run run = RUN_INIT, back = RUN_INIT;
	struct errbuf err;
	struct index_run info;
	char *tmp, *a, *b;
	struct index *idx = fresh_index(&tmp);

	assert_int_equal(run_analyze(&run, RUN_A, &opts, &err), 0);
	add_run(idx, "A", RUN_A, "gcc", 100);
	assert_int_equal(index_load_run(idx, "A", 0, NULL, &back, &err), 0);
	assert_int_equal(index_store_run(idx, "A", &run, "fp1", &err), 0);
	assert_int_equal(index_load_run(idx, "A",
					INDEX_LOAD_OBJECTS |
						INDEX_LOAD_FUNCTIONS |
						INDEX_LOAD_DETAILS,
					NULL, &back, &err),
			 1);
	a = dump(json_run(&run, "A"));
	b = dump(json_run(&back, "A"));
	assert_string_equal(a, b);
	free(a);
	free(b);
	for (size_t i = 0; i < run.nr_benchmarks; i++) {
		a = dump(json_benchmark(&run.benchmarks[i], 0));
		b = dump(json_benchmark(&back.benchmarks[i], 0));
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	run_release(&back);

	/* one benchmark alone, totals only */
	assert_int_equal(
		index_load_run(idx, "A", 0, "612.matmul_r", &back, &err), 1);
	assert_int_equal(back.nr_benchmarks, 1);
	assert_int_equal(back.benchmarks[0].instructions, 90736658);
	assert_int_equal(back.instructions, 90736658);
	run_release(&back);

	assert_int_equal(index_get_run(idx, "A", &info, &err), 1);
	assert_int_equal(info.status, INDEX_READY);
	assert_int_equal(info.instructions, 636364652);
	assert_int_equal(info.benchmarks, 6);
	assert_string_equal(info.fingerprint, "fp1");
	index_run_release(&info);
	assert_int_equal(index_get_run(idx, "nope", &info, &err), 0);

	run_release(&run);
	index_close(idx);
	tu_rm_rf(tmp);
	free(tmp);
}

/* Blocks (with their code) and the mix come back as they were stored. */
static void stored_blocks_and_mix_render_the_same_json(void **state)
{
	static const char *const sysroots[] = {"/usr/riscv64-linux-gnu"};
	struct run_options opts = {
		.sysroots = sysroots, .nr_sysroots = 1, .decode = true};
	struct run run = RUN_INIT, back = RUN_INIT;
	struct errbuf err;
	size_t blocks = 0, mix = 0, coded = 0, hashed = 0;
	char *tmp, *a, *b;
	struct index *idx = fresh_index(&tmp);

	assert_int_equal(run_analyze(&run, RUN_A, &opts, &err), 0);
	add_run(idx, "A", RUN_A, "gcc", 100);
	assert_int_equal(index_store_run(idx, "A", &run, "fp1", &err), 0);
	assert_int_equal(
		index_load_run(idx, "A",
			       INDEX_LOAD_OBJECTS | INDEX_LOAD_FUNCTIONS |
				       INDEX_LOAD_DETAILS | INDEX_LOAD_BLOCKS |
				       INDEX_LOAD_MIX,
			       NULL, &back, &err),
		1);
	assert_int_equal(back.nr_benchmarks, run.nr_benchmarks);
	for (size_t i = 0; i < run.nr_benchmarks; i++) {
		const struct benchmark *x = &run.benchmarks[i],
				       *y = &back.benchmarks[i];

		assert_int_equal(y->nr_blocks, x->nr_blocks);
		assert_int_equal(y->nr_mix, x->nr_mix);
		assert_int_equal(y->nr_invocations, x->nr_invocations);
		blocks += x->nr_blocks;
		mix += x->nr_mix;
		for (size_t k = 0; k < x->nr_blocks; k++)
			coded += x->blocks[k].code != NULL;
		for (size_t f = 0; f < x->nr_functions; f++) {
			hashed += x->functions[f].code_hash != 0;
			assert_true(y->functions[f].code_hash ==
				    x->functions[f].code_hash);
		}
		for (size_t v = 0; v < x->nr_invocations; v++) {
			assert_int_equal(y->invocations[v].has_collected,
					 x->invocations[v].has_collected);
			assert_int_equal(y->invocations[v].has_insns,
					 x->invocations[v].has_insns);
		}
		a = dump(json_blocks(x, -1, 0));
		b = dump(json_blocks(y, -1, 0));
		assert_string_equal(a, b);
		free(a);
		free(b);
		a = dump(json_mix(x, -1));
		b = dump(json_mix(y, -1));
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	/* the fixture exercises what is compared */
	assert_true(blocks > 0 && mix > 0 && coded > 0 && hashed > 0);
	run_release(&back);
	run_release(&run);
	index_close(idx);
	tu_rm_rf(tmp);
	free(tmp);
}

static void lists_newest_first_and_tracks_history(void **state)
{
	struct run a = RUN_INIT, b = RUN_INIT;
	struct errbuf err;
	struct index_run *runs;
	struct history_point *h;
	size_t nr, total;
	char *tmp;
	struct index *idx = fresh_index(&tmp);

	assert_int_equal(run_analyze(&a, RUN_A, NULL, &err), 0);
	assert_int_equal(run_analyze(&b, RUN_B, NULL, &err), 0);
	add_run(idx, "r1", RUN_A, "main", 100);
	add_run(idx, "r2", RUN_B, "main", 200);
	add_run(idx, "r3", RUN_A, "main", 300);
	add_run(idx, "other", RUN_A, "branch", 250);
	assert_int_equal(index_store_run(idx, "r1", &a, "x", &err), 0);
	assert_int_equal(index_store_run(idx, "r2", &b, "x", &err), 0);
	assert_int_equal(index_store_run(idx, "other", &a, "x", &err), 0);
	assert_int_equal(
		index_set_status(idx, "r3", INDEX_INDEXING, NULL, 2, 9, &err),
		0);

	assert_int_equal(
		index_list_runs(idx, NULL, 0, 10, &runs, &nr, &total, &err), 0);
	assert_int_equal(total, 4);
	assert_string_equal(runs[0].id, "r3");
	assert_int_equal(runs[0].status, INDEX_INDEXING);
	assert_int_equal(runs[0].progress_done, 2);
	assert_int_equal(runs[0].progress_total, 9);
	assert_string_equal(runs[1].id, "other");
	assert_string_equal(runs[3].id, "r1");
	index_runs_free(runs, nr);

	assert_int_equal(
		index_list_runs(idx, "main", 1, 1, &runs, &nr, &total, &err),
		0);
	assert_int_equal(total, 3);
	assert_int_equal(nr, 1);
	assert_string_equal(runs[0].id, "r2");
	index_runs_free(runs, nr);

	/* r3 is not ready: it is not in the history yet */
	assert_int_equal(
		index_history(idx, "612.matmul_r", "main", &h, &nr, &err), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(h[0].run_id, "r1");
	assert_int_equal(h[0].instructions, 90736658);
	assert_string_equal(h[1].run_id, "r2");
	assert_int_equal(h[1].instructions, 72819936);
	assert_true(h[1].present);
	index_history_free(h, nr);

	assert_int_equal(index_delete_run(idx, "r1", &err), 0);
	assert_int_equal(
		index_history(idx, "612.matmul_r", "main", &h, &nr, &err), 0);
	assert_int_equal(nr, 1);
	index_history_free(h, nr);

	run_release(&a);
	run_release(&b);
	index_close(idx);
	tu_rm_rf(tmp);
	free(tmp);
}

static void set_ready(struct index *idx, const char *id)
{
	struct errbuf err;

	assert_int_equal(
		index_set_status(idx, id, INDEX_READY, NULL, 0, 0, &err), 0);
}

/* Expect index_previous_run(id) to be want (NULL: none). */
static void check_previous(struct index *idx, const char *id, const char *want)
{
	struct index_run r;
	struct errbuf err;
	int found = index_previous_run(idx, id, &r, &err);

	if (!want) {
		assert_int_equal(found, 0);
		return;
	}
	assert_int_equal(found, 1);
	assert_string_equal(r.id, want);
	assert_int_equal(r.status, INDEX_READY);
	index_run_release(&r);
}

/*
 * The newest ready run older than this one in its series: older by
 * created, then by id; not ready runs and other series are skipped.
 */
static void previous_run(void **state)
{
	struct errbuf err;
	char *tmp;
	struct index *idx = fresh_index(&tmp);

	add_run(idx, "r0", RUN_A, "main", 100);
	add_run(idx, "r1", RUN_A, "main", 100);
	add_run(idx, "r2", RUN_A, "main", 200);
	add_run(idx, "f", RUN_A, "main", 250);
	add_run(idx, "r3", RUN_A, "main", 300);
	add_run(idx, "r4", RUN_A, "main", 300);
	add_run(idx, "b", RUN_A, "branch", 250);
	add_run(idx, "n1", RUN_A, NULL, 50);
	add_run(idx, "n2", RUN_A, NULL, 150);
	set_ready(idx, "r0");
	set_ready(idx, "r1");
	set_ready(idx, "r2");
	set_ready(idx, "r4");
	set_ready(idx, "b");
	set_ready(idx, "n1");
	set_ready(idx, "n2");
	assert_int_equal(
		index_set_status(idx, "f", INDEX_FAILED, "broken", 0, 0, &err),
		0);
	/* r3 stays pending: it still has a previous run */
	check_previous(idx, "r3", "r2");
	/* r3 is older (same second, smaller id) but not ready; f failed */
	check_previous(idx, "r4", "r2");
	check_previous(idx, "r2", "r1");
	check_previous(idx, "r1", "r0");
	check_previous(idx, "r0", NULL);
	check_previous(idx, "b", NULL);
	check_previous(idx, "n2", NULL); /* no series: no previous run */
	check_previous(idx, "nope", NULL);
	set_ready(idx, "r3");
	check_previous(idx, "r4", "r3");
	assert_int_equal(index_delete_run(idx, "r3", &err), 0);
	check_previous(idx, "r4", "r2");

	/* unknown runs: nothing to change, not an error */
	assert_int_equal(
		index_set_status(idx, "nope", INDEX_READY, NULL, 0, 0, &err),
		0);
	assert_int_equal(index_delete_run(idx, "nope", &err), 0);
	index_close(idx);
	index_close(NULL);
	tu_rm_rf(tmp);
	free(tmp);
}

/* One table's columns: "name TYPE[ NOT NULL][ pkN], ..." */
static char *table_columns(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st;
	char *out = NULL;

	assert_int_equal(
		sqlite3_prepare_v2(
			db,
			"SELECT group_concat(d, ', ') FROM (SELECT name || ' '"
			" || type || (CASE WHEN \"notnull\" THEN ' NOT NULL'"
			" ELSE '' END) || (CASE WHEN pk THEN ' pk' || pk ELSE"
			" '' END) AS d FROM pragma_table_info(?1) ORDER BY"
			" cid)",
			-1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/*
 * Schema version 4, written out: changing a column list changes the
 * schema, which must bump INDEX_SCHEMA_VERSION (and this test).  Version
 * 3 keeps functions, blocks and mix as one blob per benchmark, and the
 * function names in shared sets; version 4 adds the rate timelines.
 */
static void schema_is_version_4(void **state)
{
#define KEYS2 "run_id TEXT NOT NULL pk1, bench INTEGER NOT NULL pk2, "
#define KEYS3 KEYS2 "idx INTEGER NOT NULL pk3, "
	static const char *const want[][2] = {
		{"runs",
		 "id TEXT pk1, root TEXT NOT NULL, series TEXT, meta_json TEXT,"
		 " created INTEGER NOT NULL, status INTEGER NOT NULL, error "
		 "TEXT, fingerprint TEXT, progress_done INTEGER, progress_total"
		 " INTEGER, instructions INTEGER, benchmarks INTEGER, "
		 "lower_bound INTEGER, nwarnings INTEGER"},
		{"benchmarks",
		 KEYS2 "name TEXT NOT NULL, suite TEXT, dir TEXT, instructions "
		       "INTEGER, lower_bound INTEGER, overflow INTEGER, "
		       "has_insns INTEGER, insns INTEGER, nrows INTEGER, "
		       "malformed INTEGER, invocations INTEGER, arch TEXT"},
		{"invocations",
		 KEYS3 "qemu_out TEXT, map TEXT, instructions INTEGER, nrows "
		       "INTEGER, collected INTEGER, insns INTEGER, malformed "
		       "INTEGER, partial INTEGER, rate TEXT"},
		{"objects", KEYS3 "name TEXT, path TEXT, elf TEXT, elf_error "
				  "TEXT, instructions INTEGER"},
		/* the large arrays: one compressed blob per benchmark */
		{"functions", KEYS2 "nr INTEGER NOT NULL, names INTEGER, data "
				    "BLOB NOT NULL"},
		{"blocks", KEYS2 "nr INTEGER NOT NULL, names INTEGER, data "
				 "BLOB NOT NULL"},
		{"mix", KEYS2
		 "nr INTEGER NOT NULL, names INTEGER, data BLOB NOT NULL"},
		{"rate", KEYS2
		 "nr INTEGER NOT NULL, names INTEGER, data BLOB NOT NULL"},
		/* function names, a set per benchmark shared by runs */
		{"names",
		 "hash INTEGER pk1, nr INTEGER NOT NULL, data BLOB NOT "
		 "NULL"},
		{"warnings", KEYS3 "message TEXT"},
	};
	char *tmp, *path, *got;
	struct index *idx = fresh_index(&tmp);
	sqlite3 *db;
	sqlite3_stmt *st;

	index_close(idx);
	path = tu_path(tmp, "index.sqlite");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		got = table_columns(db, want[i][0]);
		assert_string_equal(got, want[i][1]);
		free(got);
	}
	/* every figure table hangs from its run, and goes with it */
	assert_int_equal(
		sqlite3_prepare_v2(
			db,
			"SELECT count(*) FROM sqlite_master m,"
			" pragma_foreign_key_list(m.name) f WHERE m.type ="
			" 'table' AND f.\"table\" = 'runs' AND f.\"from\" ="
			" 'run_id' AND f.\"to\" = 'id' AND f.on_delete ="
			" 'CASCADE'",
			-1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 8);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(
				 db,
				 "SELECT group_concat(name, ' ') FROM (SELECT"
				 " name FROM sqlite_master WHERE type ="
				 " 'index' AND sql IS NOT NULL ORDER BY name)",
				 -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
			    "benchmarks_name runs_created runs_series");
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	tu_rm_rf(tmp);
	free(tmp);
#undef KEYS2
#undef KEYS3
}

static int64_t count_rows(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The distinct sets of function names among run's benchmarks, counted
 * from the analysis: each benchmark's names sorted, without repeats, and
 * joined with newlines; then the distinct joined strings.
 */
static size_t distinct_name_sets(const struct run *run)
{
	char **sets = calloc(run->nr_benchmarks + 1, sizeof(*sets));
	size_t n = 0;

	for (size_t b = 0; b < run->nr_benchmarks; b++) {
		const struct benchmark *bm = &run->benchmarks[b];
		char **names = calloc(bm->nr_functions + 1, sizeof(*names));
		struct strbuf sb = STRBUF_INIT;
		bool seen = false;

		for (size_t f = 0; f < bm->nr_functions; f++)
			names[f] = bm->functions[f].name;
		qsort(names, bm->nr_functions, sizeof(*names), cmp_str);
		for (size_t f = 0; f < bm->nr_functions; f++)
			if (!f || strcmp(names[f - 1], names[f]))
				strbuf_addf(&sb, "%s\n", names[f]);
		free(names);
		for (size_t i = 0; i < n && !seen; i++)
			seen = !strcmp(sets[i], sb.buf);
		if (seen || !bm->nr_functions)
			strbuf_release(&sb);
		else
			sets[n++] = strbuf_detach(&sb, NULL);
	}
	for (size_t i = 0; i < n; i++)
		free(sets[i]);
	free(sets);
	return n;
}

/*
 * Two runs of the same programs share their function names: the fixture
 * run stored twice holds one name set per distinct set of names (counted
 * from the analysis), kept while either run is there, gone with the last.
 */
static void name_sets_are_shared_and_dropped(void **state)
{
	struct run run = RUN_INIT, back = RUN_INIT;
	struct errbuf err;
	char *tmp, *path;
	struct index *idx = fresh_index(&tmp);
	static const char count[] = "SELECT count(*) FROM names";
	size_t sets;

	(void)state;
	path = tu_path(tmp, "index.sqlite");
	assert_int_equal(run_analyze(&run, RUN_A, NULL, &err), 0);
	sets = distinct_name_sets(&run);
	assert_true(sets > 1 && sets <= run.nr_benchmarks);
	add_run(idx, "A1", RUN_A, "s", 1);
	add_run(idx, "A2", RUN_A, "s", 2);
	assert_int_equal(index_store_run(idx, "A1", &run, "fp", &err), 0);
	assert_int_equal(count_rows(path, count), sets);
	assert_int_equal(index_store_run(idx, "A2", &run, "fp", &err), 0);
	assert_int_equal(count_rows(path, count), sets);
	assert_int_equal(index_delete_run(idx, "A1", &err), 0);
	assert_int_equal(count_rows(path, count), sets);
	assert_int_equal(index_load_run(idx, "A2", INDEX_LOAD_FUNCTIONS, NULL,
					&back, &err),
			 1);
	for (size_t b = 0; b < run.nr_benchmarks; b++) {
		assert_int_equal(back.benchmarks[b].nr_functions,
				 run.benchmarks[b].nr_functions);
		for (size_t f = 0; f < run.benchmarks[b].nr_functions; f++)
			assert_string_equal(
				back.benchmarks[b].functions[f].name,
				run.benchmarks[b].functions[f].name);
	}
	run_release(&back);
	assert_int_equal(index_delete_run(idx, "A2", &err), 0);
	assert_int_equal(count_rows(path, count), 0);
	run_release(&run);
	index_close(idx);
	free(path);
	tu_rm_rf(tmp);
	free(tmp);
}

static void other_schema_version_is_rebuilt(void **state)
{
	struct errbuf err;
	struct index_run info;
	char *tmp, *path;
	struct index *idx = fresh_index(&tmp);
	sqlite3 *db;

	add_run(idx, "r1", RUN_A, NULL, 1);
	index_close(idx);
	path = tu_path(tmp, "index.sqlite");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db, "PRAGMA user_version=0", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	idx = index_open(path, &err);
	assert_non_null(idx);
	assert_int_equal(index_get_run(idx, "r1", &info, &err), 0);
	index_close(idx);
	free(path);
	tu_rm_rf(tmp);
	free(tmp);
}

/* An index of version 3 (no rate timelines) is rebuilt, then works. */
static void version_3_index_is_rebuilt(void **state)
{
	struct errbuf err;
	struct index_run info;
	char *tmp, *path;
	struct index *idx = fresh_index(&tmp);
	sqlite3 *db;

	add_run(idx, "r1", RUN_A, NULL, 1);
	index_close(idx);
	path = tu_path(tmp, "index.sqlite");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db,
			     "DROP TABLE rate;"
			     "ALTER TABLE invocations DROP COLUMN rate;"
			     "PRAGMA user_version=3",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	idx = index_open(path, &err);
	assert_non_null(idx);
	assert_int_equal(index_get_run(idx, "r1", &info, &err), 0);
	add_run(idx, "r1", RUN_A, NULL, 1);
	assert_int_equal(index_get_run(idx, "r1", &info, &err), 1);
	index_run_release(&info);
	index_close(idx);
	free(path);
	tu_rm_rf(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stored_run_renders_the_same_json),
		cmocka_unit_test(stored_blocks_and_mix_render_the_same_json),
		cmocka_unit_test(lists_newest_first_and_tracks_history),
		cmocka_unit_test(previous_run),
		cmocka_unit_test(schema_is_version_4),
		cmocka_unit_test(name_sets_are_shared_and_dropped),
		cmocka_unit_test(other_schema_version_is_rebuilt),
		cmocka_unit_test(version_3_index_is_rebuilt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
