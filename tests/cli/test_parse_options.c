/* SPDX-License-Identifier: MIT */
/*
 * parse_value and parse_options: the number checks shared by the command
 * line and the HTTP API, and the option tables.  Expected values and
 * messages are written by hand from the rules in the headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "errbuf.h"
#include "parse_options.h"
#include "parse_value.h"
#include "strlist.h"

static void count_ok(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	struct errbuf err;
	uint64_t v = 12345;

	assert_int_equal(parse_count(s, min, max, &v, &err), 0);
	assert_true(v == want);
}

static void count_bad(const char *s, uint64_t min, uint64_t max,
		      const char *msg)
{
	struct errbuf err;
	uint64_t v = 12345;

	assert_int_equal(parse_count(s, min, max, &v, &err), -1);
	assert_string_equal(err.msg, msg);
	assert_true(v == 12345); /* untouched */
}

static void counts(void **state)
{
	count_ok("1", 1, 256, 1);
	count_ok("256", 1, 256, 256);
	count_ok("0", 0, 1000, 0);
	count_ok("007", 0, 1000, 7);
	/* what strtoull() takes before the digits is still taken */
	count_ok("+5", 0, 10, 5);
	count_ok(" 5", 0, 10, 5);
	count_ok("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
	count_bad("0", 1, 256, "expected a count from 1 to 256, got '0'");
	count_bad("257", 1, 256, "expected a count from 1 to 256, got '257'");
	count_bad("", 1, 256, "expected a count from 1 to 256, got ''");
	count_bad("-1", 0, UINT64_MAX, "expected a count >= 0, got '-1'");
	/* strtoull() would wrap these to 2^64 - 5 */
	count_bad(" -5", 0, UINT64_MAX, "expected a count >= 0, got ' -5'");
	count_bad("-0", 0, 10, "expected a count from 0 to 10, got '-0'");
	count_bad("18446744073709551616", 0, UINT64_MAX,
		  "expected a count >= 0, got '18446744073709551616'");
	count_bad("1K", 1, UINT64_MAX, "expected a count >= 1, got '1K'");
	count_bad("5 ", 0, 10, "expected a count from 0 to 10, got '5 '");
	count_bad("0x10", 0, 100, "expected a count from 0 to 100, got '0x10'");
	count_bad("1.0", 0, 100, "expected a count from 0 to 100, got '1.0'");
	/* a signed target's bound is no real bound either */
	count_bad("0", 1, INT64_MAX, "expected a count >= 1, got '0'");
}

static void sizes(void **state)
{
	struct errbuf err;
	uint64_t v = 0;

	assert_int_equal(parse_size("1073741824", 1, UINT64_MAX, &v, &err), 0);
	assert_true(v == 1073741824u);
	assert_int_equal(parse_size("1G", 1, UINT64_MAX, &v, &err), -1);
	assert_string_equal(err.msg, "expected a size in bytes >= 1, got '1G'");
	assert_int_equal(parse_size("2048", 1, 1024, &v, &err), -1);
	assert_string_equal(err.msg, "expected a size in bytes from 1 to "
				     "1024, got '2048'");
	/* err may be NULL */
	assert_int_equal(parse_size("x", 1, 1024, &v, NULL), -1);
}

static void percentages(void **state)
{
	static const char *const bad[] = {"",	 "x",	 "-1", "-0.5", "nan",
					  "inf", "-inf", "1%", "1e999"};
	struct errbuf err;
	double v = 7;

	assert_int_equal(parse_percent("0.01", &v, &err), 0);
	assert_true(v == 0.01);
	assert_int_equal(parse_percent("0", &v, &err), 0);
	assert_true(v == 0);
	assert_int_equal(parse_percent("250", &v, &err), 0);
	assert_true(v == 250);
	assert_int_equal(parse_percent("1e-3", &v, &err), 0);
	assert_true(v == 0.001);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		v = 7;
		assert_int_equal(parse_percent(bad[i], &v, &err), -1);
		snprintf(want, sizeof(want),
			 "expected a percentage >= 0, got '%s'", bad[i]);
		assert_string_equal(err.msg, want);
		assert_true(v == 7);
	}
}

/* A table with every kind, and the variables it fills. */
struct fixture {
	bool quiet, help;
	const char *name;
	char *dup;
	struct strlist list;
	uint64_t count, size;
	unsigned threads;
	double pct;
	int calls;
};

static int count_calls(const struct option_spec *opt, const char *arg,
		       struct errbuf *err)
{
	struct fixture *f = opt->value;

	if (arg && !strcmp(arg, "bad"))
		return errbuf_set(err, "not '%s'", arg);
	f->calls++;
	return 0;
}

#define FIXTURE_OPTIONS(f)                                                     \
	{                                                                      \
		OPT_BOOL('q', "quiet", "say less", &(f)->quiet),               \
			OPT_STRING('n', "name", "NAME", "a name", &(f)->name), \
			OPT_STRDUP(0, "dup", "S", "a copy", &(f)->dup),        \
			OPT_STRLIST('s', "sysroot", "DIR",                     \
				    "repeatable\nsecond line", &(f)->list),    \
			OPT_COUNT('c', "count", "N", "0-10", &(f)->count, 0,   \
				  10),                                         \
			OPT_SIZE(0, "max-size", "BYTES", "bytes", &(f)->size,  \
				 1, UINT64_MAX),                               \
			OPT_UINT(0, "threads", "N", "1-256", &(f)->threads, 1, \
				 256),                                         \
			OPT_PERCENT('t', "threshold", "PCT", "percent",        \
				    &(f)->pct),                                \
			OPT_CALLBACK(0, "call", "V", "a callback", (f),        \
				     count_calls),                             \
			OPT_CALLBACK(0, "sysroot-flag", NULL, "prefix twin",   \
				     (f), count_calls),                        \
			OPT_HELP('h', &(f)->help), OPT_END(),                  \
	}

static int parse(struct fixture *f, const char **argv, struct errbuf *err)
{
	const struct option_spec opts[] = FIXTURE_OPTIONS(f);
	int argc = 0;

	while (argv[argc])
		argc++;
	return parse_options(argc, (char **)argv, opts, err);
}

static void fixture_release(struct fixture *f)
{
	free(f->dup);
	strlist_release(&f->list);
}

static void options_fill_their_targets(void **state)
{
	const char *argv[] = {"cmd",   "A",	     "-q",	    "--name=x",
			      "--dup", "d1",	     "--dup",	    "d2",
			      "-s",    "r1",	     "--sysroot",   "r2",
			      "-c10",  "--max-size", "4096",	    "--threads",
			      "256",   "-t",	     "0.5",	    "--call",
			      "v",     "B",	     "--sysroot-f", NULL};
	struct fixture f = {0};
	struct errbuf err;
	int first;

	first = parse(&f, argv, &err);
	/* the operands are moved to the end, in their order */
	assert_int_equal(first, 21);
	assert_string_equal(argv[21], "A");
	assert_string_equal(argv[22], "B");
	assert_true(f.quiet);
	assert_false(f.help);
	assert_string_equal(f.name, "x");
	assert_string_equal(f.dup, "d2");
	assert_int_equal(f.list.nr, 2);
	assert_string_equal(f.list.items[0], "r1");
	assert_string_equal(f.list.items[1], "r2");
	assert_true(f.count == 10);
	assert_true(f.size == 4096);
	assert_int_equal(f.threads, 256);
	assert_true(f.pct == 0.5);
	assert_int_equal(f.calls, 2);
	fixture_release(&f);
}

static void check_error(const char **argv, const char *msg)
{
	struct fixture f = {0};
	struct errbuf err;

	assert_int_equal(parse(&f, argv, &err), -1);
	assert_string_equal(err.msg, msg);
	fixture_release(&f);
}

static void errors_name_the_option(void **state)
{
	check_error((const char *[]){"cmd", "--frob", NULL},
		    "unknown option '--frob'");
	check_error((const char *[]){"cmd", "-x", NULL}, "unknown option '-x'");
	check_error((const char *[]){"cmd", "-qx", NULL},
		    "unknown option '-x'");
	check_error((const char *[]){"cmd", "--count", NULL},
		    "option '--count' needs a value");
	check_error((const char *[]){"cmd", "-c", NULL},
		    "option '-c' needs a value");
	check_error((const char *[]){"cmd", "--quiet=1", NULL},
		    "option '--quiet' takes no value");
	/* --sys could be --sysroot or --sysroot-flag */
	check_error((const char *[]){"cmd", "--sys", "x", NULL},
		    "ambiguous option '--sys'");
	check_error((const char *[]){"cmd", "-c", "11", NULL},
		    "--count: expected a count from 0 to 10, got '11'");
	check_error((const char *[]){"cmd", "--threads", "0", NULL},
		    "--threads: expected a count from 1 to 256, got '0'");
	check_error((const char *[]){"cmd", "--max-size", "1M", NULL},
		    "--max-size: expected a size in bytes >= 1, got '1M'");
	check_error((const char *[]){"cmd", "-t", "nan", NULL},
		    "--threshold: expected a percentage >= 0, got 'nan'");
	check_error((const char *[]){"cmd", "--call", "bad", NULL},
		    "--call: not 'bad'");
}

static void help_stops_parsing(void **state)
{
	const char *argv[] = {"cmd", "-q", "--help", "--frob",
			      "-c",  "99", NULL};
	struct fixture f = {0};
	struct errbuf err;

	assert_int_equal(parse(&f, argv, &err), 3);
	assert_true(f.help);
	assert_true(f.quiet);
	fixture_release(&f);
}

static void help_text_is_aligned(void **state)
{
	struct fixture f = {0};
	const struct option_spec opts[] = FIXTURE_OPTIONS(&f);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	usage_with_options(mem, "usage: cmd [options]\n", opts);
	fclose(mem);
	assert_string_equal(text, "usage: cmd [options]\n"
				  "\n"
				  "  -q, --quiet           say less\n"
				  "  -n, --name NAME       a name\n"
				  "      --dup S           a copy\n"
				  "  -s, --sysroot DIR     repeatable\n"
				  "                        second line\n"
				  "  -c, --count N         0-10\n"
				  "      --max-size BYTES  bytes\n"
				  "      --threads N       1-256\n"
				  "  -t, --threshold PCT   percent\n"
				  "      --call V          a callback\n"
				  "      --sysroot-flag    prefix twin\n"
				  "  -h, --help            this text\n");
	free(text);
}

/* A name too long for the column gets its help on the next line. */
static void long_names_wrap(void **state)
{
	bool b = false, help = false;
	const struct option_spec opts[] = {
		OPT_BOOL(0, "short", "fits", &b),
		OPT_BOOL(0, "a-name-longer-than-the-column", "wraps", &b),
		OPT_HELP(0, &help),
		OPT_END(),
	};
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	usage_with_options(mem, "usage: x\n", opts);
	fclose(mem);
	assert_string_equal(text, "usage: x\n"
				  "\n"
				  "  --short  fits\n"
				  "  --a-name-longer-than-the-column\n"
				  "           wraps\n"
				  "  --help   this text\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts),
		cmocka_unit_test(sizes),
		cmocka_unit_test(percentages),
		cmocka_unit_test(options_fill_their_targets),
		cmocka_unit_test(errors_name_the_option),
		cmocka_unit_test(help_stops_parsing),
		cmocka_unit_test(help_text_is_aligned),
		cmocka_unit_test(long_names_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
