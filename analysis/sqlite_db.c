/* SPDX-License-Identifier: MIT */
#include "sqlite_db.h"

#include "errbuf.h"
#include "xalloc.h"
#include "banned.h"

int db_fail(sqlite3 *db, const char *name, const char *what, struct errbuf *err)
{
	return errbuf_set(err, "%s: %s: %s", name, what, sqlite3_errmsg(db));
}

int db_exec(sqlite3 *db, const char *name, const char *sql, struct errbuf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errbuf_set(err, "%s: %s", name, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *db_prepare(sqlite3 *db, const char *name, const char *sql,
			 struct errbuf *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, name, "prepare", err);
		return NULL;
	}
	return st;
}

int db_step_done(sqlite3 *db, const char *name, sqlite3_stmt *st,
		 const char *what, struct errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, name, what, err);
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

char *db_col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}
