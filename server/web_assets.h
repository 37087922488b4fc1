/* SPDX-License-Identifier: MIT */
/*
 * web_assets: the dashboard's files (web/ and templates/), embedded at
 * build time by embed_assets.cmake.  Names are relative to web/ for static
 * assets ("app.js", "chart.umd.js") and "templates/<file>" for templates.
 * data[len] is always '\0'.  The static assets come compressed as well,
 * at build time (tbscope_precompress): gzip[gzip_len] and br[br_len] are
 * the same bytes in gzip and brotli, so a request for one costs no
 * compression; both are NULL for templates.
 */
#ifndef SERVER_WEB_ASSETS_H
#define SERVER_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *name;
	const unsigned char *data;
	size_t len;
	const unsigned char *gzip; /* or NULL */
	size_t gzip_len;
	const unsigned char *br; /* or NULL */
	size_t br_len;
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_nr;
/* 12 hex digits naming this set of files: asset URLs are /static/<v>/... */
extern const char web_assets_version[];

#endif
