/* SPDX-License-Identifier: MIT */
/*
 * tbscope: dynamic instruction counts from QEMU hotblocks runs, as a
 * command line and (tbscope serve) as a dashboard server.  main() only
 * dispatches to the subcommands.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"
#include "xalloc.h"
#include "banned.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"compare", cmd_compare, "compare two runs, per benchmark"},
	{"show", cmd_show, "totals of one run; one benchmark's functions"},
	{"serve", cmd_serve, "serve the dashboard and the JSON API"},
	{"reindex", cmd_reindex, "rebuild the server's index from its runs"},
	{"token", cmd_token, "add, list or revoke upload tokens"},
	{"upload", cmd_upload, "send a build directory's run to a server"},
	{"record", cmd_record, "record a program's counts under QEMU"},
	{"clean", cmd_clean, "remove the files recording left in a build dir"},
};

static void usage(FILE *f)
{
	fputs("usage: tbscope <command> [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "tbscope: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
