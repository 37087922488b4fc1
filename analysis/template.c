/* SPDX-License-Identifier: MIT */
#include "template.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "strbuf.h"
#include "banned.h"

#define MAX_DEPTH 16

struct render {
	struct strbuf *out;
	const char *tpl; /* the whole template, for line numbers */
	enum template_escape esc;
	const json_t *stack[MAX_DEPTH];
	int depth;
	struct errbuf *err;
};

static int line_of(const struct render *r, const char *p)
{
	int line = 1;

	for (const char *q = r->tpl; q < p; q++)
		line += *q == '\n';
	return line;
}

static int fail(struct render *r, const char *at, const char *what)
{
	return errbuf_set(r->err, "line %d: %s", line_of(r, at), what);
}

static const json_t *lookup(const struct render *r, const char *name,
			    size_t len)
{
	const json_t *v = NULL;
	size_t first = 0;

	while (len && name[0] == ' ')
		name++, len--;
	while (len && name[len - 1] == ' ')
		len--;
	if (len == 1 && name[0] == '.')
		return r->stack[r->depth - 1];
	while (first < len && name[first] != '.')
		first++;
	for (int i = r->depth - 1; i >= 0 && !v; i--)
		if (json_is_object(r->stack[i]))
			v = json_object_getn(r->stack[i], name, first);
	while (v && first < len) {
		size_t start = ++first;

		while (first < len && name[first] != '.')
			first++;
		v = json_is_object(v)
			    ? json_object_getn(v, name + start, first - start)
			    : NULL;
	}
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_TRUE:
		return true;
	default:
		return false;
	}
}

static void html_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			strbuf_adds(out, "&amp;");
			break;
		case '<':
			strbuf_adds(out, "&lt;");
			break;
		case '>':
			strbuf_adds(out, "&gt;");
			break;
		case '"':
			strbuf_adds(out, "&quot;");
			break;
		case '\'':
			strbuf_adds(out, "&#39;");
			break;
		default:
			strbuf_addch(out, *s);
		}
	}
}

static void emit_value(struct render *r, const json_t *v, bool raw)
{
	const char *s;

	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		if (raw || r->esc == TEMPLATE_RAW) {
			strbuf_add(r->out, s, json_string_length(v));
			return;
		}
		if (r->esc == TEMPLATE_HTML) {
			html_escape(r->out, s);
			return;
		}
		for (; *s; s++) {
			if (strchr("\\`*_{}[]<>()#+!|", *s))
				strbuf_addch(r->out, '\\');
			strbuf_addch(r->out, *s);
		}
		return;
	case JSON_INTEGER:
		strbuf_addf(r->out, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		return;
	case JSON_REAL:
		strbuf_addf(r->out, "%g", json_real_value(v));
		return;
	case JSON_TRUE:
		strbuf_adds(r->out, "true");
		return;
	case JSON_FALSE:
		strbuf_adds(r->out, "false");
		return;
	default:
		return;
	}
}

/*
 * Is the tag [tag, tag_end) alone on its line?  Then *line is where the
 * line starts and *next where the following one does.
 */
static bool standalone(const struct render *r, const char *tag,
		       const char *tag_end, const char *end, const char **line,
		       const char **next)
{
	const char *p = tag;

	while (p > r->tpl && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	if (p > r->tpl && p[-1] != '\n')
		return false;
	*line = p;
	p = tag_end;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p < end && *p != '\n')
		return false;
	*next = p < end ? p + 1 : p;
	return true;
}

/* Where "{{/name}}" closing the section opened before p is, or NULL. */
static const char *find_close(const char *p, const char *end, const char *name,
			      size_t len, const char **close_end)
{
	int nest = 1;

	while ((p = strstr(p, "{{")) && p < end) {
		const char *q = p + 2;
		char kind = *q;
		const char *te = strstr(q, "}}");

		if (!te || te >= end)
			return NULL;
		if (kind == '#' || kind == '^' || kind == '/') {
			const char *n = q + 1;
			size_t nl = (size_t)(te - n);

			while (nl && *n == ' ')
				n++, nl--;
			while (nl && n[nl - 1] == ' ')
				nl--;
			if (nl == len && !memcmp(n, name, len)) {
				nest += kind == '/' ? -1 : 1;
				if (!nest) {
					*close_end = te + 2;
					return p;
				}
			}
		}
		p = te + 2;
	}
	return NULL;
}

static int render_range(struct render *r, const char *p, const char *end);

static int section(struct render *r, const char *tag, const char *tag_end,
		   const char *end, bool inverted, const char **resume)
{
	const char *name = tag + 3, *body, *close, *close_end, *line, *next;
	size_t len = (size_t)(tag_end - 2 - name);
	const json_t *v;
	int ret = 0;

	while (len && *name == ' ')
		name++, len--;
	while (len && name[len - 1] == ' ')
		len--;
	body = tag_end;
	if (standalone(r, tag, tag_end, end, &line, &next)) {
		/* drop the tag's line: what was emitted of it, and its end */
		size_t indent = (size_t)(tag - line);

		if (indent <= r->out->len) {
			r->out->len -= indent;
			r->out->buf[r->out->len] = '\0';
		}
		body = next;
	}
	close = find_close(body, end, name, len, &close_end);
	if (!close)
		return fail(r, tag, "section not closed");
	*resume = close_end;
	if (standalone(r, close, close_end, end, &line, &next)) {
		*resume = next;
		close = line;
	}
	v = lookup(r, name, len);
	if (inverted) {
		if (!truthy(v))
			ret = render_range(r, body, close);
		return ret;
	}
	if (!truthy(v))
		return 0;
	if (r->depth == MAX_DEPTH)
		return fail(r, tag, "sections nested too deeply");
	if (json_is_array(v)) {
		size_t i;
		const json_t *item;

		json_array_foreach (v, i, item) {
			r->stack[r->depth++] = item;
			ret = render_range(r, body, close);
			r->depth--;
			if (ret < 0)
				break;
		}
		return ret;
	}
	r->stack[r->depth++] = v;
	ret = render_range(r, body, close);
	r->depth--;
	return ret;
}

static int render_range(struct render *r, const char *p, const char *end)
{
	while (p < end) {
		const char *tag = strstr(p, "{{"), *tag_end;
		bool raw;

		if (!tag || tag >= end) {
			strbuf_add(r->out, p, (size_t)(end - p));
			return 0;
		}
		strbuf_add(r->out, p, (size_t)(tag - p));
		raw = tag[2] == '{';
		tag_end = strstr(tag + 2, raw ? "}}}" : "}}");
		if (!tag_end || tag_end >= end)
			return fail(r, tag, "tag not closed");
		tag_end += raw ? 3 : 2;
		if (tag[2] == '#' || tag[2] == '^') {
			if (section(r, tag, tag_end, end, tag[2] == '^', &p) <
			    0)
				return -1;
			continue;
		}
		if (tag[2] == '/')
			return fail(r, tag, "closing a section never opened");
		if (raw)
			emit_value(
				r,
				lookup(r, tag + 3, (size_t)(tag_end - tag - 6)),
				true);
		else
			emit_value(
				r,
				lookup(r, tag + 2, (size_t)(tag_end - tag - 4)),
				false);
		p = tag_end;
	}
	return 0;
}

int template_render(struct strbuf *out, const char *tpl, const json_t *data,
		    enum template_escape esc, struct errbuf *err)
{
	struct render r = {out, tpl, esc, {data}, 1, err};

	return render_range(&r, tpl, tpl + strlen(tpl));
}
