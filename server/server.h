/* SPDX-License-Identifier: MIT */
/*
 * server: what every request handler is given.  The settings, the
 * catalog of runs (index, indexer), and the cache of the typed API's
 * answers (api.c), which the JSON routes and the pages share.
 */
#ifndef SERVER_SERVER_H
#define SERVER_SERVER_H

struct cache;
struct catalog;
struct server_config;

struct server {
	const struct server_config *cfg;
	struct catalog *cat;
	struct cache *results; /* api.c's answers, by typed arguments */
};

/* Set up srv over a started catalog. */
void server_init(struct server *srv, const struct server_config *cfg,
		 struct catalog *cat);
void server_release(struct server *srv);

#endif
