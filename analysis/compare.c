/* SPDX-License-Identifier: MIT */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

double ratio_to_pct(double ratio)
{
	return (ratio - 1.0) * 100.0;
}

int64_t compare_delta(uint64_t base, uint64_t new)
{
	if (new >= base)
		return new - base > (uint64_t)INT64_MAX ? INT64_MAX
							: (int64_t)(new - base);
	return base - new > (uint64_t)INT64_MAX ? INT64_MIN
						: -(int64_t)(base - new);
}

enum compare_change compare_change_of(const struct compare_row *r,
				      double threshold_pct)
{
	if (r->side == COMPARE_ONLY_BASE)
		return CHANGE_ONLY_BASE;
	if (r->side == COMPARE_ONLY_NEW)
		return CHANGE_ONLY_NEW;
	if (!r->delta)
		return CHANGE_UNCHANGED;
	/* no percentage: from a base of 0, any growth is infinite */
	if (r->has_pct && fabs(r->delta_pct) <= threshold_pct)
		return CHANGE_UNCHANGED;
	return r->delta > 0 ? CHANGE_REGRESSED : CHANGE_IMPROVED;
}

const char *compare_change_name(enum compare_change change)
{
	static const char *const names[NR_CHANGES] = {
		[CHANGE_UNCHANGED] = "unchanged",
		[CHANGE_REGRESSED] = "regressed",
		[CHANGE_IMPROVED] = "improved",
		[CHANGE_ONLY_BASE] = "only_base",
		[CHANGE_ONLY_NEW] = "only_new",
	};

	return names[change];
}

static int cmp_str_null(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

static struct compare_suite *suite_entry(struct compare *c, const char *suite,
					 size_t *alloc)
{
	for (size_t i = 0; i < c->nr_suites; i++)
		if (!cmp_str_null(c->suites[i].suite, suite))
			return &c->suites[i];
	ALLOC_GROW(c->suites, c->nr_suites + 1, *alloc);
	memset(&c->suites[c->nr_suites], 0, sizeof(*c->suites));
	c->suites[c->nr_suites].suite = suite;
	return &c->suites[c->nr_suites++];
}

static int cmp_suite(const void *a, const void *b)
{
	const struct compare_suite *x = a, *y = b;

	return cmp_str_null(x->suite, y->suite);
}

void compare_runs(struct compare *c, const struct run *base,
		  const struct run *new, double threshold_pct)
{
	size_t i = 0, j = 0, alloc = 0, suites_alloc = 0;
	double logsum = 0;

	memset(c, 0, sizeof(*c));
	c->threshold_pct = threshold_pct;
	/* both runs are sorted by name: merge them */
	while (i < base->nr_benchmarks || j < new->nr_benchmarks) {
		const struct benchmark *a =
			i < base->nr_benchmarks ? &base->benchmarks[i] : NULL;
		const struct benchmark *b =
			j < new->nr_benchmarks ? &new->benchmarks[j] : NULL;
		struct compare_row *r;
		int cmp = !a ? 1 : !b ? -1 : strcmp(a->name, b->name);

		ALLOC_GROW(c->rows, c->nr + 1, alloc);
		r = &c->rows[c->nr++];
		memset(r, 0, sizeof(*r));
		if (cmp < 0) {
			r->side = COMPARE_ONLY_BASE;
			b = NULL;
			i++;
			c->only_base++;
		} else if (cmp > 0) {
			r->side = COMPARE_ONLY_NEW;
			a = NULL;
			j++;
			c->only_new++;
		} else {
			r->side = COMPARE_BOTH;
			i++;
			j++;
		}
		r->base_bench = a;
		r->new_bench = b;
		r->name = a ? a->name : b->name;
		r->suite = a && a->suite ? a->suite : b ? b->suite : NULL;
		r->base = a ? a->instructions : 0;
		r->new = b ? b->instructions : 0;
		r->delta = compare_delta(r->base, r->new);
		r->partial = (a && a->partial) || (b && b->partial);
		if (r->side == COMPARE_BOTH && r->base > 0) {
			r->has_pct = true;
			/*
			 * one rounding (exact below 2^53 / 100): a delta of
			 * exactly PCT % compares equal to strtod("PCT")
			 */
			r->delta_pct = (double)r->delta * 100 / (double)r->base;
		}
		r->change = compare_change_of(r, threshold_pct);
		c->changes[r->change]++;
	}

	for (size_t k = 0; k < c->nr; k++) {
		struct compare_row *r = &c->rows[k];
		struct compare_suite *s;
		double l;

		if (r->side != COMPARE_BOTH)
			continue;
		c->base_total += r->base;
		c->new_total += r->new;
		s = suite_entry(c, r->suite, &suites_alloc);
		s->base += r->base;
		s->new += r->new;
		if (!r->base || !r->new)
			continue;
		l = log((double)r->new / (double)r->base);
		logsum += l;
		c->geomean_nr++;
		s->nr++;
		/* the suite's log sum is kept in geomean until the end */
		s->geomean += l;
	}
	if (c->geomean_nr) {
		c->has_geomean = true;
		c->geomean = exp(logsum / (double)c->geomean_nr);
	}
	for (size_t k = 0; k < c->nr_suites; k++) {
		struct compare_suite *s = &c->suites[k];

		s->geomean = s->nr ? exp(s->geomean / (double)s->nr) : 0;
	}
	if (c->nr_suites > 1)
		sort_n(c->suites, c->nr_suites, sizeof(*c->suites), cmp_suite);
}

void compare_release(struct compare *c)
{
	free(c->rows);
	free(c->suites);
	memset(c, 0, sizeof(*c));
}
