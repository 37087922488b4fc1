/* SPDX-License-Identifier: MIT */
/*
 * sqlite_db: the few SQLite steps every store of the project repeats
 * (the index, the triage store), written once.  `name` says which
 * database an error is about ("index '/srv/tbscope/index.sqlite'",
 * "triage store"); messages read "<name>: <what>: <SQLite's message>".
 * Functions that fail return -1 (or NULL) with the message in *err.
 */
#ifndef ANALYSIS_SQLITE_DB_H
#define ANALYSIS_SQLITE_DB_H

#include <sqlite3.h>

struct errbuf;

/* Put "<name>: <what>: <sqlite3_errmsg(db)>" in *err; returns -1. */
int db_fail(sqlite3 *db, const char *name, const char *what,
	    struct errbuf *err);

/* Run statements that return no rows. */
int db_exec(sqlite3 *db, const char *name, const char *sql, struct errbuf *err);

/* A prepared statement for sql, or NULL. */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *name, const char *sql,
			 struct errbuf *err);

/* Step a statement that returns no rows, and finalize it. */
int db_step_done(sqlite3 *db, const char *name, sqlite3_stmt *st,
		 const char *what, struct errbuf *err);

/* Bind s (copied) to parameter i, or NULL when s is NULL. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);

/* Column i as a new string, or NULL when it is NULL. */
char *db_col_str(sqlite3_stmt *st, int i);

#endif
