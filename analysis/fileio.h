/* SPDX-License-Identifier: MIT */
/* fileio: read/write helpers that loop over short transfers and EINTR. */
#ifndef ANALYSIS_FILEIO_H
#define ANALYSIS_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

struct errbuf;
struct strbuf;

/* Read up to len bytes; returns the count (short only at end of file) or -1. */
ssize_t read_in_full(int fd, void *buf, size_t len);
/* Write all len bytes; returns 0 or -1 with errno set. */
int write_in_full(int fd, const void *buf, size_t len);
/*
 * Append the whole file at `path` to *sb, refusing files larger than
 * max_size.  Returns 0, or -1 with "cannot read '<path>': <why>" in *err.
 */
int read_file(struct strbuf *sb, const char *path, size_t max_size,
	      struct errbuf *err);

/*
 * A file read through its compression, for the data files of a run
 * (.qemu_out and .map), which teams archive as .zst or .gz: zstd and gzip
 * streams are told by their first bytes, not by the name, and decompressed
 * as they are read (memory is the two small buffers of the decoder,
 * whatever the file's size).  Anything else is read as it is.
 */
enum zfile_kind { ZFILE_PLAIN, ZFILE_ZSTD, ZFILE_GZIP };

struct zfile {
	int fd;
	enum zfile_kind kind;
	void *dec;	   /* ZSTD_DStream * or z_stream * */
	unsigned char *in; /* compressed bytes read, not yet decoded */
	size_t in_len, in_pos;
	int eof;	 /* read() has returned 0 */
	int done;	 /* the stream ended */
	const char *why; /* why the last zfile_read() failed, when not errno */
};

/*
 * Open path for zfile_read().  Returns 0, or -1 with "cannot open
 * '<name>': <why>" in *err (name: how messages call the file).
 */
int zfile_open(struct zfile *z, const char *path, const char *name,
	       struct errbuf *err);
/*
 * Read up to len decompressed bytes; returns the count (short only at the
 * end of the data), or -1 with "cannot read '<name>': <why>" in *err (a
 * read error, or a corrupt or truncated compressed stream).
 */
ssize_t zfile_read(struct zfile *z, void *buf, size_t len, const char *name,
		   struct errbuf *err);
/* Close the file and free the decoder; a closed zfile is fine. */
void zfile_close(struct zfile *z);
/*
 * read_file() through zfile: the whole decompressed content, refused past
 * max_size bytes.
 */
int read_file_z(struct strbuf *sb, const char *path, size_t max_size,
		struct errbuf *err);

/*
 * Quote s for a message: printable ASCII is kept, other bytes become \xNN,
 * and the result is cut after max visible characters with "...".
 */
void quote_for_message(struct strbuf *sb, const char *s, size_t len,
		       size_t max);

#endif
