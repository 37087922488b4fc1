/* SPDX-License-Identifier: MIT */
#include "run_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "run.h"
#include "banned.h"

int format_option(const struct option_spec *opt, const char *arg,
		  struct errbuf *err)
{
	if (report_format_parse(arg, opt->value) < 0)
		return errbuf_set(err,
				  "expected text, table, json, csv or "
				  "markdown, got '%s'",
				  arg);
	return 0;
}

void run_opts_release(struct run_opts *o)
{
	strlist_release(&o->sysroots);
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

void print_json_take(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(12));

	json_decref(j);
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
}

int load_run(struct run *run, const char *dir, const struct run_opts *o,
	     bool symbols, const char *only)
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

const char *run_label(const char *dir)
{
	size_t n = strlen(dir);
	const char *p;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (p = dir + n; p > dir && p[-1] != '/'; p--)
		;
	return p;
}
