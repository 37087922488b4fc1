/* SPDX-License-Identifier: MIT */
/*
 * parse_value: the checks every number given by a user goes through,
 * whether it comes from a command-line option or an HTTP query parameter.
 * Each is a pure function: it parses the whole of s, checks the range,
 * stores the value and returns 0, or returns -1 with a message in *err
 * that quotes the bad value ("expected a count from 1 to 256, got '0'")
 * and leaves *out untouched.  The message does not name the option or
 * parameter: the caller knows it and prefixes it with errbuf_prefix()
 * ("--threads: expected ...", "limit: expected ...").
 *
 * Accepted syntax (the same as the hand-written checks these replace):
 *  - counts and sizes: a base-10 unsigned integer as strtoull() reads it
 *    (leading blanks and a '+' are allowed, a '-' anywhere is not), with
 *    nothing after it.  Sizes are plain bytes: there are no K/M/G
 *    suffixes.  A number too large for 64 bits is out of range.
 *  - percentages: a number as strtod() reads it, finite and >= 0; "nan"
 *    and "inf" are refused.
 * s may not be NULL: an absent parameter is the caller's default.
 */
#ifndef SERVER_PARSE_VALUE_H
#define SERVER_PARSE_VALUE_H

#include <stdint.h>

struct errbuf;

/* A count (files, threads, seconds, rows) in [min, max]. */
int parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		struct errbuf *err);

/* A size in bytes in [min, max]; the message says "a size in bytes". */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	       struct errbuf *err);

/* A percentage: finite and >= 0 (not capped at 100: deltas can exceed it). */
int parse_percent(const char *s, double *out, struct errbuf *err);

#endif
