/* SPDX-License-Identifier: MIT */
/*
 * report: text renderings of analysis results for terminals, CI logs and
 * pull-request comments.  `tbscope compare` and the API's
 * format=text|csv|markdown share these functions, so a figure reads the
 * same everywhere.  The text table keeps the exact layout of the team's
 * spec-compare-helper script (header, 60 '=' and
 * "{name:<20} {a:>15} {b:>15} {pct:>9.2f}%" rows), then adds a geometric
 * mean line.
 */
#ifndef ANALYSIS_REPORT_H
#define ANALYSIS_REPORT_H

#include <stdbool.h>
#include <jansson.h>
#include <stddef.h>

struct strbuf;
struct compare;
struct run;
struct benchmark;

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_CSV,
	REPORT_MARKDOWN,
	REPORT_TABLE, /* the text table for people: signs, separators */
};

/*
 * "text", "json", "csv", "markdown" or "table"; returns -1 for anything
 * else.
 */
int report_format_parse(const char *s, enum report_format *out);

void report_compare_text(struct strbuf *out, const struct compare *c);
/*
 * The same comparison for people (the page's text export): the runs'
 * names, base, new, delta and delta % with their signs ('+', '-') and
 * thousands separators, the total, the geometric means and the counts of
 * each change.  Columns stay aligned; names are not cut.
 */
void report_compare_table(struct strbuf *out, const struct compare *c,
			  const char *base_name, const char *new_name);
/* One line per row; the last column is its change (see compare.h). */
void report_compare_csv(struct strbuf *out, const struct compare *c);
/*
 * A compact Markdown summary: geomean, the counts of each change, the
 * rows that changed or are in one run only (at the comparison's
 * threshold, see compare.h), and a link when url is not NULL.
 */
void report_compare_markdown(struct strbuf *out, const struct compare *c,
			     const char *base_name, const char *new_name,
			     const char *url);

/* Per-benchmark totals of a run, each with its split by object. */
void report_run_text(struct strbuf *out, const struct run *run);
void report_run_csv(struct strbuf *out, const struct run *run);
void report_run_markdown(struct strbuf *out, const struct run *run);
/* The `limit` hottest functions of a benchmark (0: all). */
void report_functions_text(struct strbuf *out, const struct benchmark *b,
			   size_t limit);
void report_functions_csv(struct strbuf *out, const struct benchmark *b,
			  size_t limit);

/* 1234567 -> "1,234,567" */
void format_thousands(struct strbuf *out, unsigned long long v);

/*
 * The hottest blocks of b (of function `function` when >= 0), each with
 * its disassembly when the run was decoded.
 */
void report_blocks_text(struct strbuf *out, const struct benchmark *b,
			long function, size_t limit);
/* The instruction mix of b (of one function when function >= 0). */
void report_mix_text(struct strbuf *out, const struct benchmark *b,
		     long function, size_t limit);

struct bench_diff;
/*
 * Where a benchmark's delta comes from: objects, then the `limit`
 * functions with the largest |delta| (0: all) and the rest in one line,
 * then the total: the parts add up exactly.
 */
void report_bench_diff_text(struct strbuf *out, const struct bench_diff *d,
			    size_t limit);
/*
 * The "mix" member of json_bench_diff() as text: the delta by class and
 * the mnemonics that moved most.  Nothing when it is null.
 */
void report_mix_diff_text(struct strbuf *out, const json_t *mix);

#endif
