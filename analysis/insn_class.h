/* SPDX-License-Identifier: MIT */
/*
 * insn_class: the instruction-mix scheme of DISASM.md §4.  Every decoded
 * instruction gets exactly one primary class (weighted by its block's
 * ecount when a mix is summed) and a set of secondary flags that can be
 * summed independently (compressed share, stack spills/reloads, vector
 * share), plus the decoder that produced it.  The names returned by
 * insn_class_name() are stable: they appear in the index, the JSON API and
 * the pages, so never rename one; add new classes before INSN_CLASS_NR.
 * Pure tables, no state.
 */
#ifndef ANALYSIS_INSN_CLASS_H
#define ANALYSIS_INSN_CLASS_H

#include <stdbool.h>

enum insn_class {
	INSN_UNKNOWN = 0,   /* "unknown": no decoder knew the word */
	INSN_INT_ALU,	    /* "int-alu" */
	INSN_INT_MUL,	    /* "int-mul" */
	INSN_INT_DIV,	    /* "int-div" */
	INSN_BITMANIP,	    /* "bitmanip" */
	INSN_LOAD,	    /* "load" */
	INSN_STORE,	    /* "store" */
	INSN_FP_LOAD,	    /* "fp-load" */
	INSN_FP_STORE,	    /* "fp-store" */
	INSN_ATOMIC,	    /* "atomic" */
	INSN_BRANCH_COND,   /* "branch-cond" */
	INSN_JUMP,	    /* "jump" */
	INSN_JUMP_INDIRECT, /* "jump-indirect" */
	INSN_CALL,	    /* "call" */
	INSN_RET,	    /* "ret" */
	INSN_FP_ARITH,	    /* "fp-arith" */
	INSN_FP_FMA,	    /* "fp-fma" */
	INSN_FP_DIV_SQRT,   /* "fp-div-sqrt" */
	INSN_FP_CVT_MOVE,   /* "fp-cvt-move" */
	INSN_FENCE,	    /* "fence": fences, pause, cbo.*, prefetch.* */
	INSN_CSR,	    /* "csr" */
	INSN_SYSTEM,	    /* "system" */
	INSN_NOP,	    /* "nop" */
	INSN_V_CONFIG,	    /* "v-config" */
	INSN_V_LOAD,	    /* "v-load" */
	INSN_V_STORE,	    /* "v-store" */
	INSN_V_INT,	    /* "v-int" */
	INSN_V_FP,	    /* "v-fp" */
	INSN_V_MASK,	    /* "v-mask" */
	INSN_V_REDUCE,	    /* "v-reduce" */
	INSN_V_PERMUTE,	    /* "v-permute" */
	INSN_CLASS_NR
};

/* Secondary flags of one instruction (enum insn_flags bits). */
enum insn_flags {
	INSN_F_COMPRESSED = 1 << 0, /* 2-byte RISC-V encoding (RVC, Zcb) */
	INSN_F_STACK = 1 << 1,	    /* load/store addressed off the stack
				       pointer: a spill or reload (x86:
				       rsp or rbp, push/pop) */
	INSN_F_VECTOR = 1 << 2,	    /* vector/SIMD instruction */
	INSN_F_TARGET = 1 << 3,	    /* direct branch: `target` is valid */
};

/* Which decoder produced an instruction. */
enum insn_decoder {
	INSN_BY_UNKNOWN = 0, /* "unknown": nobody; length from the low bits */
	INSN_BY_CAPSTONE,    /* "capstone" */
	INSN_BY_FALLBACK,    /* "fallback": rv_decode() */
	INSN_DECODER_NR
};

/* Stable name of a class ("int-alu"); "unknown" for out-of-range values. */
const char *insn_class_name(enum insn_class cls);

/* The class named `name`, or INSN_UNKNOWN when no class has that name. */
enum insn_class insn_class_from_name(const char *name);

/* Stable name of a decoder ("capstone", "fallback", "unknown"). */
const char *insn_decoder_name(enum insn_decoder by);

/* True for the memory classes (load, store, fp-*, atomic, v-load/store). */
bool insn_class_is_mem(enum insn_class cls);

/* True for the control-flow classes (branch-cond, jump*, call, ret). */
bool insn_class_is_control(enum insn_class cls);

#endif
