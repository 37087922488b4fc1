/* SPDX-License-Identifier: MIT */
/*
 * tbscope-bench: figures of the analysis core, one table row per figure.
 *
 *   tbscope-bench header
 *   tbscope-bench parse   [-r N] RUN     .qemu_out parsing, beside wc -l
 *   tbscope-bench analyze [-r N] [--no-symbols] RUN
 *   tbscope-bench index   [-r N] RUN     index_store_run() into SQLite
 *   tbscope-bench exec    [-r N] [-l LABEL] [-i RUN]... [-j JSON] -- CMD...
 *
 * Every figure is timed N times (default 5); the table gives the median
 * and the minimum.  Peak RSS is getrusage()'s ru_maxrss: of this process
 * for the library figures (so each figure is run as a process of its
 * own by bench/run_bench.sh), of the largest child for wc -l and exec.
 * exec -j takes the times from hyperfine's --export-json instead and
 * runs the command once more for its memory.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "disasm.h"
#include "elf_image.h"
#include "errbuf.h"
#include "fileio.h"
#include "index.h"
#include "qemu_out.h"
#include "run.h"
#include "strbuf.h"
#include "strlist.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

#define MAX_REPEATS 100

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* user + system time of this process or of its waited-for children */
static double cpu_time(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru))
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * Wall time and CPU time of every repeat.  On a shared machine the CPU
 * time is the steadier figure: waiting for a core does not count.
 */
struct timing {
	double t[MAX_REPEATS], cpu[MAX_REPEATS];
	int n;
	double median, min, cpu_median;
};

static void timing_add(struct timing *tm, double wall, double cpu)
{
	if (tm->n < MAX_REPEATS) {
		tm->cpu[tm->n] = cpu;
		tm->t[tm->n++] = wall;
	}
}

static double median_of(double *v, int n)
{
	sort_n(v, (size_t)n, sizeof(v[0]), cmp_double);
	if (!n)
		return 0;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void timing_finish(struct timing *tm)
{
	tm->median = median_of(tm->t, tm->n);
	tm->min = tm->n ? tm->t[0] : 0;
	tm->cpu_median = median_of(tm->cpu, tm->n);
}

/* ru_maxrss is in KiB on Linux. */
static long peak_rss_self(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_maxrss;
}

static long peak_rss_children(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_CHILDREN, &ru) ? 0 : ru.ru_maxrss;
}

static void fmt_time(char *buf, size_t len, double s)
{
	if (s < 10)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.2f s", s);
}

static void fmt_rate(char *buf, size_t len, double v, const char *unit)
{
	if (v <= 0)
		snprintf(buf, len, "-");
	else if (v >= 1e6)
		snprintf(buf, len, "%.2f M%s", v / 1e6, unit);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k%s", v / 1e3, unit);
	else
		snprintf(buf, len, "%.1f %s", v, unit);
}

#define ROW_FMT "%-30s %10s %10s %10s %6s %8s %10s  %s\n"

static void print_header(void)
{
	printf(ROW_FMT, "figure", "median", "min", "cpu", "MB/s", "rows/s",
	       "peak RSS", "note");
	printf(ROW_FMT, "------", "------", "---", "---", "----", "------",
	       "--------", "----");
}

/*
 * One row.  Bytes and rows per second are from the median CPU time: on a
 * machine shared with other work the wall time measures the others too.
 */
static void print_row(const char *figure, const struct timing *tm,
		      uint64_t bytes, uint64_t rows, long rss_kib,
		      const char *note)
{
	char med[32], min[32], cpu[32], mbs[32], rps[32], rss[32];

	fmt_time(med, sizeof(med), tm->median);
	fmt_time(min, sizeof(min), tm->min);
	fmt_time(cpu, sizeof(cpu), tm->cpu_median);
	if (bytes && tm->cpu_median > 0)
		snprintf(mbs, sizeof(mbs), "%.0f",
			 (double)bytes / 1e6 / tm->cpu_median);
	else
		snprintf(mbs, sizeof(mbs), "-");
	fmt_rate(rps, sizeof(rps),
		 rows && tm->cpu_median > 0 ? (double)rows / tm->cpu_median : 0,
		 "");
	snprintf(rss, sizeof(rss), "%.1f MiB", (double)rss_kib / 1024);
	printf(ROW_FMT, figure, med, min, cpu, mbs, rps, rss, note ? note : "");
	fflush(stdout);
}

/* ---- the .qemu_out files of a run ------------------------------------- */

/* ".zst" at the end of name? */
static bool is_zst(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && !strcmp(name + len - 4, ".zst");
}

/* X.qemu_out[.N], or that with .zst (a compressed run) */
static bool is_qemu_out(const char *name)
{
	char plain[NAME_MAX + 1];
	const char *p;

	if (is_zst(name) && strlen(name) < sizeof(plain)) {
		memcpy(plain, name, strlen(name) - 4);
		plain[strlen(name) - 4] = '\0';
		name = plain;
	}
	p = strstr(name, ".qemu_out");

	while (p) {
		const char *rest = p + strlen(".qemu_out");

		if (p != name && !*rest)
			return true;
		if (p != name && rest[0] == '.' && rest[1] &&
		    strspn(rest + 1, "0123456789") == strlen(rest + 1))
			return true;
		p = strstr(p + 1, ".qemu_out");
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_files(const char *dir, int depth, struct strlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct strbuf path = STRBUF_INIT;
		struct stat st;

		if (de->d_name[0] == '.' ||
		    (depth == 0 && !strcmp(de->d_name, "sysroot")))
			continue;
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (!lstat(path.buf, &st)) {
			if (S_ISDIR(st.st_mode) && depth < 16)
				find_files(path.buf, depth + 1, out);
			else if (S_ISREG(st.st_mode) && is_qemu_out(de->d_name))
				strlist_add(out, path.buf);
		}
		strbuf_release(&path);
	}
	closedir(d);
}

static uint64_t qemu_out_files(const char *run, struct strlist *files)
{
	uint64_t bytes = 0;

	find_files(run, 0, files);
	sort_n(files->items, files->nr, sizeof(char *), cmp_str);
	for (size_t i = 0; i < files->nr; i++) {
		struct stat st;

		if (!stat(files->items[i], &st))
			bytes += (uint64_t)st.st_size;
	}
	return bytes;
}

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* ---- running commands ---------------------------------------------------- */

/*
 * Run argv with stdout to `out` (a file name) and stderr to /dev/null;
 * returns the wall time, or -1 when it could not run or failed.
 *
 * fork(), not posix_spawn(): glibc's posix_spawn shares the parent's
 * memory until exec (CLONE_VM), and Linux then charges the parent's peak
 * RSS to the child's ru_maxrss.  A forked child starts from the parent's
 * current RSS (a few MiB here), which is the floor of the figure.
 */
static double run_command(char *const *argv, const char *out, double *cpu)
{
	double t0, t1, c0 = cpu_time(RUSAGE_CHILDREN);
	pid_t pid;
	int status;

	fflush(stdout);
	t0 = now();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tbscope-bench: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_WRONLY);

		if (fd < 0 || null < 0 || dup2(fd, 1) < 0 || dup2(null, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	t1 = now();
	*cpu = cpu_time(RUSAGE_CHILDREN) - c0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "tbscope-bench: %s failed (status %d)\n",
			argv[0], status);
		return -1;
	}
	return t1 - t0;
}

/* The last number wc -l printed: the total, or the only file's count. */
static uint64_t wc_total(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t total = 0;
	char *line, *save = NULL;

	if (read_file(&sb, path, 1 << 20, NULL) == 0)
		for (line = strtok_r(sb.buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			total = strtoull(line, NULL, 10);
	strbuf_release(&sb);
	return total;
}

/* ---- subcommands ------------------------------------------------------------
 */

struct opts {
	int repeats;
	bool no_symbols;
	const char *label;
	const char *hyperfine_json;
	struct strlist inputs;
};

/* What a measuring child reports back through its pipe. */
struct child_figure {
	double wall, cpu;
	uint64_t rows;
	long rss_kib;
	int ok;
};

/* The rows as run.c takes them, in batches; here they are counted. */
static void count_rows(void *ctx, const struct tb_row *rows, size_t nr)
{
	(void)rows;
	*(uint64_t *)ctx += nr;
}

/*
 * The parser over every file, in a forked child of this (small)
 * process, as wc -l is: both start from the same memory, and the
 * parent's heap never meets a fork.  One qemu_out is reused across the
 * files, as run.c does, and the rows go to a sink in batches, as in
 * run.c; with `keep`, every row of a file is kept instead (the
 * library's default, for small callers).
 */
static void parse_child(const struct strlist *files, bool keep, int fd)
{
	struct child_figure fig = {.ok = 0};
	struct qemu_out q = QEMU_OUT_INIT;
	uint64_t sunk = 0;
	double t0, c0;

	if (!keep) {
		q.sink = count_rows;
		q.sink_ctx = &sunk;
	}
	t0 = now();
	c0 = cpu_time(RUSAGE_SELF);
	for (size_t i = 0; i < files->nr; i++) {
		struct errbuf err;

		if (qemu_out_parse_file(&q, files->items[i], files->items[i],
					&err) < 0) {
			fprintf(stderr, "tbscope-bench: %s\n", err.msg);
			_exit(1);
		}
		fig.rows += q.nr_rows;
		qemu_out_clear(&q);
	}
	fig.cpu = cpu_time(RUSAGE_SELF) - c0;
	fig.wall = now() - t0;
	if (!keep && sunk != fig.rows) {
		fprintf(stderr,
			"tbscope-bench: the sink got %llu rows of %llu\n",
			(unsigned long long)sunk, (unsigned long long)fig.rows);
		_exit(1);
	}
	fig.rss_kib = peak_rss_self();
	fig.ok = 1;
	if (write(fd, &fig, sizeof(fig)) != (ssize_t)sizeof(fig))
		_exit(1);
	_exit(0);
}

static int parse_in_child(const struct strlist *files, bool keep,
			  struct child_figure *fig)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		parse_child(files, keep, fds[1]);
	}
	close(fds[1]);
	do
		n = read(fds[0], fig, sizeof(*fig));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (n != (ssize_t)sizeof(*fig) || !fig->ok || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

/*
 * wc -l, the parser on the files and the parser on memory, one after the
 * other in every repeat: this VM's speed drifts within a minute, and the
 * ratios are taken within a repeat, where the drift is small.
 */
static void pin_to_this_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "tbscope-bench: cannot pin to CPU %d: %s\n",
			cpu, strerror(errno));
}

static int cmd_parse(const struct opts *o, const char *run)
{
	struct strlist files = STRLIST_INIT;
	uint64_t bytes = qemu_out_files(run, &files);
	uint64_t rows = 0, lines = 0;
	struct timing t_wc = {.n = 0}, t_file = {.n = 0}, t_keep = {.n = 0};
	double r_file[MAX_REPEATS], r_keep[MAX_REPEATS];
	struct strbuf tmp = STRBUF_INIT, note = STRBUF_INIT;
	long rss_wc = 0, rss_file = 0, rss_keep = 0;
	char **argv;
	int ret = 1, n = 0;
	bool zst = false;

	if (!files.nr) {
		fprintf(stderr, "tbscope-bench: no .qemu_out files in %s\n",
			run);
		return 1;
	}
	argv = xcalloc(files.nr + 5, sizeof(*argv));
	if (is_zst(files.items[0])) {
		/* compressed files: wc -l of what zstd -dc writes */
		zst = true;
		argv[0] = (char *)"sh";
		argv[1] = (char *)"-c";
		argv[2] = (char *)"zstd -qdc \"$@\" | wc -l";
		argv[3] = (char *)"sh";
		for (size_t i = 0; i < files.nr; i++)
			argv[i + 4] = files.items[i];
	} else {
		argv[0] = (char *)"wc";
		argv[1] = (char *)"-l";
		for (size_t i = 0; i < files.nr; i++)
			argv[i + 2] = files.items[i];
	}
	strbuf_addf(&tmp, "%s/tbscope-bench-wc.%ld", tmp_dir(), (long)getpid());

	/*
	 * Every contender on the same core, this one: the two vCPUs of
	 * the VMs this ran on were often of different speeds (one 40%
	 * slower for minutes), and a ratio across them means nothing.
	 */
	pin_to_this_cpu();
	/* The first, untimed round warms the page cache for all. */
	for (int r = -1; r < o->repeats && r < MAX_REPEATS; r++) {
		struct child_figure ff, fk;
		double cpu, t = run_command(argv, tmp.buf, &cpu);

		/* the first child: the largest child so far is wc */
		if (r < 0)
			rss_wc = peak_rss_children();
		if (t < 0 || parse_in_child(&files, false, &ff) < 0 ||
		    parse_in_child(&files, true, &fk) < 0) {
			fprintf(stderr, "tbscope-bench: a parse failed\n");
			goto out;
		}
		if (r < 0)
			continue;
		timing_add(&t_wc, t, cpu);
		timing_add(&t_file, ff.wall, ff.cpu);
		timing_add(&t_keep, fk.wall, fk.cpu);
		r_file[n] = cpu > 0 ? ff.cpu / cpu : 0;
		r_keep[n++] = cpu > 0 ? fk.cpu / cpu : 0;
		rows = ff.rows;
		if (ff.rss_kib > rss_file)
			rss_file = ff.rss_kib;
		if (fk.rss_kib > rss_keep)
			rss_keep = fk.rss_kib;
	}
	lines = wc_total(tmp.buf);
	unlink(tmp.buf);
	timing_finish(&t_wc);
	timing_finish(&t_file);
	timing_finish(&t_keep);

	strbuf_addf(&note, "%zu files, %.1f MB, %llu lines", files.nr,
		    (double)bytes / 1e6, (unsigned long long)lines);
	if (zst)
		strbuf_adds(&note, "; MB/s of the compressed bytes");
	print_row(zst ? "zstd -dc | wc -l (same files)" : "wc -l (same files)",
		  &t_wc, bytes, lines, rss_wc, note.buf);
	strbuf_reset(&note);
	strbuf_addf(&note,
		    "%.2fx wc -l's CPU time (median of %d paired "
		    "repeats); %llu rows",
		    median_of(r_file, n), n, (unsigned long long)rows);
	if (lines && rows + 2 * files.nr != lines)
		strbuf_addf(&note, " (wc: %llu lines?)",
			    (unsigned long long)lines);
	print_row(zst ? ".qemu_out.zst parse (files)"
		      : ".qemu_out parse (files)",
		  &t_file, bytes, rows, rss_file, note.buf);
	strbuf_reset(&note);
	strbuf_addf(&note, "%.2fx wc -l's CPU time; every row kept",
		    median_of(r_keep, n));
	print_row(".qemu_out parse (rows kept)", &t_keep, bytes, rows, rss_keep,
		  note.buf);
	ret = 0;
out:
	free(argv);
	strbuf_release(&tmp);
	strbuf_release(&note);
	strlist_release(&files);
	return ret;
}

static uint64_t run_rows(const struct run *run)
{
	uint64_t rows = 0;

	for (size_t i = 0; i < run->nr_benchmarks; i++)
		rows += run->benchmarks[i].rows;
	return rows;
}

static uint64_t run_functions(const struct run *run)
{
	uint64_t n = 0;

	for (size_t i = 0; i < run->nr_benchmarks; i++)
		n += run->benchmarks[i].nr_functions;
	return n;
}

static uint64_t run_warnings(const struct run *run)
{
	uint64_t n = run->warnings.nr;

	for (size_t i = 0; i < run->nr_benchmarks; i++)
		n += run->benchmarks[i].warnings.nr;
	return n;
}

static int cmd_analyze(const struct opts *o, const char *root)
{
	struct run_options ro = {.no_symbols = o->no_symbols};
	struct timing tm = {.n = 0};
	struct strbuf note = STRBUF_INIT;
	uint64_t bytes = 0, rows = 0;

	for (int r = 0; r < o->repeats; r++) {
		struct run run = RUN_INIT;
		struct errbuf err;
		double t0 = now(), c0 = cpu_time(RUSAGE_SELF);

		if (run_analyze(&run, root, &ro, &err) < 0) {
			fprintf(stderr, "tbscope-bench: %s\n", err.msg);
			return 1;
		}
		timing_add(&tm, now() - t0, cpu_time(RUSAGE_SELF) - c0);
		bytes = run.bytes;
		rows = run_rows(&run);
		if (r == 0) {
			strbuf_addf(&note,
				    "%zu benchmarks, %llu files, %llu "
				    "functions, %llu warnings",
				    run.nr_benchmarks,
				    (unsigned long long)run.files,
				    (unsigned long long)run_functions(&run),
				    (unsigned long long)run_warnings(&run));
		}
		run_release(&run);
	}
	timing_finish(&tm);
	print_row(o->no_symbols ? "analyse run (objects only)"
				: "analyse run (with symbols)",
		  &tm, bytes, rows, peak_rss_self(), note.buf);
	strbuf_release(&note);
	return 0;
}

/* Remove an SQLite database and its WAL files. */
static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s%s", path, suffixes[i]);
		unlink(sb.buf);
	}
	strbuf_release(&sb);
}

static int cmd_index(const struct opts *o, const char *root)
{
	struct run run = RUN_INIT;
	struct timing tm = {.n = 0};
	struct strbuf dir = STRBUF_INIT, db = STRBUF_INIT, note = STRBUF_INIT;
	struct errbuf err;
	char fp[33];
	long db_kib = 0;
	int ret = 1;

	if (run_analyze(&run, root, NULL, &err) < 0 ||
	    run_fingerprint(root, fp, &err) < 0) {
		fprintf(stderr, "tbscope-bench: %s\n", err.msg);
		return 1;
	}
	strbuf_addf(&dir, "%s/tbscope-bench-XXXXXX", tmp_dir());
	if (!mkdtemp(dir.buf)) {
		fprintf(stderr, "tbscope-bench: mkdtemp: %s\n",
			strerror(errno));
		goto out;
	}
	for (int r = 0; r < o->repeats; r++) {
		struct index_run ir = {.id = (char *)"synthetic",
				       .root = (char *)root,
				       .status = INDEX_PENDING};
		struct index *idx;
		struct stat st;
		double t0, c0;

		strbuf_reset(&db);
		strbuf_addf(&db, "%s/index-%d.sqlite", dir.buf, r);
		t0 = now();
		c0 = cpu_time(RUSAGE_SELF);
		idx = index_open(db.buf, &err);
		if (!idx || index_upsert_run(idx, &ir, &err) < 0 ||
		    index_store_run(idx, ir.id, &run, fp, &err) < 0) {
			fprintf(stderr, "tbscope-bench: %s\n", err.msg);
			index_close(idx);
			goto out;
		}
		index_close(idx);
		timing_add(&tm, now() - t0, cpu_time(RUSAGE_SELF) - c0);
		if (!stat(db.buf, &st))
			db_kib = (long)(st.st_size / 1024);
		remove_db(db.buf);
	}
	timing_finish(&tm);
	strbuf_addf(&note,
		    "open+upsert+store+close; %llu functions; %ld KiB; "
		    "RSS includes the analysis",
		    (unsigned long long)run_functions(&run), db_kib);
	print_row("index write (SQLite)", &tm, 0, run_rows(&run),
		  peak_rss_self(), note.buf);
	ret = 0;
out:
	rmdir(dir.buf);
	run_release(&run);
	strbuf_release(&dir);
	strbuf_release(&db);
	strbuf_release(&note);
	return ret;
}

/* median and min, in seconds, from hyperfine --export-json */
static int hyperfine_times(const char *path, struct timing *tm)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr), *res, *times;
	double cpu;
	size_t i;
	json_t *v;

	res = json_array_get(json_object_get(j, "results"), 0);
	times = json_object_get(res, "times");
	if (!res || !json_is_array(times)) {
		fprintf(stderr, "tbscope-bench: %s: not hyperfine's JSON\n",
			path);
		json_decref(j);
		return -1;
	}
	/* hyperfine gives only the mean user and system times */
	cpu = json_number_value(json_object_get(res, "user")) +
	      json_number_value(json_object_get(res, "system"));
	json_array_foreach (times, i, v) {
		timing_add(tm, json_number_value(v), cpu);
	}
	json_decref(j);
	return 0;
}

static int cmd_exec(const struct opts *o, char *const *argv)
{
	struct timing tm = {.n = 0};
	struct strbuf note = STRBUF_INIT;
	uint64_t bytes = 0;
	int runs = o->hyperfine_json ? 1 : o->repeats;

	for (int r = 0; r < runs; r++) {
		double cpu, t = run_command(argv, "/dev/null", &cpu);

		if (t < 0)
			return 1;
		if (!o->hyperfine_json)
			timing_add(&tm, t, cpu);
	}
	if (o->hyperfine_json && hyperfine_times(o->hyperfine_json, &tm) < 0)
		return 1;
	timing_finish(&tm);
	for (size_t i = 0; i < o->inputs.nr; i++) {
		struct strlist files = STRLIST_INIT;

		bytes += qemu_out_files(o->inputs.items[i], &files);
		strlist_release(&files);
	}
	strbuf_addf(&note, "%s, %d runs",
		    o->hyperfine_json ? "hyperfine" : "wall", tm.n);
	print_row(o->label ? o->label : argv[0], &tm, bytes, 0,
		  peak_rss_children(), note.buf);
	strbuf_release(&note);
	return 0;
}

/*
 * Decoding a real ELF's code as the mix does, in blocks of 16: every
 * executable section of ELF (the riscv64 libc from Debian's cross
 * package, say), decoded and classified once per repeat with a fresh
 * decoder, so that its cache starts empty as it does per benchmark.
 */
static int cmd_decode(const struct opts *o, const char *path)
{
	struct errbuf err;
	struct elf_image *img = elf_image_open(path, &err);
	struct disasm_insn out[16];
	struct timing tm = {.n = 0};
	struct strbuf note = STRBUF_INIT;
	uint64_t insns = 0, bytes = 0;

	if (!img) {
		fprintf(stderr, "tbscope-bench: %s\n", err.msg);
		return 1;
	}
	for (int r = 0; r < o->repeats; r++) {
		double t0 = now(), c0 = cpu_time(RUSAGE_SELF);
		struct disasm *d = disasm_new_for_image(img, &err);

		if (!d) {
			fprintf(stderr, "tbscope-bench: %s\n", err.msg);
			elf_image_free(img);
			return 1;
		}
		insns = bytes = 0;
		for (size_t s = 0; s < img->nr_secs; s++) {
			uint64_t va = img->secs[s].addr,
				 end = va + img->secs[s].size;

			while (img->secs[s].exec && va < end) {
				size_t avail, n;
				const uint8_t *b =
					elf_image_bytes(img, va, &avail);

				if (!b)
					break;
				if (avail > end - va)
					avail = (size_t)(end - va);
				n = disasm_block(d, b, avail, va, 16, out);
				if (!n)
					break;
				for (size_t i = 0; i < n; i++) {
					va += out[i].len;
					bytes += out[i].len;
				}
				insns += n;
			}
		}
		disasm_free(d);
		timing_add(&tm, now() - t0, cpu_time(RUSAGE_SELF) - c0);
	}
	timing_finish(&tm);
	strbuf_addf(&note, "%s: %llu instructions, %.0f ns each",
		    strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
		    (unsigned long long)insns,
		    tm.cpu_median * 1e9 / (double)(insns ? insns : 1));
	print_row("decode + classify (ELF)", &tm, bytes, insns, peak_rss_self(),
		  note.buf);
	strbuf_release(&note);
	elf_image_free(img);
	return 0;
}

static const char usage[] =
	"usage: tbscope-bench header\n"
	"       tbscope-bench parse   [-r N] RUN\n"
	"       tbscope-bench analyze [-r N] [--no-symbols] RUN\n"
	"       tbscope-bench index   [-r N] RUN\n"
	"       tbscope-bench decode  [-r N] ELF      disassembly and classes\n"
	"       tbscope-bench exec    [-r N] [-l LABEL] [-i RUN]... [-j "
	"HYPERFINE_JSON] -- CMD [ARG]...\n"
	"  -r, --repeats N     time each figure N times (default 5)\n"
	"  -l, --label TEXT    the figure's name in the table\n"
	"  -i, --input RUN     exec: count RUN's .qemu_out bytes for MB/s\n"
	"  -j, --hyperfine F   exec: times from hyperfine --export-json F\n";

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"repeats", required_argument, NULL, 'r'},
		{"no-symbols", no_argument, NULL, 'n'},
		{"label", required_argument, NULL, 'l'},
		{"input", required_argument, NULL, 'i'},
		{"hyperfine", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.repeats = 5};
	const char *cmd;
	int c, ret = 2;

	if (argc < 2)
		goto bad;
	cmd = argv[1];
	if (!strcmp(cmd, "header")) {
		print_header();
		return 0;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "+r:nl:i:j:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'r':
			o.repeats = (int)strtol(optarg, NULL, 10);
			if (o.repeats < 1 || o.repeats > MAX_REPEATS)
				goto bad;
			break;
		case 'n':
			o.no_symbols = true;
			break;
		case 'l':
			o.label = optarg;
			break;
		case 'i':
			strlist_add(&o.inputs, optarg);
			break;
		case 'j':
			o.hyperfine_json = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (!strcmp(cmd, "exec") && optind < argc)
		ret = cmd_exec(&o, argv + optind);
	else if (argc - optind != 1)
		goto bad;
	else if (!strcmp(cmd, "parse"))
		ret = cmd_parse(&o, argv[optind]);
	else if (!strcmp(cmd, "analyze"))
		ret = cmd_analyze(&o, argv[optind]);
	else if (!strcmp(cmd, "index"))
		ret = cmd_index(&o, argv[optind]);
	else if (!strcmp(cmd, "decode"))
		ret = cmd_decode(&o, argv[optind]);
	else
		goto bad;
	strlist_release(&o.inputs);
	return ret;
bad:
	strlist_release(&o.inputs);
	fputs(usage, stderr);
	return 2;
}
