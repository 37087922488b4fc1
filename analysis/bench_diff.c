/* SPDX-License-Identifier: MIT */
#include "bench_diff.h"

#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "figures.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

struct keyed {
	const char *object, *name;
	size_t idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->object, y->object);

	return c ? c : strcmp(x->name, y->name);
}

static uint64_t abs64(int64_t v)
{
	return v < 0 ? 0ull - (uint64_t)v : (uint64_t)v;
}

static int cmp_part(const void *a, const void *b)
{
	const struct part_diff *x = a, *y = b;
	uint64_t ax = abs64(x->delta), ay = abs64(y->delta);
	int c;

	if (ax != ay)
		return ax > ay ? -1 : 1;
	if (x->new + x->base != y->new + y->base)
		return x->new + x->base > y->new + y->base ? -1 : 1;
	c = strcmp(x->object, y->object);
	return c ? c : strcmp(x->name, y->name);
}

static const char *fn_object(const struct benchmark *b, size_t i)
{
	return b->objects[b->functions[i].object].name;
}

static struct keyed *sorted_keys(const struct benchmark *b, bool functions,
				 size_t *nr)
{
	size_t n = functions ? b->nr_functions : b->nr_objects;
	struct keyed *k = xcalloc(n ? n : 1, sizeof(*k));

	for (size_t i = 0; i < n; i++) {
		k[i].object = functions ? fn_object(b, i) : b->objects[i].name;
		k[i].name =
			functions ? b->functions[i].name : b->objects[i].name;
		k[i].idx = i;
	}
	sort_n(k, n, sizeof(*k), cmp_keyed);
	*nr = n;
	return k;
}

/* Merge the sorted parts of both sides into one list of diffs. */
static struct part_diff *merge(const struct benchmark *base,
			       const struct benchmark *new, bool functions,
			       size_t *nr_out)
{
	size_t na, nb, i = 0, j = 0, n = 0;
	struct keyed *ka = sorted_keys(base, functions, &na);
	struct keyed *kb = sorted_keys(new, functions, &nb);
	struct part_diff *out = xcalloc(na + nb + 1, sizeof(*out));

	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : cmp_keyed(&ka[i], &kb[j]);
		struct part_diff *p = &out[n++];

		if (c <= 0) {
			size_t x = ka[i++].idx;

			p->object = functions ? fn_object(base, x)
					      : base->objects[x].name;
			p->name = functions ? base->functions[x].name
					    : base->objects[x].name;
			p->in_base = true;
			p->base_idx = x;
			p->base = functions ? base->functions[x].instructions
					    : base->objects[x].instructions;
			if (functions) {
				p->base_size = base->functions[x].size;
				p->base_addr = base->functions[x].addr;
			}
		}
		if (c >= 0) {
			size_t y = kb[j++].idx;

			p->object = functions ? fn_object(new, y)
					      : new->objects[y].name;
			p->name = functions ? new->functions[y].name
					    : new->objects[y].name;
			p->in_new = true;
			p->new_idx = y;
			p->new = functions ? new->functions[y].instructions
					   : new->objects[y].instructions;
			if (functions) {
				p->new_size = new->functions[y].size;
				p->new_addr = new->functions[y].addr;
			}
		}
		p->delta = compare_delta(p->base, p->new);
	}
	free(ka);
	free(kb);
	sort_n(out, n, sizeof(*out), cmp_part);
	*nr_out = n;
	return out;
}

void bench_diff_compute(struct bench_diff *d, const struct benchmark *base,
			const struct benchmark *new)
{
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->new = new;
	d->delta = compare_delta(base->instructions, new->instructions);
	d->objects = merge(base, new, false, &d->nr_objects);
	d->functions = merge(base, new, true, &d->nr_functions);
}

void bench_diff_release(struct bench_diff *d)
{
	free(d->objects);
	free(d->functions);
	memset(d, 0, sizeof(*d));
}

double bench_diff_share(const struct bench_diff *d, int64_t part)
{
	if (!d->delta || !part)
		return 0.0;
	return (double)part / (double)d->delta * 100.0;
}
