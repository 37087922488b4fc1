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
 * Quote s for a message: printable ASCII is kept, other bytes become \xNN,
 * and the result is cut after max visible characters with "...".
 */
void quote_for_message(struct strbuf *sb, const char *s, size_t len,
		       size_t max);

#endif
