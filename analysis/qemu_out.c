/* SPDX-License-Identifier: MIT */
#include "qemu_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "fileio.h"
#include "xalloc.h"
#include "banned.h"

/* Value of a hex digit, or 0xff. */
static const unsigned char hexval[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

bool qemu_out_partial(const struct qemu_out *q)
{
	return q->empty || q->overflow ||
	       (q->has_collected && q->nr_rows < q->collected);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_spaces(const char *s, const char *end)
{
	while (s < end && is_space(*s))
		s++;
	return s;
}

/*
 * Parse an unsigned decimal at *sp.  Returns 0 and advances *sp, or a
 * reason: no digits, or more than 64 bits.
 */
static const char *parse_dec(const char **sp, const char *end, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;

	if (s == end || (unsigned char)(*s - '0') > 9)
		return "not a decimal number";
	do {
		unsigned d = (unsigned char)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return "number does not fit in 64 bits";
		x = x * 10 + d;
		s++;
	} while (s < end && (unsigned char)(*s - '0') <= 9);
	*sp = s;
	*v = x;
	return NULL;
}

/* ", " between fields: a comma with optional blanks around it. */
static const char *parse_sep(const char **sp, const char *end)
{
	const char *s = skip_spaces(*sp, end);

	if (s == end || *s != ',')
		return "expected 4 comma-separated fields";
	*sp = skip_spaces(s + 1, end);
	return NULL;
}

/*
 * Parse "0x<pc>, <tcount>, <icount>, <ecount>" in s[0..len).  Returns
 * NULL on success, else why the line is malformed.
 */
static const char *parse_row(const char *s, size_t len, struct tb_row *row)
{
	const char *end = s + len;
	const char *why;
	uint64_t pc = 0, icount;
	int ndig = 0;

	if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return "pc does not start with 0x";
	s += 2;
	while (s < end && hexval[(unsigned char)*s]) {
		if (++ndig > 16)
			return "pc has more than 16 hex digits";
		pc = pc << 4 | (uint64_t)(hexval[(unsigned char)*s] - 1);
		s++;
	}
	if (!ndig || (s < end && *s != ',' && !is_space(*s)))
		return "pc is not hexadecimal";
	if ((why = parse_sep(&s, end)) ||
	    (why = parse_dec(&s, end, &row->tcount)))
		return why;
	if ((why = parse_sep(&s, end)) || (why = parse_dec(&s, end, &icount)))
		return why;
	if ((why = parse_sep(&s, end)) ||
	    (why = parse_dec(&s, end, &row->ecount)))
		return why;
	s = skip_spaces(s, end);
	if (s != end)
		return *s == ',' ? "more than 4 fields" : "trailing characters";
	if (icount == 0)
		return "icount is 0";
	if (icount > UINT32_MAX)
		return "icount does not fit in 32 bits";
	row->pc = pc;
	row->icount = (uint32_t)icount;
	return NULL;
}

/* Match the literal `lit` at *sp and advance past it. */
static bool match(const char **sp, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *sp) < n || memcmp(*sp, lit, n))
		return false;
	*sp += n;
	return true;
}

static void note(struct qemu_out_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct qemu_out_parser *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	/* one allocation for the usual message (fewer for fuzz_qemu_out) */
	strbuf_grow(&sb, 256);
	strbuf_addf(&sb, "%s:%llu: ", p->name, (unsigned long long)p->lineno);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strlist_add_take(&p->out->warnings, strbuf_detach(&sb, NULL));
}

static void malformed(struct qemu_out_parser *p, const char *s, size_t len,
		      const char *why)
{
	struct strbuf sb = STRBUF_INIT;

	if (p->out->malformed++ >= QEMU_OUT_MAX_REPORTED)
		return;
	/* note()'s message, quoting the line in place: one allocation */
	strbuf_grow(&sb, 256);
	strbuf_addf(&sb, "%s:%llu: malformed line (%s): '", p->name,
		    (unsigned long long)p->lineno, why);
	quote_for_message(&sb, s, len, 60);
	strbuf_addch(&sb, '\'');
	strlist_add_take(&p->out->warnings, strbuf_detach(&sb, NULL));
}

/* Lines that are not rows but belong in the file. */
static bool known_line(struct qemu_out_parser *p, const char *s,
		       const char *end)
{
	struct qemu_out *out = p->out;
	const char *t = s;
	uint64_t n, m;

	if (match(&t, end, "collected ")) {
		if (parse_dec(&t, end, &n) ||
		    !match(&t, end, " entries in the hash table"))
			return false;
		t = skip_spaces(t, end);
		if (t < end) {
			if (!match(&t, end, "(showing up to ") ||
			    parse_dec(&t, end, &m) || !match(&t, end, ")") ||
			    skip_spaces(t, end) != end)
				return false;
			out->has_limit = true;
			out->limit = m;
		}
		if (out->has_collected) {
			note(p, "a second 'collected N entries' line: two "
				"outputs in one file?");
			if (__builtin_add_overflow(out->collected, n,
						   &out->collected))
				out->collected = UINT64_MAX;
		} else {
			out->collected = n;
		}
		out->has_collected = true;
		return true;
	}
	if (match(&t, end, "pc")) {
		static const char *const cols[] = {"tcount", "icount",
						   "ecount"};

		t = s + 2;
		for (int i = 0; i < 3; i++) {
			t = skip_spaces(t, end);
			if (!match(&t, end, ","))
				return false;
			t = skip_spaces(t, end);
			if (!match(&t, end, cols[i]))
				return false;
		}
		return skip_spaces(t, end) == end;
	}
	if (match(&t, end, "total insns: ") || match(&t, end, "insns: ")) {
		if (parse_dec(&t, end, &n) || skip_spaces(t, end) != end)
			return false;
		out->has_insns = true;
		out->insns = n;
		p->insns_line = p->lineno;
		return true;
	}
	if (match(&t, end, "cpu ")) {
		if (parse_dec(&t, end, &m) || !match(&t, end, " insns: ") ||
		    parse_dec(&t, end, &n) || skip_spaces(t, end) != end)
			return false;
		out->has_cpu_insns = true;
		if (__builtin_add_overflow(out->cpu_insns, n, &out->cpu_insns))
			out->cpu_insns = UINT64_MAX;
		p->cpu_insns_line = p->lineno;
		return true;
	}
	return false;
}

/*
 * Room for one more row in rows[]: the sink takes a full batch, or
 * rows[] grows.  Out of line: once per batch with a sink.
 */
static void __attribute__((noinline)) make_room(struct qemu_out *out)
{
	if (out->sink && out->nr) {
		out->sink(out->sink_ctx, out->rows, out->nr);
		out->nr = 0;
		return;
	}
	ALLOC_GROW(out->rows, out->nr + 1, out->alloc);
	if (out->sink && out->alloc < QEMU_OUT_BATCH) {
		out->alloc = QEMU_OUT_BATCH;
		out->rows = xreallocarray(out->rows, out->alloc,
					  sizeof(*out->rows));
	}
}

/*
 * Where the next row goes.  The fields are written there in place: a
 * row built elsewhere and copied is read back with wider loads than it
 * was stored with, and that store-forwarding stall was a fifth of the
 * parse.
 */
static inline struct tb_row *row_slot(struct qemu_out *out)
{
	if (out->nr == out->alloc)
		make_room(out);
	return &out->rows[out->nr];
}

/* The row in row_slot() is complete: count it and add it to the total. */
static inline void row_done(struct qemu_out_parser *p, struct tb_row *row)
{
	struct qemu_out *out = p->out;
	uint64_t prod;

	row->line = p->lineno > UINT32_MAX ? UINT32_MAX : (uint32_t)p->lineno;
	out->nr++;
	out->nr_rows++;
	if (out->overflow)
		return;
	if (__builtin_mul_overflow((uint64_t)row->icount, row->ecount, &prod) ||
	    __builtin_add_overflow(out->total, prod, &out->total)) {
		out->overflow = true;
		out->total = UINT64_MAX;
		note(p, "instruction count overflows 64 bits");
	}
}

static void parse_line(struct qemu_out_parser *p, const char *s, size_t len)
{
	struct tb_row row;
	const char *why, *t, *end;

	p->lineno++;
	p->out->lines++;
	/*
	 * The limit counts the line's bytes as read, a final '\r' included:
	 * the same rule as a line that arrives in pieces (feed()), so a
	 * file's rows do not depend on where its reads were cut.
	 */
	if (len >= QEMU_OUT_MAX_LINE) {
		malformed(p, s, len, "line longer than 4096 bytes");
		return;
	}
	if (len && s[len - 1] == '\r')
		len--;
	if (len && s[0] == '0') {
		why = parse_row(s, len, &row);
		if (!why) {
			struct tb_row *slot = row_slot(p->out);

			*slot = row;
			row_done(p, slot);
			return;
		}
		malformed(p, s, len, why);
		return;
	}
	end = s + len;
	t = skip_spaces(s, end);
	if (t == end)
		return; /* blank */
	if (known_line(p, t, end))
		return;
	malformed(p, s, len, "not a hotblocks row");
}

/*
 * Eight bytes at a time (SWAR) for the row fast path, on little-endian
 * hosts: byte k of a loaded word is the k-th character.  Elsewhere the
 * byte loops below do all of the work.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ROW_SWAR 1
#define ONES	 0x0101010101010101ull
#define HIGHS	 0x8080808080808080ull

static inline uint64_t load8(const char *s)
{
	uint64_t w;

	memcpy(&w, s, sizeof(w));
	return w;
}

/*
 * 0x80 in each byte of w that lies in [lo, hi] (lo >= 0x30, hi <= 0x7f),
 * 0 in the others.  A byte of 0x80 or more is outside and may carry into
 * the bytes after it: callers only trust the bytes up to the first one
 * outside.
 */
static inline uint64_t bytes_in(uint64_t w, unsigned lo, unsigned hi)
{
	return (w + (0x80 - lo) * ONES) & ~(w + (0x7f - hi) * ONES) & HIGHS;
}

/* Eight hex digits, the first the most significant, or false. */
static inline bool hex8(uint64_t w, uint32_t *out)
{
	uint64_t ok =
		bytes_in(w, '0', '9') | bytes_in(w | 0x20 * ONES, 'a', 'f');
	uint64_t v;

	if (ok != HIGHS)
		return false;
	/* '0'-'9' -> 0-9; 'a'-'f' and 'A'-'F' (bit 0x40 set) -> 10-15 */
	v = (w & 0x0f * ONES) + ((w & 0x40 * ONES) >> 6) * 9;
	/* nibbles to bytes, bytes to halves, halves to the word */
	v = (v & 0x000f000f000f000full) << 4 | (v & 0x0f000f000f000f00ull) >> 8;
	v = (v & 0x000000ff000000ffull) << 8 |
	    (v & 0x00ff000000ff0000ull) >> 16;
	v = (v & 0x000000000000ffffull) << 16 |
	    (v & 0x0000ffff00000000ull) >> 32;
	*out = (uint32_t)v;
	return true;
}
#endif

/*
 * The unsigned decimal at s: returns its end, or NULL when it has no
 * digit or more than 19 (those, which may still fit in 64 bits, are
 * left to the general path).  At most 19 digits cannot overflow.  Eight
 * digits at a time was slower here: most counts are short.
 */
static inline const char *fast_dec(const char *s, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0;

	for (; s < end && (unsigned char)(*s - '0') <= 9; s++) {
		if (++digits > 19)
			return NULL;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return digits ? s : NULL;
}

/*
 * The plugin's own row, "0x<hex>, <dec>, <dec>, <dec>\n", in one pass
 * that also finds the line's end.  Returns where the next line starts,
 * or NULL for anything else (other spacing, CR, other lines, errors):
 * the general path then parses the line and says what is wrong.
 */
static const char *fast_row(struct qemu_out_parser *p, const char *s,
			    const char *end)
{
	const char *q = s;
	uint64_t pc = 0, v[3];
	struct tb_row *row;
	int nd = 0;

	if (end - q < 4 || q[0] != '0' || q[1] != 'x')
		return NULL;
	q += 2;
#ifdef ROW_SWAR
	/*
	 * QEMU prints the pc as 16 digits.  A 17th digit needs no check
	 * here: the ", " that must follow is checked below.
	 */
	if (end - q > 16) {
		uint32_t hi, lo;

		if (hex8(load8(q), &hi) && hex8(load8(q + 8), &lo)) {
			pc = (uint64_t)hi << 32 | lo;
			nd = 16;
			q += 16;
		}
	}
#endif
	if (!nd) {
		for (; q < end; q++) {
			unsigned h = hexval[(unsigned char)*q];

			if (!h)
				break;
			if (++nd > 16)
				return NULL;
			pc = pc << 4 | (h - 1);
		}
		if (!nd)
			return NULL;
	}
	for (int f = 0; f < 3; f++) {
		if (end - q < 3 || q[0] != ',' || q[1] != ' ')
			return NULL;
		q = fast_dec(q + 2, end, &v[f]);
		if (!q)
			return NULL;
	}
	if (q == end || *q != '\n' || !v[1] || v[1] > UINT32_MAX)
		return NULL;
	p->lineno++;
	p->out->lines++;
	row = row_slot(p->out);
	row->pc = pc;
	row->tcount = v[0];
	row->icount = (uint32_t)v[1];
	row->ecount = v[2];
	row_done(p, row);
	return q + 1;
}

void qemu_out_parser_init(struct qemu_out_parser *p, struct qemu_out *out,
			  const char *name)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->name = name;
	strbuf_init(&p->partial, 0);
}

static void overlong_line(struct qemu_out_parser *p)
{
	p->lineno++;
	p->out->lines++;
	malformed(p, p->partial.buf, p->partial.len,
		  "line longer than 4096 bytes");
	strbuf_reset(&p->partial);
	p->overlong = false;
}

void qemu_out_parser_feed(struct qemu_out_parser *p, const char *buf,
			  size_t len)
{
	const char *end = buf + len;
	const char *nl;

	if (len)
		p->any_input = true;
	if (p->partial.len || p->overlong) {
		size_t take;

		nl = memchr(buf, '\n', len);
		take = (size_t)((nl ? nl : end) - buf);
		if (!p->overlong) {
			size_t room = QEMU_OUT_MAX_LINE - p->partial.len;

			strbuf_add(&p->partial, buf, take < room ? take : room);
			if (take >= room)
				p->overlong = true;
		}
		if (!nl)
			return;
		if (p->overlong)
			overlong_line(p);
		else {
			parse_line(p, p->partial.buf, p->partial.len);
			strbuf_reset(&p->partial);
		}
		buf = nl + 1;
	}
	while (buf < end) {
		const char *next = fast_row(p, buf, end);

		if (next) {
			buf = next;
			continue;
		}
		nl = memchr(buf, '\n', (size_t)(end - buf));
		if (!nl)
			break;
		parse_line(p, buf, (size_t)(nl - buf));
		buf = nl + 1;
	}
	if (buf < end) {
		size_t rest = (size_t)(end - buf);

		if (rest > QEMU_OUT_MAX_LINE) {
			strbuf_add(&p->partial, buf, QEMU_OUT_MAX_LINE);
			p->overlong = true;
		} else {
			strbuf_add(&p->partial, buf, rest);
		}
	}
}

void qemu_out_parser_finish(struct qemu_out_parser *p)
{
	struct qemu_out *out = p->out;

	if (p->overlong) {
		overlong_line(p);
		out->no_final_newline = true;
	} else if (p->partial.len) {
		parse_line(p, p->partial.buf, p->partial.len);
		out->no_final_newline = true;
	}
	if (out->no_final_newline)
		note(p, "no newline at the end of the file: it may be "
			"truncated");
	strbuf_release(&p->partial);
	if (out->sink && out->nr) {
		out->sink(out->sink_ctx, out->rows, out->nr);
		out->nr = 0;
	}

	if (!out->has_insns && out->has_cpu_insns) {
		out->has_insns = true;
		out->insns = out->cpu_insns;
		p->insns_line = p->cpu_insns_line;
	}
	if (!p->any_input) {
		out->empty = true;
		strlist_addf(&out->warnings,
			     "%s: empty file: no hotblocks output (did the "
			     "program run to its end?)",
			     p->name);
		return;
	}
	if (!out->has_collected) {
		if (out->nr_rows)
			strlist_addf(&out->warnings,
				     "%s: no 'collected N entries' line: "
				     "cannot tell whether every block was "
				     "listed",
				     p->name);
	} else if (out->nr_rows < out->collected) {
		strlist_addf(&out->warnings,
			     "%s: only %llu of %llu blocks listed (hotblocks "
			     "printed its top blocks only; run it with "
			     "limit=0): totals are a lower bound",
			     p->name, (unsigned long long)out->nr_rows,
			     (unsigned long long)out->collected);
	} else if (out->nr_rows > out->collected) {
		strlist_addf(&out->warnings,
			     "%s: %llu rows but the header says %llu entries",
			     p->name, (unsigned long long)out->nr_rows,
			     (unsigned long long)out->collected);
	}
	if (out->has_insns && !qemu_out_partial(out) &&
	    out->insns != out->total)
		strlist_addf(&out->warnings,
			     "%s:%llu: hotblocks total %llu differs from the "
			     "insns plugin's %llu",
			     p->name, (unsigned long long)p->insns_line,
			     (unsigned long long)out->total,
			     (unsigned long long)out->insns);
	/* a lower bound may stay under the plugin's total, never exceed it */
	if (out->has_insns && qemu_out_partial(out) && !out->overflow &&
	    out->total > out->insns)
		strlist_addf(&out->warnings,
			     "%s:%llu: the listed blocks alone sum to %llu "
			     "instructions, more than the insns plugin's %llu: "
			     "the two outputs cannot be of one run",
			     p->name, (unsigned long long)p->insns_line,
			     (unsigned long long)out->total,
			     (unsigned long long)out->insns);
}

void qemu_out_parse_buf(struct qemu_out *out, const char *name, const char *buf,
			size_t len)
{
	struct qemu_out_parser p;

	qemu_out_parser_init(&p, out, name);
	qemu_out_parser_feed(&p, buf, len);
	qemu_out_parser_finish(&p);
}

int qemu_out_parse_file(struct qemu_out *out, const char *path,
			const char *name, struct errbuf *err)
{
	/*
	 * Small enough to stay in L2 between read() and the parser, and
	 * to come from the heap, reused, rather than from fresh pages.
	 */
	enum { CHUNK = 64 << 10 };
	struct qemu_out_parser p;
	struct zfile z;
	char *buf;
	ssize_t n;

	/* zstd and gzip files are decompressed as they are read */
	if (zfile_open(&z, path, name, err) < 0)
		return -1;
	buf = xmalloc(CHUNK);
	qemu_out_parser_init(&p, out, name);
	while ((n = zfile_read(&z, buf, CHUNK, name, err)) > 0)
		qemu_out_parser_feed(&p, buf, (size_t)n);
	qemu_out_parser_finish(&p);
	free(buf);
	zfile_close(&z);
	if (n < 0) {
		qemu_out_clear(out);
		return -1;
	}
	return 0;
}

void qemu_out_clear(struct qemu_out *out)
{
	struct qemu_out keep = *out;

	strlist_release(&out->warnings);
	memset(out, 0, sizeof(*out));
	out->rows = keep.rows;
	out->alloc = keep.alloc;
	out->sink = keep.sink;
	out->sink_ctx = keep.sink_ctx;
}

void qemu_out_release(struct qemu_out *out)
{
	free(out->rows);
	strlist_release(&out->warnings);
	memset(out, 0, sizeof(*out));
}
