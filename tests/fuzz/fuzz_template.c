/* SPDX-License-Identifier: MIT */
/*
 * Template rendering with hostile values: the real templates (page.html
 * as HTML, compare.md as Markdown, preview.txt as text) and templates
 * taken from the input, filled from a JSON value the input builds (the
 * names the templates use, any strings, nesting).  Oracle: escaping.  The
 * same template rendered from the same value with every non-empty string
 * made "x" has exactly as many live markup characters as with the
 * hostile strings: HTML's < > " ', Markdown's specials not escaped by a
 * backslash.  Values can add text, never markup.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "strbuf.h"
#include "template.h"
#include "web_assets.h"

extern const char *const template_compare_md; /* analysis/, built in */

static const char *const names[] = {"runs",
				    "series",
				    "total",
				    "compare",
				    "bench",
				    "name",
				    "in_both",
				    "pct",
				    "side",
				    "base",
				    "new",
				    "function",
				    "geomean_pct",
				    "base_count",
				    "new_count",
				    "delta",
				    "object",
				    "share",
				    "code_changed",
				    "same_code",
				    "top",
				    "geomean",
				    "benchmarks",
				    "suites",
				    "sep",
				    "suite",
				    "suites_end",
				    "regressed",
				    "improved",
				    "unchanged",
				    "threshold",
				    "base_total",
				    "new_total",
				    "run",
				    "id",
				    "instructions",
				    "status",
				    "benchmark",
				    "invocations",
				    "objects",
				    "history",
				    "heading",
				    "steps",
				    "latest",
				    "error",
				    "message",
				    "notfound",
				    "path",
				    "api",
				    "assets",
				    "description",
				    "page",
				    "title",
				    "has_threshold",
				    "lower_bound",
				    "moved",
				    "one_sided",
				    "rows",
				    "url",
				    "only_base",
				    "only_new",
				    "geomean_benchmarks",
				    "a",
				    "b"};
#define NR_NAMES (sizeof(names) / sizeof(names[0]))

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned byte(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static json_t *string_of(struct in *in)
{
	size_t len = byte(in) % 24;
	json_t *s;

	if (len > in->n)
		len = in->n;
	s = json_stringn((const char *)in->p, len);
	in->p += len;
	in->n -= len;
	/* not UTF-8: the markup characters are what matters */
	return s ? s : json_string("<a href=\"x\" onclick='y'>&amp;\\*_[`|");
}

static json_t *value_of(struct in *in, int depth)
{
	unsigned k = byte(in);

	if (depth > 4)
		k %= 4;
	switch (k % 7) {
	case 0:
	case 1:
		return string_of(in);
	case 2:
		return json_integer((json_int_t)(int8_t)byte(in));
	case 3:
		return k & 8 ? json_true()
			     : (k & 16 ? json_false() : json_null());
	case 4:
	case 5: {
		json_t *o = json_object();

		for (unsigned i = byte(in) % 6; i; i--)
			json_object_set_new(o, names[byte(in) % NR_NAMES],
					    value_of(in, depth + 1));
		return o;
	}
	default: {
		json_t *a = json_array();

		for (unsigned i = byte(in) % 4; i; i--)
			json_array_append_new(a, value_of(in, depth + 1));
		return a;
	}
	}
}

/* A copy of v with every non-empty string "x". */
static json_t *benign(const json_t *v)
{
	const char *k;
	json_t *x, *c;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string(json_string_length(v) ? "x" : "");
	case JSON_OBJECT:
		c = json_object();
		json_object_foreach ((json_t *)v, k, x)
			json_object_set_new(c, k, benign(x));
		return c;
	case JSON_ARRAY:
		c = json_array();
		json_array_foreach (v, i, x)
			json_array_append_new(c, benign(x));
		return c;
	default:
		return json_deep_copy(v);
	}
}

/* Live markup characters of s for esc. */
static size_t markup(const struct strbuf *s, enum template_escape esc)
{
	size_t n = 0;

	for (size_t i = 0; i < s->len; i++) {
		char c = s->buf[i];

		if (esc == TEMPLATE_HTML) {
			n += c == '<' || c == '>' || c == '"' || c == '\'';
		} else if (c == '\\') {
			i++; /* escapes the next one */
		} else {
			n += strchr("`*_{}[]<>()#+!|", c) != NULL && c;
		}
	}
	return n;
}

static void check(const char *tpl, const json_t *data, enum template_escape esc)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct errbuf e1, e2;
	json_t *safe = benign(data);
	int ra = template_render(&a, tpl, data, esc, &e1);
	int rb = template_render(&b, tpl, safe, esc, &e2);

	if (ra != rb)
		abort();
	/* {{{raw}}} is meant not to escape */
	if (!ra && esc != TEMPLATE_RAW && !strstr(tpl, "{{{") &&
	    markup(&a, esc) != markup(&b, esc))
		abort();
	json_decref(safe);
	strbuf_release(&a);
	strbuf_release(&b);
}

static const char *asset(const char *name)
{
	for (size_t i = 0; i < web_assets_nr; i++)
		if (!strcmp(web_assets[i].name, name))
			return (const char *)web_assets[i].data;
	abort();
}

/* How many sections ({{#name}} and {{^name}}) tpl opens. */
static size_t sections(const char *tpl)
{
	size_t n = 0;

	for (const char *p = tpl; (p = strstr(p, "{{")); p += 2)
		n += p[2] == '#' || p[2] == '^';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	unsigned mode = byte(&in);
	json_t *v;

	if (mode & 1) {
		/* a template from the input: up to the first NUL */
		size_t n = strnlen((const char *)in.p, in.n);
		char *tpl = strndup((const char *)in.p, n);

		in.p += n < in.n ? n + 1 : n;
		in.n -= n < in.n ? n + 1 : n;
		/*
		 * Templates are the project's own files: what is hostile is
		 * the values.  Sections nested over one list multiply the
		 * output (3^depth with the lists value_of() builds), so an
		 * input template opens at most five: the run stays fast.
		 */
		/*
		 * A backslash of the template's own right before a tag
		 * escapes the value's first character: a template bug (the
		 * project's templates have none), not the value's doing.
		 */
		if (sections(tpl) > 5 ||
		    ((mode >> 1) % 3 == TEMPLATE_MARKDOWN &&
		     strstr(tpl, "\\{{"))) {
			free(tpl);
			return 0;
		}
		v = value_of(&in, 0);
		check(tpl, v, (enum template_escape)((mode >> 1) % 3));
		free(tpl);
	} else {
		v = value_of(&in, 0);
		switch ((mode >> 1) % 3) {
		case 0:
			check(asset("templates/page.html"), v, TEMPLATE_HTML);
			break;
		case 1:
			check(template_compare_md, v, TEMPLATE_MARKDOWN);
			break;
		default:
			check(asset("templates/preview.txt"), v, TEMPLATE_RAW);
		}
	}
	json_decref(v);
	return 0;
}
