/* SPDX-License-Identifier: MIT */
/*
 * disasm: decode translation blocks into classified instructions.  This is
 * the only module that includes capstone.  One `struct disasm` wraps one
 * capstone handle for one architecture (picked from the ELF header):
 * RISC-V 64/32, x86-64 or AArch64.
 *
 * disasm_block() decodes exactly `icount` instructions from a block's
 * bytes, the way QEMU's hotblocks plugin counted them: capstone first
 * (cs_disasm_iter, details on), then for RISC-V the project's own decoder
 * rvdecode.h for the words capstone 5 rejects (Zb*, V, Zicond, Zfa, ...),
 * and as a last resort an `unknown` instruction whose length comes from
 * the encoding's low bits, so the rest of the block stays in step.  Every
 * instruction says which decoder produced it and carries its class and
 * flags (insn_class.h, DISASM.md §4).
 *
 * RISC-V text is always LLVM's no-alias spelling (the one rvdecode.h
 * prints): capstone 5's own text follows aliases (`ret`, `j`, `nop`),
 * prints branch targets as offsets and unknown CSRs as decimals, so when
 * capstone decodes a RISC-V word disasm_block() keeps capstone's identity
 * and classification (cs_insn_name() plus groups) and renders the text with
 * rv_decode(), after checking that both name the same instruction.  x86-64
 * and AArch64 text is capstone's (Intel syntax for x86).
 *
 * A `struct disasm` holds mutable capstone state: use one per thread.
 * Nothing here is global.
 */
#ifndef ANALYSIS_DISASM_H
#define ANALYSIS_DISASM_H

#include <stddef.h>
#include <stdint.h>

#include "insn_class.h"

struct errbuf;
struct elf_image;

enum disasm_arch {
	DISASM_RISCV64,
	DISASM_RISCV32,
	DISASM_X86_64,
	DISASM_AARCH64,
};

/* One decoded instruction. */
struct disasm_insn {
	uint64_t addr;	    /* guest address */
	uint64_t target;    /* direct branch/jump/call target, if
			       INSN_F_TARGET is set in flags */
	uint8_t len;	    /* bytes */
	uint8_t cls;	    /* enum insn_class */
	uint8_t by;	    /* enum insn_decoder */
	uint8_t mem_width;  /* bytes per access (element width for
			       vectors); 0 if none or not known */
	uint16_t flags;	    /* enum insn_flags */
	const char *ext;    /* "I", "C", "Zba", "V", "sse2", ...; static
			       string, "" when not known */
	char mnemonic[32];  /* "sh2add", "c.addi", "vle32.v", "mov"; for
			       unknown ones ".insn" */
	char operands[160]; /* "a0, a1, a2"; for unknown ones the raw
			       word in hex ("0x0000007f") */
};

/*
 * Open a decoder for an ELF e_machine/EI_CLASS pair (EM_RISCV with
 * ELFCLASS64 or ELFCLASS32, EM_X86_64, EM_AARCH64).  Returns NULL with the
 * reason in *err for another architecture, or when the installed capstone
 * is older than 5 or lacks the architecture.  Free with disasm_free().
 */
struct disasm *disasm_new(unsigned e_machine, int elfclass, struct errbuf *err);

/* disasm_new() for the architecture of an opened ELF image. */
struct disasm *disasm_new_for_image(const struct elf_image *img,
				    struct errbuf *err);

/* Close the capstone handle and free ctx.  NULL is a no-op. */
void disasm_free(struct disasm *ctx);

enum disasm_arch disasm_arch(const struct disasm *ctx);

/*
 * Decode exactly `icount` instructions starting at bytes[0], which sits at
 * guest address `addr`, into out[0..icount).  `len` is how many bytes are
 * readable from `bytes` (a block never needs more than icount * 15).
 *
 * Returns the number of instructions written: icount, unless the bytes
 * ran out first (a truncated block); every instruction written is either
 * decoded (by capstone or the fallback) or `unknown` with a best-effort
 * length, and their lengths add up to at most `len`.
 */
size_t disasm_block(struct disasm *ctx, const uint8_t *bytes, size_t len,
		    uint64_t addr, size_t icount, struct disasm_insn *out);

#endif
