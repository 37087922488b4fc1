/* SPDX-License-Identifier: MIT */
/*
 * The collection side's subcommands (record/cmd_record.c), registered in
 * tbscope's command table.  Like the others (server/cli.h) each takes the
 * arguments after its name and returns the exit status: `record` returns
 * the program's own status (a signal: 128+N), 125 when recording itself
 * fails and 2 on bad usage; `clean` 0, 1 on an error, 2 on bad usage.
 */
#ifndef RECORD_RECORD_H
#define RECORD_RECORD_H

int cmd_record(int argc, char **argv);
int cmd_clean(int argc, char **argv);

#endif
