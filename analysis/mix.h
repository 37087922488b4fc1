/* SPDX-License-Identifier: MIT */
/*
 * mix: the dynamic instruction mix of a benchmark, from its blocks'
 * bytes.  Every distinct block (object, ELF address, icount) is decoded
 * once with disasm.h; each of its instructions counts the block's ecount.
 * The result is one row per (function, mnemonic, class, decoder), from
 * which every view is a sum: by class, by mnemonic, by object, by
 * function, by decoder, by extension, and the compressed, stack
 * (spill/reload) and vector shares.  Instructions whose bytes are not
 * available (no ELF file, [vdso], unmapped code) are one row per function
 * with the mnemonic MIX_NO_BYTES and the class "unknown", so the rows
 * always add up exactly to the benchmark's total.
 *
 * The module also renders kept blocks' disassembly (JSON text) and a
 * code hash of the MIX_HASHED_FUNCTIONS hottest functions: the whole body
 * decoded linearly, with numeric operands dropped so that moving code or data
 * around does not count as a change, hashed.  Two builds' functions of the same
 * name whose hashes differ had their code changed.
 */
#ifndef ANALYSIS_MIX_H
#define ANALYSIS_MIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct benchmark;
struct elf_image;

/* The rows themselves, struct mix_row, are in figures.h. */

#define MIX_NO_BYTES "(no bytes)"

/* Functions whose code is hashed, the hottest first (see code_hash). */
#define MIX_HASHED_FUNCTIONS 1000

/*
 * Decode every block of b (b->blocks, all of them) whose object has an
 * image in imgs[object] (NULL: no bytes); fill b->mix, b->arch, the
 * functions' code hashes, and blk->code for the blocks with keep[i] set.
 * An object whose architecture cannot be decoded adds a warning; its
 * instructions count as MIX_NO_BYTES.
 */
void mix_compute(struct benchmark *b, struct elf_image *const *imgs,
		 const bool *keep);

/*
 * The one shared copy of the string s[0..len) for mix rows' mnemonic and
 * ext: rows point to it and never free it.  The set lives as long as the
 * process: mnemonics and extension names, a few thousand short strings
 * at most, instead of two small allocations per row (1.3 M of them for a
 * SPEC run).  Thread-safe.
 */
const char *mix_intern(const char *s, size_t len);

/* Which rows a sum takes: a function, an object, or (both -1) all. */
struct mix_filter {
	long function; /* index into benchmark.functions, or -1 */
	long object;   /* index into benchmark.objects, or -1 */
};

#define MIX_ALL ((struct mix_filter){-1, -1})

/* The totals a view needs, summed over the rows a filter takes. */
struct mix_sums {
	uint64_t total;
	uint64_t *by_class;   /* [INSN_CLASS_NR] */
	uint64_t *by_decoder; /* [INSN_DECODER_NR], of decoded bytes */
	uint64_t no_bytes;    /* MIX_NO_BYTES: not in by_decoder */
	uint64_t compressed, stack, vector;
};

/* Sum b's mix rows; free with mix_sums_release(). */
void mix_sums_compute(struct mix_sums *s, const struct benchmark *b,
		      struct mix_filter f);
void mix_sums_release(struct mix_sums *s);

/* A sum by a string key (mnemonic and class, or extension). */
struct mix_keyed {
	const char *key; /* borrowed from the benchmark */
	uint8_t cls;	 /* mnemonics: the class of every row summed; 0 for
			    extensions */
	uint64_t count;
};

/*
 * Sum the rows a filter takes by (mnemonic, class) (by_ext false: one
 * mnemonic can be several rows, jal as a call and as a jump) or by
 * extension, most instructions first, then by key and class; *out is
 * malloc'd (free it).  Returns how many.
 */
size_t mix_by_key(const struct benchmark *b, struct mix_filter f, bool by_ext,
		  struct mix_keyed **out);

#endif
