/* SPDX-License-Identifier: MIT */
/*
 * The block decoder (capstone plus the RISC-V fallback) on any bytes, for
 * each architecture: no crash, and the documented bounds hold (at most
 * icount instructions, their lengths within the bytes given).
 */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "errbuf.h"
#include "rvdecode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct disasm *ctx[4];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		unsigned machine;
		int elfclass;
	} arch[4] = {{EM_RISCV, ELFCLASS64},
		     {EM_RISCV, ELFCLASS32},
		     {EM_X86_64, ELFCLASS64},
		     {EM_AARCH64, ELFCLASS64}};
	struct disasm_insn out[64];
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
