/* SPDX-License-Identifier: MIT */
/*
 * Block decoding with capstone 5 plus the RISC-V fallback; see disasm.h.
 * The classification rules are those of DISASM.md §4, which also records
 * the capstone 5 traps they work around: RISC-V groups mark every jal/jalr
 * as a call and memory operands only on uncompressed loads and stores, so
 * RISC-V is classified from the canonical name and the encoding fields;
 * x86 lea/nop carry a "read" memory operand; AArch64 stores report
 * read-write memory access and SVE/LSE carry no group.
 */
#include "disasm.h"

#include <capstone/capstone.h>
#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_image.h"
#include "errbuf.h"
#include "rvdecode.h"
#include "xalloc.h"
#include "banned.h"

/*
 * RISC-V: what a 16- or 32-bit word decodes to does not depend on where
 * it sits, except for pc-relative targets (INSN_F_TARGET), and the same
 * words recur all over a program (stack loads and stores, moves, adds).
 * A direct-mapped cache of decoded words skips capstone, rv_decode() and
 * the classification for them: most instructions of a run.
 */
#define RV_CACHE 4096

struct rv_cached {
	uint32_t word;
	uint8_t len; /* 0: empty */
	struct disasm_insn insn;
};

struct disasm {
	csh cs;
	cs_insn *insn; /* capstone's scratch instruction, with detail */
	enum disasm_arch arch;
	unsigned xlen;		 /* RISC-V only */
	struct rv_cached *cache; /* RISC-V only: RV_CACHE entries */
};

struct disasm *disasm_new(unsigned e_machine, int elfclass, struct errbuf *err)
{
	struct disasm *ctx;
	cs_arch arch;
	cs_mode mode;
	enum disasm_arch da;
	int major = 0, minor = 0;

	cs_version(&major, &minor);
	if (major < 5) {
		errbuf_set(err, "capstone %d.%d is too old (need 5 or later)",
			   major, minor);
		return NULL;
	}
	switch (e_machine) {
	case EM_RISCV:
		arch = CS_ARCH_RISCV;
		if (elfclass == ELFCLASS64) {
			mode = CS_MODE_RISCV64 | CS_MODE_RISCVC;
			da = DISASM_RISCV64;
		} else {
			mode = CS_MODE_RISCV32 | CS_MODE_RISCVC;
			da = DISASM_RISCV32;
		}
		break;
	case EM_X86_64:
		arch = CS_ARCH_X86;
		mode = CS_MODE_64;
		da = DISASM_X86_64;
		break;
	case EM_AARCH64:
		arch = CS_ARCH_ARM64;
		mode = CS_MODE_ARM;
		da = DISASM_AARCH64;
		break;
	default:
		errbuf_set(err, "cannot disassemble ELF machine %u", e_machine);
		return NULL;
	}
	if (!cs_support((int)arch)) {
		errbuf_set(err, "capstone was built without this architecture");
		return NULL;
	}
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->arch = da;
	ctx->xlen = da == DISASM_RISCV32 ? 32 : 64;
	if (cs_open(arch, mode, &ctx->cs) != CS_ERR_OK) {
		errbuf_set(err, "cannot open capstone: %s",
			   cs_strerror(cs_errno(ctx->cs)));
		free(ctx);
		return NULL;
	}
	cs_option(ctx->cs, CS_OPT_DETAIL, CS_OPT_ON);
	if (da == DISASM_X86_64)
		cs_option(ctx->cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
	ctx->insn = cs_malloc(ctx->cs);
	if (da == DISASM_RISCV64 || da == DISASM_RISCV32)
		ctx->cache = xcalloc(RV_CACHE, sizeof(*ctx->cache));
	return ctx;
}

struct disasm *disasm_new_for_image(const struct elf_image *img,
				    struct errbuf *err)
{
	return disasm_new(img->machine, img->elfclass, err);
}

void disasm_free(struct disasm *ctx)
{
	if (!ctx)
		return;
	cs_free(ctx->insn, 1);
	cs_close(&ctx->cs);
	free(ctx->cache);
	free(ctx);
}

enum disasm_arch disasm_arch(const struct disasm *ctx)
{
	return ctx->arch;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool has_group(const cs_detail *d, uint8_t group)
{
	for (unsigned i = 0; i < d->groups_count; i++)
		if (d->groups[i] == group)
			return true;
	return false;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* ---- RISC-V -------------------------------------------------------------- */

/* Width in bytes of a scalar load/store from its name's size letter. */
static unsigned rv_width(const char *n)
{
	const char *p = n;

	if (starts(p, "c."))
		p += 2;
	if (starts(p, "f")) /* flw, fsd, c.fldsp */
		p++;
	/* now "lb", "lhu", "sw", "ldsp" ... */
	switch (p[1]) {
	case 'b':
		return 1;
	case 'h':
		return 2;
	case 'w':
		return 4;
	case 'd':
		return 8;
	}
	return 0;
}

/*
 * Classify a RISC-V instruction capstone decoded, from its canonical name
 * n, its groups and the raw encoding w (DISASM.md §4).
 */
/*
 * The class of a scalar load or store capstone names (DISASM.md §4), or
 * INSN_INT_ALU for any other name.  Called for every decoded instruction:
 * most names are rejected by their first letter or length.
 */
static enum insn_class rv_mem_class(const char *n)
{
	static const struct {
		const char *name;
		enum insn_class cls;
	} mem[] = {
		{"lb", INSN_LOAD},	    {"lh", INSN_LOAD},
		{"lw", INSN_LOAD},	    {"ld", INSN_LOAD},
		{"lbu", INSN_LOAD},	    {"lhu", INSN_LOAD},
		{"lwu", INSN_LOAD},	    {"c.lw", INSN_LOAD},
		{"c.ld", INSN_LOAD},	    {"c.lwsp", INSN_LOAD},
		{"c.ldsp", INSN_LOAD},	    {"sb", INSN_STORE},
		{"sh", INSN_STORE},	    {"sw", INSN_STORE},
		{"sd", INSN_STORE},	    {"c.sw", INSN_STORE},
		{"c.sd", INSN_STORE},	    {"c.swsp", INSN_STORE},
		{"c.sdsp", INSN_STORE},	    {"flw", INSN_FP_LOAD},
		{"fld", INSN_FP_LOAD},	    {"c.flw", INSN_FP_LOAD},
		{"c.fld", INSN_FP_LOAD},    {"c.flwsp", INSN_FP_LOAD},
		{"c.fldsp", INSN_FP_LOAD},  {"fsw", INSN_FP_STORE},
		{"fsd", INSN_FP_STORE},	    {"c.fsw", INSN_FP_STORE},
		{"c.fsd", INSN_FP_STORE},   {"c.fswsp", INSN_FP_STORE},
		{"c.fsdsp", INSN_FP_STORE},
	};
	const char *m = n[0] == 'c' && n[1] == '.' ? n + 2 : n;

	if ((m[0] != 'l' && m[0] != 's' && m[0] != 'f') || strlen(m) > 5)
		return INSN_INT_ALU;
	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++)
		if (!strcmp(n, mem[i].name))
			return mem[i].cls;
	return INSN_INT_ALU;
}

static void rv_classify_capstone(const char *n, const cs_detail *d, uint32_t w,
				 unsigned size, struct disasm_insn *out)
{
	static const char *const systems[] = {
		"ecall", "ebreak",     "c.ebreak", "mret",    "sret", "uret",
		"wfi",	 "sfence.vma", "unimp",	   "c.unimp", NULL,
	};
	unsigned rd = (w >> 7) & 31, rs1 = (w >> 15) & 31;
	bool compressed = size == 2;
	enum insn_class cls;
	const char *ext = "I";

	if (compressed)
		ext = "C";
	else if (has_group(d, RISCV_GRP_HASSTDEXTM))
		ext = "M";
	else if (has_group(d, RISCV_GRP_HASSTDEXTA))
		ext = "A";
	else if (has_group(d, RISCV_GRP_HASSTDEXTD))
		ext = "D";
	else if (has_group(d, RISCV_GRP_HASSTDEXTF))
		ext = "F";

	if ((cls = rv_mem_class(n)) != INSN_INT_ALU) {
		out->mem_width = (uint8_t)rv_width(n);
		/* the *sp forms address off sp; 32-bit forms name rs1 */
		if ((compressed && strstr(n, "sp")) ||
		    (!compressed && rs1 == 2))
			out->flags |= INSN_F_STACK;
	} else if (has_group(d, RISCV_GRP_BRANCH_RELATIVE)) {
		cls = INSN_BRANCH_COND;
	} else if (!strcmp(n, "jal")) {
		cls = rd ? INSN_CALL : INSN_JUMP;
	} else if (!strcmp(n, "c.j")) {
		cls = INSN_JUMP;
	} else if (!strcmp(n, "c.jal") || !strcmp(n, "c.jalr")) {
		cls = INSN_CALL;
	} else if (!strcmp(n, "jalr")) {
		if (rd)
			cls = INSN_CALL;
		else if (rs1 == 1 && !(w >> 20))
			cls = INSN_RET;
		else
			cls = INSN_JUMP_INDIRECT;
	} else if (!strcmp(n, "c.jr")) {
		cls = rd == 1 ? INSN_RET : INSN_JUMP_INDIRECT;
	} else if (has_group(d, RISCV_GRP_HASSTDEXTM)) {
		cls = n[0] == 'm' ? INSN_INT_MUL : INSN_INT_DIV;
	} else if (has_group(d, RISCV_GRP_HASSTDEXTA)) {
		cls = INSN_ATOMIC;
		out->mem_width = strstr(n, ".d") ? 8 : 4;
	} else if (starts(n, "fence")) {
		cls = INSN_FENCE;
		if (!strcmp(n, "fence.i"))
			ext = "Zifencei";
	} else if (starts(n, "csrr")) {
		cls = INSN_CSR;
		ext = "Zicsr";
	} else if (in_list(n, systems)) {
		cls = INSN_SYSTEM;
	} else if (!strcmp(n, "c.nop") || w == 0x00000013) {
		cls = INSN_NOP;
	} else if (has_group(d, RISCV_GRP_HASSTDEXTF) ||
		   has_group(d, RISCV_GRP_HASSTDEXTD)) {
		if (starts(n, "fmadd") || starts(n, "fmsub") ||
		    starts(n, "fnmadd") || starts(n, "fnmsub"))
			cls = INSN_FP_FMA;
		else if (starts(n, "fdiv") || starts(n, "fsqrt"))
			cls = INSN_FP_DIV_SQRT;
		else if (starts(n, "fcvt") || starts(n, "fmv"))
			cls = INSN_FP_CVT_MOVE;
		else
			cls = INSN_FP_ARITH;
	}
	if ((!strcmp(n, "c.mv") && rd) ||
	    (!strcmp(n, "addi") && rd && !(w >> 20)) ||
	    (starts(n, "fsgnj.") && rs1 == ((w >> 20) & 31)))
		out->flags |= INSN_F_MOVE;
	out->cls = (uint8_t)cls;
	out->ext = ext;
}

static void from_rv(const struct rv_insn *ri, struct disasm_insn *out)
{
	copy_str(out->mnemonic, sizeof(out->mnemonic), ri->mnemonic);
	copy_str(out->operands, sizeof(out->operands), ri->operands);
	if (ri->flags & INSN_F_TARGET) {
		out->target = ri->target;
		out->flags |= INSN_F_TARGET;
	}
}

/*
 * capstone decoded a RISC-V word: take its identity and class, and the
 * no-alias text from rv_decode() when both agree on the instruction.
 */
static bool rv_capstone(struct disasm *ctx, const cs_insn *ci,
			struct disasm_insn *out)
{
	const char *n = cs_insn_name(ctx->cs, ci->id);
	uint32_t w = 0;
	struct rv_insn ri;

	for (unsigned i = ci->size; i-- > 0;)
		w = w << 8 | ci->bytes[i];
	out->by = INSN_BY_CAPSTONE;
	if (ci->size == 2)
		out->flags |= INSN_F_COMPRESSED;
	rv_classify_capstone(n ? n : ci->mnemonic, ci->detail, w, ci->size,
			     out);
	if (rv_decode(ci->bytes, ci->size, ctx->xlen, ci->address, &ri) ==
	    ci->size) {
		if (n && !strcmp(n, ri.mnemonic)) {
			from_rv(&ri, out);
			/*
			 * Keep capstone's class; rv_decode()'s extension
			 * label is finer (Zicsr, Zihintpause, Zihintntl).
			 */
			out->ext = ri.ext;
			return true;
		}
		/*
		 * The two name different instructions only for HINT
		 * encodings capstone 5 reads as their base instruction
		 * (prefetch.* as ori, DISASM.md §2).  Show the specific
		 * reading, and say that it came from the fallback.
		 */
		from_rv(&ri, out);
		out->by = INSN_BY_FALLBACK;
		out->cls = (uint8_t)ri.cls;
		out->flags = (uint16_t)ri.flags;
		out->mem_width = (uint8_t)ri.mem_width;
		out->ext = ri.ext;
		return true;
	}
	/* Not expected (rv_decode knows all of RV64GC); capstone's text. */
	copy_str(out->mnemonic, sizeof(out->mnemonic), n ? n : ci->mnemonic);
	copy_str(out->operands, sizeof(out->operands), ci->op_str);
	return false;
}

/* ---- x86-64 ------------------------------------------------------------ */

static bool x86_is_simd(const cs_detail *d)
{
	for (unsigned i = 0; i < d->groups_count; i++) {
		switch (d->groups[i]) {
		case X86_GRP_SSE1:
		case X86_GRP_SSE2:
		case X86_GRP_SSE3:
		case X86_GRP_SSE41:
		case X86_GRP_SSE42:
		case X86_GRP_SSE4A:
		case X86_GRP_SSSE3:
		case X86_GRP_AVX:
		case X86_GRP_AVX2:
		case X86_GRP_AVX512:
		case X86_GRP_FMA:
		case X86_GRP_FMA4:
		case X86_GRP_F16C:
		case X86_GRP_MMX:
		case X86_GRP_3DNOW:
		case X86_GRP_AES:
		case X86_GRP_PCLMUL:
		case X86_GRP_SHA:
			return true;
		}
	}
	return false;
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void x86_classify(const cs_insn *ci, struct disasm_insn *out)
{
	const cs_detail *d = ci->detail;
	const cs_x86 *x = &d->x86;
	const char *m = ci->mnemonic;
	unsigned id = ci->id;
	bool rd = false, wr = false, stack = false, imm_target = false;
	unsigned width = 0;
	enum insn_class cls = INSN_INT_ALU;

	for (unsigned i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (op->type == X86_OP_IMM)
			imm_target = true;
		if (op->type != X86_OP_MEM)
			continue;
		if (op->access & CS_AC_READ)
			rd = true;
		if (op->access & CS_AC_WRITE)
			wr = true;
		if (op->mem.base == X86_REG_RSP || op->mem.base == X86_REG_RBP)
			stack = true;
		width = op->size;
	}
	out->ext = "";
	if (has_group(d, X86_GRP_CALL)) {
		cls = INSN_CALL;
	} else if (has_group(d, X86_GRP_RET)) {
		cls = INSN_RET;
	} else if (has_group(d, X86_GRP_INT) || has_group(d, X86_GRP_IRET) ||
		   has_group(d, X86_GRP_PRIVILEGE)) {
		cls = INSN_SYSTEM;
	} else if (has_group(d, X86_GRP_JUMP)) {
		if (id == X86_INS_JMP || id == X86_INS_LJMP)
			cls = imm_target ? INSN_JUMP : INSN_JUMP_INDIRECT;
		else
			cls = INSN_BRANCH_COND;
	} else if (id == X86_INS_NOP || id == X86_INS_ENDBR64 ||
		   id == X86_INS_ENDBR32) {
		cls = INSN_NOP;
	} else if (id == X86_INS_MFENCE || id == X86_INS_LFENCE ||
		   id == X86_INS_SFENCE || starts(m, "prefetch")) {
		cls = INSN_FENCE;
	} else if (x->prefix[0] == X86_PREFIX_LOCK || starts(m, "cmpxchg") ||
		   (id == X86_INS_XCHG && (rd || wr))) {
		cls = INSN_ATOMIC;
	} else if (x86_is_simd(d) || has_group(d, X86_GRP_FPU)) {
		bool scalar = ends(m, "ss") || ends(m, "sd") ||
			      has_group(d, X86_GRP_FPU);

		if (!scalar)
			out->flags |= INSN_F_VECTOR;
		if (strstr(m, "shuf") || strstr(m, "perm") ||
		    strstr(m, "unpck") || strstr(m, "blend") ||
		    strstr(m, "insert") || strstr(m, "extract") ||
		    strstr(m, "broadcast"))
			cls = INSN_V_PERMUTE;
		else if (wr && !rd)
			cls = scalar ? INSN_FP_STORE : INSN_V_STORE;
		else if (rd && (starts(m, "mov") || starts(m, "vmov")))
			cls = scalar ? INSN_FP_LOAD : INSN_V_LOAD;
		else if (scalar) {
			if (strstr(m, "fmadd") || strstr(m, "fmsub") ||
			    strstr(m, "fnmadd") || strstr(m, "fnmsub"))
				cls = INSN_FP_FMA;
			else if (strstr(m, "div") || strstr(m, "sqrt"))
				cls = INSN_FP_DIV_SQRT;
			else if (strstr(m, "cvt") || starts(m, "mov") ||
				 starts(m, "vmov"))
				cls = INSN_FP_CVT_MOVE;
			else
				cls = INSN_FP_ARITH;
		} else if (ends(m, "ps") || ends(m, "pd")) {
			cls = INSN_V_FP;
		} else {
			cls = INSN_V_INT;
		}
	} else if (id == X86_INS_MUL || id == X86_INS_IMUL ||
		   id == X86_INS_MULX) {
		cls = INSN_INT_MUL;
	} else if (id == X86_INS_DIV || id == X86_INS_IDIV) {
		cls = INSN_INT_DIV;
	} else if (has_group(d, X86_GRP_BMI) || has_group(d, X86_GRP_BMI2) ||
		   id == X86_INS_POPCNT || id == X86_INS_LZCNT ||
		   id == X86_INS_TZCNT || id == X86_INS_BSF ||
		   id == X86_INS_BSR || starts(m, "bt")) {
		cls = INSN_BITMANIP;
	} else if (id == X86_INS_LEA) {
		cls = INSN_INT_ALU; /* its "read" memory operand is not one */
		rd = wr = false;
	} else if (id == X86_INS_PUSH) {
		cls = INSN_STORE;
		stack = true;
		width = 8;
	} else if (id == X86_INS_POP) {
		cls = INSN_LOAD;
		stack = true;
		width = 8;
	} else if (wr) {
		cls = INSN_STORE; /* read-modify-write counts as a store */
	} else if (rd) {
		cls = INSN_LOAD;
	}
	if (x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
	    x->operands[1].type == X86_OP_REG &&
	    (starts(m, "mov") || starts(m, "vmov")))
		out->flags |= INSN_F_MOVE;
	if (insn_class_is_mem(cls)) {
		out->mem_width = (uint8_t)width;
		if (stack)
			out->flags |= INSN_F_STACK;
	}
	if ((cls == INSN_JUMP || cls == INSN_CALL || cls == INSN_BRANCH_COND) &&
	    x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
		out->target = (uint64_t)x->operands[0].imm;
		out->flags |= INSN_F_TARGET;
	}
	out->cls = (uint8_t)cls;
}

/* ---- AArch64 ----------------------------------------------------------- */

static void arm64_classify(const cs_insn *ci, struct disasm_insn *out)
{
	static const char *const atomics[] = {
		"ldxr",	 "ldaxr", "stxr",   "stlxr",  "ldxp",	"ldaxp",
		"stxp",	 "stlxp", "cas",    "swp",    "ldadd",	"ldclr",
		"ldeor", "ldset", "ldsmax", "ldsmin", "ldumax", "ldumin",
		"stadd", "stclr", "steor",  "stset",  NULL,
	};
	const cs_detail *d = ci->detail;
	const cs_arm64 *a = &d->arm64;
	const char *m = ci->mnemonic;
	bool mem = false, sve = false, stack = false, simd;
	enum insn_class cls = INSN_INT_ALU;

	for (unsigned i = 0; i < a->op_count; i++) {
		const cs_arm64_op *op = &a->operands[i];

		if (op->type == ARM64_OP_MEM) {
			mem = true;
			if (op->mem.base == ARM64_REG_SP)
				stack = true;
		}
		if (op->type == ARM64_OP_REG &&
		    ((op->reg >= ARM64_REG_Z0 && op->reg <= ARM64_REG_Z31) ||
		     (op->reg >= ARM64_REG_P0 && op->reg <= ARM64_REG_P15)))
			sve = true;
	}
	simd = sve || has_group(d, ARM64_GRP_NEON);
	out->ext = sve ? "sve" : simd ? "neon" : "";
	if (has_group(d, ARM64_GRP_RET)) {
		cls = INSN_RET;
	} else if (has_group(d, ARM64_GRP_CALL)) {
		cls = INSN_CALL;
	} else if (has_group(d, ARM64_GRP_JUMP)) {
		if ((a->cc != ARM64_CC_INVALID && a->cc != ARM64_CC_AL) ||
		    starts(m, "cb") || starts(m, "tb"))
			cls = INSN_BRANCH_COND;
		else if (!strcmp(m, "br") || starts(m, "bra"))
			cls = INSN_JUMP_INDIRECT;
		else
			cls = INSN_JUMP;
	} else if (in_list(m,
			   (const char *const[]){"svc", "hvc", "smc", "brk",
						 "eret", "mrs", "msr", NULL})) {
		cls = INSN_SYSTEM;
	} else if (in_list(m,
			   (const char *const[]){"dmb", "dsb", "isb", NULL})) {
		cls = INSN_FENCE;
	} else if (!strcmp(m, "nop")) {
		cls = INSN_NOP;
	} else if (mem) {
		bool atomic = false;

		for (const char *const *p = atomics; *p; p++)
			if (starts(m, *p))
				atomic = true;
		if (atomic)
			cls = INSN_ATOMIC;
		else if (m[0] == 's' && m[1] == 't')
			cls = simd ? INSN_V_STORE : INSN_STORE;
		else if (m[0] == 'l' && m[1] == 'd')
			cls = simd ? INSN_V_LOAD : INSN_LOAD;
		else if (starts(m, "prfm"))
			cls = INSN_FENCE;
		else
			cls = simd ? INSN_V_LOAD : INSN_LOAD;
		if (stack && !simd)
			out->flags |= INSN_F_STACK;
	} else if (simd) {
		if (strstr(m, "zip") || strstr(m, "uzp") || strstr(m, "trn") ||
		    strstr(m, "tbl") || strstr(m, "ext") || strstr(m, "dup") ||
		    strstr(m, "ins"))
			cls = INSN_V_PERMUTE;
		else if (strstr(m, "addv") || strstr(m, "maxv") ||
			 strstr(m, "minv") || strstr(m, "addp"))
			cls = INSN_V_REDUCE;
		else if (m[0] == 'f')
			cls = INSN_V_FP;
		else
			cls = INSN_V_INT;
	} else if (has_group(d, ARM64_GRP_FPARMV8)) {
		if (starts(m, "fmadd") || starts(m, "fmsub") ||
		    starts(m, "fnmadd") || starts(m, "fnmsub"))
			cls = INSN_FP_FMA;
		else if (starts(m, "fdiv") || starts(m, "fsqrt"))
			cls = INSN_FP_DIV_SQRT;
		else if (starts(m, "fcvt") || starts(m, "fmov") ||
			 starts(m, "scvtf") || starts(m, "ucvtf"))
			cls = INSN_FP_CVT_MOVE;
		else
			cls = INSN_FP_ARITH;
	} else if (in_list(m, (const char *const[]){"mul", "madd", "msub",
						    "umulh", "smulh", "smull",
						    "umull", "smaddl", "umaddl",
						    "mneg", NULL})) {
		cls = INSN_INT_MUL;
	} else if (!strcmp(m, "sdiv") || !strcmp(m, "udiv")) {
		cls = INSN_INT_DIV;
	} else if (in_list(m, (const char *const[]){"clz", "cls", "rbit", "rev",
						    "rev16", "rev32", "cnt",
						    NULL})) {
		cls = INSN_BITMANIP;
	}
	if (simd)
		out->flags |= INSN_F_VECTOR;
	if (a->op_count == 2 && a->operands[0].type == ARM64_OP_REG &&
	    a->operands[1].type == ARM64_OP_REG &&
	    (!strcmp(m, "mov") || !strcmp(m, "fmov")))
		out->flags |= INSN_F_MOVE;
	if ((cls == INSN_JUMP || cls == INSN_CALL || cls == INSN_BRANCH_COND) &&
	    has_group(d, ARM64_GRP_BRANCH_RELATIVE) && a->op_count &&
	    a->operands[a->op_count - 1].type == ARM64_OP_IMM) {
		out->target = (uint64_t)a->operands[a->op_count - 1].imm;
		out->flags |= INSN_F_TARGET;
	}
	out->cls = (uint8_t)cls;
}

/* ---- the block loop -------------------------------------------------- */

static void unknown_insn(const uint8_t *p, unsigned n, struct disasm_insn *out)
{
	uint64_t w = 0;

	for (unsigned i = n; i-- > 0;)
		w = w << 8 | p[i];
	out->len = (uint8_t)n;
	out->cls = INSN_UNKNOWN;
	out->by = INSN_BY_UNKNOWN;
	out->ext = "";
	copy_str(out->mnemonic, sizeof(out->mnemonic), ".insn");
	snprintf(out->operands, sizeof(out->operands), "0x%0*llx", (int)n * 2,
		 (unsigned long long)w);
}

/* Length to skip over a word nobody decodes. */
static unsigned unknown_len(const struct disasm *ctx, const uint8_t *p,
			    size_t avail)
{
	unsigned n;

	switch (ctx->arch) {
	case DISASM_RISCV64:
	case DISASM_RISCV32:
		n = rv_insn_length(p);
		break;
	case DISASM_AARCH64:
		n = 4;
		break;
	default:
		n = 1; /* x86: resynchronising is guesswork anyway */
		break;
	}
	return n > avail ? (unsigned)avail : n;
}

size_t disasm_block(struct disasm *ctx, const uint8_t *bytes, size_t len,
		    uint64_t addr, size_t icount, struct disasm_insn *out)
{
	size_t done = 0;
	bool riscv = ctx->arch == DISASM_RISCV64 || ctx->arch == DISASM_RISCV32;

	while (done < icount && len) {
		struct disasm_insn *o = &out[done];
		const uint8_t *p = bytes;
		size_t n = len;
		uint64_t a = addr;
		struct rv_insn ri;
		struct rv_cached *c = NULL;
		bool pure = false;
		unsigned step, wl = 0;

		if (riscv && len >= 2 && (bytes[0] & 0x1f) != 0x1f) {
			/* a 16- or 32-bit word (longer ones are not cached) */
			uint32_t w = bytes[0] | (uint32_t)bytes[1] << 8;

			wl = (bytes[0] & 3) == 3 ? 4 : 2;
			if (wl == 4 && len >= 4)
				w |= (uint32_t)bytes[2] << 16 |
				     (uint32_t)bytes[3] << 24;
			if (len >= wl) {
				c = &ctx->cache[(w * 0x9e3779b1u) >> 20];
				if (c->len == wl && c->word == w) {
					*o = c->insn;
					o->addr = addr;
					step = wl;
					goto next;
				}
				c->len = 0; /* refilled below if pure */
				c->word = w;
				pure = true;
			}
		}
		memset(o, 0, offsetof(struct disasm_insn, mnemonic));
		o->mnemonic[0] = o->operands[0] = '\0';
		o->addr = addr;
		if (cs_disasm_iter(ctx->cs, &p, &n, &a, ctx->insn)) {
			const cs_insn *ci = ctx->insn;

			step = ci->size;
			o->len = (uint8_t)step;
			o->by = INSN_BY_CAPSTONE;
			if (riscv) {
				pure = rv_capstone(ctx, ci, o) && pure;
			} else {
				copy_str(o->mnemonic, sizeof(o->mnemonic),
					 ci->mnemonic);
				copy_str(o->operands, sizeof(o->operands),
					 ci->op_str);
				if (ctx->arch == DISASM_X86_64)
					x86_classify(ci, o);
				else
					arm64_classify(ci, o);
			}
		} else if (riscv && (step = rv_decode(bytes, len, ctx->xlen,
						      addr, &ri))) {
			o->len = (uint8_t)step;
			o->by = INSN_BY_FALLBACK;
			o->cls = (uint8_t)ri.cls;
			o->flags = (uint16_t)ri.flags;
			o->mem_width = (uint8_t)ri.mem_width;
			o->ext = ri.ext;
			from_rv(&ri, o);
		} else {
			step = unknown_len(ctx, bytes, len);
			unknown_insn(bytes, step, o);
			pure = false;
		}
		/* the word's own length, and no address in it: keep it */
		if (c && pure && step == wl && !(o->flags & INSN_F_TARGET)) {
			c->insn = *o;
			c->len = (uint8_t)wl;
		}
	next:
		bytes += step;
		len -= step;
		addr += step;
		done++;
	}
	return done;
}
