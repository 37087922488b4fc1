/* SPDX-License-Identifier: MIT */
/*
 * A RISC-V decoder written from the specifications; see rvdecode.h.
 *
 * The decoder is a switch on the major opcode followed by small tables
 * (OP/OP-32 by funct7 and funct3, the vector funct6 tables).  Text is built
 * in the caller's struct with a bounded appender, never with snprintf, so
 * decoding a word costs a few hundred instructions and no allocation.
 *
 * Field names follow the specifications: rd = w[11:7], rs1 = w[19:15],
 * rs2 = w[24:20], rs3 = w[31:27], funct3 = w[14:12], funct7 = w[31:25],
 * funct6 = w[31:26], vm = w[25].
 */
#include "rvdecode.h"

#include <stdbool.h>
#include <string.h>

#include "banned.h"

static const char *const xreg[32] = {
	"zero", "ra", "sp", "gp", "tp",	 "t0",	"t1", "t2", "s0", "s1", "a0",
	"a1",	"a2", "a3", "a4", "a5",	 "a6",	"a7", "s2", "s3", "s4", "s5",
	"s6",	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const freg[32] = {
	"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
	"fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
	"fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
	"fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

static const char *const vreg[32] = {
	"v0",  "v1",  "v2",  "v3",  "v4",  "v5",  "v6",	 "v7",
	"v8",  "v9",  "v10", "v11", "v12", "v13", "v14", "v15",
	"v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",
	"v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31",
};

/* Rounding modes; NULL marks the reserved values 101 and 110. */
static const char *const rm_name[8] = {
	"rne", "rtz", "rdn", "rup", "rmm", NULL, NULL, "dyn",
};

/* Operand text under construction: in->operands[0..n). */
struct fmt {
	struct rv_insn *in;
	unsigned n;
};

#define REG_SP 2
#define REG_RA 1

static void put(struct fmt *f, const char *s)
{
	size_t cap = sizeof(f->in->operands) - 1;

	while (*s && f->n < cap)
		f->in->operands[f->n++] = *s++;
	f->in->operands[f->n] = '\0';
}

static void sep(struct fmt *f)
{
	if (f->n)
		put(f, ", ");
}

static void put_uhex(struct fmt *f, uint64_t v)
{
	char tmp[24];
	unsigned i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	put(f, tmp + i);
}

static void put_shex(struct fmt *f, int64_t v)
{
	if (v < 0) {
		put(f, "-");
		put_uhex(f, (uint64_t)0 - (uint64_t)v);
	} else {
		put_uhex(f, (uint64_t)v);
	}
}

static void op_s(struct fmt *f, const char *s)
{
	sep(f);
	put(f, s);
}

static void op_x(struct fmt *f, unsigned r)
{
	op_s(f, xreg[r & 31]);
}

static void op_f(struct fmt *f, unsigned r)
{
	op_s(f, freg[r & 31]);
}

static void op_v(struct fmt *f, unsigned r)
{
	op_s(f, vreg[r & 31]);
}

static void op_imm(struct fmt *f, int64_t v)
{
	sep(f);
	put_shex(f, v);
}

static void op_uimm(struct fmt *f, uint64_t v)
{
	sep(f);
	put_uhex(f, v);
}

/* "off(reg)" as in loads and stores. */
static void op_mem(struct fmt *f, int64_t off, unsigned r)
{
	sep(f);
	put_shex(f, off);
	put(f, "(");
	put(f, xreg[r & 31]);
	put(f, ")");
}

/* "(reg)" as in atomics, cbo.* and vector memory operands. */
static void op_paren(struct fmt *f, unsigned r)
{
	sep(f);
	put(f, "(");
	put(f, xreg[r & 31]);
	put(f, ")");
}

static void op_vm(struct fmt *f, unsigned vm)
{
	if (!vm)
		op_s(f, "v0.t");
}

static void op_rm(struct fmt *f, unsigned rm)
{
	op_s(f, rm_name[rm & 7]);
}

/* Append s to the mnemonic. */
static void mn_app(struct rv_insn *in, const char *s)
{
	size_t n = strlen(in->mnemonic), cap = sizeof(in->mnemonic) - 1;

	while (s && *s && n < cap)
		in->mnemonic[n++] = *s++;
	in->mnemonic[n] = '\0';
}

static void mn(struct rv_insn *in, const char *a)
{
	in->mnemonic[0] = '\0';
	mn_app(in, a);
}

/* The mnemonic a.b.c from up to three parts (NULL parts are skipped). */
static void mn3(struct rv_insn *in, const char *a, const char *b, const char *c)
{
	mn(in, a);
	mn_app(in, b);
	mn_app(in, c);
}

static void set(struct rv_insn *in, enum insn_class cls, const char *ext,
		unsigned width)
{
	in->cls = cls;
	in->ext = ext;
	in->mem_width = width;
}

static int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = (uint64_t)1 << (bits - 1);

	v &= ((uint64_t)1 << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

static unsigned bits(uint32_t w, unsigned hi, unsigned lo)
{
	return (w >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static uint64_t pc_target(uint64_t pc, int64_t off, unsigned xlen)
{
	uint64_t t = pc + (uint64_t)off;

	return xlen == 32 ? t & 0xffffffffu : t;
}

static void set_target(struct rv_insn *in, struct fmt *f, uint64_t pc,
		       int64_t off, unsigned xlen)
{
	in->target = pc_target(pc, off, xlen);
	in->flags |= INSN_F_TARGET;
	op_uimm(f, in->target);
}

/* ---- compressed ------------------------------------------------------ */

static unsigned c_load(struct rv_insn *in, struct fmt *f, const char *name,
		       bool fp, unsigned rd, unsigned off, unsigned base,
		       unsigned width)
{
	mn(in, name);
	if (fp)
		op_f(f, rd);
	else
		op_x(f, rd);
	op_mem(f, off, base);
	set(in, fp ? INSN_FP_LOAD : INSN_LOAD, "C", width);
	if (base == REG_SP)
		in->flags |= INSN_F_STACK;
	return 2;
}

static unsigned c_store(struct rv_insn *in, struct fmt *f, const char *name,
			bool fp, unsigned rs2, unsigned off, unsigned base,
			unsigned width)
{
	c_load(in, f, name, fp, rs2, off, base, width);
	in->cls = fp ? INSN_FP_STORE : INSN_STORE;
	return 2;
}

/* Quadrant 0, funct3 100: the Zcb loads and stores. */
static unsigned c_zcb_mem(uint16_t w, struct rv_insn *in, struct fmt *f)
{
	unsigned rdp = 8 + bits(w, 4, 2), rs1p = 8 + bits(w, 9, 7);
	unsigned f6 = bits(w, 15, 10), b6 = bits(w, 6, 6), b5 = bits(w, 5, 5);
	unsigned uimm_h = b5 << 1;
	const char *name;
	enum insn_class cls = INSN_LOAD;
	unsigned width = 2, uimm = uimm_h;

	switch (f6) {
	case 0x20:
		name = "c.lbu";
		width = 1;
		uimm = b6 | b5 << 1;
		break;
	case 0x21:
		name = b6 ? "c.lh" : "c.lhu";
		break;
	case 0x22:
		name = "c.sb";
		cls = INSN_STORE;
		width = 1;
		uimm = b6 | b5 << 1;
		break;
	case 0x23:
		if (b6)
			return 0;
		name = "c.sh";
		cls = INSN_STORE;
		break;
	default:
		return 0;
	}
	mn(in, name);
	op_x(f, rdp);
	op_mem(f, uimm, rs1p);
	set(in, cls, "Zcb", width);
	return 2;
}

/* Quadrant 1, funct3 100: shifts, andi, register ALU ops, Zcb unary. */
static unsigned c_alu(uint16_t w, unsigned xlen, struct rv_insn *in,
		      struct fmt *f)
{
	unsigned rdp = 8 + bits(w, 9, 7), rs2p = 8 + bits(w, 4, 2);
	unsigned b12 = bits(w, 12, 12), f2 = bits(w, 11, 10);
	unsigned shamt = b12 << 5 | bits(w, 6, 2);
	static const char *const rr[2][4] = {
		{"c.sub", "c.xor", "c.or", "c.and"},
		{"c.subw", "c.addw", "c.mul", NULL},
	};
	static const char *const unary[8] = {
		"c.zext.b", "c.sext.b", "c.zext.h", "c.sext.h",
		"c.zext.w", "c.not",	NULL,	    NULL,
	};
	unsigned sel = bits(w, 6, 5);

	switch (f2) {
	case 0:
	case 1:
		if (xlen == 32 && b12)
			return 0;
		if (!shamt) {
			mn(in, f2 ? "c.srai64" : "c.srli64");
			op_x(f, rdp);
		} else {
			mn(in, f2 ? "c.srai" : "c.srli");
			op_x(f, rdp);
			op_uimm(f, shamt);
		}
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	case 2:
		mn(in, "c.andi");
		op_x(f, rdp);
		op_imm(f, sext(shamt, 6));
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	}
	if (b12 && sel == 3) {
		const char *name = unary[bits(w, 4, 2)];

		if (!name || (xlen == 32 && bits(w, 4, 2) == 4))
			return 0;
		mn(in, name);
		op_x(f, rdp);
		/*
		 * c.zext.b (andi) and c.not (xori) expand to base
		 * instructions; the other four expand to Zbb/Zba ones, so
		 * they count as bit manipulation like their 32-bit forms.
		 */
		sel = bits(w, 4, 2);
		set(in, (sel == 0 || sel == 5) ? INSN_INT_ALU : INSN_BITMANIP,
		    "Zcb", 0);
		return 2;
	}
	if (b12 && xlen == 32 && sel < 2)
		return 0;
	mn(in, rr[b12][sel]);
	op_x(f, rdp);
	op_x(f, rs2p);
	if (b12 && sel == 2)
		set(in, INSN_INT_MUL, "Zcb", 0);
	else
		set(in, INSN_INT_ALU, "C", 0);
	return 2;
}

static unsigned c_q2_misc(uint16_t w, struct rv_insn *in, struct fmt *f)
{
	unsigned rd = bits(w, 11, 7), rs2 = bits(w, 6, 2);

	if (!bits(w, 12, 12)) {
		if (!rs2) {
			if (!rd)
				return 0;
			mn(in, "c.jr");
			op_x(f, rd);
			set(in, rd == REG_RA ? INSN_RET : INSN_JUMP_INDIRECT,
			    "C", 0);
			return 2;
		}
		mn(in, "c.mv");
		op_x(f, rd);
		op_x(f, rs2);
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	}
	if (!rs2) {
		if (!rd) {
			mn(in, "c.ebreak");
			set(in, INSN_SYSTEM, "C", 0);
			return 2;
		}
		mn(in, "c.jalr");
		op_x(f, rd);
		set(in, INSN_CALL, "C", 0);
		return 2;
	}
	mn(in, "c.add");
	op_x(f, rd);
	op_x(f, rs2);
	/* c.add x0, x2..x5 are the Zihintntl hints c.ntl.* */
	set(in, INSN_INT_ALU, (!rd && rs2 >= 2 && rs2 <= 5) ? "Zihintntl" : "C",
	    0);
	return 2;
}

static unsigned decode16(uint16_t w, unsigned xlen, uint64_t pc,
			 struct rv_insn *in, struct fmt *f)
{
	unsigned rd = bits(w, 11, 7), rs2 = bits(w, 6, 2);
	unsigned rdp = 8 + bits(w, 4, 2), rs1p = 8 + bits(w, 9, 7);
	unsigned imm6 = bits(w, 12, 12) << 5 | bits(w, 6, 2);
	unsigned off;
	int64_t simm;

	in->flags |= INSN_F_COMPRESSED;
	switch (bits(w, 1, 0) << 3 | bits(w, 15, 13)) {
	case 000: /* c.addi4spn */
		if (!w) {
			mn(in, "c.unimp");
			set(in, INSN_SYSTEM, "C", 0);
			return 2;
		}
		off = bits(w, 12, 11) << 4 | bits(w, 10, 7) << 6 |
		      bits(w, 6, 6) << 2 | bits(w, 5, 5) << 3;
		if (!off)
			return 0;
		mn(in, "c.addi4spn");
		op_x(f, rdp);
		op_x(f, REG_SP);
		op_uimm(f, off);
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	case 001:
		off = bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6;
		return c_load(in, f, "c.fld", true, rdp, off, rs1p, 8);
	case 002:
		off = bits(w, 12, 10) << 3 | bits(w, 6, 6) << 2 |
		      bits(w, 5, 5) << 6;
		return c_load(in, f, "c.lw", false, rdp, off, rs1p, 4);
	case 003:
		if (xlen == 32) {
			off = bits(w, 12, 10) << 3 | bits(w, 6, 6) << 2 |
			      bits(w, 5, 5) << 6;
			return c_load(in, f, "c.flw", true, rdp, off, rs1p, 4);
		}
		off = bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6;
		return c_load(in, f, "c.ld", false, rdp, off, rs1p, 8);
	case 004:
		return c_zcb_mem(w, in, f);
	case 005:
		off = bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6;
		return c_store(in, f, "c.fsd", true, rdp, off, rs1p, 8);
	case 006:
		off = bits(w, 12, 10) << 3 | bits(w, 6, 6) << 2 |
		      bits(w, 5, 5) << 6;
		return c_store(in, f, "c.sw", false, rdp, off, rs1p, 4);
	case 007:
		if (xlen == 32) {
			off = bits(w, 12, 10) << 3 | bits(w, 6, 6) << 2 |
			      bits(w, 5, 5) << 6;
			return c_store(in, f, "c.fsw", true, rdp, off, rs1p, 4);
		}
		off = bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6;
		return c_store(in, f, "c.sd", false, rdp, off, rs1p, 8);

	case 010: /* c.addi, c.nop */
		simm = sext(imm6, 6);
		if (!rd) {
			mn(in, "c.nop");
			if (simm)
				op_imm(f, simm);
			set(in, INSN_NOP, "C", 0);
			return 2;
		}
		mn(in, "c.addi");
		op_x(f, rd);
		op_imm(f, simm);
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	case 011:
		if (xlen == 32) {
			simm = sext(
				bits(w, 12, 12) << 11 | bits(w, 11, 11) << 4 |
					bits(w, 10, 9) << 8 |
					bits(w, 8, 8) << 10 |
					bits(w, 7, 7) << 6 |
					bits(w, 6, 6) << 7 |
					bits(w, 5, 3) << 1 | bits(w, 2, 2) << 5,
				12);
			mn(in, "c.jal");
			set_target(in, f, pc, simm, xlen);
			set(in, INSN_CALL, "C", 0);
			return 2;
		}
		if (!rd)
			return 0;
		mn(in, "c.addiw");
		op_x(f, rd);
		op_imm(f, sext(imm6, 6));
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	case 012:
		mn(in, "c.li");
		op_x(f, rd);
		op_imm(f, sext(imm6, 6));
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	case 013:
		if (rd == REG_SP) {
			simm = sext(bits(w, 12, 12) << 9 | bits(w, 6, 6) << 4 |
					    bits(w, 5, 5) << 6 |
					    bits(w, 4, 3) << 7 |
					    bits(w, 2, 2) << 5,
				    10);
			if (!simm)
				return 0;
			mn(in, "c.addi16sp");
			op_x(f, REG_SP);
			op_imm(f, simm);
			set(in, INSN_INT_ALU, "C", 0);
			return 2;
		}
		/*
		 * nzimm == 0 is reserved by the specification, but LLVM 19
		 * accepts it (see the corpus README, caveat 7).  LLVM prints
		 * the immediate as lui's 20-bit field, except for the HINT
		 * form with rd = x0, where it prints the signed 6-bit value.
		 */
		mn(in, "c.lui");
		op_x(f, rd);
		if (rd)
			op_uimm(f, (uint64_t)sext(imm6, 6) & 0xfffff);
		else
			op_imm(f, sext(imm6, 6));
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	case 014:
		return c_alu(w, xlen, in, f);
	case 015:
		simm = sext(bits(w, 12, 12) << 11 | bits(w, 11, 11) << 4 |
				    bits(w, 10, 9) << 8 | bits(w, 8, 8) << 10 |
				    bits(w, 7, 7) << 6 | bits(w, 6, 6) << 7 |
				    bits(w, 5, 3) << 1 | bits(w, 2, 2) << 5,
			    12);
		mn(in, "c.j");
		set_target(in, f, pc, simm, xlen);
		set(in, INSN_JUMP, "C", 0);
		return 2;
	case 016:
	case 017:
		simm = sext(bits(w, 12, 12) << 8 | bits(w, 11, 10) << 3 |
				    bits(w, 6, 5) << 6 | bits(w, 4, 3) << 1 |
				    bits(w, 2, 2) << 5,
			    9);
		mn(in, bits(w, 13, 13) ? "c.bnez" : "c.beqz");
		op_x(f, rs1p);
		set_target(in, f, pc, simm, xlen);
		set(in, INSN_BRANCH_COND, "C", 0);
		return 2;

	case 020: /* c.slli */
		if (xlen == 32 && bits(w, 12, 12))
			return 0;
		if (!imm6) {
			mn(in, "c.slli64");
			op_x(f, rd);
		} else {
			mn(in, "c.slli");
			op_x(f, rd);
			op_uimm(f, imm6);
		}
		set(in, INSN_INT_ALU, "C", 0);
		return 2;
	case 021:
		off = bits(w, 12, 12) << 5 | bits(w, 6, 5) << 3 |
		      bits(w, 4, 2) << 6;
		return c_load(in, f, "c.fldsp", true, rd, off, REG_SP, 8);
	case 022:
		if (!rd)
			return 0;
		off = bits(w, 12, 12) << 5 | bits(w, 6, 4) << 2 |
		      bits(w, 3, 2) << 6;
		return c_load(in, f, "c.lwsp", false, rd, off, REG_SP, 4);
	case 023:
		if (xlen == 32) {
			off = bits(w, 12, 12) << 5 | bits(w, 6, 4) << 2 |
			      bits(w, 3, 2) << 6;
			return c_load(in, f, "c.flwsp", true, rd, off, REG_SP,
				      4);
		}
		if (!rd)
			return 0;
		off = bits(w, 12, 12) << 5 | bits(w, 6, 5) << 3 |
		      bits(w, 4, 2) << 6;
		return c_load(in, f, "c.ldsp", false, rd, off, REG_SP, 8);
	case 024:
		return c_q2_misc(w, in, f);
	case 025:
		off = bits(w, 12, 10) << 3 | bits(w, 9, 7) << 6;
		return c_store(in, f, "c.fsdsp", true, rs2, off, REG_SP, 8);
	case 026:
		off = bits(w, 12, 9) << 2 | bits(w, 8, 7) << 6;
		return c_store(in, f, "c.swsp", false, rs2, off, REG_SP, 4);
	case 027:
		if (xlen == 32) {
			off = bits(w, 12, 9) << 2 | bits(w, 8, 7) << 6;
			return c_store(in, f, "c.fswsp", true, rs2, off, REG_SP,
				       4);
		}
		off = bits(w, 12, 10) << 3 | bits(w, 9, 7) << 6;
		return c_store(in, f, "c.sdsp", false, rs2, off, REG_SP, 8);
	}
	return 0;
}

/* ---- 32-bit integer ---------------------------------------------------- */

/*
 * OP (0x33) and OP-32 (0x3b): one row per (funct7, funct3) pair that is an
 * instruction.  `rs2_zero` rows take no rs2 and require the field to be 0.
 */
struct rtype {
	uint8_t funct7, funct3;
	uint8_t cls;
	bool rs2_zero;
	const char *name, *ext;
};

static const struct rtype op_table[] = {
	{0x00, 0, INSN_INT_ALU, false, "add", "I"},
	{0x00, 1, INSN_INT_ALU, false, "sll", "I"},
	{0x00, 2, INSN_INT_ALU, false, "slt", "I"},
	{0x00, 3, INSN_INT_ALU, false, "sltu", "I"},
	{0x00, 4, INSN_INT_ALU, false, "xor", "I"},
	{0x00, 5, INSN_INT_ALU, false, "srl", "I"},
	{0x00, 6, INSN_INT_ALU, false, "or", "I"},
	{0x00, 7, INSN_INT_ALU, false, "and", "I"},
	{0x20, 0, INSN_INT_ALU, false, "sub", "I"},
	{0x20, 5, INSN_INT_ALU, false, "sra", "I"},
	{0x01, 0, INSN_INT_MUL, false, "mul", "M"},
	{0x01, 1, INSN_INT_MUL, false, "mulh", "M"},
	{0x01, 2, INSN_INT_MUL, false, "mulhsu", "M"},
	{0x01, 3, INSN_INT_MUL, false, "mulhu", "M"},
	{0x01, 4, INSN_INT_DIV, false, "div", "M"},
	{0x01, 5, INSN_INT_DIV, false, "divu", "M"},
	{0x01, 6, INSN_INT_DIV, false, "rem", "M"},
	{0x01, 7, INSN_INT_DIV, false, "remu", "M"},
	{0x10, 2, INSN_BITMANIP, false, "sh1add", "Zba"},
	{0x10, 4, INSN_BITMANIP, false, "sh2add", "Zba"},
	{0x10, 6, INSN_BITMANIP, false, "sh3add", "Zba"},
	{0x20, 4, INSN_BITMANIP, false, "xnor", "Zbb"},
	{0x20, 6, INSN_BITMANIP, false, "orn", "Zbb"},
	{0x20, 7, INSN_BITMANIP, false, "andn", "Zbb"},
	{0x05, 1, INSN_BITMANIP, false, "clmul", "Zbc"},
	{0x05, 2, INSN_BITMANIP, false, "clmulr", "Zbc"},
	{0x05, 3, INSN_BITMANIP, false, "clmulh", "Zbc"},
	{0x05, 4, INSN_BITMANIP, false, "min", "Zbb"},
	{0x05, 5, INSN_BITMANIP, false, "minu", "Zbb"},
	{0x05, 6, INSN_BITMANIP, false, "max", "Zbb"},
	{0x05, 7, INSN_BITMANIP, false, "maxu", "Zbb"},
	{0x30, 1, INSN_BITMANIP, false, "rol", "Zbb"},
	{0x30, 5, INSN_BITMANIP, false, "ror", "Zbb"},
	{0x14, 1, INSN_BITMANIP, false, "bset", "Zbs"},
	{0x24, 1, INSN_BITMANIP, false, "bclr", "Zbs"},
	{0x24, 5, INSN_BITMANIP, false, "bext", "Zbs"},
	{0x34, 1, INSN_BITMANIP, false, "binv", "Zbs"},
	{0x04, 4, INSN_BITMANIP, false, "pack", "Zbkb"},
	{0x04, 7, INSN_BITMANIP, false, "packh", "Zbkb"},
	{0x07, 5, INSN_INT_ALU, false, "czero.eqz", "Zicond"},
	{0x07, 7, INSN_INT_ALU, false, "czero.nez", "Zicond"},
};

static const struct rtype op32_table[] = {
	{0x00, 0, INSN_INT_ALU, false, "addw", "I"},
	{0x00, 1, INSN_INT_ALU, false, "sllw", "I"},
	{0x00, 5, INSN_INT_ALU, false, "srlw", "I"},
	{0x20, 0, INSN_INT_ALU, false, "subw", "I"},
	{0x20, 5, INSN_INT_ALU, false, "sraw", "I"},
	{0x01, 0, INSN_INT_MUL, false, "mulw", "M"},
	{0x01, 4, INSN_INT_DIV, false, "divw", "M"},
	{0x01, 5, INSN_INT_DIV, false, "divuw", "M"},
	{0x01, 6, INSN_INT_DIV, false, "remw", "M"},
	{0x01, 7, INSN_INT_DIV, false, "remuw", "M"},
	{0x04, 0, INSN_BITMANIP, false, "add.uw", "Zba"},
	{0x10, 2, INSN_BITMANIP, false, "sh1add.uw", "Zba"},
	{0x10, 4, INSN_BITMANIP, false, "sh2add.uw", "Zba"},
	{0x10, 6, INSN_BITMANIP, false, "sh3add.uw", "Zba"},
	{0x30, 1, INSN_BITMANIP, false, "rolw", "Zbb"},
	{0x30, 5, INSN_BITMANIP, false, "rorw", "Zbb"},
	{0x04, 4, INSN_BITMANIP, false, "packw", "Zbkb"},
};

static unsigned dec_op(uint32_t w, bool is32, unsigned xlen, struct rv_insn *in,
		       struct fmt *f)
{
	unsigned f7 = bits(w, 31, 25), f3 = bits(w, 14, 12);
	unsigned rd = bits(w, 11, 7), rs1 = bits(w, 19, 15),
		 rs2 = bits(w, 24, 20);
	const struct rtype *t = is32 ? op32_table : op_table;
	size_t n = is32 ? sizeof(op32_table) / sizeof(op32_table[0])
			: sizeof(op_table) / sizeof(op_table[0]);

	if (is32 && xlen == 32)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].funct7 != f7 || t[i].funct3 != f3)
			continue;
		if (is32 && f7 == 0x04 && f3 == 4 && !rs2) {
			/* packw with rs2 = x0 is RV64's zext.h */
			mn(in, "zext.h");
			op_x(f, rd);
			op_x(f, rs1);
			set(in, INSN_BITMANIP, "Zbb", 0);
			return 4;
		}
		if (!is32 && f7 == 0x04 && f3 == 4 && !rs2 && xlen == 32) {
			mn(in, "zext.h");
			op_x(f, rd);
			op_x(f, rs1);
			set(in, INSN_BITMANIP, "Zbb", 0);
			return 4;
		}
		mn(in, t[i].name);
		op_x(f, rd);
		op_x(f, rs1);
		op_x(f, rs2);
		set(in, (enum insn_class)t[i].cls, t[i].ext, 0);
		/* add x0, x0, x2..x5 are the Zihintntl hints ntl.* */
		if (!is32 && !f7 && !f3 && !rd && !rs1 && rs2 >= 2 && rs2 <= 5)
			in->ext = "Zihintntl";
		return 4;
	}
	return 0;
}

static unsigned dec_op_imm(uint32_t w, unsigned xlen, struct rv_insn *in,
			   struct fmt *f)
{
	static const char *const names[8] = {
		"addi", NULL, "slti", "sltiu", "xori", NULL, "ori", "andi",
	};
	unsigned f3 = bits(w, 14, 12), rd = bits(w, 11, 7),
		 rs1 = bits(w, 19, 15);
	int64_t imm = sext(w >> 20, 12);
	unsigned shamt = xlen == 64 ? bits(w, 25, 20) : bits(w, 24, 20);
	const char *name = NULL, *ext = "Zbb";
	bool unary = false;

	if (f3 == 6 && !rd &&
	    (bits(w, 24, 20) == 0 || bits(w, 24, 20) == 1 ||
	     bits(w, 24, 20) == 3)) {
		static const char *const pf[4] = {"prefetch.i", "prefetch.r",
						  NULL, "prefetch.w"};

		mn(in, pf[bits(w, 24, 20)]);
		op_mem(f, sext(bits(w, 31, 25) << 5, 12), rs1);
		set(in, INSN_FENCE, "Zicbop", 0);
		return 4;
	}
	if (names[f3]) {
		mn(in, names[f3]);
		op_x(f, rd);
		op_x(f, rs1);
		op_imm(f, imm);
		set(in, w == 0x00000013 ? INSN_NOP : INSN_INT_ALU, "I", 0);
		return 4;
	}
	/* funct3 1 and 5: shifts and the Zbb/Zbs immediate forms. */
	if (xlen == 64) {
		unsigned f6 = bits(w, 31, 26);

		if (f3 == 1) {
			switch (f6) {
			case 0x00:
				name = "slli";
				ext = "I";
				break;
			case 0x0a:
				name = "bseti";
				ext = "Zbs";
				break;
			case 0x12:
				name = "bclri";
				ext = "Zbs";
				break;
			case 0x1a:
				name = "binvi";
				ext = "Zbs";
				break;
			case 0x18: {
				static const char *const u[8] = {
					"clz",	  "ctz",    "cpop", NULL,
					"sext.b", "sext.h", NULL,   NULL,
				};

				if (bits(w, 25, 25) || bits(w, 24, 20) >= 8)
					return 0;
				name = u[bits(w, 22, 20)];
				unary = true;
				break;
			}
			}
		} else {
			switch (f6) {
			case 0x00:
				name = "srli";
				ext = "I";
				break;
			case 0x10:
				name = "srai";
				ext = "I";
				break;
			case 0x12:
				name = "bexti";
				ext = "Zbs";
				break;
			case 0x18:
				name = "rori";
				break;
			case 0x0a:
				if (bits(w, 25, 20) == 0x07) {
					name = "orc.b";
					unary = true;
				}
				break;
			case 0x1a:
				if (bits(w, 25, 20) == 0x38) {
					name = "rev8";
					unary = true;
				} else if (bits(w, 25, 20) == 0x07) {
					name = "brev8";
					ext = "Zbkb";
					unary = true;
				}
				break;
			}
		}
	} else {
		unsigned f7 = bits(w, 31, 25);

		if (f3 == 1) {
			if (f7 == 0x00) {
				name = "slli";
				ext = "I";
			} else if (f7 == 0x14) {
				name = "bseti";
				ext = "Zbs";
			} else if (f7 == 0x24) {
				name = "bclri";
				ext = "Zbs";
			} else if (f7 == 0x34) {
				name = "binvi";
				ext = "Zbs";
			} else if (f7 == 0x30) {
				static const char *const u[8] = {
					"clz",	  "ctz",    "cpop", NULL,
					"sext.b", "sext.h", NULL,   NULL,
				};

				if (bits(w, 24, 20) >= 8)
					return 0;
				name = u[bits(w, 22, 20)];
				unary = true;
			}
		} else {
			if (f7 == 0x00) {
				name = "srli";
				ext = "I";
			} else if (f7 == 0x20) {
				name = "srai";
				ext = "I";
			} else if (f7 == 0x24) {
				name = "bexti";
				ext = "Zbs";
			} else if (f7 == 0x30) {
				name = "rori";
			} else if (bits(w, 31, 20) == 0x287) {
				name = "orc.b";
				unary = true;
			} else if (bits(w, 31, 20) == 0x698) {
				name = "rev8";
				unary = true;
			} else if (bits(w, 31, 20) == 0x687) {
				name = "brev8";
				ext = "Zbkb";
				unary = true;
			}
		}
	}
	if (!name)
		return 0;
	mn(in, name);
	op_x(f, rd);
	op_x(f, rs1);
	if (!unary)
		op_uimm(f, shamt);
	set(in, ext[0] == 'I' ? INSN_INT_ALU : INSN_BITMANIP, ext, 0);
	return 4;
}

static unsigned dec_op_imm32(uint32_t w, unsigned xlen, struct rv_insn *in,
			     struct fmt *f)
{
	unsigned f3 = bits(w, 14, 12), f7 = bits(w, 31, 25);
	unsigned rd = bits(w, 11, 7), rs1 = bits(w, 19, 15),
		 sh = bits(w, 24, 20);
	const char *name = NULL, *ext = "I";
	bool unary = false;
	unsigned shamt = sh;

	if (xlen == 32)
		return 0;
	if (f3 == 0) {
		mn(in, "addiw");
		op_x(f, rd);
		op_x(f, rs1);
		op_imm(f, sext(w >> 20, 12));
		set(in, INSN_INT_ALU, "I", 0);
		return 4;
	}
	if (f3 == 1) {
		if (f7 == 0x00) {
			name = "slliw";
		} else if ((f7 >> 1) == 0x02) {
			name = "slli.uw";
			ext = "Zba";
			shamt = bits(w, 25, 20);
		} else if (f7 == 0x30 && sh < 3) {
			static const char *const u[3] = {"clzw", "ctzw",
							 "cpopw"};

			name = u[sh];
			ext = "Zbb";
			unary = true;
		}
	} else if (f3 == 5) {
		if (f7 == 0x00)
			name = "srliw";
		else if (f7 == 0x20)
			name = "sraiw";
		else if (f7 == 0x30) {
			name = "roriw";
			ext = "Zbb";
		}
	}
	if (!name)
		return 0;
	mn(in, name);
	op_x(f, rd);
	op_x(f, rs1);
	if (!unary)
		op_uimm(f, shamt);
	set(in, ext[0] == 'I' ? INSN_INT_ALU : INSN_BITMANIP, ext, 0);
	return 4;
}

static unsigned dec_load(uint32_t w, unsigned xlen, struct rv_insn *in,
			 struct fmt *f)
{
	static const char *const names[8] = {"lb",  "lh",  "lw",  "ld",
					     "lbu", "lhu", "lwu", NULL};
	static const uint8_t width[8] = {1, 2, 4, 8, 1, 2, 4, 0};
	unsigned f3 = bits(w, 14, 12), rs1 = bits(w, 19, 15);

	if (!names[f3] || (xlen == 32 && (f3 == 3 || f3 == 6)))
		return 0;
	mn(in, names[f3]);
	op_x(f, bits(w, 11, 7));
	op_mem(f, sext(w >> 20, 12), rs1);
	set(in, INSN_LOAD, "I", width[f3]);
	if (rs1 == REG_SP)
		in->flags |= INSN_F_STACK;
	return 4;
}

static int64_t s_imm(uint32_t w)
{
	return sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12);
}

static unsigned dec_store(uint32_t w, unsigned xlen, struct rv_insn *in,
			  struct fmt *f)
{
	static const char *const names[4] = {"sb", "sh", "sw", "sd"};
	unsigned f3 = bits(w, 14, 12), rs1 = bits(w, 19, 15);

	if (f3 > 3 || (xlen == 32 && f3 == 3))
		return 0;
	mn(in, names[f3]);
	op_x(f, bits(w, 24, 20));
	op_mem(f, s_imm(w), rs1);
	set(in, INSN_STORE, "I", 1u << f3);
	if (rs1 == REG_SP)
		in->flags |= INSN_F_STACK;
	return 4;
}

static unsigned dec_branch(uint32_t w, unsigned xlen, uint64_t pc,
			   struct rv_insn *in, struct fmt *f)
{
	static const char *const names[8] = {"beq", "bne", NULL,   NULL,
					     "blt", "bge", "bltu", "bgeu"};
	unsigned f3 = bits(w, 14, 12);
	int64_t off = sext(bits(w, 31, 31) << 12 | bits(w, 30, 25) << 5 |
				   bits(w, 11, 8) << 1 | bits(w, 7, 7) << 11,
			   13);

	if (!names[f3])
		return 0;
	mn(in, names[f3]);
	op_x(f, bits(w, 19, 15));
	op_x(f, bits(w, 24, 20));
	set_target(in, f, pc, off, xlen);
	set(in, INSN_BRANCH_COND, "I", 0);
	return 4;
}

static unsigned dec_jal(uint32_t w, unsigned xlen, uint64_t pc,
			struct rv_insn *in, struct fmt *f)
{
	unsigned rd = bits(w, 11, 7);
	int64_t off =
		sext(bits(w, 31, 31) << 20 | bits(w, 30, 21) << 1 |
			     bits(w, 20, 20) << 11 | bits(w, 19, 12) << 12,
		     21);

	mn(in, "jal");
	op_x(f, rd);
	set_target(in, f, pc, off, xlen);
	set(in, rd ? INSN_CALL : INSN_JUMP, "I", 0);
	return 4;
}

static unsigned dec_jalr(uint32_t w, struct rv_insn *in, struct fmt *f)
{
	unsigned rd = bits(w, 11, 7), rs1 = bits(w, 19, 15);
	int64_t imm = sext(w >> 20, 12);
	enum insn_class cls;

	if (bits(w, 14, 12))
		return 0;
	mn(in, "jalr");
	op_x(f, rd);
	op_mem(f, imm, rs1);
	if (rd)
		cls = INSN_CALL;
	else if (rs1 == REG_RA && !imm)
		cls = INSN_RET;
	else
		cls = INSN_JUMP_INDIRECT;
	set(in, cls, "I", 0);
	return 4;
}

static void put_fence_set(struct fmt *f, unsigned s)
{
	char tmp[5];
	unsigned n = 0;

	if (s & 8)
		tmp[n++] = 'i';
	if (s & 4)
		tmp[n++] = 'o';
	if (s & 2)
		tmp[n++] = 'r';
	if (s & 1)
		tmp[n++] = 'w';
	if (!n)
		tmp[n++] = '0';
	tmp[n] = '\0';
	op_s(f, tmp);
}

static unsigned dec_misc_mem(uint32_t w, struct rv_insn *in, struct fmt *f)
{
	unsigned f3 = bits(w, 14, 12), rd = bits(w, 11, 7),
		 rs1 = bits(w, 19, 15);
	unsigned fm = bits(w, 31, 28), pred = bits(w, 27, 24),
		 succ = bits(w, 23, 20);

	switch (f3) {
	case 0:
		/*
		 * The base ISA says to ignore rd, rs1 and unknown fm values;
		 * LLVM 19 rejects them (corpus README, caveat 8), and so do
		 * we.
		 */
		if (rd || rs1)
			return 0;
		if (fm == 8 && pred == 3 && succ == 3) {
			mn(in, "fence.tso");
			set(in, INSN_FENCE, "I", 0);
			return 4;
		}
		if (fm)
			return 0;
		mn(in, "fence");
		put_fence_set(f, pred);
		put_fence_set(f, succ);
		set(in, INSN_FENCE, (pred == 1 && !succ) ? "Zihintpause" : "I",
		    0);
		return 4;
	case 1:
		if (w != 0x0000100f)
			return 0;
		mn(in, "fence.i");
		set(in, INSN_FENCE, "Zifencei", 0);
		return 4;
	case 2: {
		static const char *const cbo[5] = {"cbo.inval", "cbo.clean",
						   "cbo.flush", NULL,
						   "cbo.zero"};
		unsigned op = w >> 20;

		if (rd || op > 4 || !cbo[op])
			return 0;
		mn(in, cbo[op]);
		op_paren(f, rs1);
		set(in, INSN_FENCE, op == 4 ? "Zicboz" : "Zicbom", 0);
		return 4;
	}
	}
	return 0;
}

static const char *csr_name(unsigned csr)
{
	switch (csr) {
	case 0x001:
		return "fflags";
	case 0x002:
		return "frm";
	case 0x003:
		return "fcsr";
	case 0x008:
		return "vstart";
	case 0x009:
		return "vxsat";
	case 0x00a:
		return "vxrm";
	case 0x00f:
		return "vcsr";
	case 0x015:
		return "seed";
	case 0xc00:
		return "cycle";
	case 0xc01:
		return "time";
	case 0xc02:
		return "instret";
	case 0xc20:
		return "vl";
	case 0xc21:
		return "vtype";
	case 0xc22:
		return "vlenb";
	}
	return NULL;
}

static unsigned dec_system(uint32_t w, struct rv_insn *in, struct fmt *f)
{
	static const char *const csr_ops[8] = {
		NULL, "csrrw",	"csrrs",  "csrrc",
		NULL, "csrrwi", "csrrsi", "csrrci",
	};
	unsigned f3 = bits(w, 14, 12), rd = bits(w, 11, 7),
		 rs1 = bits(w, 19, 15);
	const char *name;

	if (!f3) {
		switch (w) {
		case 0x00000073:
			mn(in, "ecall");
			break;
		case 0x00100073:
			mn(in, "ebreak");
			break;
		case 0x10200073:
			mn(in, "sret");
			break;
		case 0x30200073:
			mn(in, "mret");
			break;
		case 0x10500073:
			mn(in, "wfi");
			break;
		default:
			if (bits(w, 31, 25) != 0x09 || rd)
				return 0;
			mn(in, "sfence.vma");
			op_x(f, rs1);
			op_x(f, bits(w, 24, 20));
			break;
		}
		set(in, INSN_SYSTEM, "I", 0);
		return 4;
	}
	if (!csr_ops[f3])
		return 0;
	mn(in, csr_ops[f3]);
	op_x(f, rd);
	name = csr_name(w >> 20);
	if (name)
		op_s(f, name);
	else
		op_uimm(f, w >> 20);
	if (f3 & 4)
		op_uimm(f, rs1);
	else
		op_x(f, rs1);
	set(in, INSN_CSR, "Zicsr", 0);
	return 4;
}

static unsigned dec_amo(uint32_t w, unsigned xlen, struct rv_insn *in,
			struct fmt *f)
{
	static const char *const names[32] = {
		[0x00] = "amoadd", [0x01] = "amoswap", [0x02] = "lr",
		[0x03] = "sc",	   [0x04] = "amoxor",  [0x05] = "amocas",
		[0x08] = "amoor",  [0x0c] = "amoand",  [0x10] = "amomin",
		[0x14] = "amomax", [0x18] = "amominu", [0x1c] = "amomaxu",
	};
	static const char *const ord[4] = {"", ".rl", ".aq", ".aqrl"};
	unsigned f5 = bits(w, 31, 27), f3 = bits(w, 14, 12);
	unsigned rd = bits(w, 11, 7), rs1 = bits(w, 19, 15),
		 rs2 = bits(w, 24, 20);
	const char *sz;
	bool cas = f5 == 0x05;

	if (!names[f5])
		return 0;
	switch (f3) {
	case 2:
		sz = ".w";
		break;
	case 3:
		if (xlen == 32 && !cas)
			return 0;
		sz = ".d";
		break;
	case 4:
		if (!cas || xlen == 32)
			return 0;
		sz = ".q";
		break;
	default:
		return 0;
	}
	/* amocas on a register pair needs even registers. */
	if (cas && ((f3 == 4) || (f3 == 3 && xlen == 32)) &&
	    ((rd & 1) || (rs2 & 1)))
		return 0;
	if (f5 == 0x02 && rs2)
		return 0;
	mn3(in, names[f5], sz, ord[bits(w, 26, 25)]);
	op_x(f, rd);
	if (f5 != 0x02)
		op_x(f, rs2);
	op_paren(f, rs1);
	set(in, INSN_ATOMIC, cas ? "Zacas" : "A", 1u << f3);
	return 4;
}

/* ---- floating point --------------------------------------------------- */

static const char *const fmt_sfx[4] = {".s", ".d", ".h", NULL};
static const char *const fmt_ext[4] = {"F", "D", "Zfh", NULL};

static unsigned dec_fp_mem(uint32_t w, bool store, struct rv_insn *in,
			   struct fmt *f)
{
	static const char *const lnames[5] = {NULL, "flh", "flw", "fld", NULL};
	static const char *const snames[5] = {NULL, "fsh", "fsw", "fsd", NULL};
	static const char *const ext[5] = {NULL, "Zfh", "F", "D", NULL};
	unsigned width = bits(w, 14, 12), rs1 = bits(w, 19, 15);

	if (width >= 5 || !lnames[width])
		return 0;
	mn(in, store ? snames[width] : lnames[width]);
	op_f(f, store ? bits(w, 24, 20) : bits(w, 11, 7));
	op_mem(f, store ? s_imm(w) : sext(w >> 20, 12), rs1);
	set(in, store ? INSN_FP_STORE : INSN_FP_LOAD, ext[width],
	    1u << (width - 1));
	if (rs1 == REG_SP)
		in->flags |= INSN_F_STACK;
	return 4;
}

static unsigned dec_fma(uint32_t w, struct rv_insn *in, struct fmt *f)
{
	static const char *const names[4] = {"fmadd", "fmsub", "fnmsub",
					     "fnmadd"};
	unsigned fmt = bits(w, 26, 25), rm = bits(w, 14, 12);

	if (!fmt_sfx[fmt] || !rm_name[rm])
		return 0;
	mn3(in, names[bits(w, 3, 2)], fmt_sfx[fmt], NULL);
	op_f(f, bits(w, 11, 7));
	op_f(f, bits(w, 19, 15));
	op_f(f, bits(w, 24, 20));
	op_f(f, bits(w, 31, 27));
	op_rm(f, rm);
	set(in, INSN_FP_FMA, fmt_ext[fmt], 0);
	return 4;
}

/* Zfa's fli constants, by rs1; each string is what LLVM prints. */
static const char *const fli_const[32] = {
	"-1.0",
	"min",
	"1.52587890625e-05",
	"3.0517578125e-05",
	"0.00390625",
	"0.0078125",
	"0.0625",
	"0.125",
	"0.25",
	"0.3125",
	"0.375",
	"0.4375",
	"0.5",
	"0.625",
	"0.75",
	"0.875",
	"1.0",
	"1.25",
	"1.5",
	"1.75",
	"2.0",
	"2.5",
	"3.0",
	"4.0",
	"8.0",
	"16.0",
	"128.0",
	"256.0",
	"32768.0",
	"65536.0",
	"inf",
	"nan",
};

static unsigned dec_op_fp(uint32_t w, unsigned xlen, struct rv_insn *in,
			  struct fmt *f)
{
	static const char *const int_sfx[4] = {".w", ".wu", ".l", ".lu"};
	unsigned f5 = bits(w, 31, 27), fmt = bits(w, 26, 25);
	unsigned rm = bits(w, 14, 12), rd = bits(w, 11, 7),
		 rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20);
	const char *sfx = fmt_sfx[fmt], *ext = fmt_ext[fmt];

	if (!sfx)
		return 0;
	switch (f5) {
	case 0x00:
	case 0x01:
	case 0x02:
	case 0x03: {
		static const char *const n[4] = {"fadd", "fsub", "fmul",
						 "fdiv"};

		if (!rm_name[rm])
			return 0;
		mn3(in, n[f5], sfx, NULL);
		op_f(f, rd);
		op_f(f, rs1);
		op_f(f, rs2);
		op_rm(f, rm);
		set(in, f5 == 3 ? INSN_FP_DIV_SQRT : INSN_FP_ARITH, ext, 0);
		return 4;
	}
	case 0x0b:
		if (rs2 || !rm_name[rm])
			return 0;
		mn3(in, "fsqrt", sfx, NULL);
		op_f(f, rd);
		op_f(f, rs1);
		op_rm(f, rm);
		set(in, INSN_FP_DIV_SQRT, ext, 0);
		return 4;
	case 0x04: {
		static const char *const n[3] = {"fsgnj", "fsgnjn", "fsgnjx"};

		if (rm > 2)
			return 0;
		mn3(in, n[rm], sfx, NULL);
		op_f(f, rd);
		op_f(f, rs1);
		op_f(f, rs2);
		set(in, INSN_FP_ARITH, ext, 0);
		return 4;
	}
	case 0x05: {
		static const char *const n[4] = {"fmin", "fmax", "fminm",
						 "fmaxm"};

		if (rm > 3)
			return 0;
		mn3(in, n[rm], sfx, NULL);
		op_f(f, rd);
		op_f(f, rs1);
		op_f(f, rs2);
		set(in, INSN_FP_ARITH, rm >= 2 ? "Zfa" : ext, 0);
		return 4;
	}
	case 0x08: /* fcvt between formats, fround, froundnx */
		if (!rm_name[rm])
			return 0;
		if (rs2 == 4 || rs2 == 5) {
			mn3(in, rs2 == 4 ? "fround" : "froundnx", sfx, NULL);
			op_f(f, rd);
			op_f(f, rs1);
			op_rm(f, rm);
			set(in, INSN_FP_CVT_MOVE, "Zfa", 0);
			return 4;
		}
		if (rs2 > 2 || rs2 == fmt)
			return 0;
		mn3(in, "fcvt", sfx, fmt_sfx[rs2]);
		op_f(f, rd);
		op_f(f, rs1);
		/*
		 * Widening conversions are exact; LLVM 19 omits their rm
		 * when it is rne (000) and prints it otherwise.
		 */
		if (!(rm == 0 && (fmt == 1 || (fmt == 0 && rs2 == 2))))
			op_rm(f, rm);
		set(in, INSN_FP_CVT_MOVE, (fmt == 2 || rs2 == 2) ? "Zfh" : "D",
		    0);
		return 4;
	case 0x14: {
		static const char *const n[8] = {"fle",	 "flt",	 "feq", NULL,
						 "fleq", "fltq", NULL,	NULL};

		if (!n[rm])
			return 0;
		mn3(in, n[rm], sfx, NULL);
		op_x(f, rd);
		op_f(f, rs1);
		op_f(f, rs2);
		set(in, INSN_FP_ARITH, rm >= 4 ? "Zfa" : ext, 0);
		return 4;
	}
	case 0x18: /* fcvt.{w,wu,l,lu}.fmt, fcvtmod.w.d */
		if (!rm_name[rm])
			return 0;
		if (rs2 == 8 && fmt == 1) {
			/*
			 * Zfa defines only rm = rtz; LLVM 19 accepts every
			 * valid rounding mode (corpus README, caveat 7).
			 */
			mn(in, "fcvtmod.w.d");
			op_x(f, rd);
			op_f(f, rs1);
			op_rm(f, rm);
			set(in, INSN_FP_CVT_MOVE, "Zfa", 0);
			return 4;
		}
		if (rs2 > 3 || (xlen == 32 && rs2 > 1))
			return 0;
		mn3(in, "fcvt", int_sfx[rs2], sfx);
		op_x(f, rd);
		op_f(f, rs1);
		op_rm(f, rm);
		set(in, INSN_FP_CVT_MOVE, ext, 0);
		return 4;
	case 0x1a: /* fcvt.fmt.{w,wu,l,lu} */
		if (!rm_name[rm] || rs2 > 3 || (xlen == 32 && rs2 > 1))
			return 0;
		mn3(in, "fcvt", sfx, int_sfx[rs2]);
		op_f(f, rd);
		op_x(f, rs1);
		/* int -> double for 32-bit ints is exact, see above */
		if (!(rm == 0 && fmt == 1 && rs2 < 2))
			op_rm(f, rm);
		set(in, INSN_FP_CVT_MOVE, ext, 0);
		return 4;
	case 0x1c:
		if (rs2)
			return 0;
		if (rm == 0) {
			static const char *const n[3] = {"fmv.x.w", "fmv.x.d",
							 "fmv.x.h"};

			if (fmt == 1 && xlen == 32)
				return 0;
			mn(in, n[fmt]);
			op_x(f, rd);
			op_f(f, rs1);
			set(in, INSN_FP_CVT_MOVE, ext, 0);
			return 4;
		}
		if (rm == 1) {
			mn3(in, "fclass", sfx, NULL);
			op_x(f, rd);
			op_f(f, rs1);
			set(in, INSN_FP_ARITH, ext, 0);
			return 4;
		}
		return 0;
	case 0x1e:
		if (rm)
			return 0;
		if (rs2 == 0) {
			static const char *const n[3] = {"fmv.w.x", "fmv.d.x",
							 "fmv.h.x"};

			if (fmt == 1 && xlen == 32)
				return 0;
			mn(in, n[fmt]);
			op_f(f, rd);
			op_x(f, rs1);
			set(in, INSN_FP_CVT_MOVE, ext, 0);
			return 4;
		}
		if (rs2 == 1) {
			mn3(in, "fli", sfx, NULL);
			op_f(f, rd);
			op_s(f, fli_const[rs1]);
			set(in, INSN_FP_CVT_MOVE, "Zfa", 0);
			return 4;
		}
		return 0;
	}
	return 0;
}

/* ---- vector ------------------------------------------------------------ */

static const char *const eew_name[4] = {"8", "16", "32", "64"};

/* width field (0, 5, 6, 7) -> EEW index (0..3), or -1 */
static int vec_eew(unsigned width)
{
	switch (width) {
	case 0:
		return 0;
	case 5:
		return 1;
	case 6:
		return 2;
	case 7:
		return 3;
	}
	return -1;
}

static unsigned dec_vmem(uint32_t w, bool store, struct rv_insn *in,
			 struct fmt *f)
{
	static const char *const seg[8] = {"",	   "seg2", "seg3", "seg4",
					   "seg5", "seg6", "seg7", "seg8"};
	static const char *const nregs[8] = {"1",  "2",	 NULL, "4",
					     NULL, NULL, NULL, "8"};
	unsigned nf = bits(w, 31, 29), mew = bits(w, 28, 28),
		 mop = bits(w, 27, 26), vm = bits(w, 25, 25);
	unsigned vd = bits(w, 11, 7), rs1 = bits(w, 19, 15),
		 rs2 = bits(w, 24, 20);
	int e = vec_eew(bits(w, 14, 12));

	if (e < 0 || mew)
		return 0;
	in->flags |= INSN_F_VECTOR;
	set(in, store ? INSN_V_STORE : INSN_V_LOAD, "V", 1u << e);
	mn(in, store ? "vs" : "vl");
	switch (mop) {
	case 0:			   /* unit stride: rs2 is lumop/sumop */
		if (rs2 == 0x08) { /* whole register */
			if (!vm || !nregs[nf] || (vd & nf) || (store && e))
				return 0;
			mn_app(in, nregs[nf]);
			if (store) {
				mn_app(in, "r.v");
			} else {
				mn_app(in, "re");
				mn_app(in, eew_name[e]);
				mn_app(in, ".v");
			}
			op_v(f, vd);
			op_paren(f, rs1);
			return 4;
		}
		if (rs2 == 0x0b) { /* mask */
			if (!vm || nf || e)
				return 0;
			mn_app(in, "m.v");
			in->mem_width = 1;
			op_v(f, vd);
			op_paren(f, rs1);
			return 4;
		}
		if (rs2 && (rs2 != 0x10 || store))
			return 0;
		mn_app(in, seg[nf]);
		mn_app(in, "e");
		mn_app(in, eew_name[e]);
		mn_app(in, rs2 ? "ff.v" : ".v");
		op_v(f, vd);
		op_paren(f, rs1);
		op_vm(f, vm);
		return 4;
	case 2: /* strided */
		mn_app(in, "s");
		mn_app(in, seg[nf]);
		mn_app(in, "e");
		mn_app(in, eew_name[e]);
		mn_app(in, ".v");
		op_v(f, vd);
		op_paren(f, rs1);
		op_x(f, rs2);
		op_vm(f, vm);
		return 4;
	default: /* 1: indexed unordered, 3: indexed ordered */
		mn_app(in, mop == 1 ? "ux" : "ox");
		mn_app(in, seg[nf]);
		mn_app(in, "ei");
		mn_app(in, eew_name[e]);
		mn_app(in, ".v");
		op_v(f, vd);
		op_paren(f, rs1);
		op_v(f, rs2);
		op_vm(f, vm);
		return 4;
	}
}

static void put_vtype(struct fmt *f, unsigned z)
{
	static const char *const lmul[8] = {"m1", "m2",	 "m4",	"m8",
					    NULL, "mf8", "mf4", "mf2"};
	static const char *const sew[4] = {"e8", "e16", "e32", "e64"};
	unsigned vlmul = z & 7, vsew = (z >> 3) & 7;

	if (vlmul == 4 || vsew > 3 || (z >> 8)) {
		op_uimm(f, z);
		return;
	}
	op_s(f, sew[vsew]);
	op_s(f, lmul[vlmul]);
	op_s(f, (z >> 6) & 1 ? "ta" : "tu");
	op_s(f, (z >> 7) & 1 ? "ma" : "mu");
}

static unsigned dec_vcfg(uint32_t w, struct rv_insn *in, struct fmt *f)
{
	unsigned rd = bits(w, 11, 7), rs1 = bits(w, 19, 15);

	in->flags |= INSN_F_VECTOR;
	set(in, INSN_V_CONFIG, "V", 0);
	if (!bits(w, 31, 31)) {
		mn(in, "vsetvli");
		op_x(f, rd);
		op_x(f, rs1);
		put_vtype(f, bits(w, 30, 20));
		return 4;
	}
	if (bits(w, 30, 30)) {
		mn(in, "vsetivli");
		op_x(f, rd);
		op_uimm(f, rs1);
		put_vtype(f, bits(w, 29, 20));
		return 4;
	}
	if (bits(w, 30, 25))
		return 0;
	mn(in, "vsetvl");
	op_x(f, rd);
	op_x(f, rs1);
	op_x(f, bits(w, 24, 20));
	return 4;
}

/* Operand kinds of the OP-V funct6 tables. */
enum vkind {
	VK_NONE = 0,
	VK_BIN,	    /* vd, vs2, vs1|rs1|imm|fs1 [, v0.t] */
	VK_BIN_W,   /* same, ".w?" suffix (vwadd.wv, vnsrl.wi) */
	VK_FMA,	    /* vd, vs1|rs1|fs1, vs2 [, v0.t] */
	VK_RED,	    /* reductions: vd, vs2, vs1 [, v0.t], ".vs" */
	VK_MASKLOG, /* vd, vs2, vs1; ".mm"; unmasked only */
	VK_CARRY,   /* vadc/vsbc: vd, vs2, x, v0; masked encoding only */
	VK_MCARRY,  /* vmadc/vmsbc: masked -> ".v?m ..., v0"; else ".v?" */
};

/* Forms an OP-V funct6 takes (bits of struct vop.forms). */
enum {
	VF_V = 1 << 0,	  /* .vv (OPIVV, OPMVV, OPFVV) */
	VF_X = 1 << 1,	  /* .vx (OPIVX, OPMVX) */
	VF_I = 1 << 2,	  /* .vi (OPIVI) */
	VF_F = 1 << 3,	  /* .vf (OPFVF) */
	VF_UIMM = 1 << 4, /* .vi immediate is unsigned */
};

struct vop {
	const char *name;
	uint8_t forms, kind, cls;
	bool zvbb;
};

#define V(n, fo, k, c)                                                         \
	{                                                                      \
		n, fo, k, c, false                                             \
	}
#define VB(n, fo, k, c)                                                        \
	{                                                                      \
		n, fo, k, c, true                                              \
	}

/* OPIVV / OPIVX / OPIVI, by funct6. */
static const struct vop opi[64] = {
	[0x00] = V("vadd", VF_V | VF_X | VF_I, VK_BIN, INSN_V_INT),
	[0x01] = VB("vandn", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x02] = V("vsub", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x03] = V("vrsub", VF_X | VF_I, VK_BIN, INSN_V_INT),
	[0x04] = V("vminu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x05] = V("vmin", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x06] = V("vmaxu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x07] = V("vmax", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x09] = V("vand", VF_V | VF_X | VF_I, VK_BIN, INSN_V_INT),
	[0x0a] = V("vor", VF_V | VF_X | VF_I, VK_BIN, INSN_V_INT),
	[0x0b] = V("vxor", VF_V | VF_X | VF_I, VK_BIN, INSN_V_INT),
	[0x0c] = V("vrgather", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN,
		   INSN_V_PERMUTE),
	[0x0e] = V("vslideup", VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_PERMUTE),
	[0x0f] = V("vslidedown", VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_PERMUTE),
	[0x10] = V("vadc", VF_V | VF_X | VF_I, VK_CARRY, INSN_V_INT),
	[0x11] = V("vmadc", VF_V | VF_X | VF_I, VK_MCARRY, INSN_V_MASK),
	[0x12] = V("vsbc", VF_V | VF_X, VK_CARRY, INSN_V_INT),
	[0x13] = V("vmsbc", VF_V | VF_X, VK_MCARRY, INSN_V_MASK),
	[0x14] = VB("vror", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_INT),
	[0x15] = VB("vrol", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x18] = V("vmseq", VF_V | VF_X | VF_I, VK_BIN, INSN_V_MASK),
	[0x19] = V("vmsne", VF_V | VF_X | VF_I, VK_BIN, INSN_V_MASK),
	[0x1a] = V("vmsltu", VF_V | VF_X, VK_BIN, INSN_V_MASK),
	[0x1b] = V("vmslt", VF_V | VF_X, VK_BIN, INSN_V_MASK),
	[0x1c] = V("vmsleu", VF_V | VF_X | VF_I, VK_BIN, INSN_V_MASK),
	[0x1d] = V("vmsle", VF_V | VF_X | VF_I, VK_BIN, INSN_V_MASK),
	[0x1e] = V("vmsgtu", VF_X | VF_I, VK_BIN, INSN_V_MASK),
	[0x1f] = V("vmsgt", VF_X | VF_I, VK_BIN, INSN_V_MASK),
	[0x20] = V("vsaddu", VF_V | VF_X | VF_I, VK_BIN, INSN_V_INT),
	[0x21] = V("vsadd", VF_V | VF_X | VF_I, VK_BIN, INSN_V_INT),
	[0x22] = V("vssubu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x23] = V("vssub", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x25] = V("vsll", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_INT),
	[0x27] = V("vsmul", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x28] = V("vsrl", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_INT),
	[0x29] = V("vsra", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_INT),
	[0x2a] = V("vssrl", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_INT),
	[0x2b] = V("vssra", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_INT),
	[0x2c] = V("vnsrl", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN_W, INSN_V_INT),
	[0x2d] = V("vnsra", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN_W, INSN_V_INT),
	[0x2e] = V("vnclipu", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN_W,
		   INSN_V_INT),
	[0x2f] =
		V("vnclip", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN_W, INSN_V_INT),
	[0x30] = V("vwredsumu", VF_V, VK_RED, INSN_V_REDUCE),
	[0x31] = V("vwredsum", VF_V, VK_RED, INSN_V_REDUCE),
	[0x35] = VB("vwsll", VF_V | VF_X | VF_I | VF_UIMM, VK_BIN, INSN_V_INT),
};

/* OPMVV / OPMVX, by funct6. */
static const struct vop opm[64] = {
	[0x00] = V("vredsum", VF_V, VK_RED, INSN_V_REDUCE),
	[0x01] = V("vredand", VF_V, VK_RED, INSN_V_REDUCE),
	[0x02] = V("vredor", VF_V, VK_RED, INSN_V_REDUCE),
	[0x03] = V("vredxor", VF_V, VK_RED, INSN_V_REDUCE),
	[0x04] = V("vredminu", VF_V, VK_RED, INSN_V_REDUCE),
	[0x05] = V("vredmin", VF_V, VK_RED, INSN_V_REDUCE),
	[0x06] = V("vredmaxu", VF_V, VK_RED, INSN_V_REDUCE),
	[0x07] = V("vredmax", VF_V, VK_RED, INSN_V_REDUCE),
	[0x08] = V("vaaddu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x09] = V("vaadd", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x0a] = V("vasubu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x0b] = V("vasub", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x0e] = V("vslide1up", VF_X, VK_BIN, INSN_V_PERMUTE),
	[0x0f] = V("vslide1down", VF_X, VK_BIN, INSN_V_PERMUTE),
	[0x18] = V("vmandn", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x19] = V("vmand", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x1a] = V("vmor", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x1b] = V("vmxor", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x1c] = V("vmorn", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x1d] = V("vmnand", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x1e] = V("vmnor", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x1f] = V("vmxnor", VF_V, VK_MASKLOG, INSN_V_MASK),
	[0x20] = V("vdivu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x21] = V("vdiv", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x22] = V("vremu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x23] = V("vrem", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x24] = V("vmulhu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x25] = V("vmul", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x26] = V("vmulhsu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x27] = V("vmulh", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x29] = V("vmadd", VF_V | VF_X, VK_FMA, INSN_V_INT),
	[0x2b] = V("vnmsub", VF_V | VF_X, VK_FMA, INSN_V_INT),
	[0x2d] = V("vmacc", VF_V | VF_X, VK_FMA, INSN_V_INT),
	[0x2f] = V("vnmsac", VF_V | VF_X, VK_FMA, INSN_V_INT),
	[0x30] = V("vwaddu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x31] = V("vwadd", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x32] = V("vwsubu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x33] = V("vwsub", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x34] = V("vwaddu", VF_V | VF_X, VK_BIN_W, INSN_V_INT),
	[0x35] = V("vwadd", VF_V | VF_X, VK_BIN_W, INSN_V_INT),
	[0x36] = V("vwsubu", VF_V | VF_X, VK_BIN_W, INSN_V_INT),
	[0x37] = V("vwsub", VF_V | VF_X, VK_BIN_W, INSN_V_INT),
	[0x38] = V("vwmulu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x3a] = V("vwmulsu", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x3b] = V("vwmul", VF_V | VF_X, VK_BIN, INSN_V_INT),
	[0x3c] = V("vwmaccu", VF_V | VF_X, VK_FMA, INSN_V_INT),
	[0x3d] = V("vwmacc", VF_V | VF_X, VK_FMA, INSN_V_INT),
	[0x3e] = V("vwmaccus", VF_X, VK_FMA, INSN_V_INT),
	[0x3f] = V("vwmaccsu", VF_V | VF_X, VK_FMA, INSN_V_INT),
};

/* OPFVV / OPFVF, by funct6. */
static const struct vop opf[64] = {
	[0x00] = V("vfadd", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x01] = V("vfredusum", VF_V, VK_RED, INSN_V_REDUCE),
	[0x02] = V("vfsub", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x03] = V("vfredosum", VF_V, VK_RED, INSN_V_REDUCE),
	[0x04] = V("vfmin", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x05] = V("vfredmin", VF_V, VK_RED, INSN_V_REDUCE),
	[0x06] = V("vfmax", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x07] = V("vfredmax", VF_V, VK_RED, INSN_V_REDUCE),
	[0x08] = V("vfsgnj", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x09] = V("vfsgnjn", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x0a] = V("vfsgnjx", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x0e] = V("vfslide1up", VF_F, VK_BIN, INSN_V_PERMUTE),
	[0x0f] = V("vfslide1down", VF_F, VK_BIN, INSN_V_PERMUTE),
	[0x18] = V("vmfeq", VF_V | VF_F, VK_BIN, INSN_V_MASK),
	[0x19] = V("vmfle", VF_V | VF_F, VK_BIN, INSN_V_MASK),
	[0x1b] = V("vmflt", VF_V | VF_F, VK_BIN, INSN_V_MASK),
	[0x1c] = V("vmfne", VF_V | VF_F, VK_BIN, INSN_V_MASK),
	[0x1d] = V("vmfgt", VF_F, VK_BIN, INSN_V_MASK),
	[0x1f] = V("vmfge", VF_F, VK_BIN, INSN_V_MASK),
	[0x20] = V("vfdiv", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x21] = V("vfrdiv", VF_F, VK_BIN, INSN_V_FP),
	[0x24] = V("vfmul", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x27] = V("vfrsub", VF_F, VK_BIN, INSN_V_FP),
	[0x28] = V("vfmadd", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x29] = V("vfnmadd", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x2a] = V("vfmsub", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x2b] = V("vfnmsub", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x2c] = V("vfmacc", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x2d] = V("vfnmacc", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x2e] = V("vfmsac", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x2f] = V("vfnmsac", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x30] = V("vfwadd", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x31] = V("vfwredusum", VF_V, VK_RED, INSN_V_REDUCE),
	[0x32] = V("vfwsub", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x33] = V("vfwredosum", VF_V, VK_RED, INSN_V_REDUCE),
	[0x34] = V("vfwadd", VF_V | VF_F, VK_BIN_W, INSN_V_FP),
	[0x36] = V("vfwsub", VF_V | VF_F, VK_BIN_W, INSN_V_FP),
	[0x38] = V("vfwmul", VF_V | VF_F, VK_BIN, INSN_V_FP),
	[0x3c] = V("vfwmacc", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x3d] = V("vfwnmacc", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x3e] = V("vfwmsac", VF_V | VF_F, VK_FMA, INSN_V_FP),
	[0x3f] = V("vfwnmsac", VF_V | VF_F, VK_FMA, INSN_V_FP),
};

static const struct vop vrgatherei16 =
	V("vrgatherei16", VF_V, VK_BIN, INSN_V_PERMUTE);

#undef V
#undef VB

/* The unary OPMVV funct6 010010 (VXUNARY0), by vs1. */
static const struct {
	const char *name;
	bool zvbb;
} vxunary0[32] = {
	[0x02] = {"vzext.vf8", false}, [0x03] = {"vsext.vf8", false},
	[0x04] = {"vzext.vf4", false}, [0x05] = {"vsext.vf4", false},
	[0x06] = {"vzext.vf2", false}, [0x07] = {"vsext.vf2", false},
	[0x08] = {"vbrev8.v", true},   [0x09] = {"vrev8.v", true},
	[0x0a] = {"vbrev.v", true},    [0x0c] = {"vclz.v", true},
	[0x0d] = {"vctz.v", true},     [0x0e] = {"vcpop.v", true},
};

/* OPFVV funct6 010010 (VFUNARY0), by vs1. */
static const char *const vfunary0[32] = {
	[0x00] = "vfcvt.xu.f.v",     [0x01] = "vfcvt.x.f.v",
	[0x02] = "vfcvt.f.xu.v",     [0x03] = "vfcvt.f.x.v",
	[0x06] = "vfcvt.rtz.xu.f.v", [0x07] = "vfcvt.rtz.x.f.v",
	[0x08] = "vfwcvt.xu.f.v",    [0x09] = "vfwcvt.x.f.v",
	[0x0a] = "vfwcvt.f.xu.v",    [0x0b] = "vfwcvt.f.x.v",
	[0x0c] = "vfwcvt.f.f.v",     [0x0e] = "vfwcvt.rtz.xu.f.v",
	[0x0f] = "vfwcvt.rtz.x.f.v", [0x10] = "vfncvt.xu.f.w",
	[0x11] = "vfncvt.x.f.w",     [0x12] = "vfncvt.f.xu.w",
	[0x13] = "vfncvt.f.x.w",     [0x14] = "vfncvt.f.f.w",
	[0x15] = "vfncvt.rod.f.f.w", [0x16] = "vfncvt.rtz.xu.f.w",
	[0x17] = "vfncvt.rtz.x.f.w",
};

/* OPFVV funct6 010011 (VFUNARY1), by vs1. */
static const char *const vfunary1[32] = {
	[0x00] = "vfsqrt.v",
	[0x04] = "vfrsqrt7.v",
	[0x05] = "vfrec7.v",
	[0x10] = "vfclass.v",
};

static void vset(struct rv_insn *in, enum insn_class cls, bool zvbb)
{
	in->flags |= INSN_F_VECTOR;
	set(in, cls, zvbb ? "Zvbb" : "V", 0);
}

/* Unary and move forms that share funct6 values with no regular table. */
static unsigned dec_v_special(uint32_t w, unsigned f3, unsigned f6,
			      struct rv_insn *in, struct fmt *f)
{
	unsigned vd = bits(w, 11, 7), vs1 = bits(w, 19, 15),
		 vs2 = bits(w, 24, 20), vm = bits(w, 25, 25);
	int64_t simm = sext(vs1, 5);

	switch (f3 << 8 | f6) {
	case 0x017: /* OPIVV 010111: vmerge.vvm / vmv.v.v */
	case 0x417:
	case 0x317:
		if (vm) {
			if (vs2)
				return 0;
			mn(in, f3 == 0	 ? "vmv.v.v"
			       : f3 == 4 ? "vmv.v.x"
					 : "vmv.v.i");
			op_v(f, vd);
			if (f3 == 0)
				op_v(f, vs1);
			else if (f3 == 4)
				op_x(f, vs1);
			else
				op_imm(f, simm);
			vset(in, INSN_V_PERMUTE, false);
			return 4;
		}
		mn(in, f3 == 0	 ? "vmerge.vvm"
		       : f3 == 4 ? "vmerge.vxm"
				 : "vmerge.vim");
		op_v(f, vd);
		op_v(f, vs2);
		if (f3 == 0)
			op_v(f, vs1);
		else if (f3 == 4)
			op_x(f, vs1);
		else
			op_imm(f, simm);
		op_v(f, 0);
		vset(in, INSN_V_INT, false);
		return 4;
	case 0x327: { /* OPIVI 100111: vmv<nr>r.v */
		static const char *const n[8] = {"vmv1r.v", "vmv2r.v", NULL,
						 "vmv4r.v", NULL,      NULL,
						 NULL,	    "vmv8r.v"};

		if (!vm || !n[vs1 & 7] || vs1 > 7 || (vd & vs1) || (vs2 & vs1))
			return 0;
		mn(in, n[vs1]);
		op_v(f, vd);
		op_v(f, vs2);
		vset(in, INSN_V_PERMUTE, false);
		return 4;
	}
	case 0x315: /* OPIVI 010101: vror.vi with imm[5] = 1 */
		mn(in, "vror.vi");
		op_v(f, vd);
		op_v(f, vs2);
		op_uimm(f, 32 | vs1);
		op_vm(f, vm);
		vset(in, INSN_V_INT, true);
		return 4;
	case 0x210: /* OPMVV 010000: VWXUNARY0 */
		if (vs1 == 0) {
			if (!vm)
				return 0;
			mn(in, "vmv.x.s");
			op_x(f, vd);
			op_v(f, vs2);
			vset(in, INSN_V_PERMUTE, false);
			return 4;
		}
		if (vs1 != 0x10 && vs1 != 0x11)
			return 0;
		mn(in, vs1 == 0x10 ? "vcpop.m" : "vfirst.m");
		op_x(f, vd);
		op_v(f, vs2);
		op_vm(f, vm);
		vset(in, INSN_V_MASK, false);
		return 4;
	case 0x610: /* OPMVX 010000: vmv.s.x */
		if (!vm || vs2)
			return 0;
		mn(in, "vmv.s.x");
		op_v(f, vd);
		op_x(f, vs1);
		vset(in, INSN_V_PERMUTE, false);
		return 4;
	case 0x212: /* OPMVV 010010: VXUNARY0 */
		if (!vxunary0[vs1].name)
			return 0;
		mn(in, vxunary0[vs1].name);
		op_v(f, vd);
		op_v(f, vs2);
		op_vm(f, vm);
		vset(in, INSN_V_INT, vxunary0[vs1].zvbb);
		return 4;
	case 0x214: /* OPMVV 010100: VMUNARY0 */
		switch (vs1) {
		case 0x01:
			mn(in, "vmsbf.m");
			break;
		case 0x02:
			mn(in, "vmsof.m");
			break;
		case 0x03:
			mn(in, "vmsif.m");
			break;
		case 0x10:
			mn(in, "viota.m");
			break;
		case 0x11:
			if (vs2)
				return 0;
			mn(in, "vid.v");
			op_v(f, vd);
			op_vm(f, vm);
			vset(in, INSN_V_MASK, false);
			return 4;
		default:
			return 0;
		}
		op_v(f, vd);
		op_v(f, vs2);
		op_vm(f, vm);
		vset(in, INSN_V_MASK, false);
		return 4;
	case 0x217: /* OPMVV 010111: vcompress.vm */
		if (!vm)
			return 0;
		mn(in, "vcompress.vm");
		op_v(f, vd);
		op_v(f, vs2);
		op_v(f, vs1);
		vset(in, INSN_V_PERMUTE, false);
		return 4;
	case 0x110: /* OPFVV 010000: vfmv.f.s */
		if (vs1 || !vm)
			return 0;
		mn(in, "vfmv.f.s");
		op_f(f, vd);
		op_v(f, vs2);
		vset(in, INSN_V_PERMUTE, false);
		return 4;
	case 0x510: /* OPFVF 010000: vfmv.s.f */
		if (vs2 || !vm)
			return 0;
		mn(in, "vfmv.s.f");
		op_v(f, vd);
		op_f(f, vs1);
		vset(in, INSN_V_PERMUTE, false);
		return 4;
	case 0x112: /* VFUNARY0 */
	case 0x113: /* VFUNARY1 */
		if (!(f6 == 0x12 ? vfunary0 : vfunary1)[vs1])
			return 0;
		mn(in, (f6 == 0x12 ? vfunary0 : vfunary1)[vs1]);
		op_v(f, vd);
		op_v(f, vs2);
		op_vm(f, vm);
		vset(in, INSN_V_FP, false);
		return 4;
	case 0x517: /* OPFVF 010111: vfmerge.vfm / vfmv.v.f */
		if (vm) {
			if (vs2)
				return 0;
			mn(in, "vfmv.v.f");
			op_v(f, vd);
			op_f(f, vs1);
			vset(in, INSN_V_PERMUTE, false);
			return 4;
		}
		mn(in, "vfmerge.vfm");
		op_v(f, vd);
		op_v(f, vs2);
		op_f(f, vs1);
		op_v(f, 0);
		vset(in, INSN_V_FP, false);
		return 4;
	}
	return 0;
}

static unsigned dec_opv(uint32_t w, struct rv_insn *in, struct fmt *f)
{
	static const char form_letter[8] = {'v', 'v', 'v', 'i',
					    'x', 'f', 'x', 0};
	static const uint8_t form_bit[8] = {VF_V, VF_V, VF_V, VF_I,
					    VF_X, VF_F, VF_X, 0};
	unsigned f3 = bits(w, 14, 12), f6 = bits(w, 31, 26);
	unsigned vd = bits(w, 11, 7), vs1 = bits(w, 19, 15),
		 vs2 = bits(w, 24, 20), vm = bits(w, 25, 25);
	const struct vop *t;
	char sfx[6];
	unsigned n = 0, r;

	if (f3 == 7)
		return dec_vcfg(w, in, f);
	/*
	 * The special funct6 values have empty rows in the tables below, so
	 * a word dec_v_special() rejects is rejected there too.
	 */
	r = dec_v_special(w, f3, f6, in, f);
	if (r)
		return r;
	switch (f3) {
	case 0:
	case 3:
	case 4:
		t = &opi[f6];
		/* OPIVV 001110 is vrgatherei16; OPIVX/OPIVI are vslideup */
		if (f3 == 0 && f6 == 0x0e)
			t = &vrgatherei16;
		break;
	case 2:
	case 6:
		t = &opm[f6];
		break;
	default:
		t = &opf[f6];
		break;
	}
	if (!t->name || !(t->forms & form_bit[f3]))
		return 0;
	sfx[n++] = '.';
	switch (t->kind) {
	case VK_RED:
		sfx[n++] = 'v';
		sfx[n++] = 's';
		break;
	case VK_MASKLOG:
		if (!vm)
			return 0;
		sfx[n++] = 'm';
		sfx[n++] = 'm';
		break;
	case VK_BIN_W:
		sfx[n++] = 'w';
		sfx[n++] = form_letter[f3];
		break;
	case VK_CARRY:
		if (vm)
			return 0;
		sfx[n++] = 'v';
		sfx[n++] = form_letter[f3];
		sfx[n++] = 'm';
		break;
	case VK_MCARRY:
		sfx[n++] = 'v';
		sfx[n++] = form_letter[f3];
		if (!vm)
			sfx[n++] = 'm';
		break;
	default:
		sfx[n++] = 'v';
		sfx[n++] = form_letter[f3];
		break;
	}
	sfx[n] = '\0';
	mn3(in, t->name, sfx, NULL);
	op_v(f, vd);
	if (t->kind != VK_FMA)
		op_v(f, vs2);
	switch (f3) {
	case 0:
	case 1:
	case 2:
		op_v(f, vs1);
		break;
	case 3:
		if (t->forms & VF_UIMM)
			op_uimm(f, vs1);
		else
			op_imm(f, sext(vs1, 5));
		break;
	case 4:
	case 6:
		op_x(f, vs1);
		break;
	case 5:
		op_f(f, vs1);
		break;
	}
	if (t->kind == VK_FMA)
		op_v(f, vs2);
	if (t->kind == VK_CARRY || (t->kind == VK_MCARRY && !vm))
		op_v(f, 0);
	else if (t->kind != VK_MASKLOG && t->kind != VK_MCARRY)
		op_vm(f, vm);
	vset(in, (enum insn_class)t->cls, t->zvbb);
	return 4;
}

/* ---- top level ------------------------------------------------------- */

static unsigned decode32(uint32_t w, unsigned xlen, uint64_t pc,
			 struct rv_insn *in, struct fmt *f)
{
	switch (w & 0x7f) {
	case 0x37:
	case 0x17:
		mn(in, (w & 0x7f) == 0x37 ? "lui" : "auipc");
		op_x(f, bits(w, 11, 7));
		op_uimm(f, w >> 12);
		set(in, INSN_INT_ALU, "I", 0);
		return 4;
	case 0x6f:
		return dec_jal(w, xlen, pc, in, f);
	case 0x67:
		return dec_jalr(w, in, f);
	case 0x63:
		return dec_branch(w, xlen, pc, in, f);
	case 0x03:
		return dec_load(w, xlen, in, f);
	case 0x23:
		return dec_store(w, xlen, in, f);
	case 0x13:
		return dec_op_imm(w, xlen, in, f);
	case 0x1b:
		return dec_op_imm32(w, xlen, in, f);
	case 0x33:
		return dec_op(w, false, xlen, in, f);
	case 0x3b:
		return dec_op(w, true, xlen, in, f);
	case 0x0f:
		return dec_misc_mem(w, in, f);
	case 0x73:
		return dec_system(w, in, f);
	case 0x2f:
		return dec_amo(w, xlen, in, f);
	case 0x07:
	case 0x27:
		if (vec_eew(bits(w, 14, 12)) >= 0)
			return dec_vmem(w, (w & 0x7f) == 0x27, in, f);
		return dec_fp_mem(w, (w & 0x7f) == 0x27, in, f);
	case 0x43:
	case 0x47:
	case 0x4b:
	case 0x4f:
		return dec_fma(w, in, f);
	case 0x53:
		return dec_op_fp(w, xlen, in, f);
	case 0x57:
		return dec_opv(w, in, f);
	}
	return 0;
}

unsigned rv_insn_length(const uint8_t *p)
{
	return (p[0] & 3) == 3 ? 4 : 2;
}

unsigned rv_decode(const uint8_t *p, size_t avail, unsigned xlen, uint64_t pc,
		   struct rv_insn *out)
{
	struct fmt f = {out, 0};

	out->mnemonic[0] = '\0';
	out->operands[0] = '\0';
	out->ext = NULL;
	out->cls = INSN_UNKNOWN;
	out->flags = 0;
	out->mem_width = 0;
	out->target = 0;
	if (avail < 2)
		return 0;
	if ((p[0] & 3) != 3) {
		out->len = 2;
		return decode16((uint16_t)(p[0] | p[1] << 8), xlen, pc, out,
				&f);
	}
	/* 48-bit and longer encodings (bits 4:2 = 111) are not decoded. */
	if (avail < 4 || (p[0] & 0x1c) == 0x1c)
		return 0;
	out->len = 4;
	return decode32((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24,
			xlen, pc, out, &f);
}
