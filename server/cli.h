/* SPDX-License-Identifier: MIT */
/*
 * The tbscope subcommands.  Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit status:
 * 0 success, 1 an error (unreadable run, unknown benchmark), 2 bad usage.
 */
#ifndef SERVER_CLI_H
#define SERVER_CLI_H

int cmd_compare(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_upload(int argc, char **argv);

#define EXIT_USAGE 2

#endif
