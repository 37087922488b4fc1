/* SPDX-License-Identifier: MIT */
/*
 * parse_options: one table per command describes its options, and that
 * table drives both the parsing (the getopt_long() option array and the
 * short-options string are generated from it) and the --help text, so an
 * option cannot be accepted without being documented or documented
 * without being accepted.  A small cousin of git's parse-options.
 *
 * A table is an array of struct option_spec ended by OPT_END(), usually
 * a local array in the command whose entries point at the variables they
 * fill (the OPT_* macros check the target's type at compile time):
 *
 *	bool quiet = false;
 *	uint64_t limit = 20;
 *	const struct option_spec opts[] = {
 *		OPT_COUNT('n', "limit", "N", "functions listed (default 20)",
 *			  &limit, 0, SIZE_MAX),
 *		OPT_BOOL('q', "quiet", "do not print warnings", &quiet),
 *		OPT_HELP('h', &help),
 *		OPT_END(),
 *	};
 *
 * Numbers go through the parse_value.h validators, so every command
 * accepts the same syntax and names the option in its error messages.
 */
#ifndef SERVER_PARSE_OPTIONS_H
#define SERVER_PARSE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct errbuf;
struct strlist;

enum option_kind {
	OPTION_END,	 /* ends the table */
	OPTION_HELP,	 /* bool *: set; parsing stops there */
	OPTION_BOOL,	 /* bool *: set to true */
	OPTION_STRING,	 /* const char **: borrowed from argv; last wins */
	OPTION_STRDUP,	 /* char **: a copy (the old value is freed) */
	OPTION_STRLIST,	 /* struct strlist *: appended (repeatable) */
	OPTION_COUNT,	 /* uint64_t *: parse_count() in [min, max] */
	OPTION_UINT,	 /* unsigned *: parse_count() in [min, max] */
	OPTION_SIZE,	 /* uint64_t *: parse_size() in [min, max] */
	OPTION_PERCENT,	 /* double *: parse_percent() */
	OPTION_CALLBACK, /* callback(opt, arg, err) with opt->value */
};

struct option_spec {
	int short_name;	       /* 'f' for -f, or 0: long only */
	const char *long_name; /* "format" for --format; NULL only at the end */
	const char *arg_name;  /* "FMT" in --help; NULL: takes no value */
	const char *help;      /* one line, or lines separated by '\n' */
	enum option_kind kind;
	void *value;	   /* what the option sets, typed by kind */
	uint64_t min, max; /* OPTION_COUNT, OPTION_UINT, OPTION_SIZE */
	/*
	 * OPTION_CALLBACK: store arg (NULL for an option without a value)
	 * through opt->value; return 0, or -1 with a message in *err, which
	 * parse_options() prefixes with the option's name.
	 */
	int (*callback)(const struct option_spec *opt, const char *arg,
			struct errbuf *err);
};

/* A compile-time check that v points to a T, as a void pointer. */
#define OPTION_TARGET(T, v) ((void *)(1 ? (v) : (T *)0))

#define OPT_END()                                                              \
	{                                                                      \
		0, NULL, NULL, NULL, OPTION_END, NULL, 0, 0, NULL              \
	}
#define OPT_HELP(s, v)                                                         \
	{                                                                      \
		(s), "help", NULL, "this text", OPTION_HELP,                   \
			OPTION_TARGET(bool, v), 0, 0, NULL                     \
	}
#define OPT_BOOL(s, l, h, v)                                                   \
	{                                                                      \
		(s), (l), NULL, (h), OPTION_BOOL, OPTION_TARGET(bool, v), 0,   \
			0, NULL                                                \
	}
#define OPT_STRING(s, l, a, h, v)                                              \
	{                                                                      \
		(s), (l), (a), (h), OPTION_STRING,                             \
			OPTION_TARGET(const char *, v), 0, 0, NULL             \
	}
#define OPT_STRDUP(s, l, a, h, v)                                              \
	{                                                                      \
		(s), (l), (a), (h), OPTION_STRDUP, OPTION_TARGET(char *, v),   \
			0, 0, NULL                                             \
	}
#define OPT_STRLIST(s, l, a, h, v)                                             \
	{                                                                      \
		(s), (l), (a), (h), OPTION_STRLIST,                            \
			OPTION_TARGET(struct strlist, v), 0, 0, NULL           \
	}
#define OPT_COUNT(s, l, a, h, v, lo, hi)                                       \
	{                                                                      \
		(s), (l), (a), (h), OPTION_COUNT, OPTION_TARGET(uint64_t, v),  \
			(lo), (hi), NULL                                       \
	}
#define OPT_UINT(s, l, a, h, v, lo, hi)                                        \
	{                                                                      \
		(s), (l), (a), (h), OPTION_UINT, OPTION_TARGET(unsigned, v),   \
			(lo), (hi), NULL                                       \
	}
#define OPT_SIZE(s, l, a, h, v, lo, hi)                                        \
	{                                                                      \
		(s), (l), (a), (h), OPTION_SIZE, OPTION_TARGET(uint64_t, v),   \
			(lo), (hi), NULL                                       \
	}
#define OPT_PERCENT(s, l, a, h, v)                                             \
	{                                                                      \
		(s), (l), (a), (h), OPTION_PERCENT, OPTION_TARGET(double, v),  \
			0, 0, NULL                                             \
	}
#define OPT_CALLBACK(s, l, a, h, v, cb)                                        \
	{                                                                      \
		(s), (l), (a), (h), OPTION_CALLBACK, (v), 0, 0, (cb)           \
	}

/*
 * Parse the options in argv[1..argc) (argv[0] is the command's name)
 * with getopt_long() against opts, storing each value as it is met.
 * Long options may be abbreviated to a unique prefix, and options may
 * come after operands: getopt_long() permutes argv so that the operands
 * come last.  An OPTION_HELP option stops the parsing at once.
 *
 * Returns the index in argv of the first operand (argc when there is
 * none), or -1 with a message in *err that names the option:
 * "unknown option '--frob'", "option '--threads' needs a value",
 * "--threads: expected a count from 1 to 256, got '0'".  Targets set
 * before the error keep their new values (OPTION_STRDUP and
 * OPTION_STRLIST ones are the caller's to release either way).
 * Not reentrant: getopt_long() keeps its state in globals.
 */
int parse_options(int argc, char **argv, const struct option_spec *opts,
		  struct errbuf *err);

/*
 * The same, but options end at the first operand and argv is not
 * permuted: for commands that run another program, whose own options
 * follow its name (tbscope record -- PROG -x).
 */
int parse_options_in_order(int argc, char **argv,
			   const struct option_spec *opts, struct errbuf *err);

/*
 * Print usage (the synopsis and description, ending in '\n'), a blank
 * line and one entry per option of opts: "  -f, --format FMT" then its
 * help, every help line starting in the same column.
 */
void usage_with_options(FILE *f, const char *usage,
			const struct option_spec *opts);

#endif
