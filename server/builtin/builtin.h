/* SPDX-License-Identifier: MIT */
/*
 * The tbscope commands, one cmd_<name>.c each (git's builtin/ shape).
 * Each cmd_* takes the arguments after "tbscope" (argv[0] is the
 * command's name) and returns the process exit status: 0 success, 1 an
 * error (unreadable run, unknown benchmark, refused upload), 2 bad usage.
 * Each parses its options with one parse_options.h table, which also
 * prints its --help.
 */
#ifndef SERVER_BUILTIN_BUILTIN_H
#define SERVER_BUILTIN_BUILTIN_H

#include <stddef.h>

struct errbuf;
struct option_spec;
struct server_config;

#define EXIT_USAGE 2

int cmd_compare(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_regressions(int argc, char **argv);
int cmd_backup(int argc, char **argv);

/* The command table main() dispatches on, in `tbscope --help` order. */
struct builtin {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help; /* one line for `tbscope --help` */
};
extern const struct builtin builtins[];
extern const size_t nr_builtins;

/*
 * Report bad usage of command cmd: "tbscope CMD: MESSAGE", a blank line
 * and the command's usage with its options on stderr.  Returns
 * EXIT_USAGE, for "return usage_error(...);".  (main.c)
 */
int usage_error(const char *cmd, const char *usage,
		const struct option_spec *opts, const struct errbuf *err);

/*
 * The options of serve and reindex (config.h's table): fill *cfg from
 * argv, set the log threshold, and return -1 to go on; or print the
 * usage (--help: to stdout) or the error and the usage (to stderr) and
 * return the exit status, 0 or EXIT_USAGE.  Either way the caller
 * releases *cfg with config_release().  (cmd_serve.c)
 */
int parse_server_config(struct server_config *cfg, int argc, char **argv,
			const char *usage);

#endif
