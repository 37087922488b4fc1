/* SPDX-License-Identifier: MIT */
/*
 * og_image: the link-preview picture of every page (its og:image), a
 * OG_IMAGE_WIDTH x OG_IMAGE_HEIGHT PNG chart drawn with cairo from the JSON
 * of the page's API twin (the same typed calls of api.c, from the same
 * cache):
 *
 *   /og/compare/B...N        the benchmarks' delta % as bars (the largest
 *                            moves, the worst regression always among them)
 *   /og/compare/B...N/BENCH  the functions that moved most
 *   /og/runs/ID[/BENCH]      the largest benchmarks / hottest functions
 *   /og/history/BENCH        the instruction count over the series' runs
 *   /og/history?series=S     the series' geomean over time
 *   /og/                     each newest run's geomean against its previous
 *   /og/regressions[/ID]     the regressions / one regression's benchmarks
 *
 * The image of a page is at "/og" followed by the page's path and the
 * query parameters that refine it (og_page_url()).  Answers carry the
 * policy of the API answer they draw: an image of runs that never change
 * is immutable.  Names in the pictures are user data: they are drawn as
 * valid UTF-8 without control characters, cut to fit.
 */
#ifndef SERVER_OG_IMAGE_H
#define SERVER_OG_IMAGE_H

#include <stdbool.h>

#include "response.h"

#define OG_IMAGE_WIDTH	1200
#define OG_IMAGE_HEIGHT 630

struct server;
struct strbuf;

/* Is path an image's ("/og" or below)? */
bool og_image_path(const char *path);

/* Answer a GET/HEAD of an image: 200 image/png, or a JSON error. */
void og_image_handle(struct server *srv, const struct api_request *req,
		     struct api_response *resp);

/*
 * Free what cairo and fontconfig keep for the whole process (the fonts
 * and their configuration), when no request is being answered: at exit,
 * so that a leak checker sees only real leaks.
 */
void og_image_release(void);

/*
 * Append to *out the absolute URL (the server's --public-url) of the page
 * req asks for, or with image set of its picture: the path, then the
 * query parameters that are part of the page's permalink, percent-encoded.
 */
void og_page_url(struct strbuf *out, const struct server *srv,
		 const struct api_request *req, bool image);

#endif
