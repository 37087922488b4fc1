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

/* Rows handed to a sink at a time (see struct qemu_out). */
#define QEMU_OUT_BATCH 512

/* Takes `nr` rows, in file order; they are valid until it returns. */
typedef void qemu_out_sink(void *ctx, const struct tb_row *rows, size_t nr);

/*
 * The parsed content of one .qemu_out file.
 *
 * By default every row is kept in rows[].  A caller that reduces rows
 * as they come sets `sink` (and `sink_ctx`) before parsing: rows then go
 * to the sink in batches of QEMU_OUT_BATCH (or of rows[]'s capacity, if
 * *out kept more rows before), rows[] is only the batch being filled,
 * and `nr` is 0 after qemu_out_parser_finish().  Then the file is never
 * held whole: the parser touches 16 KiB of rows per file, whatever its
 * size.
 */
struct qemu_out {
	struct tb_row *rows; /* in file order */
	size_t nr;	     /* rows in rows[] */
	size_t alloc;
	uint64_t nr_rows; /* all rows parsed, kept or handed to the sink */

	qemu_out_sink *sink;
	void *sink_ctx;

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
	uint64_t insns_line, cpu_insns_line; /* where the insns totals were */
};

/*
 * Start parsing into *out: QEMU_OUT_INIT, released or cleared, with
 * `sink` set or not.
 */
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
 * -1 when the file cannot be read (*out is then cleared: empty, its sink
 * kept; rows may have gone to the sink already).
 */
int qemu_out_parse_file(struct qemu_out *out, const char *path,
			const char *name, struct errbuf *err);

/*
 * Empty *out for the next file, keeping its memory and its sink: a
 * caller parsing many files reuses one qemu_out and touches no new
 * memory per file.
 */
void qemu_out_clear(struct qemu_out *out);
void qemu_out_release(struct qemu_out *out);

#endif
