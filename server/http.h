/* SPDX-License-Identifier: MIT */
/*
 * http: the only file that includes <microhttpd.h>.  It runs the daemon
 * (a thread pool, per STYLE.md's settings for libmicrohttpd 0.9.75), keeps
 * per-request state, answers GETs through api.c with strong ETags, 304s
 * and a response cache checked against the catalog's generation, streams
 * uploads into upload.c, serves the static web assets, and writes one
 * access-log line per request.
 */
#ifndef SERVER_HTTP_H
#define SERVER_HTTP_H

#include <stdint.h>

struct errbuf;
struct server;
struct http;

/* Start listening; the port actually bound goes to *port. */
struct http *http_start(struct server *srv, uint16_t *port, struct errbuf *err);
void http_stop(struct http *h);

#endif
