/* SPDX-License-Identifier: MIT */
/*
 * `tbscope token add|list|revoke`: the tokens of a data directory
 * (tokens.h keeps only their SHA-256), each with its scopes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "errbuf.h"
#include "parse_options.h"
#include "strbuf.h"
#include "tokens.h"
#include "banned.h"

static const char token_usage[] =
	"usage: tbscope token [--data DIR] add [--scope LIST] NAME\n"
	"       tbscope token [--data DIR] list\n"
	"       tbscope token [--data DIR] revoke NAME\n"
	"\n"
	"Tokens.  'add' prints a new token once; only its SHA-256 is\n"
	"stored (DIR/tokens, default ./tbscope-data).  Scopes: upload\n"
	"(send runs), triage (change a regression's state), read (read a\n"
	"server that needs a token).\n";

int cmd_token(int argc, char **argv)
{
	const char *data = "tbscope-data", *scope = "upload";
	bool help = false;
	unsigned scopes = 0;
	const struct option_spec opts[] = {
		OPT_STRING('d', "data", "DIR",
			   "the data directory (default ./tbscope-data)",
			   &data),
		OPT_STRING(0, "scope", "LIST",
			   "add: what the token may do, a comma-separated\n"
			   "list of upload, triage, read (default upload)",
			   &scope),
		OPT_HELP('h', &help),
		OPT_END(),
	};
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	struct errbuf err;
	const char *verb;
	int first, ret = 1;

	first = parse_options(argc, argv, opts, &err);
	if (first < 0)
		return usage_error("token", token_usage, opts, &err);
	if (help) {
		usage_with_options(stdout, token_usage, opts);
		return 0;
	}
	if (first >= argc) {
		usage_with_options(stderr, token_usage, opts);
		return EXIT_USAGE;
	}
	verb = argv[first];
	if ((!strcmp(verb, "add") || !strcmp(verb, "revoke")) &&
	    argc - first != 2) {
		usage_with_options(stderr, token_usage, opts);
		return EXIT_USAGE;
	}
	if (!token_scopes_parse(scope, &scopes, &err))
		return usage_error("token", token_usage, opts, &err);
	if (mkdir(data, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "tbscope token: cannot create '%s': %s\n", data,
			strerror(errno));
		return 1;
	}
	strbuf_addf(&path, "%s/tokens", data);
	if (!strcmp(verb, "add") &&
	    tokens_add_scoped(path.buf, argv[first + 1], scopes, &out, &err) ==
		    0) {
		printf("%s\n", out.buf);
		fprintf(stderr,
			"tbscope token: this token is shown once; store it "
			"as a CI secret\n");
		ret = 0;
	} else if (!strcmp(verb, "revoke") &&
		   tokens_revoke(path.buf, argv[first + 1], &err) == 0) {
		ret = 0;
	} else if (!strcmp(verb, "list") && argc - first == 1 &&
		   tokens_list(path.buf, &out, &err) == 0) {
		fputs(out.buf, stdout);
		ret = 0;
	} else if (strcmp(verb, "add") && strcmp(verb, "revoke") &&
		   strcmp(verb, "list")) {
		fprintf(stderr, "tbscope token: unknown verb '%s'\n\n", verb);
		usage_with_options(stderr, token_usage, opts);
		ret = EXIT_USAGE;
	} else if (!strcmp(verb, "list") && argc - first != 1) {
		usage_with_options(stderr, token_usage, opts);
		ret = EXIT_USAGE;
	} else {
		fprintf(stderr, "tbscope token: %s\n", err.msg);
	}
	strbuf_release(&path);
	strbuf_release(&out);
	return ret;
}
