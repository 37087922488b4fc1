/* SPDX-License-Identifier: MIT */
/*
 * `tbscope record` runs a program under QEMU user mode with tbscope's
 * plugin, as llvm-lit's run-under command (TEST_SUITE_RUN_UNDER) or by
 * hand; `tbscope clean` removes what recording left in a build directory.
 *
 * record: the QEMU is --qemu or qemu-ARCH on PATH, ARCH from the program's
 * ELF header; the plugin is --plugin or libtbscope_plugin.so beside the
 * tbscope executable (the build tree) or in LIBDIR/tbscope (installed).
 * The next free suffix N is claimed here by creating PROG.qemu_out[.N]
 * with O_EXCL, so concurrent invocations of one program (`lit -j`) never
 * share or skip a number, and an unwritable directory is reported before
 * QEMU starts; the plugin is told the suffix.  QEMU is run directly (no
 * shell): the program's arguments, stdin, stdout, stderr and environment
 * pass through untouched, and record exits with the program's status (a
 * signal becomes 128+N, as a shell reports it).  Its own failures exit
 * with 125 and one message, so they cannot pass for the program's.  On
 * first use it writes tbscope-run.json at the build root with the QEMU
 * version, the plugin options, the sysroot and the host.
 */
#define _XOPEN_SOURCE 700 /* realpath(), nftw() */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "builtin.h"
#include "errbuf.h"
#include "fileio.h"
#include "parse_options.h"
#include "sort.h"
#include "strbuf.h"
#include "strlist.h"
#include "xalloc.h"
#include "banned.h"

#define EXIT_RECORD_FAILED 125
#define RUN_META	   "tbscope-run.json"

#ifndef TBSCOPE_PLUGIN_RELDIR
#define TBSCOPE_PLUGIN_RELDIR "../lib/tbscope"
#endif

static const char record_usage[] =
	"usage: tbscope record [options] [--] PROG [ARGS...]\n"
	"\n"
	"Run PROG under QEMU user mode with tbscope's plugin: writes\n"
	"PROG.qemu_out[.N] (every block, hotblocks format) and PROG.map[.N]\n"
	"(its mappings), with --rate also PROG.rate[.N], N the next free\n"
	"number.  Exits with PROG's status (a signal: 128+N); with 125 when\n"
	"recording itself fails.  As llvm-test-suite's run-under command:\n"
	"  -DTEST_SUITE_RUN_UNDER=\"tbscope record --sysroot DIR --\"\n";

struct record_opts {
	const char *qemu, *plugin, *sysroot, *build_dir;
	uint64_t rate_ms;
	bool use_inline;
};

static char *xstrfmt(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static char *xstrfmt(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("tbscope record: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_RECORD_FAILED;
}

/* PROG as execvp() would find it; malloc'd, or NULL. */
static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	struct strbuf sb = STRBUF_INIT;

	if (strchr(name, '/'))
		return access(name, F_OK) ? NULL : xstrdup(name);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		strbuf_reset(&sb);
		if (len)
			strbuf_add(&sb, path, len);
		else
			strbuf_addch(&sb, '.');
		strbuf_addf(&sb, "/%s", name);
		if (!access(sb.buf, X_OK))
			return strbuf_detach(&sb, NULL);
		path += len + (colon ? 1 : 0);
	}
	strbuf_release(&sb);
	return NULL;
}

/* QEMU's name for the ELF's architecture ("riscv64"), or NULL. */
static const char *elf_arch(const char *path, struct strbuf *why)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read_in_full(fd, h, sizeof(h));
	unsigned machine;
	int is64, le;

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		strbuf_addf(why, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (n < (ssize_t)sizeof(h) || memcmp(h, "\177ELF", 4)) {
		strbuf_addf(why, "%s is not an ELF program", path);
		return NULL;
	}
	is64 = h[4] == 2;
	le = h[5] == 1;
	machine = le ? (unsigned)(h[18] | h[19] << 8)
		     : (unsigned)(h[18] << 8 | h[19]);
	switch (machine) {
	case 243:
		return is64 ? "riscv64" : "riscv32";
	case 183:
		return le ? "aarch64" : "aarch64_be";
	case 62:
		return "x86_64";
	case 3:
		return "i386";
	case 40:
		return le ? "arm" : "armeb";
	case 21:
		return le ? "ppc64le" : "ppc64";
	case 22:
		return "s390x";
	case 258:
		return "loongarch64";
	case 8:
		return is64 ? (le ? "mips64el" : "mips64")
			    : (le ? "mipsel" : "mips");
	}
	strbuf_addf(why, "%s: ELF machine %u is not one tbscope knows", path,
		    machine);
	return NULL;
}

/* Run argv, its stdout (at most max bytes) into out; its exit status. */
static int capture(const char *const *argv, struct strbuf *out, size_t max)
{
	int fds[2], status;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out->len < max)
			strbuf_add(out, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/*
 * QEMU's version line, after checking that this QEMU takes -plugin.
 * Returns 0, or 125 with the message printed.
 */
static int check_qemu(const char *qemu, struct strbuf *version)
{
	struct strbuf help = STRBUF_INIT;
	const char *vargv[] = {qemu, "--version", NULL};
	const char *hargv[] = {qemu, "-h", NULL};
	char *nl;
	int status = capture(vargv, version, 4096);

	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 127 ||
	    !strstr(version->buf, "version"))
		return fail("%s does not run as QEMU (%s --version failed)",
			    qemu, qemu);
	nl = strchr(version->buf, '\n');
	if (nl) {
		*nl = '\0';
		version->len = (size_t)(nl - version->buf);
	}
	capture(hargv, &help, 1 << 20);
	if (!strstr(help.buf, "-plugin")) {
		strbuf_release(&help);
		return fail("%s (%s) has no TCG plugin support (-plugin): "
			    "QEMU 4.2 or later built with --enable-plugins "
			    "is needed, e.g. Debian 12's qemu-user",
			    qemu, version->buf);
	}
	strbuf_release(&help);
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* libtbscope_plugin.so beside the running tbscope, or installed; NULL. */
static char *find_plugin(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *dir, *p;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	dir = dir_of(exe);
	p = xstrfmt("%s/libtbscope_plugin.so", dir);
	if (access(p, R_OK)) {
		free(p);
		p = xstrfmt("%s/" TBSCOPE_PLUGIN_RELDIR "/libtbscope_plugin.so",
			    dir);
		if (access(p, R_OK)) {
			free(p);
			p = NULL;
		}
	}
	free(dir);
	return p;
}

/*
 * Claim PREFIX.qemu_out[.N] for the first free N with O_EXCL.  Returns N
 * (0: no suffix), or -1 with errno set.
 */
static long claim_suffix(const char *prefix, struct strbuf *path)
{
	for (long n = 0; n < LONG_MAX; n++) {
		int fd;

		strbuf_reset(path);
		strbuf_addf(path, "%s.qemu_out", prefix);
		if (n)
			strbuf_addf(path, ".%ld", n);
		fd = open(path->buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0666);
		if (fd >= 0) {
			close(fd);
			return n;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* The build root for tbscope-run.json (see the usage); malloc'd. */
static char *build_root(const char *prog_abs)
{
	char *dir = dir_of(prog_abs), *d = xstrdup(dir);
	const char *ext;

	for (;;) {
		char *cache = xstrfmt("%s/CMakeCache.txt", d);
		int found = !access(cache, F_OK);

		free(cache);
		if (found) {
			free(dir);
			return d;
		}
		if (!strcmp(d, "/") || !strchr(d, '/'))
			break;
		{
			char *up = dir_of(d);

			free(d);
			d = up;
		}
	}
	free(d);
	ext = strstr(dir, "/External/");
	if (ext) {
		char *root = xstrndup(dir, (size_t)(ext - dir));

		free(dir);
		return root;
	}
	return dir;
}

/*
 * Write tbscope-run.json's "recording" at root when there is no such file
 * yet (first use); when there is one naming another QEMU or other plugin
 * options, say so: the run mixes recordings that do not compare.
 */
static void note_recording(const char *root, json_t *rec)
{
	char *path = xstrfmt("%s/" RUN_META, root);
	json_t *old = json_load_file(path, 0, NULL);

	if (old) {
		json_t *prev = json_object_get(old, "recording");

		const char *key;
		json_t *v;

		json_object_foreach (rec, key, v) {
			json_t *was = json_object_get(prev, key);
			char *a, *b;

			if (!json_is_object(prev) || json_equal(was, v))
				continue;
			a = was ? json_dumps(was,
					     JSON_COMPACT | JSON_ENCODE_ANY)
				: NULL;
			b = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			fprintf(stderr,
				"tbscope record: warning: %s says %s %s; "
				"this invocation has %s: the run mixes "
				"recordings that do not compare\n",
				path, key, a ? a : "(none)", b ? b : "?");
			free(a);
			free(b);
		}
		json_decref(old);
	} else if (access(path, F_OK)) {
		json_t *obj = json_object();
		char *tmp = xstrfmt("%s/.%s.%ld.tmp", root, RUN_META,
				    (long)getpid());
		char *text;
		int fd;

		json_object_set(obj, "recording", rec);
		text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		/* link(): the first of concurrent first uses wins */
		if (fd >= 0 && text && !write_in_full(fd, text, strlen(text)) &&
		    !write_in_full(fd, "\n", 1) && !close(fd)) {
			fd = -1;
			if (link(tmp, path) && errno != EEXIST)
				fprintf(stderr,
					"tbscope record: warning: cannot "
					"write %s: %s\n",
					path, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(text);
		free(tmp);
		json_decref(obj);
	}
	free(path);
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/* Empty, or the plugin's exit came before any guest code was translated. */
static int no_counts(const char *path)
{
	static const char none[] = "collected 0 entries";
	char buf[sizeof(none)];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read_in_full(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n == 0 || (n == (ssize_t)sizeof(buf) - 1 &&
			  !memcmp(buf, none, sizeof(buf) - 1));
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = {0};
	bool help = false;
	const struct option_spec opts[] = {
		OPT_STRING(0, "qemu", "PATH",
			   "the emulator (default: qemu-ARCH on PATH, ARCH\n"
			   "from PROG's ELF header)",
			   &o.qemu),
		OPT_STRING(0, "plugin", "PATH",
			   "libtbscope_plugin.so (default: beside tbscope,\n"
			   "then " TBSCOPE_PLUGIN_RELDIR "/ from it)",
			   &o.plugin),
		OPT_STRING('L', "sysroot", "DIR",
			   "the guest's shared libraries (QEMU's -L)",
			   &o.sysroot),
		OPT_COUNT(0, "rate", "MS",
			  "also write PROG.rate[.N]: instructions per MS",
			  &o.rate_ms, 1, 86400000),
		OPT_BOOL(0, "inline",
			 "QEMU's inline counters: faster, exact only for\n"
			 "single-threaded programs",
			 &o.use_inline),
		OPT_STRING(0, "build-dir", "DIR",
			   "where tbscope-run.json goes (default: the\n"
			   "nearest directory above PROG with CMakeCache.txt,\n"
			   "else the one holding External/, else PROG's)",
			   &o.build_dir),
		OPT_HELP('h', &help),
		OPT_END(),
	};
	struct errbuf perr;
	int first;
	struct strbuf why = STRBUF_INIT, version = STRBUF_INIT;
	struct strbuf claimed = STRBUF_INIT, popt = STRBUF_INIT;
	struct strlist qargv = STRLIST_INIT;
	char *prog = NULL, *prog_abs = NULL, *qemu = NULL, *plugin = NULL;
	char *root = NULL, *dir;
	const char *arch;
	struct sigaction sa, old_int, old_term, old_hup, old_quit;
	struct utsname un;
	json_t *rec;
	long suffix;
	int status, ret = EXIT_RECORD_FAILED;
	pid_t pid;

	first = parse_options_in_order(argc, argv, opts, &perr);
	if (first < 0)
		return usage_error("record", record_usage, opts, &perr);
	if (help) {
		usage_with_options(stdout, record_usage, opts);
		return 0;
	}
	if (first >= argc) {
		usage_with_options(stderr, record_usage, opts);
		return EXIT_USAGE;
	}

	prog = find_in_path(argv[first]);
	if (!prog) {
		ret = fail("%s: no such program", argv[first]);
		goto out;
	}
	/* the outputs go beside the path it was run by: its directory
	 * resolved, its name kept (a symlink's outputs stay beside it) */
	{
		char *pdir = dir_of(prog), *real = realpath(pdir, NULL);
		const char *name = strrchr(prog, '/');

		if (real)
			prog_abs =
				xstrfmt("%s/%s", strcmp(real, "/") ? real : "",
					name ? name + 1 : prog);
		else
			ret = fail("%s: %s", pdir, strerror(errno));
		free(real);
		free(pdir);
		if (!prog_abs)
			goto out;
	}
	arch = elf_arch(prog_abs, &why);
	if (!arch && !o.qemu) {
		ret = fail("%s", why.buf);
		goto out;
	}
	if (o.qemu) {
		qemu = find_in_path(o.qemu);
		if (!qemu) {
			ret = fail("--qemu %s: no such program", o.qemu);
			goto out;
		}
	} else {
		char *name = xstrfmt("qemu-%s", arch);

		qemu = find_in_path(name);
		if (!qemu) {
			ret = fail("no %s on PATH: install QEMU user mode "
				   "(Debian: qemu-user) or give --qemu PATH",
				   name);
			free(name);
			goto out;
		}
		free(name);
	}
	if (check_qemu(qemu, &version))
		goto out;
	plugin = o.plugin ? xstrdup(o.plugin) : find_plugin();
	if (!plugin || access(plugin, R_OK)) {
		ret = fail("%s: tbscope's QEMU plugin is missing (build it: "
			   "cmake finds QEMU's qemu-plugin.h through "
			   "deploy/setup.sh or -DQEMU_PLUGIN_HEADER=...; or "
			   "give --plugin PATH)",
			   plugin ? plugin : "libtbscope_plugin.so");
		goto out;
	}
	if (strchr(prog_abs, ',')) {
		ret = fail("%s: QEMU's -plugin cannot pass a path with a ','",
			   prog_abs);
		goto out;
	}

	/* outputs beside the program: the path it was run by, resolved */
	suffix = claim_suffix(prog_abs, &claimed);
	if (suffix < 0) {
		dir = dir_of(prog_abs);
		ret = fail("cannot record in %s: %s: %s", dir, claimed.buf,
			   strerror(errno));
		free(dir);
		goto out;
	}
	strbuf_addf(&popt, "%s,prefix=%s", plugin, prog_abs);
	if (suffix)
		strbuf_addf(&popt, ",suffix=%ld", suffix);
	else
		strbuf_adds(&popt, ",suffix=none");
	if (o.rate_ms)
		strbuf_addf(&popt, ",rate=%llu", (unsigned long long)o.rate_ms);
	if (o.use_inline)
		strbuf_adds(&popt, ",inline=on");

	/* tbscope-run.json: what this run was recorded with */
	root = o.build_dir ? xstrdup(o.build_dir) : build_root(prog_abs);
	rec = json_object();
	json_object_set_new(rec, "qemu", json_string(version.buf));
	/* the options that change counts (rate= does not) */
	json_object_set_new(rec, "plugin_options",
			    json_string(o.use_inline ? "inline=on" : ""));
	json_object_set_new(rec, "plugin", json_string("tbscope_plugin"));
	json_object_set_new(rec, "sysroot",
			    o.sysroot ? json_string(o.sysroot) : json_null());
	if (!uname(&un))
		json_object_set_new(rec, "host",
				    json_pack("{s:s, s:s, s:s}", "system",
					      un.sysname, "release", un.release,
					      "machine", un.machine));
	note_recording(root, rec);
	json_decref(rec);

	strlist_add(&qargv, qemu);
	if (o.sysroot) {
		strlist_add(&qargv, "-L");
		strlist_add(&qargv, o.sysroot);
	}
	strlist_add(&qargv, "-plugin");
	strlist_add(&qargv, popt.buf);
	for (int i = first; i < argc; i++)
		strlist_add(&qargv, argv[i]);
	strlist_add_take(&qargv, NULL);

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = fail("fork: %s", strerror(errno));
		goto out;
	}
	if (!pid) {
		execv(qemu, qargv.items);
		fprintf(stderr, "tbscope record: %s: %s\n", qemu,
			strerror(errno));
		_exit(EXIT_RECORD_FAILED);
	}
	/* the program gets the terminal's signals; pass on the others */
	child_pid = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGQUIT, &sa, &old_quit);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = EXIT_RECORD_FAILED << 8;
			break;
		}
	}
	child_pid = 0;
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);

	if (WIFSIGNALED(status))
		ret = 128 + WTERMSIG(status);
	else
		ret = WEXITSTATUS(status);

	/* nothing written: QEMU did not start, or a fault killed the guest */
	if (no_counts(claimed.buf)) {
		struct strbuf p = STRBUF_INIT;
		const char *sfx =
			strchr(claimed.buf + strlen(prog_abs) + 1, '.');

		fprintf(stderr,
			"tbscope record: no counts from %s (%s): removed "
			"its outputs\n",
			prog_abs,
			WIFSIGNALED(status) ? "killed by a signal"
					    : "QEMU exited early");
		unlink(claimed.buf);
		strbuf_addf(&p, "%s.map%s", prog_abs, sfx ? sfx : "");
		unlink(p.buf);
		strbuf_reset(&p);
		strbuf_addf(&p, "%s.rate%s", prog_abs, sfx ? sfx : "");
		unlink(p.buf);
		strbuf_release(&p);
	}
out:
	strbuf_release(&why);
	strbuf_release(&version);
	strbuf_release(&claimed);
	strbuf_release(&popt);
	strlist_release(&qargv);
	free(prog);
	free(prog_abs);
	free(qemu);
	free(plugin);
	free(root);
	return ret;
}

/* ---- tbscope clean ------------------------------------------------------ */

static const char clean_usage[] =
	"usage: tbscope clean [--dry-run] BUILD_DIR\n"
	"\n"
	"Remove what recording left in BUILD_DIR: every PROG.qemu_out[.N],\n"
	"PROG.rate[.N] and (beside its .qemu_out) PROG.map[.N] whose PROG is\n"
	"a file in the same directory, and a tbscope-run.json that holds\n"
	"nothing but what `tbscope record` wrote.  Lists what it removes.\n"
	"\n"
	"";

static struct strlist clean_found;

/* "NAME.KIND" or "NAME.KIND.N": the length of NAME, or 0. */
static size_t recorded_stem(const char *base, const char *kind,
			    const char **suffix)
{
	size_t klen = strlen(kind), len = strlen(base);

	for (size_t i = 1; i + klen + 1 <= len; i++) {
		const char *s = base + i + 1 + klen;

		if (base[i] != '.' || strncmp(base + i + 1, kind, klen))
			continue;
		if (!*s) {
			*suffix = s;
			return i;
		}
		if (*s == '.' && s[1] >= '1' && s[1] <= '9' &&
		    strspn(s + 1, "0123456789") == strlen(s + 1)) {
			*suffix = s;
			return i;
		}
	}
	return 0;
}

static int is_regular(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISREG(st.st_mode);
}

static int clean_visit(const char *path, const struct stat *st, int type,
		       struct FTW *ftw)
{
	static const char *const kinds[] = {"qemu_out", "map", "rate"};
	const char *base = path + ftw->base;

	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	for (size_t k = 0; k < 3; k++) {
		const char *suffix;
		size_t stem = recorded_stem(base, kinds[k], &suffix);
		char *prog, *qo;
		int ok;

		if (!stem)
			continue;
		prog = xstrndup(path, (size_t)(base - path) + stem);
		ok = is_regular(prog);
		if (ok && k == 1) {
			/* a .map only beside its .qemu_out: linkers write
			 * PROG.map files too */
			qo = xstrfmt("%s.qemu_out%s", prog, suffix);
			ok = is_regular(qo);
			free(qo);
		}
		free(prog);
		if (ok) {
			strlist_add(&clean_found, path);
			break;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* tbscope-run.json holding only "recording": record's, removable. */
static int only_recording(const char *path)
{
	json_t *j = json_load_file(path, 0, NULL);
	int ret = json_is_object(j) && json_object_size(j) == 1 &&
		  json_object_get(j, "recording");

	json_decref(j);
	return ret;
}

int cmd_clean(int argc, char **argv)
{
	bool dry_run = false, help = false;
	const struct option_spec opts[] = {
		OPT_BOOL('n', "dry-run",
			 "list what would be removed; remove nothing",
			 &dry_run),
		OPT_HELP('h', &help),
		OPT_END(),
	};
	struct errbuf perr;
	int first, ret = 0;
	const char *dir;
	char *meta;
	struct stat st;

	first = parse_options(argc, argv, opts, &perr);
	if (first < 0)
		return usage_error("clean", clean_usage, opts, &perr);
	if (help) {
		usage_with_options(stdout, clean_usage, opts);
		return 0;
	}
	if (first + 1 != argc) {
		usage_with_options(stderr, clean_usage, opts);
		return EXIT_USAGE;
	}
	dir = argv[first];
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "tbscope clean: %s: not a directory\n", dir);
		return 1;
	}
	strlist_release(&clean_found);
	if (nftw(dir, clean_visit, 32, FTW_PHYS)) {
		fprintf(stderr, "tbscope clean: cannot walk %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	sort_n(clean_found.items, clean_found.nr, sizeof(char *), cmp_str);
	meta = xstrfmt("%s/" RUN_META, dir);
	if (is_regular(meta) && only_recording(meta))
		strlist_add(&clean_found, meta);
	free(meta);
	for (size_t i = 0; i < clean_found.nr; i++) {
		const char *p = clean_found.items[i];

		if (!dry_run && unlink(p)) {
			fprintf(stderr, "tbscope clean: cannot remove %s: %s\n",
				p, strerror(errno));
			ret = 1;
			continue;
		}
		printf("%s %s\n", dry_run ? "would remove" : "removed", p);
	}
	fprintf(stderr, "tbscope clean: %s %zu file%s\n",
		dry_run ? "would remove" : "removed", clean_found.nr,
		clean_found.nr == 1 ? "" : "s");
	strlist_release(&clean_found);
	return ret;
}
