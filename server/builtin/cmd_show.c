/* SPDX-License-Identifier: MIT */
/*
 * `tbscope show`: the totals of one run directory, split by object, or
 * one benchmark's functions, blocks or instruction mix.  Results go to
 * stdout, warnings to stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "errbuf.h"
#include "json_view.h"
#include "rate.h"
#include "run.h"
#include "run_common.h"
#include "strbuf.h"
#include "banned.h"

static const char show_usage[] =
	"usage: tbscope show [options] RUN [BENCH]\n"
	"\n"
	"Per-benchmark dynamic instruction counts of a run directory, each\n"
	"split by object (the binary, libc, libm, the dynamic loader...).\n"
	"With BENCH, that benchmark alone; with --functions, its hottest\n"
	"functions (without BENCH: every benchmark's); with --rate, its\n"
	"instruction-rate timeline.\n";

/*
 * `show RUN --functions`: every benchmark's hottest functions, one
 * benchmark after the other (CSV: a leading benchmark column; JSON: the
 * benchmarks' views in an array).
 */
static void show_all_functions(struct strbuf *out, const struct run *run,
			       enum report_format format, uint64_t limit)
{
	json_t *a = format == REPORT_JSON ? json_array() : NULL;

	for (size_t i = 0; i < run->nr_benchmarks; i++) {
		const struct benchmark *b = &run->benchmarks[i];
		struct strbuf one = STRBUF_INIT;
		const char *line, *next;

		if (a) {
			json_array_append_new(a, json_benchmark(b, limit));
			continue;
		}
		if (format != REPORT_CSV) {
			if (i)
				strbuf_addch(out, '\n');
			report_functions_text(out, b, limit);
			continue;
		}
		report_functions_csv(&one, b, limit);
		line = one.buf;
		for (bool head = true; *line; line = next, head = false) {
			next = strchr(line, '\n');
			next = next ? next + 1 : line + strlen(line);
			if (head && i)
				continue;
			if (head)
				strbuf_adds(out, "benchmark,");
			else if (strpbrk(b->name, ",\"\n"))
				strbuf_addf(out, "\"%s\",", b->name);
			else
				strbuf_addf(out, "%s,", b->name);
			strbuf_add(out, line, (size_t)(next - line));
		}
		strbuf_release(&one);
	}
	if (a)
		print_json_take(json_pack("{s:o}", "benchmarks", a));
}

/*
 * The function `name` of b (in `object` when given), or -1 with the
 * reason on stderr: none, or a name several objects have ("[.text]" of
 * libc.so.6 and of the dynamic loader), which names their objects.
 */
static long find_function(const struct benchmark *b, const char *name,
			  const char *object)
{
	struct strbuf objs = STRBUF_INIT;
	long fn = -1;
	size_t nr = 0;

	for (size_t i = 0; i < b->nr_functions; i++) {
		const char *o = b->objects[b->functions[i].object].name;

		if (strcmp(b->functions[i].name, name) ||
		    (object && strcmp(o, object)))
			continue;
		if (fn < 0)
			fn = (long)i;
		strbuf_addf(&objs, "%s%s", nr++ ? ", " : "", o);
	}
	if (nr > 1)
		fprintf(stderr,
			"tbscope show: '%s' is in %zu objects of %s (%s): "
			"pick one with --object\n",
			name, nr, b->name, objs.buf);
	else if (!nr)
		fprintf(stderr, "tbscope show: no function '%s'%s%s in %s\n",
			name, object ? " in " : "", object ? object : "",
			b->name);
	strbuf_release(&objs);
	return nr == 1 ? fn : -1;
}

/* tbscope show --rate RUN BENCH: the benchmark's rate timelines. */
static int show_rate(int argc, char **argv, struct run_opts *o)
{
	struct run run = RUN_INIT;
	struct strbuf out = STRBUF_INIT;
	int ret = 1;

	if (argc != 2 ||
	    (o->format != REPORT_TEXT && o->format != REPORT_JSON)) {
		fputs(argc != 2 ? "tbscope show: --rate needs a RUN and a "
				  "BENCH\n"
				: "tbscope show: --rate prints text or json\n",
		      stderr);
		return EXIT_USAGE;
	}
	o->totals_only = true; /* the timeline needs no attribution */
	if (load_run(&run, argv[0], o, false, argv[1]) < 0)
		goto out;
	if (!run.nr_benchmarks) {
		fprintf(stderr, "tbscope show: no benchmark '%s' in '%s'\n",
			argv[1], argv[0]);
		goto out;
	}
	if (o->format == REPORT_JSON) {
		json_t *j = json_rate(&run.benchmarks[0]);

		json_object_set_new(j, "run", json_string(run_label(argv[0])));
		print_json_take(j);
	} else {
		report_rate_text(&out, &run.benchmarks[0]);
		fputs(out.buf, stdout);
	}
	ret = 0;
out:
	strbuf_release(&out);
	run_release(&run);
	return ret;
}

int cmd_show(int argc, char **argv)
{
	struct run_opts o = RUN_OPTS_INIT;
	bool functions = false, blocks = false, mix = false, help = false;
	bool rate = false;
	const char *function = NULL, *object = NULL;
	uint64_t limit = 25;
	const struct option_spec opts[] = {
		OPT_BOOL('F', "functions", "BENCH's hottest functions",
			 &functions),
		OPT_BOOL('B', "blocks", "BENCH's hottest blocks, disassembled",
			 &blocks),
		OPT_BOOL('M', "mix", "BENCH's dynamic instruction mix", &mix),
		OPT_BOOL(0, "rate",
			 "BENCH's instruction-rate timeline per invocation\n"
			 "(recorded with `tbscope record --rate MS`)",
			 &rate),
		OPT_STRING(0, "function", "NAME",
			   "blocks or mix of that function only", &function),
		OPT_STRING(0, "object", "NAME",
			   "--function's object, where several have one\n"
			   "of that name ([.text])",
			   &object),
		OPT_COUNT('n', "limit", "N",
			  "at most N functions, blocks or mnemonics\n"
			  "(default 25, 0: all)",
			  &limit, 0, SIZE_MAX),
		RUN_OPTS_FORMAT(&o, "text (default), json, csv or markdown"),
		RUN_OPTS_SYSROOT(&o),
		RUN_OPTS_QUIET(&o),
		OPT_HELP('h', &help),
		OPT_END(),
	};
	struct run run = RUN_INIT;
	struct strbuf out = STRBUF_INIT;
	const struct benchmark *b = NULL;
	struct errbuf err;
	const char *bench;
	long fn = -1;
	int first, ret = 1;

	first = parse_options(argc, argv, opts, &err);
	if (first < 0) {
		ret = usage_error("show", show_usage, opts, &err);
		goto out;
	}
	if (help) {
		usage_with_options(stdout, show_usage, opts);
		ret = 0;
		goto out;
	}
	if (rate) {
		if (functions || blocks || mix || function) {
			fputs("tbscope show: --rate goes without --functions, "
			      "--blocks, --mix and --function\n",
			      stderr);
			ret = EXIT_USAGE;
		} else {
			ret = show_rate(argc - first, argv + first, &o);
		}
		goto out;
	}
	if (argc - first < 1 || argc - first > 2 ||
	    ((blocks || mix) && argc - first != 2) ||
	    functions + blocks + mix > 1 || (function && !blocks && !mix) ||
	    (object && !function)) {
		if ((blocks || mix) && argc - first == 1)
			fputs("tbscope show: --blocks and --mix need a BENCH\n",
			      stderr);
		usage_with_options(stderr, show_usage, opts);
		ret = EXIT_USAGE;
		goto out;
	}
	bench = argc - first == 2 ? argv[first + 1] : NULL;
	if (load_run(&run, argv[first], &o, functions || blocks || mix, bench) <
	    0)
		goto out;
	if (bench) {
		b = run_find_benchmark(&run, bench);
		if (!b) {
			fprintf(stderr,
				"tbscope show: no benchmark '%s' in '%s'\n",
				bench, argv[first]);
			goto out;
		}
	}
	if (b && function && (fn = find_function(b, function, object)) < 0)
		goto out;
	if ((blocks || mix) && o.format != REPORT_TEXT &&
	    o.format != REPORT_JSON) {
		fputs("tbscope show: --blocks and --mix print text or json\n",
		      stderr);
		ret = EXIT_USAGE;
		goto out;
	}
	if (b && (blocks || mix)) {
		if (o.format == REPORT_JSON)
			print_json_take(mix ? json_mix_limit(b, fn, limit)
					    : json_blocks(b, fn, limit));
		else if (mix)
			report_mix_text(&out, b, fn, limit);
		else
			report_blocks_text(&out, b, fn, limit);
	} else if (functions && !b) {
		show_all_functions(&out, &run, o.format, limit);
	} else if (o.format == REPORT_JSON) {
		print_json_take(
			b ? json_benchmark(b, functions ? limit : SIZE_MAX)
			  : json_run(&run, run_label(argv[first])));
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
	run_opts_release(&o);
	return ret;
}
