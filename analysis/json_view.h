/* SPDX-License-Identifier: MIT */
/*
 * json_view: analysis results as JSON (jansson), the one data model that
 * the API returns, the CLI prints with --format json and the pages draw.
 * Counts are JSON integers; percentages and ratios are numbers; absent
 * values are null.  Field names say what they hold (instructions,
 * delta_pct).  The returned json_t is a new reference: json_decref() it.
 */
#ifndef ANALYSIS_JSON_VIEW_H
#define ANALYSIS_JSON_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct run;
struct benchmark;
struct compare;

/* Dump flags for API answers: compact, reals with 12 significant digits. */
#define JSON_VIEW_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

/* A run: its benchmarks with totals and per-object split, and warnings. */
json_t *json_run(const struct run *run, const char *id);
/*
 * One benchmark: totals, invocations, objects, warnings, and its
 * `max_functions` hottest functions (0: all; SIZE_MAX: none).
 */
json_t *json_benchmark(const struct benchmark *b, size_t max_functions);
/*
 * A comparison: rows, geometric means overall and per suite, totals, and
 * each row's "change" with their counts ("changes") at "threshold_pct",
 * as compare.h decides them.  With
 * with_objects, each row also lists its objects in either run, matched by
 * name, with base, new and delta (the runs must have their objects).
 */
json_t *json_compare(const struct compare *c, const char *base_id,
		     const char *new_id, bool with_objects);

struct bench_diff;

/*
 * A benchmark's hottest blocks (as the run keeps them: see run.h), those
 * of function `function` only when it is >= 0, at most `limit` (0: all):
 * object, function, offset in it, ELF address, icount, ecount, tcount,
 * instructions, share, and the decoded instructions when known.
 */
json_t *json_blocks(const struct benchmark *b, long function, size_t limit);

/*
 * A benchmark's dynamic instruction mix (of one function when function
 * >= 0): by class, decoder, extension, mnemonic, object and function, and
 * the compressed, stack and vector shares.
 */
json_t *json_mix(const struct benchmark *b, long function);
/* The same with at most max_mnemonics mnemonics (0: all); json_mix: 100. */
json_t *json_mix_limit(const struct benchmark *b, long function,
		       size_t max_mnemonics);

/*
 * Where one benchmark's delta comes from: objects and the `max_functions`
 * functions with the largest |delta| (0: all), the rest summed in
 * "functions_other", so that the listed parts add up exactly to "delta".
 */
json_t *json_bench_diff(const struct bench_diff *d, const char *base_id,
			const char *new_id, size_t max_functions);

/*
 * The blocks of the function `name` in `object` in both benchmarks of d,
 * side by side (the hottest first), for a bench diff's "blocks".
 */
json_t *json_function_blocks_diff(const struct bench_diff *d,
				  const char *object, const char *name,
				  size_t limit);

struct index_run;
struct history_point;

/* 1700000000 -> "2023-11-14T22:13:20Z" (UTC); buf holds at least 32 bytes. */
void format_iso8601(long long t, char *buf, size_t size);

/* A row of the runs list: id, series, status, progress, totals, metadata. */
json_t *json_index_run(const struct index_run *r);
/*
 * A benchmark's history: one point per run, each with the change from the
 * previous run that had the benchmark; `step` marks a count that moved.
 */
json_t *json_history(const char *bench, const char *series,
		     const struct history_point *p, size_t nr);

#endif
