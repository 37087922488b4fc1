/* SPDX-License-Identifier: MIT */
#include "web.h"

#include "banned.h"

void web_handle(struct server *srv, const struct api_request *req,
		struct api_response *resp)
{
	api_error(resp, 404, "not_found", "no page at '%s' yet", req->path);
}
