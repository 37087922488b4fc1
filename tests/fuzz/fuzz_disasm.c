/* SPDX-License-Identifier: MIT */
/*
 * The block decoder (capstone plus the RISC-V fallback) on any bytes, for
 * each architecture: no crash, the documented bounds hold (at most
 * icount instructions, their lengths within the bytes given), and a
 * second decode, from the cache of decoded words, is identical.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "errbuf.h"
#include "rvdecode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct disasm *ctx[4];

/* Field by field: the text arrays hold leftovers after their NUL. */
static bool same(const struct disasm_insn *x, const struct disasm_insn *y)
{
	return x->addr == y->addr && x->target == y->target &&
	       x->len == y->len && x->cls == y->cls && x->by == y->by &&
	       x->mem_width == y->mem_width && x->flags == y->flags &&
	       !strcmp(x->ext ? x->ext : "", y->ext ? y->ext : "") &&
	       !strcmp(x->mnemonic, y->mnemonic) &&
	       !strcmp(x->operands, y->operands);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		unsigned machine;
		int elfclass;
	} arch[4] = {{EM_RISCV, ELFCLASS64},
		     {EM_RISCV, ELFCLASS32},
		     {EM_X86_64, ELFCLASS64},
		     {EM_AARCH64, ELFCLASS64}};
	static struct disasm_insn out[64], again[64];
	struct rv_insn rv;
	struct errbuf err;
	unsigned a, icount;
	size_t n, used = 0;

	if (size < 2)
		return 0;
	a = data[0] % 4;
	icount = 1 + data[1] % 64;
	data += 2;
	size -= 2;
	if (!ctx[a] &&
	    !(ctx[a] = disasm_new(arch[a].machine, arch[a].elfclass, &err)))
		abort();
	n = disasm_block(ctx[a], data, size, 0x10000, icount, out);
	if (n > icount)
		abort();
	/* again, now from the decoder's cache of words: the same */
	if (disasm_block(ctx[a], data, size, 0x10000, icount, again) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!same(&out[i], &again[i]))
			abort();
	for (size_t i = 0; i < n; i++)
		used += out[i].len;
	if (used > size)
		abort();
	/* the fallback decoder alone, at every offset */
	for (size_t off = 0; off + 1 < size && off < 256; off += 2) {
		unsigned len = rv_decode(data + off, size - off, 64, off, &rv);

		if (len && len != 2 && len != 4)
			abort();
		if (len > size - off)
			abort();
	}
	return 0;
}
