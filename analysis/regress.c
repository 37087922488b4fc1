/* SPDX-License-Identifier: MIT */
#include "regress.h"

#include <stdlib.h>
#include <string.h>

#include "bench_diff.h"
#include "compare.h"
#include "figures.h"
#include "xalloc.h"
#include "banned.h"

static const char *const kind_names[NR_REGRESS_KINDS] = {
	[REGRESS_REGRESSED] = "regressed", [REGRESS_IMPROVED] = "improved",
	[REGRESS_MISSING] = "missing",	   [REGRESS_FAILED] = "failed",
	[REGRESS_ADDED] = "added",
};

const char *regress_kind_name(enum regress_kind kind)
{
	return kind_names[kind];
}

bool regress_kind_parse(const char *s, enum regress_kind *out)
{
	for (size_t i = 0; i < NR_REGRESS_KINDS; i++)
		if (!strcmp(s, kind_names[i])) {
			*out = (enum regress_kind)i;
			return true;
		}
	return false;
}

bool regress_kind_worse(enum regress_kind kind)
{
	return kind == REGRESS_REGRESSED || kind == REGRESS_MISSING ||
	       kind == REGRESS_FAILED;
}

void regress_pair_add(struct regress_pair *p, const struct regress_change *c)
{
	struct regress_change *n;

	ALLOC_GROW(p->items, p->nr + 1, p->alloc);
	n = &p->items[p->nr++];
	*n = *c;
	n->bench = xstrdup(c->bench);
	n->function = c->function ? xstrdup(c->function) : NULL;
	n->object = c->object ? xstrdup(c->object) : NULL;
	if (regress_kind_worse(c->kind))
		p->worse++;
	else if (c->kind == REGRESS_IMPROVED)
		p->better++;
}

void regress_pair_release(struct regress_pair *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		free(p->items[i].bench);
		free(p->items[i].function);
		free(p->items[i].object);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}

/* A benchmark that ran but has nothing to count. */
static bool bench_failed(const struct benchmark *b)
{
	return !b->instructions || b->overflow;
}

/* The function carrying most of row r's delta, into c (borrowed). */
static void carrying_function(const struct compare_row *r,
			      struct regress_change *c, struct bench_diff *d)
{
	const struct part_diff *top;

	if (!r->base_bench || !r->new_bench)
		return;
	bench_diff_compute(d, r->base_bench, r->new_bench);
	if (!d->nr_functions || !d->functions[0].delta)
		return;
	top = &d->functions[0];
	c->function = (char *)top->name;
	c->object = (char *)top->object;
	c->function_delta = top->delta;
}

void regress_detect(struct regress_pair *out, const struct run *base,
		    const struct run *new, double threshold_pct)
{
	struct compare cmp;

	compare_runs(&cmp, base, new, threshold_pct);
	for (size_t i = 0; i < cmp.nr; i++) {
		const struct compare_row *r = &cmp.rows[i];
		enum compare_change ch = compare_change_of(r, threshold_pct);
		struct regress_change c = {
			.bench = (char *)r->name,
			.base = r->base,
			.new = r->new,
			.delta = r->delta,
			.has_pct = r->has_pct,
			.delta_pct = r->delta_pct,
		};
		struct bench_diff d = {0};

		if (ch == CHANGE_ONLY_BASE)
			c.kind = REGRESS_MISSING;
		else if (ch == CHANGE_ONLY_NEW)
			c.kind = REGRESS_ADDED;
		else if (r->base_bench && !bench_failed(r->base_bench) &&
			 bench_failed(r->new_bench))
			c.kind = REGRESS_FAILED;
		else if (ch == CHANGE_REGRESSED)
			c.kind = REGRESS_REGRESSED;
		else if (ch == CHANGE_IMPROVED)
			c.kind = REGRESS_IMPROVED;
		else
			continue;
		if (c.kind != REGRESS_MISSING && c.kind != REGRESS_ADDED)
			carrying_function(r, &c, &d);
		regress_pair_add(out, &c);
		bench_diff_release(&d);
	}
	compare_release(&cmp);
}

bool regress_looks_fixed(const struct regress_change *changes, size_t nr,
			 const struct run *later, double threshold_pct)
{
	size_t worse = 0;

	for (size_t i = 0; i < nr; i++) {
		const struct regress_change *c = &changes[i];
		const struct benchmark *b;
		struct compare_row r = {0};

		if (!regress_kind_worse(c->kind))
			continue;
		worse++;
		b = run_find_benchmark(later, c->bench);
		if (!b || bench_failed(b))
			return false;
		r.side = COMPARE_BOTH;
		r.base = c->base;
		r.new = b->instructions;
		r.delta = compare_delta(r.base, r.new);
		r.has_pct = r.base > 0;
		if (r.has_pct)
			r.delta_pct = (double)r.delta * 100 / (double)r.base;
		if (compare_change_of(&r, threshold_pct) == CHANGE_REGRESSED)
			return false;
	}
	return worse > 0;
}
