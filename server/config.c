/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

const char config_usage[] =
	"usage: tbscope serve [options]\n"
	"\n"
	"Serve the dashboard and the JSON API over the runs in the data\n"
	"directory (uploaded by CI) and in --runs-dir directories.\n"
	"\n"
	"  --data DIR            data directory: runs/, index.sqlite, tokens\n"
	"                        (default ./tbscope-data, created if missing)\n"
	"  --runs-dir DIR        index every subdirectory of DIR as a run, in\n"
	"                        place and read-only (repeatable)\n"
	"  --listen ADDR:PORT    address to listen on (default "
	"127.0.0.1:8080;\n"
	"                        port 0 picks a free port; [::1]:PORT for "
	"IPv6)\n"
	"  --public-url URL      base URL of permalinks (default "
	"http://ADDR:PORT)\n"
	"  --sysroot DIR         where shared libraries are found "
	"(repeatable)\n"
	"  --threads N           HTTP worker threads, 1-256 (default 4)\n"
	"  --max-upload BYTES    largest upload body (default 1073741824)\n"
	"  --max-unpacked BYTES  largest unpacked upload (default 8589934592)\n"
	"  --max-files N         most files in one upload (default 100000)\n"
	"  --timeout SECONDS     idle connection timeout, 1-3600 (default 30)\n"
	"  --token-file FILE     also accept the token in FILE for uploads\n"
	"  --read-token FILE     reading the dashboard needs the token in "
	"FILE\n"
	"  --web-dir DIR         serve static assets from DIR\n"
	"  --log-level LEVEL     error, warn, info (default) or debug\n"
	"  -h, --help            this text\n";

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
	cfg->log_level = LOG_INFO;
	cfg->data_dir = xstrdup("tbscope-data");
	BUG_ON(config_parse_args(cfg, 1, argv, &err) < 0);
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
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

	if (!colon || parse_u64(colon + 1, 0, 65535, &port) < 0)
		return errbuf_set(err, "--listen: expected ADDR:PORT, got '%s'",
				  s);
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		s++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return errbuf_set(err, "--listen: bad address in '%s'", whole);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(&cfg->addr, 0, sizeof(cfg->addr));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&cfg->addr;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return errbuf_set(
				err, "--listen: bad IPv6 address '%s'", host);
		cfg->addr_len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&cfg->addr;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return errbuf_set(
				err, "--listen: bad IPv4 address '%s'", host);
		cfg->addr_len = sizeof(*a);
	}
	free(cfg->listen);
	cfg->listen = xstrdup(whole);
	return 0;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

int config_parse_args(struct server_config *cfg, int argc, char **argv,
		      struct errbuf *err)
{
	enum {
		OPT_DATA = 256,
		OPT_RUNS_DIR,
		OPT_LISTEN,
		OPT_PUBLIC_URL,
		OPT_SYSROOT,
		OPT_THREADS,
		OPT_MAX_UPLOAD,
		OPT_MAX_UNPACKED,
		OPT_MAX_FILES,
		OPT_TIMEOUT,
		OPT_TOKEN_FILE,
		OPT_READ_TOKEN,
		OPT_WEB_DIR,
		OPT_LOG_LEVEL,
	};
	static const struct option longopts[] = {
		{"data", required_argument, NULL, OPT_DATA},
		{"runs-dir", required_argument, NULL, OPT_RUNS_DIR},
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"public-url", required_argument, NULL, OPT_PUBLIC_URL},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"max-upload", required_argument, NULL, OPT_MAX_UPLOAD},
		{"max-unpacked", required_argument, NULL, OPT_MAX_UNPACKED},
		{"max-files", required_argument, NULL, OPT_MAX_FILES},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
		{"read-token", required_argument, NULL, OPT_READ_TOKEN},
		{"web-dir", required_argument, NULL, OPT_WEB_DIR},
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;

	if (!cfg->listen && parse_listen(cfg, "127.0.0.1:8080", err) < 0)
		return -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DATA:
			set_str(&cfg->data_dir, optarg);
			break;
		case OPT_RUNS_DIR:
			strlist_add(&cfg->runs_dirs, optarg);
			break;
		case OPT_LISTEN:
			if (parse_listen(cfg, optarg, err) < 0)
				return -1;
			break;
		case OPT_PUBLIC_URL:
			set_str(&cfg->public_url, optarg);
			cfg->public_url_default = false;
			break;
		case OPT_SYSROOT:
			strlist_add(&cfg->sysroots, optarg);
			break;
		case OPT_THREADS:
			if (parse_u64(optarg, 1, 256, &v) < 0)
				return errbuf_set(err,
						  "--threads: expected "
						  "1-256, got '%s'",
						  optarg);
			cfg->threads = (unsigned)v;
			break;
		case OPT_MAX_UPLOAD:
			if (parse_u64(optarg, 1, UINT64_MAX, &cfg->max_upload) <
			    0)
				return errbuf_set(err,
						  "--max-upload: bad size '%s'",
						  optarg);
			break;
		case OPT_MAX_UNPACKED:
			if (parse_u64(optarg, 1, UINT64_MAX,
				      &cfg->max_unpacked) < 0)
				return errbuf_set(
					err, "--max-unpacked: bad size '%s'",
					optarg);
			break;
		case OPT_MAX_FILES:
			if (parse_u64(optarg, 1, 100000000, &cfg->max_files) <
			    0)
				return errbuf_set(err,
						  "--max-files: bad count '%s'",
						  optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_u64(optarg, 1, 3600, &v) < 0)
				return errbuf_set(err,
						  "--timeout: expected "
						  "1-3600, got '%s'",
						  optarg);
			cfg->timeout_s = (unsigned)v;
			break;
		case OPT_TOKEN_FILE:
			set_str(&cfg->token_file, optarg);
			break;
		case OPT_READ_TOKEN:
			set_str(&cfg->read_token_file, optarg);
			break;
		case OPT_WEB_DIR:
			set_str(&cfg->web_dir, optarg);
			break;
		case OPT_LOG_LEVEL: {
			enum log_level l;

			if (log_level_parse(optarg, &l) < 0)
				return errbuf_set(
					err,
					"--log-level: expected error, "
					"warn, info or debug, got "
					"'%s'",
					optarg);
			cfg->log_level = (int)l;
			break;
		}
		case 'h':
			cfg->help = true;
			break;
		case ':':
			return errbuf_set(err, "option '%s' needs a value",
					  argv[optind - 1]);
		default:
			return errbuf_set(err, "unknown option '%s'",
					  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return errbuf_set(err, "unexpected argument '%s'",
				  argv[optind]);
	if (!cfg->public_url || cfg->public_url_default) {
		free(cfg->public_url);
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "http://%s", cfg->listen);
		cfg->public_url = strbuf_detach(&sb, NULL);
		cfg->public_url_default = true;
	}
	return 0;
}

void config_release(struct server_config *cfg)
{
	free(cfg->data_dir);
	strlist_release(&cfg->runs_dirs);
	strlist_release(&cfg->sysroots);
	free(cfg->listen);
	free(cfg->public_url);
	free(cfg->token_file);
	free(cfg->read_token_file);
	free(cfg->web_dir);
	memset(cfg, 0, sizeof(*cfg));
}
