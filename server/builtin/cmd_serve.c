/* SPDX-License-Identifier: MIT */
/*
 * `tbscope serve`: the daemon.  It blocks SIGINT/SIGTERM before any
 * thread starts, starts the catalog (indexer, which checks the index in
 * the background) and the HTTP daemon, then waits in sigwait() and stops
 * both: requests in flight end first, an analysis in progress is left to
 * the next start.
 */
#include <pthread.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_regress.h"
#include "builtin.h"
#include "catalog.h"
#include "config.h"
#include "errbuf.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "strbuf.h"
#include "upload.h"
#include "banned.h"

/* How long a stop waits for the indexer to finish the run it analyses. */
#define STOP_GRACE_MS 100

static const char serve_usage[] =
	"usage: tbscope serve [options]\n"
	"\n"
	"Serve the dashboard and the JSON API over the runs in the data\n"
	"directory (uploaded by CI) and in --runs-dir directories.\n";

int parse_server_config(struct server_config *cfg, int argc, char **argv,
			const char *usage)
{
	struct errbuf err;

	config_defaults(cfg);
	if (config_parse_args(cfg, argc, argv, &err) < 0) {
		fprintf(stderr, "tbscope %s: %s\n\n", argv[0], err.msg);
		config_usage(stderr, usage);
		return EXIT_USAGE;
	}
	if (cfg->help) {
		config_usage(stdout, usage);
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

	rc = parse_server_config(&cfg, argc, argv, serve_usage);
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

	regress_set_notify(&cfg.notify, cfg.public_url);
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
	regress_set_notify(&cfg.notify, cfg.public_url);
	regress_notifier_start(cfg.data_dir);
	log_info("http: listening on %s (data in %s)", cfg.public_url,
		 cfg.data_dir);
	/* machine-readable for scripts and tests that start us on port 0 */
	printf("tbscope: listening on %s\n", cfg.public_url);
	fflush(stdout);

	while (sigwait(&set, &sig) != 0)
		;
	log_info("http: %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	/* in-flight requests end first: an upload's is stored or discarded */
	http_stop(h);
	regress_notifier_stop();
	server_release(&srv);
	if (!catalog_stop_within(&cat, STOP_GRACE_MS)) {
		/*
		 * The indexer is in the middle of a run: not worth waiting
		 * for.  Its transaction is rolled back and the run analysed
		 * again at the next start, as after a crash.
		 */
		log_info("index: stopped in the middle of an analysis; it is "
			 "done again at the next start");
		fflush(stdout);
		_exit(0);
	}
	config_release(&cfg);
	return 0;
}
