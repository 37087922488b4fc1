/* SPDX-License-Identifier: MIT */
#include "response.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_view.h"
#include "sort.h"
#include "xalloc.h"
#include "banned.h"

void api_response_init(struct api_response *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, 0);
	r->status = 200;
	r->content_type = "application/json";
}

void api_response_release(struct api_response *r)
{
	strbuf_release(&r->body);
	free(r->location);
	r->location = NULL;
}

void api_error(struct api_response *r, unsigned status, const char *code,
	       const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	json_t *j;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	j = json_pack("{s:{s:s, s:s%}}", "error", "code", code, "message",
		      msg.buf, msg.len);
	if (!j) /* the message is not UTF-8: keep the answer's shape */
		j = json_pack("{s:{s:s, s:s}}", "error", "code", code,
			      "message", "(the message is not UTF-8)");
	s = j ? json_dumps(j, JSON_VIEW_DUMP_FLAGS) : NULL;
	json_decref(j);
	strbuf_reset(&r->body);
	strbuf_adds(&r->body, s ? s : "{\"error\": null}");
	strbuf_addch(&r->body, '\n');
	free(s);
	strbuf_release(&msg);
	r->status = status;
	r->content_type = "application/json";
	r->cache = CACHE_NONE;
}

const char *api_error_code(unsigned status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 409:
		return "exists";
	case 413:
		return "too_large";
	case 507:
		return "insufficient_storage";
	default:
		return "internal";
	}
}

bool api_name_ok(const char *s)
{
	size_t len = strlen(s);

	return len && len <= 100 && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == len;
}

bool route_split(char *path, char **seg, size_t max, size_t *nr)
{
	char *save = NULL, *tok;

	*nr = 0;
	if (*path != '/' || strstr(path, "//"))
		return false;
	for (tok = strtok_r(path, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, ".") || !strcmp(tok, "..") || *nr == max)
			return false;
		seg[(*nr)++] = tok;
	}
	return true;
}

static void add_encoded(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			strbuf_addch(sb, (char)c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

struct encoded_pair {
	char *text;	/* key, then "=value" when there is a value */
	size_t key_len; /* of the encoded key */
	size_t order;	/* as sent */
};

static int pair_cmp(const void *a, const void *b)
{
	const struct encoded_pair *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->text, y->text, n);

	if (c)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void request_cache_key(struct strbuf *key, const char *path,
		       const struct query_arg *args, size_t nr)
{
	struct encoded_pair *p = xcalloc(nr ? nr : 1, sizeof(*p));

	add_encoded(key, path, strlen(path));
	for (size_t i = 0; i < nr; i++) {
		struct strbuf sb = STRBUF_INIT;

		add_encoded(&sb, args[i].key, args[i].key_len);
		p[i].key_len = sb.len;
		if (args[i].value) {
			strbuf_addch(&sb, '=');
			add_encoded(&sb, args[i].value, args[i].value_len);
		}
		p[i].text = strbuf_detach(&sb, NULL);
		p[i].order = i;
	}
	sort_n(p, nr, sizeof(*p), pair_cmp);
	for (size_t i = 0; i < nr; i++) {
		strbuf_addch(key, i ? '&' : '?');
		strbuf_adds(key, p[i].text);
		free(p[i].text);
	}
	free(p);
}
