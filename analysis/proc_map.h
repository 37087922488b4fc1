/* SPDX-License-Identifier: MIT */
/*
 * proc_map: parser for gdb's `info proc mappings` table, as gdb's logging
 * file records it next to each .qemu_out:
 *
 *   process 14007
 *   Mapped address spaces:
 *
 *             Start Addr           End Addr       Size     Offset  Perms
 * objfile 0x7ffff6924000     0x7ffff6a46000   0x122000        0x0  r-xp
 * /lib/libc.so.6 [Inferior 1 (process 14007) detached]
 *
 * The columns are found from the header line, so gdb versions with and
 * without a Perms column (or with the columns in another order) parse
 * alike.  Anonymous mappings (empty objfile), [stack], [vdso] and [heap]
 * rows are kept.  A file with no header line and no rows (gdb's error text
 * instead of a table) is an error naming the file.
 */
#ifndef ANALYSIS_PROC_MAP_H
#define ANALYSIS_PROC_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strlist.h"

struct errbuf;

struct mapping {
	uint64_t start;	 /* first address */
	uint64_t end;	 /* one past the last address */
	uint64_t offset; /* file offset of `start` */
	char perms[5];	 /* "r-xp", or "" when gdb printed no Perms column */
	char *objfile;	 /* as recorded; "" for anonymous mappings */
};

struct proc_map {
	struct mapping *maps; /* sorted by start */
	size_t nr;
	size_t alloc;
	bool has_perms;
	uint64_t malformed;	 /* rows that were not recognised */
	struct strlist warnings; /* "<name>:<line>: <what>" */
};

#define PROC_MAP_INIT                                                          \
	{                                                                      \
		0                                                              \
	}

/*
 * Parse buf[0..len).  Returns 0 (malformed rows are counted and reported
 * in warnings), or -1 with "<name>: ..." in *err when the text is not a
 * mappings table at all.
 */
int proc_map_parse(struct proc_map *m, const char *name, const char *buf,
		   size_t len, struct errbuf *err);
int proc_map_parse_file(struct proc_map *m, const char *path, const char *name,
			struct errbuf *err);

/* The mapping containing addr, or NULL.  Borrowed from m. */
const struct mapping *proc_map_find(const struct proc_map *m, uint64_t addr);

/* True for the executable-looking rows ("r-xp"), or when perms are unknown. */
bool mapping_executable(const struct mapping *map);

void proc_map_release(struct proc_map *m);

#endif
