/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_diff.h"
#include "compare.h"
#include "run.h"
#include "strbuf.h"
#include "banned.h"

int report_format_parse(const char *s, enum report_format *out)
{
	static const struct {
		const char *name;
		enum report_format f;
	} names[] = {{"text", REPORT_TEXT},
		     {"json", REPORT_JSON},
		     {"csv", REPORT_CSV},
		     {"markdown", REPORT_MARKDOWN},
		     {"md", REPORT_MARKDOWN}};

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

void report_compare_csv(struct strbuf *out, const struct compare *c)
{
	strbuf_adds(out, "benchmark,suite,base_instructions,new_instructions,"
			 "delta,delta_pct,lower_bound\n");
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
		strbuf_addf(out, ",%s\n", r->partial ? "true" : "false");
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

void report_compare_markdown(struct strbuf *out, const struct compare *c,
			     const char *base_name, const char *new_name,
			     double threshold_pct, const char *url)
{
	size_t shown = 0, regress = 0, improve = 0;

	strbuf_adds(out, "### tbscope: ");
	md_escape(out, base_name);
	strbuf_adds(out, " \xe2\x86\x92 ");
	md_escape(out, new_name);
	strbuf_adds(out, "\n\n");
	for (size_t i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];

		if (!r->has_pct || fabs(r->delta_pct) < threshold_pct)
			continue;
		if (r->delta > 0)
			regress++;
		else if (r->delta < 0)
			improve++;
	}
	if (c->has_geomean) {
		strbuf_adds(out, "**Geomean ");
		md_pct(out, ratio_to_pct(c->geomean));
		strbuf_addf(out, "** over %zu benchmarks", c->geomean_nr);
	} else {
		strbuf_adds(out, "**No benchmark in both runs**");
	}
	strbuf_addf(out, "; %zu regressed, %zu improved by at least %.2f %%",
		    regress, improve, threshold_pct);
	if (c->only_base || c->only_new)
		strbuf_addf(out, "; %zu only in base, %zu only in new",
			    c->only_base, c->only_new);
	strbuf_adds(out, ".\n\n");
	for (size_t i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];

		if (r->side == COMPARE_BOTH &&
		    (!r->has_pct || fabs(r->delta_pct) < threshold_pct))
			continue;
		if (!shown++)
			strbuf_adds(out,
				    "| Benchmark | Base | New | \xce\x94 | "
				    "\xce\x94 % |\n|---|--:|--:|--:|--:|\n");
		strbuf_adds(out, "| ");
		md_escape(out, r->name);
		strbuf_adds(out, " | ");
		if (r->side != COMPARE_ONLY_NEW)
			format_thousands(out, r->base);
		else
			strbuf_adds(out, "\xe2\x80\x94");
		strbuf_adds(out, " | ");
		if (r->side != COMPARE_ONLY_BASE)
			format_thousands(out, r->new);
		else
			strbuf_adds(out, "\xe2\x80\x94");
		strbuf_adds(out, " | ");
		if (r->side == COMPARE_BOTH) {
			/* the same minus sign and grouping as the other columns
			 */
			strbuf_adds(out, r->delta < 0	? "\xe2\x88\x92"
					 : r->delta > 0 ? "+"
							: "");
			format_thousands(
				out,
				r->delta < 0
					? 0ull - (unsigned long long)r->delta
					: (unsigned long long)r->delta);
		}
		strbuf_adds(out, " | ");
		if (r->has_pct)
			md_pct(out, r->delta_pct);
		else if (r->side == COMPARE_ONLY_BASE)
			strbuf_adds(out, "only in base");
		else if (r->side == COMPARE_ONLY_NEW)
			strbuf_adds(out, "only in new");
		if (r->partial)
			strbuf_adds(out, " (lower bound)");
		strbuf_adds(out, " |\n");
	}
	if (!shown)
		strbuf_addf(out, "No benchmark moved by %.2f %% or more.\n",
			    threshold_pct);
	if (url)
		strbuf_addf(out, "\n[Full comparison](%s)\n", url);
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
			diff_line(out, d, p, p->object, p->name);
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
