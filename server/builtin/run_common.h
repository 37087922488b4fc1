/* SPDX-License-Identifier: MIT */
/*
 * What `tbscope compare` and `tbscope show` share: their common options
 * (--format, --sysroot, --quiet), loading a run directory with its
 * warnings on stderr, and printing JSON.
 */
#ifndef SERVER_BUILTIN_RUN_COMMON_H
#define SERVER_BUILTIN_RUN_COMMON_H

#include <jansson.h>
#include <stdbool.h>

#include "parse_options.h"
#include "report.h"
#include "strlist.h"

struct run;

struct run_opts {
	enum report_format format; /* --format */
	struct strlist sysroots;   /* --sysroot, repeatable */
	bool quiet;		   /* --quiet: no warnings */
	bool totals_only;	   /* not an option: what the command needs */
};

#define RUN_OPTS_INIT                                                          \
	{                                                                      \
		.format = REPORT_TEXT, .sysroots = STRLIST_INIT                \
	}

/* OPTION_CALLBACK for --format: value is an enum report_format *. */
int format_option(const struct option_spec *opt, const char *arg,
		  struct errbuf *err);

/* The table entries of the common options, filling the run_opts *o. */
#define RUN_OPTS_FORMAT(o, h)                                                  \
	OPT_CALLBACK('f', "format", "FMT", (h), &(o)->format, format_option)
#define RUN_OPTS_SYSROOT(o)                                                    \
	OPT_STRLIST('s', "sysroot", "DIR",                                     \
		    "where to find shared libraries (repeatable)",             \
		    &(o)->sysroots)
#define RUN_OPTS_QUIET(o)                                                      \
	OPT_BOOL('q', "quiet", "do not print warnings", &(o)->quiet)

void run_opts_release(struct run_opts *o);

/*
 * Analyse the run directory dir into *run, with function attribution if
 * symbols, only benchmark only if not NULL (then also decoded).  Prints
 * the run's warnings on stderr unless o->quiet.  Returns 0, or -1 after
 * printing the error ("tbscope: cannot open run directory 'x'...").
 */
int load_run(struct run *run, const char *dir, const struct run_opts *o,
	     bool symbols, const char *only);

/* The last path component of a run directory, for labels (borrowed). */
const char *run_label(const char *dir);

/* Print j as indented JSON on stdout and drop the reference to it. */
void print_json_take(json_t *j);

#endif
