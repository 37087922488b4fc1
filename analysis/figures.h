/* SPDX-License-Identifier: MIT */
/*
 * figures: the data model -- read this first.
 *
 * A run (struct run) is a set of benchmarks; a benchmark (struct
 * benchmark) is the sum of its program's invocations, split by object
 * (the program, a shared library, a pseudo-object), by function, by
 * block, and, with decoding, by instruction (the mix rows).  Every other
 * part of analysis/ is a producer or a reader of these structures:
 *
 *   run.c        produces them from a run directory (run_analyze());
 *   mix.c        fills a benchmark's mix rows and code hashes;
 *   index.c      stores them in SQLite and loads them back;
 *   compare.c    compares two runs' figures, bench_diff.c two benchmarks';
 *   json_view.c  and report.c show them.
 *
 * This header depends on nothing but strlist.h: whoever holds figures can
 * include it without pulling in the code that made them.
 *
 * All the figures are exact 64-bit integers; sums are overflow-checked
 * (overflow marks the sum, which is then UINT64_MAX).  Everything is plain
 * data owned by the struct run it hangs from: arrays and strings are
 * malloc'd and freed by run_release().  The index can rebuild a struct
 * run without the blocks or the mix (see index_load_run()), so readers
 * must accept empty arrays.
 */
#ifndef ANALYSIS_FIGURES_H
#define ANALYSIS_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strlist.h"

/* Names of the pseudo-objects and pseudo-functions. */
#define OBJ_UNMAPPED	    "[unmapped]" /* pc in no mapping, or no .map */
#define OBJ_ANON	    "[anon]"	 /* anonymous mapping (JIT code) */
#define FUNC_NOT_SYMBOLIZED "[not symbolized]" /* no ELF for the object */
#define FUNC_NO_SYMBOL	    "[no symbol]" /* ELF, but no symbol covers pc */

/* One program invocation: a .qemu_out file and its .map. */
struct invocation {
	char *qemu_out;	       /* path relative to the run root */
	char *map;	       /* relative path, or NULL when it is missing */
	uint64_t instructions; /* sum of icount * ecount */
	uint64_t rows;
	bool has_collected;
	uint64_t collected; /* N of "collected N entries" */
	bool has_insns;
	uint64_t insns;	    /* the insns plugin's total */
	uint64_t malformed; /* malformed lines in .qemu_out and .map */
	bool partial;	    /* rows are only part of the blocks */
	char *rate;	    /* its .rate timeline, relative, or NULL */
};

/*
 * One interval of an invocation's instruction-rate timeline (the
 * PROG.rate[.N] file `tbscope record --rate MS` writes; see rate.h).
 */
struct rate_sample {
	uint32_t invocation; /* index into benchmark.invocations */
	uint32_t cpu;	     /* 0: all vCPUs; K + 1: vCPU K's column */
	uint64_t time_ns;    /* end of the interval, since the start */
	uint64_t dur_ns;     /* its length */
	uint64_t count;	     /* instructions executed in it */
};

struct object_total {
	char *name;	 /* basename, or a [pseudo] name */
	char *path;	 /* as recorded in the .map, or NULL */
	char *elf;	 /* the ELF used, relative to the run if inside it */
	char *elf_error; /* why there are no symbols, or NULL */
	uint64_t instructions;
};

struct function_total {
	uint32_t object; /* index into benchmark.objects */
	char *name;	 /* symbol, [section], or a [pseudo] name */
	uint64_t instructions;
	uint64_t addr;	    /* ELF address of the symbol, 0 if none */
	uint64_t size;	    /* symbol size in bytes, 0 if unknown */
	uint32_t blocks;    /* distinct blocks executed in it */
	uint64_t code_hash; /* of its code, numbers dropped; 0 if unknown */
};

struct block_total {
	uint64_t addr; /* ELF address; object offset without ELF; pc if unmapped
			*/
	uint64_t ecount; /* summed over invocations */
	uint64_t tcount;
	uint32_t icount;
	uint32_t object;   /* index into benchmark.objects */
	uint32_t function; /* index into benchmark.functions */
	char *code;	   /* disassembly as JSON text (decode), or NULL */
};

/*
 * One row of the dynamic instruction mix (see mix.h, which computes and
 * sums them): the instructions of one function with one mnemonic, class
 * and decoder.
 */
struct mix_row {
	uint32_t function; /* index into benchmark.functions */
	uint8_t cls;	   /* enum insn_class */
	uint8_t by;	   /* enum insn_decoder */
	/* shared strings from mix_intern(): never freed */
	const char *ext; /* extension name, "" if unknown */
	const char *mnemonic;
	uint64_t count;	     /* dynamic instructions */
	uint64_t compressed; /* of which 2-byte encodings */
	uint64_t stack;	     /* of which loads/stores off sp */
	uint64_t vector;     /* of which vector/SIMD */
};

struct benchmark {
	char *name;  /* program basename: "600.lzpack_r" */
	char *suite; /* "CINT2017rate", or NULL outside a SPEC layout */
	char *dir;   /* directory of the program, relative to the run */
	uint64_t instructions;
	bool partial;	/* a lower bound: some invocation listed only top blocks
			 */
	bool overflow;	/* the sum exceeded 2^64 - 1 */
	bool has_insns; /* every invocation had an insns plugin total */
	uint64_t insns;
	uint64_t rows;
	uint64_t malformed;
	size_t invocation_count; /* also set when invocations are not loaded */
	struct invocation *invocations;
	size_t nr_invocations;
	struct object_total *objects; /* most instructions first */
	size_t nr_objects;
	struct function_total *functions; /* most instructions first */
	size_t nr_functions;
	/*
	 * Most instructions first: all of them with keep_blocks, else the
	 * hottest: RUN_HOT_BLOCKS overall, and RUN_HOT_BLOCKS_PER_FUNCTION in
	 * each of the RUN_HOT_FUNCTIONS hottest functions (see run.h).
	 */
	struct block_total *blocks;
	size_t nr_blocks;
	struct mix_row *mix; /* with decode: see mix.h */
	size_t nr_mix;
	char *arch; /* of the decoded code ("riscv64"), or NULL */
	struct strlist warnings;
	/* the invocations' rate timelines, by invocation, cpu, time */
	struct rate_sample *rate;
	size_t nr_rate;
};

struct run {
	char *root;
	struct benchmark *benchmarks; /* sorted by name */
	size_t nr_benchmarks;
	uint64_t instructions; /* all benchmarks */
	bool overflow;
	uint64_t files;		 /* .qemu_out files read */
	uint64_t bytes;		 /* their size */
	struct strlist warnings; /* run-level: missing ELF files, layout */
};

#define RUN_INIT                                                               \
	{                                                                      \
		0                                                              \
	}

/* The benchmark named `name`, or NULL.  Borrowed from run. */
const struct benchmark *run_find_benchmark(const struct run *run,
					   const char *name);

/* Free everything; *run is RUN_INIT again. */
void run_release(struct run *run);
void benchmark_release(struct benchmark *b);
void mix_rows_free(struct mix_row *rows, size_t nr);

#endif
