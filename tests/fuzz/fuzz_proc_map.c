/* SPDX-License-Identifier: MIT */
/*
 * gdb's mapping table parser on any bytes; proc_map_find() checked
 * against a linear scan of the rows it produced: the rows are sorted by
 * start, and an address belongs to the last row starting at or below it
 * if that row contains it (overlapping rows, which real maps never have,
 * are warned about by the parser).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "proc_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_map m = PROC_MAP_INIT;
	struct errbuf err;

	if (proc_map_parse(&m, "f.map", (const char *)data, size, &err) == 0) {
		for (size_t i = 0; i + 1 < m.nr; i++)
			if (m.maps[i].start > m.maps[i + 1].start)
				abort();
		for (size_t i = 0; i < m.nr; i++) {
			uint64_t probes[] = {m.maps[i].start, m.maps[i].end - 1,
					     m.maps[i].end};

			for (size_t k = 0; k < 3; k++) {
				const struct mapping *f =
					proc_map_find(&m, probes[k]);
				const struct mapping *want = NULL;

				for (size_t j = 0; j < m.nr; j++)
					if (m.maps[j].start <= probes[k])
						want = &m.maps[j];
				if (want && probes[k] >= want->end)
					want = NULL;
				if (f != want)
					abort();
			}
		}
	}
	proc_map_release(&m);
	return 0;
}
