/* SPDX-License-Identifier: MIT */
/*
 * The SQLite index: a run stored and loaded again renders the same JSON as
 * the run analysed from its directory; listing, status and history.
 */
#include <setjmp.h>
#include <stdarg.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stored_run_renders_the_same_json),
		cmocka_unit_test(lists_newest_first_and_tracks_history),
		cmocka_unit_test(other_schema_version_is_rebuilt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
