/* SPDX-License-Identifier: MIT */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "strbuf.h"
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

void quote_for_message(struct strbuf *sb, const char *s, size_t len, size_t max)
{
	size_t shown = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (shown >= max) {
			strbuf_adds(sb, "...");
			return;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			strbuf_addch(sb, (char)c);
			shown++;
		} else {
			strbuf_addf(sb, "\\x%02x", c);
			shown += 4;
		}
	}
}
