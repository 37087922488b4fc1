/* SPDX-License-Identifier: MIT */
#include "encoding.h"

#include <brotli/encode.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "banned.h"

/* ---- Accept-Encoding ---------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The q-value of one list member's parameters [p, end) (";q=0.5"): 1000
 * times it, 1000 when there is none, 0 when it is malformed.  RFC 9110
 * 12.4.2: "0" or "1" with up to three decimals.
 */
static int qvalue(const char *p, const char *end)
{
	while (p < end) {
		const char *name, *next;
		int q = 0, scale = 100;

		while (p < end && (*p == ';' || is_space(*p)))
			p++;
		name = p;
		next = memchr(p, ';', (size_t)(end - p));
		if (!next)
			next = end;
		if (next - name < 2 || (name[0] != 'q' && name[0] != 'Q') ||
		    name[1] != '=') {
			p = next;
			continue;
		}
		p = name + 2;
		if (p == next || (*p != '0' && *p != '1'))
			return 0;
		q = (*p++ - '0') * 1000;
		if (p < next && *p == '.') {
			p++;
			for (int i = 0;
			     i < 3 && p < next && *p >= '0' && *p <= '9';
			     i++, scale /= 10)
				q += (*p++ - '0') * scale;
		}
		while (p < next && is_space(*p))
			p++;
		return p == next && q <= 1000 ? q : 0;
	}
	return 1000;
}

enum content_coding coding_choose(const char *accept)
{
	/* -1: not named */
	int gzip = -1, br = -1, any = -1;
	const char *p = accept;

	if (!accept)
		return CODING_IDENTITY;
	while (*p) {
		const char *end = strchr(p, ',');
		const char *tok, *tok_end;
		size_t n;
		int q;

		if (!end)
			end = p + strlen(p);
		while (p < end && is_space(*p))
			p++;
		tok = p;
		while (p < end && *p != ';' && !is_space(*p))
			p++;
		tok_end = p;
		n = (size_t)(tok_end - tok);
		q = qvalue(p, end);
		if (n == 4 && !strncasecmp(tok, "gzip", 4))
			gzip = q;
		else if (n == 6 && !strncasecmp(tok, "x-gzip", 6) && gzip < 0)
			gzip = q;
		else if (n == 2 && !strncasecmp(tok, "br", 2))
			br = q;
		else if (n == 1 && *tok == '*')
			any = q;
		p = *end ? end + 1 : end;
	}
	if (gzip < 0)
		gzip = any < 0 ? 0 : any;
	if (br < 0)
		br = any < 0 ? 0 : any;
	if (br > 0 && br >= gzip)
		return CODING_BR;
	if (gzip > 0)
		return CODING_GZIP;
	return CODING_IDENTITY;
}

const char *coding_name(enum content_coding c)
{
	switch (c) {
	case CODING_GZIP:
		return "gzip";
	case CODING_BR:
		return "br";
	default:
		return NULL;
	}
}

bool coding_type_compressible(const char *type)
{
	static const char *const types[] = {
		"text/",
		"application/json",
		"application/javascript",
		"application/atom+xml",
		"application/xml",
		"image/svg+xml",
	};

	if (!type)
		return false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strncasecmp(type, types[i], strlen(types[i])))
			return true;
	return false;
}

/* ---- compression -------------------------------------------------------- */

static bool gzip_compress(const void *data, size_t len, int level,
			  struct strbuf *out)
{
	z_stream zs;
	const unsigned char *in = data;
	size_t start = out->len;
	int ret;

	memset(&zs, 0, sizeof(zs));
	/* 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	do {
		size_t chunk = len > UINT_MAX ? UINT_MAX : len;
		int flush = chunk == len ? Z_FINISH : Z_NO_FLUSH;

		zs.next_in = (unsigned char *)in;
		zs.avail_in = (uInt)chunk;
		do {
			size_t room = deflateBound(&zs, (uLong)chunk) + 64;

			if (room > UINT_MAX)
				room = UINT_MAX;
			strbuf_grow(out, room);
			zs.next_out = (unsigned char *)out->buf + out->len;
			zs.avail_out = (uInt)room;
			ret = deflate(&zs, flush);
			out->len += room - zs.avail_out;
			out->buf[out->len] = '\0';
			if (ret == Z_STREAM_ERROR) {
				deflateEnd(&zs);
				out->len = start;
				out->buf[start] = '\0';
				return false;
			}
		} while (zs.avail_out == 0 ||
			 (flush == Z_FINISH && ret != Z_STREAM_END));
		in += chunk;
		len -= chunk;
	} while (len);
	deflateEnd(&zs);
	return true;
}

static bool br_compress(const void *data, size_t len, int quality,
			struct strbuf *out)
{
	size_t room = BrotliEncoderMaxCompressedSize(len);

	if (!room)
		return false; /* too large for one call */
	strbuf_grow(out, room);
	if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW,
				   BROTLI_MODE_TEXT, len, data, &room,
				   (uint8_t *)out->buf + out->len)) {
		out->buf[out->len] = '\0';
		return false;
	}
	out->len += room;
	out->buf[out->len] = '\0';
	return true;
}

bool coding_compress(enum content_coding c, const void *data, size_t len,
		     bool best, struct strbuf *out)
{
	switch (c) {
	case CODING_GZIP:
		return gzip_compress(data, len, best ? 9 : 6, out);
	case CODING_BR:
		return br_compress(data, len, best ? BROTLI_MAX_QUALITY : 5,
				   out);
	default:
		return false;
	}
}
