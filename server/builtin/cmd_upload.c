/* SPDX-License-Identifier: MIT */
/*
 * `tbscope upload`: pack what the server needs from a build directory
 * (run_list_files() decides: the analysis library knows what it reads)
 * into a tar.gz and stream it to POST /api/v1/runs.  The archive is
 * written by a thread into a pipe that libcurl reads from, so nothing is
 * staged on disk and memory stays flat whatever the run's size.
 */
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "errbuf.h"
#include "fileio.h"
#include "parse_options.h"
#include "run.h"
#include "strbuf.h"
#include "strlist.h"
#include "xalloc.h"
#include "banned.h"

static const char upload_usage[] =
	"usage: tbscope upload --server URL --name ID [options] BUILD_DIR\n"
	"\n"
	"Pack what the server needs from BUILD_DIR -- every *.qemu_out[.N],\n"
	"its .map and .rate, the programs, tbscope-run.json, and with\n"
	"--sysroot the shared libraries the maps name -- and stream it as a\n"
	"tar.gz to URL/api/v1/runs.  Prints the run's URLs.\n";

struct upload_opts {
	const char *server, *token_file, *name, *dir;
	struct strlist meta; /* KEY=VALUE */
	struct strlist sysroots;
	bool dry_run, markdown;
	bool fail_on_regression; /* the CI gate */
	long timeout;
};

/* ---- the archive writer thread ------------------------------------------ */

struct packer {
	const struct run_files *files;
	int fd; /* the pipe's write end */
	struct errbuf err;
	int failed;
	uint64_t bytes;	  /* of the files */
	atomic_bool stop; /* the server answered: finish the archive now */
};

static int pack_one(struct archive *a, const struct run_file *f,
		    atomic_bool *stop, struct errbuf *err)
{
	struct archive_entry *e = archive_entry_new();
	struct stat st;
	char buf[65536];
	int fd = open(f->path, O_RDONLY | O_CLOEXEC), ret = -1;
	int64_t left;

	if (fd < 0 || fstat(fd, &st) < 0) {
		errbuf_set(err, "cannot read '%s': %s", f->path,
			   strerror(errno));
		goto out;
	}
	archive_entry_set_pathname(e, f->name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, st.st_mode & 0111 ? 0755 : 0644);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (archive_write_header(a, e) < ARCHIVE_OK) {
		errbuf_set(err, "%s: %s", f->name, archive_error_string(a));
		goto out;
	}
	for (left = st.st_size; left > 0 && !atomic_load(stop);) {
		ssize_t n = read(fd, buf,
				 left < (int64_t)sizeof(buf) ? (size_t)left
							     : sizeof(buf));

		if (n <= 0) {
			errbuf_set(err, "'%s' shrank while it was sent",
				   f->path);
			goto out;
		}
		if (archive_write_data(a, buf, (size_t)n) != n) {
			errbuf_set(err, "%s", archive_error_string(a));
			goto out;
		}
		left -= n;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return ret;
}

static void *packer_main(void *arg)
{
	struct packer *p = arg;
	struct archive *a = archive_write_new();

	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_fd(a, p->fd) != ARCHIVE_OK) {
		p->failed = errbuf_set(&p->err, "%s", archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; i < p->files->nr && !atomic_load(&p->stop); i++)
		if (pack_one(a, &p->files->items[i], &p->stop, &p->err) < 0) {
			p->failed = -1;
			break;
		}
	if (!p->failed && archive_write_close(a) != ARCHIVE_OK)
		p->failed = errbuf_set(&p->err, "%s", archive_error_string(a));
out:
	archive_write_free(a);
	close(p->fd); /* EOF for curl, or the end of a failed upload */
	return NULL;
}

/* ---- HTTP ---------------------------------------------------------------- */

/* Read fd to its end, dropping the bytes. */
static void drain(int fd)
{
	char buf[65536];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
}

struct transfer {
	int fd; /* the pipe's read end */
	uint64_t sent;
};

static size_t read_body(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct transfer *t = ctx;
	ssize_t n;

	do
		n = read(t->fd, buf, size * nitems);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return CURL_READFUNC_ABORT;
	t->sent += (uint64_t)n;
	return (size_t)n;
}

static size_t write_answer(char *data, size_t size, size_t nmemb, void *ctx)
{
	strbuf_add(ctx, data, size * nmemb);
	return size * nmemb;
}

static void add_query(struct strbuf *url, CURL *c, const char *key,
		      const char *value)
{
	char *v = curl_easy_escape(c, value, 0);

	strbuf_addf(url, "&%s=%s", key, v);
	curl_free(v);
}

static int read_token(const struct upload_opts *o, struct strbuf *tok)
{
	struct errbuf err;
	const char *env = getenv("TBSCOPE_TOKEN");

	if (o->token_file) {
		if (read_file(tok, o->token_file, 4096, &err) < 0) {
			fprintf(stderr, "tbscope upload: %s\n", err.msg);
			return -1;
		}
		while (tok->len && strchr(" \t\r\n", tok->buf[tok->len - 1]))
			tok->buf[--tok->len] = '\0';
	} else if (env) {
		strbuf_adds(tok, env);
	}
	if (!tok->len) {
		fputs("tbscope upload: no token: pass --token-file FILE or set "
		      "TBSCOPE_TOKEN\n",
		      stderr);
		return -1;
	}
	return 0;
}

/* Print what the server answered; returns the exit status. */
static int report_answer(const struct upload_opts *o, long status,
			 const struct strbuf *answer, uint64_t sent)
{
	json_error_t jerr;
	json_t *j = json_loadb(answer->buf, answer->len, 0, &jerr);
	const char *v;
	int ret = 1;

	if (status != 201) {
		json_t *e = json_object_get(j, "error");

		fprintf(stderr,
			"tbscope upload: the server refused the run (%ld",
			status);
		if (json_is_object(e))
			fprintf(stderr, " %s): %s\n",
				json_string_value(json_object_get(e, "code")),
				json_string_value(
					json_object_get(e, "message")));
		else
			fprintf(stderr, "): %.*s\n", (int)answer->len,
				answer->buf);
		goto out;
	}
	if (!json_is_object(j)) {
		fprintf(stderr, "tbscope upload: unexpected answer: %.200s\n",
			answer->buf);
		goto out;
	}
	printf("uploaded %s (%.1f MB)\n",
	       json_string_value(json_object_get(j, "id")), (double)sent / 1e6);
	printf("  run:     %s\n", json_string_value(json_object_get(j, "url")));
	v = json_string_value(json_object_get(j, "compare_url"));
	if (v)
		printf("  compare: %s\n", v);
	v = json_string_value(json_object_get(j, "markdown"));
	if (o->markdown && v)
		printf("\n%s", v);
	v = json_string_value(json_object_get(j, "status"));
	if (v && !strcmp(v, "failed")) {
		fprintf(stderr,
			"tbscope upload: stored, but the analysis failed: %s\n",
			json_string_value(json_object_get(j, "error")));
		goto out;
	}
	ret = 0;
out:
	json_decref(j);
	return ret;
}

/*
 * The CI gate: did run o->name open a regression in its series?  Prints
 * their Markdown summaries (with the permalinks) and returns 3 when it
 * did, 0 when not, 1 when the server cannot say.
 */
static int regression_gate(const struct upload_opts *o, const char *auth)
{
	struct strbuf url = STRBUF_INIT, answer = STRBUF_INIT;
	struct curl_slist *hdrs = curl_slist_append(NULL, auth);
	char curl_err[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	long status = 0;
	int ret = 1;
	char *v;

	if (!c)
		goto out;
	strbuf_adds(&url, o->server);
	while (url.len && url.buf[url.len - 1] == '/')
		url.buf[--url.len] = '\0';
	v = curl_easy_escape(c, o->name, 0);
	strbuf_addf(&url, "/api/v1/regressions?format=markdown&run=%s", v);
	curl_free(v);
	curl_easy_setopt(c, CURLOPT_URL, url.buf);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tbscope-upload");
	if (curl_easy_perform(c) != CURLE_OK) {
		fprintf(stderr, "tbscope upload: --fail-on-regression: %s\n",
			curl_err);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		fprintf(stderr,
			"tbscope upload: --fail-on-regression: HTTP %ld: %s\n",
			status, answer.buf);
		goto out;
	}
	if (!answer.len) {
		ret = 0;
		goto out;
	}
	printf("\n%s", answer.buf);
	fprintf(stderr,
		"tbscope upload: run %s opened a regression in its "
		"series (--fail-on-regression)\n",
		o->name);
	ret = 3;
out:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	strbuf_release(&url);
	strbuf_release(&answer);
	return ret;
}

static int send_run(const struct upload_opts *o, const struct run_files *files)
{
	struct strbuf url = STRBUF_INIT, tok = STRBUF_INIT, auth = STRBUF_INIT;
	struct strbuf answer = STRBUF_INIT;
	struct curl_slist *hdrs = NULL;
	struct packer p = {.files = files, .fd = -1};
	struct transfer t = {-1, 0};
	char curl_err[CURL_ERROR_SIZE] = "";
	pthread_t thread;
	bool started = false;
	int pipefd[2], ret = 1;
	long status = 0;
	CURLcode rc;
	CURL *c;

	if (read_token(o, &tok) < 0)
		return 1;
	c = curl_easy_init();
	if (!c || pipe(pipefd) < 0) {
		fputs("tbscope upload: cannot set up the transfer\n", stderr);
		goto out;
	}
	t.fd = pipefd[0];
	p.fd = pipefd[1];
	strbuf_adds(&url, o->server);
	while (url.len && url.buf[url.len - 1] == '/')
		url.buf[--url.len] = '\0'; /* "http://host/" */
	strbuf_adds(&url, "/api/v1/runs?");
	{
		char *v = curl_easy_escape(c, o->name, 0);

		/* wait=1: answer with the analysis done (the summary) */
		strbuf_addf(&url, "name=%s&wait=1", v);
		curl_free(v);
	}
	for (size_t i = 0; i < o->meta.nr; i++) {
		const char *kv = o->meta.items[i], *eq = strchr(kv, '=');
		char *key = xstrndup(kv, (size_t)(eq - kv));

		add_query(&url, c, key, eq + 1);
		free(key);
	}
	strbuf_addf(&auth, "Authorization: Bearer %s", tok.buf);
	hdrs = curl_slist_append(hdrs, auth.buf);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/gzip");
	curl_easy_setopt(c, CURLOPT_URL, url.buf);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt(c, CURLOPT_READDATA, &t);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tbscope-upload");
	if (pthread_create(&thread, NULL, packer_main, &p) != 0) {
		fputs("tbscope upload: cannot start the packer\n", stderr);
		close(p.fd);
		goto out;
	}
	started = true;
	rc = curl_easy_perform(c);
	/*
	 * A server that answered early stops reading.  Have the packer end
	 * the archive and read it to its end here: closing the pipe under
	 * it instead would fail its writes, and libarchive leaks the gzip
	 * filter's state when its close fails.
	 */
	atomic_store(&p.stop, true);
	drain(t.fd);
	close(t.fd);
	t.fd = -1;
	pthread_join(thread, NULL);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status && answer.len) {
		/* the server's answer says more than a broken pipe */
		ret = report_answer(o, status, &answer, t.sent);
		if (ret == 0 && o->fail_on_regression)
			ret = regression_gate(o, auth.buf);
	} else if (rc != CURLE_OK) {
		fprintf(stderr, "tbscope upload: %s: %s\n", o->server,
			*curl_err ? curl_err : curl_easy_strerror(rc));
	} else {
		fprintf(stderr, "tbscope upload: empty answer (HTTP %ld)\n",
			status);
	}
	if (p.failed && ret == 0) {
		fprintf(stderr, "tbscope upload: %s\n", p.err.msg);
		ret = 1;
	} else if (p.failed && !status) {
		/* (when the server refused, the packer's broken pipe is noise)
		 */
		fprintf(stderr, "tbscope upload: while packing: %s\n",
			p.err.msg);
	}
out:
	if (!started && t.fd >= 0)
		close(t.fd);
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	strbuf_release(&url);
	strbuf_release(&tok);
	strbuf_release(&auth);
	strbuf_release(&answer);
	return ret;
}

/* ---- the command ------------------------------------------------------- */

/* --series S and --commit C: shorthands for --meta series=S, commit=C */
static int meta_named_option(const struct option_spec *opt, const char *arg,
			     struct errbuf *err)
{
	(void)err;
	strlist_addf(opt->value, "%s=%s", opt->long_name, arg);
	return 0;
}

static int meta_option(const struct option_spec *opt, const char *arg,
		       struct errbuf *err)
{
	if (!strchr(arg, '=') || arg[0] == '=')
		return errbuf_set(err, "expected KEY=VALUE, got '%s'", arg);
	strlist_add(opt->value, arg);
	return 0;
}

/* Returns -1 to go on, or the exit status: 0 after --help, EXIT_USAGE. */
static int parse_args(struct upload_opts *o, int argc, char **argv)
{
	bool help = false;
	uint64_t timeout = 600;
	const struct option_spec opts[] = {
		OPT_STRING(0, "server", "URL",
			   "the tbscope server ($TBSCOPE_SERVER)", &o->server),
		OPT_STRING(0, "token-file", "FILE",
			   "the upload token (default: $TBSCOPE_TOKEN)",
			   &o->token_file),
		OPT_STRING(0, "name", "ID",
			   "run id: 1-100 of [A-Za-z0-9._-], never reused",
			   &o->name),
		OPT_CALLBACK(0, "series", "S",
			     "the series the run belongs to (branch, config)",
			     &o->meta, meta_named_option),
		OPT_CALLBACK(0, "commit", "C", "the commit it was built from",
			     &o->meta, meta_named_option),
		OPT_CALLBACK(
			0, "meta", "KEY=VALUE",
			"more metadata: branch, compiler, flags, machine,\n"
			"timestamp, title, url (repeatable)",
			&o->meta, meta_option),
		OPT_STRLIST(0, "sysroot", "DIR",
			    "find the shared libraries here (repeatable)",
			    &o->sysroots),
		OPT_BOOL(0, "markdown",
			 "also print the Markdown summary against the\n"
			 "series' previous run",
			 &o->markdown),
		OPT_BOOL(0, "fail-on-regression",
			 "exit 3 (printing the Markdown summary and the\n"
			 "permalinks) when the run opened a regression",
			 &o->fail_on_regression),
		OPT_BOOL(0, "dry-run", "list what would be sent; send nothing",
			 &o->dry_run),
		OPT_COUNT(0, "timeout", "SECONDS",
			  "give up after this long (default 600)", &timeout, 1,
			  LONG_MAX),
		OPT_HELP(0, &help),
		OPT_END(),
	};
	struct errbuf err;
	int first;

	o->server = getenv("TBSCOPE_SERVER");
	first = parse_options(argc, argv, opts, &err);
	if (first < 0)
		return usage_error("upload", upload_usage, opts, &err);
	if (help) {
		usage_with_options(stdout, upload_usage, opts);
		return 0;
	}
	o->timeout = (long)timeout;
	if (first + 1 != argc) {
		errbuf_set(&err, "expected one BUILD_DIR");
		return usage_error("upload", upload_usage, opts, &err);
	}
	if (!o->name || (!o->server && !o->dry_run)) {
		errbuf_set(&err, "--name and --server are required");
		return usage_error("upload", upload_usage, opts, &err);
	}
	o->dir = argv[first];
	return -1;
}

int cmd_upload(int argc, char **argv)
{
	struct upload_opts o = {0};
	struct run_options ropts = {0};
	struct run_files files = {0};
	struct strlist warnings = STRLIST_INIT;
	struct errbuf err;
	uint64_t total = 0;
	int ret = 1, rc;

	rc = parse_args(&o, argc, argv);
	if (rc >= 0) {
		ret = rc;
		goto out;
	}
	ropts.sysroots = (const char *const *)o.sysroots.items;
	ropts.nr_sysroots = o.sysroots.nr;
	if (run_list_files(o.dir, &ropts, &files, &warnings, &err) < 0) {
		fprintf(stderr, "tbscope upload: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < warnings.nr; i++)
		fprintf(stderr, "tbscope upload: warning: %s\n",
			warnings.items[i]);
	for (size_t i = 0; i < files.nr; i++) {
		struct stat st;

		if (stat(files.items[i].path, &st) == 0)
			total += (uint64_t)st.st_size;
		if (o.dry_run)
			printf("%12lld  %s\n",
			       (long long)(stat(files.items[i].path, &st) == 0
						   ? st.st_size
						   : -1),
			       files.items[i].name);
	}
	if (o.dry_run) {
		printf("%zu files, %.1f MB before compression: nothing sent "
		       "(--dry-run)\n",
		       files.nr, (double)total / 1e6);
		ret = 0;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ret = send_run(&o, &files);
	curl_global_cleanup();
out:
	run_files_release(&files);
	strlist_release(&warnings);
	strlist_release(&o.meta);
	strlist_release(&o.sysroots);
	return ret;
}
