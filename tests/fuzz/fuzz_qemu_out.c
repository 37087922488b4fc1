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

/*
 * Speed: under ASan every realloc() of a growing row array is fresh
 * memory (the quarantine), so page faults and ASan's fill of new chunks
 * were most of an execution (2.4 k exec/s).  The rows of both parses go
 * to arrays allocated once, large enough for any input run.sh gives
 * (one row per 8 bytes of input at most), and grown only past that.
 */
struct got {
	struct tb_row *rows;
	size_t nr, alloc;
};

static struct got pool_whole, pool_sink;

static void reserve(struct got *g, size_t nr)
{
	if (nr <= g->alloc)
		return;
	g->alloc = nr * 2;
	g->rows = realloc(g->rows, g->alloc * sizeof(*g->rows));
	if (!g->rows)
		abort();
}

static void take(void *ctx, const struct tb_row *rows, size_t nr)
{
	struct got *g = ctx;

	reserve(g, g->nr + nr);
	memcpy(g->rows + g->nr, rows, nr * sizeof(*rows));
	g->nr += nr;
}

/*
 * ASan's quarantine (256 MB by default) hands every allocation fresh
 * memory until it is full: page faults and the first touch of new pages
 * were a third of an execution's CPU.  An execution frees a few KB (its
 * warnings; the rows are pooled), so 32 MB still keeps the frees of some
 * ten thousand executions poisoned: a use after free within one
 * execution, the only state the parser has, is caught as before.
 * ASAN_OPTIONS overrides this.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=32";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct qemu_out whole = QEMU_OUT_INIT;
	static struct qemu_out q = QEMU_OUT_INIT; /* cleared: keeps its batch */
	struct qemu_out_parser p;
	struct got *g = &pool_sink;
	size_t off = 0, step = size ? 1 + data[0] % 97 : 1;

	/* rows kept: into the pool, which the parser grows if it must */
	reserve(&pool_whole, size / 8 + 1);
	whole.rows = pool_whole.rows;
	whole.alloc = pool_whole.alloc;
	qemu_out_parse_buf(&whole, "f", text, size);
	pool_whole.rows = whole.rows;
	pool_whole.alloc = whole.alloc;
	whole.rows = NULL;

	g->nr = 0;
	q.sink = take;
	q.sink_ctx = g;
	qemu_out_parser_init(&p, &q, "f");
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		qemu_out_parser_feed(&p, text + off, n);
		off += n;
		step = 1 + (step * 31 + data[off % size]) % 4099;
	}
	qemu_out_parser_finish(&p);

	if (g->nr != whole.nr || q.nr_rows != whole.nr_rows ||
	    q.total != whole.total || q.malformed != whole.malformed ||
	    q.lines != whole.lines || q.overflow != whole.overflow ||
	    q.warnings.nr != whole.warnings.nr ||
	    (g->nr &&
	     memcmp(g->rows, pool_whole.rows, g->nr * sizeof(*g->rows))))
		abort();
	for (size_t i = 0; i < q.warnings.nr; i++)
		if (strcmp(q.warnings.items[i], whole.warnings.items[i]))
			abort();
	qemu_out_clear(&q);
	qemu_out_release(&whole);
	return 0;
}
