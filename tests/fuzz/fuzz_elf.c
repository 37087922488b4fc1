/* SPDX-License-Identifier: MIT */
/*
 * elf_image on any bytes: uploaded runs carry ELF files, so a hostile one
 * must be refused or read safely.  What it reads back must hold up:
 * symbols sorted, bytes inside the file, lookups inside what they name.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elf_image.h"
#include "errbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* where the lent bytes are read into, so that they are read */
static volatile unsigned sum;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct elf_image *img;
	struct errbuf err;
	int fd = memfd_create("fuzz.elf", 0);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	img = elf_image_open(path, &err);
	if (img) {
		for (size_t i = 0; i + 1 < img->nr_syms; i++)
			if (img->syms[i].addr > img->syms[i + 1].addr)
				abort();
		for (size_t i = 0; i < img->nr_loads; i++) {
			uint64_t va;
			size_t avail = 0;
			const struct elf_load *l = &img->loads[i];
			const uint8_t *b;

			if (elf_image_offset_to_vaddr(img, l->offset, &va)) {
				b = elf_image_bytes(img, va, &avail);
				/* every byte it lends is readable (ASan) */
				for (size_t k = 0; b && k < avail; k++)
					sum += b[k];
			}
		}
		for (size_t i = 0; i < img->nr_syms; i++) {
			const struct elf_sym *s =
				elf_image_symbol(img, img->syms[i].addr);

			if (s && s->addr > img->syms[i].addr)
				abort();
		}
		for (size_t i = 0; i < img->nr_secs; i++)
			(void)elf_image_section(img, img->secs[i].addr);
		(void)elf_image_arch(img);
		elf_image_free(img);
	}
	close(fd);
	return 0;
}
