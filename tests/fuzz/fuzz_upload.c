/* SPDX-License-Identifier: MIT */
/*
 * An upload body of any bytes, through upload_start/feed/commit as the
 * server runs them, into a scratch DATA directory.  Besides crashes:
 * no symlink in a stored run points out of it (read lexically),
 * nothing is ever written beside DATA's own entries, and a refused body
 * leaves staging/ and runs/ empty.
 */
#define _GNU_SOURCE /* nftw's FTW_PHYS */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "upload.h"

static char base[PATH_MAX], staging[PATH_MAX], runs[PATH_MAX], ids[PATH_MAX],
	parent[PATH_MAX], stored[PATH_MAX];
static size_t parent_entries;

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		abort();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void cleanup(void)
{
	remove_tree(base);
}

static void setup(void)
{
	const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(base, sizeof(base), "%s/tbscope-fuzz-XXXXXX", shm);
	if (!mkdtemp(base))
		abort();
	snprintf(parent, sizeof(parent), "%s/parent", base);
	snprintf(staging, sizeof(staging), "%s/parent/data/staging", base);
	snprintf(runs, sizeof(runs), "%s/parent/data/runs", base);
	snprintf(ids, sizeof(ids), "%s/parent/data/run-ids", base);
	snprintf(stored, sizeof(stored), "%s/parent/data", base);
	if (mkdir(parent, 0700) || mkdir(stored, 0700) ||
	    mkdir(staging, 0700) || mkdir(runs, 0700))
		abort();
	parent_entries = entries(parent);
	atexit(cleanup);
}

/*
 * Every symlink in a stored run points inside it, read lexically from
 * where the link sits: whether its target exists yet does not matter.
 */
static int check_inside(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	char target[PATH_MAX];
	const char *rel = path + strlen(stored), *p;
	int depth = -1; /* rel starts with '/': its first '/' is the root */
	ssize_t n;

	(void)st;
	(void)ftw;
	if (flag != FTW_SL)
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		abort();
	target[n] = '\0';
	if (target[0] == '/')
		abort();
	for (p = rel; *p; p++)
		depth += *p == '/';
	for (p = target; *p;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && !strncmp(p, "..", 2)) {
			if (--depth < 0)
				abort();
		} else if (len && !(len == 1 && *p == '.')) {
			depth++;
		}
		p += len + (end != NULL);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long counter;
	struct upload_limits lim = {1 << 20, 4 << 20, 200, 1024};
	const char *meta[] = {NULL};
	struct errbuf err;
	struct upload *u;
	char id[32], *root = NULL;
	unsigned s;

	if (!*base)
		setup();
	snprintf(id, sizeof(id), "r%lu", counter++);
	u = upload_start(staging, id, &lim, &err);
	if (!u)
		abort();
	for (size_t off = 0; off < size; off += 4096)
		upload_feed(u, data + off,
			    size - off < 4096 ? size - off : 4096);
	s = upload_commit(u, runs, ids, meta, &root, &err);
	upload_free(u);
	if (s == 201) {
		if (!root)
			abort();
		snprintf(stored, sizeof(stored), "%s", root);
		if (nftw(root, check_inside, 16, FTW_PHYS) < 0)
			abort();
		remove_tree(root);
		free(root);
	} else if (root) {
		abort();
	}
	/* nothing left, nothing written elsewhere */
	if (entries(staging) || entries(runs) ||
	    entries(parent) != parent_entries)
		abort();
	return 0;
}
