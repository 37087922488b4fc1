/* SPDX-License-Identifier: MIT */
#include "proc_map.h"

#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

enum column {
	COL_START,
	COL_END,
	COL_SIZE,
	COL_OFFSET,
	COL_PERMS,
	COL_OBJFILE
};
#define MAX_COLS 6

struct token {
	const char *s;
	size_t len;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split s[0..len) at blanks into at most max tokens; returns the count. */
static size_t tokenize(const char *s, size_t len, struct token *tok, size_t max)
{
	const char *end = s + len;
	size_t n = 0;

	while (n < max) {
		while (s < end && is_blank(*s))
			s++;
		if (s == end)
			break;
		tok[n].s = s;
		while (s < end && !is_blank(*s))
			s++;
		tok[n].len = (size_t)(s - tok[n].s);
		n++;
	}
	return n;
}

static bool tok_is(const struct token *t, const char *lit)
{
	return t->len == strlen(lit) && !memcmp(t->s, lit, t->len);
}

/* Recognise the header line; fills cols[] in order, returns their count. */
static size_t parse_header(const char *s, size_t len, enum column *cols)
{
	struct token tok[16];
	size_t n = tokenize(s, len, tok, 16), ncols = 0;

	for (size_t i = 0; i < n; i++) {
		if (ncols == MAX_COLS)
			return 0;
		if (tok_is(&tok[i], "Start") && i + 1 < n &&
		    tok_is(&tok[i + 1], "Addr")) {
			cols[ncols++] = COL_START;
			i++;
		} else if (tok_is(&tok[i], "End") && i + 1 < n &&
			   tok_is(&tok[i + 1], "Addr")) {
			cols[ncols++] = COL_END;
			i++;
		} else if (tok_is(&tok[i], "Size")) {
			cols[ncols++] = COL_SIZE;
		} else if (tok_is(&tok[i], "Offset")) {
			cols[ncols++] = COL_OFFSET;
		} else if (tok_is(&tok[i], "Perms")) {
			cols[ncols++] = COL_PERMS;
		} else if (tok_is(&tok[i], "objfile") && i + 1 == n) {
			cols[ncols++] = COL_OBJFILE;
		} else {
			return 0;
		}
	}
	return ncols;
}

static bool parse_hex(const struct token *t, uint64_t *v)
{
	uint64_t x = 0;

	if (t->len < 3 || t->len > 18 || t->s[0] != '0' || t->s[1] != 'x')
		return false;
	for (size_t i = 2; i < t->len; i++) {
		char c = t->s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

static bool perms_ok(const struct token *t)
{
	static const char allowed[4][3] = {"r-", "w-", "x-", "ps"};

	if (t->len != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (t->s[i] != allowed[i][0] && t->s[i] != allowed[i][1])
			return false;
	return true;
}

/* Parse one table row; returns NULL or why it is malformed. */
static const char *parse_row(const char *s, size_t len, const enum column *cols,
			     size_t ncols, struct mapping *map)
{
	struct token tok[MAX_COLS];
	size_t nfixed = ncols - 1; /* every column but objfile */
	size_t n = tokenize(s, len, tok, nfixed);
	uint64_t size = 0;
	bool have_size = false;
	const char *obj, *end = s + len;

	if (n < nfixed)
		return "too few columns";
	memset(map, 0, sizeof(*map));
	for (size_t i = 0; i < nfixed; i++) {
		switch (cols[i]) {
		case COL_START:
			if (!parse_hex(&tok[i], &map->start))
				return "bad start address";
			break;
		case COL_END:
			if (!parse_hex(&tok[i], &map->end))
				return "bad end address";
			break;
		case COL_SIZE:
			if (!parse_hex(&tok[i], &size))
				return "bad size";
			have_size = true;
			break;
		case COL_OFFSET:
			if (!parse_hex(&tok[i], &map->offset))
				return "bad offset";
			break;
		case COL_PERMS:
			if (!perms_ok(&tok[i]))
				return "bad permissions";
			memcpy(map->perms, tok[i].s, 4);
			break;
		case COL_OBJFILE:
			break;
		}
	}
	if (map->end <= map->start)
		return "end address not above start address";
	if (have_size && size != map->end - map->start)
		return "size does not match the addresses";
	obj = tok[nfixed - 1].s + tok[nfixed - 1].len;
	while (obj < end && is_blank(*obj))
		obj++;
	while (end > obj && is_blank(end[-1]))
		end--;
	map->objfile = xstrndup(obj, (size_t)(end - obj));
	return NULL;
}

static int cmp_start(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool starts_with(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !memcmp(s, lit, n);
}

int proc_map_parse(struct proc_map *m, const char *name, const char *buf,
		   size_t len, struct errbuf *err)
{
	const char *end = buf + len;
	enum column cols[MAX_COLS];
	size_t ncols = 0;
	unsigned long lineno = 0;
	bool header = false;

	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		size_t n = (size_t)((nl ? nl : end) - buf);
		const char *s = buf;
		struct mapping map;
		const char *why;

		buf = nl ? nl + 1 : end;
		lineno++;
		while (n && is_blank(*s)) {
			s++;
			n--;
		}
		while (n && is_blank(s[n - 1]))
			n--;
		if (!n || starts_with(s, n, "process ") ||
		    starts_with(s, n, "Mapped address spaces") ||
		    (starts_with(s, n, "[Inferior ") && s[n - 1] == ']'))
			continue;
		if (!header) {
			ncols = parse_header(s, n, cols);
			if (ncols >= 4 && cols[ncols - 1] == COL_OBJFILE) {
				header = true;
				for (size_t i = 0; i < ncols; i++)
					if (cols[i] == COL_PERMS)
						m->has_perms = true;
				continue;
			}
			if (starts_with(s, n, "0x"))
				return errbuf_set(
					err,
					"%s:%lu: mapping row before "
					"the 'Start Addr ... objfile' "
					"header",
					name, lineno);
			/* gdb's error text, or a line we do not know */
			m->malformed++;
			if (m->malformed <= 5) {
				struct strbuf q = STRBUF_INIT;

				quote_for_message(&q, s, n, 60);
				strlist_addf(&m->warnings,
					     "%s:%lu: not a mapping: '%s'",
					     name, lineno, q.buf);
				strbuf_release(&q);
			}
			continue;
		}
		why = parse_row(s, n, cols, ncols, &map);
		if (why) {
			m->malformed++;
			if (m->malformed <= 5) {
				struct strbuf q = STRBUF_INIT;

				quote_for_message(&q, s, n, 60);
				strlist_addf(&m->warnings,
					     "%s:%lu: malformed mapping (%s): "
					     "'%s'",
					     name, lineno, why, q.buf);
				strbuf_release(&q);
			}
			continue;
		}
		ALLOC_GROW(m->maps, m->nr + 1, m->alloc);
		m->maps[m->nr++] = map;
	}
	if (!header) {
		const char *first =
			m->warnings.nr ? m->warnings.items[0] : NULL;

		errbuf_set(err,
			   "%s: not a gdb 'info proc mappings' table (no "
			   "'Start Addr ... objfile' header)%s%s",
			   name, first ? "; first line: " : "",
			   first ? first : "");
		proc_map_release(m);
		return -1;
	}
	if (m->nr > 1)
		sort_n(m->maps, m->nr, sizeof(*m->maps), cmp_start);
	for (size_t i = 1; i < m->nr; i++)
		if (m->maps[i].start < m->maps[i - 1].end)
			strlist_addf(
				&m->warnings,
				"%s: mappings at 0x%llx and 0x%llx overlap",
				name, (unsigned long long)m->maps[i - 1].start,
				(unsigned long long)m->maps[i].start);
	return 0;
}

int proc_map_parse_file(struct proc_map *m, const char *path, const char *name,
			struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (read_file_z(&sb, path, 64u << 20, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	ret = proc_map_parse(m, name, sb.buf, sb.len, err);
	strbuf_release(&sb);
	return ret;
}

const struct mapping *proc_map_find(const struct proc_map *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nr;

	/* the last mapping whose start is <= addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= m->maps[lo - 1].end)
		return NULL;
	return &m->maps[lo - 1];
}

bool mapping_executable(const struct mapping *map)
{
	return !map->perms[0] || map->perms[2] == 'x';
}

void proc_map_release(struct proc_map *m)
{
	for (size_t i = 0; i < m->nr; i++)
		free(m->maps[i].objfile);
	free(m->maps);
	strlist_release(&m->warnings);
	memset(m, 0, sizeof(*m));
}
