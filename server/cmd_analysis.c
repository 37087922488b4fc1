/* SPDX-License-Identifier: MIT */
/*
 * `tbscope compare` and `tbscope show`: the analysis library over run
 * directories, printed for a terminal or a CI log.  Results go to stdout,
 * warnings to stderr.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "bench_diff.h"
#include "compare.h"
#include "errbuf.h"
#include "json_view.h"
#include "report.h"
#include "run.h"
#include "strbuf.h"
#include "strlist.h"
#include "banned.h"

struct common_opts {
	enum report_format format;
	struct strlist sysroots;
	bool quiet;
	bool totals_only; /* not an option: what the command needs */
};

/* Handle an option shared by the commands; returns 0, or -1 if bad. */
static int common_option(struct common_opts *o, int c, const char *cmd)
{
	switch (c) {
	case 'f':
		if (report_format_parse(optarg, &o->format) < 0) {
			fprintf(stderr,
				"tbscope %s: unknown format '%s' (text, json, "
				"csv or markdown)\n",
				cmd, optarg);
			return -1;
		}
		return 0;
	case 's':
		strlist_add(&o->sysroots, optarg);
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	default:
		return -1;
	}
}

static void print_warnings(const char *label, const struct run *run)
{
	for (size_t i = 0; i < run->warnings.nr; i++)
		fprintf(stderr, "warning: %s: %s\n", label,
			run->warnings.items[i]);
	for (size_t i = 0; i < run->nr_benchmarks; i++) {
		const struct benchmark *b = &run->benchmarks[i];

		for (size_t j = 0; j < b->warnings.nr; j++)
			fprintf(stderr, "warning: %s: %s\n", label,
				b->warnings.items[j]);
	}
}

static void print_json_take(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(12));

	json_decref(j);
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
}

static int load_run(struct run *run, const char *dir,
		    const struct common_opts *o, bool symbols, const char *only)
{
	struct run_options ro = {
		.sysroots = (const char *const *)o->sysroots.items,
		.nr_sysroots = o->sysroots.nr,
		.no_symbols = !symbols,
		.only = only,
		/* one benchmark's detail: decode it (the mix, code changes) */
		.decode = symbols && only,
		.totals_only = o->totals_only,
		.threads = run_default_threads(),
	};
	struct errbuf err;

	if (run_analyze(run, dir, &ro, &err) < 0) {
		fprintf(stderr, "tbscope: %s\n", err.msg);
		return -1;
	}
	if (!o->quiet)
		print_warnings(dir, run);
	return 0;
}

/* The last path component of a run directory, for labels. */
static const char *run_label(const char *dir)
{
	size_t n = strlen(dir);
	const char *p;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (p = dir + n; p > dir && p[-1] != '/'; p--)
		;
	return p;
}

static const char compare_usage[] =
	"usage: tbscope compare [options] RUN_A RUN_B\n"
	"\n"
	"Dynamic instruction counts of every benchmark in two run "
	"directories,\n"
	"and the change from A (base) to B (new), with the geometric mean.\n"
	"\n"
	"  -f, --format FMT      text (default: the spec-compare-helper "
	"table),\n"
	"                        json, csv or markdown\n"
	"  -t, --threshold PCT   a benchmark changed when |delta %| is above "
	"PCT\n"
	"                        (csv, json, markdown; default 0: any "
	"change)\n"
	"  -b, --bench NAME      where NAME's delta comes from: objects and\n"
	"                        functions matched by name (text or json)\n"
	"  -n, --limit N         --bench: functions listed (default 20, 0 "
	"all)\n"
	"  -s, --sysroot DIR     where to find shared libraries (repeatable)\n"
	"  -q, --quiet           do not print warnings\n"
	"  -h, --help            this text\n";

/* tbscope compare A B --bench NAME */
static int compare_bench(const char *dir_a, const char *dir_b,
			 const char *bench, size_t limit,
			 const struct common_opts *o)
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

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"threshold", required_argument, NULL, 't'},
		{"bench", required_argument, NULL, 'b'},
		{"limit", required_argument, NULL, 'n'},
		{"sysroot", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct common_opts o = {.format = REPORT_TEXT};
	struct run a = RUN_INIT, b = RUN_INIT;
	struct compare cmp;
	struct strbuf out = STRBUF_INIT;
	double threshold = COMPARE_THRESHOLD_PCT;
	const char *bench = NULL;
	size_t limit = 20;
	int c, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:b:n:s:qh", longopts, NULL)) !=
	       -1) {
		if (c == 'b') {
			bench = optarg;
			continue;
		}
		if (c == 'n') {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);

			if (*end || end == optarg || optarg[0] == '-') {
				fprintf(stderr,
					"tbscope compare: bad limit '%s'\n",
					optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			limit = (size_t)v;
			continue;
		}
		if (c == 'h') {
			fputs(compare_usage, stdout);
			strlist_release(&o.sysroots);
			return 0;
		}
		if (c == 't') {
			char *end;

			threshold = strtod(optarg, &end);
			if (*end || end == optarg || threshold < 0) {
				fprintf(stderr,
					"tbscope compare: bad threshold '%s'\n",
					optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			continue;
		}
		if (common_option(&o, c, "compare") < 0) {
			fputs(compare_usage, stderr);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (argc - optind != 2) {
		fputs(compare_usage, stderr);
		ret = EXIT_USAGE;
		goto out;
	}
	if (bench) {
		ret = compare_bench(argv[optind], argv[optind + 1], bench,
				    limit, &o);
		goto out;
	}
	/* the table needs the totals only: no attribution */
	o.totals_only = true;
	if (load_run(&a, argv[optind], &o, false, NULL) < 0 ||
	    load_run(&b, argv[optind + 1], &o, false, NULL) < 0)
		goto out;
	compare_runs(&cmp, &a, &b, threshold);
	switch (o.format) {
	case REPORT_TEXT:
		report_compare_text(&out, &cmp);
		break;
	case REPORT_CSV:
		report_compare_csv(&out, &cmp);
		break;
	case REPORT_MARKDOWN:
		report_compare_markdown(&out, &cmp, run_label(argv[optind]),
					run_label(argv[optind + 1]), NULL);
		break;
	case REPORT_JSON:
		print_json_take(json_compare(&cmp, run_label(argv[optind]),
					     run_label(argv[optind + 1]),
					     false));
		break;
	}
	fputs(out.buf, stdout);
	compare_release(&cmp);
	ret = 0;
out:
	strbuf_release(&out);
	run_release(&a);
	run_release(&b);
	strlist_release(&o.sysroots);
	return ret;
}

static const char show_usage[] =
	"usage: tbscope show [options] RUN [BENCH]\n"
	"\n"
	"Per-benchmark dynamic instruction counts of a run directory, each\n"
	"split by object (the binary, libc, libm, the dynamic loader...).\n"
	"With BENCH, that benchmark alone; with --functions, its hottest\n"
	"functions.\n"
	"\n"
	"  -F, --functions       BENCH's hottest functions\n"
	"  -B, --blocks          BENCH's hottest blocks, disassembled\n"
	"  -M, --mix             BENCH's dynamic instruction mix\n"
	"      --function NAME   blocks or mix of that function only\n"
	"  -n, --limit N         at most N functions, blocks or mnemonics\n"
	"                        (default 25, 0: all)\n"
	"  -f, --format FMT      text (default), json, csv or markdown\n"
	"  -s, --sysroot DIR     where to find shared libraries (repeatable)\n"
	"  -q, --quiet           do not print warnings\n"
	"  -h, --help            this text\n";

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"functions", no_argument, NULL, 'F'},
		{"blocks", no_argument, NULL, 'B'},
		{"mix", no_argument, NULL, 'M'},
		{"function", required_argument, NULL, 'u'},
		{"limit", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'f'},
		{"sysroot", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct common_opts o = {.format = REPORT_TEXT};
	struct run run = RUN_INIT;
	struct strbuf out = STRBUF_INIT;
	const struct benchmark *b = NULL;
	bool functions = false, blocks = false, mix = false;
	const char *function = NULL;
	unsigned long limit = 25;
	const char *bench;
	long fn = -1;
	int c, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "FBMn:f:s:qh", longopts, NULL)) !=
	       -1) {
		if (c == 'B' || c == 'M' || c == 'u') {
			blocks |= c == 'B';
			mix |= c == 'M';
			if (c == 'u')
				function = optarg;
			continue;
		}
		if (c == 'h') {
			fputs(show_usage, stdout);
			strlist_release(&o.sysroots);
			return 0;
		}
		if (c == 'F') {
			functions = true;
			continue;
		}
		if (c == 'n') {
			char *end;

			limit = strtoul(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-') {
				fprintf(stderr,
					"tbscope show: bad limit '%s'\n",
					optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			continue;
		}
		if (common_option(&o, c, "show") < 0) {
			fputs(show_usage, stderr);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (argc - optind < 1 || argc - optind > 2 ||
	    ((functions || blocks || mix) && argc - optind != 2) ||
	    functions + blocks + mix > 1 || (function && !blocks && !mix)) {
		if ((functions || blocks || mix) && argc - optind == 1)
			fputs("tbscope show: --functions, --blocks and --mix "
			      "need a BENCH\n",
			      stderr);
		fputs(show_usage, stderr);
		ret = EXIT_USAGE;
		goto out;
	}
	bench = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (load_run(&run, argv[optind], &o, functions || blocks || mix,
		     bench) < 0)
		goto out;
	if (bench) {
		b = run_find_benchmark(&run, bench);
		if (!b) {
			fprintf(stderr,
				"tbscope show: no benchmark '%s' in '%s'\n",
				bench, argv[optind]);
			goto out;
		}
	}
	if (b && function) {
		for (size_t i = 0; i < b->nr_functions && fn < 0; i++)
			if (!strcmp(b->functions[i].name, function))
				fn = (long)i;
		if (fn < 0) {
			fprintf(stderr,
				"tbscope show: no function '%s' in %s\n",
				function, bench);
			goto out;
		}
	}
	if ((blocks || mix) && o.format != REPORT_TEXT &&
	    o.format != REPORT_JSON) {
		fputs("tbscope show: --blocks and --mix print text or json\n",
		      stderr);
		ret = EXIT_USAGE;
		goto out;
	}
	if (b && (blocks || mix)) {
		if (o.format == REPORT_JSON)
			print_json_take(mix ? json_mix(b, fn)
					    : json_blocks(b, fn, limit));
		else if (mix)
			report_mix_text(&out, b, fn, limit);
		else
			report_blocks_text(&out, b, fn, limit);
	} else if (o.format == REPORT_JSON) {
		print_json_take(
			b ? json_benchmark(b, functions ? limit : SIZE_MAX)
			  : json_run(&run, run_label(argv[optind])));
	} else if (b && functions) {
		if (o.format == REPORT_CSV)
			report_functions_csv(&out, b, limit);
		else
			report_functions_text(&out, b, limit);
	} else {
		struct run one = run;

		if (b) {
			/* a view of the run holding only that benchmark */
			one.benchmarks = (struct benchmark *)b;
			one.nr_benchmarks = 1;
			one.instructions = b->instructions;
		}
		if (o.format == REPORT_CSV)
			report_run_csv(&out, &one);
		else if (o.format == REPORT_MARKDOWN)
			report_run_markdown(&out, &one);
		else
			report_run_text(&out, &one);
	}
	fputs(out.buf, stdout);
	ret = 0;
out:
	strbuf_release(&out);
	run_release(&run);
	strlist_release(&o.sysroots);
	return ret;
}
