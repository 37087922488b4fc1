/* SPDX-License-Identifier: MIT */
/*
 * template: logic-less templates (a subset of Mustache) rendered from a
 * JSON value, so that summaries are written as text in templates/ and
 * filled from the same JSON the API returns.
 *
 *   {{name}}        the value of name (a.b for nested members), escaped
 *   {{{name}}}      the same, not escaped
 *   {{.}}           the current value (inside a section over an array)
 *   {{#name}}...{{/name}}  an array: once per element, the element the
 *                   current value; an object: once, inside it; true, a
 *                   non-empty string or a non-zero number: once; false,
 *                   null, "", 0 or []: not at all
 *   {{^name}}...{{/name}}  once when {{#name}} would render nothing
 *
 * Names are looked up in the current value, then in the enclosing ones.
 * A line holding only a section tag is dropped whole, newline included,
 * so a template reads like its output.  Strings are escaped for the
 * output format; numbers print as they are; null prints as nothing.
 */
#ifndef ANALYSIS_TEMPLATE_H
#define ANALYSIS_TEMPLATE_H

#include <jansson.h>

struct errbuf;
struct strbuf;

enum template_escape {
	TEMPLATE_RAW,
	TEMPLATE_MARKDOWN, /* \ ` * _ { } [ ] < > ( ) # + ! | get a backslash */
	TEMPLATE_HTML,	   /* & < > " ' as character references */
};

/*
 * Render tpl with data into *out.  Returns 0, or -1 with "line N: what"
 * in *err for a malformed template (unclosed tag or section).
 */
int template_render(struct strbuf *out, const char *tpl, const json_t *data,
		    enum template_escape esc, struct errbuf *err);

#endif
