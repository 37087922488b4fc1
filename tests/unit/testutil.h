/* SPDX-License-Identifier: MIT */
/* Helpers for tests that build run directories in a temporary place. */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <stddef.h>

/* A new empty directory under $TMPDIR (or /tmp); free() the result. */
char *tu_mkdtemp(void);
/* Copy the tree at src to dst (created); aborts on failure. */
void tu_copy_tree(const char *src, const char *dst);
/* Remove the tree at path. */
void tu_rm_rf(const char *path);
/* Write len bytes to path, replacing it. */
void tu_write(const char *path, const char *data, size_t len);
/* Read a whole file; free() the result; *len gets its size. */
char *tu_read(const char *path, size_t *len);
/* A path joined from a directory and a relative name; free() it. */
char *tu_path(const char *dir, const char *rel);

#endif
