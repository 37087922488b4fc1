/* SPDX-License-Identifier: MIT */
/*
 * Upload tokens.  `tbscope token add NAME` prints a new random token once
 * and stores only its SHA-256 in DATA/tokens (mode 0600), one line per
 * token: "<name> <sha256 hex> <created unix time> <active|revoked>".  The
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

/* Does `token` match an active token of `path` (constant time per entry)? */
bool tokens_check(const char *path, const char *token, size_t len);
/* Does `token` match the one stored in plain text in `file`? */
bool token_file_check(const char *file, const char *token, size_t len);

/* Add NAME; the new token is written to *token_out.  Name must be new. */
int tokens_add(const char *path, const char *name, struct strbuf *token_out,
	       struct errbuf *err);
int tokens_revoke(const char *path, const char *name, struct errbuf *err);
/* One line per token: name, created, state (never the hash). */
int tokens_list(const char *path, struct strbuf *out, struct errbuf *err);

#endif
