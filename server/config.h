/* SPDX-License-Identifier: MIT */
/*
 * The settings of `tbscope serve`, parsed from the command line by a pure
 * function (no I/O beyond the error message), so it is unit-testable.
 * Every option has a long name, a range check and a default shown in
 * --help.
 */
#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "strlist.h"

struct errbuf;

struct server_config {
	char *data_dir;		      /* --data: runs/, index.sqlite, tokens */
	struct strlist runs_dirs;     /* --runs-dir, repeatable */
	struct strlist sysroots;      /* --sysroot, repeatable */
	struct sockaddr_storage addr; /* --listen */
	socklen_t addr_len;
	char *listen;		 /* as given, for messages */
	char *public_url;	 /* --public-url: base of permalinks */
	bool public_url_default; /* derived from --listen: fix the port */
	unsigned threads;	 /* --threads */
	uint64_t max_upload;	 /* --max-upload: compressed body bytes */
	uint64_t max_unpacked;	 /* --max-unpacked: files' total bytes */
	uint64_t max_files;	 /* --max-files per upload */
	unsigned timeout_s;	 /* --timeout: idle connection seconds */
	/*
	 * --request-timeout: seconds a request has to send its request line
	 * and headers, and that a body may go without bringing
	 * BODY_PROGRESS_BYTES (http.c), whatever the idle timeout.
	 */
	unsigned request_timeout_s;
	unsigned max_connections; /* --max-connections: open at once */
	uint64_t max_discard;	  /* --max-discard: of a refused body, read
				     past --max-upload */
	char *token_file;	  /* --token-file: an extra accepted token */
	char *read_token_file;	  /* --read-token: reading needs a token */
	char *web_dir;	       /* --web-dir: static assets (default built in) */
	int log_level;	       /* enum log_level */
	struct strlist notify; /* --notify: webhooks for new regressions */
	bool help;

	char *commit_url; /* --commit-url: a commit's link, with {commit} */
};

void config_defaults(struct server_config *cfg);
/*
 * Apply argv (argv[0] is "serve" or "reindex") with parse_options().
 * Returns 0 (with cfg->help set when --help was given: the caller prints
 * config_usage()), or -1 with the reason in *err (bad usage), which names
 * the option ("--threads: expected a count from 1 to 256, got '0'").
 */
int config_parse_args(struct server_config *cfg, int argc, char **argv,
		      struct errbuf *err);
void config_release(struct server_config *cfg);

/*
 * Print usage (the command's synopsis and description) and the table of
 * the options config_parse_args() takes, for --help.
 */
void config_usage(FILE *f, const char *usage);

#endif
