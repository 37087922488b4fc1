/* SPDX-License-Identifier: MIT */
#include "tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/memops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

struct token_entry {
	char name[128];
	char hash[TOKEN_HASH_HEX + 1];
	long long created;
	bool active;
	unsigned scopes;
};

static const char *const scope_names[] = {"upload", "triage", "read"};

bool token_scopes_parse(const char *s, unsigned *scopes, struct errbuf *err)
{
	const char *p = s;

	*scopes = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		bool known = false;

		for (size_t i = 0; i < 3; i++)
			if (strlen(scope_names[i]) == len &&
			    !strncmp(p, scope_names[i], len)) {
				*scopes |= 1u << i;
				known = true;
			}
		if (!known) {
			errbuf_set(err,
				   "unknown scope '%.*s' in '%s': use upload, "
				   "triage and read",
				   (int)len, p, s);
			return false;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (!*scopes) {
		errbuf_set(err, "no scope in '%s'", s);
		return false;
	}
	return true;
}

void token_scopes_format(unsigned scopes, struct strbuf *out)
{
	bool first = true;

	for (size_t i = 0; i < 3; i++)
		if (scopes & (1u << i)) {
			if (!first)
				strbuf_addch(out, ',');
			strbuf_adds(out, scope_names[i]);
			first = false;
		}
}

/* Read every entry; a missing file is an empty list. */
static int load(const char *path, struct token_entry **out, size_t *nr,
		struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t alloc = 0;
	char *line, *save = NULL;

	*out = NULL;
	*nr = 0;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (read_file(&sb, path, 1 << 20, err) < 0)
		return -1;
	for (line = strtok_r(sb.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct token_entry e;
		char state[16], scopes[64];
		int n;

		memset(&e, 0, sizeof(e));
		n = sscanf(line, "%127s %64s %lld %15s %63s", e.name, e.hash,
			   &e.created, state, scopes);
		if (n < 4 || strlen(e.hash) != TOKEN_HASH_HEX)
			continue;
		e.active = !strcmp(state, "active");
		/* a line from before scopes: an upload token */
		if (n < 5 || !token_scopes_parse(scopes, &e.scopes, NULL))
			e.scopes = n < 5 ? TOKEN_UPLOAD : 0;
		ALLOC_GROW(*out, *nr + 1, alloc);
		(*out)[(*nr)++] = e;
	}
	strbuf_release(&sb);
	return 0;
}

static int save_all(const char *path, const struct token_entry *e, size_t nr,
		    struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	int fd, ret = -1;

	for (size_t i = 0; i < nr; i++) {
		strbuf_addf(&sb, "%s %s %lld %s ", e[i].name, e[i].hash,
			    e[i].created, e[i].active ? "active" : "revoked");
		if (e[i].scopes)
			token_scopes_format(e[i].scopes, &sb);
		else
			strbuf_adds(&sb, "none");
		strbuf_addch(&sb, '\n');
	}
	strbuf_addf(&tmp, "%s.tmp", path);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		errbuf_set(err, "cannot write '%s': %s", tmp.buf,
			   strerror(errno));
		goto out;
	}
	if (write_in_full(fd, sb.buf, sb.len) < 0 || fsync(fd) < 0) {
		errbuf_set(err, "cannot write '%s': %s", tmp.buf,
			   strerror(errno));
		close(fd);
		unlink(tmp.buf);
		goto out;
	}
	close(fd);
	if (rename(tmp.buf, path) < 0) {
		errbuf_set(err, "cannot replace '%s': %s", path,
			   strerror(errno));
		unlink(tmp.buf);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&sb);
	strbuf_release(&tmp);
	return ret;
}

bool tokens_lookup(const char *path, const char *token, size_t len, char *name,
		   size_t name_size, unsigned *scopes)
{
	struct token_entry *e;
	char hash[TOKEN_HASH_HEX + 1];
	size_t nr;
	bool ok = false;

	if (!len || load(path, &e, &nr, NULL) < 0)
		return false;
	sha256_hex(token, len, hash);
	for (size_t i = 0; i < nr; i++)
		if (memeql_sec(e[i].hash, hash, TOKEN_HASH_HEX) &&
		    e[i].active) {
			ok = true;
			if (name && name_size)
				snprintf(name, name_size, "%s", e[i].name);
			if (scopes)
				*scopes = e[i].scopes;
		}
	free(e);
	return ok;
}

bool tokens_check(const char *path, const char *token, size_t len)
{
	unsigned scopes = 0;

	return tokens_lookup(path, token, len, NULL, 0, &scopes) &&
	       (scopes & TOKEN_UPLOAD);
}

bool token_file_check(const char *file, const char *token, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	char a[TOKEN_HASH_HEX + 1], b[TOKEN_HASH_HEX + 1];
	size_t n;

	if (!len || read_file(&sb, file, 4096, NULL) < 0) {
		strbuf_release(&sb);
		return false;
	}
	n = sb.len;
	while (n && (sb.buf[n - 1] == '\n' || sb.buf[n - 1] == '\r' ||
		     sb.buf[n - 1] == ' '))
		n--;
	/* compare digests, so the time taken says nothing of the token */
	sha256_hex(sb.buf, n, a);
	sha256_hex(token, len, b);
	strbuf_release(&sb);
	return n > 0 && memeql_sec(a, b, TOKEN_HASH_HEX);
}

static bool name_ok(const char *name)
{
	size_t len = strlen(name);

	return len && len < 128 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
			    "YZ0123456789._-") == len;
}

int tokens_add(const char *path, const char *name, struct strbuf *token_out,
	       struct errbuf *err)
{
	return tokens_add_scoped(path, name, TOKEN_UPLOAD, token_out, err);
}

int tokens_add_scoped(const char *path, const char *name, unsigned scopes,
		      struct strbuf *token_out, struct errbuf *err)
{
	static const char hex[] = "0123456789abcdef";
	struct token_entry *e, *n;
	unsigned char raw[32];
	size_t nr, alloc;
	int ret;

	if (!name_ok(name))
		return errbuf_set(err,
				  "bad token name '%s': use letters, digits, "
				  "'.', '_' and '-'",
				  name);
	if (load(path, &e, &nr, err) < 0)
		return -1;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(e[i].name, name)) {
			free(e);
			return errbuf_set(err, "a token named '%s' exists",
					  name);
		}
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		free(e);
		return errbuf_set(err, "getrandom: %s", strerror(errno));
	}
	strbuf_adds(token_out, "tbs_");
	for (size_t i = 0; i < sizeof(raw); i++) {
		strbuf_addch(token_out, hex[raw[i] >> 4]);
		strbuf_addch(token_out, hex[raw[i] & 15]);
	}
	alloc = nr;
	ALLOC_GROW(e, nr + 1, alloc);
	n = &e[nr++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	sha256_hex(token_out->buf, token_out->len, n->hash);
	n->created = (long long)time(NULL);
	n->active = true;
	n->scopes = scopes;
	ret = save_all(path, e, nr, err);
	free(e);
	return ret;
}

int tokens_revoke(const char *path, const char *name, struct errbuf *err)
{
	struct token_entry *e;
	size_t nr;
	bool found = false;
	int ret;

	if (load(path, &e, &nr, err) < 0)
		return -1;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(e[i].name, name)) {
			e[i].active = false;
			found = true;
		}
	ret = found ? save_all(path, e, nr, err)
		    : errbuf_set(err, "no token named '%s'", name);
	free(e);
	return ret;
}

int tokens_list(const char *path, struct strbuf *out, struct errbuf *err)
{
	struct token_entry *e;
	size_t nr;

	if (load(path, &e, &nr, err) < 0)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		char when[32];
		time_t t = (time_t)e[i].created;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		strbuf_addf(out, "%-24s %s %-7s ", e[i].name, when,
			    e[i].active ? "active" : "revoked");
		token_scopes_format(e[i].scopes, out);
		strbuf_addch(out, '\n');
	}
	free(e);
	return 0;
}
