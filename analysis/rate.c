/* SPDX-License-Identifier: MIT */
#include "rate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

/* ---- parsing ------------------------------------------------------------ */

/* "<digits>" at *p into *v, advancing *p; false on no digits or overflow. */
static bool parse_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (s == end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*p = s;
	*v = n;
	return true;
}

/* The literal lit at *p, advancing *p. */
static bool eat(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n))
		return false;
	*p += n;
	return true;
}

static void malformed(struct rate_file *r, const char *name, uint64_t lineno,
		      const char *line, size_t len, const char *what)
{
	struct strbuf q = STRBUF_INIT;

	if (r->malformed++ >= RATE_MAX_REPORTED)
		return;
	quote_for_message(&q, line, len, 60);
	strlist_addf(&r->warnings, "%s:%" PRIu64 ": %s: '%s'", name, lineno,
		     what, q.buf);
	strbuf_release(&q);
}

static struct rate_sample *add_sample(struct rate_file *r)
{
	ALLOC_GROW(r->samples, r->nr + 1, r->alloc);
	memset(&r->samples[r->nr], 0, sizeof(r->samples[0]));
	return &r->samples[r->nr++];
}

/* The header's "interval N ms", when this comment line has it. */
static void header_line(struct rate_file *r, const char *p, const char *end)
{
	static const char key[] = "interval ";

	for (; (size_t)(end - p) > strlen(key); p++) {
		const char *q = p + strlen(key);
		uint64_t ms;

		if (!memcmp(p, key, strlen(key)) && parse_u64(&q, end, &ms) &&
		    eat(&q, end, " ms")) {
			r->interval_ms = ms;
			return;
		}
	}
}

/* One line: a sample, a comment, or malformed. */
static void parse_line(struct rate_file *r, const char *name, uint64_t lineno,
		       const char *line, size_t len, uint64_t *last_time)
{
	const char *p = line, *end = line + len;
	uint64_t t, dur, count, sum = 0;
	size_t first = r->nr, ncpu = 0;
	bool sum_overflow = false;

	if (len && line[len - 1] == '\r')
		end--;
	if (p == end)
		return;
	if (*p == '#') {
		if (!r->interval_ms)
			header_line(r, p, end);
		return;
	}
	if (!eat(&p, end, "time: ") || !parse_u64(&p, end, &t) ||
	    !eat(&p, end, ", dur: ") || !parse_u64(&p, end, &dur) ||
	    !eat(&p, end, ", count: ") || !parse_u64(&p, end, &count)) {
		malformed(r, name, lineno, line, len,
			  "not 'time: NS, dur: NS, count: N'");
		return;
	}
	add_sample(r);
	r->samples[first] = (struct rate_sample){
		.time_ns = t, .dur_ns = dur, .count = count};
	while (p < end) {
		uint64_t cpu, n;

		if (!eat(&p, end, ", cpu") || !parse_u64(&p, end, &cpu) ||
		    !eat(&p, end, ": ") || !parse_u64(&p, end, &n) ||
		    cpu >= RATE_MAX_CPUS) {
			r->nr = first;
			malformed(r, name, lineno, line, len,
				  "not ', cpuK: N' after the count");
			return;
		}
		*add_sample(r) = (struct rate_sample){.cpu = (uint32_t)cpu + 1,
						      .time_ns = t,
						      .dur_ns = dur,
						      .count = n};
		if (sum + n < sum)
			sum_overflow = true;
		sum += n;
		ncpu++;
	}
	if (t < *last_time || dur > t) {
		r->nr = first;
		malformed(r, name, lineno, line, len,
			  t < *last_time ? "time goes backwards"
					 : "interval starts before 0");
		return;
	}
	if (ncpu && (sum_overflow || sum != count))
		strlist_addf(&r->warnings,
			     "%s:%" PRIu64 ": the vCPU columns sum to %" PRIu64
			     ", not the count %" PRIu64,
			     name, lineno, sum, count);
	*last_time = t;
	r->intervals++;
	if (r->total + count < r->total)
		r->total = UINT64_MAX;
	else
		r->total += count;
}

void rate_parse_buf(struct rate_file *r, const char *name, const char *buf,
		    size_t len)
{
	const char *p = buf, *end = buf + len;
	uint64_t last_time = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		r->lines++;
		if (memchr(p, '\0', n))
			malformed(r, name, r->lines, p, n, "NUL byte in line");
		else
			parse_line(r, name, r->lines, p, n, &last_time);
		p += n + (nl ? 1 : 0);
	}
	if (r->malformed > RATE_MAX_REPORTED)
		strlist_addf(&r->warnings,
			     "%s: %" PRIu64 " malformed lines in all", name,
			     r->malformed);
}

int rate_parse_file(struct rate_file *r, const char *path, const char *name,
		    struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_file_z(&sb, path, RATE_MAX_BYTES, err);

	if (!ret)
		rate_parse_buf(r, name, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

void rate_file_release(struct rate_file *r)
{
	free(r->samples);
	strlist_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

/* ---- views -------------------------------------------------------------- */

/* One invocation's samples: b->rate[first .. first + nr). */
struct rate_span {
	size_t first, nr;
	size_t intervals; /* its cpu-0 samples */
	uint32_t cpus;	  /* highest vCPU column + 1, 0 if none */
};

/* The span of samples from b->rate[*pos]; advances *pos. */
static struct rate_span next_span(const struct benchmark *b, size_t *pos)
{
	struct rate_span s = {.first = *pos};
	uint32_t inv = b->rate[*pos].invocation;

	for (; *pos < b->nr_rate && b->rate[*pos].invocation == inv; (*pos)++) {
		const struct rate_sample *x = &b->rate[*pos];

		if (!x->cpu)
			s.intervals++;
		else if (x->cpu > s.cpus)
			s.cpus = x->cpu;
	}
	s.nr = *pos - s.first;
	return s;
}

json_t *json_rate(const struct benchmark *b)
{
	json_t *invs = json_array();
	size_t pos = 0;

	while (pos < b->nr_rate) {
		struct rate_span s = next_span(b, &pos);
		const struct rate_sample *x = &b->rate[s.first];
		const struct invocation *inv =
			x->invocation < b->nr_invocations
				? &b->invocations[x->invocation]
				: NULL;
		json_t *time = json_array(), *dur = json_array();
		json_t *count = json_array(), *cpus = json_array();
		json_t **cpu = xcalloc(s.cpus ? s.cpus : 1, sizeof(*cpu));
		uint64_t total = 0;
		long row = -1;

		for (uint32_t c = 0; c < s.cpus; c++) {
			cpu[c] = json_array();
			for (size_t k = 0; k < s.intervals; k++)
				json_array_append_new(cpu[c], json_integer(0));
			json_array_append_new(cpus, cpu[c]);
		}
		for (size_t k = 0; k < s.nr; k++, x++) {
			if (!x->cpu) {
				row++;
				json_array_append_new(
					time,
					json_integer((json_int_t)x->time_ns));
				json_array_append_new(
					dur,
					json_integer((json_int_t)x->dur_ns));
				json_array_append_new(
					count,
					json_integer((json_int_t)x->count));
				/* no columns yet: vCPU 0 was the only one */
				if (s.cpus)
					json_array_set_new(
						cpu[0], (size_t)row,
						json_integer(
							(json_int_t)x->count));
				total = total + x->count < total
						? UINT64_MAX
						: total + x->count;
			} else if (row >= 0) {
				json_array_set_new(
					cpu[x->cpu - 1], (size_t)row,
					json_integer((json_int_t)x->count));
			}
		}
		free(cpu);
		json_array_append_new(
			invs,
			json_pack("{s:I, s:s?, s:s?, s:I, s:I, s:o, s:o, s:o, "
				  "s:o}",
				  "invocation",
				  (json_int_t)b->rate[s.first].invocation,
				  "qemu_out", inv ? inv->qemu_out : NULL,
				  "rate", inv ? inv->rate : NULL,
				  "instructions",
				  (json_int_t)(inv ? inv->instructions : 0),
				  "total", (json_int_t)total, "time_ns", time,
				  "dur_ns", dur, "count", count, "cpus", cpus));
	}
	return json_pack("{s:s, s:o}", "benchmark", b->name, "invocations",
			 invs);
}

/* "123.4 M" style: v with a metric prefix, 4 significant digits. */
static void add_metric(struct strbuf *out, double v)
{
	static const char *const units[] = {"", "k", "M", "G", "T"};
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	strbuf_addf(out, "%7.3f %1s", v, units[u]);
}

void report_rate_text(struct strbuf *out, const struct benchmark *b)
{
	enum { BAR = 40 };
	size_t pos = 0, n = 0;

	while (pos < b->nr_rate) {
		struct rate_span s = next_span(b, &pos);
		const struct rate_sample *x = &b->rate[s.first];
		const struct invocation *inv =
			x->invocation < b->nr_invocations
				? &b->invocations[x->invocation]
				: NULL;
		double max = 0;
		uint64_t total = 0;

		for (size_t k = 0; k < s.nr; k++)
			if (!x[k].cpu && x[k].dur_ns) {
				double ps = (double)x[k].count * 1e9 /
					    (double)x[k].dur_ns;

				if (ps > max)
					max = ps;
			}
		strbuf_addf(out, "%s%s: %zu intervals", n++ ? "\n" : "",
			    inv && inv->rate ? inv->rate : b->name,
			    s.intervals);
		if (s.cpus)
			strbuf_addf(out, ", %" PRIu32 " vCPUs", s.cpus);
		strbuf_adds(out, "\n");
		strbuf_addf(out, "%10s %20s %10s\n", "time (s)", "instructions",
			    "per second");
		for (size_t k = 0; k < s.nr; k++) {
			double ps;
			size_t bar;

			if (x[k].cpu)
				continue;
			total = total + x[k].count < total ? UINT64_MAX
							   : total + x[k].count;
			ps = x[k].dur_ns ? (double)x[k].count * 1e9 /
						   (double)x[k].dur_ns
					 : 0;
			bar = max > 0 ? (size_t)(ps / max * BAR + 0.5) : 0;
			strbuf_addf(out, "%10.3f %20" PRIu64 " ",
				    (double)x[k].time_ns / 1e9, x[k].count);
			add_metric(out, ps);
			if (bar)
				strbuf_adds(out, "  ");
			for (size_t i = 0; i < bar; i++)
				strbuf_addch(out, '#');
			strbuf_addch(out, '\n');
		}
		strbuf_addf(out, "%10s %20" PRIu64 "", "total", total);
		if (inv)
			strbuf_addf(out, "   (%s: %" PRIu64 ")", inv->qemu_out,
				    inv->instructions);
		strbuf_addch(out, '\n');
	}
	if (!n)
		strbuf_addf(out,
			    "%s: no rate timeline (record with "
			    "`tbscope record --rate MS`)\n",
			    b->name);
}
