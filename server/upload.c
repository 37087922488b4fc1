/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* renameat2, nftw */
#include "upload.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "errbuf.h"
#include "fileio.h"
#include "strbuf.h"
#include "strlist.h"
#include "xalloc.h"
#include "banned.h"

#define META_FILE     "tbscope-run.json"
#define META_MAX      65536
#define STAGING_DIRS  "upload-"
#define READ_BLOCK    65536
#define ENTRY_NAME_QT 120 /* characters of an entry name in messages */

const char *const upload_meta_keys[] = {
	"series",  "commit",	"branch", "compiler", "flags",
	"machine", "timestamp", "title",  "url",      NULL,
};

struct upload {
	char *id;
	char *dir; /* DATA/staging/upload-<id>.XXXXXX, canonical */
	struct upload_limits lim;
	int feed_fd; /* the body goes in here; -1 once closed */
	int read_fd; /* the extractor reads here */
	pthread_t thread;
	bool thread_started;
	bool joined;
	uint64_t fed;

	pthread_mutex_t lock; /* status and err, set by either side */
	unsigned status;      /* 0 while all is well */
	struct errbuf err;

	/* the extractor's own state */
	uint64_t files, unpacked;
	bool has_qemu_out;
};

/* ---- helpers ------------------------------------------------------------ */

/* Record the first failure; later ones are consequences. */
static void fail(struct upload *u, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct upload *u, unsigned status, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* messages name entries as in the archive, never our paths */
	if (u->dir) {
		size_t dl = strlen(u->dir);
		char *at;

		while ((at = strstr(sb.buf, u->dir))) {
			size_t cut = dl + (at[dl] == '/');

			memmove(at, at + cut, strlen(at + cut) + 1);
			sb.len -= cut;
		}
	}
	pthread_mutex_lock(&u->lock);
	if (!u->status) {
		u->status = status;
		errbuf_set(&u->err, "%s", sb.buf);
	}
	pthread_mutex_unlock(&u->lock);
	strbuf_release(&sb);
}

static unsigned current_status(struct upload *u)
{
	unsigned s;

	pthread_mutex_lock(&u->lock);
	s = u->status;
	pthread_mutex_unlock(&u->lock);
	return s;
}

static void quote(struct strbuf *sb, const char *s)
{
	quote_for_message(sb, s, strlen(s), ENTRY_NAME_QT);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	if (remove(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	/* entries extracted read-only would stop us descending */
	return nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static int sync_entry(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	int fd;

	if (flag != FTW_F && flag != FTW_DP)
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fsync(fd) < 0 && errno != EINVAL) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* fsync every file and directory under path (not following symlinks). */
static int sync_tree(const char *path)
{
	return nftw(path, sync_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/*
 * The canonical form of an entry's path inside the run: no leading "./"
 * or "/", no empty or "." components.  Returns NULL with the reason in
 * *why for absolute paths and ".." components.
 */
static char *clean_path(const char *name, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = name;

	if (*p == '/') {
		*why = "absolute path";
		return NULL;
	}
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			strbuf_release(&sb);
			*why = "'..' in path";
			return NULL;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (sb.len)
				strbuf_addch(&sb, '/');
			strbuf_add(&sb, p, n);
		}
		p = *end ? end + 1 : end;
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * Does a symlink at `path` (cleaned, inside the run) pointing to `target`
 * stay inside the run?  Resolved lexically, as every component of the run
 * is a real directory (libarchive refuses to extract through symlinks).
 */
static bool link_stays_inside(const char *path, const char *target)
{
	int depth = 0;
	const char *p;

	if (!*target || *target == '/')
		return false;
	for (p = path; *p; p++)
		if (*p == '/')
			depth++; /* directories above the link */
	for (p = target; *p;) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p = *end ? end + 1 : end;
	}
	return true;
}

static bool is_qemu_out_name(const char *path)
{
	const char *base = strrchr(path, '/');

	return strstr(base ? base + 1 : path, ".qemu_out") != NULL;
}

/* ---- the extractor thread ----------------------------------------------- */

static bool disk_full(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS;
}

/* Check one entry and rewrite its paths into the staging directory. */
static int check_entry(struct upload *u, struct archive_entry *e,
		       char **clean_out)
{
	const char *name = archive_entry_pathname(e);
	const char *link = archive_entry_hardlink(e);
	const char *why = NULL;
	struct strbuf sb = STRBUF_INIT, q = STRBUF_INIT;
	mode_t type = archive_entry_filetype(e);
	char *clean;

	if (!name) {
		fail(u, 400, "archive entry %llu has no name",
		     (unsigned long long)u->files + 1);
		return -1;
	}
	quote(&q, name);
	if (strlen(name) > u->lim.max_path) {
		fail(u, 413, "archive entry '%s': path longer than %zu bytes",
		     q.buf, u->lim.max_path);
		goto bad;
	}
	if (++u->files > u->lim.max_files) {
		fail(u, 413,
		     "archive holds more than %llu entries (--max-files)",
		     (unsigned long long)u->lim.max_files);
		goto bad;
	}
	clean = clean_path(name, &why);
	if (!clean) {
		fail(u, 400, "archive entry '%s': %s", q.buf, why);
		goto bad;
	}
	if (link) {
		char *lclean = clean_path(link, &why);

		if (!lclean || !*lclean) {
			fail(u, 400,
			     "archive entry '%s': hard link to '%s': %s", q.buf,
			     link, lclean ? "the run itself" : why);
			free(lclean);
			free(clean);
			goto bad;
		}
		strbuf_addf(&sb, "%s/%s", u->dir, lclean);
		archive_entry_set_hardlink(e, sb.buf);
		strbuf_reset(&sb);
		free(lclean);
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(e);

		if (!target || !link_stays_inside(clean, target)) {
			struct strbuf tq = STRBUF_INIT;

			quote(&tq, target ? target : "");
			fail(u, 400,
			     "archive entry '%s': symlink to '%s' leaves the "
			     "run directory",
			     q.buf, tq.buf);
			strbuf_release(&tq);
			free(clean);
			goto bad;
		}
	} else if (type != AE_IFREG && type != AE_IFDIR) {
		fail(u, 400,
		     "archive entry '%s': only files, directories and links "
		     "are accepted (this is a %s)",
		     q.buf,
		     type == AE_IFCHR || type == AE_IFBLK ? "device"
		     : type == AE_IFIFO			  ? "FIFO"
		     : type == AE_IFSOCK		  ? "socket"
							  : "special file");
		free(clean);
		goto bad;
	}
	if (type == AE_IFREG && is_qemu_out_name(clean))
		u->has_qemu_out = true;
	/* no set-id bits, no owner, readable by the server */
	if (type == AE_IFDIR)
		archive_entry_set_perm(e, 0755);
	else if (type == AE_IFREG)
		archive_entry_set_perm(e, archive_entry_perm(e) & 0111 ? 0755
								       : 0644);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	strbuf_addf(&sb, "%s/%s", u->dir, clean);
	archive_entry_set_pathname(e, sb.buf);
	strbuf_release(&sb);
	strbuf_release(&q);
	*clean_out = clean;
	return 0;
bad:
	strbuf_release(&sb);
	strbuf_release(&q);
	return -1;
}

static int copy_data(struct upload *u, struct archive *in, struct archive *out,
		     const char *name)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	for (;;) {
		r = archive_read_data_block(in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN) {
			fail(u, 400, "archive entry '%s': %s", name,
			     archive_error_string(in));
			return -1;
		}
		u->unpacked += size;
		if (u->unpacked > u->lim.max_unpacked) {
			fail(u, 413,
			     "archive unpacks to more than %llu bytes "
			     "(--max-unpacked)",
			     (unsigned long long)u->lim.max_unpacked);
			return -1;
		}
		if (archive_write_data_block(out, buf, size, off) <
		    ARCHIVE_OK) {
			int e = archive_errno(out);

			fail(u, disk_full(e) ? 507 : 500,
			     "cannot write '%s': %s", name,
			     archive_error_string(out));
			return -1;
		}
		if (current_status(u))
			return -1; /* the body was refused meanwhile */
	}
}

static void extract(struct upload *u)
{
	struct archive *in = archive_read_new();
	struct archive *out = archive_write_disk_new();
	struct archive_entry *e;
	int r;

	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	archive_write_disk_set_options(out,
				       ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					       ARCHIVE_EXTRACT_NO_OVERWRITE);
	if (archive_read_open_fd(in, u->read_fd, READ_BLOCK) != ARCHIVE_OK) {
		fail(u, 400, "not a tar archive: %s", archive_error_string(in));
		goto out;
	}
	for (;;) {
		char *clean = NULL;
		struct strbuf q = STRBUF_INIT;

		r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			fail(u, 400, "%s after %llu entries",
			     archive_error_string(in),
			     (unsigned long long)u->files);
			break;
		}
		if (check_entry(u, e, &clean) < 0)
			break;
		quote(&q, clean);
		if (!*clean) {
			/* the run's root itself ("./") */
			free(clean);
			strbuf_release(&q);
			continue;
		}
		r = archive_write_header(out, e);
		if (r < ARCHIVE_WARN) {
			int err = archive_errno(out);

			fail(u, disk_full(err) ? 507 : 400,
			     "archive entry '%s': %s", q.buf,
			     archive_error_string(out));
		} else if (archive_entry_size(e) > 0 &&
			   !archive_entry_hardlink(e)) {
			copy_data(u, in, out, q.buf);
		}
		if (!current_status(u) &&
		    archive_write_finish_entry(out) < ARCHIVE_WARN)
			fail(u, 500, "archive entry '%s': %s", q.buf,
			     archive_error_string(out));
		free(clean);
		strbuf_release(&q);
		if (current_status(u))
			break;
	}
	if (!current_status(u) && archive_write_close(out) < ARCHIVE_WARN)
		fail(u, 500, "cannot finish the extraction: %s",
		     archive_error_string(out));
	if (!current_status(u) && !u->has_qemu_out)
		fail(u, 400,
		     "the archive holds no *.qemu_out file: nothing to "
		     "analyse");
out:
	archive_write_free(out);
	archive_read_free(in);
}

static void *extractor_main(void *arg)
{
	struct upload *u = arg;
	char buf[4096];

	extract(u);
	if (!current_status(u)) {
		/* a tar's end-of-archive padding may follow: read it all */
		while (read(u->read_fd, buf, sizeof(buf)) > 0)
			;
	}
	/* the feeder now gets EPIPE instead of blocking */
	shutdown(u->read_fd, SHUT_RDWR);
	return NULL;
}

/* ---- the API ------------------------------------------------------------ */

struct upload *upload_start(const char *staging_dir, const char *id,
			    const struct upload_limits *lim, struct errbuf *err)
{
	struct upload *u = xcalloc(1, sizeof(*u));
	struct strbuf sb = STRBUF_INIT;
	char *real;
	int sv[2];

	u->id = xstrdup(id);
	u->lim = *lim;
	u->feed_fd = u->read_fd = -1;
	pthread_mutex_init(&u->lock, NULL);
	/* canonical, so libarchive's symlink check sees no symlink above us */
	real = realpath(staging_dir, NULL);
	if (!real) {
		errbuf_set(err, "cannot resolve '%s': %s", staging_dir,
			   strerror(errno));
		goto fail;
	}
	strbuf_addf(&sb, "%s/" STAGING_DIRS "%s.XXXXXX", real, id);
	free(real);
	if (!mkdtemp(sb.buf)) {
		errbuf_set(err, "cannot create a directory in '%s': %s",
			   staging_dir, strerror(errno));
		goto fail;
	}
	u->dir = strbuf_detach(&sb, NULL);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		errbuf_set(err, "socketpair: %s", strerror(errno));
		goto fail;
	}
	u->feed_fd = sv[0];
	u->read_fd = sv[1];
	if (pthread_create(&u->thread, NULL, extractor_main, u) != 0) {
		errbuf_set(err, "cannot start the extractor thread");
		goto fail;
	}
	u->thread_started = true;
	return u;
fail:
	strbuf_release(&sb);
	upload_free(u);
	return NULL;
}

unsigned upload_feed(struct upload *u, const void *data, size_t len)
{
	const char *p = data;
	unsigned s = current_status(u);

	if (s)
		return s;
	u->fed += len;
	if (u->fed > u->lim.max_bytes) {
		fail(u, 413, "upload larger than %llu bytes (--max-upload)",
		     (unsigned long long)u->lim.max_bytes);
		shutdown(u->feed_fd, SHUT_RDWR);
		return current_status(u);
	}
	while (len) {
		ssize_t n = send(u->feed_fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* the extractor stopped: it says why */
			s = current_status(u);
			if (s)
				return s;
			/* it stopped at the archive's end: the rest is
			 * ignored */
			return 0;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void join(struct upload *u)
{
	if (u->feed_fd >= 0) {
		shutdown(u->feed_fd, SHUT_WR); /* EOF for the extractor */
	}
	if (u->thread_started && !u->joined) {
		pthread_join(u->thread, NULL);
		u->joined = true;
	}
	if (u->feed_fd >= 0)
		close(u->feed_fd);
	if (u->read_fd >= 0)
		close(u->read_fd);
	u->feed_fd = u->read_fd = -1;
}

/*
 * The run's root inside the staging directory: the directory itself, or
 * its only entry when that is a directory (archives made with
 * `tar -C parent run/`).
 */
static char *find_root(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *only = NULL;
	int n = 0;
	struct stat st;
	struct strbuf sb = STRBUF_INIT;

	if (!d)
		return xstrdup(dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!n++)
			only = xstrdup(de->d_name);
	}
	closedir(d);
	if (n == 1) {
		strbuf_addf(&sb, "%s/%s", dir, only);
		if (lstat(sb.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(only);
			return strbuf_detach(&sb, NULL);
		}
	}
	free(only);
	strbuf_release(&sb);
	return xstrdup(dir);
}

static bool meta_key_ok(const char *k)
{
	for (size_t i = 0; upload_meta_keys[i]; i++)
		if (!strcmp(k, upload_meta_keys[i]))
			return true;
	return false;
}

/* Merge meta into root/tbscope-run.json, adding "uploaded". */
static unsigned write_metadata(const char *root, const char *const *meta,
			       struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT, tmp = STRBUF_INIT;
	json_t *obj = NULL;
	json_error_t jerr;
	struct stat st;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	unsigned status = 0;
	int fd = -1;
	char *text = NULL;

	strbuf_addf(&path, "%s/" META_FILE, root);
	if (lstat(path.buf, &st) == 0) {
		if (!S_ISREG(st.st_mode) || st.st_size > META_MAX) {
			errbuf_set(err,
				   META_FILE ": not a regular file of at most "
					     "%d bytes",
				   META_MAX);
			status = 400;
			goto out;
		}
		obj = json_load_file(path.buf, JSON_REJECT_DUPLICATES, &jerr);
		if (!obj) {
			errbuf_set(err, META_FILE ":%d: %s", jerr.line,
				   jerr.text);
			status = 400;
			goto out;
		}
		if (!json_is_object(obj)) {
			errbuf_set(err, META_FILE ": not a JSON object");
			status = 400;
			goto out;
		}
	} else {
		obj = json_object();
	}
	for (size_t i = 0; meta && meta[i]; i += 2) {
		if (!meta[i + 1] || !meta_key_ok(meta[i]))
			continue;
		json_object_set_new(obj, meta[i], json_string(meta[i + 1]));
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(obj, "uploaded", json_string(now));
	if (!json_object_get(obj, "timestamp"))
		json_object_set_new(obj, "timestamp", json_string(now));
	text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	strbuf_addf(&tmp, "%s/." META_FILE ".tmp", root);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || !text || write_in_full(fd, text, strlen(text)) < 0 ||
	    write_in_full(fd, "\n", 1) < 0 || fsync(fd) < 0 ||
	    rename(tmp.buf, path.buf) < 0) {
		errbuf_set(err, "cannot write " META_FILE ": %s",
			   strerror(errno));
		status = 500;
	}
out:
	if (fd >= 0)
		close(fd);
	free(text);
	json_decref(obj);
	strbuf_release(&path);
	strbuf_release(&tmp);
	return status;
}

bool upload_id_taken(const char *ids_log, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(id);
	bool taken = false;

	if (read_file(&sb, ids_log, (size_t)1 << 30, NULL) < 0)
		return false; /* no upload yet */
	for (const char *p = sb.buf; p && *p && !taken;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		taken = len == n && !memcmp(p, id, n);
		p = nl ? nl + 1 : NULL;
	}
	strbuf_release(&sb);
	return taken;
}

static void record_id(const char *ids_log, const char *id)
{
	int fd = open(ids_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	struct strbuf line = STRBUF_INIT;

	if (fd < 0)
		return;
	strbuf_addf(&line, "%s\n", id);
	if (write_in_full(fd, line.buf, line.len) == 0)
		fsync(fd);
	close(fd);
	strbuf_release(&line);
}

/*
 * The symlinks of an unwrapped archive, checked again against the run's
 * real root: check_entry() measured them from the archive's top, one
 * level above it, where "top/link -> ../x" stays inside the archive but
 * leaves the run.  nftw has no context argument: the walk's state is per
 * thread (uploads run in several).
 */
static _Thread_local struct {
	size_t skip;	 /* bytes of the staging directory and its '/' */
	size_t root_len; /* bytes of the run root's path */
	/* the first escaping entry, as the archive named it, and its target */
	struct strbuf bad, target;
} relink;

static int relink_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	char target[PATH_MAX];
	ssize_t n;

	(void)st;
	(void)ftw;
	if (flag != FTW_SL || strlen(path) <= relink.root_len)
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	if (link_stays_inside(path + relink.root_len + 1, target))
		return 0;
	strbuf_adds(&relink.bad, path + relink.skip);
	strbuf_adds(&relink.target, target);
	return 1; /* stop the walk */
}

static int check_unwrapped_links(struct upload *u, const char *root)
{
	int ret = 0;

	if (!strcmp(root, u->dir))
		return 0;
	relink.skip = strlen(u->dir) + 1;
	relink.root_len = strlen(root);
	strbuf_init(&relink.bad, 0);
	strbuf_init(&relink.target, 0);
	if (nftw(root, relink_entry, 16, FTW_PHYS) > 0) {
		struct strbuf q = STRBUF_INIT, tq = STRBUF_INIT;

		quote(&q, relink.bad.buf);
		quote(&tq, relink.target.buf);
		fail(u, 400,
		     "archive entry '%s': symlink to '%s' leaves the run "
		     "directory (the archive's only top-level directory is "
		     "the run)",
		     q.buf, tq.buf);
		strbuf_release(&q);
		strbuf_release(&tq);
		ret = -1;
	}
	strbuf_release(&relink.bad);
	strbuf_release(&relink.target);
	return ret;
}

/* ---- stored compressed -------------------------------------------------- */

/*
 * A run is kept with its data files compressed: every X.qemu_out[.N], and
 * the X.map[.N] and X.rate[.N] beside one, becomes FILE.zst (zstd level 3:
 * about 19 % of the text, decompressed faster than it is parsed), which
 * the analysis reads as it reads the plain file (fileio.h's zfile).
 * Files with other names (hard) linked to them are left as they are, so
 * the links keep meaning what the archive said.
 */
#define STORE_ZSTD_LEVEL 3

/* Does base end in ext (".qemu_out", ".map", ".rate"), or ext.<digits>? */
static bool data_file_name(const char *base, const char *ext, size_t *stem)
{
	const char *p = strstr(base, ext);

	for (; p; p = strstr(p + 1, ext)) {
		const char *rest = p + strlen(ext);

		if (p == base)
			continue;
		if (*rest == '.' && rest[1]) {
			rest++;
			while (*rest >= '0' && *rest <= '9')
				rest++;
		}
		if (!*rest) {
			*stem = (size_t)(p - base);
			return true;
		}
	}
	return false;
}

/* Compress path into path.zst (through a temporary) and remove path. */
static int compress_file(const char *path, struct errbuf *err)
{
	enum { IN = 1 << 17 };
	struct strbuf tmp = STRBUF_INIT, dst = STRBUF_INIT;
	size_t out_size = ZSTD_CStreamOutSize();
	char *in = xmalloc(IN), *out = xmalloc(out_size);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	int ifd, ofd = -1, ret = -1, saved = 0;
	ssize_t n;

	strbuf_addf(&dst, "%s.zst", path);
	strbuf_addf(&tmp, "%s.zst.tmp", path);
	if (!access(dst.buf, F_OK)) {
		/* the archive has both: keep them as sent */
		ret = 0;
		ifd = -1;
		goto out;
	}
	ifd = open(path, O_RDONLY | O_CLOEXEC);
	if (ifd >= 0)
		ofd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			   0644);
	if (ifd < 0 || ofd < 0 || !cc) {
		errbuf_set(err, "cannot compress '%s': %s", path,
			   cc ? strerror(errno) : "out of memory");
		goto out;
	}
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, STORE_ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	do {
		ZSTD_inBuffer ib;
		size_t left;

		n = read_in_full(ifd, in, IN);
		if (n < 0)
			goto io_fail;
		ib = (ZSTD_inBuffer){in, (size_t)n, 0};
		do {
			ZSTD_outBuffer ob = {out, out_size, 0};

			left = ZSTD_compressStream2(cc, &ob, &ib,
						    n < IN ? ZSTD_e_end
							   : ZSTD_e_continue);
			if (ZSTD_isError(left)) {
				errbuf_set(err, "cannot compress '%s': %s",
					   path, ZSTD_getErrorName(left));
				goto out;
			}
			if (write_in_full(ofd, out, ob.pos) < 0)
				goto io_fail;
		} while (n < IN ? left != 0 : ib.pos < ib.size);
	} while (n == IN);
	if (close(ofd) < 0) {
		ofd = -1;
		goto io_fail;
	}
	ofd = -1;
	if (rename(tmp.buf, dst.buf) < 0 || unlink(path) < 0)
		goto io_fail;
	ret = 0;
	goto out;
io_fail:
	saved = errno;
	errbuf_set(err, "cannot compress '%s': %s", path, strerror(errno));
out:
	if (ofd >= 0)
		close(ofd);
	if (ret < 0)
		unlink(tmp.buf);
	if (ifd >= 0)
		close(ifd);
	ZSTD_freeCCtx(cc);
	free(in);
	free(out);
	strbuf_release(&tmp);
	strbuf_release(&dst);
	errno = saved; /* for the caller's 507 */
	return ret;
}

/* What nftw found: the data files to compress, the symlinks' targets. */
static _Thread_local struct {
	struct strlist files;	/* regular, one link, a data name */
	struct strlist targets; /* realpath() of every symlink */
} zwalk;

static int zwalk_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t stem;

	if (flag == FTW_SL) {
		char *real = realpath(path, NULL);

		if (real)
			strlist_add(&zwalk.targets, real);
		free(real);
		return 0;
	}
	if (flag != FTW_F || !S_ISREG(st->st_mode) || st->st_nlink != 1)
		return 0;
	if (data_file_name(base, ".qemu_out", &stem)) {
		strlist_add(&zwalk.files, path);
	} else if (data_file_name(base, ".map", &stem) ||
		   data_file_name(base, ".rate", &stem)) {
		/*
		 * only a .map or .rate beside its .qemu_out: "P.map.N" ->
		 * "P.qemu_out.N"
		 */
		const char *ext = strchr(base + stem + 1, '.');
		struct strbuf q = STRBUF_INIT;
		struct stat qs;

		strbuf_add(&q, path, (size_t)(base - path) + stem);
		strbuf_addf(&q, ".qemu_out%s", ext ? ext : "");
		if (!stat(q.buf, &qs) && S_ISREG(qs.st_mode))
			strlist_add(&zwalk.files, path);
		strbuf_release(&q);
	}
	return 0;
}

/* Compress the run's data files (see above). */
static int compress_run(const char *root, struct errbuf *err)
{
	int ret = 0;

	zwalk.files = (struct strlist)STRLIST_INIT;
	zwalk.targets = (struct strlist)STRLIST_INIT;
	if (nftw(root, zwalk_entry, 16, FTW_PHYS) < 0) {
		ret = errbuf_set(err, "cannot walk the run: %s",
				 strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < zwalk.files.nr && !ret; i++) {
		const char *f = zwalk.files.items[i];
		char *real = realpath(f, NULL);
		bool linked = false;

		/* a symlink names it: keep it where the link points */
		for (size_t k = 0; real && k < zwalk.targets.nr && !linked; k++)
			linked = !strcmp(zwalk.targets.items[k], real);
		free(real);
		if (!linked)
			ret = compress_file(f, err);
	}
out:
	strlist_release(&zwalk.files);
	strlist_release(&zwalk.targets);
	return ret;
}

unsigned upload_commit(struct upload *u, const char *runs_dir,
		       const char *ids_log, const char *const *meta,
		       char **root_out, struct errbuf *err)
{
	struct strbuf dest = STRBUF_INIT;
	char *root = NULL;
	unsigned s;

	join(u);
	s = current_status(u);
	if (s) {
		errbuf_set(err, "%s", u->err.msg);
		return s;
	}
	root = find_root(u->dir);
	if (check_unwrapped_links(u, root) < 0) {
		errbuf_set(err, "%s", u->err.msg);
		s = current_status(u);
		goto out;
	}
	chmod(root, 0755); /* mkdtemp made it 0700 */
	s = write_metadata(root, meta, err);
	if (s)
		goto out;
	if (compress_run(root, err) < 0) {
		s = disk_full(errno) ? 507 : 500;
		goto out;
	}
	if (sync_tree(root) < 0) {
		errbuf_set(err, "cannot sync the run: %s", strerror(errno));
		s = 500;
		goto out;
	}
	strbuf_addf(&dest, "%s/%s", runs_dir, u->id);
	if (renameat2(AT_FDCWD, root, AT_FDCWD, dest.buf, RENAME_NOREPLACE) <
	    0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			errbuf_set(err, "run '%s' already exists", u->id);
			s = 409;
		} else {
			errbuf_set(err, "cannot move the run into '%s': %s",
				   runs_dir, strerror(errno));
			s = 500;
		}
		goto out;
	}
	sync_dir(runs_dir);
	record_id(ids_log, u->id);
	*root_out = strbuf_detach(&dest, NULL);
	s = 201;
out:
	free(root);
	strbuf_release(&dest);
	return s;
}

void upload_free(struct upload *u)
{
	if (!u)
		return;
	if (u->thread_started && !u->joined) {
		fail(u, 499, "upload interrupted");
		if (u->feed_fd >= 0)
			shutdown(u->feed_fd, SHUT_RDWR);
	}
	join(u);
	if (u->dir)
		remove_tree(u->dir);
	pthread_mutex_destroy(&u->lock);
	free(u->dir);
	free(u->id);
	free(u);
}

void upload_clean_staging(const char *staging_dir)
{
	DIR *d = opendir(staging_dir);
	struct dirent *de;
	struct strbuf sb = STRBUF_INIT;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, STAGING_DIRS, strlen(STAGING_DIRS)))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", staging_dir, de->d_name);
		remove_tree(sb.buf);
	}
	closedir(d);
	strbuf_release(&sb);
}
