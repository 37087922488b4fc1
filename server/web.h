/* SPDX-License-Identifier: MIT */
/*
 * web: the dashboard's pages and static assets, with no HTTP library in
 * it.  HTML shells are rendered from templates/ with the page's title and
 * link-preview meta (every value HTML-escaped) and carry a strict
 * Content-Security-Policy; the behaviour lives in web/ (JavaScript modules
 * over the JSON API).
 */
#ifndef SERVER_WEB_H
#define SERVER_WEB_H

#include "response.h"

struct server;

/* Answer a GET/HEAD for a path outside /api/. */
void web_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp);

#endif
