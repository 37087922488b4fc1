/* SPDX-License-Identifier: MIT */
/*
 * rate: the instruction-rate timeline of one program invocation, the
 * PROG.rate[.N] file that `tbscope record --rate MS` (tbscope's QEMU
 * plugin with rate=MS) writes beside PROG.qemu_out[.N]:
 *
 *   # tbscope_plugin prefix=...,rate=100
 *   # plugin api 1, target riscv64, interval 100 ms, qemu /usr/bin/...
 *   time: 100000000, dur: 100000000, count: 41823311
 *   time: 200000000, dur: 100000000, count: 40200117, cpu0: 40000000,
 *   cpu1: 200117
 *
 * one line per interval (the last one shorter: the program's exit), times
 * in nanoseconds since the program started, count the instructions
 * executed in the interval, and with several vCPUs `, cpuK: N` per vCPU
 * (all on the one line).  This is the line shape of the `insn` plugin +
 * bpftrace recipe teams used before.  `#` lines and blank lines are
 * comments.  Every other line is malformed: counted, and the first few
 * reported as "<name>:<line>: <what>" in `warnings`, never fatal.  The
 * file may be zstd or gzip compressed (fileio.h's zfile).
 *
 * It also holds the JSON and text views of a benchmark's timelines
 * (struct benchmark.rate, figures.h), for the API, the benchmark page and
 * `tbscope show RUN BENCH --rate`.
 */
#ifndef ANALYSIS_RATE_H
#define ANALYSIS_RATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "figures.h"
#include "strlist.h"

struct errbuf;
struct strbuf;

/* How many malformed lines are quoted in `warnings`; all are counted. */
#define RATE_MAX_REPORTED 5
/* Larger .rate files are refused (a day at 1 ms is about 4 GiB). */
#define RATE_MAX_BYTES (256u << 20)
/* vCPU columns kept per line; more are counted in `count` only. */
#define RATE_MAX_CPUS 256

/* One parsed .rate file. */
struct rate_file {
	/*
	 * In file order; every line gives a sample with cpu 0 (the total),
	 * then one per vCPU column.  invocation is 0: the caller sets it.
	 */
	struct rate_sample *samples;
	size_t nr, alloc;
	uint64_t intervals;   /* lines with a sample */
	uint64_t total;	      /* sum of the intervals' counts */
	uint64_t interval_ms; /* the header's "interval N ms", 0 if absent */
	uint64_t lines;
	uint64_t malformed;
	struct strlist warnings; /* "<name>:<line>: <what>" */
};

#define RATE_FILE_INIT                                                         \
	{                                                                      \
		0                                                              \
	}

/* Parse buf[0..len) into *r (RATE_FILE_INIT or released). */
void rate_parse_buf(struct rate_file *r, const char *name, const char *buf,
		    size_t len);
/*
 * Parse the file at path (plain, .zst or .gz), naming it `name` in
 * messages.  Returns 0, or -1 with the reason in *err when it cannot be
 * read (then *r is empty).
 */
int rate_parse_file(struct rate_file *r, const char *path, const char *name,
		    struct errbuf *err);
void rate_file_release(struct rate_file *r);

/*
 * A benchmark's timelines as JSON: {"benchmark", "invocations": [...]},
 * one entry per invocation with a timeline (see README, HTTP API):
 * {"invocation" (its index), "qemu_out", "rate", "instructions" (the
 * .qemu_out total), "total" (the sum of the intervals' counts),
 * "time_ns", "dur_ns", "count": one element per interval, and "cpus":
 * one array of counts per vCPU when there were several, else [] (an
 * interval before the second vCPU started counts on vCPU 0)}.
 */
json_t *json_rate(const struct benchmark *b);

/*
 * The same as text: per invocation, a line per interval with its end
 * time, its instructions, instructions per second and a bar scaled to
 * the fastest interval, so that phases show in a terminal.
 */
void report_rate_text(struct strbuf *out, const struct benchmark *b);

#endif
