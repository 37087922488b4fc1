/* SPDX-License-Identifier: MIT */
#include "parse_value.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "banned.h"

/*
 * The range as a phrase: "from 1 to 256", or ">= 1" when the upper bound
 * is only the type's (UINT64_MAX, or INT64_MAX for a signed target).
 */
static int range_error(struct errbuf *err, const char *what, const char *s,
		       uint64_t min, uint64_t max)
{
	if (max >= (uint64_t)INT64_MAX)
		return errbuf_set(err, "expected %s >= %" PRIu64 ", got '%s'",
				  what, min, s);
	return errbuf_set(
		err, "expected %s from %" PRIu64 " to %" PRIu64 ", got '%s'",
		what, min, max, s);
}

static int parse_u64(const char *s, const char *what, uint64_t min,
		     uint64_t max, uint64_t *out, struct errbuf *err)
{
	unsigned long long v;
	char *end;

	/*
	 * strtoull() negates "-5" (and " -5") into a huge value instead of
	 * failing, so a '-' is refused before it gets there.
	 */
	if (!*s || strchr(s, '-'))
		return range_error(err, what, s, min, max);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return range_error(err, what, s, min, max);
	*out = v;
	return 0;
}

int parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		struct errbuf *err)
{
	return parse_u64(s, "a count", min, max, out, err);
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	       struct errbuf *err)
{
	return parse_u64(s, "a size in bytes", min, max, out, err);
}

int parse_percent(const char *s, double *out, struct errbuf *err)
{
	char *end;
	double v;

	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < 0)
		return errbuf_set(err, "expected a percentage >= 0, got '%s'",
				  s);
	*out = v;
	return 0;
}
