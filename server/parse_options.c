/* SPDX-License-Identifier: MIT */
#include "parse_options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "parse_value.h"
#include "strbuf.h"
#include "strlist.h"
#include "xalloc.h"
#include "banned.h"

/*
 * getopt_long() returns a long option's val and a short option's letter;
 * giving every long option the val LONG_VAL + its index (rather than its
 * letter) tells the two apart, which the error messages need.
 */
#define LONG_VAL 256

/* Help text starts at most here; a longer "--option ARG" gets its own line */
#define HELP_COLUMN_MAX 30

static size_t count_options(const struct option_spec *opts)
{
	size_t n = 0;

	while (opts[n].kind != OPTION_END)
		n++;
	return n;
}

static int apply(const struct option_spec *o, const char *arg,
		 struct errbuf *err)
{
	uint64_t v;
	int rc = 0;

	switch (o->kind) {
	case OPTION_HELP:
	case OPTION_BOOL:
		*(bool *)o->value = true;
		break;
	case OPTION_STRING:
		*(const char **)o->value = arg;
		break;
	case OPTION_STRDUP:
		free(*(char **)o->value);
		*(char **)o->value = xstrdup(arg);
		break;
	case OPTION_STRLIST:
		strlist_add(o->value, arg);
		break;
	case OPTION_COUNT:
		rc = parse_count(arg, o->min, o->max, o->value, err);
		break;
	case OPTION_UINT:
		BUG_ON(o->max > (unsigned)-1);
		rc = parse_count(arg, o->min, o->max, &v, err);
		if (!rc)
			*(unsigned *)o->value = (unsigned)v;
		break;
	case OPTION_SIZE:
		rc = parse_size(arg, o->min, o->max, o->value, err);
		break;
	case OPTION_PERCENT:
		rc = parse_percent(arg, o->value, err);
		break;
	case OPTION_CALLBACK:
		rc = o->callback(o, arg, err);
		break;
	case OPTION_END:
		BUG_ON(1);
	}
	if (rc < 0) {
		struct strbuf name = STRBUF_INIT;

		strbuf_addf(&name, "--%s", o->long_name);
		errbuf_prefix(err, name.buf);
		strbuf_release(&name);
		return -1;
	}
	return 0;
}

/* "--fo" matching --format and --foo is ambiguous, not unknown. */
static bool ambiguous(const struct option_spec *opts, const char *arg)
{
	size_t len, matches = 0;

	if (strncmp(arg, "--", 2))
		return false;
	arg += 2;
	len = strcspn(arg, "=");
	for (; opts->kind != OPTION_END; opts++) {
		if (strlen(opts->long_name) == len &&
		    !strncmp(opts->long_name, arg, len))
			return false; /* an exact match is never ambiguous */
		matches += !strncmp(opts->long_name, arg, len);
	}
	return matches > 1;
}

static int getopt_error(int c, char **argv, const struct option_spec *opts,
			struct errbuf *err)
{
	const char *arg = argv[optind - 1];

	if (c == ':' && optopt >= LONG_VAL)
		return errbuf_set(err, "option '--%s' needs a value",
				  opts[optopt - LONG_VAL].long_name);
	if (c == ':')
		return errbuf_set(err, "option '-%c' needs a value", optopt);
	if (optopt >= LONG_VAL)
		return errbuf_set(err, "option '--%s' takes no value",
				  opts[optopt - LONG_VAL].long_name);
	if (optopt)
		return errbuf_set(err, "unknown option '-%c'", optopt);
	if (ambiguous(opts, arg))
		return errbuf_set(err, "ambiguous option '%s'", arg);
	return errbuf_set(err, "unknown option '%s'", arg);
}

static int parse(int argc, char **argv, const struct option_spec *opts,
		 bool in_order, struct errbuf *err)
{
	size_t n = count_options(opts);
	struct option *longopts = xcalloc(n + 1, sizeof(*longopts));
	struct strbuf shortopts = STRBUF_INIT;
	int c, ret = -1;

	/* '+': stop at the first operand instead of permuting argv */
	if (in_order)
		strbuf_addch(&shortopts, '+');
	/* ':' next: a missing value is ':', apart from an unknown '?' */
	strbuf_addch(&shortopts, ':');
	for (size_t i = 0; i < n; i++) {
		const struct option_spec *o = &opts[i];

		BUG_ON(!o->long_name || o->short_name >= LONG_VAL);
		longopts[i].name = o->long_name;
		longopts[i].has_arg =
			o->arg_name ? required_argument : no_argument;
		longopts[i].val = LONG_VAL + (int)i;
		if (o->short_name) {
			strbuf_addch(&shortopts, (char)o->short_name);
			if (o->arg_name)
				strbuf_addch(&shortopts, ':');
		}
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts.buf, longopts, NULL)) !=
	       -1) {
		const struct option_spec *o = NULL;

		if (c >= LONG_VAL) {
			o = &opts[c - LONG_VAL];
		} else {
			for (size_t i = 0; i < n && !o; i++)
				if (opts[i].short_name == c)
					o = &opts[i];
		}
		if (!o) {
			getopt_error(c, argv, opts, err);
			goto out;
		}
		if (apply(o, o->arg_name ? optarg : NULL, err) < 0)
			goto out;
		if (o->kind == OPTION_HELP)
			break;
	}
	ret = optind;
out:
	free(longopts);
	strbuf_release(&shortopts);
	return ret;
}

int parse_options(int argc, char **argv, const struct option_spec *opts,
		  struct errbuf *err)
{
	return parse(argc, argv, opts, false, err);
}

int parse_options_in_order(int argc, char **argv,
			   const struct option_spec *opts, struct errbuf *err)
{
	return parse(argc, argv, opts, true, err);
}

/* "  -f, --format FMT": what the help column is aligned after. */
static void option_names(struct strbuf *sb, const struct option_spec *o,
			 bool short_column)
{
	strbuf_reset(sb);
	if (o->short_name)
		strbuf_addf(sb, "  -%c, ", o->short_name);
	else
		strbuf_adds(sb, short_column ? "      " : "  ");
	strbuf_addf(sb, "--%s", o->long_name);
	if (o->arg_name)
		strbuf_addf(sb, " %s", o->arg_name);
}

void usage_with_options(FILE *f, const char *usage,
			const struct option_spec *opts)
{
	struct strbuf names = STRBUF_INIT;
	bool short_column = false;
	size_t column = 0;

	/* a column of short names, unless only -h would fill it */
	for (const struct option_spec *o = opts; o->kind != OPTION_END; o++)
		short_column |= o->short_name && o->kind != OPTION_HELP;
	for (const struct option_spec *o = opts; o->kind != OPTION_END; o++) {
		option_names(&names, o, short_column);
		if (names.len + 2 <= HELP_COLUMN_MAX && names.len + 2 > column)
			column = names.len + 2;
	}
	fputs(usage, f);
	fputc('\n', f);
	for (const struct option_spec *o = opts; o->kind != OPTION_END; o++) {
		const char *line = o->help;

		option_names(&names, o, short_column);
		fputs(names.buf, f);
		if (names.len + 2 > column)
			fprintf(f, "\n%*s", (int)column, "");
		else
			fprintf(f, "%*s", (int)(column - names.len), "");
		for (;;) {
			size_t len = strcspn(line, "\n");

			fprintf(f, "%.*s\n", (int)len, line);
			if (!line[len])
				break;
			line += len + 1;
			fprintf(f, "%*s", (int)column, "");
		}
	}
	strbuf_release(&names);
}
