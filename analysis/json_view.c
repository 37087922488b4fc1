/* SPDX-License-Identifier: MIT */
#include "json_view.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_diff.h"
#include "compare.h"
#include "figures.h"
#include "index.h"
#include "insn_class.h"
#include "mix.h"
#include "strbuf.h"
#include "xalloc.h"
#include "sort.h"
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
	json_t *changes = json_object(), *geo, *j;

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
		json_object_set_new(
			json_array_get(rows, i), "change",
			json_string(compare_change_name(r->change)));
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
	for (int k = 0; k < NR_CHANGES; k++)
		json_object_set_new(changes, compare_change_name(k),
				    json_integer((json_int_t)c->changes[k]));
	j = json_pack(
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
	/* after the figures: what decided each row's "change" */
	json_object_set_new(j, "threshold_pct", json_real(c->threshold_pct));
	json_object_set_new(j, "changes", changes);
	return j;
}

void format_iso8601(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *qemu_arch(const char *arch)
{
	return arch ? arch : "ARCH";
}

/* The objdump that shows `fn` of benchmark b as the run has it. */
static json_t *objdump_line(const struct benchmark *b, size_t fn,
			    const char *run_id)
{
	const struct function_total *f = &b->functions[fn];
	const struct object_total *o = &b->objects[f->object];
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (!o->elf || f->name[0] == '[')
		return json_null();
	if (b->arch && !strncmp(b->arch, "riscv", 5))
		strbuf_adds(&sb, "riscv64-linux-gnu-objdump -M no-aliases");
	else if (b->arch && !strcmp(b->arch, "aarch64"))
		strbuf_adds(&sb, "aarch64-linux-gnu-objdump");
	else
		strbuf_adds(&sb, "objdump");
	if (o->elf[0] == '/' && f->size)
		/*
		 * A shared library's .dynsym: objdump names an address after
		 * a hidden alias (__pow_finite) where tbscope takes the
		 * default version (pow), so --disassemble='pow' would print
		 * nothing; the address range is the same code either way.
		 */
		strbuf_addf(&sb,
			    " -d --no-show-raw-insn --start-address=0x%llx"
			    " --stop-address=0x%llx ",
			    (unsigned long long)f->addr,
			    (unsigned long long)(f->addr + f->size));
	else
		strbuf_addf(&sb, " -d --no-show-raw-insn --disassemble='%s' ",
			    f->name);
	if (o->elf[0] == '/')
		strbuf_adds(&sb, o->elf);
	else
		strbuf_addf(&sb, "%s/%s", run_id, o->elf);
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

static uint64_t abs_delta(int64_t v)
{
	return v < 0 ? 0ull - (uint64_t)v : (uint64_t)v;
}

struct mnemonic_diff {
	const char *mnemonic;
	uint8_t cls;
	uint64_t base, new, moved;
};

static int cmp_mnemonic_diff(const void *a, const void *b)
{
	const struct mnemonic_diff *x = a, *y = b;

	int c;

	if (x->moved != y->moved)
		return x->moved > y->moved ? -1 : 1;
	c = strcmp(x->mnemonic, y->mnemonic);
	return c ? c : x->cls < y->cls ? -1 : x->cls > y->cls;
}

/* By mnemonic, then class: a mnemonic can be rows of several classes. */
static int cmp_keyed_name(const void *a, const void *b)
{
	const struct mix_keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->cls < y->cls ? -1 : x->cls > y->cls;
}

/* Did the function's code change (numbers aside)?  null: cannot tell. */
static json_t *code_changed(const struct bench_diff *d,
			    const struct part_diff *p)
{
	uint64_t ha, hb;

	if (!p->in_base || !p->in_new)
		return json_null();
	ha = d->base->functions[p->base_idx].code_hash;
	hb = d->new->functions[p->new_idx].code_hash;
	if (!ha || !hb)
		return json_null();
	return json_boolean(ha != hb);
}

static json_t *json_part(const struct bench_diff *d, const struct part_diff *p,
			 bool function, const char *base_id, const char *new_id)
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
		json_object_set_new(o, "code_changed", code_changed(d, p));
		json_object_set_new(
			o, "objdump_base",
			p->in_base ? objdump_line(d->base, p->base_idx, base_id)
				   : json_null());
		json_object_set_new(
			o, "objdump_new",
			p->in_new ? objdump_line(d->new, p->new_idx, new_id)
				  : json_null());
	}
	return o;
}

/* Class and mnemonic deltas of two decoded benchmarks. */
static json_t *json_mix_diff(const struct bench_diff *d)
{
	struct mix_sums sa, sb;
	struct mix_keyed *ka, *kb;
	struct mnemonic_diff *moved;
	size_t na, nb, i = 0, j = 0, nm = 0;
	json_t *classes = json_array(), *mnemonics = json_array();
	json_t *o;

	if (!d->base->nr_mix || !d->new->nr_mix)
		return json_null();
	mix_sums_compute(&sa, d->base, MIX_ALL);
	mix_sums_compute(&sb, d->new, MIX_ALL);
	for (int c = 0; c < INSN_CLASS_NR; c++) {
		int64_t delta;

		if (!sa.by_class[c] && !sb.by_class[c])
			continue;
		delta = compare_delta(sa.by_class[c], sb.by_class[c]);
		json_array_append_new(
			classes, json_pack("{s:s, s:o, s:o, s:I, s:f}", "class",
					   insn_class_name(c), "base",
					   json_u64(sa.by_class[c]), "new",
					   json_u64(sb.by_class[c]), "delta",
					   (json_int_t)delta, "share_pct",
					   bench_diff_share(d, delta)));
	}
	/* mnemonics: merge the two lists by name and class */
	na = mix_by_key(d->base, MIX_ALL, false, &ka);
	nb = mix_by_key(d->new, MIX_ALL, false, &kb);
	sort_n(ka, na, sizeof(*ka), cmp_keyed_name);
	sort_n(kb, nb, sizeof(*kb), cmp_keyed_name);
	moved = xcalloc(na + nb + 1, sizeof(*moved));
	while (i < na || j < nb) {
		int c = i >= na	  ? 1
			: j >= nb ? -1
				  : cmp_keyed_name(&ka[i], &kb[j]);
		struct mnemonic_diff *m = &moved[nm++];

		m->mnemonic = c <= 0 ? ka[i].key : kb[j].key;
		m->cls = c <= 0 ? ka[i].cls : kb[j].cls;
		m->base = c <= 0 ? ka[i++].count : 0;
		m->new = c >= 0 ? kb[j++].count : 0;
		m->moved = abs_delta(compare_delta(m->base, m->new));
	}
	sort_n(moved, nm, sizeof(*moved), cmp_mnemonic_diff);
	for (size_t x = 0; x < nm && x < 30 && moved[x].moved; x++)
		json_array_append_new(
			mnemonics,
			json_pack("{s:s, s:s, s:o, s:o, s:I}", "mnemonic",
				  moved[x].mnemonic, "class",
				  insn_class_name(moved[x].cls), "base",
				  json_u64(moved[x].base), "new",
				  json_u64(moved[x].new), "delta",
				  (json_int_t)compare_delta(moved[x].base,
							    moved[x].new)));
	o = json_pack(
		"{s:o, s:o, s:o, s:o}", "by_class", classes, "mnemonics",
		mnemonics, "flags_base",
		json_pack("{s:o, s:o, s:o}", "compressed",
			  json_u64(sa.compressed), "stack", json_u64(sa.stack),
			  "vector", json_u64(sa.vector)),
		"flags_new",
		json_pack("{s:o, s:o, s:o}", "compressed",
			  json_u64(sb.compressed), "stack", json_u64(sb.stack),
			  "vector", json_u64(sb.vector)));
	free(moved);
	free(ka);
	free(kb);
	mix_sums_release(&sa);
	mix_sums_release(&sb);
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
	struct strbuf qemu = STRBUF_INIT;
	json_t *o;

	for (size_t i = 0; i < d->nr_objects; i++)
		json_array_append_new(
			objects,
			json_part(d, &d->objects[i], false, base_id, new_id));
	for (size_t i = 0; i < d->nr_functions; i++) {
		const struct part_diff *p = &d->functions[i];

		if (i < shown) {
			json_array_append_new(
				functions,
				json_part(d, p, true, base_id, new_id));
			continue;
		}
		ob += p->base;
		on += p->new;
		od += p->delta;
	}
	o = json_pack(
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
	json_object_set_new(o, "mix", json_mix_diff(d));
	strbuf_addf(&qemu,
		    "qemu-%s -L SYSROOT -plugin "
		    "libhotblocks.so,limit=0,inline=on -d plugin,nochain "
		    "-D %s.qemu_out %s%s%s ARGS...",
		    qemu_arch(b->arch ? b->arch : a->arch), a->name, a->dir,
		    *a->dir ? "/" : "", a->name);
	json_object_set_new(o, "reproduce", json_string(qemu.buf));
	strbuf_release(&qemu);
	return o;
}

static json_t *json_block(const struct benchmark *b,
			  const struct block_total *k)
{
	const struct function_total *f = &b->functions[k->function];
	uint64_t v;
	json_t *code = NULL;
	char addr[24];

	if (__builtin_mul_overflow((uint64_t)k->icount, k->ecount, &v))
		v = UINT64_MAX;
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)k->addr);
	if (k->code)
		code = json_loads(k->code, 0, NULL);
	return json_pack(
		"{s:s, s:s, s:o, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "object",
		b->objects[k->object].name, "function", f->name, "offset",
		f->addr && k->addr >= f->addr ? json_u64(k->addr - f->addr)
					      : json_null(),
		"addr", addr, "icount", (json_int_t)k->icount, "ecount",
		json_u64(k->ecount), "tcount", json_u64(k->tcount),
		"instructions", json_u64(v), "share_pct",
		json_share(v, b->instructions), "code",
		code ? code : json_null());
}

/* The object of function `function` (a "[.text]" is in several), or null. */
static json_t *function_object(const struct benchmark *b, long function)
{
	return function >= 0
		       ? json_string(
				 b->objects[b->functions[function].object].name)
		       : json_null();
}

json_t *json_blocks(const struct benchmark *b, long function, size_t limit)
{
	json_t *a = json_array();
	size_t n = 0;

	for (size_t i = 0; i < b->nr_blocks && (!limit || n < limit); i++) {
		if (function >= 0 &&
		    b->blocks[i].function != (uint32_t)function)
			continue;
		json_array_append_new(a, json_block(b, &b->blocks[i]));
		n++;
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "benchmark", b->name,
			 "instructions", json_u64(b->instructions), "function",
			 function >= 0
				 ? json_string(b->functions[function].name)
				 : json_null(),
			 "function_object", function_object(b, function),
			 "arch", json_str_or_null(b->arch), "blocks", a);
}

/* {"int-alu": n, ...}: the classes with a count, in enum order */
static json_t *json_class_counts(const uint64_t *by_class)
{
	json_t *o = json_object();

	for (int c = 0; c < INSN_CLASS_NR; c++)
		if (by_class[c])
			json_object_set_new(o, insn_class_name(c),
					    json_u64(by_class[c]));
	return o;
}

static json_t *json_keyed(const struct mix_keyed *k, size_t n, size_t max,
			  uint64_t total, const char *key_name, bool with_class)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < max; i++) {
		json_t *o =
			json_pack("{s:s, s:o, s:o}", key_name, k[i].key,
				  "instructions", json_u64(k[i].count),
				  "share_pct", json_share(k[i].count, total));

		if (with_class)
			json_object_set_new(
				o, "class",
				json_string(insn_class_name(k[i].cls)));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *json_mix(const struct benchmark *b, long function)
{
	return json_mix_limit(b, function, 100);
}

json_t *json_mix_limit(const struct benchmark *b, long function,
		       size_t max_mnemonics)
{
	struct mix_filter f = {function, -1};
	struct mix_sums sums;
	struct mix_keyed *k;
	size_t n;
	json_t *by_class = json_array(), *by_decoder = json_object();
	json_t *o, *objects = json_array(), *functions = json_array();

	mix_sums_compute(&sums, b, f);
	for (int c = 0; c < INSN_CLASS_NR; c++)
		if (sums.by_class[c])
			json_array_append_new(
				by_class,
				json_pack("{s:s, s:o, s:o}", "class",
					  insn_class_name(c), "instructions",
					  json_u64(sums.by_class[c]),
					  "share_pct",
					  json_share(sums.by_class[c],
						     sums.total)));
	for (int d = 0; d < INSN_DECODER_NR; d++)
		json_object_set_new(by_decoder, insn_decoder_name(d),
				    json_u64(sums.by_decoder[d]));
	/* no ELF bytes ([vdso], a missing library): not decoded at all */
	json_object_set_new(by_decoder, "no_bytes", json_u64(sums.no_bytes));
	o = json_pack("{s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:{s:o, s:o, "
		      "s:o, s:o, s:o, s:o}}",
		      "benchmark", b->name, "function",
		      function >= 0 ? json_string(b->functions[function].name)
				    : json_null(),
		      "arch", json_str_or_null(b->arch), "instructions",
		      json_u64(sums.total), "decoded", b->nr_mix > 0,
		      "by_class", by_class, "by_decoder", by_decoder, "classes",
		      json_class_counts(sums.by_class), "flags", "compressed",
		      json_u64(sums.compressed), "compressed_pct",
		      json_share(sums.compressed, sums.total), "stack",
		      json_u64(sums.stack), "stack_pct",
		      json_share(sums.stack, sums.total), "vector",
		      json_u64(sums.vector), "vector_pct",
		      json_share(sums.vector, sums.total));
	n = mix_by_key(b, f, false, &k);
	json_object_set_new(o, "by_mnemonic",
			    json_keyed(k, n,
				       max_mnemonics ? max_mnemonics : SIZE_MAX,
				       sums.total, "mnemonic", true));
	json_object_set_new(o, "mnemonics_total", json_integer((json_int_t)n));
	free(k);
	n = mix_by_key(b, f, true, &k);
	json_object_set_new(
		o, "by_extension",
		json_keyed(k, n, SIZE_MAX, sums.total, "ext", false));
	free(k);
	json_object_set_new(o, "function_object", function_object(b, function));
	mix_sums_release(&sums);
	if (function < 0) {
		for (size_t i = 0; i < b->nr_objects; i++) {
			struct mix_sums s2;

			mix_sums_compute(&s2, b,
					 (struct mix_filter){-1, (long)i});
			json_array_append_new(
				objects,
				json_pack("{s:s, s:o, s:o}", "object",
					  b->objects[i].name, "instructions",
					  json_u64(s2.total), "classes",
					  json_class_counts(s2.by_class)));
			mix_sums_release(&s2);
		}
		for (size_t i = 0; i < b->nr_functions && i < 20; i++) {
			struct mix_sums s2;
			const struct function_total *fn = &b->functions[i];

			mix_sums_compute(&s2, b,
					 (struct mix_filter){(long)i, -1});
			json_array_append_new(
				functions,
				json_pack("{s:s, s:s, s:o, s:o}", "object",
					  b->objects[fn->object].name, "name",
					  fn->name, "instructions",
					  json_u64(s2.total), "classes",
					  json_class_counts(s2.by_class)));
			mix_sums_release(&s2);
		}
	}
	json_object_set_new(o, "by_object", objects);
	json_object_set_new(o, "by_function", functions);
	return o;
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

static long find_function(const struct benchmark *b, const char *object,
			  const char *name)
{
	for (size_t i = 0; i < b->nr_functions; i++)
		if (!strcmp(b->functions[i].name, name) &&
		    (!object ||
		     !strcmp(b->objects[b->functions[i].object].name, object)))
			return (long)i;
	return -1;
}

json_t *json_function_blocks_diff(const struct bench_diff *d,
				  const char *object, const char *name,
				  size_t limit)
{
	long fa = find_function(d->base, object, name);
	long fb = find_function(d->new, object, name);

	return json_pack(
		"{s:o, s:s, s:o, s:o}", "object", json_str_or_null(object),
		"function", name, "base",
		fa >= 0 ? json_blocks(d->base, fa, limit) : json_null(), "new",
		fb >= 0 ? json_blocks(d->new, fb, limit) : json_null());
}
