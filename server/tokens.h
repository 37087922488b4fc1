/* SPDX-License-Identifier: MIT */
/*
 * Tokens.  `tbscope token add NAME` prints a new random token once and
 * stores only its SHA-256 in DATA/tokens (mode 0600), one line per token:
 * "<name> <sha256 hex> <created unix time> <active|revoked> [scopes]".
 * Scopes are a comma-separated subset of upload, triage and read; a line
 * without them (written before scopes existed) is an upload token.  The
 * file is replaced atomically on every change and read on every check, so
 * the server sees additions and revocations at once.
 */
#ifndef SERVER_TOKENS_H
#define SERVER_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct errbuf;
struct strbuf;

#include "sha256.h"

#define TOKEN_HASH_HEX SHA256_HEX_LEN

enum token_scope {
	TOKEN_UPLOAD = 1 << 0, /* POST /api/v1/runs */
	TOKEN_TRIAGE = 1 << 1, /* PATCH /api/v1/regressions/ID */
	TOKEN_READ = 1 << 2,   /* reading, on a server that needs a token
				  (a triage token may read too) */
};
#define TOKEN_ALL_SCOPES (TOKEN_UPLOAD | TOKEN_TRIAGE | TOKEN_READ)

/*
 * Parse "upload,triage" into *scopes; false (with *err) for an unknown
 * or empty name.
 */
bool token_scopes_parse(const char *s, unsigned *scopes, struct errbuf *err);
/* "upload,triage,read" (those set), into out. */
void token_scopes_format(unsigned scopes, struct strbuf *out);

/*
 * Does `token` match an active token of `path` with the upload scope
 * (constant time per entry)?
 */
bool tokens_check(const char *path, const char *token, size_t len);
/*
 * Does `token` match an active token of `path`?  Fills its name (at most
 * name_size bytes with the NUL) and scopes when it does.
 */
bool tokens_lookup(const char *path, const char *token, size_t len, char *name,
		   size_t name_size, unsigned *scopes);
/* Does `token` match the one stored in plain text in `file`? */
bool token_file_check(const char *file, const char *token, size_t len);

/* Add NAME; the new token is written to *token_out.  Name must be new. */
int tokens_add(const char *path, const char *name, struct strbuf *token_out,
	       struct errbuf *err);
/* The same with scopes (tokens_add() gives TOKEN_UPLOAD). */
int tokens_add_scoped(const char *path, const char *name, unsigned scopes,
		      struct strbuf *token_out, struct errbuf *err);
int tokens_revoke(const char *path, const char *name, struct errbuf *err);
/* One line per token: name, created, state, scopes (never the hash). */
int tokens_list(const char *path, struct strbuf *out, struct errbuf *err);

#endif
