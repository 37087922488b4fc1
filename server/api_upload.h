/* SPDX-License-Identifier: MIT */
/*
 * api_upload: the endpoint POST /api/v1/runs?name=ID&series=...: who may
 * upload, which ids are taken, receiving the tar stream (upload.c), and
 * the 201 answer with the run's URLs and its comparison against the
 * previous run of its series.  It answers on the same struct
 * api_response as the other endpoints; when to answer a refusal (before
 * or after the body) is HTTP's business and stays in http.c.
 */
#ifndef SERVER_API_UPLOAD_H
#define SERVER_API_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "response.h"

struct server;
struct api_upload;

/*
 * The first call, with the headers only: refuse what can be refused
 * before the body is read (path, token, id, metadata, a declared size
 * over --max-upload, an id already taken) and start receiving.  token is
 * the bearer token (NULL if none); declared_len the Content-Length (NULL
 * if none).  Returns the upload, or NULL with the refusal in *resp.
 */
struct api_upload *api_upload_begin(struct server *srv,
				    const struct api_request *req,
				    const char *token,
				    const uint64_t *declared_len,
				    struct api_response *resp);

/* The next bytes of the body. */
void api_upload_feed(struct api_upload *u, const void *data, size_t len);

/*
 * The body is complete: commit the run, index it and answer 201 with its
 * URLs (and Location), or the refusal.  The upload is freed.
 */
void api_upload_finish(struct server *srv, struct api_upload *u,
		       const struct api_request *req,
		       struct api_response *resp);

/* The run id being uploaded. */
const char *api_upload_id(const struct api_upload *u);

/* Drop an upload that did not finish: nothing of it is stored. */
void api_upload_abort(struct api_upload *u);

#endif
