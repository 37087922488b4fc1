/* SPDX-License-Identifier: MIT */
/*
 * elf_image's names against binutils' objdump, an independent reader of
 * the same files (issue #13, items 7 and 8):
 *
 *  - at every address where `objdump -d` starts a symbol, elf_image
 *    names the same symbol, except that a default version
 *    (`pow@@GLIBC_2.27`, `objdump -T` prints its version bare) wins over
 *    a hidden one (`__pow_finite@GLIBC_2.27`, printed in parentheses),
 *    which objdump 2.40 prefers when it binds globally, and that where
 *    objdump's order ties and it falls back to strcmp() the name with
 *    fewer leading '_' wins (malloc, not __libc_malloc);
 *  - code that no function symbol covers but a local label does
 *    (`load_gp` of crt1, NOTYPE LOCAL) is named after that label.
 *
 * Objects: Debian's riscv64 libm, libc and dynamic loader
 * (libc6-riscv64-cross) and the fixtures' programs.  Skipped when
 * riscv64-linux-gnu-objdump or the libraries are missing.
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

#include "elf_image.h"
#include "errbuf.h"

#define OBJDUMP	  "riscv64-linux-gnu-objdump"
#define CROSS_LIB "/usr/riscv64-linux-gnu/lib/"

/* One symbol start of `objdump -d`: its address and name as printed. */
struct head {
	uint64_t addr;
	char name[256];
};

/* One defined function of `objdump -T`. */
struct dsym {
	uint64_t addr, size;
	char bind; /* 'g', 'w' or 'l' */
	int hidden;
	char name[256];
};

static int have_tools(const char *path)
{
	if (access(path, R_OK) ||
	    system(OBJDUMP " --version >/dev/null 2>&1")) {
		print_message("skipped: no %s or no %s\n", OBJDUMP, path);
		return 0;
	}
	return 1;
}

static FILE *run_objdump(const char *args, const char *path)
{
	char cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), OBJDUMP " %s '%s'", args, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	return f;
}

/* The symbol starts of `objdump -d` in .text (no PLT stubs). */
static struct head *objdump_heads(const char *path, size_t *nr)
{
	FILE *f = run_objdump("-d -j .text --no-show-raw-insn", path);
	struct head *h = NULL;
	size_t n = 0, alloc = 0;
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char name[256];

		if (sscanf(line, "%llx <%255[^>]>:", &a, name) != 2)
			continue;
		/* "<abort@@GLIBC_2.27-0x8>": no symbol starts there */
		if (strstr(name, "-0x") || strstr(name, "+0x"))
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			h = realloc(h, alloc * sizeof(*h));
			assert_non_null(h);
		}
		h[n].addr = a;
		strcpy(h[n].name, name);
		n++;
	}
	assert_int_equal(pclose(f), 0);
	*nr = n;
	return h;
}

/* The defined functions of `objdump -T`. */
static struct dsym *objdump_dynsyms(const char *path, size_t *nr)
{
	FILE *f = run_objdump("-T", path);
	struct dsym *d = NULL;
	size_t n = 0, alloc = 0;
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, sz;
		char flags[8], sec[64], ver[128], name[256];
		const char *p = line;

		/* "0000000000028aa2  w   DF .text\t000000000000057c  GLIBC_2.27
		 * pow": 16 digits, the 7 flag characters, then fields */
		if (strlen(line) < 26 || sscanf(p, "%llx", &a) != 1 ||
		    line[16] != ' ')
			continue;
		memcpy(flags, line + 17, 7);
		flags[7] = 0;
		if (flags[6] != 'F')
			continue; /* not a function */
		if (sscanf(line + 24, "%63s %llx %127s %255s", sec, &sz, ver,
			   name) != 4 ||
		    !strcmp(sec, "*UND*"))
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			d = realloc(d, alloc * sizeof(*d));
			assert_non_null(d);
		}
		d[n].addr = a;
		d[n].size = sz;
		d[n].bind = flags[0] == ' ' ? 'w' : flags[0];
		if (flags[1] == 'w')
			d[n].bind = 'w';
		d[n].hidden = ver[0] == '(';
		strcpy(d[n].name, name);
		n++;
	}
	assert_int_equal(pclose(f), 0);
	*nr = n;
	return d;
}

/* Whether a ranks before b in objdump's order (compare_symbols()). */
static int objdump_before(const struct dsym *a, const struct dsym *b)
{
	if ((a->bind == 'g') != (b->bind == 'g'))
		return a->bind == 'g';
	return a->size > b->size;
}

/*
 * The name expected at objdump's symbol start h.  Without aliases in
 * `objdump -T` (a program's .symtab): objdump's own.  Else the aliases
 * of a default version when there are any (objdump prints a hidden
 * __pow_finite@GLIBC_2.27 over pow@@GLIBC_2.27 because it binds
 * globally); among those, objdump's order (global before weak, larger
 * first), and where objdump falls back to strcmp() (__libc_malloc over
 * malloc) the name with fewer leading '_', then strcmp().
 */
static void expected_name(const struct head *h, const struct dsym *d, size_t nd,
			  char *out, size_t size)
{
	const char *at = strchr(h->name, '@');
	const struct dsym *best = NULL, *printed = NULL;
	size_t len = at ? (size_t)(at - h->name) : strlen(h->name);
	int any_visible = 0;

	if (len >= size)
		len = size - 1;
	memcpy(out, h->name, len);
	out[len] = 0;
	for (size_t i = 0; i < nd; i++) {
		if (d[i].addr != h->addr)
			continue;
		any_visible |= !d[i].hidden;
		if (!strcmp(d[i].name, out))
			printed = &d[i];
	}
	for (size_t i = 0; i < nd; i++) {
		const struct dsym *s = &d[i];

		if (s->addr != h->addr || (any_visible && s->hidden))
			continue;
		if (!best || objdump_before(s, best) ||
		    (!objdump_before(best, s) &&
		     (strspn(s->name, "_") < strspn(best->name, "_") ||
		      (strspn(s->name, "_") == strspn(best->name, "_") &&
		       strcmp(s->name, best->name) < 0))))
			best = s;
	}
	if (!best)
		return;
	/* objdump's choice, when visible, ranks with it in objdump's order */
	if (printed && !printed->hidden)
		assert_false(objdump_before(best, printed) ||
			     objdump_before(printed, best));
	len = strnlen(best->name, size - 1);
	memcpy(out, best->name, len);
	out[len] = 0;
}

/* Every symbol start of objdump's, named as objdump names it. */
static void check_object(const char *path)
{
	struct errbuf err;
	struct elf_image *img;
	struct head *h;
	struct dsym *d;
	size_t nh, nd, bad = 0;

	if (!have_tools(path))
		skip();
	img = elf_image_open(path, &err);
	assert_non_null(img);
	h = objdump_heads(path, &nh);
	d = objdump_dynsyms(path, &nd);
	assert_true(nh > 5);
	for (size_t i = 0; i < nh; i++) {
		const struct elf_sym *s = elf_image_symbol(img, h[i].addr);
		char want[256];

		expected_name(&h[i], d, nd, want, sizeof(want));
		if (s && !strcmp(s->name, want) && s->addr == h[i].addr)
			continue;
		if (bad++ < 10)
			print_error("%s: 0x%llx: objdump %s, want %s, got %s\n",
				    path, (unsigned long long)h[i].addr,
				    h[i].name, want, s ? s->name : "(none)");
	}
	print_message("%s: %zu symbol starts, %zu differ\n", path, nh, bad);
	assert_int_equal(bad, 0);
	free(h);
	free(d);
	elf_image_free(img);
}

static uint64_t dynsym_addr(const char *path, const char *name)
{
	struct dsym *d;
	size_t nd;
	uint64_t a = 0;

	d = objdump_dynsyms(path, &nd);
	for (size_t i = 0; i < nd; i++)
		if (!strcmp(d[i].name, name))
			a = d[i].addr;
	free(d);
	assert_true(a != 0);
	return a;
}

/* The headline of item 7: pow and exp, not their obsolete aliases. */
static void test_libm_pow_exp(void **state)
{
	const char *path = CROSS_LIB "libm.so.6";
	static const char *const names[] = {"pow", "exp", "log", "sin"};
	struct errbuf err;
	struct elf_image *img;

	(void)state;
	if (!have_tools(path))
		skip();
	img = elf_image_open(path, &err);
	assert_non_null(img);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		uint64_t a = dynsym_addr(path, names[i]);
		const struct elf_sym *s = elf_image_symbol(img, a);

		assert_non_null(s);
		assert_string_equal(s->name, names[i]);
		/* inside the function too */
		s = elf_image_symbol(img, a + 4);
		assert_non_null(s);
		assert_string_equal(s->name, names[i]);
	}
	elf_image_free(img);
}

static void test_libm(void **state)
{
	(void)state;
	check_object(CROSS_LIB "libm.so.6");
}

static void test_libc(void **state)
{
	(void)state;
	check_object(CROSS_LIB "libc.so.6");
}

static void test_ld_so(void **state)
{
	(void)state;
	check_object(CROSS_LIB "ld-linux-riscv64-lp64d.so.1");
}

#define MATMUL_O2                                                              \
	TEST_DATA "/runs/build.gcc-O2-rv64gc/External/SPEC/CFP2017rate/"       \
		  "612.matmul_r/612.matmul_r"
#define STENCIL_O3                                                             \
	TEST_DATA "/runs/build.gcc-O3-rv64gc_zba_zbb_zbs/External/SPEC/"       \
		  "CFP2017rate/610.stencil_r/610.stencil_r"

/* The programs: .symtab, with crt1's load_gp label among the functions. */
static void test_programs(void **state)
{
	(void)state;
	check_object(MATMUL_O2);
	check_object(STENCIL_O3);
}

/*
 * Every instruction of .text, as objdump -d lists it, lies under the
 * symbol objdump names for it: `load_gp+0x4`, not [.text].
 */
static void check_every_insn(const char *path)
{
	FILE *f;
	struct errbuf err;
	struct elf_image *img;
	char line[4096], cur[256] = "";
	uint64_t cur_addr = 0;
	size_t n = 0, bad = 0, labels = 0;

	if (!have_tools(path))
		skip();
	img = elf_image_open(path, &err);
	assert_non_null(img);
	f = run_objdump("-d -j .text --no-show-raw-insn", path);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char name[256];
		const struct elf_sym *s;

		if (sscanf(line, "%llx <%255[^>]>:", &a, name) == 2) {
			strcpy(cur, name);
			cur_addr = a;
			continue;
		}
		if (sscanf(line, " %llx:", &a) != 1 || !*cur)
			continue;
		n++;
		s = elf_image_symbol(img, a);
		if (!strcmp(cur, "load_gp"))
			labels++;
		if (s && !strcmp(s->name, cur) && s->addr == cur_addr)
			continue;
		if (bad++ < 10)
			print_error("%s: 0x%llx: objdump <%s+0x%llx>, got %s\n",
				    path, a, cur,
				    (unsigned long long)(a - cur_addr),
				    s ? s->name : "(none)");
	}
	assert_int_equal(pclose(f), 0);
	print_message("%s: %zu instructions, %zu under load_gp, %zu differ\n",
		      path, n, labels, bad);
	assert_true(labels >= 3); /* auipc, addi, ret */
	assert_int_equal(bad, 0);
	elf_image_free(img);
}

static void test_program_labels(void **state)
{
	(void)state;
	check_every_insn(MATMUL_O2);
	check_every_insn(STENCIL_O3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libm_pow_exp),
		cmocka_unit_test(test_libm),
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_ld_so),
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_program_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
