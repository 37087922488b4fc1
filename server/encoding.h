/* SPDX-License-Identifier: MIT */
/*
 * encoding: the content codings the server answers in (RFC 9110 8.4):
 * which one a request's Accept-Encoding asks for, and gzip (zlib) and
 * brotli (Debian's libbrotlienc) compression of an answer.  No HTTP
 * library in here: http.c sends what these choose, and
 * tbscope_precompress (precompress.c) uses the same compressors at build
 * time for the embedded web/ files (web_assets.h).
 */
#ifndef SERVER_ENCODING_H
#define SERVER_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

enum content_coding {
	CODING_IDENTITY,
	CODING_GZIP,
	CODING_BR,
};

/* Answers shorter than this are sent as they are: not worth a coding. */
#define CODING_MIN_BYTES 1024

/*
 * The coding to answer a request whose Accept-Encoding header is
 * accept (NULL: none, so identity).  The coding with the highest
 * q-value above 0 among br and gzip ("x-gzip" counts as gzip, "*" for
 * any not named), brotli on a tie; identity when neither is
 * acceptable, also for "gzip;q=0".  Names are case-insensitive; a
 * malformed q-value counts as 0.
 */
enum content_coding coding_choose(const char *accept);

/* "gzip", "br", or NULL for identity: the Content-Encoding value. */
const char *coding_name(enum content_coding c);

/*
 * Is an answer of this Content-Type worth compressing?  Text, JSON,
 * JavaScript, SVG and XML are; images such as PNG (already compressed)
 * and anything unknown are not.
 */
bool coding_type_compressible(const char *content_type);

/*
 * Append data[0..len) compressed with coding c (not identity) to *out.
 * best: the smallest output, for build time (gzip level 9, brotli
 * quality 11); else a fast level for answers made per request (gzip 6,
 * brotli 5).  Returns false (with *out as it was) when the library
 * fails, which only a memory shortage causes.
 */
bool coding_compress(enum content_coding c, const void *data, size_t len,
		     bool best, struct strbuf *out);

#endif
