/* SPDX-License-Identifier: MIT */
/*
 * qemu_out: parser for the output of QEMU's `hotblocks` plugin, one file
 * per program invocation:
 *
 *   collected 2761 entries in the hash table [(showing up to M)]
 *   pc, tcount, icount, ecount
 *   0x00007ffff7283e0a, 1, 6, 3151867
 *
 * A row is one translation block keyed by (pc, icount): the same pc can
 * appear twice.  The `insns` plugin's lines (`insns: N`, `total insns: N`,
 * `cpu N insns: M`) are recorded as an independent total.  Every other
 * line is malformed: it is counted and the first few are reported as
 * "<name>:<line>: <what>" in `warnings`.  Malformed input is never fatal
 * and never silently dropped.
 *
 * The parser is a push parser (feed chunks, then finish) with all of its
 * state in struct qemu_out_parser, so files of any size are parsed in
 * bounded memory apart from the rows themselves.
 */
#ifndef ANALYSIS_QEMU_OUT_H
#define ANALYSIS_QEMU_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "strlist.h"

struct errbuf;

/* One row: one translation block of one invocation. */
struct tb_row {
	uint64_t pc;	 /* guest address of the block's first instruction */
	uint64_t ecount; /* times executed */
	uint64_t tcount; /* times translated */
	uint32_t icount; /* instructions in the block (>= 1) */
	uint32_t line;	 /* line number in the file (saturates) */
};

/* How many malformed lines are quoted in `warnings`; all are counted. */
#define QEMU_OUT_MAX_REPORTED 5
/* Lines longer than this are malformed without being buffered whole. */
#define QEMU_OUT_MAX_LINE 4096

/* The parsed content of one .qemu_out file. */
struct qemu_out {
	struct tb_row *rows; /* in file order */
	size_t nr;
	size_t alloc;

	bool has_collected; /* a "collected N entries" line was seen */
	uint64_t collected; /* its N */
	bool has_limit;	    /* ... with "(showing up to M)" */
	uint64_t limit;	    /* its M */

	bool has_insns; /* the insns plugin's total was seen */
	uint64_t insns; /* "total insns"/"insns", else sum of "cpu N insns" */
	bool has_cpu_insns;
	uint64_t cpu_insns;

	uint64_t total;	    /* sum of icount * ecount over the rows */
	bool overflow;	    /* a product or the sum exceeded 2^64 - 1 */
	uint64_t lines;	    /* lines read */
	uint64_t malformed; /* lines that were not recognised */
	bool empty;	    /* the file had no bytes at all */
	bool no_final_newline;

	/* "<name>:<line>: <what>" for malformed lines and inconsistencies */
	struct strlist warnings;
};

#define QEMU_OUT_INIT                                                          \
	{                                                                      \
		0                                                              \
	}

/*
 * True when the rows are known to be only part of the blocks (the plugin
 * printed its top M of N, the file is empty or the sum overflowed): every
 * total from the file is then a lower bound.
 */
bool qemu_out_partial(const struct qemu_out *q);

struct qemu_out_parser {
	struct qemu_out *out;
	const char *name; /* for messages; borrowed */
	uint64_t lineno;
	struct strbuf partial; /* an incomplete line carried between feeds */
	bool overlong;	       /* discarding the rest of an overlong line */
	bool any_input;
};

/* Start parsing into *out (which must be QEMU_OUT_INIT or released). */
void qemu_out_parser_init(struct qemu_out_parser *p, struct qemu_out *out,
			  const char *name);
/* Parse the next len bytes of the file. */
void qemu_out_parser_feed(struct qemu_out_parser *p, const char *buf,
			  size_t len);
/*
 * The end of the file: parse a last line without a newline and add the
 * warnings that need the whole file (empty file, rows missing against
 * the collected count, disagreement with the insns plugin).  Frees the
 * parser's own state; *out stays the caller's.
 */
void qemu_out_parser_finish(struct qemu_out_parser *p);

/* Parse a whole buffer: init + feed + finish. */
void qemu_out_parse_buf(struct qemu_out *out, const char *name, const char *buf,
			size_t len);
/*
 * Parse the file at `path`, naming it `name` in messages.  Returns 0, or
 * -1 when the file cannot be read (*out is then released and empty).
 */
int qemu_out_parse_file(struct qemu_out *out, const char *path,
			const char *name, struct errbuf *err);

void qemu_out_release(struct qemu_out *out);

#endif
