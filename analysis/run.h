/* SPDX-License-Identifier: MIT */
/*
 * run: one run directory analysed.  A run is a directory tree in which
 * every `*.qemu_out` or `*.qemu_out.<N>` file is one program invocation;
 * the `.map` with the same suffix is gdb's mappings of that invocation,
 * and the file without the suffix is the program.  Invocations are grouped
 * into benchmarks by the program's basename (suite: the directory above
 * the benchmark's in an External/SPEC/<suite>/<bench>/ layout).
 *
 * Every row is attributed through its own invocation's .map (load
 * addresses differ between invocations) to an object, and through the
 * object's ELF to a function.  Blocks are merged across invocations by
 * (object, ELF address, icount).  The binary is found in the run
 * directory; shared libraries in the run's `sysroot/` or the sysroots the
 * caller gives, matched by the path below the recording machine's sysroot
 * or by file name.  A missing ELF is a warning, never a failure: counts
 * and objects still work.
 *
 * All the figures are exact 64-bit integers; sums are overflow-checked.
 * struct run is plain data: the comparison, the JSON views and the index
 * read it, and the index can rebuild it without the blocks.
 */
#ifndef ANALYSIS_RUN_H
#define ANALYSIS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strlist.h"

struct errbuf;

struct run_options {
	const char *const *sysroots; /* searched after the run's sysroot/ */
	size_t nr_sysroots;
	bool no_symbols;  /* skip ELF lookups: objects only, faster */
	bool keep_blocks; /* keep all of benchmark.blocks, not the hottest */
	bool decode;	  /* disassemble: the mix, block code, code hashes */
	unsigned threads; /* benchmarks analysed at once (0, 1: one) */
	bool totals_only; /* benchmark totals only: no objects, functions */
	const char *only; /* analyse only the benchmark of this name */
	/* called after each .qemu_out file, if not NULL */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

#define RUN_MAX_THREADS		    64
#define RUN_HOT_BLOCKS		    256
#define RUN_HOT_FUNCTIONS	    100
#define RUN_HOT_BLOCKS_PER_FUNCTION 32

struct mix_row;

/* Names of the pseudo-objects and pseudo-functions. */
#define OBJ_UNMAPPED	    "[unmapped]" /* pc in no mapping, or no .map */
#define OBJ_ANON	    "[anon]"	 /* anonymous mapping (JIT code) */
#define FUNC_NOT_SYMBOLIZED "[not symbolized]" /* no ELF for the object */
#define FUNC_NO_SYMBOL	    "[no symbol]" /* ELF, but no symbol covers pc */

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
	 * each of the RUN_HOT_FUNCTIONS hottest functions.
	 */
	struct block_total *blocks;
	size_t nr_blocks;
	struct mix_row *mix; /* with decode: see mix.h */
	size_t nr_mix;
	char *arch; /* of the decoded code ("riscv64"), or NULL */
	struct strlist warnings;
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

/*
 * Analyse the run directory `root`.  Returns 0, or -1 with the reason in
 * *err when root cannot be read or holds no .qemu_out file.  Problems in
 * single files are warnings in the benchmark (or the run), never errors.
 * opts may be NULL.
 */
int run_analyze(struct run *run, const char *root,
		const struct run_options *opts, struct errbuf *err);

/* The benchmark named `name`, or NULL.  Borrowed from run. */
const struct benchmark *run_find_benchmark(const struct run *run,
					   const char *name);

/*
 * A digest of what the run directory holds (every file's path, size and
 * modification time), as 32 hex digits: it changes when the run does.
 */
int run_fingerprint(const char *root, char out[33], struct errbuf *err);

/* A file a run's analysis reads. */
struct run_file {
	char *path; /* where it is on disk */
	char *name; /* its path inside the run directory */
};

struct run_files {
	struct run_file *items; /* sorted by name, no duplicates */
	size_t nr, alloc;
};

/*
 * The files the analysis of the run at root reads, and nothing else, for
 * packing a build directory into an upload: every .qemu_out and its .map,
 * the programs, libraries built beside them, tbscope-run.json, and the
 * shared libraries the maps name as found in the run's sysroot/ or in
 * opts' sysroots (the latter named sysroot/<path as recorded>, where the
 * analysis of the uploaded run finds them).  Libraries that cannot be
 * found are warnings.  Returns 0, or -1 with the reason in *err when root
 * cannot be read or holds no .qemu_out file.
 */
int run_list_files(const char *root, const struct run_options *opts,
		   struct run_files *out, struct strlist *warnings,
		   struct errbuf *err);
void run_files_release(struct run_files *f);

/* Analysis threads for this machine: one per online CPU, up to 8. */
unsigned run_default_threads(void);

/* Free everything; *run is RUN_INIT again. */
void run_release(struct run *run);
void benchmark_release(struct benchmark *b);

#endif
