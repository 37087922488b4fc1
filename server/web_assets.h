/* SPDX-License-Identifier: MIT */
/*
 * web_assets: the dashboard's files (web/ and templates/), embedded at
 * build time by embed_assets.cmake.  Names are relative to web/ for static
 * assets ("app.js", "chart.umd.js") and "templates/<file>" for templates.
 * data[len] is always '\0'.
 */
#ifndef SERVER_WEB_ASSETS_H
#define SERVER_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *name;
	const unsigned char *data;
	size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_nr;
/* 12 hex digits naming this set of files: asset URLs are /static/<v>/... */
extern const char web_assets_version[];

#endif
