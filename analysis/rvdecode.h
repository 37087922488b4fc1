/* SPDX-License-Identifier: MIT */
/*
 * rvdecode: the project's own RISC-V instruction decoder, written from the
 * RISC-V specifications (unprivileged ISA 20240411, RVV 1.0, and the
 * ratified Zb*, Zicond, Zfa, Zfh, Zcb, Zacas, Zicbo*, Zvbb and Zihint*
 * extension documents).  It decodes RV64GC, the whole compressed space and
 * those extensions, and prints each instruction the way LLVM 19's
 * disassembler does with aliases off ("no-alias" spelling: `c.` names,
 * hexadecimal immediates, every rounding mode spelled out), so that its
 * output can be compared word for word with tests/data/riscv-ext/.  It
 * accepts exactly the encodings LLVM 19 accepts with the feature set of
 * that corpus; the few places where that departs from the specifications
 * are listed in tests/unit/test_rvdecode.c.
 *
 * capstone 5 remains the primary decoder of disasm.c; this one is the
 * fallback for the words capstone rejects.  rv_decode() allocates nothing,
 * keeps no state and is safe to call from any number of threads.
 */
#ifndef ANALYSIS_RVDECODE_H
#define ANALYSIS_RVDECODE_H

#include <stddef.h>
#include <stdint.h>

#include "insn_class.h"

struct rv_insn {
	unsigned len;	     /* 2 or 4 */
	char mnemonic[32];   /* "sh2add", "c.lbu", "vle32.v" */
	char operands[96];   /* "a0, a1, a2"; "" when there are none */
	const char *ext;     /* "I", "C", "Zba", "V", ... (static string) */
	enum insn_class cls; /* primary class, DISASM.md §4 */
	unsigned flags;	     /* enum insn_flags */
	unsigned mem_width;  /* bytes accessed per element; 0 if none */
	uint64_t target;     /* branch/jump target if INSN_F_TARGET */
};

/*
 * Decode the instruction at p[0..avail), which sits at address pc (used
 * only for the absolute targets of pc-relative branches and jumps).  xlen
 * is 64 or 32; only RV64 is checked against the LLVM corpus, RV32 differs
 * in the compressed quadrants, shift widths and the *W instructions.
 *
 * Returns the length (2 or 4) and fills *out, or 0 when the bytes are not
 * an instruction this decoder knows (reserved encodings, extensions it does
 * not cover, or avail too short).  *out is unspecified after a 0 return.
 */
unsigned rv_decode(const uint8_t *p, size_t avail, unsigned xlen, uint64_t pc,
		   struct rv_insn *out);

/*
 * Length of the instruction starting at p (avail >= 1) from its low bits:
 * 2 when bits 1:0 are not 11, else 4.  This is how a walker stays in step
 * over a word nobody can decode (longer encodings are not used by any
 * ratified extension and are treated as 4).
 */
unsigned rv_insn_length(const uint8_t *p);

#endif
