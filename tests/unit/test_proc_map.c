/* SPDX-License-Identifier: MIT */
/* The gdb mappings parser on the fixture maps and on other gdb layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "errbuf.h"
#include "proc_map.h"

#define O2 TEST_DATA "/runs/build.gcc-O2-rv64gc/External/SPEC/"

static void fixture_map_has_every_row(void **state)
{
	struct proc_map m = PROC_MAP_INIT;
	struct errbuf err;
	const struct mapping *x;
	size_t libc = 0, anon = 0;

	assert_int_equal(
		proc_map_parse_file(
			&m, O2 "CFP2017rate/610.stencil_r/610.stencil_r.map",
			"610.stencil_r.map", &err),
		0);
	assert_true(m.has_perms);
	assert_int_equal(m.malformed, 0);
	assert_int_equal(m.warnings.nr, 0);
	for (size_t i = 0; i < m.nr; i++) {
		if (strstr(m.maps[i].objfile, "/libc.so.6"))
			libc++;
		if (!m.maps[i].objfile[0])
			anon++;
	}
	assert_true(libc >= 3);
	assert_true(anon >= 1);
	x = proc_map_find(&m, m.maps[0].start);
	assert_ptr_equal(x, &m.maps[0]);
	assert_null(proc_map_find(&m, m.maps[0].start - 1));
	assert_null(proc_map_find(&m, m.maps[m.nr - 1].end));
	proc_map_release(&m);
}

static void parses_gdb_without_perms_column(void **state)
{
	static const char text[] =
		"process 1\nMapped address spaces:\n\n"
		"          Start Addr           End Addr       Size     Offset "
		"objfile\n"
		"            0x10000            0x12000     0x2000        0x0 "
		"/bin/my prog\n"
		"            0x20000            0x21000     0x1000        0x0 "
		"\n"
		"            0x30000            0x31000     0x1000        0x0 "
		"[vdso]\n"
		"[Inferior 1 (process 1) detached]\n";
	struct proc_map m = PROC_MAP_INIT;
	struct errbuf err;

	assert_int_equal(proc_map_parse(&m, "a.map", text, strlen(text), &err),
			 0);
	assert_false(m.has_perms);
	assert_int_equal(m.nr, 3);
	assert_string_equal(m.maps[0].objfile, "/bin/my prog");
	assert_string_equal(m.maps[1].objfile, "");
	assert_string_equal(m.maps[2].objfile, "[vdso]");
	assert_true(mapping_executable(&m.maps[0]));
	assert_int_equal(proc_map_find(&m, 0x11fff)->start, 0x10000);
	proc_map_release(&m);
}

static void gdb_error_text_is_an_error_naming_the_file(void **state)
{
	static const char text[] = "No current process: you must name one.\n";
	struct proc_map m = PROC_MAP_INIT;
	struct errbuf err;

	assert_int_equal(proc_map_parse(&m, "b.map", text, strlen(text), &err),
			 -1);
	assert_non_null(strstr(err.msg, "b.map: not a gdb 'info proc "
					"mappings' table"));
	assert_non_null(strstr(err.msg, "No current process"));
	assert_int_equal(m.nr, 0);
}

static void malformed_rows_are_counted_with_their_line(void **state)
{
	static const char text[] =
		"Start Addr End Addr Size Offset Perms objfile\n"
		"0x1000 0x2000 0x1000 0x0 r-xp /a\n"
		"0x3000 0x2000 0x1000 0x0 r-xp /b\n"
		"0x4000 0x5000 0x1000 0x0 zzzz /c\n"
		"0x6000 0x7000 0x2000 0x0 r-xp /d\n";
	struct proc_map m = PROC_MAP_INIT;
	struct errbuf err;

	assert_int_equal(proc_map_parse(&m, "c.map", text, strlen(text), &err),
			 0);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.malformed, 3);
	assert_non_null(strstr(m.warnings.items[0], "c.map:3: malformed "
						    "mapping (end address "
						    "not above start"));
	assert_non_null(strstr(m.warnings.items[1],
			       "c.map:4: malformed mapping (bad permissions)"));
	assert_non_null(strstr(m.warnings.items[2],
			       "c.map:5: malformed mapping (size does not"));
	proc_map_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixture_map_has_every_row),
		cmocka_unit_test(parses_gdb_without_perms_column),
		cmocka_unit_test(gdb_error_text_is_an_error_naming_the_file),
		cmocka_unit_test(malformed_rows_are_counted_with_their_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
