/* SPDX-License-Identifier: MIT */
/*
 * `tbscope serve`, `tbscope reindex` and `tbscope token`: the server's
 * commands.  serve blocks SIGINT/SIGTERM before any thread starts, starts
 * the catalog (indexer) and the HTTP daemon, then waits in sigwait() and
 * stops both cleanly.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "catalog.h"
#include "cli.h"
#include "config.h"
#include "errbuf.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "strbuf.h"
#include "tokens.h"
#include "upload.h"
#include "banned.h"

static int parse_config(struct server_config *cfg, int argc, char **argv,
			const char *usage)
{
	struct errbuf err;

	config_defaults(cfg);
	if (config_parse_args(cfg, argc, argv, &err) < 0) {
		fprintf(stderr, "tbscope %s: %s\n\n%s", argv[0], err.msg,
			usage);
		return EXIT_USAGE;
	}
	if (cfg->help) {
		fputs(usage, stdout);
		return 0;
	}
	log_threshold = (enum log_level)cfg->log_level;
	return -1;
}

int cmd_serve(int argc, char **argv)
{
	struct server_config cfg;
	struct catalog cat;
	struct server srv;
	struct http *h;
	struct errbuf err;
	sigset_t set;
	uint16_t port;
	int sig, rc;

	rc = parse_config(&cfg, argc, argv, config_usage);
	if (rc >= 0) {
		config_release(&cfg);
		return rc;
	}
	json_object_seed(0);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (catalog_start(&cat, &cfg, &err) < 0) {
		fprintf(stderr, "tbscope serve: %s\n", err.msg);
		config_release(&cfg);
		return 1;
	}
	/* what an interrupted upload left behind is not a run */
	upload_clean_staging(cat.staging_dir);
	server_init(&srv, &cfg, &cat);
	h = http_start(&srv, &port, &err);
	if (!h) {
		fprintf(stderr, "tbscope serve: %s\n", err.msg);
		server_release(&srv);
		catalog_stop(&cat);
		config_release(&cfg);
		return 1;
	}
	if (cfg.public_url_default) {
		/* the real port, when --listen asked for port 0 */
		struct strbuf url = STRBUF_INIT;
		const char *colon = strrchr(cfg.listen, ':');

		strbuf_addf(&url, "http://%.*s:%u", (int)(colon - cfg.listen),
			    cfg.listen, port);
		free(cfg.public_url);
		cfg.public_url = strbuf_detach(&url, NULL);
	}
	log_info("http: listening on %s (data in %s)", cfg.public_url,
		 cfg.data_dir);
	/* machine-readable for scripts and tests that start us on port 0 */
	printf("tbscope: listening on %s\n", cfg.public_url);
	fflush(stdout);

	while (sigwait(&set, &sig) != 0)
		;
	log_info("http: %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_stop(h);
	server_release(&srv);
	catalog_stop(&cat);
	config_release(&cfg);
	return 0;
}

static const char reindex_usage[] =
	"usage: tbscope reindex [--data DIR] [--runs-dir DIR]... "
	"[--sysroot DIR]...\n"
	"\n"
	"Rebuild the index from the run directories: every run is analysed\n"
	"again.  Stop the server first, or run it against a copy.\n";

int cmd_reindex(int argc, char **argv)
{
	struct server_config cfg;
	struct catalog cat;
	struct strbuf path = STRBUF_INIT;
	struct errbuf err;
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	int rc;

	rc = parse_config(&cfg, argc, argv, reindex_usage);
	if (rc >= 0) {
		config_release(&cfg);
		return rc;
	}
	for (size_t i = 0; i < 3; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/index.sqlite%s", cfg.data_dir,
			    suffixes[i]);
		unlink(path.buf);
	}
	strbuf_release(&path);
	if (catalog_start(&cat, &cfg, &err) < 0) {
		fprintf(stderr, "tbscope reindex: %s\n", err.msg);
		config_release(&cfg);
		return 1;
	}
	catalog_wait_idle(&cat);
	catalog_stop(&cat);
	config_release(&cfg);
	return 0;
}

static const char token_usage[] =
	"usage: tbscope token [--data DIR] add NAME\n"
	"       tbscope token [--data DIR] list\n"
	"       tbscope token [--data DIR] revoke NAME\n"
	"\n"
	"Upload tokens.  'add' prints a new token once; only its SHA-256 is\n"
	"stored (DIR/tokens, default ./tbscope-data).\n";

int cmd_token(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = "tbscope-data";
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	struct errbuf err;
	const char *verb;
	int c, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		if (c == 'd') {
			data = optarg;
		} else if (c == 'h') {
			fputs(token_usage, stdout);
			return 0;
		} else {
			fputs(token_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(token_usage, stderr);
		return EXIT_USAGE;
	}
	verb = argv[optind];
	if ((!strcmp(verb, "add") || !strcmp(verb, "revoke")) &&
	    argc - optind != 2) {
		fputs(token_usage, stderr);
		return EXIT_USAGE;
	}
	if (mkdir(data, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "tbscope token: cannot create '%s': %s\n", data,
			strerror(errno));
		return 1;
	}
	strbuf_addf(&path, "%s/tokens", data);
	if (!strcmp(verb, "add") &&
	    tokens_add(path.buf, argv[optind + 1], &out, &err) == 0) {
		printf("%s\n", out.buf);
		fprintf(stderr,
			"tbscope token: this token is shown once; store it "
			"as a CI secret\n");
		ret = 0;
	} else if (!strcmp(verb, "revoke") &&
		   tokens_revoke(path.buf, argv[optind + 1], &err) == 0) {
		ret = 0;
	} else if (!strcmp(verb, "list") && argc - optind == 1 &&
		   tokens_list(path.buf, &out, &err) == 0) {
		fputs(out.buf, stdout);
		ret = 0;
	} else if (strcmp(verb, "add") && strcmp(verb, "revoke") &&
		   strcmp(verb, "list")) {
		fprintf(stderr, "tbscope token: unknown verb '%s'\n\n%s", verb,
			token_usage);
		ret = EXIT_USAGE;
	} else if (!strcmp(verb, "list") && argc - optind != 1) {
		fputs(token_usage, stderr);
		ret = EXIT_USAGE;
	} else {
		fprintf(stderr, "tbscope token: %s\n", err.msg);
	}
	strbuf_release(&path);
	strbuf_release(&out);
	return ret;
}
