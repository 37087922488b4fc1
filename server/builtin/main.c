/* SPDX-License-Identifier: MIT */
/*
 * tbscope: dynamic instruction counts from QEMU hotblocks runs, as a
 * command line and (tbscope serve) as a dashboard server.  main() only
 * dispatches to the commands of the table below.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "errbuf.h"
#include "parse_options.h"
#include "record.h"
#include "xalloc.h"
#include "banned.h"

const struct builtin builtins[] = {
	{"compare", cmd_compare, "compare two runs, per benchmark"},
	{"show", cmd_show, "totals of one run; one benchmark's functions"},
	{"serve", cmd_serve, "serve the dashboard and the JSON API"},
	{"reindex", cmd_reindex, "rebuild the server's index from its runs"},
	{"token", cmd_token, "add, list or revoke upload tokens"},
	{"upload", cmd_upload, "send a build directory's run to a server"},
	{"record", cmd_record, "record a program's counts under QEMU"},
	{"clean", cmd_clean, "remove the files recording left in a build dir"},
	{"regressions", cmd_regressions, "list the regressions of the series"},
	{"backup", cmd_backup, "copy the user data: triage store, tokens"},
};
const size_t nr_builtins = sizeof(builtins) / sizeof(builtins[0]);

int usage_error(const char *cmd, const char *usage,
		const struct option_spec *opts, const struct errbuf *err)
{
	fprintf(stderr, "tbscope %s: %s\n\n", cmd, err->msg);
	usage_with_options(stderr, usage, opts);
	return EXIT_USAGE;
}

static void usage(FILE *f)
{
	fputs("usage: tbscope <command> [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < nr_builtins; i++)
		fprintf(f, "  %-10s %s\n", builtins[i].name, builtins[i].help);
	fputs("\n'tbscope <command> --help' describes a command.\n", f);
}

int main(int argc, char **argv)
{
	json_set_alloc_funcs(xmalloc, free);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < nr_builtins; i++)
		if (!strcmp(argv[1], builtins[i].name))
			return builtins[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "tbscope: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
