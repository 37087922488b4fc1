/* SPDX-License-Identifier: MIT */
/*
 * rv_decode() against the LLVM 19 oracle in tests/data/riscv-ext/: every
 * row of words16.tsv (the whole compressed space) and words32.tsv (the
 * enumerated extension encodings).  A word LLVM decodes must give exactly
 * its no-alias text ("mnemonic operands") and its extension label; a word
 * LLVM rejects must be rejected.  The expected values come only from the
 * corpus; the few deliberate differences are in `deliberate` below, each
 * with its reason.
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

#include "rvdecode.h"
#include "testutil.h"

#define CORPUS TEST_DATA "/riscv-ext"

/*
 * Words where this decoder deliberately differs from LLVM 19.  `ours` is
 * what rv_decode() must print instead ("<unknown>" for a rejection).
 *
 * There are none at present: every place where LLVM 19 departs from the
 * specifications (corpus README, caveats 6 to 8: c.lui with nzimm 0,
 * fcvtmod.w.d with rm other than rtz, unchecked vector register overlaps,
 * fence with non-zero rd/rs1/fm, fence.i with non-zero fields) is
 * reproduced, because the decoder's job is to name what a disassembler
 * shows, and those choices are documented at the matching code in
 * rvdecode.c.  Keep the table: it is where a future departure goes.
 */
static const struct {
	uint32_t word;
	const char *ours;
	const char *reason;
} deliberate[] = {
	{0, NULL, NULL}, /* sentinel: 0x0000 is c.unimp, never listed */
};

static const char *deliberate_text(uint32_t word)
{
	for (size_t i = 0; i < sizeof(deliberate) / sizeof(deliberate[0]); i++)
		if (deliberate[i].ours && deliberate[i].word == word)
			return deliberate[i].ours;
	return NULL;
}

struct tally {
	unsigned accepted_ok, rejected_ok, deliberate, wrong, bad_class;
};

/*
 * The class DISASM.md §4 gives every instruction of an extension the
 * corpus labels (for the labels where the extension decides the family),
 * or INSN_UNKNOWN when the label alone does not decide it.
 */
static bool class_fits_ext(const char *ext, enum insn_class cls, unsigned flags)
{
	static const char *const bitmanip[] = {"Zba", "Zbb", "Zbs", "Zbc",
					       "Zbkb"};

	if (cls == INSN_UNKNOWN)
		return false;
	if (!strcmp(ext, "V") || !strcmp(ext, "Zvbb"))
		return cls >= INSN_V_CONFIG && cls <= INSN_V_PERMUTE &&
		       (flags & INSN_F_VECTOR);
	if (flags & INSN_F_VECTOR)
		return false;
	for (size_t i = 0; i < sizeof(bitmanip) / sizeof(bitmanip[0]); i++)
		if (!strcmp(ext, bitmanip[i]))
			return cls == INSN_BITMANIP;
	if (!strcmp(ext, "Zicond"))
		return cls == INSN_INT_ALU;
	if (!strcmp(ext, "Zacas") || !strcmp(ext, "A"))
		return cls == INSN_ATOMIC;
	if (!strncmp(ext, "Zicbo", 5) || !strcmp(ext, "Zihintpause"))
		return cls == INSN_FENCE;
	if (!strcmp(ext, "Zfh") || !strcmp(ext, "Zfa") || !strcmp(ext, "F") ||
	    !strcmp(ext, "D"))
		return cls == INSN_FP_LOAD || cls == INSN_FP_STORE ||
		       cls == INSN_FP_ARITH || cls == INSN_FP_FMA ||
		       cls == INSN_FP_DIV_SQRT || cls == INSN_FP_CVT_MOVE;
	if (!strcmp(ext, "M"))
		return cls == INSN_INT_MUL || cls == INSN_INT_DIV;
	return true;
}

/*
 * Bytes per access from the corpus mnemonic alone, for the memory
 * instructions; -1 for the others.
 */
static int width_from_name(const char *m)
{
	static const struct {
		const char *name;
		int width;
	} scalar[] = {
		{"lb", 1},	{"lbu", 1},	{"sb", 1},    {"c.lbu", 1},
		{"c.sb", 1},	{"lh", 2},	{"lhu", 2},   {"sh", 2},
		{"flh", 2},	{"fsh", 2},	{"c.lh", 2},  {"c.lhu", 2},
		{"c.sh", 2},	{"lw", 4},	{"lwu", 4},   {"sw", 4},
		{"flw", 4},	{"fsw", 4},	{"c.lw", 4},  {"c.sw", 4},
		{"c.lwsp", 4},	{"c.swsp", 4},	{"ld", 8},    {"sd", 8},
		{"fld", 8},	{"fsd", 8},	{"c.ld", 8},  {"c.sd", 8},
		{"c.ldsp", 8},	{"c.sdsp", 8},	{"c.fld", 8}, {"c.fsd", 8},
		{"c.fldsp", 8}, {"c.fsdsp", 8},
	};
	const char *e;

	for (size_t i = 0; i < sizeof(scalar) / sizeof(scalar[0]); i++)
		if (!strcmp(m, scalar[i].name))
			return scalar[i].width;
	if (!strncmp(m, "amo", 3) || !strncmp(m, "lr.", 3) ||
	    !strncmp(m, "sc.", 3))
		return strstr(m, ".w") ? 4 : strstr(m, ".d") ? 8 : 16;
	if (!strcmp(m, "vlm.v") || !strcmp(m, "vsm.v"))
		return 1;
	if ((m[0] == 'v' && (m[1] == 'l' || m[1] == 's')) &&
	    strncmp(m, "vsetvl", 6) && strcmp(m, "vsetivli")) {
		/* vle32.v, vlsseg2e16.v, vluxei64.v, vl2re8.v, vs4r.v */
		if (m[1] == 's' && m[2] >= '1' && m[2] <= '8' && m[3] == 'r')
			return 1;
		e = strrchr(m, 'e');
		if (e && e[1] == 'i')
			e++;
		if (e && e[1] >= '1' && e[1] <= '8')
			return (int)strtol(e + 1, NULL, 10) / 8;
	}
	return -1;
}

static void format(const struct rv_insn *in, char *buf, size_t size)
{
	if (in->operands[0])
		snprintf(buf, size, "%s %s", in->mnemonic, in->operands);
	else
		snprintf(buf, size, "%s", in->mnemonic);
}

/* Check one corpus row; returns 0 if it agrees. */
static int check_row(const char *word_s, const char *ext, const char *text,
		     struct tally *t)
{
	uint32_t word = (uint32_t)strtoul(word_s, NULL, 16);
	unsigned len = strlen(word_s) == 6 ? 2 : 4;
	uint8_t bytes[4] = {(uint8_t)word, (uint8_t)(word >> 8),
			    (uint8_t)(word >> 16), (uint8_t)(word >> 24)};
	const char *want = deliberate_text(word);
	struct rv_insn in;
	unsigned got;
	char buf[160];

	got = rv_decode(bytes, len, 64, 0, &in);
	if (got)
		format(&in, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "<unknown>");
	if (want) {
		if (!strcmp(buf, want)) {
			t->deliberate++;
			return 0;
		}
	} else if (!strcmp(text, "<unknown>")) {
		if (!got) {
			t->rejected_ok++;
			return 0;
		}
	} else if (got == len && !strcmp(buf, text) && in.ext &&
		   !strcmp(in.ext, ext)) {
		int width = width_from_name(in.mnemonic);

		t->accepted_ok++;
		if (class_fits_ext(ext, in.cls, in.flags) &&
		    (width < 0 ? !in.mem_width
			       : (unsigned)width == in.mem_width))
			return 0;
		if (t->bad_class++ < 20)
			fprintf(stderr, "  %s: %s [%s] classed %s, width %u\n",
				word_s, text, ext, insn_class_name(in.cls),
				in.mem_width);
		return -1;
	}
	if (t->wrong++ < 40)
		fprintf(stderr, "  %s: want '%s' [%s], got '%s' [%s]\n", word_s,
			want ? want : text, ext, buf,
			got && in.ext ? in.ext : "-");
	return -1;
}

static struct tally check_file(const char *name, unsigned *rows)
{
	char *path = tu_path(CORPUS, name);
	size_t len;
	char *buf = tu_read(path, &len);
	char *line = buf, *end = buf + len;
	struct tally t = {0};

	*rows = 0;
	line = memchr(line, '\n', len); /* skip the header */
	assert_non_null(line);
	line++;
	while (line < end) {
		char *eol = memchr(line, '\n', (size_t)(end - line));
		char *col[4];
		unsigned n = 0;

		if (!eol)
			eol = end;
		*eol = '\0';
		col[n++] = line;
		for (char *p = line; *p && n < 4; p++)
			if (*p == '\t') {
				*p = '\0';
				col[n++] = p + 1;
			}
		assert_int_equal(n, 4);
		check_row(col[0], col[1], col[2], &t);
		(*rows)++;
		line = eol + 1;
	}
	printf("%s: %u rows: %u decoded as LLVM, %u rejected as LLVM, "
	       "%u deliberate differences, %u wrong, %u with a class or width "
	       "that does not fit their extension or mnemonic\n",
	       name, *rows, t.accepted_ok, t.rejected_ok, t.deliberate, t.wrong,
	       t.bad_class);
	free(buf);
	free(path);
	return t;
}

static void compressed_space_matches_llvm(void **state)
{
	unsigned rows;
	struct tally t = check_file("words16.tsv", &rows);

	(void)state;
	assert_int_equal(rows, 49152);
	assert_int_equal(t.wrong, 0);
	assert_int_equal(t.bad_class, 0);
	assert_int_equal(t.accepted_ok + t.rejected_ok + t.deliberate, rows);
}

static void extension_encodings_match_llvm(void **state)
{
	unsigned rows;
	struct tally t = check_file("words32.tsv", &rows);

	(void)state;
	assert_int_equal(rows, 47306);
	assert_int_equal(t.wrong, 0);
	assert_int_equal(t.bad_class, 0);
	assert_int_equal(t.accepted_ok + t.rejected_ok + t.deliberate, rows);
}

/*
 * RV32: the corpus is RV64-only, so the compressed space is checked
 * against binutils instead (objdump -b binary -m riscv:rv32, a test
 * dependency), by mnemonic.  binutils' default RV32 ISA has no Zcb, and it
 * differs from LLVM, whose choices rv_decode() follows, on three word
 * families (corpus README, caveats 7 and 9): it prints c.nop as
 * `c.addi zero,<imm>`, rejects c.lui with nzimm 0 and accepts
 * c.addi16sp with nzimm 0 (0x6101).  binutils also accepts RV32
 * c.slli/c.srli/c.srai with shamt[5] = 1, which the RVC specification
 * reserves ("For RV32C, shamt[5] must be zero; the code points with
 * shamt[5]=1 are designated for custom extensions"): rv_decode() rejects
 * them, as it does every reserved encoding.
 */
static void rv32_compressed_space_matches_objdump(void **state)
{
	char *dir = tu_mkdtemp(), *path = tu_path(dir, "w16.bin");
	char cmd[512], line[256];
	unsigned agree = 0, zcb = 0, lui0 = 0, addi16sp0 = 0, shamt5 = 0;
	unsigned wrong = 0;
	uint32_t w = 0;
	FILE *f, *p;

	(void)state;
	f = fopen(path, "wb");
	assert_non_null(f);
	for (w = 0; w < 0x10000; w++)
		if ((w & 3) != 3) {
			uint8_t b[2] = {(uint8_t)w, (uint8_t)(w >> 8)};

			assert_int_equal(fwrite(b, 1, 2, f), 2);
		}
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-objdump -b binary -m riscv:rv32 -D -z "
		 "-M no-aliases %s",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	w = 0;
	while (fgets(line, sizeof(line), p)) {
		char *s = line, *end, *mn, *ops;
		unsigned long addr;
		uint8_t b[2];
		struct rv_insn in;
		unsigned got;
		const char *want;

		while (*s == ' ')
			s++;
		addr = strtoul(s, &end, 16);
		if (end == s || *end != ':')
			continue;
		mn = strchr(end + 2, '\t');
		assert_non_null(mn);
		mn++;
		ops = strchr(mn, '\t');
		if (ops)
			*ops++ = '\0';
		mn[strcspn(mn, "\n")] = '\0';
		/* the addr-th halfword is the addr/2-th word with low bits !=
		 * 11 */
		w = (uint32_t)(addr / 2 / 3 * 4 + addr / 2 % 3);
		b[0] = (uint8_t)w;
		b[1] = (uint8_t)(w >> 8);
		got = rv_decode(b, 2, 32, 0, &in);
		want = mn;
		if (!strcmp(mn, "c.addi") && ops && !strncmp(ops, "zero,", 5))
			want = "c.nop";
		if (!strcmp(mn, ".2byte")) {
			if (!got) {
				agree++;
				continue;
			}
			if (!strcmp(in.ext, "Zcb")) {
				zcb++;
				continue;
			}
			if (!strcmp(in.mnemonic, "c.lui") &&
			    !strcmp(strrchr(in.operands, ' '), " 0x0")) {
				lui0++;
				continue;
			}
		} else if (got == 2 && !strcmp(in.mnemonic, want)) {
			agree++;
			continue;
		} else if (!got && w == 0x6101) {
			addi16sp0++;
			continue;
		} else if (!got && (w & 0x1000) &&
			   (!strcmp(mn, "c.slli") || !strcmp(mn, "c.srli") ||
			    !strcmp(mn, "c.srai"))) {
			shamt5++;
			continue;
		}
		if (wrong++ < 20)
			fprintf(stderr,
				"  rv32 %#06x: objdump '%s', ours '%s'\n", w,
				mn, got ? in.mnemonic : "<unknown>");
	}
	assert_int_equal(pclose(p), 0);
	tu_rm_rf(dir);
	free(path);
	free(dir);
	printf("rv32 compressed space: %u agree with objdump; documented: Zcb "
	       "%u, c.lui 0 %u, c.addi16sp 0 %u, shamt[5]=1 %u; %u wrong\n",
	       agree, zcb, lui0, addi16sp0, shamt5, wrong);
	assert_int_equal(wrong, 0);
	assert_int_equal(agree + zcb + lui0 + addi16sp0 + shamt5, 49152);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compressed_space_matches_llvm),
		cmocka_unit_test(extension_encodings_match_llvm),
		cmocka_unit_test(rv32_compressed_space_matches_objdump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
