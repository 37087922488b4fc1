/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "parse_options.h"
#include "parse_value.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

void config_defaults(struct server_config *cfg)
{
	struct errbuf err;
	char *argv[] = {(char *)"serve", NULL};

	memset(cfg, 0, sizeof(*cfg));
	cfg->threads = 4;
	cfg->max_upload = 1ull << 30;
	cfg->max_unpacked = 8ull << 30;
	cfg->max_files = 100000;
	cfg->timeout_s = 30;
	cfg->request_timeout_s = 10;
	cfg->max_connections = 10000;
	cfg->max_discard = 64ull << 20;
	cfg->log_level = LOG_INFO;
	cfg->data_dir = xstrdup("tbscope-data");
	BUG_ON(config_parse_args(cfg, 1, argv, &err) < 0);
}

/* "127.0.0.1:8080", "[::1]:0", "localhost:80" is not accepted (no DNS). */
static int parse_listen(struct server_config *cfg, const char *s,
			struct errbuf *err)
{
	const char *whole = s;
	const char *colon = strrchr(s, ':');
	char host[64];
	uint64_t port;
	size_t hlen;

	if (!colon || parse_count(colon + 1, 0, 65535, &port, NULL) < 0)
		return errbuf_set(err, "expected ADDR:PORT, got '%s'", s);
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		s++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return errbuf_set(err, "bad address in '%s'", whole);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(&cfg->addr, 0, sizeof(cfg->addr));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&cfg->addr;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return errbuf_set(err, "bad IPv6 address '%s'", host);
		cfg->addr_len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&cfg->addr;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return errbuf_set(err, "bad IPv4 address '%s'", host);
		cfg->addr_len = sizeof(*a);
	}
	free(cfg->listen);
	cfg->listen = xstrdup(whole);
	return 0;
}

static int listen_option(const struct option_spec *opt, const char *arg,
			 struct errbuf *err)
{
	return parse_listen(opt->value, arg, err);
}

static int public_url_option(const struct option_spec *opt, const char *arg,
			     struct errbuf *err)
{
	struct server_config *cfg = opt->value;

	(void)err;
	free(cfg->public_url);
	cfg->public_url = xstrdup(arg);
	cfg->public_url_default = false;
	return 0;
}

/* An http(s) URL with {commit} in it. */
static int commit_url_option(const struct option_spec *opt, const char *arg,
			     struct errbuf *err)
{
	struct server_config *cfg = opt->value;

	if ((strncmp(arg, "https://", 8) && strncmp(arg, "http://", 7)) ||
	    !strstr(arg, "{commit}"))
		return errbuf_set(err,
				  "expected an http(s) URL with {commit} in "
				  "it, got '%s'",
				  arg);
	free(cfg->commit_url);
	cfg->commit_url = xstrdup(arg);
	return 0;
}

static int log_level_option(const struct option_spec *opt, const char *arg,
			    struct errbuf *err)
{
	enum log_level l;

	if (log_level_parse(arg, &l) < 0)
		return errbuf_set(err,
				  "expected error, warn, info or debug, got "
				  "'%s'",
				  arg);
	*(int *)opt->value = (int)l;
	return 0;
}

/*
 * The table of `tbscope serve` (and `tbscope reindex`), filling *cfg.
 * A macro, so that parsing and --help share one definition while the
 * table stays a local array pointing at the caller's struct.
 */
#define CONFIG_OPTIONS(cfg)                                                    \
	{                                                                      \
		OPT_STRDUP(0, "data", "DIR",                                   \
			   "data directory: runs/, index.sqlite, tokens\n"     \
			   "(default ./tbscope-data, created if missing)",     \
			   &(cfg)->data_dir),                                  \
			OPT_STRLIST(0, "runs-dir", "DIR",                      \
				    "index every subdirectory of DIR as a "    \
				    "run, in\n"                                \
				    "place and read-only (repeatable)",        \
				    &(cfg)->runs_dirs),                        \
			OPT_CALLBACK(0, "listen", "ADDR:PORT",                 \
				     "address to listen on (default "          \
				     "127.0.0.1:8080;\n"                       \
				     "port 0 picks a free port; [::1]:PORT "   \
				     "for IPv6)",                              \
				     (cfg), listen_option),                    \
			OPT_CALLBACK(0, "public-url", "URL",                   \
				     "base URL of permalinks (default "        \
				     "http://ADDR:PORT)",                      \
				     (cfg), public_url_option),                \
			OPT_STRLIST(0, "sysroot", "DIR",                       \
				    "where shared libraries are found "        \
				    "(repeatable)",                            \
				    &(cfg)->sysroots),                         \
			OPT_UINT(0, "threads", "N",                            \
				 "HTTP worker threads, 1-256 (default 4)",     \
				 &(cfg)->threads, 1, 256),                     \
			OPT_SIZE(0, "max-upload", "BYTES",                     \
				 "largest upload body (default 1073741824)",   \
				 &(cfg)->max_upload, 1, UINT64_MAX),           \
			OPT_SIZE(0, "max-unpacked", "BYTES",                   \
				 "largest unpacked upload (default "           \
				 "8589934592)",                                \
				 &(cfg)->max_unpacked, 1, UINT64_MAX),         \
			OPT_COUNT(0, "max-files", "N",                         \
				  "most files in one upload, 1-100000000\n"    \
				  "(default 100000)",                          \
				  &(cfg)->max_files, 1, 100000000),            \
			OPT_UINT(0, "timeout", "SECONDS",                      \
				 "idle connection timeout, 1-3600 (default "   \
				 "30)",                                        \
				 &(cfg)->timeout_s, 1, 3600),                  \
			OPT_UINT(                                              \
				0, "request-timeout", "SECONDS",               \
				"time to send the request line and headers,\n" \
				"and most time a body may go without "         \
				"progress,\n1-3600 (default 10)",              \
				&(cfg)->request_timeout_s, 1, 3600),           \
			OPT_UINT(0, "max-connections", "N",                    \
				 "connections open at once, 1-1000000\n"       \
				 "(default 10000; 256 from one address)",      \
				 &(cfg)->max_connections, 1, 1000000),         \
			OPT_SIZE(0, "max-discard", "BYTES",                    \
				 "of a refused body, read and drop up to "     \
				 "this\nmuch past --max-upload to answer "     \
				 "it\n(default 67108864)",                     \
				 &(cfg)->max_discard, 0, UINT64_MAX),          \
			OPT_STRDUP(                                            \
				0, "token-file", "FILE",                       \
				"also accept the token in FILE for uploads",   \
				&(cfg)->token_file),                           \
			OPT_STRDUP(0, "read-token", "FILE",                    \
				   "reading the dashboard needs the token in " \
				   "FILE",                                     \
				   &(cfg)->read_token_file),                   \
			OPT_STRDUP(0, "web-dir", "DIR",                        \
				   "serve static assets from DIR",             \
				   &(cfg)->web_dir),                           \
			OPT_CALLBACK(                                          \
				0, "commit-url", "TEMPLATE",                   \
				"link of a run's commit when its "             \
				"metadata\nhas no url, {commit} replaced "     \
				"(e.g.\nhttps://github.com/O/R/commit/"        \
				"{commit})",                                   \
				(cfg), commit_url_option),                     \
			OPT_STRLIST(0, "notify", "URL",                        \
				    "POST each new regression to URL "         \
				    "(repeatable)",                            \
				    &(cfg)->notify),                           \
			OPT_CALLBACK(0, "log-level", "LEVEL",                  \
				     "error, warn, info (default) or debug",   \
				     &(cfg)->log_level, log_level_option),     \
			OPT_HELP('h', &(cfg)->help), OPT_END(),                \
	}

int config_parse_args(struct server_config *cfg, int argc, char **argv,
		      struct errbuf *err)
{
	const struct option_spec opts[] = CONFIG_OPTIONS(cfg);
	int first;

	if (!cfg->listen && parse_listen(cfg, "127.0.0.1:8080", err) < 0)
		return -1;
	first = parse_options(argc, argv, opts, err);
	if (first < 0)
		return -1;
	if (!cfg->help && first < argc)
		return errbuf_set(err, "unexpected argument '%s'", argv[first]);
	if (!cfg->public_url || cfg->public_url_default) {
		free(cfg->public_url);
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "http://%s", cfg->listen);
		cfg->public_url = strbuf_detach(&sb, NULL);
		cfg->public_url_default = true;
	}
	return 0;
}

void config_usage(FILE *f, const char *usage)
{
	struct server_config cfg;
	const struct option_spec opts[] = CONFIG_OPTIONS(&cfg);

	usage_with_options(f, usage, opts);
}

void config_release(struct server_config *cfg)
{
	free(cfg->data_dir);
	strlist_release(&cfg->runs_dirs);
	strlist_release(&cfg->sysroots);
	strlist_release(&cfg->notify);
	free(cfg->listen);
	free(cfg->public_url);
	free(cfg->token_file);
	free(cfg->read_token_file);
	free(cfg->web_dir);
	free(cfg->commit_url);
	memset(cfg, 0, sizeof(*cfg));
}
