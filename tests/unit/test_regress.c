/* SPDX-License-Identifier: MIT */
/*
 * regress: the kinds of change between two runs and "looks fixed", on
 * runs made up here with figures worked out by hand, and on the fixture
 * runs with the per-benchmark totals of tests/data/FIXTURES.md.
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
#include "figures.h"
#include "regress.h"
#include "run.h"

#define RUN_A TEST_DATA "/runs/build.gcc-O2-rv64gc"
#define RUN_B TEST_DATA "/runs/build.gcc-O3-rv64gc_zba_zbb_zbs"

#define NR(a) (sizeof(a) / sizeof(*(a)))

/*
 * base -> new, 1000 instructions unless said:
 *   up   1000 -> 1010  +1 %: regressed; of it, f2 +30 and f1 -20
 *   down 1000 ->  990  -1 %: improved
 *   same 1000 -> 1000  unchanged: not listed
 *   gone  400 ->    -  missing
 *   dead  300 ->    0  failed (present, nothing counted)
 *   born    - ->    9  added
 */
static struct object_total objs[] = {{.name = (char[]){"prog"}}};
static struct function_total up_base_fns[] = {
	{.object = 0, .name = (char[]){"f1"}, .instructions = 600},
	{.object = 0, .name = (char[]){"f2"}, .instructions = 400},
};
static struct function_total up_new_fns[] = {
	{.object = 0, .name = (char[]){"f1"}, .instructions = 580},
	{.object = 0, .name = (char[]){"f2"}, .instructions = 430},
};

#define B(n, v)                                                                \
	{                                                                      \
		.name = (char[]){n}, .instructions = (v)                       \
	}

static struct benchmark base_b[] = {
	B("dead", 300),
	B("down", 1000),
	B("gone", 400),
	{.name = (char[]){"same"}, .instructions = 1000},
	{.name = (char[]){"up"},
	 .instructions = 1000,
	 .objects = objs,
	 .nr_objects = 1,
	 .functions = up_base_fns,
	 .nr_functions = 2},
};
static struct benchmark new_b[] = {
	B("born", 9),
	B("dead", 0),
	B("down", 990),
	B("same", 1000),
	{.name = (char[]){"up"},
	 .instructions = 1010,
	 .objects = objs,
	 .nr_objects = 1,
	 .functions = up_new_fns,
	 .nr_functions = 2},
};

static const struct regress_change *find(const struct regress_pair *p,
					 const char *bench)
{
	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->items[i].bench, bench))
			return &p->items[i];
	return NULL;
}

static void kinds_of_change(void **state)
{
	struct run a = {.benchmarks = base_b, .nr_benchmarks = NR(base_b)};
	struct run b = {.benchmarks = new_b, .nr_benchmarks = NR(new_b)};
	struct regress_pair p = REGRESS_PAIR_INIT;
	const struct regress_change *c;

	(void)state;
	regress_detect(&p, &a, &b, COMPARE_THRESHOLD_PCT);
	assert_int_equal(p.nr, 5); /* "same" is not listed */
	assert_int_equal(p.worse, 3);
	assert_int_equal(p.better, 1);
	c = find(&p, "up");
	assert_non_null(c);
	assert_string_equal(regress_kind_name(c->kind), "regressed");
	assert_int_equal(c->delta, 10);
	assert_float_equal(c->delta_pct, 1.0, 1e-12);
	assert_string_equal(c->function, "f2"); /* +30 beats -20 */
	assert_string_equal(c->object, "prog");
	assert_int_equal(c->function_delta, 30);
	c = find(&p, "down");
	assert_string_equal(regress_kind_name(c->kind), "improved");
	c = find(&p, "gone");
	assert_string_equal(regress_kind_name(c->kind), "missing");
	assert_int_equal(c->base, 400);
	c = find(&p, "dead");
	assert_string_equal(regress_kind_name(c->kind), "failed");
	c = find(&p, "born");
	assert_string_equal(regress_kind_name(c->kind), "added");
	assert_null(find(&p, "same"));
	regress_pair_release(&p);

	/* at 1 %, +1 % exactly is no change: the rule of compare.h */
	regress_detect(&p, &a, &b, 1.0);
	assert_null(find(&p, "up"));
	assert_null(find(&p, "down"));
	assert_int_equal(p.worse, 2);
	regress_pair_release(&p);
}

static void looks_fixed(void **state)
{
	struct run a = {.benchmarks = base_b, .nr_benchmarks = NR(base_b)};
	struct run b = {.benchmarks = new_b, .nr_benchmarks = NR(new_b)};
	struct regress_pair p = REGRESS_PAIR_INIT;

	(void)state;
	regress_detect(&p, &a, &b, COMPARE_THRESHOLD_PCT);
	/* the base run itself brings every benchmark back */
	assert_true(regress_looks_fixed(p.items, p.nr, &a, 0));
	/* the new run does not */
	assert_false(regress_looks_fixed(p.items, p.nr, &b, 0));
	regress_pair_release(&p);

	/* no worse change: nothing to fix */
	regress_detect(&p, &b, &b, 0);
	assert_int_equal(p.nr, 0);
	assert_false(regress_looks_fixed(p.items, p.nr, &a, 0));
	regress_pair_release(&p);
}

static void fixture_runs(void **state)
{
	/* FIXTURES.md, "Per-benchmark totals" */
	static const struct {
		const char *name;
		uint64_t a, b;
	} want[] = {
		{"600.lzpack_r", 115065868, 110980812},
		{"601.graphwalk_r", 61748526, 60117936},
		{"602.hashjoin_r", 225131489, 224979634},
		{"604.sortmix_r", 78723823, 78320245},
		{"610.stencil_r", 64958288, 64732629},
		{"612.matmul_r", 90736658, 72819936},
	};
	struct run a = RUN_INIT, b = RUN_INIT;
	struct regress_pair p = REGRESS_PAIR_INIT;
	struct errbuf err;

	(void)state;
	assert_int_equal(run_analyze(&a, RUN_A, NULL, &err), 0);
	assert_int_equal(run_analyze(&b, RUN_B, NULL, &err), 0);
	regress_detect(&p, &b, &a, COMPARE_THRESHOLD_PCT);
	assert_int_equal(p.nr, 6);
	assert_int_equal(p.worse, 6);
	for (size_t i = 0; i < 6; i++) {
		const struct regress_change *c = &p.items[i];

		assert_string_equal(c->bench, want[i].name);
		assert_string_equal(regress_kind_name(c->kind), "regressed");
		assert_int_equal(c->base, want[i].b);
		assert_int_equal(c->new, want[i].a);
		assert_int_equal(c->delta, (int64_t)(want[i].a - want[i].b));
		assert_non_null(c->function);
		assert_true(c->function_delta > 0);
	}
	assert_true(regress_looks_fixed(p.items, p.nr, &b, 0));
	assert_false(regress_looks_fixed(p.items, p.nr, &a, 0));
	regress_pair_release(&p);
	run_release(&a);
	run_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_of_change),
		cmocka_unit_test(looks_fixed),
		cmocka_unit_test(fixture_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
