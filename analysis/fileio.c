/* SPDX-License-Identifier: MIT */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

ssize_t read_in_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t total = 0;

	while (total < len) {
		ssize_t n = read(fd, p + total, len - total);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
	}
	return (ssize_t)total;
}

int write_in_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_file(struct strbuf *sb, const char *path, size_t max_size,
	      struct errbuf *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errbuf_set(err, "cannot open '%s': %s", path,
				  strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return errbuf_set(err, "'%s' is not a regular file", path);
	}
	if ((unsigned long long)st.st_size > max_size) {
		close(fd);
		return errbuf_set(err, "'%s' is larger than %zu bytes", path,
				  max_size);
	}
	strbuf_grow(sb, (size_t)st.st_size);
	n = read_in_full(fd, sb->buf + sb->len, (size_t)st.st_size);
	if (n < 0) {
		int e = errno;

		close(fd);
		return errbuf_set(err, "cannot read '%s': %s", path,
				  strerror(e));
	}
	sb->len += (size_t)n;
	sb->buf[sb->len] = '\0';
	close(fd);
	return 0;
}

/* ---- compressed files ---------------------------------------------------- */

enum { ZIN_SIZE = 128 << 10 };

/*
 * One zstd decoder kept per thread between files.  A decoder's window
 * (up to 2 MiB for zstd -3, more for higher levels) is allocated on its
 * first frame; a fresh decoder per file touches those pages afresh, and
 * first-touch page faults cost ~12 us per 4 KiB page on the VMs this runs
 * on (~7 ms per file).  The spare is freed when its thread exits.  A
 * decoder grown past SPARE_MAX (a larger window: high levels, --long) is
 * not kept: a long-lived thread would hold its window for good.
 */
enum { SPARE_MAX = 4 << 20 };
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static int spare_ok;

static void free_spare(void *dec)
{
	ZSTD_freeDStream(dec);
}

static void make_spare_key(void)
{
	spare_ok = !pthread_key_create(&spare_key, free_spare);
}

static ZSTD_DStream *take_dstream(void)
{
	ZSTD_DStream *dec;

	pthread_once(&spare_once, make_spare_key);
	if (spare_ok && (dec = pthread_getspecific(spare_key))) {
		pthread_setspecific(spare_key, NULL);
		return dec;
	}
	return ZSTD_createDStream();
}

static void give_back_dstream(ZSTD_DStream *dec)
{
	/* a decoder left mid-frame (an error) is reset for the next file */
	if (spare_ok && !pthread_getspecific(spare_key) &&
	    ZSTD_sizeof_DStream(dec) <= SPARE_MAX &&
	    !ZSTD_isError(ZSTD_DCtx_reset(dec, ZSTD_reset_session_only)) &&
	    !pthread_setspecific(spare_key, dec))
		return;
	ZSTD_freeDStream(dec);
}

/* Fill z->in when it is used up; returns 0, or -1 (errno set). */
static int zfile_fill(struct zfile *z)
{
	ssize_t n;

	if (z->in_pos < z->in_len || z->eof)
		return 0;
	n = read_in_full(z->fd, z->in, ZIN_SIZE);
	if (n < 0)
		return -1;
	z->in_len = (size_t)n;
	z->in_pos = 0;
	if ((size_t)n < ZIN_SIZE)
		z->eof = 1;
	return 0;
}

int zfile_open(struct zfile *z, const char *path, const char *name,
	       struct errbuf *err)
{
	static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

	memset(z, 0, sizeof(*z));
	z->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (z->fd < 0)
		return errbuf_set(err, "cannot open '%s': %s", name,
				  strerror(errno));
	z->in = xmalloc(ZIN_SIZE); /* from here on, zfile_close() closes fd */
	if (zfile_fill(z) < 0) {
		int e = errno;

		zfile_close(z);
		return errbuf_set(err, "cannot read '%s': %s", name,
				  strerror(e));
	}
	if (z->in_len >= 4 && !memcmp(z->in, zstd_magic, 4)) {
		z->kind = ZFILE_ZSTD;
		z->dec = take_dstream();
		if (!z->dec) {
			zfile_close(z);
			return errbuf_set(
				err, "cannot open '%s': out of memory", name);
		}
	} else if (z->in_len >= 2 && z->in[0] == 0x1f && z->in[1] == 0x8b) {
		z_stream *zs = xcalloc(1, sizeof(*zs));

		z->kind = ZFILE_GZIP;
		z->dec = zs;
		/* 16 + MAX_WBITS: a gzip header, not a zlib one */
		if (inflateInit2(zs, 16 + MAX_WBITS) != Z_OK) {
			free(zs);
			z->dec = NULL;
			zfile_close(z);
			return errbuf_set(
				err, "cannot open '%s': out of memory", name);
		}
	}
	return 0;
}

static ssize_t zfile_read_plain(struct zfile *z, char *buf, size_t len)
{
	size_t got = 0;

	/* what zfile_open() read to look at the magic bytes, then the fd */
	if (z->in_pos < z->in_len) {
		got = z->in_len - z->in_pos < len ? z->in_len - z->in_pos : len;
		memcpy(buf, z->in + z->in_pos, got);
		z->in_pos += got;
	}
	if (got < len && !z->eof) {
		ssize_t n = read_in_full(z->fd, buf + got, len - got);

		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static ssize_t zfile_read_zstd(struct zfile *z, char *buf, size_t len)
{
	ZSTD_outBuffer out = {buf, len, 0};

	while (out.pos < len && !z->done) {
		size_t before = out.pos, r;
		ZSTD_inBuffer in;

		if (zfile_fill(z) < 0)
			return -1;
		in = (ZSTD_inBuffer){z->in, z->in_len, z->in_pos};
		r = ZSTD_decompressStream(z->dec, &out, &in);
		z->in_pos = in.pos;
		if (ZSTD_isError(r)) {
			z->why = ZSTD_getErrorName(r);
			return -1;
		}
		if (!r) {
			/* a frame ended; another may follow (zstd -c a b) */
			if (zfile_fill(z) < 0)
				return -1;
			if (z->in_pos == z->in_len && z->eof)
				z->done = 1;
		} else if (z->in_pos == z->in_len && z->eof &&
			   out.pos == before) {
			z->why = "truncated zstd data";
			return -1;
		}
	}
	return (ssize_t)out.pos;
}

static ssize_t zfile_read_gzip(struct zfile *z, char *buf, size_t len)
{
	z_stream *zs = z->dec;
	size_t got = 0;

	while (got < len && !z->done) {
		size_t chunk = len - got > UINT32_MAX ? UINT32_MAX : len - got;
		int r;

		if (zfile_fill(z) < 0)
			return -1;
		zs->next_in = z->in + z->in_pos;
		zs->avail_in = (uInt)(z->in_len - z->in_pos);
		zs->next_out = (unsigned char *)buf + got;
		zs->avail_out = (uInt)chunk;
		r = inflate(zs, Z_NO_FLUSH);
		got += chunk - zs->avail_out;
		z->in_pos = z->in_len - zs->avail_in;
		if (r == Z_STREAM_END) {
			/* members may follow (cat a.gz b.gz) */
			if (zfile_fill(z) < 0)
				return -1;
			if (z->in_pos == z->in_len && z->eof)
				z->done = 1;
			else
				inflateReset(zs);
		} else if (r == Z_BUF_ERROR && z->in_pos == z->in_len &&
			   z->eof) {
			z->why = "truncated gzip data";
			return -1;
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			z->why = zs->msg ? zs->msg : "corrupt gzip data";
			return -1;
		}
	}
	return (ssize_t)got;
}

ssize_t zfile_read(struct zfile *z, void *buf, size_t len, const char *name,
		   struct errbuf *err)
{
	ssize_t n;

	z->why = NULL;
	switch (z->kind) {
	case ZFILE_ZSTD:
		n = zfile_read_zstd(z, buf, len);
		break;
	case ZFILE_GZIP:
		n = zfile_read_gzip(z, buf, len);
		break;
	default:
		n = zfile_read_plain(z, buf, len);
		break;
	}
	if (n < 0)
		errbuf_set(err, "cannot read '%s': %s", name,
			   z->why ? z->why : strerror(errno));
	return n;
}

void zfile_close(struct zfile *z)
{
	if (z->kind == ZFILE_ZSTD && z->dec)
		give_back_dstream(z->dec);
	if (z->kind == ZFILE_GZIP && z->dec) {
		inflateEnd(z->dec);
		free(z->dec);
	}
	if (z->in)
		close(z->fd);
	free(z->in);
	memset(z, 0, sizeof(*z));
}

int read_file_z(struct strbuf *sb, const char *path, size_t max_size,
		struct errbuf *err)
{
	struct zfile z;
	size_t start = sb->len;
	ssize_t n;

	if (zfile_open(&z, path, path, err) < 0)
		return -1;
	if (z.kind == ZFILE_PLAIN) {
		zfile_close(&z);
		return read_file(sb, path, max_size, err);
	}
	do {
		strbuf_grow(sb, 64 << 10);
		n = zfile_read(&z, sb->buf + sb->len, 64 << 10, path, err);
		if (n > 0)
			sb->len += (size_t)n;
		if (sb->len - start > max_size) {
			zfile_close(&z);
			return errbuf_set(err, "'%s' is larger than %zu bytes",
					  path, max_size);
		}
	} while (n > 0);
	sb->buf[sb->len] = '\0';
	zfile_close(&z);
	return n < 0 ? -1 : 0;
}

static int plain_char(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

void quote_for_message(struct strbuf *sb, const char *s, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t shown = 0, i = 0;

	/* room for the longest result at once: max + a \xNN + "..." */
	strbuf_grow(sb, max + 4 + 3);
	while (i < len) {
		size_t j = i;

		if (shown >= max) {
			strbuf_adds(sb, "...");
			return;
		}
		/* a run of printable bytes in one copy */
		while (j < len && j - i < max - shown &&
		       plain_char((unsigned char)s[j]))
			j++;
		if (j > i) {
			strbuf_add(sb, s + i, j - i);
			shown += j - i;
			i = j;
		} else {
			unsigned char c = (unsigned char)s[i++];
			char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};

			strbuf_add(sb, esc, sizeof(esc));
			shown += 4;
		}
	}
}
