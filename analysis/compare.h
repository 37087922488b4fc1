/* SPDX-License-Identifier: MIT */
/*
 * compare: two analysed runs side by side.  One row per benchmark in
 * either run, sorted by name; a benchmark present in only one run is
 * listed as such, never dropped.  The geometric mean of new/base is taken
 * over the benchmarks present in both with non-zero counts, overall and
 * per suite.  Rows borrow their names from the runs: keep the runs alive
 * while the comparison is used.
 */
#ifndef ANALYSIS_COMPARE_H
#define ANALYSIS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct run;
struct benchmark;

enum compare_side {
	COMPARE_BOTH,
	COMPARE_ONLY_BASE,
	COMPARE_ONLY_NEW,
};

struct compare_row {
	const char *name;  /* borrowed from a run */
	const char *suite; /* borrowed, may be NULL */
	enum compare_side side;
	const struct benchmark *base_bench; /* NULL when absent */
	const struct benchmark *new_bench;
	uint64_t base, new; /* instructions; 0 when absent */
	int64_t delta;	    /* new - base (saturated to the int64 range) */
	bool has_pct;	    /* both present and base > 0 */
	double delta_pct;   /* (new - base) / base * 100 */
	bool partial;	    /* either side is a lower bound */
};

struct compare_suite {
	const char *suite; /* NULL: benchmarks outside a suite */
	size_t nr;	   /* benchmarks in the geometric mean */
	double geomean;	   /* ratio new/base */
	uint64_t base, new;
};

struct compare {
	struct compare_row *rows;
	size_t nr;
	bool has_geomean;
	size_t geomean_nr;
	double geomean;		      /* ratio new/base, e.g. 0.952471 */
	struct compare_suite *suites; /* sorted by name */
	size_t nr_suites;
	uint64_t base_total, new_total; /* over benchmarks in both runs */
	size_t only_base, only_new;
};

void compare_runs(struct compare *c, const struct run *base,
		  const struct run *new);
void compare_release(struct compare *c);

/* new - base, saturated to the int64 range. */
int64_t compare_delta(uint64_t base, uint64_t new);

/* (ratio - 1) * 100: the geometric mean as a percentage change. */
double ratio_to_pct(double ratio);

#endif
