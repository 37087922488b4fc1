/* SPDX-License-Identifier: MIT */
/*
 * `tbscope compare`: the dynamic instruction counts of two run
 * directories side by side, or (--bench) where one benchmark's change
 * comes from.  Results go to stdout, warnings to stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench_diff.h"
#include "builtin.h"
#include "compare.h"
#include "errbuf.h"
#include "json_view.h"
#include "recording.h"
#include "run.h"
#include "run_common.h"
#include "strbuf.h"
#include "banned.h"

static const char compare_usage[] =
	"usage: tbscope compare [options] RUN_A RUN_B\n"
	"\n"
	"Dynamic instruction counts of every benchmark in two run "
	"directories,\n"
	"and the change from A (base) to B (new), with the geometric mean.\n";

/* tbscope compare A B --bench NAME */
static int compare_bench(const char *dir_a, const char *dir_b,
			 const char *bench, size_t limit,
			 const struct run_opts *o)
{
	struct run a = RUN_INIT, b = RUN_INIT;
	struct bench_diff d;
	struct strbuf out = STRBUF_INIT;
	int ret = 1;

	if (o->format != REPORT_TEXT && o->format != REPORT_JSON) {
		fputs("tbscope compare: --bench prints text or json\n", stderr);
		return EXIT_USAGE;
	}
	if (load_run(&a, dir_a, o, true, bench) < 0 ||
	    load_run(&b, dir_b, o, true, bench) < 0)
		goto out;
	if (!a.nr_benchmarks || !b.nr_benchmarks) {
		fprintf(stderr, "tbscope compare: no benchmark '%s' in %s\n",
			bench, a.nr_benchmarks ? dir_b : dir_a);
		goto out;
	}
	bench_diff_compute(&d, &a.benchmarks[0], &b.benchmarks[0]);
	if (o->format == REPORT_JSON) {
		print_json_take(json_bench_diff(&d, run_label(dir_a),
						run_label(dir_b), limit));
	} else {
		json_t *j = json_bench_diff(&d, run_label(dir_a),
					    run_label(dir_b), limit);

		report_bench_diff_text(&out, &d, limit);
		report_mix_diff_text(&out, json_object_get(j, "mix"));
		json_decref(j);
		fputs(out.buf, stdout);
	}
	bench_diff_release(&d);
	ret = 0;
out:
	strbuf_release(&out);
	run_release(&a);
	run_release(&b);
	return ret;
}

/*
 * The comparability warning (recording.h) of run directories a and b:
 * on stderr beside text and csv, first in Markdown; returns the
 * comparison for the JSON answer.
 */
static json_t *recording_check(const char *a, const char *b,
			       enum report_format format, struct strbuf *out)
{
	json_t *ma = recording_read_meta(a), *mb = recording_read_meta(b);
	json_t *rc = recording_compare(ma, mb);
	const char *w = recording_warning(rc);

	if (w && format == REPORT_MARKDOWN)
		strbuf_addf(out, "> **Warning:** %s\n\n", w);
	else if (w && format != REPORT_JSON)
		fprintf(stderr, "tbscope compare: warning: %s\n", w);
	json_decref(ma);
	json_decref(mb);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	struct run_opts o = RUN_OPTS_INIT;
	double threshold = COMPARE_THRESHOLD_PCT;
	const char *bench = NULL;
	uint64_t limit = 20;
	bool help = false;
	const struct option_spec opts[] = {
		RUN_OPTS_FORMAT(&o, "text (default: the spec-compare-helper "
				    "table),\ntable (the same with signs and "
				    "separators),\njson, csv or markdown"),
		OPT_PERCENT('t', "threshold", "PCT",
			    "a benchmark changed when |delta %| is above PCT\n"
			    "(table, csv, json, markdown; default 0: any "
			    "change)",
			    &threshold),
		OPT_STRING('b', "bench", "NAME",
			   "where NAME's delta comes from: objects and\n"
			   "functions matched by name (text or json)",
			   &bench),
		OPT_COUNT('n', "limit", "N",
			  "--bench: functions listed (default 20, 0 all)",
			  &limit, 0, SIZE_MAX),
		RUN_OPTS_SYSROOT(&o),
		RUN_OPTS_QUIET(&o),
		OPT_HELP('h', &help),
		OPT_END(),
	};
	struct run a = RUN_INIT, b = RUN_INIT;
	struct compare cmp;
	struct strbuf out = STRBUF_INIT;
	struct errbuf err;
	json_t *rec = NULL, *json;
	int first, ret = 1;

	first = parse_options(argc, argv, opts, &err);
	if (first < 0) {
		ret = usage_error("compare", compare_usage, opts, &err);
		goto out;
	}
	if (help) {
		usage_with_options(stdout, compare_usage, opts);
		ret = 0;
		goto out;
	}
	if (argc - first != 2) {
		usage_with_options(stderr, compare_usage, opts);
		ret = EXIT_USAGE;
		goto out;
	}
	if (bench) {
		ret = compare_bench(argv[first], argv[first + 1], bench,
				    (size_t)limit, &o);
		goto out;
	}
	/* the table needs the totals only: no attribution */
	o.totals_only = true;
	if (load_run(&a, argv[first], &o, false, NULL) < 0 ||
	    load_run(&b, argv[first + 1], &o, false, NULL) < 0)
		goto out;
	compare_runs(&cmp, &a, &b, threshold);
	rec = recording_check(argv[first], argv[first + 1], o.format, &out);
	switch (o.format) {
	case REPORT_TEXT:
		report_compare_text(&out, &cmp);
		break;
	case REPORT_TABLE:
		report_compare_table(&out, &cmp, run_label(argv[first]),
				     run_label(argv[first + 1]));
		break;
	case REPORT_CSV:
		report_compare_csv(&out, &cmp);
		break;
	case REPORT_MARKDOWN:
		report_compare_markdown(&out, &cmp, run_label(argv[first]),
					run_label(argv[first + 1]), NULL);
		break;
	case REPORT_JSON:
		json = json_compare(&cmp, run_label(argv[first]),
				    run_label(argv[first + 1]), false);
		json_object_set(json, "recording", rec);
		print_json_take(json);
		break;
	}
	fputs(out.buf, stdout);
	compare_release(&cmp);
	ret = 0;
out:
	json_decref(rec);
	strbuf_release(&out);
	run_release(&a);
	run_release(&b);
	run_opts_release(&o);
	return ret;
}
