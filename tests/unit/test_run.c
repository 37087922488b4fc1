/* SPDX-License-Identifier: MIT */
/*
 * Run analysis on the two fixture runs and on hostile copies of them.
 * Expected totals come from tests/data/FIXTURES.md (the fixtures' own
 * README); symbol names are checked against binutils' nm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "errbuf.h"
#include "run.h"
#include "testutil.h"

#define RUN_A	      TEST_DATA "/runs/build.gcc-O2-rv64gc"
#define RUN_B	      TEST_DATA "/runs/build.gcc-O3-rv64gc_zba_zbb_zbs"
#define CROSS_SYSROOT "/usr/riscv64-linux-gnu"

static const struct {
	const char *name, *suite;
	size_t invocations;
	uint64_t a, b;
} expected[] = {
	{"600.lzpack_r", "CINT2017rate", 3, 115065868, 110980812},
	{"601.graphwalk_r", "CINT2017rate", 1, 61748526, 60117936},
	{"602.hashjoin_r", "CINT2017rate", 2, 225131489, 224979634},
	{"604.sortmix_r", "CINT2017rate", 1, 78723823, 78320245},
	{"610.stencil_r", "CFP2017rate", 1, 64958288, 64732629},
	{"612.matmul_r", "CFP2017rate", 1, 90736658, 72819936},
};
#define NR_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static int has_warning(const struct strlist *l, const char *needle)
{
	for (size_t i = 0; i < l->nr; i++)
		if (strstr(l->items[i], needle))
			return 1;
	return 0;
}

static void check_parts_add_up(const struct benchmark *b)
{
	uint64_t objs = 0, funcs = 0, blocks = 0;

	for (size_t i = 0; i < b->nr_objects; i++)
		objs += b->objects[i].instructions;
	for (size_t i = 0; i < b->nr_functions; i++)
		funcs += b->functions[i].instructions;
	for (size_t i = 0; i < b->nr_blocks; i++)
		blocks += b->blocks[i].icount * b->blocks[i].ecount;
	assert_int_equal(objs, b->instructions);
	assert_int_equal(funcs, b->instructions);
	/* without keep_blocks only the hottest blocks are kept */
	if (b->nr_blocks && b->nr_blocks < RUN_HOT_BLOCKS)
		assert_int_equal(blocks, b->instructions);
	else
		assert_true(blocks <= b->instructions);
}

static void totals_match_fixture_tables(void **state)
{
	struct run a = RUN_INIT, b = RUN_INIT;
	struct errbuf err;

	assert_int_equal(run_analyze(&a, RUN_A, NULL, &err), 0);
	assert_int_equal(run_analyze(&b, RUN_B, NULL, &err), 0);
	assert_int_equal(a.nr_benchmarks, NR_EXPECTED);
	assert_int_equal(b.nr_benchmarks, NR_EXPECTED);
	for (size_t i = 0; i < NR_EXPECTED; i++) {
		const struct benchmark *x = &a.benchmarks[i];
		const struct benchmark *y = &b.benchmarks[i];

		assert_string_equal(x->name, expected[i].name);
		assert_string_equal(x->suite, expected[i].suite);
		assert_int_equal(x->nr_invocations, expected[i].invocations);
		assert_int_equal(x->instructions, expected[i].a);
		assert_int_equal(y->instructions, expected[i].b);
		assert_false(x->partial);
		assert_int_equal(x->malformed, 0);
		check_parts_add_up(x);
		check_parts_add_up(y);
	}
	assert_int_equal(a.instructions, 636364652);
	assert_int_equal(b.instructions, 611951192);
	assert_int_equal(a.files, 9);
	run_release(&a);
	run_release(&b);
}

static const struct object_total *find_object(const struct benchmark *b,
					      const char *name)
{
	for (size_t i = 0; i < b->nr_objects; i++)
		if (!strcmp(b->objects[i].name, name))
			return &b->objects[i];
	return NULL;
}

static void each_invocation_is_attributed_through_its_own_map(void **state)
{
	struct run a = RUN_INIT;
	struct errbuf err;
	const struct benchmark *lz;

	assert_int_equal(run_analyze(&a, RUN_A, NULL, &err), 0);
	lz = run_find_benchmark(&a, "600.lzpack_r");
	/* three invocations at different load addresses: nothing unmapped,
	 * and blocks merge by ELF address, not by pc */
	assert_null(find_object(lz, OBJ_UNMAPPED));
	assert_non_null(find_object(lz, "600.lzpack_r"));
	assert_non_null(find_object(lz, "libc.so.6"));
	assert_non_null(find_object(lz, "ld-linux-riscv64-lp64d.so.1"));
	assert_null(find_object(lz, "libm.so.6"));
	assert_non_null(find_object(run_find_benchmark(&a, "610.stencil_r"),
				    "libm.so.6"));
	/* the libraries are not in the run: a warning, not a failure */
	assert_true(has_warning(&a.warnings, "no ELF file for "
					     "'/home/ci/rvsysroot/lib/"
					     "libc.so.6'"));
	run_release(&a);
}

/* nm's output per ELF file, read once: popen per symbol is slow. */
static struct {
	char *key;
	char *text;
} nm_cache[16];

static const char *nm_text(const char *elf, bool dynamic)
{
	char cmd[1024], key[1024], buf[4096];
	size_t i, n, len = 0;
	char *text = NULL;
	FILE *p;

	snprintf(key, sizeof(key), "%d%s", dynamic, elf);
	for (i = 0; i < 16 && nm_cache[i].key; i++)
		if (!strcmp(nm_cache[i].key, key))
			return nm_cache[i].text;
	assert_true(i < 16);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-nm %s --defined-only '%s'",
		 dynamic ? "-D" : "", elf);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		text = realloc(text, len + n + 1);
		assert_non_null(text);
		memcpy(text + len, buf, n);
		len += n;
	}
	pclose(p);
	assert_non_null(text);
	text[len] = '\0';
	nm_cache[i].key = strdup(key);
	nm_cache[i].text = text;
	return text;
}

/* Does nm list `name` at `addr` in `elf`? */
static int nm_has(const char *elf, bool dynamic, uint64_t addr,
		  const char *name)
{
	char want[32];
	const char *line = nm_text(elf, dynamic);

	snprintf(want, sizeof(want), "%016llx", (unsigned long long)addr);
	while (*line) {
		size_t ll = strcspn(line, "\n");
		const char *next = line[ll] ? line + ll + 1 : line + ll;

		/* "0000000000000a2c T main", possibly "memcpy@@GLIBC_2.27" */
		if (ll > 19 && !strncmp(line, want, 16)) {
			const char *n = line + 19;
			size_t len = strcspn(n, "@\n");

			if (len == strlen(name) && !strncmp(n, name, len))
				return 1;
		}
		line = next;
	}
	return 0;
}

static void functions_agree_with_nm(void **state)
{
	static const char *const sysroots[] = {CROSS_SYSROOT};
	struct run_options opts = {.sysroots = sysroots, .nr_sysroots = 1};
	struct run b = RUN_INIT;
	struct errbuf err;
	size_t checked = 0;

	assert_int_equal(run_analyze(&b, RUN_B, &opts, &err), 0);
	assert_int_equal(b.warnings.nr, 0);
	for (size_t i = 0; i < b.nr_benchmarks; i++) {
		const struct benchmark *bench = &b.benchmarks[i];

		check_parts_add_up(bench);
		for (size_t j = 0; j < bench->nr_functions; j++) {
			const struct function_total *f = &bench->functions[j];
			const struct object_total *o =
				&bench->objects[f->object];
			char *path;
			bool is_prog = !strcmp(o->name, bench->name);

			if (!f->addr)
				continue; /* [section] and pseudo names */
			assert_non_null(o->elf);
			path = is_prog ? tu_path(RUN_B, o->elf)
				       : strdup(o->elf);
			if (!nm_has(path, !is_prog, f->addr, f->name))
				fail_msg("nm has no %s at 0x%llx in %s",
					 f->name, (unsigned long long)f->addr,
					 path);
			free(path);
			checked++;
		}
	}
	assert_true(checked > 50);
	run_release(&b);
}

static void matmul_delta_is_in_main(void **state)
{
	static const char *const sysroots[] = {CROSS_SYSROOT};
	struct run_options opts = {
		.sysroots = sysroots, .nr_sysroots = 1, .only = "612.matmul_r"};
	struct run a = RUN_INIT, b = RUN_INIT;
	struct errbuf err;
	const struct function_total *fa, *fb;
	int64_t total_delta;

	assert_int_equal(run_analyze(&a, RUN_A, &opts, &err), 0);
	assert_int_equal(run_analyze(&b, RUN_B, &opts, &err), 0);
	assert_int_equal(a.nr_benchmarks, 1);
	fa = &a.benchmarks[0].functions[0];
	fb = &b.benchmarks[0].functions[0];
	assert_string_equal(fa->name, "main");
	assert_string_equal(fb->name, "main");
	/* main carries more than 99.9 % of the -19.75 % */
	total_delta = (int64_t)72819936 - (int64_t)90736658;
	assert_true((double)((int64_t)fb->instructions -
			     (int64_t)fa->instructions) /
			    (double)total_delta >
		    0.999);
	run_release(&a);
	run_release(&b);
}

/* ---- hostile copies ----------------------------------------------------- */

static char *bench_file(const char *root, const char *suite, const char *b,
			const char *suffix)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "External/SPEC/%s/%s/%s%s", suite, b, b,
		 suffix);
	return tu_path(root, rel);
}

static void replace_file(const char *path, const char *text)
{
	tu_write(path, text, strlen(text));
}

static void hostile_files_warn_and_spare_the_rest(void **state)
{
	char *tmp = tu_mkdtemp();
	char *root = tu_path(tmp, "run");
	char *p;
	size_t len;
	char *text;
	struct run r = RUN_INIT;
	struct errbuf err;
	const struct benchmark *b;

	tu_copy_tree(RUN_A, root);

	/* 600: a bad row injected as line 5 of the 2nd invocation */
	p = bench_file(root, "CINT2017rate", "600.lzpack_r", ".qemu_out.1");
	text = tu_read(p, &len);
	{
		char *line5 = text;
		FILE *f = fopen(p, "wb");

		for (int i = 0; i < 4; i++)
			line5 = strchr(line5, '\n') + 1;
		fwrite(text, 1, (size_t)(line5 - text), f);
		fputs("0xZZZZ, 1, 4, 100\n", f);
		fputs(line5, f);
		fclose(f);
	}
	free(text);
	free(p);
	/* 601: the map is gdb's error text */
	p = bench_file(root, "CINT2017rate", "601.graphwalk_r", ".map");
	replace_file(p, "No current process: you must name one.\n");
	free(p);
	/* 602: the 2nd output is cut in the middle of a row */
	p = bench_file(root, "CINT2017rate", "602.hashjoin_r", ".qemu_out.1");
	text = tu_read(p, &len);
	tu_write(p, text, len / 2);
	free(text);
	free(p);
	/* 604: an empty output */
	p = bench_file(root, "CINT2017rate", "604.sortmix_r", ".qemu_out");
	replace_file(p, "");
	free(p);
	/* 610: CRLF line endings */
	p = bench_file(root, "CFP2017rate", "610.stencil_r", ".qemu_out");
	text = tu_read(p, &len);
	{
		FILE *f = fopen(p, "wb");

		for (size_t i = 0; i < len; i++) {
			if (text[i] == '\n')
				fputc('\r', f);
			fputc(text[i], f);
		}
		fclose(f);
	}
	free(text);
	free(p);
	/* 612: no .map */
	p = bench_file(root, "CFP2017rate", "612.matmul_r", ".map");
	unlink(p);
	free(p);

	assert_int_equal(run_analyze(&r, root, NULL, &err), 0);

	b = run_find_benchmark(&r, "600.lzpack_r");
	assert_int_equal(b->instructions, 115065868);
	assert_int_equal(b->malformed, 1);
	assert_true(has_warning(&b->warnings,
				"External/SPEC/CINT2017rate/600.lzpack_r/"
				"600.lzpack_r.qemu_out.1:5: malformed line (pc "
				"is not hexadecimal): '0xZZZZ, 1, 4, 100'"));

	b = run_find_benchmark(&r, "601.graphwalk_r");
	assert_int_equal(b->instructions, 61748526);
	assert_true(has_warning(&b->warnings,
				"601.graphwalk_r.map: not a gdb 'info proc "
				"mappings' table"));
	assert_non_null(find_object(b, OBJ_UNMAPPED));
	check_parts_add_up(b);

	b = run_find_benchmark(&r, "602.hashjoin_r");
	assert_true(b->partial);
	assert_true(b->instructions < 225131489);
	assert_true(b->instructions >= 129619590);
	assert_true(has_warning(&b->warnings, "may be truncated"));

	b = run_find_benchmark(&r, "604.sortmix_r");
	assert_int_equal(b->instructions, 0);
	assert_true(b->partial);
	assert_true(has_warning(&b->warnings, "604.sortmix_r.qemu_out: empty "
					      "file"));

	b = run_find_benchmark(&r, "610.stencil_r");
	assert_int_equal(b->instructions, 64958288);
	assert_int_equal(b->malformed, 0);
	assert_false(b->partial);

	b = run_find_benchmark(&r, "612.matmul_r");
	assert_int_equal(b->instructions, 90736658);
	assert_true(has_warning(&b->warnings, "612.matmul_r.map: missing"));
	check_parts_add_up(b);

	run_release(&r);
	tu_rm_rf(tmp);
	free(root);
	free(tmp);
}

static void directory_without_outputs_is_an_error(void **state)
{
	char *tmp = tu_mkdtemp();
	struct run r = RUN_INIT;
	struct errbuf err;

	assert_int_equal(run_analyze(&r, tmp, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "no .qemu_out files"));
	assert_int_equal(run_analyze(&r, "/nonexistent/run", NULL, &err), -1);
	assert_string_equal(err.msg, "cannot open run directory "
				     "'/nonexistent/run': No such file or "
				     "directory");
	tu_rm_rf(tmp);
	free(tmp);
}

static void other_layouts_have_no_suite(void **state)
{
	char *tmp = tu_mkdtemp();
	char *dir = tu_path(tmp, "prog");
	char *p = tu_path(dir, "a.out.qemu_out.3");
	struct run r = RUN_INIT;
	struct errbuf err;

	tu_copy_tree(TEST_DATA "/runs/build.gcc-O2-rv64gc/External/SPEC/"
			       "CFP2017rate/612.matmul_r",
		     dir);
	replace_file(p, "collected 1 entries in the hash table\n"
			"pc, tcount, icount, ecount\n0x10, 1, 5, 7\n");
	assert_int_equal(run_analyze(&r, tmp, NULL, &err), 0);
	assert_int_equal(r.nr_benchmarks, 2);
	assert_string_equal(r.benchmarks[0].name, "612.matmul_r");
	assert_null(r.benchmarks[0].suite);
	assert_string_equal(r.benchmarks[1].name, "a.out");
	assert_int_equal(r.benchmarks[1].instructions, 35);
	assert_string_equal(r.benchmarks[1].invocations[0].qemu_out,
			    "prog/a.out.qemu_out.3");
	assert_true(has_warning(&r.benchmarks[1].warnings,
				"prog/a.out.map.3: missing"));
	run_release(&r);
	tu_rm_rf(tmp);
	free(p);
	free(dir);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(totals_match_fixture_tables),
		cmocka_unit_test(
			each_invocation_is_attributed_through_its_own_map),
		cmocka_unit_test(functions_agree_with_nm),
		cmocka_unit_test(matmul_delta_is_in_main),
		cmocka_unit_test(hostile_files_warn_and_spare_the_rest),
		cmocka_unit_test(directory_without_outputs_is_an_error),
		cmocka_unit_test(other_layouts_have_no_suite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
