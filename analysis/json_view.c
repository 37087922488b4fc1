/* SPDX-License-Identifier: MIT */
#include "json_view.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_diff.h"
#include "compare.h"
#include "index.h"
#include "run.h"
#include "banned.h"

static json_t *json_u64(uint64_t v)
{
	/* json_int_t is long long; counts beyond 2^63 do not occur in
	 * practice but must not wrap into negatives */
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX
						    : (json_int_t)v);
}

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->nr; i++)
		json_array_append_new(a, json_string(l->items[i]));
	return a;
}

static json_t *json_share(uint64_t part, uint64_t whole)
{
	return json_real(whole ? (double)part * 100.0 / (double)whole : 0.0);
}

static json_t *json_objects(const struct benchmark *b)
{
	json_t *a = json_array();

	for (size_t i = 0; i < b->nr_objects; i++) {
		const struct object_total *o = &b->objects[i];

		json_array_append_new(
			a,
			json_pack(
				"{s:s, s:o, s:o, s:o, s:o, s:o}", "name",
				o->name, "path", json_str_or_null(o->path),
				"elf", json_str_or_null(o->elf),
				"symbols_missing",
				json_str_or_null(o->elf_error), "instructions",
				json_u64(o->instructions), "share_pct",
				json_share(o->instructions, b->instructions)));
	}
	return a;
}

static json_t *json_invocations(const struct benchmark *b)
{
	json_t *a = json_array();

	for (size_t i = 0; i < b->nr_invocations; i++) {
		const struct invocation *v = &b->invocations[i];

		json_array_append_new(
			a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
				     "qemu_out", v->qemu_out, "map",
				     json_str_or_null(v->map), "instructions",
				     json_u64(v->instructions), "rows",
				     json_u64(v->rows), "collected",
				     v->has_collected ? json_u64(v->collected)
						      : json_null(),
				     "insns_plugin",
				     v->has_insns ? json_u64(v->insns)
						  : json_null(),
				     "malformed_lines", json_u64(v->malformed),
				     "lower_bound", v->partial));
	}
	return a;
}

static json_t *json_functions(const struct benchmark *b, size_t max)
{
	json_t *a = json_array();
	size_t n = max && max < b->nr_functions ? max : b->nr_functions;

	for (size_t i = 0; i < n; i++) {
		const struct function_total *f = &b->functions[i];

		json_array_append_new(
			a,
			json_pack("{s:s, s:s, s:o, s:o, s:I, s:o, s:o}",
				  "object", b->objects[f->object].name, "name",
				  f->name, "instructions",
				  json_u64(f->instructions), "share_pct",
				  json_share(f->instructions, b->instructions),
				  "blocks", (json_int_t)f->blocks, "address",
				  json_u64(f->addr), "size",
				  json_u64(f->size)));
	}
	return a;
}

json_t *json_benchmark(const struct benchmark *b, size_t max_functions)
{
	json_t *o = json_pack(
		"{s:s, s:o, s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:I, s:o, "
		"s:o, s:o}",
		"name", b->name, "suite", json_str_or_null(b->suite), "dir",
		b->dir, "instructions", json_u64(b->instructions),
		"lower_bound", b->partial, "overflow", b->overflow,
		"insns_plugin", b->has_insns ? json_u64(b->insns) : json_null(),
		"rows", json_u64(b->rows), "malformed_lines",
		json_u64(b->malformed), "invocations",
		(json_int_t)b->invocation_count, "invocation_files",
		json_invocations(b), "objects", json_objects(b), "warnings",
		json_strlist(&b->warnings));

	if (max_functions != SIZE_MAX) {
		json_object_set_new(o, "functions_total",
				    json_integer((json_int_t)b->nr_functions));
		json_object_set_new(o, "functions",
				    json_functions(b, max_functions));
	}
	return o;
}

json_t *json_run(const struct run *run, const char *id)
{
	json_t *benches = json_array();
	bool partial = false;

	for (size_t i = 0; i < run->nr_benchmarks; i++) {
		json_array_append_new(
			benches, json_benchmark(&run->benchmarks[i], SIZE_MAX));
		partial |= run->benchmarks[i].partial;
	}
	return json_pack("{s:s, s:o, s:b, s:o, s:o}", "run", id, "instructions",
			 json_u64(run->instructions), "lower_bound", partial,
			 "benchmarks", benches, "warnings",
			 json_strlist(&run->warnings));
}

static json_t *json_ratio(double ratio)
{
	return json_pack("{s:f, s:f}", "ratio", ratio, "delta_pct",
			 ratio_to_pct(ratio));
}

static const struct object_total *object_named(const struct benchmark *b,
					       const char *name)
{
	for (size_t i = 0; b && i < b->nr_objects; i++)
		if (!strcmp(b->objects[i].name, name))
			return &b->objects[i];
	return NULL;
}

/* Objects of a row in either run: base order first, then new-only ones. */
static json_t *json_row_objects(const struct compare_row *r)
{
	const struct benchmark *sides[2] = {r->base_bench, r->new_bench};
	json_t *a = json_array();

	for (int s = 0; s < 2; s++) {
		const struct benchmark *b = sides[s];

		for (size_t i = 0; b && i < b->nr_objects; i++) {
			const char *name = b->objects[i].name;
			const struct object_total *x, *y;

			if (s == 1 && object_named(r->base_bench, name))
				continue;
			x = object_named(r->base_bench, name);
			y = object_named(r->new_bench, name);
			json_array_append_new(
				a,
				json_pack(
					"{s:s, s:o, s:o, s:o}", "name", name,
					"base_instructions",
					json_u64(x ? x->instructions : 0),
					"new_instructions",
					json_u64(y ? y->instructions : 0),
					"delta",
					json_integer((
						json_int_t)((y ? y->instructions
							       : 0) -
							    (x ? x->instructions
							       : 0)))));
		}
	}
	return a;
}

json_t *json_compare(const struct compare *c, const char *base_id,
		     const char *new_id, bool with_objects)
{
	json_t *rows = json_array(), *suites = json_array();
	json_t *only_base = json_array(), *only_new = json_array();
	json_t *geo;

	for (size_t i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];
		static const char *const side[] = {"both", "base", "new"};
		bool both = r->side == COMPARE_BOTH;

		json_array_append_new(
			rows,
			json_pack(
				"{s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:b}",
				"name", r->name, "suite",
				json_str_or_null(r->suite), "in", side[r->side],
				"base_instructions",
				r->side != COMPARE_ONLY_NEW ? json_u64(r->base)
							    : json_null(),
				"new_instructions",
				r->side != COMPARE_ONLY_BASE ? json_u64(r->new)
							     : json_null(),
				"delta",
				both ? json_integer(r->delta) : json_null(),
				"delta_pct",
				r->has_pct ? json_real(r->delta_pct)
					   : json_null(),
				"lower_bound", r->partial));
		if (with_objects)
			json_object_set_new(json_array_get(rows, i), "objects",
					    json_row_objects(r));
		if (r->side == COMPARE_ONLY_BASE)
			json_array_append_new(only_base, json_string(r->name));
		if (r->side == COMPARE_ONLY_NEW)
			json_array_append_new(only_new, json_string(r->name));
	}
	for (size_t i = 0; i < c->nr_suites; i++) {
		const struct compare_suite *s = &c->suites[i];
		json_t *o = json_pack("{s:o, s:I, s:o, s:o}", "suite",
				      json_str_or_null(s->suite), "benchmarks",
				      (json_int_t)s->nr, "base_instructions",
				      json_u64(s->base), "new_instructions",
				      json_u64(s->new));

		json_object_update_new(
			o,
			s->nr ? json_ratio(s->geomean)
			      : json_pack("{s:n, s:n}", "ratio", "delta_pct"));
		json_array_append_new(suites, o);
	}
	geo = c->has_geomean ? json_ratio(c->geomean) : json_null();
	if (c->has_geomean)
		json_object_set_new(geo, "benchmarks",
				    json_integer((json_int_t)c->geomean_nr));
	return json_pack(
		"{s:{s:s}, s:{s:s}, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}, "
		"s:o, s:o}",
		"base", "run", base_id, "new", "run", new_id, "benchmarks",
		rows, "geomean", geo, "suites", suites, "totals",
		"base_instructions", json_u64(c->base_total),
		"new_instructions", json_u64(c->new_total), "delta",
		json_integer((json_int_t)c->new_total -
			     (json_int_t)c->base_total),
		"delta_pct",
		c->base_total ? json_real(((double)c->new_total -
					   (double)c->base_total) /
					  (double)c->base_total * 100.0)
			      : json_null(),
		"only_in_base", only_base, "only_in_new", only_new);
}

void format_iso8601(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *json_part(const struct bench_diff *d, const struct part_diff *p,
			 bool function)
{
	json_t *o = json_pack(
		"{s:s, s:o, s:o, s:I, s:o, s:f, s:s}", "object", p->object,
		"base", p->in_base ? json_u64(p->base) : json_null(), "new",
		p->in_new ? json_u64(p->new) : json_null(), "delta",
		(json_int_t)p->delta, "delta_pct",
		p->in_base && p->in_new && p->base
			? json_real((double)p->delta / (double)p->base * 100.0)
			: json_null(),
		"share_pct", bench_diff_share(d, p->delta), "in",
		p->in_base && p->in_new ? "both"
		: p->in_base		? "base"
					: "new");

	if (function) {
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "base_size",
				    p->in_base ? json_u64(p->base_size)
					       : json_null());
		json_object_set_new(o, "new_size",
				    p->in_new ? json_u64(p->new_size)
					      : json_null());
	}
	return o;
}

json_t *json_bench_diff(const struct bench_diff *d, const char *base_id,
			const char *new_id, size_t max_functions)
{
	const struct benchmark *a = d->base, *b = d->new;
	json_t *objects = json_array(), *functions = json_array();
	size_t shown = max_functions && max_functions < d->nr_functions
			       ? max_functions
			       : d->nr_functions;
	uint64_t ob = 0, on = 0;
	int64_t od = 0;

	for (size_t i = 0; i < d->nr_objects; i++)
		json_array_append_new(objects,
				      json_part(d, &d->objects[i], false));
	for (size_t i = 0; i < d->nr_functions; i++) {
		const struct part_diff *p = &d->functions[i];

		if (i < shown) {
			json_array_append_new(functions, json_part(d, p, true));
			continue;
		}
		ob += p->base;
		on += p->new;
		od += p->delta;
	}
	return json_pack(
		"{s:s, s:o, s:{s:s, s:o, s:b}, s:{s:s, s:o, s:b}, s:I, s:o, "
		"s:o, s:o, s:I, s:{s:I, s:o, s:o, s:I, s:f}}",
		"benchmark", a->name, "suite", json_str_or_null(a->suite),
		"base", "run", base_id, "instructions",
		json_u64(a->instructions), "lower_bound", a->partial, "new",
		"run", new_id, "instructions", json_u64(b->instructions),
		"lower_bound", b->partial, "delta", (json_int_t)d->delta,
		"delta_pct",
		a->instructions ? json_real((double)d->delta /
					    (double)a->instructions * 100.0)
				: json_null(),
		"objects", objects, "functions", functions, "functions_total",
		(json_int_t)d->nr_functions, "functions_other", "count",
		(json_int_t)(d->nr_functions - shown), "base", json_u64(ob),
		"new", json_u64(on), "delta", (json_int_t)od, "share_pct",
		bench_diff_share(d, od));
}

json_t *json_index_run(const struct index_run *r)
{
	json_t *meta = NULL;
	char when[32];

	if (r->meta_json)
		meta = json_loads(r->meta_json, 0, NULL);
	format_iso8601(r->created, when, sizeof(when));
	return json_pack("{s:s, s:o, s:s, s:o, s:{s:o, s:o}, s:s, s:I, s:o, "
			 "s:o, s:b, s:o, s:o}",
			 "id", r->id, "series", json_str_or_null(r->series),
			 "status", index_status_name(r->status), "error",
			 json_str_or_null(r->error), "progress", "done",
			 json_u64(r->progress_done), "total",
			 json_u64(r->progress_total), "created", when,
			 "created_unix", (json_int_t)r->created, "instructions",
			 json_u64(r->instructions), "benchmarks",
			 json_u64(r->benchmarks), "lower_bound", r->lower_bound,
			 "warnings", json_u64(r->warnings), "meta",
			 meta ? meta : json_null());
}

json_t *json_history(const char *bench, const char *series,
		     const struct history_point *p, size_t nr)
{
	json_t *points = json_array();
	const struct history_point *prev = NULL;

	for (size_t i = 0; i < nr; i++) {
		json_t *o;
		char when[32];
		bool step = false;

		format_iso8601(p[i].created, when, sizeof(when));
		o = json_pack("{s:s, s:s, s:o, s:b}", "run", p[i].run_id,
			      "created", when, "instructions",
			      p[i].present ? json_u64(p[i].instructions)
					   : json_null(),
			      "lower_bound", p[i].lower_bound);
		if (p[i].present && prev) {
			int64_t d = (int64_t)(p[i].instructions -
					      prev->instructions);

			step = d != 0;
			json_object_set_new(o, "previous_run",
					    json_string(prev->run_id));
			json_object_set_new(o, "delta", json_integer(d));
			json_object_set_new(
				o, "delta_pct",
				prev->instructions
					? json_real((double)d * 100.0 /
						    (double)prev->instructions)
					: json_null());
		} else {
			json_object_set_new(o, "previous_run", json_null());
			json_object_set_new(o, "delta", json_null());
			json_object_set_new(o, "delta_pct", json_null());
		}
		json_object_set_new(o, "step", json_boolean(step));
		json_array_append_new(points, o);
		if (p[i].present)
			prev = &p[i];
	}
	return json_pack("{s:s, s:o, s:o}", "benchmark", bench, "series",
			 json_str_or_null(series), "points", points);
}
