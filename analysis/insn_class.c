/* SPDX-License-Identifier: MIT */
/*
 * Names of the instruction classes and decoders.  The tables are indexed
 * by the enums, so a class added to the header without a name here fails
 * the static assertion below.
 */
#include "insn_class.h"

#include <string.h>

#include "banned.h"

static const char *const class_names[] = {
	[INSN_UNKNOWN] = "unknown",
	[INSN_INT_ALU] = "int-alu",
	[INSN_INT_MUL] = "int-mul",
	[INSN_INT_DIV] = "int-div",
	[INSN_BITMANIP] = "bitmanip",
	[INSN_LOAD] = "load",
	[INSN_STORE] = "store",
	[INSN_FP_LOAD] = "fp-load",
	[INSN_FP_STORE] = "fp-store",
	[INSN_ATOMIC] = "atomic",
	[INSN_BRANCH_COND] = "branch-cond",
	[INSN_JUMP] = "jump",
	[INSN_JUMP_INDIRECT] = "jump-indirect",
	[INSN_CALL] = "call",
	[INSN_RET] = "ret",
	[INSN_FP_ARITH] = "fp-arith",
	[INSN_FP_FMA] = "fp-fma",
	[INSN_FP_DIV_SQRT] = "fp-div-sqrt",
	[INSN_FP_CVT_MOVE] = "fp-cvt-move",
	[INSN_FENCE] = "fence",
	[INSN_CSR] = "csr",
	[INSN_SYSTEM] = "system",
	[INSN_NOP] = "nop",
	[INSN_V_CONFIG] = "v-config",
	[INSN_V_LOAD] = "v-load",
	[INSN_V_STORE] = "v-store",
	[INSN_V_INT] = "v-int",
	[INSN_V_FP] = "v-fp",
	[INSN_V_MASK] = "v-mask",
	[INSN_V_REDUCE] = "v-reduce",
	[INSN_V_PERMUTE] = "v-permute",
};

_Static_assert(sizeof(class_names) / sizeof(class_names[0]) == INSN_CLASS_NR,
	       "every insn_class needs a name");

static const char *const decoder_names[] = {
	[INSN_BY_UNKNOWN] = "unknown",
	[INSN_BY_CAPSTONE] = "capstone",
	[INSN_BY_FALLBACK] = "fallback",
};

_Static_assert(sizeof(decoder_names) / sizeof(decoder_names[0]) ==
		       INSN_DECODER_NR,
	       "every insn_decoder needs a name");

const char *insn_class_name(enum insn_class cls)
{
	if ((unsigned)cls >= INSN_CLASS_NR)
		return class_names[INSN_UNKNOWN];
	return class_names[cls];
}

enum insn_class insn_class_from_name(const char *name)
{
	for (unsigned i = 0; i < INSN_CLASS_NR; i++)
		if (!strcmp(class_names[i], name))
			return (enum insn_class)i;
	return INSN_UNKNOWN;
}

const char *insn_decoder_name(enum insn_decoder by)
{
	if ((unsigned)by >= INSN_DECODER_NR)
		return decoder_names[INSN_BY_UNKNOWN];
	return decoder_names[by];
}

bool insn_class_is_mem(enum insn_class cls)
{
	switch (cls) {
	case INSN_LOAD:
	case INSN_STORE:
	case INSN_FP_LOAD:
	case INSN_FP_STORE:
	case INSN_ATOMIC:
	case INSN_V_LOAD:
	case INSN_V_STORE:
		return true;
	default:
		return false;
	}
}

bool insn_class_is_control(enum insn_class cls)
{
	switch (cls) {
	case INSN_BRANCH_COND:
	case INSN_JUMP:
	case INSN_JUMP_INDIRECT:
	case INSN_CALL:
	case INSN_RET:
		return true;
	default:
		return false;
	}
}
