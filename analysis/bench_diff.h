/* SPDX-License-Identifier: MIT */
/*
 * bench_diff: where one benchmark's delta between two runs comes from.
 * Objects and functions are matched by name (object basename, symbol),
 * so that the parts add up exactly to the benchmark's delta: every
 * instruction of a benchmark is in exactly one function (pseudo-functions
 * such as "[not symbolized]" or "[.text]" included), hence
 *
 *   sum over functions of (new - base) == new total - base total.
 *
 * A function present on one side only counts 0 on the other.  Rows are
 * sorted by |delta|, largest first, then by name; the views show the top
 * and sum the rest into an "other" bucket, keeping the sum exact.
 */
#ifndef ANALYSIS_BENCH_DIFF_H
#define ANALYSIS_BENCH_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct benchmark;

struct part_diff {
	const char *object; /* borrowed from a benchmark */
	const char *name;   /* function (or, for objects, the object) */
	uint64_t base, new; /* instructions; 0 on a side it is absent from */
	int64_t delta;
	bool in_base, in_new;
	uint64_t base_size, new_size; /* functions: symbol sizes, 0 unknown */
	uint64_t base_addr, new_addr; /* functions: ELF addresses, 0 none */
};

struct bench_diff {
	const struct benchmark *base, *new;
	int64_t delta; /* new->instructions - base->instructions */
	struct part_diff *objects;
	size_t nr_objects;
	struct part_diff *functions;
	size_t nr_functions;
};

/* Match the objects and functions of two benchmarks of the same name. */
void bench_diff_compute(struct bench_diff *d, const struct benchmark *base,
			const struct benchmark *new);
void bench_diff_release(struct bench_diff *d);

/* A part's share of the benchmark's delta, in percent (0 if delta is 0). */
double bench_diff_share(const struct bench_diff *d, int64_t part);

#endif
