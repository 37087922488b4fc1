/* SPDX-License-Identifier: MIT */
/*
 * api_regress: the regression tracker's server side.  Detection runs when
 * a run becomes ready (catalog.c calls regress_on_ready()): the run is
 * compared with the previous ready run of its series and, when it was
 * placed before a later one (uploaded out of order), that later run is
 * compared with it again; analysis/regress.c sorts the changes and
 * triage.c records them.  The routes under /api/v1/regressions read and
 * change the records; the Atom feed and the notifier (a background
 * thread POSTing the queued messages of triage.c) tell people.
 */
#ifndef SERVER_API_REGRESS_H
#define SERVER_API_REGRESS_H

#include <jansson.h>
#include <stdbool.h>

#include "response.h"

struct index;
struct server;
struct strbuf;
struct strlist;

/*
 * Run `id` of the index became ready: detect its changes and record them
 * in DATA/triage.sqlite; queue a message per --notify URL for each
 * regression opened.  Errors are logged, never fatal.
 */
void regress_on_ready(const char *data_dir, struct index *idx, const char *id);

/* Where to POST new regressions (--notify), and the base of permalinks. */
void regress_set_notify(const struct strlist *urls, const char *public_url);

/*
 * GET, PATCH /api/v1/regressions[/ID]: seg are the path's segments after
 * "regressions" (nr of them).  PATCH needs a token with the triage scope.
 */
void api_regress_handle(struct server *srv, const struct api_request *req,
			char **seg, size_t nr, struct api_response *resp);

/* GET /feeds/regressions.atom?series=S */
void regress_feed(struct server *srv, const struct api_request *req,
		  struct api_response *resp);

/* The regression (or improvement) `id` as the API gives it, or NULL. */
json_t *regress_get(struct server *srv, long long id, unsigned *status,
		    struct api_response *resp);

struct api_err;

/*
 * For the pages: regression `id` (as text from the path), or NULL with
 * *err (404 when there is none); the regressions of a series (NULL: all)
 * in a state ("open", a state, NULL: all).  New references.
 */
json_t *regress_find(struct server *srv, const char *id, struct api_err *err);
json_t *regress_find_list(struct server *srv, const char *series,
			  const char *state, struct api_err *err);

/*
 * The Markdown summary of regression object r (as the API gives it);
 * base is prepended to the permalink (may be "").
 */
void regress_markdown(const json_t *r, const char *base, struct strbuf *out);

/* Start and stop the notifier thread (serve). */
void regress_notifier_start(const char *data_dir);
void regress_notifier_stop(void);

#endif
