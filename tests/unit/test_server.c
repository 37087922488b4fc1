/* SPDX-License-Identifier: MIT */
/*
 * The server's code without sockets: the typed API functions, the JSON
 * routes and the pages (web_handle) over a real catalog that indexes the
 * fixture runs in a temporary data directory.  Figures come from
 * tests/data/FIXTURES.md's per-benchmark table; cache behaviour from the
 * cache's own counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api.h"
#include "cache.h"
#include "catalog.h"
#include "config.h"
#include "errbuf.h"
#include "log.h"
#include "response.h"
#include "server.h"
#include "strbuf.h"
#include "testutil.h"
#include "web.h"

#define A "build.gcc-O2-rv64gc"
#define B "build.gcc-O3-rv64gc_zba_zbb_zbs"

struct fixture {
	char *data;
	struct server_config cfg;
	struct catalog cat;
	struct server srv;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct errbuf err;
	char *argv[] = {(char *)"serve",
			(char *)"--data",
			NULL,
			(char *)"--runs-dir",
			(char *)TEST_DATA "/runs",
			(char *)"--sysroot",
			(char *)"/usr/riscv64-linux-gnu",
			NULL};

	log_threshold = LOG_ERROR;
	f->data = tu_mkdtemp();
	argv[2] = f->data;
	config_defaults(&f->cfg);
	assert_int_equal(config_parse_args(&f->cfg, 7, argv, &err), 0);
	assert_int_equal(catalog_start(&f->cat, &f->cfg, &err), 0);
	catalog_wait_idle(&f->cat);
	server_init(&f->srv, &f->cfg, &f->cat);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	server_release(&f->srv);
	catalog_stop(&f->cat);
	config_release(&f->cfg);
	tu_rm_rf(f->data);
	free(f->data);
	free(f);
	return 0;
}

static const struct {
	const char *name;
	json_int_t a, b;
} readme_totals[] = {
	{"600.lzpack_r", 115065868, 110980812},
	{"601.graphwalk_r", 61748526, 60117936},
	{"602.hashjoin_r", 225131489, 224979634},
	{"604.sortmix_r", 78723823, 78320245},
	{"610.stencil_r", 64958288, 64732629},
	{"612.matmul_r", 90736658, 72819936},
};

static void api_compare_has_the_readme_totals(void **state)
{
	struct fixture *f = *state;
	struct api_compare_opts opts = {0};
	enum cache_policy policy;
	struct api_err err;
	json_t *j = api_compare(&f->srv, A, B, &opts, &policy, &err);
	json_t *rows = json_object_get(j, "benchmarks");

	assert_non_null(j);
	assert_int_equal(json_array_size(rows), 6);
	for (size_t i = 0; i < 6; i++) {
		json_t *r = json_array_get(rows, i);

		assert_string_equal(
			json_string_value(json_object_get(r, "name")),
			readme_totals[i].name);
		assert_int_equal(json_integer_value(json_object_get(
					 r, "base_instructions")),
				 readme_totals[i].a);
		assert_int_equal(json_integer_value(json_object_get(
					 r, "new_instructions")),
				 readme_totals[i].b);
	}
	/* --runs-dir runs may change: answers are revalidated */
	assert_int_equal(policy, CACHE_REVALIDATE);
	json_decref(j);
}

static void a_second_call_is_the_cached_answer(void **state)
{
	struct fixture *f = *state;
	struct api_bench_opts opts = {.limit = 5};
	struct cache_stats before, after;
	struct api_err err;
	json_t *j1, *j2;

	j1 = api_compare_bench(&f->srv, A, B, "612.matmul_r", &opts, NULL,
			       &err);
	assert_non_null(j1);
	cache_get_stats(f->srv.results, &before);
	j2 = api_compare_bench(&f->srv, A, B, "612.matmul_r", &opts, NULL,
			       &err);
	cache_get_stats(f->srv.results, &after);
	assert_ptr_equal(j1, j2); /* the same shared value */
	assert_int_equal(after.hits, before.hits + 1);
	json_decref(j1);
	json_decref(j2);
}

static void errors_carry_status_and_code(void **state)
{
	struct fixture *f = *state;
	struct api_compare_opts opts = {0};
	struct api_bench_opts bopts = {.limit = 5};
	struct api_err err;

	assert_null(api_compare(&f->srv, A, "no-such-run", &opts, NULL, &err));
	assert_int_equal(err.status, 404);
	assert_string_equal(err.code, "not_found");
	assert_non_null(strstr(err.msg, "no-such-run"));
	assert_null(api_compare_bench(&f->srv, A, B, "999.none_r", &bopts, NULL,
				      &err));
	assert_int_equal(err.status, 404);
	assert_null(api_run(&f->srv, "../etc", NULL, &err));
	assert_int_equal(err.status, 400);
	bopts.fn.name = "no_such_function";
	assert_null(api_blocks(&f->srv, A, "612.matmul_r", &bopts.fn, 5, NULL,
			       &err));
	assert_int_equal(err.status, 404);
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool utf8_valid(const char *s)
{
	json_t *j = json_string(s); /* jansson refuses anything else */
	bool ok = j != NULL;

	json_decref(j);
	return ok;
}

static const char *no_query(void *ctx, const char *key)
{
	return NULL;
}

static void get(struct fixture *f, const char *path, struct api_response *resp)
{
	struct api_request req = {"GET", path, no_query, NULL, NULL, NULL, 0};

	api_response_init(resp);
	if (!strncmp(path, "/api/", 5))
		api_handle(&f->srv, &req, resp);
	else
		web_handle(&f->srv, &req, resp);
}

static void the_compare_page_reuses_its_json_twin(void **state)
{
	struct fixture *f = *state;
	struct cache_stats s0, s1, s2;
	struct api_response r;

	cache_get_stats(f->srv.results, &s0);
	get(f, "/api/v1/compare/" A "..." B, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	api_response_release(&r);
	cache_get_stats(f->srv.results, &s1);

	get(f, "/compare/" A "..." B, &r);
	cache_get_stats(f->srv.results, &s2);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	/* the README's geomean, in the title the link preview shows */
	assert_non_null(strstr(r.body.buf, "geomean -4.75 %"));
	assert_non_null(r.csp);
	/* the page's comparison came from the cache the JSON route filled */
	assert_true(s2.hits > s1.hits);
	assert_int_equal(s2.stores, s1.stores);
	api_response_release(&r);
}

static void pages_and_routes_answer_404(void **state)
{
	struct fixture *f = *state;
	struct api_response r;

	get(f, "/api/v1/nothing", &r);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body.buf, "\"not_found\""));
	api_response_release(&r);
	get(f, "/runs/" A "/999.none_r", &r);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body.buf, "999.none_r"));
	api_response_release(&r);
	get(f, "/compare/" A "/../x", &r);
	assert_int_equal(r.status, 404);
	api_response_release(&r);
}

static void route_split_refuses_dot_segments(void **state)
{
	char p1[] = "/a/b/c", p2[] = "/a/../b", p3[] = "/a//b", p4[] = "a";
	char p5[] = "/1/2/3/4";
	char *seg[3];
	size_t n;

	assert_true(route_split(p1, seg, 3, &n));
	assert_int_equal(n, 3);
	assert_string_equal(seg[2], "c");
	assert_false(route_split(p2, seg, 3, &n));
	assert_false(route_split(p3, seg, 3, &n));
	assert_false(route_split(p4, seg, 3, &n));
	assert_false(route_split(p5, seg, 3, &n));
}

static char *key_of(const char *path, const struct query_arg *args, size_t nr)
{
	struct strbuf sb = STRBUF_INIT;

	request_cache_key(&sb, path, args, nr);
	return strbuf_detach(&sb, NULL);
}

#define ARG(k, v)                                                              \
	{                                                                      \
		k, sizeof(k) - 1, v, sizeof(v) - 1                             \
	}
#define BARE(k)                                                                \
	{                                                                      \
		k, sizeof(k) - 1, NULL, 0                                      \
	}

static void cache_keys_are_exact(void **state)
{
	/* ?a=1%26b%3D2 (one parameter) and ?a=1&b=2 (two) */
	const struct query_arg one[] = {ARG("a", "1&b=2")};
	const struct query_arg two[] = {ARG("a", "1"), ARG("b", "2")};
	const struct query_arg two_swapped[] = {ARG("b", "2"), ARG("a", "1")};
	/* a key given twice: the first value is the one that counts */
	const struct query_arg rep1[] = {ARG("a", "1"), ARG("a", "2")};
	const struct query_arg rep2[] = {ARG("a", "2"), ARG("a", "1")};
	/* ?a and ?a= differ; so do a path holding '?' and a query */
	const struct query_arg bare[] = {BARE("a")};
	const struct query_arg empty[] = {ARG("a", "")};
	char *k[8];

	k[0] = key_of("/x", one, 1);
	k[1] = key_of("/x", two, 2);
	k[2] = key_of("/x", two_swapped, 2);
	k[3] = key_of("/x", rep1, 2);
	k[4] = key_of("/x", rep2, 2);
	k[5] = key_of("/x", bare, 1);
	k[6] = key_of("/x", empty, 1);
	k[7] = key_of("/x?a=", NULL, 0);
	assert_string_not_equal(k[0], k[1]);
	assert_string_equal(k[1], k[2]);
	assert_string_not_equal(k[3], k[4]);
	assert_string_not_equal(k[5], k[6]);
	assert_string_not_equal(k[6], k[7]);
	for (size_t i = 0; i < 8; i++)
		free(k[i]);
}

/* A message cut at errbuf's end never ends inside a UTF-8 sequence. */
static void long_messages_stay_utf8(void **state)
{
	struct strbuf v = STRBUF_INIT;
	struct errbuf err;

	/* 2-, 3- and 4-byte characters, each at every cut position */
	for (size_t shift = 0; shift < 4; shift++) {
		for (const char *c = "\xc3\xa9\0\xe2\x82\xac\0\xf0\x9f\x98\x80";
		     c;) {
			strbuf_reset(&v);
			for (size_t i = 0; i < shift; i++)
				strbuf_addch(&v, 'x');
			for (size_t i = 0; i < 300; i++)
				strbuf_adds(&v, c);
			errbuf_set(&err, "got '%s'", v.buf);
			assert_true(utf8_valid(err.msg));
			errbuf_set(&err, "%s", v.buf);
			errbuf_prefix(&err, "offset");
			assert_true(utf8_valid(err.msg));
			c = *c == '\xf0' ? NULL : c + strlen(c) + 1;
		}
	}
	strbuf_release(&v);
}

static const char *long_offset(void *ctx, const char *key)
{
	return strcmp(key, "offset") ? NULL : ctx;
}

/* Found by fuzz_api: a long non-ASCII query value made an error answer
 * whose message was cut inside a character: {"error": null}. */
static void a_long_bad_value_is_a_json_error(void **state)
{
	struct fixture *f = *state;
	struct strbuf v = STRBUF_INIT;
	struct api_request req = {
		.method = "GET", .path = "/api/v1/runs", .query = long_offset};
	struct api_response r;
	json_error_t jerr;
	json_t *j;

	/* both parities of where the message is cut */
	for (size_t shift = 0; shift < 2; shift++) {
		strbuf_reset(&v);
		strbuf_adds(&v,
			    shift ? "/api/v1/compare/ab" : "/api/v1/compare/a");
		for (size_t i = 0; i < 300; i++)
			strbuf_adds(&v, "\xcf\x9d");
		req.ctx = v.buf;
		api_response_init(&r);
		api_handle(&f->srv, &req, &r);
		assert_int_equal(r.status, 400);
		j = json_loadb(r.body.buf, r.body.len, 0, &jerr);
		assert_non_null(j);
		assert_non_null(
			strstr(json_string_value(json_object_get(
				       json_object_get(j, "error"), "message")),
			       "offset"));
		json_decref(j);
		api_response_release(&r);
	}
	strbuf_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(route_split_refuses_dot_segments),
		cmocka_unit_test(cache_keys_are_exact),
		cmocka_unit_test(long_messages_stay_utf8),
	};
	const struct CMUnitTest served[] = {
		cmocka_unit_test(api_compare_has_the_readme_totals),
		cmocka_unit_test(a_second_call_is_the_cached_answer),
		cmocka_unit_test(errors_carry_status_and_code),
		cmocka_unit_test(the_compare_page_reuses_its_json_twin),
		cmocka_unit_test(pages_and_routes_answer_404),
		cmocka_unit_test(a_long_bad_value_is_a_json_error),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	return failed + cmocka_run_group_tests(served, setup, teardown);
}
