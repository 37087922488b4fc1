/* SPDX-License-Identifier: MIT */
#include "figures.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

const struct benchmark *run_find_benchmark(const struct run *run,
					   const char *name)
{
	for (size_t i = 0; i < run->nr_benchmarks; i++)
		if (!strcmp(run->benchmarks[i].name, name))
			return &run->benchmarks[i];
	return NULL;
}

void benchmark_release(struct benchmark *b)
{
	free(b->name);
	free(b->suite);
	free(b->dir);
	for (size_t i = 0; i < b->nr_invocations; i++) {
		free(b->invocations[i].qemu_out);
		free(b->invocations[i].map);
		free(b->invocations[i].rate);
	}
	free(b->invocations);
	for (size_t i = 0; i < b->nr_objects; i++) {
		free(b->objects[i].name);
		free(b->objects[i].path);
		free(b->objects[i].elf);
		free(b->objects[i].elf_error);
	}
	free(b->objects);
	for (size_t i = 0; i < b->nr_functions; i++)
		free(b->functions[i].name);
	free(b->functions);
	for (size_t i = 0; i < b->nr_blocks; i++)
		free(b->blocks[i].code);
	free(b->blocks);
	mix_rows_free(b->mix, b->nr_mix);
	free(b->arch);
	free(b->rate);
	strlist_release(&b->warnings);
	memset(b, 0, sizeof(*b));
}

void run_release(struct run *run)
{
	for (size_t i = 0; i < run->nr_benchmarks; i++)
		benchmark_release(&run->benchmarks[i]);
	free(run->benchmarks);
	free(run->root);
	strlist_release(&run->warnings);
	memset(run, 0, sizeof(*run));
}

void mix_rows_free(struct mix_row *rows, size_t nr)
{
	(void)nr; /* the rows' strings are shared: mix_intern() */
	free(rows);
}
