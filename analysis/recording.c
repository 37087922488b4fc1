/* SPDX-License-Identifier: MIT */
#include "recording.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

/* The fields that change counts, and how the warning names them. */
static const struct {
	const char *key, *label;
} fields[] = {
	{"qemu", "QEMU"},
	{"plugin", "plugin"},
	{"plugin_options", "plugin options"},
};

static json_t *recording_of(json_t *meta)
{
	json_t *r = json_is_object(meta) ? json_object_get(meta, "recording")
					 : NULL;

	return json_is_object(r) ? r : NULL;
}

/* A field's value as text: a string as it is, anything else as JSON. */
static char *as_text(json_t *v)
{
	if (!v || json_is_null(v))
		return xstrdup("(none)");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

json_t *recording_compare(json_t *base_meta, json_t *new_meta)
{
	json_t *a = recording_of(base_meta), *b = recording_of(new_meta);
	json_t *differs = json_array(), *j;
	struct strbuf w = STRBUF_INIT;

	for (size_t i = 0; a && b && i < sizeof(fields) / sizeof(fields[0]);
	     i++) {
		json_t *va = json_object_get(a, fields[i].key);
		json_t *vb = json_object_get(b, fields[i].key);
		char *ta, *tb;

		if (json_equal(va, vb) || (!va && !vb))
			continue;
		ta = as_text(va);
		tb = as_text(vb);
		json_array_append_new(differs,
				      json_pack("{s:s, s:s, s:s}", "field",
						fields[i].key, "base", ta,
						"new", tb));
		strbuf_addf(&w, "%s %s '%s' vs '%s'",
			    w.len ? ";" : "the runs were recorded differently:",
			    fields[i].label, ta, tb);
		free(ta);
		free(tb);
	}
	if (w.len)
		strbuf_adds(&w, ": their counts may differ for that reason "
				"alone");
	j = json_pack("{s:O?, s:O?, s:o, s:s?}", "base", a, "new", b, "differs",
		      differs, "warning", w.len ? w.buf : NULL);
	strbuf_release(&w);
	return j;
}

static json_t *parse_meta(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;

	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

json_t *recording_compare_text(const char *base_meta, const char *new_meta)
{
	json_t *a = parse_meta(base_meta), *b = parse_meta(new_meta);
	json_t *c = recording_compare(a, b);

	json_decref(a);
	json_decref(b);
	return c;
}

json_t *recording_read_meta(const char *root)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	json_t *j = NULL;

	strbuf_addf(&path, "%s/tbscope-run.json", root);
	if (!stat(path.buf, &st) && S_ISREG(st.st_mode) && st.st_size < 65536)
		j = json_load_file(path.buf, 0, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	strbuf_release(&path);
	return j;
}

const char *recording_warning(json_t *cmp)
{
	return json_string_value(json_object_get(cmp, "warning"));
}
