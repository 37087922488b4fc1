/* SPDX-License-Identifier: MIT */
/*
 * regress: what changed between two consecutive runs of a series, as the
 * regression tracker records it.  Each benchmark's change is decided by
 * compare_change_of() (compare.h), the one rule for "changed", at the
 * series' threshold; this module only sorts the outcome into kinds and
 * names, for each benchmark, the function that carries most of its delta
 * (bench_diff.h).
 *
 * A benchmark that is in the base run but missing from the new one, or
 * present with no instructions counted (it failed: an empty or broken
 * output, an overflowed sum), is a change of its own kind and counts as
 * worse: it is never silently dropped.  A benchmark only in the new run
 * is listed as added.
 *
 * The struct regress_change values own their strings; release a pair
 * with regress_pair_release().
 */
#ifndef ANALYSIS_REGRESS_H
#define ANALYSIS_REGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct run;

enum regress_kind {
	REGRESS_REGRESSED, /* more instructions past the threshold */
	REGRESS_IMPROVED,  /* fewer instructions past the threshold */
	REGRESS_MISSING,   /* in the base run only */
	REGRESS_FAILED,	   /* in the new run with no count (0 or overflow) */
	REGRESS_ADDED,	   /* in the new run only */
};
#define NR_REGRESS_KINDS 5

struct regress_change {
	char *bench;
	enum regress_kind kind;
	uint64_t base, new; /* instructions; 0 when absent */
	int64_t delta;	    /* new - base, saturated */
	bool has_pct;
	double delta_pct;
	char *function; /* carries most of the delta, or NULL */
	char *object;	/* the function's object, or NULL */
	int64_t function_delta;
};

struct regress_pair {
	struct regress_change *items; /* sorted by benchmark name */
	size_t nr, alloc;
	size_t worse;  /* regressed, missing, failed */
	size_t better; /* improved */
};

#define REGRESS_PAIR_INIT                                                      \
	{                                                                      \
		NULL, 0, 0, 0, 0                                               \
	}

/* "regressed", "improved", "missing", "failed", "added". */
const char *regress_kind_name(enum regress_kind kind);
/* The kind named s; false when s names none. */
bool regress_kind_parse(const char *s, enum regress_kind *out);
/* Regressed, missing and failed are worse. */
bool regress_kind_worse(enum regress_kind kind);

/*
 * The changes from base to new at threshold_pct (>= 0): unchanged
 * benchmarks are left out.  The runs need their functions loaded for the
 * carrying function to be named.
 */
void regress_detect(struct regress_pair *out, const struct run *base,
		    const struct run *new, double threshold_pct);

/*
 * Does run `later` bring every worse change of changes[0..nr) back: each
 * such benchmark present with a count that, compared with the change's
 * base count at threshold_pct, is not regressed?  False when there is no
 * worse change.
 */
bool regress_looks_fixed(const struct regress_change *changes, size_t nr,
			 const struct run *later, double threshold_pct);

/* Append a change (strings copied; function/object may be NULL). */
void regress_pair_add(struct regress_pair *p, const struct regress_change *c);
void regress_pair_release(struct regress_pair *p);

#endif
