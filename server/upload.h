/* SPDX-License-Identifier: MIT */
/*
 * upload: a run directory arriving as a tar stream (plain, gzip, xz, zstd,
 * bzip2: libarchive detects the filter), with no HTTP library in it.
 *
 * The body is fed in chunks as it arrives; an extractor thread reads the
 * other end of a socket pair with libarchive and writes the entries into
 * a fresh directory under DATA/staging with libarchive's secure extraction
 * (no absolute paths, no "..", nothing written through a symlink).  Every
 * entry is checked before it is written: only directories, regular files,
 * hard links to earlier entries and symlinks that stay inside the run are
 * accepted; devices and FIFOs are refused; paths, file count and unpacked
 * bytes are limited.  The first problem fails the upload with a status and
 * a message naming the entry.
 *
 * Only a complete, valid archive is committed: its metadata is merged into
 * tbscope-run.json, every file is fsync'd, and the directory is renamed
 * into DATA/runs/<id> with RENAME_NOREPLACE, so a run id is taken at most
 * once and a reader sees either no run or the whole run; the id is then
 * recorded in DATA/run-ids for good.  Anything else
 * (a refused archive, a client that goes away, a server killed mid-way)
 * leaves at most a directory under DATA/staging, which upload_free() or
 * the next start (upload_clean_staging) removes.
 */
#ifndef SERVER_UPLOAD_H
#define SERVER_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct errbuf;
struct upload;

struct upload_limits {
	uint64_t max_bytes;    /* body bytes, as sent (compressed) */
	uint64_t max_unpacked; /* the files' total size */
	uint64_t max_files;    /* entries of any kind */
	size_t max_path;       /* bytes of one entry's path */
};

/* Metadata keys accepted from the query string and tbscope-run.json. */
extern const char *const upload_meta_keys[];

/*
 * Start receiving the run `id` into a new directory under staging_dir.
 * Returns NULL with the reason in *err when the directory or the thread
 * cannot be created.
 */
struct upload *upload_start(const char *staging_dir, const char *id,
			    const struct upload_limits *lim,
			    struct errbuf *err);

/*
 * Feed len bytes of the body.  Returns 0, or the HTTP status of the
 * failure (400, 413, 500) once the upload has failed: further bytes are
 * then ignored, and upload_commit() returns the same status and message.
 */
unsigned upload_feed(struct upload *u, const void *data, size_t len);

/*
 * The body is complete.  Wait for the extractor; if the archive was good,
 * set the metadata keys given in meta (NULL-terminated key, value pairs;
 * they win over the archive's tbscope-run.json), write tbscope-run.json,
 * and move the run to runs_dir/<id>.  Returns 201 with the run's
 * directory in *root (free it), or the failure's HTTP status (400, 409,
 * 413, 500) with the reason in *err.
 */
unsigned upload_commit(struct upload *u, const char *runs_dir,
		       const char *ids_log, const char *const *meta,
		       char **root, struct errbuf *err);

/*
 * Was run `id` ever stored?  ids_log (DATA/run-ids) lists every id an
 * upload took, one per line, and is only appended to, so an id stays
 * taken even if its directory is removed: permalinks never change
 * meaning.
 */
bool upload_id_taken(const char *ids_log, const char *id);

/* Stop the extractor if needed, remove what is left in staging, free u. */
void upload_free(struct upload *u);

/* Remove every leftover of interrupted uploads from staging_dir. */
void upload_clean_staging(const char *staging_dir);

/* Remove the tree at path (not following symlinks).  Returns 0 or -1. */
int remove_tree(const char *path);

#endif
