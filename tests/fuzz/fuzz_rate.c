/* SPDX-License-Identifier: MIT */
/*
 * The .rate parser on any bytes, checked against what it produced: the
 * intervals are its cpu-0 samples, their counts sum to its total (unless
 * that saturated), each line's time is not before the previous line's and
 * not shorter than its interval, and every malformed line is counted.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rate_file r = RATE_FILE_INIT;
	uint64_t intervals = 0, sum = 0, last = 0;
	bool saturated = false;

	rate_parse_buf(&r, "f.rate", (const char *)data, size);
	for (size_t i = 0; i < r.nr; i++) {
		const struct rate_sample *s = &r.samples[i];

		if (s->cpu)
			continue;
		intervals++;
		if (s->time_ns < last || s->dur_ns > s->time_ns)
			abort();
		last = s->time_ns;
		if (sum + s->count < sum)
			saturated = true;
		sum += s->count;
	}
	if (intervals != r.intervals || (!saturated && sum != r.total) ||
	    r.malformed + r.intervals > r.lines)
		abort();
	rate_file_release(&r);
	return 0;
}
