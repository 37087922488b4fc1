/* SPDX-License-Identifier: MIT */
/*
 * The rate timeline: the .rate parser (file:line for malformed lines), a
 * run's timelines found beside their .qemu_out, stored in the index and
 * loaded back, and their JSON.  The expected figures are the literal
 * numbers written into the test files.
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
#include "index.h"
#include "rate.h"
#include "run.h"
#include "strbuf.h"
#include "testutil.h"

static const char plugin_rate[] =
	"# tbscope_plugin prefix=/b/phases,suffix=none,rate=100\n"
	"# plugin api 1, target riscv64, interval 100 ms, qemu /usr/bin/q\n"
	"time: 100000000, dur: 100000000, count: 5000\n"
	"time: 200000000, dur: 100000000, count: 100, cpu0: 60, cpu1: 40\n"
	"time: 250000000, dur: 50000000, count: 7\n";

static void parses_the_plugin_lines(void **state)
{
	struct rate_file r = RATE_FILE_INIT;

	rate_parse_buf(&r, "p.rate", plugin_rate, strlen(plugin_rate));
	assert_int_equal(r.malformed, 0);
	assert_int_equal(r.warnings.nr, 0);
	assert_int_equal(r.interval_ms, 100);
	assert_int_equal(r.intervals, 3);
	assert_int_equal(r.total, 5107);
	assert_int_equal(r.nr, 5); /* 3 totals + 2 vCPU columns */
	assert_int_equal(r.samples[0].cpu, 0);
	assert_int_equal(r.samples[0].count, 5000);
	assert_int_equal(r.samples[1].time_ns, 200000000);
	assert_int_equal(r.samples[2].cpu, 1);
	assert_int_equal(r.samples[2].count, 60);
	assert_int_equal(r.samples[3].cpu, 2);
	assert_int_equal(r.samples[3].count, 40);
	assert_int_equal(r.samples[4].dur_ns, 50000000);
	assert_int_equal(r.samples[4].count, 7);
	rate_file_release(&r);
}

static void malformed_lines_name_file_and_line(void **state)
{
	static const char text[] =
		"time: 100, dur: 100, count: 1\n"
		"time: x, dur: 1, count: 2\n"		   /* 2 */
		"\n"					   /* blank: fine */
		"time: 200, dur: 100, count: 3, cpu0\n"	   /* 4 */
		"time: 50, dur: 50, count: 4\n"		   /* 5: backwards */
		"time: 300, dur: 100, count: 5, cpu0: 2\n" /* sum != count */
		"time: 400, dur: 100, count: 99999999999999999999\n"; /* 7 */
	struct rate_file r = RATE_FILE_INIT;

	rate_parse_buf(&r, "x.rate.2", text, strlen(text));
	assert_int_equal(r.lines, 7);
	assert_int_equal(r.malformed, 4);
	assert_int_equal(r.intervals, 2);
	assert_int_equal(r.total, 6);
	assert_int_equal(r.warnings.nr, 5);
	assert_non_null(strstr(r.warnings.items[0], "x.rate.2:2: "));
	assert_non_null(strstr(r.warnings.items[1], "x.rate.2:4: "));
	assert_non_null(strstr(r.warnings.items[2], "x.rate.2:5: time goes "
						    "backwards"));
	assert_non_null(strstr(r.warnings.items[3], "x.rate.2:6: the vCPU "
						    "columns sum to 2"));
	assert_non_null(strstr(r.warnings.items[4], "x.rate.2:7: "));
	rate_file_release(&r);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *p = tu_path(dir, rel);

	tu_write(p, text, strlen(text));
	free(p);
}

/* A run: prog (two invocations, the second with a timeline). */
static char *make_run(void)
{
	char *tmp = tu_mkdtemp();

	write_file(tmp, "prog.qemu_out",
		   "collected 1 entries in the hash table\n"
		   "pc, tcount, icount, ecount\n"
		   "0x0000000000010000, 1, 4, 10\n");
	write_file(tmp, "prog.qemu_out.1",
		   "collected 1 entries in the hash table\n"
		   "pc, tcount, icount, ecount\n"
		   "0x0000000000010000, 1, 4, 1276\n"
		   "insns: 5104\n");
	write_file(tmp, "prog.rate.1", plugin_rate);
	return tmp;
}

static void run_finds_stores_and_loads_timelines(void **state)
{
	struct run run = RUN_INIT, back = RUN_INIT;
	struct run_options opts = {.no_symbols = true};
	struct index_run r = {0};
	struct errbuf err;
	struct strbuf sb = STRBUF_INIT;
	char *tmp = make_run(), *ipath = tu_path(tmp, "index.sqlite");
	struct index *idx = index_open(ipath, &err);
	const struct benchmark *b;
	char *a, *c;
	json_t *j, *inv;

	assert_int_equal(run_analyze(&run, tmp, &opts, &err), 0);
	b = run_find_benchmark(&run, "prog");
	assert_non_null(b);
	assert_int_equal(b->nr_invocations, 2);
	assert_null(b->invocations[0].rate);
	assert_string_equal(b->invocations[1].rate, "prog.rate.1");
	assert_int_equal(b->nr_rate, 5);
	for (size_t i = 0; i < b->nr_rate; i++)
		assert_int_equal(b->rate[i].invocation, 1);

	j = json_rate(b);
	assert_int_equal(json_array_size(json_object_get(j, "invocations")), 1);
	inv = json_array_get(json_object_get(j, "invocations"), 0);
	assert_int_equal(json_integer_value(json_object_get(inv, "invocation")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(inv, "total")),
			 5107);
	assert_int_equal(
		json_integer_value(json_object_get(inv, "instructions")), 5104);
	assert_int_equal(json_array_size(json_object_get(inv, "count")), 3);
	/* two vCPU columns; a line without them counts on vCPU 0 */
	assert_int_equal(
		json_integer_value(json_array_get(
			json_array_get(json_object_get(inv, "cpus"), 0), 0)),
		5000);
	assert_int_equal(json_array_size(json_object_get(inv, "cpus")), 2);
	assert_int_equal(
		json_integer_value(json_array_get(
			json_array_get(json_object_get(inv, "cpus"), 1), 1)),
		40);
	assert_int_equal(
		json_integer_value(json_array_get(
			json_array_get(json_object_get(inv, "cpus"), 1), 0)),
		0);
	a = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);

	report_rate_text(&sb, b);
	assert_non_null(strstr(sb.buf, "prog.rate.1: 3 intervals, 2 vCPUs"));
	assert_non_null(strstr(sb.buf, "50.000 k")); /* 5000 in 0.1 s */

	/* stored with the run and loaded back the same */
	assert_non_null(idx);
	r.id = (char *)"r";
	r.root = tmp;
	r.created = 1;
	assert_int_equal(index_upsert_run(idx, &r, &err), 0);
	assert_int_equal(index_store_run(idx, "r", &run, "fp", &err), 0);
	assert_int_equal(index_load_run(idx, "r",
					INDEX_LOAD_DETAILS | INDEX_LOAD_RATE,
					"prog", &back, &err),
			 1);
	j = json_rate(&back.benchmarks[0]);
	c = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);
	assert_string_equal(a, c);
	free(a);
	free(c);
	run_release(&back);

	/* without the flag, no timeline */
	assert_int_equal(index_load_run(idx, "r", INDEX_LOAD_DETAILS, "prog",
					&back, &err),
			 1);
	assert_int_equal(back.benchmarks[0].nr_rate, 0);
	run_release(&back);

	index_close(idx);
	run_release(&run);
	strbuf_release(&sb);
	free(ipath);
	tu_rm_rf(tmp);
	free(tmp);
}

/* The upload's file list carries the .rate beside its .qemu_out. */
static void upload_list_has_the_rate_file(void **state)
{
	struct run_files files = {0};
	struct strlist warnings = STRLIST_INIT;
	struct errbuf err;
	char *tmp = make_run();
	bool have = false;

	assert_int_equal(run_list_files(tmp, NULL, &files, &warnings, &err), 0);
	for (size_t i = 0; i < files.nr; i++)
		have |= !strcmp(files.items[i].name, "prog.rate.1");
	assert_true(have);
	run_files_release(&files);
	strlist_release(&warnings);
	tu_rm_rf(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_plugin_lines),
		cmocka_unit_test(malformed_lines_name_file_and_line),
		cmocka_unit_test(run_finds_stores_and_loads_timelines),
		cmocka_unit_test(upload_list_has_the_rate_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
