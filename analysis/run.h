/* SPDX-License-Identifier: MIT */
/*
 * run: one run directory analysed.  A run is a directory tree in which
 * every `*.qemu_out` or `*.qemu_out.<N>` file is one program invocation;
 * the `.map` with the same suffix is gdb's mappings of that invocation,
 * the `.rate` with the same suffix (if any) its instruction-rate
 * timeline (rate.h), and the file without the suffix is the program.
 * Invocations are grouped into benchmarks by the program's basename
 * (suite: the directory above the benchmark's in an
 * External/SPEC/<suite>/<bench>/ layout).
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
 * What it produces, struct run and the figures below it, is defined in
 * figures.h (the data model), with run_release() and run_find_benchmark().
 */
#ifndef ANALYSIS_RUN_H
#define ANALYSIS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "figures.h"
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

/*
 * Analyse the run directory `root`.  Returns 0, or -1 with the reason in
 * *err when root cannot be read or holds no .qemu_out file.  Problems in
 * single files are warnings in the benchmark (or the run), never errors.
 * opts may be NULL.
 */
int run_analyze(struct run *run, const char *root,
		const struct run_options *opts, struct errbuf *err);

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
 * packing a build directory into an upload: every .qemu_out and its .map
 * and .rate, the programs, libraries built beside them, tbscope-run.json,
 * and the shared libraries the maps name as found in the run's sysroot/
 * or in opts' sysroots (the latter named sysroot/<path as recorded>,
 * where the analysis of the uploaded run finds them).  Libraries that
 * cannot be found are warnings.  Returns 0, or -1 with the reason in
 * *err when root cannot be read or holds no .qemu_out file.
 */
int run_list_files(const char *root, const struct run_options *opts,
		   struct run_files *out, struct strlist *warnings,
		   struct errbuf *err);
void run_files_release(struct run_files *f);

/* Analysis threads for this machine: one per online CPU, up to 8. */
unsigned run_default_threads(void);

#endif
