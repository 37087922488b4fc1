/* SPDX-License-Identifier: MIT */
/*
 * The .qemu_out parser on any bytes.  Besides crashes and sanitizer
 * reports, two oracles: the same input fed in chunks (sizes taken from
 * the input) to a sink gives the same rows, totals and warnings as one
 * parse that keeps the rows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_out.h"

struct got {
	struct tb_row *rows;
	size_t nr, alloc;
};

static void take(void *ctx, const struct tb_row *rows, size_t nr)
{
	struct got *g = ctx;

	if (g->nr + nr > g->alloc) {
		g->alloc = (g->nr + nr) * 2;
		g->rows = realloc(g->rows, g->alloc * sizeof(*rows));
		if (!g->rows)
			abort();
	}
	memcpy(g->rows + g->nr, rows, nr * sizeof(*rows));
	g->nr += nr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct qemu_out whole = QEMU_OUT_INIT, q = QEMU_OUT_INIT;
	struct qemu_out_parser p;
	struct got g = {0};
	size_t off = 0, step = size ? 1 + data[0] % 97 : 1;

	qemu_out_parse_buf(&whole, "f", text, size);

	q.sink = take;
	q.sink_ctx = &g;
	qemu_out_parser_init(&p, &q, "f");
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		qemu_out_parser_feed(&p, text + off, n);
		off += n;
		step = 1 + (step * 31 + data[off % size]) % 4099;
	}
	qemu_out_parser_finish(&p);

	if (g.nr != whole.nr || q.nr_rows != whole.nr_rows ||
	    q.total != whole.total || q.malformed != whole.malformed ||
	    q.lines != whole.lines || q.overflow != whole.overflow ||
	    q.warnings.nr != whole.warnings.nr ||
	    (g.nr && memcmp(g.rows, whole.rows, g.nr * sizeof(*g.rows))))
		abort();
	for (size_t i = 0; i < q.warnings.nr; i++)
		if (strcmp(q.warnings.items[i], whole.warnings.items[i]))
			abort();
	free(g.rows);
	qemu_out_release(&q);
	qemu_out_release(&whole);
	return 0;
}
