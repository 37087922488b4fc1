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
		t->accepted_ok++;
		if (class_fits_ext(ext, in.cls, in.flags))
			return 0;
		if (t->bad_class++ < 20)
			fprintf(stderr, "  %s: %s [%s] classed %s\n", word_s,
				text, ext, insn_class_name(in.cls));
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
	       "%u deliberate differences, %u wrong, %u in a class that does "
	       "not fit their extension\n",
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compressed_space_matches_llvm),
		cmocka_unit_test(extension_encodings_match_llvm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
