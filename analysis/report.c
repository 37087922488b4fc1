/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "bench_diff.h"
#include "compare.h"
#include "errbuf.h"
#include "figures.h"
#include "insn_class.h"
#include "mix.h"
#include "strbuf.h"
#include "template.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

/* templates/compare.md, embedded at build time (embed_text.cmake) */
extern const char *const template_compare_md;

int report_format_parse(const char *s, enum report_format *out)
{
	static const struct {
		const char *name;
		enum report_format f;
	} names[] = {{"text", REPORT_TEXT},   {"json", REPORT_JSON},
		     {"csv", REPORT_CSV},     {"markdown", REPORT_MARKDOWN},
		     {"table", REPORT_TABLE}, {"md", REPORT_MARKDOWN}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].f;
			return 0;
		}
	return -1;
}

void format_thousands(struct strbuf *out, unsigned long long v)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", v);

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			strbuf_addch(out, ',');
		strbuf_addch(out, digits[i]);
	}
}

static const char *suite_or_empty(const char *s)
{
	return s ? s : "";
}

/* One CSV field, quoted (RFC 4180) when it holds a comma, quote or newline. */
static void csv_field(struct strbuf *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_adds(out, s);
		return;
	}
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

/* ---- compare ------------------------------------------------------------ */

void report_compare_text(struct strbuf *out, const struct compare *c)
{
	strbuf_addf(out, "%-20s %15s %15s %10s\n", "Benchmark", "DirA", "DirB",
		    "Diff (%)");
	for (int i = 0; i < 60; i++)
		strbuf_addch(out, '=');
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];

		strbuf_addf(out, "%-20s ", r->name);
		if (r->side == COMPARE_ONLY_NEW)
			strbuf_addf(out, "%15s ", "-");
		else
			strbuf_addf(out, "%15llu ",
				    (unsigned long long)r->base);
		if (r->side == COMPARE_ONLY_BASE)
			strbuf_addf(out, "%15s ", "-");
		else
			strbuf_addf(out, "%15llu ", (unsigned long long)r->new);
		if (r->side == COMPARE_ONLY_BASE)
			strbuf_addf(out, "%10s", "only A");
		else if (r->side == COMPARE_ONLY_NEW)
			strbuf_addf(out, "%10s", "only B");
		else if (r->has_pct)
			strbuf_addf(out, "%9.2f%%", r->delta_pct);
		else
			strbuf_addf(out, "%9s%%", "inf");
		if (r->partial)
			strbuf_adds(out, "  (lower bound)");
		strbuf_addch(out, '\n');
	}
	if (c->has_geomean) {
		strbuf_addf(out, "%-20s %15s %15s %9.2f%%\n", "Geomean", "", "",
			    ratio_to_pct(c->geomean));
		if (c->nr_suites > 1)
			for (size_t i = 0; i < c->nr_suites; i++) {
				const struct compare_suite *s = &c->suites[i];
				char label[64];

				if (!s->nr)
					continue;
				snprintf(label, sizeof(label), "  %s",
					 s->suite ? s->suite : "(no suite)");
				strbuf_addf(out, "%-20s %15s %15s %9.2f%%\n",
					    label, "", "",
					    ratio_to_pct(s->geomean));
			}
	}
}

/* 1234567 -> "1,234,567"; with sign, "+1,234,567" / "-1,234,567" / "0" */
static void table_count(struct strbuf *out, int64_t v, bool sign)
{
	if (v < 0)
		strbuf_addch(out, '-');
	else if (sign && v > 0)
		strbuf_addch(out, '+');
	format_thousands(out, v < 0 ? 0ull - (unsigned long long)v
				    : (unsigned long long)v);
}

/* "+3.68 %", "-0.07 %", "0.00 %"; tiny changes keep two digits */
static void table_pct(struct strbuf *out, double p)
{
	if (p != 0 && fabs(p) < 0.005)
		strbuf_addf(out, "%+.2g %%", p);
	else if (p == 0)
		strbuf_adds(out, "0.00 %");
	else
		strbuf_addf(out, "%+.2f %%", p);
}

static int64_t table_delta(uint64_t base, uint64_t new)
{
	if (new >= base)
		return new - base > INT64_MAX ? INT64_MAX
					      : (int64_t)(new - base);
	return base - new > INT64_MAX ? INT64_MIN : -(int64_t)(base - new);
}

/* One line of the table: name, then four right-aligned cells. */
static void table_line(struct strbuf *out, int w, const char *name,
		       const char *base, const char *new, const char *delta,
		       const char *pct)
{
	strbuf_addf(out, "%-*s %15s %15s %15s %10s", w, name, base, new, delta,
		    pct);
	while (out->len && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
}

void report_compare_table(struct strbuf *out, const struct compare *c,
			  const char *base_name, const char *new_name)
{
	struct strbuf b = STRBUF_INIT, n = STRBUF_INIT, d = STRBUF_INIT;
	struct strbuf p = STRBUF_INIT;
	int w = 20;

	for (size_t i = 0; i < c->nr; i++)
		if ((int)strlen(c->rows[i].name) > w &&
		    strlen(c->rows[i].name) < 200)
			w = (int)strlen(c->rows[i].name);
	strbuf_addf(out, "base: %s\nnew:  %s\n\n", base_name, new_name);
	table_line(out, w, "Benchmark", "Base", "New", "Delta", "Delta %");
	strbuf_addch(out, '\n');
	for (int i = 0; i < w + 60; i++)
		strbuf_addch(out, '=');
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];

		strbuf_reset(&b);
		strbuf_reset(&n);
		strbuf_reset(&d);
		strbuf_reset(&p);
		if (r->side == COMPARE_ONLY_NEW)
			strbuf_adds(&b, "-");
		else
			table_count(&b, (int64_t)r->base, false);
		if (r->side == COMPARE_ONLY_BASE)
			strbuf_adds(&n, "-");
		else
			table_count(&n, (int64_t)r->new, false);
		if (r->side == COMPARE_BOTH)
			table_count(&d, r->delta, true);
		if (r->side == COMPARE_ONLY_BASE)
			strbuf_adds(&p, "only base");
		else if (r->side == COMPARE_ONLY_NEW)
			strbuf_adds(&p, "only new");
		else if (r->has_pct)
			table_pct(&p, r->delta_pct);
		else
			strbuf_adds(&p, "+inf %");
		table_line(out, w, r->name, b.buf, n.buf, d.buf, p.buf);
		if (r->partial)
			strbuf_adds(out, "  (lower bound)");
		strbuf_addch(out, '\n');
	}
	for (int i = 0; i < w + 60; i++)
		strbuf_addch(out, '-');
	strbuf_addch(out, '\n');
	strbuf_reset(&b);
	strbuf_reset(&n);
	strbuf_reset(&d);
	strbuf_reset(&p);
	table_count(&b, (int64_t)c->base_total, false);
	table_count(&n, (int64_t)c->new_total, false);
	table_count(&d, table_delta(c->base_total, c->new_total), true);
	if (c->base_total)
		table_pct(&p, ((double)c->new_total - (double)c->base_total) *
				      100 / (double)c->base_total);
	table_line(out, w, "Total", b.buf, n.buf, d.buf, p.buf);
	strbuf_addch(out, '\n');
	if (c->has_geomean) {
		strbuf_reset(&p);
		table_pct(&p, ratio_to_pct(c->geomean));
		table_line(out, w, "Geomean", "", "", "", p.buf);
		strbuf_addch(out, '\n');
		for (size_t i = 0; c->nr_suites > 1 && i < c->nr_suites; i++) {
			const struct compare_suite *s = &c->suites[i];

			if (!s->nr)
				continue;
			strbuf_reset(&b);
			strbuf_reset(&p);
			strbuf_addf(&b, "  %s",
				    s->suite ? s->suite : "(no suite)");
			table_pct(&p, ratio_to_pct(s->geomean));
			table_line(out, w, b.buf, "", "", "", p.buf);
			strbuf_addch(out, '\n');
		}
	}
	strbuf_addf(out,
		    "\n%zu regressed, %zu improved, %zu unchanged, %zu only in "
		    "base, %zu only in new (threshold %g %%)\n",
		    c->changes[CHANGE_REGRESSED], c->changes[CHANGE_IMPROVED],
		    c->changes[CHANGE_UNCHANGED], c->changes[CHANGE_ONLY_BASE],
		    c->changes[CHANGE_ONLY_NEW], c->threshold_pct);
	strbuf_release(&b);
	strbuf_release(&n);
	strbuf_release(&d);
	strbuf_release(&p);
}

void report_compare_csv(struct strbuf *out, const struct compare *c)
{
	strbuf_adds(out, "benchmark,suite,base_instructions,new_instructions,"
			 "delta,delta_pct,lower_bound,change\n");
	for (size_t i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];

		csv_field(out, r->name);
		strbuf_addch(out, ',');
		csv_field(out, r->suite);
		strbuf_addch(out, ',');
		if (r->side != COMPARE_ONLY_NEW)
			strbuf_addf(out, "%llu", (unsigned long long)r->base);
		strbuf_addch(out, ',');
		if (r->side != COMPARE_ONLY_BASE)
			strbuf_addf(out, "%llu", (unsigned long long)r->new);
		strbuf_addch(out, ',');
		if (r->side == COMPARE_BOTH)
			strbuf_addf(out, "%lld", (long long)r->delta);
		strbuf_addch(out, ',');
		if (r->has_pct)
			strbuf_addf(out, "%.4f", r->delta_pct);
		strbuf_addf(out, ",%s,%s\n", r->partial ? "true" : "false",
			    compare_change_name(r->change));
	}
}

static void md_pct(struct strbuf *out, double pct)
{
	/* U+2212 minus reads better than '-' in rendered Markdown */
	if (pct < 0)
		strbuf_addf(out, "\xe2\x88\x92%.2f %%", -pct);
	else
		strbuf_addf(out, "+%.2f %%", pct);
}

static void md_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_{}[]<>()#+!|", *s))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
}

static json_t *md_str(void (*fmt)(struct strbuf *, double), double v)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	fmt(&sb, v);
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

static json_t *md_count(bool present, uint64_t v)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (present)
		format_thousands(&sb, v);
	else
		strbuf_adds(&sb, "\xe2\x80\x94"); /* em dash */
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

static json_t *md_delta(int64_t d)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	/* the same minus sign and grouping as the other columns */
	strbuf_adds(&sb, d < 0 ? "\xe2\x88\x92" : d > 0 ? "+" : "");
	format_thousands(&sb, d < 0 ? 0ull - (unsigned long long)d
				    : (unsigned long long)d);
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

/* A row's Δ % cell: a base of 0 that grew is an infinite change. */
static json_t *md_row_pct(const struct compare_row *r)
{
	if (r->has_pct)
		return md_str(md_pct, r->delta_pct);
	if (r->side == COMPARE_BOTH)
		return json_string("+\xe2\x88\x9e %");
	return json_string(r->side == COMPARE_ONLY_BASE ? "only in base"
							: "only in new");
}

/* Regressions first, then benchmarks in one run only, then improvements. */
static int md_rank(const struct compare_row *r)
{
	return r->change == CHANGE_REGRESSED  ? 0
	       : r->change == CHANGE_IMPROVED ? 2
					      : 1;
}

static int cmp_md_rows(const void *a, const void *b)
{
	const struct compare_row *x = *(const struct compare_row *const *)a;
	const struct compare_row *y = *(const struct compare_row *const *)b;
	int c = md_rank(x) - md_rank(y);

	if (c)
		return c;
	if (x->has_pct && y->has_pct &&
	    fabs(x->delta_pct) != fabs(y->delta_pct))
		return fabs(x->delta_pct) > fabs(y->delta_pct) ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The view templates/compare.md is rendered from: every figure already
 * formatted, so the template has no logic.
 */
static json_t *markdown_view(const struct compare *c, const char *base_name,
			     const char *new_name, const char *url)
{
	json_t *rows = json_array(), *v;
	const struct compare_row **pick = xcalloc(c->nr + 1, sizeof(*pick));
	size_t n = 0;
	char thr[32];

	for (size_t i = 0; i < c->nr; i++)
		if (c->rows[i].change != CHANGE_UNCHANGED)
			pick[n++] = &c->rows[i];
	sort_n(pick, n, sizeof(*pick), cmp_md_rows);
	for (size_t i = 0; i < n; i++) {
		const struct compare_row *r = pick[i];

		json_array_append_new(
			rows,
			json_pack(
				"{s:s, s:o, s:o, s:o, s:o, s:b}", "name",
				r->name, "base",
				md_count(r->side != COMPARE_ONLY_NEW, r->base),
				"new",
				md_count(r->side != COMPARE_ONLY_BASE, r->new),
				"delta",
				r->side == COMPARE_BOTH ? md_delta(r->delta)
							: json_string(""),
				"pct", md_row_pct(r), "lower_bound",
				r->partial));
	}
	free(pick);
	snprintf(thr, sizeof(thr), "%g", c->threshold_pct);
	v = json_pack(
		"{s:s, s:s, s:I, s:I, s:I, s:s, s:b, s:I, s:I, s:b, s:b, s:o}",
		"base", base_name, "new", new_name, "regressed",
		(json_int_t)c->changes[CHANGE_REGRESSED], "improved",
		(json_int_t)c->changes[CHANGE_IMPROVED], "unchanged",
		(json_int_t)c->changes[CHANGE_UNCHANGED], "threshold", thr,
		"has_threshold", c->threshold_pct > 0, "only_base",
		(json_int_t)c->only_base, "only_new", (json_int_t)c->only_new,
		"one_sided", c->only_base || c->only_new, "moved", n > 0,
		"rows", rows);
	if (c->has_geomean) {
		json_object_set_new(v, "geomean",
				    md_str(md_pct, ratio_to_pct(c->geomean)));
		json_object_set_new(v, "geomean_benchmarks",
				    json_integer((json_int_t)c->geomean_nr));
	}
	if (url)
		json_object_set_new(v, "url", json_string(url));
	return v;
}

void report_compare_markdown(struct strbuf *out, const struct compare *c,
			     const char *base_name, const char *new_name,
			     const char *url)
{
	json_t *view = markdown_view(c, base_name, new_name, url);
	struct errbuf err;

	/* the template is ours and tested: a failure is a bug */
	if (template_render(out, template_compare_md, view, TEMPLATE_MARKDOWN,
			    &err) < 0)
		bug_fl("templates/compare.md", 0, err.msg, "renders");
	json_decref(view);
}

/* ---- one run ------------------------------------------------------------ */

static double share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part * 100.0 / (double)whole : 0.0;
}

void report_run_text(struct strbuf *out, const struct run *run)
{
	strbuf_addf(out, "%-20s %-14s %15s %5s\n", "Benchmark", "Suite",
		    "Instructions", "Runs");
	for (int i = 0; i < 60; i++)
		strbuf_addch(out, '=');
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < run->nr_benchmarks; i++) {
		const struct benchmark *b = &run->benchmarks[i];

		strbuf_addf(out, "%-20s %-14s %15llu %5zu%s\n", b->name,
			    suite_or_empty(b->suite),
			    (unsigned long long)b->instructions,
			    b->invocation_count,
			    b->partial ? "  (lower bound)" : "");
		for (size_t j = 0; j < b->nr_objects; j++) {
			const struct object_total *o = &b->objects[j];

			strbuf_addf(out, "    %-31s %15llu %6.2f%%\n", o->name,
				    (unsigned long long)o->instructions,
				    share(o->instructions, b->instructions));
		}
	}
	strbuf_addf(out, "%-35s %15llu%s\n", "Total",
		    (unsigned long long)run->instructions,
		    run->overflow ? "  (overflow)" : "");
}

void report_run_csv(struct strbuf *out, const struct run *run)
{
	strbuf_adds(out, "benchmark,suite,object,instructions,lower_bound\n");
	for (size_t i = 0; i < run->nr_benchmarks; i++) {
		const struct benchmark *b = &run->benchmarks[i];

		for (size_t j = 0; j <= b->nr_objects; j++) {
			const struct object_total *o =
				j ? &b->objects[j - 1] : NULL;

			csv_field(out, b->name);
			strbuf_addch(out, ',');
			csv_field(out, b->suite);
			strbuf_addch(out, ',');
			csv_field(out, o ? o->name : NULL);
			strbuf_addf(out, ",%llu,%s\n",
				    (unsigned long long)(o ? o->instructions
							   : b->instructions),
				    b->partial ? "true" : "false");
		}
	}
}

void report_run_markdown(struct strbuf *out, const struct run *run)
{
	strbuf_adds(out, "| Benchmark | Suite | Instructions | Objects |\n"
			 "|---|---|--:|---|\n");
	for (size_t i = 0; i < run->nr_benchmarks; i++) {
		const struct benchmark *b = &run->benchmarks[i];

		strbuf_adds(out, "| ");
		md_escape(out, b->name);
		strbuf_adds(out, " | ");
		md_escape(out, suite_or_empty(b->suite));
		strbuf_adds(out, " | ");
		format_thousands(out, b->instructions);
		if (b->partial)
			strbuf_adds(out, " (lower bound)");
		strbuf_adds(out, " | ");
		for (size_t j = 0; j < b->nr_objects; j++) {
			if (j)
				strbuf_adds(out, ", ");
			md_escape(out, b->objects[j].name);
			strbuf_addf(out, " %.2f %%",
				    share(b->objects[j].instructions,
					  b->instructions));
		}
		strbuf_adds(out, " |\n");
	}
}

void report_functions_text(struct strbuf *out, const struct benchmark *b,
			   size_t limit)
{
	size_t n = limit && limit < b->nr_functions ? limit : b->nr_functions;

	strbuf_addf(out, "%s: %llu instructions%s, %zu functions\n", b->name,
		    (unsigned long long)b->instructions,
		    b->partial ? " (lower bound)" : "", b->nr_functions);
	strbuf_addf(out, "%15s %7s %7s  %-28s %s\n", "Instructions", "Share",
		    "Blocks", "Object", "Function");
	for (size_t i = 0; i < n; i++) {
		const struct function_total *f = &b->functions[i];

		strbuf_addf(out, "%15llu %6.2f%% %7u  %-28s %s\n",
			    (unsigned long long)f->instructions,
			    share(f->instructions, b->instructions), f->blocks,
			    b->objects[f->object].name, f->name);
	}
	if (n < b->nr_functions) {
		uint64_t rest = 0;

		for (size_t i = n; i < b->nr_functions; i++)
			rest += b->functions[i].instructions;
		strbuf_addf(out, "%15llu %6.2f%% %7s  %-28s (%zu more)\n",
			    (unsigned long long)rest,
			    share(rest, b->instructions), "", "",
			    b->nr_functions - n);
	}
}

void report_functions_csv(struct strbuf *out, const struct benchmark *b,
			  size_t limit)
{
	size_t n = limit && limit < b->nr_functions ? limit : b->nr_functions;

	strbuf_adds(out, "object,function,instructions,blocks,address,size\n");
	for (size_t i = 0; i < n; i++) {
		const struct function_total *f = &b->functions[i];

		csv_field(out, b->objects[f->object].name);
		strbuf_addch(out, ',');
		csv_field(out, f->name);
		strbuf_addf(out, ",%llu,%u,0x%llx,%llu\n",
			    (unsigned long long)f->instructions, f->blocks,
			    (unsigned long long)f->addr,
			    (unsigned long long)f->size);
	}
}

/* "+1,234" / "\u22121,234" / "0", right-aligned in width columns. */
static void signed_thousands(struct strbuf *out, int64_t v, int width)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t cols;

	if (v < 0)
		strbuf_adds(&tmp, "-");
	else if (v > 0)
		strbuf_adds(&tmp, "+");
	format_thousands(&tmp, v < 0 ? 0ull - (unsigned long long)v
				     : (unsigned long long)v);
	cols = tmp.len;
	if ((int)cols < width)
		strbuf_addspaces(out, (size_t)width - cols);
	strbuf_add(out, tmp.buf, tmp.len);
	strbuf_release(&tmp);
}

static void unsigned_col(struct strbuf *out, bool present, uint64_t v,
			 int width)
{
	struct strbuf tmp = STRBUF_INIT;

	if (present)
		format_thousands(&tmp, v);
	else
		strbuf_adds(&tmp, "-");
	if ((int)tmp.len < width)
		strbuf_addspaces(out, (size_t)width - tmp.len);
	strbuf_add(out, tmp.buf, tmp.len);
	strbuf_release(&tmp);
}

static void diff_line(struct strbuf *out, const struct bench_diff *d,
		      const struct part_diff *p, const char *object,
		      const char *name)
{
	unsigned_col(out, p->in_base, p->base, 15);
	unsigned_col(out, p->in_new, p->new, 15);
	signed_thousands(out, p->delta, 15);
	strbuf_addf(out, " %7.2f%%  ",
		    p->delta ? bench_diff_share(d, p->delta) : 0.0);
	if (*name)
		strbuf_addf(out, "%-28s %s\n", object, name);
	else
		strbuf_addf(out, "%s\n", object);
}

void report_bench_diff_text(struct strbuf *out, const struct bench_diff *d,
			    size_t limit)
{
	const struct benchmark *a = d->base, *b = d->new;
	size_t n = limit && limit < d->nr_functions ? limit : d->nr_functions;
	struct part_diff rest = {0}, total = {0};

	strbuf_addf(out, "%s: ", a->name);
	format_thousands(out, a->instructions);
	strbuf_adds(out, " -> ");
	format_thousands(out, b->instructions);
	strbuf_adds(out, " instructions, delta ");
	signed_thousands(out, d->delta, 0);
	if (a->instructions)
		strbuf_addf(out, " (%+.2f%%)",
			    (double)d->delta / (double)a->instructions * 100.0);
	if (a->partial || b->partial)
		strbuf_adds(out, " (lower bound)");
	strbuf_adds(out, "\n\nBy object:\n");
	strbuf_addf(out, "%15s%15s%15s %8s  %s\n", "Base", "New", "Delta",
		    "Share", "Object");
	for (size_t i = 0; i < d->nr_objects; i++)
		diff_line(out, d, &d->objects[i], d->objects[i].name, "");
	strbuf_addf(out, "\nBy function (largest |delta| first, %zu in all):\n",
		    d->nr_functions);
	strbuf_addf(out, "%15s%15s%15s %8s  %-28s %s\n", "Base", "New", "Delta",
		    "Share", "Object", "Function");
	for (size_t i = 0; i < d->nr_functions; i++) {
		const struct part_diff *p = &d->functions[i];

		if (i < n) {
			const struct function_total *fa =
				p->in_base ? &a->functions[p->base_idx] : NULL;
			const struct function_total *fb =
				p->in_new ? &b->functions[p->new_idx] : NULL;
			bool changed = fa && fb && fa->code_hash &&
				       fb->code_hash &&
				       fa->code_hash != fb->code_hash;
			char name[300];

			snprintf(name, sizeof(name), "%s%s", p->name,
				 changed ? "  (code changed)" : "");
			diff_line(out, d, p, p->object, name);
			continue;
		}
		rest.base += p->base;
		rest.new += p->new;
		rest.delta += p->delta;
	}
	rest.in_base = rest.in_new = true;
	if (n < d->nr_functions) {
		char label[64];

		snprintf(label, sizeof(label), "(%zu more)",
			 d->nr_functions - n);
		diff_line(out, d, &rest, "", label);
	}
	total.base = a->instructions;
	total.new = b->instructions;
	total.delta = d->delta;
	total.in_base = total.in_new = true;
	diff_line(out, d, &total, "Total", "");
}

void report_blocks_text(struct strbuf *out, const struct benchmark *b,
			long function, size_t limit)
{
	size_t shown = 0;

	strbuf_addf(out, "%s: %llu instructions; hottest blocks", b->name,
		    (unsigned long long)b->instructions);
	if (function >= 0)
		strbuf_addf(out, " of %s in %s", b->functions[function].name,
			    b->objects[b->functions[function].object].name);
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < b->nr_blocks && (!limit || shown < limit); i++) {
		const struct block_total *k = &b->blocks[i];
		const struct function_total *f = &b->functions[k->function];
		uint64_t v = (uint64_t)k->icount * k->ecount;
		json_t *code;

		if (function >= 0 && k->function != (uint32_t)function)
			continue;
		shown++;
		strbuf_adds(out, "\n");
		format_thousands(out, v);
		strbuf_addf(out, " (%.2f%%)  %s  %s", share(v, b->instructions),
			    b->objects[k->object].name, f->name);
		/* objdump's <name> at the start, <name+0x4> after it */
		if (f->addr && k->addr > f->addr)
			strbuf_addf(out, "+0x%llx",
				    (unsigned long long)(k->addr - f->addr));
		strbuf_addf(out, "  0x%llx: %u insns x %llu, translated %llu\n",
			    (unsigned long long)k->addr, k->icount,
			    (unsigned long long)k->ecount,
			    (unsigned long long)k->tcount);
		code = k->code ? json_loads(k->code, 0, NULL) : NULL;
		for (size_t j = 0; j < json_array_size(code); j++) {
			json_t *in = json_array_get(code, j);
			const char *by =
				json_string_value(json_object_get(in, "by"));
			bool other = by && strcmp(by, "capstone");

			strbuf_addf(
				out, "  %10s  %-10s %-34s %s%s%s%s\n",
				json_string_value(json_object_get(in, "addr")),
				json_string_value(
					json_object_get(in, "mnemonic")),
				json_string_value(
					json_object_get(in, "operands")),
				json_string_value(json_object_get(in, "class")),
				other ? " [" : "", other ? by : "",
				other ? "]" : "");
		}
		json_decref(code);
	}
}

void report_mix_text(struct strbuf *out, const struct benchmark *b,
		     long function, size_t limit)
{
	struct mix_filter f = {function, -1};
	struct mix_sums s;
	struct mix_keyed *k;
	size_t n;

	mix_sums_compute(&s, b, f);
	strbuf_addf(out, "%s%s%s: %llu instructions (%s)\n", b->name,
		    function >= 0 ? " " : "",
		    function >= 0 ? b->functions[function].name : "",
		    (unsigned long long)s.total, b->arch ? b->arch : "?");
	if (!b->nr_mix) {
		strbuf_adds(out, "not decoded\n");
		mix_sums_release(&s);
		return;
	}
	strbuf_addf(out, "\n%-16s %15s %8s\n", "Class", "Instructions",
		    "Share");
	for (int c = 0; c < INSN_CLASS_NR; c++)
		if (s.by_class[c])
			strbuf_addf(out, "%-16s %15llu %7.2f%%\n",
				    insn_class_name(c),
				    (unsigned long long)s.by_class[c],
				    share(s.by_class[c], s.total));
	strbuf_addf(out,
		    "\ncompressed %.2f%%, stack loads/stores %.2f%%, vector "
		    "%.2f%%\n",
		    share(s.compressed, s.total), share(s.stack, s.total),
		    share(s.vector, s.total));
	strbuf_adds(out, "decoded by:");
	for (int d = 0; d < INSN_DECODER_NR; d++)
		strbuf_addf(out, " %s %.2f%%", insn_decoder_name(d),
			    share(s.by_decoder[d], s.total));
	strbuf_addf(out, "; no bytes (no ELF) %.2f%%",
		    share(s.no_bytes, s.total));
	strbuf_adds(out, "\n\nBy extension:");
	n = mix_by_key(b, f, true, &k);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, " %s %.2f%%", *k[i].key ? k[i].key : "?",
			    share(k[i].count, s.total));
	free(k);
	strbuf_addf(out, "\n\n%-16s %-16s %15s %8s\n", "Mnemonic", "Class",
		    "Instructions", "Share");
	n = mix_by_key(b, f, false, &k);
	for (size_t i = 0; i < n && (!limit || i < limit); i++)
		strbuf_addf(out, "%-16s %-16s %15llu %7.2f%%\n", k[i].key,
			    insn_class_name(k[i].cls),
			    (unsigned long long)k[i].count,
			    share(k[i].count, s.total));
	if (limit && n > limit)
		strbuf_addf(out, "(%zu more mnemonics)\n", n - limit);
	free(k);
	mix_sums_release(&s);
}

/* base, new and delta columns of a JSON diff row */
static void json_diff_cols(struct strbuf *out, const json_t *row)
{
	unsigned_col(out, true,
		     (uint64_t)json_integer_value(json_object_get(row, "base")),
		     15);
	unsigned_col(out, true,
		     (uint64_t)json_integer_value(json_object_get(row, "new")),
		     15);
	signed_thousands(out, json_integer_value(json_object_get(row, "delta")),
			 15);
}

void report_mix_diff_text(struct strbuf *out, const json_t *mix)
{
	const json_t *classes = json_object_get(mix, "by_class");
	const json_t *mn = json_object_get(mix, "mnemonics");
	size_t i;
	json_t *v;

	if (!json_is_object(mix))
		return;
	strbuf_addf(out, "\nBy instruction class:\n%15s%15s%15s %8s  %s\n",
		    "Base", "New", "Delta", "Share", "Class");
	json_array_foreach (classes, i, v) {
		json_diff_cols(out, v);
		strbuf_addf(out, " %7.2f%%  %s\n",
			    json_real_value(json_object_get(v, "share_pct")),
			    json_string_value(json_object_get(v, "class")));
	}
	strbuf_addf(out, "\nMnemonics that moved most:\n%15s%15s%15s  %s\n",
		    "Base", "New", "Delta", "Mnemonic");
	json_array_foreach (mn, i, v) {
		if (i == 15)
			break;
		json_diff_cols(out, v);
		strbuf_addf(out, "  %s (%s)\n",
			    json_string_value(json_object_get(v, "mnemonic")),
			    json_string_value(json_object_get(v, "class")));
	}
}
