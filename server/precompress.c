/* SPDX-License-Identifier: MIT */
/*
 * tbscope_precompress IN OUT.gz OUT.br: a build-time tool.  Writes IN
 * compressed with gzip (level 9) and brotli (quality 11), the codings
 * the server sends the embedded web/ files in (web_assets.cmake): done
 * once here, a request for them costs no compression.  The gzip header
 * carries no name or time, so the output depends on IN only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "encoding.h"
#include "strbuf.h"
#include "banned.h"

static int write_file(const char *path, const struct strbuf *sb)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(sb->buf, 1, sb->len, f) != sb->len) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct strbuf in = STRBUF_INIT, gz = STRBUF_INIT, br = STRBUF_INIT;
	FILE *f;
	char buf[65536];
	size_t n;
	int ret = 1;

	if (argc != 4) {
		fprintf(stderr,
			"usage: tbscope_precompress IN OUT.gz OUT.br\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&in, buf, n);
	if (ferror(f)) {
		perror(argv[1]);
		fclose(f);
		goto out;
	}
	fclose(f);
	if (!coding_compress(CODING_GZIP, in.buf, in.len, true, &gz) ||
	    !coding_compress(CODING_BR, in.buf, in.len, true, &br)) {
		fprintf(stderr, "%s: compression failed\n", argv[1]);
		goto out;
	}
	if (write_file(argv[2], &gz) || write_file(argv[3], &br))
		goto out;
	ret = 0;
out:
	strbuf_release(&in);
	strbuf_release(&gz);
	strbuf_release(&br);
	return ret;
}
