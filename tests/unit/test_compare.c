/* SPDX-License-Identifier: MIT */
/*
 * Comparison of the fixture runs: per-benchmark figures and the geometric
 * mean from tests/data/FIXTURES.md; benchmarks on one side only; the JSON
 * view carries the same integers; the rule for "changed" at its boundary,
 * on runs made up here with figures worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compare.h"
#include "errbuf.h"
#include "json_view.h"
#include "report.h"
#include "run.h"
#include "strbuf.h"
#include "testutil.h"

#define RUN_A TEST_DATA "/runs/build.gcc-O2-rv64gc"
#define RUN_B TEST_DATA "/runs/build.gcc-O3-rv64gc_zba_zbb_zbs"

static void fixture_compare_matches_readme(void **state)
{
	static const struct {
		const char *name;
		uint64_t a, b;
		double pct; /* as the reference script prints it */
	} want[] = {
		{"600.lzpack_r", 115065868, 110980812, -3.55},
		{"601.graphwalk_r", 61748526, 60117936, -2.64},
		{"602.hashjoin_r", 225131489, 224979634, -0.07},
		{"604.sortmix_r", 78723823, 78320245, -0.51},
		{"610.stencil_r", 64958288, 64732629, -0.35},
		{"612.matmul_r", 90736658, 72819936, -19.75},
	};
	struct run a = RUN_INIT, b = RUN_INIT;
	struct compare c;
	struct errbuf err;

	assert_int_equal(run_analyze(&a, RUN_A, NULL, &err), 0);
	assert_int_equal(run_analyze(&b, RUN_B, NULL, &err), 0);
	compare_runs(&c, &a, &b, COMPARE_THRESHOLD_PCT);
	assert_int_equal(c.nr, 6);
	for (size_t i = 0; i < 6; i++) {
		const struct compare_row *r = &c.rows[i];

		assert_string_equal(r->name, want[i].name);
		assert_int_equal(r->side, COMPARE_BOTH);
		assert_int_equal(r->base, want[i].a);
		assert_int_equal(r->new, want[i].b);
		assert_int_equal(r->delta,
				 (int64_t)want[i].b - (int64_t)want[i].a);
		assert_true(r->has_pct);
		assert_float_equal(r->delta_pct, want[i].pct, 0.005);
	}
	assert_true(c.has_geomean);
	assert_int_equal(c.geomean_nr, 6);
	assert_float_equal(c.geomean, 0.952471, 0.0000005);
	assert_int_equal(c.base_total, 636364652);
	assert_int_equal(c.new_total, 611951192);
	assert_int_equal(c.nr_suites, 2);
	assert_string_equal(c.suites[0].suite, "CFP2017rate");
	assert_int_equal(c.suites[0].nr, 2);
	assert_string_equal(c.suites[1].suite, "CINT2017rate");
	assert_int_equal(c.suites[1].nr, 4);
	compare_release(&c);
	run_release(&a);
	run_release(&b);
}

static void json_carries_the_same_integers(void **state)
{
	struct run a = RUN_INIT, b = RUN_INIT;
	struct compare c;
	struct errbuf err;
	json_t *j, *rows;

	assert_int_equal(run_analyze(&a, RUN_A, NULL, &err), 0);
	assert_int_equal(run_analyze(&b, RUN_B, NULL, &err), 0);
	compare_runs(&c, &a, &b, COMPARE_THRESHOLD_PCT);
	j = json_compare(&c, "A", "B", false);
	rows = json_object_get(j, "benchmarks");
	assert_int_equal(json_array_size(rows), 6);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(rows, 5), "base_instructions")),
			 90736658);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(rows, 5), "new_instructions")),
			 72819936);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(rows, 5), "delta")),
			 72819936 - 90736658);
	assert_float_equal(json_real_value(json_object_get(
				   json_object_get(j, "geomean"), "ratio")),
			   0.952471, 0.0000005);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "totals"),
						   "base_instructions")),
		636364652);
	json_decref(j);
	compare_release(&c);
	run_release(&a);
	run_release(&b);
}

static void one_sided_benchmarks_are_listed_not_dropped(void **state)
{
	char *tmp = tu_mkdtemp();
	char *a_root = tu_path(tmp, "a"), *b_root = tu_path(tmp, "b");
	char *gone = tu_path(a_root, "External/SPEC/CFP2017rate/612.matmul_r");
	char *extra = tu_path(b_root, "External/SPEC/CINT2017rate/699.new_r");
	char *extra_out;
	struct run a = RUN_INIT, b = RUN_INIT;
	struct compare c;
	struct strbuf sb = STRBUF_INIT;
	struct errbuf err;

	tu_copy_tree(RUN_A, a_root);
	tu_copy_tree(RUN_B, b_root);
	tu_rm_rf(gone);
	tu_copy_tree(TEST_DATA "/runs/build.gcc-O2-rv64gc/External/SPEC/"
			       "CINT2017rate/601.graphwalk_r",
		     extra);
	extra_out = tu_path(extra, "699.new_r.qemu_out");
	tu_write(extra_out, "0x10, 1, 2, 3\n", 14);

	assert_int_equal(run_analyze(&a, a_root, NULL, &err), 0);
	assert_int_equal(run_analyze(&b, b_root, NULL, &err), 0);
	compare_runs(&c, &a, &b, COMPARE_THRESHOLD_PCT);
	/* 601, 600, 602, 604, 610 in both; 612 only in B; 699 only in B */
	assert_int_equal(c.nr, 7);
	assert_int_equal(c.only_base, 0);
	assert_int_equal(c.only_new, 2);
	assert_string_equal(c.rows[5].name, "612.matmul_r");
	assert_int_equal(c.rows[5].side, COMPARE_ONLY_NEW);
	assert_false(c.rows[5].has_pct);
	assert_string_equal(c.rows[6].name, "699.new_r");
	assert_int_equal(c.geomean_nr, 5);

	report_compare_text(&sb, &c);
	assert_non_null(strstr(sb.buf, "612.matmul_r                       -  "
				       "      72819936     only B\n"));
	strbuf_release(&sb);

	/* and the other way round */
	compare_release(&c);
	compare_runs(&c, &b, &a, COMPARE_THRESHOLD_PCT);
	assert_int_equal(c.only_base, 2);
	assert_int_equal(c.rows[5].side, COMPARE_ONLY_BASE);
	compare_release(&c);

	run_release(&a);
	run_release(&b);
	tu_rm_rf(tmp);
	free(extra_out);
	free(extra);
	free(gone);
	free(a_root);
	free(b_root);
	free(tmp);
}

static void markdown_lists_moves_over_the_threshold(void **state)
{
	struct run a = RUN_INIT, b = RUN_INIT;
	struct compare c;
	struct strbuf sb = STRBUF_INIT;
	struct errbuf err;

	assert_int_equal(run_analyze(&a, RUN_A, NULL, &err), 0);
	assert_int_equal(run_analyze(&b, RUN_B, NULL, &err), 0);
	compare_runs(&c, &a, &b, 1.0);
	report_compare_markdown(&sb, &c, "gcc-O2", "gcc-O3",
				"http://x/compare/a...b");
	assert_non_null(strstr(sb.buf, "**Geomean \xe2\x88\x92"
				       "4.75 %** over 6 benchmarks"));
	assert_non_null(strstr(sb.buf, "| 612.matmul\\_r | 90,736,658 | "
				       "72,819,936 | \xe2\x88\x92"
				       "17,916,722 | \xe2\x88\x92"
				       "19.75 % |"));
	assert_non_null(strstr(sb.buf, "600.lzpack"));
	assert_null(strstr(sb.buf, "602.hashjoin")); /* -0.07 % < 1 % */
	assert_non_null(strstr(sb.buf, "(http://x/compare/a...b)"));
	strbuf_release(&sb);
	compare_release(&c);
	run_release(&a);
	run_release(&b);
}

/*
 * Two made-up runs (the fields compare_runs reads): every name in base
 * with 1000 instructions unless said, the changes worked out by hand.
 *   a 1000 -> 1007   +0.7 % exactly
 *   b 1000 -> 1008   +0.8 %
 *   c 1000 ->  993   -0.7 % exactly
 *   d 1000 ->  992   -0.8 %
 *   e 1000 -> 1000    0
 *   f    0 ->    5   from 0: no percentage, an infinite rise
 *   g    0 ->    0    0
 *   h  500 ->    -   only in base
 *   i    - ->    7   only in new
 *   j 100000 -> 100701  +0.701 %
 */
#define MADE(n, v)                                                             \
	{                                                                      \
		.name = (char[]){n}, .instructions = (v)                       \
	}
#define NR(a) (sizeof(a) / sizeof(*(a)))

static struct benchmark made_base[] = {
	MADE("a", 1000), MADE("b", 1000), MADE("c", 1000),
	MADE("d", 1000), MADE("e", 1000), MADE("f", 0),
	MADE("g", 0),	 MADE("h", 500),  MADE("j", 100000),
};
static struct benchmark made_new[] = {
	MADE("a", 1007), MADE("b", 1008), MADE("c", 993),
	MADE("d", 992),	 MADE("e", 1000), MADE("f", 5),
	MADE("g", 0),	 MADE("i", 7),	  MADE("j", 100701),
};

static void compare_made_up(struct compare *c, double threshold_pct)
{
	struct run a = {.benchmarks = made_base,
			.nr_benchmarks = NR(made_base)};
	struct run b = {.benchmarks = made_new, .nr_benchmarks = NR(made_new)};

	compare_runs(c, &a, &b, threshold_pct);
	assert_int_equal(c->nr, 10);
}

static const char *change_of_row(const struct compare *c, const char *name)
{
	for (size_t i = 0; i < c->nr; i++)
		if (!strcmp(c->rows[i].name, name))
			return compare_change_name(c->rows[i].change);
	fail_msg("no row %s", name);
	return NULL;
}

static void change_at_the_threshold_is_unchanged(void **state)
{
	struct compare c;

	/* 0.7 as the CLI and the API read it */
	compare_made_up(&c, strtod("0.7", NULL));
	assert_string_equal(change_of_row(&c, "a"), "unchanged");
	assert_string_equal(change_of_row(&c, "b"), "regressed");
	assert_string_equal(change_of_row(&c, "c"), "unchanged");
	assert_string_equal(change_of_row(&c, "d"), "improved");
	assert_string_equal(change_of_row(&c, "e"), "unchanged");
	assert_string_equal(change_of_row(&c, "f"), "regressed");
	assert_string_equal(change_of_row(&c, "g"), "unchanged");
	assert_string_equal(change_of_row(&c, "h"), "only_base");
	assert_string_equal(change_of_row(&c, "i"), "only_new");
	assert_string_equal(change_of_row(&c, "j"), "regressed");
	assert_int_equal(c.changes[CHANGE_REGRESSED], 3);
	assert_int_equal(c.changes[CHANGE_IMPROVED], 1);
	assert_int_equal(c.changes[CHANGE_UNCHANGED], 4);
	assert_int_equal(c.changes[CHANGE_ONLY_BASE], 1);
	assert_int_equal(c.changes[CHANGE_ONLY_NEW], 1);
	compare_release(&c);

	/* at 0.8: b and d sit on it; j (0.701 %) does not reach it */
	compare_made_up(&c, strtod("0.8", NULL));
	assert_string_equal(change_of_row(&c, "b"), "unchanged");
	assert_string_equal(change_of_row(&c, "d"), "unchanged");
	assert_string_equal(change_of_row(&c, "j"), "unchanged");
	assert_string_equal(change_of_row(&c, "f"), "regressed");
	assert_int_equal(c.changes[CHANGE_REGRESSED], 1);
	assert_int_equal(c.changes[CHANGE_IMPROVED], 0);
	assert_int_equal(c.changes[CHANGE_UNCHANGED], 7);
	compare_release(&c);

	/* at 0.7009 the 0.701 % of j is above */
	compare_made_up(&c, 0.7009);
	assert_string_equal(change_of_row(&c, "j"), "regressed");
	compare_release(&c);
}

static void default_threshold_counts_every_change(void **state)
{
	struct compare c;

	assert_true(COMPARE_THRESHOLD_PCT == 0.0);
	compare_made_up(&c, COMPARE_THRESHOLD_PCT);
	assert_string_equal(change_of_row(&c, "a"), "regressed");
	assert_string_equal(change_of_row(&c, "c"), "improved");
	assert_string_equal(change_of_row(&c, "e"), "unchanged");
	assert_string_equal(change_of_row(&c, "g"), "unchanged");
	assert_int_equal(c.changes[CHANGE_REGRESSED], 4); /* a b f j */
	assert_int_equal(c.changes[CHANGE_IMPROVED], 2);  /* c d */
	assert_int_equal(c.changes[CHANGE_UNCHANGED], 2); /* e g */
	compare_release(&c);
}

/* Every view reads the one decision: JSON, CSV and Markdown at 0.7 %. */
static void views_show_the_same_changes(void **state)
{
	struct compare c;
	struct strbuf sb = STRBUF_INIT;
	json_t *j, *rows, *changes;

	compare_made_up(&c, 0.7);
	j = json_compare(&c, "A", "B", false);
	assert_float_equal(json_real_value(json_object_get(j, "threshold_pct")),
			   0.7, 0);
	changes = json_object_get(j, "changes");
	assert_int_equal(json_object_size(changes), 5);
	assert_int_equal(
		json_integer_value(json_object_get(changes, "regressed")), 3);
	assert_int_equal(
		json_integer_value(json_object_get(changes, "improved")), 1);
	assert_int_equal(
		json_integer_value(json_object_get(changes, "unchanged")), 4);
	assert_int_equal(
		json_integer_value(json_object_get(changes, "only_base")), 1);
	assert_int_equal(
		json_integer_value(json_object_get(changes, "only_new")), 1);
	rows = json_object_get(j, "benchmarks");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(rows, 0), "change")),
			    "unchanged"); /* a */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(rows, 1), "change")),
			    "regressed"); /* b */
	json_decref(j);

	report_compare_csv(&sb, &c);
	assert_non_null(strstr(sb.buf, ",lower_bound,change\n"));
	assert_non_null(
		strstr(sb.buf, "\na,,1000,1007,7,0.7000,false,unchanged\n"));
	assert_non_null(
		strstr(sb.buf, "\nb,,1000,1008,8,0.8000,false,regressed\n"));
	assert_non_null(strstr(sb.buf, "\nf,,0,5,5,,false,regressed\n"));
	assert_non_null(strstr(sb.buf, "\nh,,500,,,,false,only_base\n"));
	strbuf_reset(&sb);

	report_compare_markdown(&sb, &c, "A", "B", NULL);
	assert_non_null(strstr(sb.buf, "; 3 regressed, 1 improved, 4 unchanged "
				       "(a change counts above 0.7 %); 1 only "
				       "in base, 1 only in new.\n"));
	assert_null(strstr(sb.buf, "| a |"));
	assert_non_null(
		strstr(sb.buf, "| b | 1,000 | 1,008 | \\+8 | \\+0.80 % |"));
	assert_null(strstr(sb.buf, "| c |"));
	assert_non_null(strstr(sb.buf, "| d | 1,000 | 992 | \xe2\x88\x92"
				       "8 | \xe2\x88\x92"
				       "0.80 % |"));
	assert_non_null(
		strstr(sb.buf, "| f | 0 | 5 | \\+5 | \\+\xe2\x88\x9e % |"));
	assert_null(strstr(sb.buf, "| g |"));
	strbuf_release(&sb);
	compare_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixture_compare_matches_readme),
		cmocka_unit_test(json_carries_the_same_integers),
		cmocka_unit_test(one_sided_benchmarks_are_listed_not_dropped),
		cmocka_unit_test(markdown_lists_moves_over_the_threshold),
		cmocka_unit_test(change_at_the_threshold_is_unchanged),
		cmocka_unit_test(default_threshold_counts_every_change),
		cmocka_unit_test(views_show_the_same_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
