/* SPDX-License-Identifier: MIT */
/*
 * `tbscope regressions`: list the regressions of a data directory (its
 * triage store, read directly: safe while the server runs) or of a
 * server (GET /api/v1/regressions), as text, JSON or Markdown; and set a
 * series' threshold for "changed".
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_regress.h"
#include "builtin.h"
#include "errbuf.h"
#include "json_view.h"
#include "parse_options.h"
#include "parse_value.h"
#include "strbuf.h"
#include "triage.h"
#include "xalloc.h"
#include "banned.h"

static const char regressions_usage[] =
	"usage: tbscope regressions [--data DIR | --server URL] [--series S]\n"
	"                           [--state STATE] [--format FMT]\n"
	"       tbscope regressions [--data DIR] --series S --set-threshold "
	"PCT\n"
	"\n"
	"List the regressions found between consecutive runs of a series,\n"
	"newest first: from the data directory's triage store (default\n"
	"./tbscope-data) or from a server.  STATE: open (new, acknowledged,\n"
	"investigating), closed, or one state.  --set-threshold sets the\n"
	"series' threshold in percent for runs analysed from now on\n"
	"(`tbscope reindex` applies it to all).\n";

static size_t collect(char *data, size_t size, size_t nmemb, void *ctx)
{
	strbuf_add(ctx, data, size * nmemb);
	return size * nmemb;
}

static json_t *from_server(const char *server, const char *series,
			   const char *state, struct errbuf *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	char curl_err[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	json_t *j = NULL, *a = NULL;
	long status = 0;

	if (!c) {
		errbuf_set(err, "cannot set up a transfer");
		goto out;
	}
	strbuf_adds(&url, server);
	while (url.len && url.buf[url.len - 1] == '/')
		url.buf[--url.len] = '\0';
	strbuf_adds(&url, "/api/v1/regressions?limit=10000");
	for (int i = 0; i < 2; i++) {
		const char *v = i ? state : series;
		char *e;

		if (!v)
			continue;
		e = curl_easy_escape(c, v, 0);
		strbuf_addf(&url, "&%s=%s", i ? "state" : "series", e);
		curl_free(e);
	}
	curl_easy_setopt(c, CURLOPT_URL, url.buf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tbscope-regressions");
	if (curl_easy_perform(c) != CURLE_OK) {
		errbuf_set(err, "%s: %s", server, curl_err);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	j = json_loadb(body.buf, body.len, 0, NULL);
	a = json_object_get(j, "regressions");
	if (status != 200 || !json_is_array(a)) {
		errbuf_set(err, "%s: HTTP %ld: %.200s", server, status,
			   body.buf ? body.buf : "");
		a = NULL;
		goto out;
	}
	json_incref(a);
out:
	json_decref(j);
	if (c)
		curl_easy_cleanup(c);
	strbuf_release(&url);
	strbuf_release(&body);
	return a;
}

static void print_text(json_t *a)
{
	size_t i;
	json_t *r;

	json_array_foreach (a, i, r) {
		json_t *top = json_object_get(r, "top");
		json_t *pct = json_object_get(top, "delta_pct");

		printf("#%-5lld %-12s %s -> %s  %-13s %zu benchmark%s",
		       (long long)json_integer_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "series")),
		       json_string_value(json_object_get(r, "base")),
		       json_string_value(json_object_get(r, "new")),
		       json_string_value(json_object_get(r, "state")),
		       json_array_size(json_object_get(r, "changes")),
		       json_array_size(json_object_get(r, "changes")) == 1
			       ? ""
			       : "s");
		if (top) {
			printf("; %s ", json_string_value(json_object_get(
						top, "benchmark")));
			if (json_is_number(pct))
				printf("%+.2f %%", json_number_value(pct));
			else
				printf("%s", json_string_value(json_object_get(
						     top, "change")));
			if (json_is_string(json_object_get(top, "function")))
				printf(" (%s)",
				       json_string_value(json_object_get(
					       top, "function")));
		}
		if (json_is_string(json_object_get(r, "looks_fixed_by")))
			printf("; looks fixed by %s",
			       json_string_value(
				       json_object_get(r, "looks_fixed_by")));
		printf("  %s\n", json_string_value(json_object_get(r, "url")));
	}
}

int cmd_regressions(int argc, char **argv)
{
	const char *data = "tbscope-data", *server = NULL, *series = NULL;
	const char *state = NULL, *format = "text", *threshold = NULL;
	bool help = false;
	const struct option_spec opts[] = {
		OPT_STRING('d', "data", "DIR",
			   "the data directory (default ./tbscope-data)",
			   &data),
		OPT_STRING(0, "server", "URL", "ask this server instead",
			   &server),
		OPT_STRING(0, "series", "S", "only the regressions of series S",
			   &series),
		OPT_STRING(0, "state", "STATE",
			   "open, closed, new, acknowledged, investigating,\n"
			   "fixed, expected or wontfix (default: all)",
			   &state),
		OPT_STRING('f', "format", "FMT",
			   "text (default), json or markdown", &format),
		OPT_STRING(0, "set-threshold", "PCT",
			   "set the threshold of --series S, in percent",
			   &threshold),
		OPT_HELP('h', &help),
		OPT_END(),
	};
	struct triage_filter f = {0};
	struct triage *t = NULL;
	struct errbuf err;
	json_t *a = NULL;
	int first, ret = 1;

	first = parse_options(argc, argv, opts, &err);
	if (first < 0)
		return usage_error("regressions", regressions_usage, opts,
				   &err);
	if (help) {
		usage_with_options(stdout, regressions_usage, opts);
		return 0;
	}
	if (first != argc) {
		errbuf_set(&err, "unexpected argument '%s'", argv[first]);
		return usage_error("regressions", regressions_usage, opts,
				   &err);
	}
	if (strcmp(format, "text") && strcmp(format, "json") &&
	    strcmp(format, "markdown")) {
		errbuf_set(&err,
			   "--format: expected text, json or markdown, "
			   "got '%s'",
			   format);
		return usage_error("regressions", regressions_usage, opts,
				   &err);
	}
	if (state && strcmp(state, "open") && strcmp(state, "closed") &&
	    !triage_state_ok(state)) {
		errbuf_set(&err, "--state: unknown state '%s'", state);
		return usage_error("regressions", regressions_usage, opts,
				   &err);
	}
	if (threshold) {
		double pct;

		if (!series || server) {
			errbuf_set(&err, "--set-threshold needs --series and "
					 "a --data directory");
			return usage_error("regressions", regressions_usage,
					   opts, &err);
		}
		if (parse_percent(threshold, &pct, &err) < 0) {
			errbuf_prefix(&err, "--set-threshold");
			return usage_error("regressions", regressions_usage,
					   opts, &err);
		}
		t = triage_open(data, &err);
		if (!t || triage_set_threshold(t, series, pct, &err) < 0) {
			fprintf(stderr, "tbscope regressions: %s\n", err.msg);
			triage_close(t);
			return 1;
		}
		triage_close(t);
		printf("series %s: threshold %g %%\n", series, pct);
		return 0;
	}
	if (server) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		a = from_server(server, series, state, &err);
		curl_global_cleanup();
	} else {
		f.series = series;
		f.state = state;
		t = triage_open(data, &err);
		if (t)
			a = triage_list(t, &f, &err);
		triage_close(t);
	}
	if (!a) {
		fprintf(stderr, "tbscope regressions: %s\n", err.msg);
		return 1;
	}
	if (!strcmp(format, "json")) {
		json_t *o = json_pack("{s:O}", "regressions", a);
		char *s = json_dumps(o, JSON_VIEW_DUMP_FLAGS);

		puts(s ? s : "null");
		free(s);
		json_decref(o);
	} else if (!strcmp(format, "markdown")) {
		struct strbuf md = STRBUF_INIT;
		size_t i;
		json_t *r;

		json_array_foreach (a, i, r) {
			if (i)
				strbuf_addch(&md, '\n');
			regress_markdown(r, server ? server : "", &md);
		}
		fputs(md.buf ? md.buf : "", stdout);
		strbuf_release(&md);
	} else {
		print_text(a);
	}
	ret = 0;
	json_decref(a);
	return ret;
}
