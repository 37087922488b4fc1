/* SPDX-License-Identifier: MIT */
/*
 * compare: two analysed runs side by side.  One row per benchmark in
 * either run, sorted by name; a benchmark present in only one run is
 * listed as such, never dropped.  The geometric mean of new/base is taken
 * over the benchmarks present in both with non-zero counts, overall and
 * per suite.  Rows borrow their names from the runs: keep the runs alive
 * while the comparison is used.
 *
 * Whether a benchmark changed is decided here, once, for every view (the
 * text, CSV and Markdown reports, the JSON, the pages): a benchmark in
 * both runs is regressed when its instruction count went up by more than
 * the threshold, improved when it went down by more than it, else
 * unchanged -- a change at or below the threshold is unchanged.  A base
 * of 0 that grew is a change of any size (an infinite |delta %|).
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

/*
 * The default threshold in percent: counts are exact, so every change
 * counts.  A per-series setting may pass another.
 */
#define COMPARE_THRESHOLD_PCT 0.0

enum compare_change {
	CHANGE_UNCHANGED,
	CHANGE_REGRESSED,
	CHANGE_IMPROVED,
	CHANGE_ONLY_BASE,
	CHANGE_ONLY_NEW,
};
#define NR_CHANGES 5

struct compare_row {
	const char *name;  /* borrowed from a run */
	const char *suite; /* borrowed, may be NULL */
	enum compare_side side;
	const struct benchmark *base_bench; /* NULL when absent */
	const struct benchmark *new_bench;
	uint64_t base, new; /* instructions; 0 when absent */
	int64_t delta;	    /* new - base (saturated to the int64 range) */
	bool has_pct;	    /* both present and base > 0 */
	double delta_pct;   /* (new - base) * 100 / base */
	bool partial;	    /* either side is a lower bound */
	enum compare_change change; /* at the comparison's threshold */
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
	double threshold_pct;	    /* what `change` was decided at */
	size_t changes[NR_CHANGES]; /* rows by change */
};

/*
 * Compare two runs, deciding each row's change at threshold_pct (>= 0;
 * COMPARE_THRESHOLD_PCT unless a caller has a setting).
 */
void compare_runs(struct compare *c, const struct run *base,
		  const struct run *new, double threshold_pct);
void compare_release(struct compare *c);

/*
 * The rule: how row r changed at threshold_pct.  The percentage is
 * compared as computed, (new - base) * 100 / base in one division, so a
 * change of exactly the threshold (say 7 in 1000 at 0.7 %) is unchanged.
 */
enum compare_change compare_change_of(const struct compare_row *r,
				      double threshold_pct);

/* "regressed", "improved", "unchanged", "only_base" or "only_new". */
const char *compare_change_name(enum compare_change change);

/* new - base, saturated to the int64 range. */
int64_t compare_delta(uint64_t base, uint64_t new);

/* (ratio - 1) * 100: the geometric mean as a percentage change. */
double ratio_to_pct(double ratio);

#endif
