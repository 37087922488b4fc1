/* SPDX-License-Identifier: MIT */
/*
 * template: the Mustache subset the summaries are written in.  Expected
 * outputs are written by hand from the rules in template.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "errbuf.h"
#include "strbuf.h"
#include "template.h"

static void check(const char *tpl, const char *json, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct errbuf err;
	json_t *data = json_loads(json, 0, NULL);

	assert_non_null(data);
	assert_int_equal(
		template_render(&out, tpl, data, TEMPLATE_MARKDOWN, &err), 0);
	assert_string_equal(out.buf ? out.buf : "", want);
	json_decref(data);
	strbuf_release(&out);
}

static void values_and_escaping(void **state)
{
	check("{{a}} {{b}} {{c}} {{n}}|",
	      "{\"a\": \"x_y*\", \"b\": 42, \"c\": null}", "x\\_y\\* 42  |");
	check("{{{a}}} {{ a }}", "{\"a\": \"[l](u)\"}",
	      "[l](u) \\[l\\]\\(u\\)");
	check("{{o.p.q}}", "{\"o\": {\"p\": {\"q\": \"deep\"}}}", "deep");
}

static void html_escaping(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct errbuf err;
	json_t *data = json_pack("{s:s}", "t", "<script>\"a\" & 'b'</script>");

	assert_int_equal(template_render(&out, "<title>{{t}}</title>", data,
					 TEMPLATE_HTML, &err),
			 0);
	assert_string_equal(out.buf, "<title>&lt;script&gt;&quot;a&quot; &amp; "
				     "&#39;b&#39;&lt;/script&gt;</title>");
	json_decref(data);
	strbuf_release(&out);
}

static void sections(void **state)
{
	/* arrays loop, the element is the context, outer names still seen */
	check("{{#rows}}<{{name}}{{sep}}>{{/rows}}",
	      "{\"sep\": \";\", \"rows\": [{\"name\": \"a\"}, {\"name\": "
	      "\"b\"}]}",
	      "<a;><b;>"); /* template text is verbatim */
	check("{{#xs}}{{.}},{{/xs}}", "{\"xs\": [1, 2, 3]}", "1,2,3,");
	/* falsy: false, null, "", 0, [], absent */
	check("{{#f}}no{{/f}}{{#z}}no{{/z}}{{#e}}no{{/e}}{{#a}}no{{/a}}"
	      "{{#m}}no{{/m}}{{^f}}yes{{/f}}",
	      "{\"f\": false, \"z\": 0, \"e\": \"\", \"a\": []}", "yes");
	check("{{#t}}[{{v}}]{{/t}}", "{\"t\": true, \"v\": 1}", "[1]");
	/* the same name nested */
	check("{{#a}}({{#a}}in{{/a}}){{/a}}", "{\"a\": {\"a\": true}}", "(in)");
}

static void standalone_lines_vanish(void **state)
{
	check("head\n{{#rows}}\n- {{.}}\n{{/rows}}\ntail\n",
	      "{\"rows\": [\"a\", \"b\"]}", "head\n- a\n- b\ntail\n");
	check("head\n  {{^rows}}\n  none\n  {{/rows}}\ntail", "{\"rows\": []}",
	      "head\n  none\ntail");
	/* a tag sharing its line with text keeps the line */
	check("x {{#t}}y{{/t}}\n", "{\"t\": true}", "x y\n");
}

static void malformed_templates_are_errors(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct errbuf err;
	json_t *data = json_object();

	assert_int_equal(
		template_render(&out, "a\n{{#s}}b", data, TEMPLATE_RAW, &err),
		-1);
	assert_string_equal(err.msg, "line 2: section not closed");
	strbuf_reset(&out);
	assert_int_equal(template_render(&out, "{{x", data, TEMPLATE_RAW, &err),
			 -1);
	assert_string_equal(err.msg, "line 1: tag not closed");
	strbuf_reset(&out);
	assert_int_equal(
		template_render(&out, "x{{/s}}", data, TEMPLATE_RAW, &err), -1);
	json_decref(data);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_and_escaping),
		cmocka_unit_test(html_escaping),
		cmocka_unit_test(sections),
		cmocka_unit_test(standalone_lines_vanish),
		cmocka_unit_test(malformed_templates_are_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
