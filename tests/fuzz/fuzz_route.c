/* SPDX-License-Identifier: MIT */
/*
 * The URL router's pure parts on any bytes: route_split() (the one path
 * splitter), request_cache_key() (the key of the answer cache) and
 * api_split_range() (BASE...NEW).  The input is "path?query", the query
 * cut at '&' and '=' as libmicrohttpd does, values kept with their
 * lengths (NULs included).  Oracles, each an independent re-reading:
 * the segments re-joined give the path; the cache key decodes back to
 * the path and the very pairs sent, in key order; a range split re-joins
 * to the spec and is the first split that names two known runs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "response.h"
#include "strbuf.h"

#define MAX_SEG 8

static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* route_split(), checked against a plain re-reading of the path. */
static void check_route(const char *path)
{
	char *copy = strdup(path), *seg[MAX_SEG];
	size_t nr, want = 0;
	bool ok = route_split(copy, seg, MAX_SEG, &nr);
	bool want_ok = path[0] == '/' && !strstr(path, "//");
	const char *p = path + 1;

	/* the segments a plain reading finds: between '/'s, non-empty */
	while (want_ok && *p) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.') || want == MAX_SEG)
			want_ok = false;
		want++;
		p += n;
		if (*p == '/')
			p++;
	}
	if (ok != want_ok)
		abort();
	if (ok) {
		struct strbuf sb = STRBUF_INIT;

		if (nr != want)
			abort();
		for (size_t i = 0; i < nr; i++) {
			if (!*seg[i] || strchr(seg[i], '/'))
				abort();
			strbuf_addf(&sb, "/%s", seg[i]);
		}
		/* "/a/b/" re-joins to "/a/b"; "/" to "" */
		if (strncmp(sb.buf, path, sb.len) ||
		    (path[sb.len] && strcmp(path + sb.len, "/")))
			abort();
		strbuf_release(&sb);
	}
	free(copy);
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	abort(); /* the key uses upper-case hex only */
}

/* Percent-decode [s, s + n) into *out; abort on a stray separator. */
static void decode(const char *s, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				abort();
			strbuf_addch(out, (char)(unhex(s[i + 1]) * 16 +
						 unhex(s[i + 2])));
			i += 2;
		} else if (s[i] == '&' || s[i] == '=' || s[i] == '?' ||
			   (unsigned char)s[i] < 0x21 ||
			   (unsigned char)s[i] > 0x7e) {
			abort();
		} else {
			strbuf_addch(out, s[i]);
		}
	}
}

static bool same(const struct strbuf *sb, const char *s, size_t n)
{
	return sb->len == n && !memcmp(sb->buf, s, n);
}

/* Byte order, a prefix first. */
static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* request_cache_key(), checked by decoding the key back. */
static void check_key(const char *path, const struct query_arg *a, size_t nr)
{
	struct strbuf key = STRBUF_INIT, d = STRBUF_INIT, prev = STRBUF_INIT;
	bool *used = calloc(nr ? nr : 1, sizeof(*used));
	const char *p, *end;
	size_t got = 0;

	request_cache_key(&key, path, a, nr);
	p = key.buf;
	end = key.buf + key.len;
	{
		size_t n = strcspn(p, "?");

		decode(p, n, &d);
		if (!same(&d, path, strlen(path)))
			abort();
		p += n;
	}
	while (p < end) {
		size_t n, kn;
		const char *eq;
		size_t i;

		if (*p != (got ? '&' : '?'))
			abort();
		p++;
		n = strcspn(p, "&");
		eq = memchr(p, '=', n);
		kn = eq ? (size_t)(eq - p) : n;
		strbuf_reset(&d);
		decode(p, kn, &d);
		/* pairs in order of their encoded keys */
		if (got && key_cmp(prev.buf, prev.len, p, kn) > 0)
			abort();
		strbuf_reset(&prev);
		strbuf_add(&prev, p, kn);
		/* the first unused pair sent with this key and value */
		for (i = 0; i < nr; i++) {
			struct strbuf v = STRBUF_INIT;
			bool match;

			if (used[i] || !same(&d, a[i].key, a[i].key_len) ||
			    !a[i].value != !eq)
				continue;
			if (eq)
				decode(eq + 1, n - kn - 1, &v);
			match = !eq || same(&v, a[i].value, a[i].value_len);
			strbuf_release(&v);
			if (match)
				break;
		}
		if (i == nr)
			abort();
		used[i] = true;
		got++;
		p += n;
	}
	if (got != nr)
		abort();
	free(used);
	strbuf_release(&key);
	strbuf_release(&d);
	strbuf_release(&prev);
}

/* Known runs: ids whose first byte is odd (any rule the input steers). */
static bool known(void *ctx, const char *id)
{
	unsigned salt = *(const unsigned char *)ctx;

	return ((unsigned char)id[0] + salt) & 1;
}

static void check_range(const char *spec, unsigned char salt)
{
	char *base = NULL, *new_id = NULL;
	bool ok = api_split_range(spec, known, &salt, &base, &new_id);
	const char *first = strstr(spec, "...");

	if (ok != (first != NULL))
		abort();
	if (!ok)
		return;
	/* a split of spec at one "..." */
	if (strlen(base) + 3 + strlen(new_id) != strlen(spec) ||
	    strncmp(spec, base, strlen(base)) ||
	    strncmp(spec + strlen(base), "...", 3) ||
	    strcmp(spec + strlen(base) + 3, new_id))
		abort();
	/* the first split naming two known runs, else the first split */
	for (const char *p = first; p; p = strstr(p + 1, "...")) {
		char *x = strndup(spec, (size_t)(p - spec));
		bool both = api_name_ok(x) && api_name_ok(p + 3) &&
			    known(&salt, x) && known(&salt, p + 3);

		free(x);
		if (both) {
			if ((size_t)(p - spec) != strlen(base))
				abort();
			goto out;
		}
	}
	if (strlen(base) != (size_t)(first - spec))
		abort();
out:
	free(base);
	free(new_id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *q = memchr(data, '?', size);
	size_t plen = q ? (size_t)(q - data) : size;
	char *path = dup_n(data, plen); /* cut at a NUL, as a C string */
	struct query_arg args[64];
	size_t nr = 0;

	check_route(path);
	check_range(path + (path[0] == '/'), size ? data[size - 1] : 0);
	if (q) {
		const uint8_t *p = q + 1, *end = data + size;

		while (p <= end && nr < 64) {
			const uint8_t *amp = memchr(p, '&', (size_t)(end - p));
			const uint8_t *stop = amp ? amp : end;
			const uint8_t *eq = memchr(p, '=', (size_t)(stop - p));

			args[nr].key = (const char *)p;
			args[nr].key_len = (size_t)((eq ? eq : stop) - p);
			args[nr].value = eq ? (const char *)eq + 1 : NULL;
			args[nr].value_len = eq ? (size_t)(stop - eq - 1) : 0;
			nr++;
			if (!amp)
				break;
			p = amp + 1;
		}
	}
	check_key(path, args, nr);
	free(path);
	return 0;
}
