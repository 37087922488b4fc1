/* SPDX-License-Identifier: MIT */
/*
 * disasm against GNU objdump: every executable section of the fixture
 * programs (both runs, so the Zba/Zbb/Zbs code of the O3 build is in) and
 * of Debian's riscv64 libc, libm and ld.so is disassembled linearly with
 * disasm_block(), and every instruction's address, length and mnemonic is
 * compared with `riscv64-linux-gnu-objdump -d -z -M no-aliases` (binutils
 * is a test dependency), and its operands token by token (see
 * same_operands()).  Agreement must be 100 % with 0 unknown.
 *
 * Plus small hand-counted blocks for the class scheme on RISC-V, x86-64
 * and AArch64, and the block-level contract (exactly icount instructions,
 * unknown words keep the walk in step).
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <elf.h>
#include <glob.h>

#include "disasm.h"
#include "elf_image.h"
#include "errbuf.h"
#include "insn_class.h"
#include "run.h"
#include "rvdecode.h"
#include "testutil.h"

#define OBJDUMP "riscv64-linux-gnu-objdump"
/* Debian's libc6-arm64-cross; its objdump is binutils-aarch64-linux-gnu */
#define A64_LIBC "/usr/aarch64-linux-gnu/lib/libc.so.6"
#define RV_LIBS	 "/usr/riscv64-linux-gnu/lib/"
#define RUNS_DIR TEST_DATA "/runs"

struct ref_insn {
	uint64_t addr;
	unsigned len;
	char mnemonic[32];
	char operands[96]; /* objdump's, without its "# ..." comment */
	bool respelled;	   /* normalise() changed the mnemonic */
};

struct ref_list {
	struct ref_insn *v;
	size_t nr, alloc;
};

/*
 * Where binutils 2.40's no-alias spelling differs from LLVM 19's (which
 * rvdecode.h, and so disasm.h, follow): the corpus README, caveat 9.
 *   - `c.addi zero,<imm>` (0x0001 and the c.nop HINTs): LLVM and the RVC
 *     specification call it c.nop; binutils prints the base form.  Used
 *     by 19 words of libc and ld.so.
 *   - `pause`: binutils prints the Zihintpause hint by its name even with
 *     -M no-aliases, LLVM's no-alias text is `fence w, 0`.  No binary here
 *     has one; kept because the O3 builds may gain it.
 * Returns the LLVM spelling of objdump's mnemonic m (with operands ops),
 * counting each use in *normalised.
 */
static const char *normalise(const char *m, const char *ops, size_t *normalised)
{
	if (!strcmp(m, "pause")) {
		(*normalised)++;
		return "fence";
	}
	if (!strcmp(m, "c.addi") && !strncmp(ops, "zero,", 5)) {
		(*normalised)++;
		return "c.nop";
	}
	return m;
}

/* Parse objdump's listing of path into *out. */
static void run_objdump(const char *path, struct ref_list *out,
			size_t *normalised)
{
	char cmd[1024], line[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), OBJDUMP " -d -z -M no-aliases '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = line, *end, *tab, *mn, *ops, empty[1] = "";
		uint64_t addr;
		unsigned hex = 0;
		struct ref_insn *r;

		while (*s == ' ')
			s++;
		addr = strtoull(s, &end, 16);
		if (end == s || *end != ':' || end[1] != '\t')
			continue;
		s = end + 2;
		while (s[hex] && s[hex] != ' ' && s[hex] != '\t')
			hex++;
		tab = strchr(s, '\t');
		if (!tab)
			continue;
		mn = tab + 1;
		ops = strchr(mn, '\t');
		if (ops)
			*ops++ = '\0';
		else
			ops = empty;
		mn[strcspn(mn, "\n")] = '\0';
		if (out->nr == out->alloc) {
			out->alloc = out->alloc ? 2 * out->alloc : 4096;
			out->v = realloc(out->v, out->alloc * sizeof(*out->v));
			assert_non_null(out->v);
		}
		r = &out->v[out->nr++];
		r->addr = addr;
		r->len = hex / 2;
		snprintf(r->mnemonic, sizeof(r->mnemonic), "%s",
			 normalise(mn, ops, normalised));
		r->respelled = strcmp(r->mnemonic, mn) != 0;
		ops[strcspn(ops, "#<\n")] = '\0';
		snprintf(r->operands, sizeof(r->operands), "%s", ops);
	}
	assert_int_equal(pclose(p), 0);
}

/* Split operand text at ',', '(' and ')' into trimmed tokens. */
static unsigned tokens(const char *ops, char tok[][48], unsigned max)
{
	unsigned n = 0, len = 0;

	for (const char *p = ops;; p++) {
		bool end = !*p || *p == ',' || *p == '(' || *p == ')';

		if (!end && *p != ' ' && *p != '\t' && len < 47) {
			tok[n][len++] = *p;
			continue;
		}
		if (end && len) {
			tok[n][len] = '\0';
			if (++n == max)
				return n;
			len = 0;
		}
		if (!*p)
			return n;
	}
}

static bool number(const char *t, int base, long long *v)
{
	char *end;

	if (!*t)
		return false;
	*v = strtoll(t, &end, base);
	return !*end;
}

/*
 * Compare our operands (LLVM spelling) with objdump's for mnemonic m.
 * binutils writes no space after commas, immediates mostly in decimal,
 * branch targets as bare hex and omits the `dyn` rounding mode; so the
 * operands are compared token by token, numbers by value.
 */
static bool same_operands(const char *m, const char *ours, const char *ref)
{
	char a[8][48], b[8][48];
	unsigned na = tokens(ours, a, 8), nb = tokens(ref, b, 8);
	bool pcrel = (m[0] == 'b' && strcmp(m, "bclr") && strcmp(m, "bset") &&
		      strncmp(m, "bclr", 4) && strncmp(m, "bset", 4) &&
		      strncmp(m, "bext", 4) && strncmp(m, "binv", 4)) ||
		     !strcmp(m, "jal") || !strcmp(m, "c.j") ||
		     !strcmp(m, "c.jal") || !strcmp(m, "c.beqz") ||
		     !strcmp(m, "c.bnez");

	if (na == nb + 1 && !strcmp(a[na - 1], "dyn"))
		na--;
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++) {
		long long x, y;
		int base = pcrel && i == nb - 1 ? 16 : 0;

		if (number(a[i], 0, &x) && number(b[i], base, &y)) {
			if (x != y)
				return false;
		} else if (strcmp(a[i], b[i])) {
			return false;
		}
	}
	return true;
}

/* The flags both RISC-V classifiers set. */
#define FLAGS                                                                  \
	(INSN_F_COMPRESSED | INSN_F_STACK | INSN_F_TARGET | INSN_F_MOVE |      \
	 INSN_F_VECTOR)

struct counts {
	size_t insns, agree, by[INSN_DECODER_NR], cls_disagree;
	size_t ops_agree; /* operands equal too (respelled ones excepted) */
	size_t ref, normalised; /* objdump's instructions, respelled ones */
};

/*
 * Disassemble every executable section of path and compare with objdump;
 * adds to *total and returns this binary's counts.
 */
static struct counts check_binary(const char *path, struct counts *total)
{
	struct errbuf err;
	struct elf_image *img = elf_image_open(path, &err);
	struct disasm *ctx;
	struct ref_list ref = {0};
	struct counts c = {0};
	size_t ri = 0, shown = 0;
	enum { CHUNK = 512 };
	struct disasm_insn *buf = calloc(CHUNK, sizeof(*buf));

	if (!img)
		fail_msg("%s", err.msg);
	ctx = disasm_new_for_image(img, &err);
	if (!ctx)
		fail_msg("%s", err.msg);
	assert_int_equal(disasm_arch(ctx), DISASM_RISCV64);
	run_objdump(path, &ref, &c.normalised);
	c.ref = ref.nr;
	for (size_t s = 0; s < img->nr_secs; s++) {
		const struct elf_section *sec = &img->secs[s];
		const uint8_t *bytes;
		size_t avail = 0, off = 0;

		if (!sec->exec)
			continue;
		bytes = elf_image_bytes(img, sec->addr, &avail);
		assert_non_null(bytes);
		assert_true(avail >= sec->size);
		while (off < sec->size) {
			size_t n =
				disasm_block(ctx, bytes + off, sec->size - off,
					     sec->addr + off, CHUNK, buf);

			assert_true(n > 0);
			for (size_t i = 0; i < n; i++) {
				const struct disasm_insn *d = &buf[i];
				const struct ref_insn *r =
					ri < ref.nr ? &ref.v[ri] : NULL;
				struct rv_insn rv;

				c.insns++;
				c.by[d->by]++;
				off += d->len;
				if (r && r->addr == d->addr &&
				    r->len == d->len &&
				    !strcmp(r->mnemonic, d->mnemonic)) {
					c.agree++;
					if (r->respelled ||
					    same_operands(d->mnemonic,
							  d->operands,
							  r->operands))
						c.ops_agree++;
					else if (shown++ < 20)
						fprintf(stderr,
							"  %llx: operands: "
							"ours '%s %s', "
							"objdump '%s'\n",
							(unsigned long long)
								d->addr,
							d->mnemonic,
							d->operands,
							r->operands);
				} else if (shown++ < 20) {
					fprintf(stderr,
						"  %s: %llx: ours '%s %s' (%u, "
						"%s), objdump '%s' at %llx\n",
						path,
						(unsigned long long)d->addr,
						d->mnemonic, d->operands,
						d->len,
						insn_decoder_name(
							(enum insn_decoder)
								d->by),
						r ? r->mnemonic : "(end)",
						r ? (unsigned long long)r->addr
						  : 0ULL);
				}
				/* keep the reference in step by address */
				while (ri < ref.nr &&
				       ref.v[ri].addr < d->addr + d->len)
					ri++;
				/*
				 * The capstone rule set and rv_decode()
				 * must give the same class and flags.
				 */
				if (d->by == INSN_BY_CAPSTONE &&
				    rv_decode(bytes + off - d->len, d->len, 64,
					      d->addr, &rv) == d->len &&
				    ((unsigned)rv.cls != d->cls ||
				     (rv.flags & FLAGS) != (d->flags & FLAGS) ||
				     rv.mem_width != d->mem_width) &&
				    c.cls_disagree++ < 10)
					fprintf(stderr,
						"  class: %llx %s: capstone "
						"rule %s/%#x/%u, rv_decode "
						"%s/%#x/%u\n",
						(unsigned long long)d->addr,
						d->mnemonic,
						insn_class_name(
							(enum insn_class)
								d->cls),
						d->flags, d->mem_width,
						insn_class_name(rv.cls),
						rv.flags, rv.mem_width);
			}
		}
	}
	printf("%-80s %7zu insns, %7zu agree with objdump; capstone %zu, "
	       "fallback %zu, unknown %zu\n",
	       path, c.insns, c.agree, c.by[INSN_BY_CAPSTONE],
	       c.by[INSN_BY_FALLBACK], c.by[INSN_BY_UNKNOWN]);
	total->insns += c.insns;
	total->agree += c.agree;
	total->cls_disagree += c.cls_disagree;
	total->ops_agree += c.ops_agree;
	total->ref += c.ref;
	total->normalised += c.normalised;
	for (unsigned i = 0; i < INSN_DECODER_NR; i++)
		total->by[i] += c.by[i];
	free(buf);
	free(ref.v);
	disasm_free(ctx);
	elf_image_free(img);
	return c;
}

static void fixture_programs_and_libs_match_objdump(void **state)
{
	static const char *const libs[] = {
		RV_LIBS "libc.so.6",
		RV_LIBS "libm.so.6",
		RV_LIBS "ld-linux-riscv64-lp64d.so.1",
	};
	struct counts total = {0};
	size_t o3_fallback = 0;
	glob_t g;

	(void)state;
	assert_int_equal(glob(RUNS_DIR "/*/External/SPEC/*/*/*", 0, NULL, &g),
			 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];
		const char *base = strrchr(p, '/'), *dir = base;
		struct counts c;

		/* the program is the file named like its directory */
		while (dir > p && dir[-1] != '/')
			dir--;
		if (strlen(base + 1) != (size_t)(base - dir) ||
		    strncmp(base + 1, dir, (size_t)(base - dir)))
			continue;
		c = check_binary(p, &total);
		if (strstr(p, "zba_zbb_zbs"))
			o3_fallback += c.by[INSN_BY_FALLBACK];
	}
	globfree(&g);
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		check_binary(libs[i], &total);
	printf("total: %zu instructions (objdump %zu), %zu agree with objdump "
	       "(%zu operands too) "
	       "(%zu after respelling c.addi zero/pause); by decoder: "
	       "capstone %zu, fallback %zu, unknown %zu; fallback in the O3 "
	       "programs: %zu\n",
	       total.insns, total.ref, total.agree, total.ops_agree,
	       total.normalised, total.by[INSN_BY_CAPSTONE],
	       total.by[INSN_BY_FALLBACK], total.by[INSN_BY_UNKNOWN],
	       o3_fallback);
	assert_true(total.insns > 400000);
	assert_int_equal(total.ref, total.insns);
	assert_int_equal(total.agree, total.insns);
	assert_int_equal(total.ops_agree, total.insns);
	assert_int_equal(total.by[INSN_BY_UNKNOWN], 0);
	assert_int_equal(total.cls_disagree, 0);
	/* the O3 programs use Zba/Zbb/Zbs, which only the fallback knows */
	assert_true(o3_fallback > 0);
}

/*
 * A hot block of 612.matmul_r (O3, Zba/Zbb/Zbs), main+0x190, 18
 * instructions, as objdump lists it:
 *   8b0 c.mv    8b2 addiw   8b6 min     8ba bge     8be subw
 *   8c2 add.uw  8c6 c.sdsp  8c8 sh2add  8cc c.mv    8ce c.mv
 *   8d0 c.sdsp  8d2 c.sdsp  8d4 c.sdsp  8d6 c.sdsp  8d8 c.mv
 *   8da c.mv    8dc sh2add  8e0 bge
 * Counted by hand: int-alu 7 (5 c.mv, addiw, subw), bitmanip 4 (min,
 * add.uw, 2 sh2add), store 5 (all c.sdsp, all off sp), branch-cond 2;
 * 10 compressed; 5 register moves (the c.mv); the 4 Zb* ones need the
 * fallback.
 */
static void hand_counted_block_classes(void **state)
{
	static const char prog[] =
		RUNS_DIR "/build.gcc-O3-rv64gc_zba_zbb_zbs/External/SPEC/"
			 "CFP2017rate/612.matmul_r/612.matmul_r";
	struct errbuf err;
	struct elf_image *img = elf_image_open(prog, &err);
	struct disasm *ctx;
	struct disasm_insn out[18];
	unsigned cls[INSN_CLASS_NR] = {0}, by[INSN_DECODER_NR] = {0};
	unsigned compressed = 0, stack = 0, moves = 0, bytes_used = 0;
	const uint8_t *bytes;
	size_t avail;

	(void)state;
	assert_non_null(img);
	ctx = disasm_new_for_image(img, &err);
	assert_non_null(ctx);
	bytes = elf_image_bytes(img, 0x8b0, &avail);
	assert_non_null(bytes);
	assert_int_equal(disasm_block(ctx, bytes, avail, 0x8b0, 18, out), 18);
	for (unsigned i = 0; i < 18; i++) {
		cls[out[i].cls]++;
		by[out[i].by]++;
		compressed += !!(out[i].flags & INSN_F_COMPRESSED);
		stack += !!(out[i].flags & INSN_F_STACK);
		moves += !!(out[i].flags & INSN_F_MOVE);
		bytes_used += out[i].len;
	}
	assert_int_equal(cls[INSN_INT_ALU], 7);
	assert_int_equal(cls[INSN_BITMANIP], 4);
	assert_int_equal(cls[INSN_STORE], 5);
	assert_int_equal(cls[INSN_BRANCH_COND], 2);
	assert_int_equal(compressed, 10);
	assert_int_equal(stack, 5);
	assert_int_equal(moves, 5);
	assert_int_equal(by[INSN_BY_FALLBACK], 4);
	assert_int_equal(by[INSN_BY_CAPSTONE], 14);
	assert_int_equal(bytes_used, 0x8e4 - 0x8b0);
	assert_string_equal(out[7].mnemonic, "sh2add");
	assert_string_equal(out[7].operands, "a7, a2, a5");
	assert_string_equal(out[7].ext, "Zba");
	assert_string_equal(out[6].mnemonic, "c.sdsp");
	assert_int_equal(out[6].mem_width, 8);
	/* targets are absolute: bge a6, a3, 9a2 <main+0x282> */
	assert_true(out[3].flags & INSN_F_TARGET);
	assert_int_equal(out[3].target, 0x9a2);
	/* exactly icount, even when more bytes follow */
	assert_int_equal(disasm_block(ctx, bytes, avail, 0x8b0, 3, out), 3);
	assert_int_equal(out[2].addr, 0x8b6);
	disasm_free(ctx);
	elf_image_free(img);
}

/* Undecodable words keep the block in step, and a short tail is kept. */
static void unknown_words_keep_block_in_step(void **state)
{
	/* a reserved 32-bit word (OP-IMM-32 funct3 2), c.nop, then half of
	 * an addi: 0x00000013 cut after 2 bytes */
	static const uint8_t bytes[] = {0x1b, 0x20, 0x00, 0x00,
					0x01, 0x00, 0x13, 0x00};
	struct errbuf err;
	struct disasm *ctx = disasm_new(EM_RISCV, ELFCLASS64, &err);
	struct disasm_insn out[4];

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(
		disasm_block(ctx, bytes, sizeof(bytes), 0x1000, 4, out), 3);
	assert_int_equal(out[0].by, INSN_BY_UNKNOWN);
	assert_int_equal(out[0].cls, INSN_UNKNOWN);
	assert_int_equal(out[0].len, 4);
	assert_string_equal(out[0].operands, "0x0000201b");
	assert_int_equal(out[1].addr, 0x1004);
	assert_string_equal(out[1].mnemonic, "c.nop");
	assert_int_equal(out[1].cls, INSN_NOP);
	assert_int_equal(out[2].by, INSN_BY_UNKNOWN);
	assert_int_equal(out[2].len, 2);
	disasm_free(ctx);
}

struct expect {
	const char *hex; /* instruction bytes in memory order */
	const char *mnemonic;
	enum insn_class cls;
	unsigned flags; /* expected subset of flags */
};

static void check_expect(unsigned machine, const struct expect *e, size_t n)
{
	struct errbuf err;
	struct disasm *ctx = disasm_new(machine, ELFCLASS64, &err);

	assert_non_null(ctx);
	for (size_t i = 0; i < n; i++) {
		uint8_t b[16];
		size_t len = strlen(e[i].hex) / 2;
		struct disasm_insn d;

		for (size_t k = 0; k < len; k++) {
			char two[3] = {e[i].hex[2 * k], e[i].hex[2 * k + 1], 0};

			b[k] = (uint8_t)strtoul(two, NULL, 16);
		}
		assert_int_equal(disasm_block(ctx, b, len, 0x400000, 1, &d), 1);
		if (strcmp(d.mnemonic, e[i].mnemonic) || d.cls != e[i].cls ||
		    (d.flags & e[i].flags) != e[i].flags)
			fail_msg("%s: got %s %s as %s (flags %#x), want %s as "
				 "%s (flags %#x)",
				 e[i].hex, d.mnemonic, d.operands,
				 insn_class_name((enum insn_class)d.cls),
				 d.flags, e[i].mnemonic,
				 insn_class_name(e[i].cls), e[i].flags);
		assert_int_equal(d.by, INSN_BY_CAPSTONE);
		assert_int_equal(d.len, len);
	}
	disasm_free(ctx);
}

/* DISASM.md §4's x86-64 rules on hand-assembled instructions. */
static void x86_64_classes(void **state)
{
	static const struct expect e[] = {
		{"55", "push", INSN_STORE, INSN_F_STACK},
		{"488b442408", "mov", INSN_LOAD, INSN_F_STACK},
		{"48890f", "mov", INSN_STORE, 0},
		{"e800000000", "call", INSN_CALL, INSN_F_TARGET},
		{"ffd0", "call", INSN_CALL, 0},
		{"c3", "ret", INSN_RET, 0},
		{"7500", "jne", INSN_BRANCH_COND, INSN_F_TARGET},
		{"eb00", "jmp", INSN_JUMP, INSN_F_TARGET},
		{"ffe0", "jmp", INSN_JUMP_INDIRECT, 0},
		{"0fafc1", "imul", INSN_INT_MUL, 0},
		{"48f7f1", "div", INSN_INT_DIV, 0},
		{"f00fc107", "lock xadd", INSN_ATOMIC, 0},
		{"f20f58c1", "addsd", INSN_FP_ARITH, 0},
		{"660f58c1", "addpd", INSN_V_FP, INSN_F_VECTOR},
		{"90", "nop", INSN_NOP, 0},
		{"488d0500000000", "lea", INSN_INT_ALU, 0},
		{"4889d8", "mov", INSN_INT_ALU, INSN_F_MOVE},
		{"f30fb8c1", "popcnt", INSN_BITMANIP, 0},
		{"0f05", "syscall", INSN_SYSTEM, 0},
	};

	(void)state;
	check_expect(EM_X86_64, e, sizeof(e) / sizeof(e[0]));
}

/* DISASM.md §4's AArch64 rules on hand-assembled instructions. */
static void aarch64_classes(void **state)
{
	static const struct expect e[] = {
		{"c0035fd6", "ret", INSN_RET, 0},
		{"00000094", "bl", INSN_CALL, INSN_F_TARGET},
		{"00000054", "b.eq", INSN_BRANCH_COND, INSN_F_TARGET},
		{"00000014", "b", INSN_JUMP, INSN_F_TARGET},
		{"00021fd6", "br", INSN_JUMP_INDIRECT, 0},
		{"e00740f9", "ldr", INSN_LOAD, INSN_F_STACK},
		{"200000f9", "str", INSN_STORE, 0},
		{"2000028b", "add", INSN_INT_ALU, 0},
		{"e00301aa", "mov", INSN_INT_ALU, INSN_F_MOVE},
		{"207c029b", "mul", INSN_INT_MUL, 0},
		{"200cc29a", "sdiv", INSN_INT_DIV, 0},
		{"1f2003d5", "nop", INSN_NOP, 0},
		{"bf3b03d5", "dmb", INSN_FENCE, 0},
		{"010000d4", "svc", INSN_SYSTEM, 0},
		{"2028621e", "fadd", INSN_FP_ARITH, 0},
		{"41fce0c8", "casal", INSN_ATOMIC, 0},
	};

	(void)state;
	check_expect(EM_AARCH64, e, sizeof(e) / sizeof(e[0]));
}

/*
 * Every executed block of both fixture runs, in the programs and in the
 * riscv64 libc/libm/ld.so, decodes into exactly icount instructions with
 * none unknown, and the per-class dynamic counts (icount instructions,
 * each weighted by its block's ecount) add up to each benchmark's total.
 */
static void check_run_blocks(const char *root, size_t *blocks, size_t *skipped,
			     uint64_t *by_dyn)
{
	static const char *const sysroots[] = {"/usr/riscv64-linux-gnu"};
	struct run_options opts = {
		.sysroots = sysroots, .nr_sysroots = 1, .keep_blocks = true};
	struct run run = RUN_INIT;
	struct errbuf err;
	struct disasm_insn out[512];

	if (run_analyze(&run, root, &opts, &err) < 0)
		fail_msg("%s", err.msg);
	for (size_t b = 0; b < run.nr_benchmarks; b++) {
		const struct benchmark *bm = &run.benchmarks[b];
		uint64_t cls_sum[INSN_CLASS_NR] = {0}, total = 0;
		struct elf_image **imgs = calloc(bm->nr_objects, sizeof(*imgs));
		struct disasm **ctxs = calloc(bm->nr_objects, sizeof(*ctxs));

		for (size_t i = 0; i < bm->nr_blocks; i++) {
			const struct block_total *bt = &bm->blocks[i];
			const struct object_total *obj =
				&bm->objects[bt->object];
			struct elf_image *img = imgs[bt->object];
			struct disasm *ctx;
			const uint8_t *bytes;
			size_t avail;

			if (!obj->elf) { /* [unmapped], vdso: nothing to read */
				(*skipped)++;
				continue;
			}
			if (!img) {
				char *path = obj->elf[0] == '/'
						     ? strdup(obj->elf)
						     : tu_path(root, obj->elf);

				img = imgs[bt->object] =
					elf_image_open(path, &err);
				if (!img)
					fail_msg("%s", err.msg);
				free(path);
				ctxs[bt->object] =
					disasm_new_for_image(img, &err);
				assert_non_null(ctxs[bt->object]);
			}
			ctx = ctxs[bt->object];
			bytes = elf_image_bytes(img, bt->addr, &avail);
			assert_non_null(bytes);
			assert_true(bt->icount <= 512);
			assert_int_equal(disasm_block(ctx, bytes, avail,
						      bt->addr, bt->icount,
						      out),
					 bt->icount);
			for (unsigned k = 0; k < bt->icount; k++) {
				assert_int_not_equal(out[k].by,
						     INSN_BY_UNKNOWN);
				cls_sum[out[k].cls] += bt->ecount;
				by_dyn[out[k].by] += bt->ecount;
			}
			(*blocks)++;
		}
		for (unsigned c = 0; c < INSN_CLASS_NR; c++)
			total += cls_sum[c];
		/* blocks of objects without an ELF are not decodable */
		for (size_t i = 0; i < bm->nr_blocks; i++)
			if (!bm->objects[bm->blocks[i].object].elf)
				total += bm->blocks[i].icount *
					 bm->blocks[i].ecount;
		assert_int_equal(total, bm->instructions);
		for (size_t o = 0; o < bm->nr_objects; o++) {
			disasm_free(ctxs[o]);
			elf_image_free(imgs[o]);
		}
		free(ctxs);
		free(imgs);
	}
	run_release(&run);
}

static void executed_blocks_all_decode(void **state)
{
	size_t blocks = 0, skipped = 0;
	uint64_t by[INSN_DECODER_NR] = {0};

	(void)state;
	check_run_blocks(RUNS_DIR "/build.gcc-O2-rv64gc", &blocks, &skipped,
			 by);
	check_run_blocks(RUNS_DIR "/build.gcc-O3-rv64gc_zba_zbb_zbs", &blocks,
			 &skipped, by);
	printf("executed blocks: %zu decoded, %zu without an ELF (vdso, "
	       "unmapped); dynamic instructions by "
	       "decoder: capstone %llu, fallback %llu, unknown %llu\n",
	       blocks, skipped, (unsigned long long)by[INSN_BY_CAPSTONE],
	       (unsigned long long)by[INSN_BY_FALLBACK],
	       (unsigned long long)by[INSN_BY_UNKNOWN]);
	assert_true(blocks > 0);
	assert_int_equal(by[INSN_BY_UNKNOWN], 0);
	assert_true(by[INSN_BY_FALLBACK] > 0);
}

/*
 * x86-64 and AArch64 on real code, against GNU objdump: for x86-64 this
 * test program itself (gcc's code, libc's startup, the PLT), for AArch64
 * Debian's arm64 cross libc.  Our decoder must start an instruction at
 * every address objdump lists, and where objdump's text settles the class
 * (the rules below, from the mnemonic and operand text alone), ours must
 * agree.  Everything else is only checked for its length.
 */
struct real_ref {
	uint64_t addr;
	int cls; /* expected class, or -1 */
	char text[48];
};

/* A prefix objdump prints before an x86 mnemonic ("cs nop", "bnd jmp"). */
static bool x86_prefix(const char *mn)
{
	static const char *const prefixes[] = {
		"cs",	  "ds",	    "ss",   "es",      "fs",   "gs",
		"data16", "addr32", "bnd",  "notrack", "lock", "rep",
		"repz",	  "repnz",  "repe", "repne",   NULL};

	for (size_t i = 0; prefixes[i]; i++)
		if (!strcmp(mn, prefixes[i]))
			return true;
	return false;
}

static int x86_expected(const char *mn, const char *ops)
{
	const char *comma = strchr(ops, ','), *ptr = strstr(ops, "PTR");

	if (!strcmp(mn, "call"))
		return INSN_CALL;
	if (!strcmp(mn, "ret"))
		return INSN_RET;
	if (!strcmp(mn, "jmp"))
		return isxdigit((unsigned char)ops[0]) && strstr(ops, " <")
			       ? INSN_JUMP
			       : INSN_JUMP_INDIRECT;
	if (mn[0] == 'j')
		return INSN_BRANCH_COND;
	if (!strcmp(mn, "nop") || !strcmp(mn, "endbr64"))
		return INSN_NOP;
	if (!strcmp(mn, "mul") || !strcmp(mn, "imul"))
		return INSN_INT_MUL;
	if (!strcmp(mn, "div") || !strcmp(mn, "idiv"))
		return INSN_INT_DIV;
	if ((!strcmp(mn, "mov") || !strcmp(mn, "movzx") ||
	     !strcmp(mn, "movsx") || !strcmp(mn, "movsxd")) &&
	    ptr)
		return comma && ptr < comma ? INSN_STORE : INSN_LOAD;
	return -1;
}

/* An AArch64 general register operand first: "x3, ..." or "w3, ...". */
static bool a64_gpr_first(const char *ops)
{
	return (ops[0] == 'x' || ops[0] == 'w') &&
	       (isdigit((unsigned char)ops[1]) || !strncmp(ops + 1, "zr", 2));
}

static int a64_expected(const char *mn, const char *ops)
{
	static const char *const loads[] = {
		"ldr",	 "ldrb",   "ldrh",   "ldrsb",  "ldrsh",
		"ldrsw", "ldp",	   "ldpsw",  "ldur",   "ldurb",
		"ldurh", "ldursb", "ldursh", "ldursw", NULL};
	static const char *const stores[] = {"str",  "strb",  "strh",  "stp",
					     "stur", "sturb", "sturh", NULL};

	if (!strcmp(mn, "bl") || !strcmp(mn, "blr"))
		return INSN_CALL;
	if (!strcmp(mn, "ret"))
		return INSN_RET;
	if (!strcmp(mn, "b"))
		return INSN_JUMP;
	if (!strcmp(mn, "br"))
		return INSN_JUMP_INDIRECT;
	if (!strncmp(mn, "b.", 2) || !strcmp(mn, "cbz") ||
	    !strcmp(mn, "cbnz") || !strcmp(mn, "tbz") || !strcmp(mn, "tbnz"))
		return INSN_BRANCH_COND;
	if (!strcmp(mn, "nop"))
		return INSN_NOP;
	if (!strcmp(mn, "mul") || !strcmp(mn, "madd") || !strcmp(mn, "msub") ||
	    !strcmp(mn, "smull") || !strcmp(mn, "umull") ||
	    !strcmp(mn, "smulh") || !strcmp(mn, "umulh"))
		return INSN_INT_MUL;
	if (!strcmp(mn, "sdiv") || !strcmp(mn, "udiv"))
		return INSN_INT_DIV;
	for (size_t i = 0; loads[i]; i++)
		if (!strcmp(mn, loads[i]) && a64_gpr_first(ops))
			return INSN_LOAD;
	for (size_t i = 0; stores[i]; i++)
		if (!strcmp(mn, stores[i]) && a64_gpr_first(ops))
			return INSN_STORE;
	return -1;
}

static void real_code_matches_objdump(const char *path, const char *objdump,
				      enum disasm_arch arch,
				      int (*expected)(const char *,
						      const char *))
{
	static const int must[] = {
		INSN_CALL,	    INSN_RET,	      INSN_JUMP,
		INSN_JUMP_INDIRECT, INSN_BRANCH_COND, INSN_NOP,
		INSN_INT_MUL,	    INSN_LOAD,	      INSN_STORE};
	char cmd[4200], line[512];
	struct real_ref *ref = NULL;
	size_t nref = 0, aref = 0, ours = 0, checked[INSN_CLASS_NR] = {0};
	struct disasm_insn out[64];
	struct errbuf err;
	struct elf_image *img;
	struct disasm *ctx;
	size_t r = 0, bad = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s -d -z -w --no-show-raw-insn '%s'",
		 objdump, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = line, *end, *mn, *ops;
		uint64_t addr;

		while (*s == ' ')
			s++;
		addr = strtoull(s, &end, 16);
		if (end == s || *end != ':' || end[1] != '\t')
			continue;
		s = end + 2;
		s[strcspn(s, "\n")] = '\0';
		if (nref == aref) {
			aref = aref ? 2 * aref : 8192;
			ref = realloc(ref, aref * sizeof(*ref));
			assert_non_null(ref);
		}
		ref[nref].addr = addr;
		snprintf(ref[nref].text, sizeof(ref[nref].text), "%s", s);
		/* the mnemonic, after any prefixes, then the operands */
		for (mn = s;; mn = ops) {
			mn += strspn(mn, " \t");
			ops = mn + strcspn(mn, " \t");
			if (*ops)
				*ops++ = '\0';
			ops += strspn(ops, " \t");
			if (!x86_prefix(mn) || !*ops)
				break;
		}
		ref[nref++].cls = expected(mn, ops);
	}
	assert_int_equal(pclose(p), 0);
	assert_true(nref > 10000);

	img = elf_image_open(path, &err);
	assert_non_null(img);
	ctx = disasm_new_for_image(img, &err);
	assert_non_null(ctx);
	assert_int_equal(disasm_arch(ctx), arch);
	for (size_t si = 0; si < img->nr_secs; si++) {
		uint64_t va = img->secs[si].addr, end = va + img->secs[si].size;

		while (img->secs[si].exec && va < end) {
			size_t avail, k;
			const uint8_t *b = elf_image_bytes(img, va, &avail);

			assert_non_null(b);
			if (avail > end - va)
				avail = (size_t)(end - va);
			k = disasm_block(ctx, b, avail, va, 64, out);
			assert_true(k > 0);
			for (size_t i = 0; i < k; i++, ours++) {
				/* objdump's next instruction at or after it */
				while (r < nref && ref[r].addr < out[i].addr) {
					if (bad++ < 10)
						print_message(
							"no instruction of "
							"ours at %llx "
							"(objdump: %s)\n",
							(unsigned long long)
								ref[r]
									.addr,
							ref[r].text);
					r++;
				}
				if (r == nref || ref[r].addr != out[i].addr)
					continue; /* a section objdump skips */
				if (ref[r].cls >= 0) {
					if (out[i].cls != ref[r].cls &&
					    bad++ < 10)
						print_message(
							"%llx '%s': ours %s, "
							"objdump's text says "
							"%s\n",
							(unsigned long long)
								ref[r]
									.addr,
							ref[r].text,
							insn_class_name(
								out[i].cls),
							insn_class_name(
								(unsigned)ref[r]
									.cls));
					checked[ref[r].cls]++;
				}
				r++;
				va = out[i].addr + out[i].len;
			}
		}
	}
	print_message("%s: %zu instructions (objdump %zu); classes checked: "
		      "call %zu, ret %zu, jump %zu/%zu, branch-cond %zu, nop "
		      "%zu, mul %zu, div %zu, load %zu, store %zu; %zu "
		      "disagreements\n",
		      path, ours, nref, checked[INSN_CALL], checked[INSN_RET],
		      checked[INSN_JUMP], checked[INSN_JUMP_INDIRECT],
		      checked[INSN_BRANCH_COND], checked[INSN_NOP],
		      checked[INSN_INT_MUL], checked[INSN_INT_DIV],
		      checked[INSN_LOAD], checked[INSN_STORE], bad);
	assert_int_equal(bad, 0);
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		assert_true(checked[must[i]] >= 5);
	disasm_free(ctx);
	elf_image_free(img);
	free(ref);
}

static void x86_64_real_code_matches_objdump(void **state)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)state;
	assert_true(n > 0);
	self[n] = '\0';
	real_code_matches_objdump(self, "objdump -M intel", DISASM_X86_64,
				  x86_expected);
}

static void aarch64_real_code_matches_objdump(void **state)
{
	(void)state;
	real_code_matches_objdump(A64_LIBC, "aarch64-linux-gnu-objdump",
				  DISASM_AARCH64, a64_expected);
}

/*
 * A bare ELF header (no program headers, sections or symbols), the first
 * input libFuzzer found: elf_image sorted its empty, NULL section list
 * with qsort, undefined behaviour that UBSan reports in the ASan build.
 * It opens, and holds nothing.
 */
static void bare_elf_header_opens_empty(void **state)
{
	Elf64_Ehdr eh = {0};
	char *dir = tu_mkdtemp(), *path = tu_path(dir, "bare");
	struct errbuf err;
	struct elf_image *img;

	(void)state;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_RISCV;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	tu_write(path, (const char *)&eh, sizeof(eh));
	img = elf_image_open(path, &err);
	assert_non_null(img);
	assert_int_equal(img->nr_loads, 0);
	assert_int_equal(img->nr_secs, 0);
	assert_int_equal(img->nr_syms, 0);
	assert_null(elf_image_symbol(img, 0x10000));
	assert_null(elf_image_section(img, 0x10000));
	elf_image_free(img);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_counted_block_classes),
		cmocka_unit_test(bare_elf_header_opens_empty),
		cmocka_unit_test(x86_64_real_code_matches_objdump),
		cmocka_unit_test(aarch64_real_code_matches_objdump),
		cmocka_unit_test(unknown_words_keep_block_in_step),
		cmocka_unit_test(x86_64_classes),
		cmocka_unit_test(aarch64_classes),
		cmocka_unit_test(fixture_programs_and_libs_match_objdump),
		cmocka_unit_test(executed_blocks_all_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
