/* SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, const char *path)
{
	fprintf(stderr, "testutil: %s '%s' failed\n", what, path);
	abort();
}

char *tu_path(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *p = malloc(n);

	snprintf(p, n, "%s/%s", dir, rel);
	return p;
}

char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *p = tu_path(tmp && *tmp ? tmp : "/tmp", "tbscope-test-XXXXXX");

	if (!mkdtemp(p))
		die("mkdtemp", p);
	return p;
}

char *tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		die("open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("read", path);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

void tu_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len)
		die("write", path);
	fclose(f);
}

void tu_copy_tree(const char *src, const char *dst)
{
	DIR *d = opendir(src);
	struct dirent *de;

	if (!d)
		die("opendir", src);
	if (mkdir(dst, 0755) < 0)
		die("mkdir", dst);
	while ((de = readdir(d))) {
		char *s, *t;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		s = tu_path(src, de->d_name);
		t = tu_path(dst, de->d_name);
		if (stat(s, &st) < 0)
			die("stat", s);
		if (S_ISDIR(st.st_mode)) {
			tu_copy_tree(s, t);
		} else {
			size_t len;
			char *buf = tu_read(s, &len);

			tu_write(t, buf, len);
			chmod(t, st.st_mode & 0777);
			free(buf);
		}
		free(s);
		free(t);
	}
	closedir(d);
}

void tu_rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = tu_path(path, de->d_name);
		tu_rm_rf(p);
		free(p);
	}
	closedir(d);
	rmdir(path);
}
