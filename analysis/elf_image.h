/* SPDX-License-Identifier: MIT */
/*
 * elf_image: one ELF object opened with libelf, reduced to what attribution
 * needs: its PT_LOAD segments (file offset -> virtual address), its
 * functions and code labels sorted by address (.symtab, else .dynsym)
 * and its sections
 * (to name code that no symbol covers, such as .plt).  Immutable after
 * elf_image_open(), so one image may be shared by readers.
 */
#ifndef ANALYSIS_ELF_IMAGE_H
#define ANALYSIS_ELF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct errbuf;

struct elf_sym {
	uint64_t addr;
	uint64_t size; /* 0: extends to the next symbol in its section */
	char *name;
	/*
	 * An untyped symbol in code (crt1's load_gp): it names only code
	 * that no function covers, up to the next symbol in its section.
	 */
	bool label;
};

struct elf_load {
	uint64_t vaddr, offset, filesz, memsz;
	uint32_t flags; /* PF_R | PF_W | PF_X */
};

struct elf_section {
	uint64_t addr, size;
	char *name;  /* ".plt" */
	char *label; /* "[.plt]": names code no symbol covers */
	bool exec;
};

struct elf_image {
	char *path;
	unsigned machine; /* e_machine: EM_RISCV, EM_X86_64, EM_AARCH64 ... */
	int elfclass;	  /* ELFCLASS32 or ELFCLASS64 */
	uint32_t e_flags;
	struct elf_load *loads;
	size_t nr_loads;
	/*
	 * Functions and code labels, sorted by addr, one per address: the
	 * name objdump prints there, a default symbol version first.
	 */
	struct elf_sym *syms;
	size_t nr_syms;
	size_t *last_fn; /* per syms[i]: the last function <= i, or SIZE_MAX */
	const char *symtab; /* ".symtab", ".dynsym" or NULL (no symbols) */
	struct elf_section *secs; /* SHF_ALLOC sections, sorted by addr */
	size_t nr_secs;
	int fd;
	void *elf; /* Elf *, kept open for elf_image_read() */
};

/* Open and index the ELF at path.  Returns NULL with the reason in *err. */
struct elf_image *elf_image_open(const char *path, struct errbuf *err);
void elf_image_free(struct elf_image *img);

/*
 * Translate a file offset to the virtual address the ELF's own tools
 * (nm, objdump) use.  Returns false when no PT_LOAD holds the offset.
 */
bool elf_image_offset_to_vaddr(const struct elf_image *img, uint64_t offset,
			       uint64_t *vaddr);

/*
 * The file bytes at virtual address vaddr (as nm/objdump number them):
 * returns a pointer borrowed from img, valid until elf_image_free(), and
 * sets *avail to how many bytes from there the same PT_LOAD segment holds
 * in the file.  NULL when no segment's file part covers vaddr (.bss).
 */
const uint8_t *elf_image_bytes(const struct elf_image *img, uint64_t vaddr,
			       size_t *avail);

/*
 * The function containing vaddr, else the code label that precedes it
 * (no other symbol between, same section), or NULL.  Borrowed from img.
 */
const struct elf_sym *elf_image_symbol(const struct elf_image *img,
				       uint64_t vaddr);

/* The allocated section containing vaddr, or NULL.  Borrowed from img. */
const struct elf_section *elf_image_section(const struct elf_image *img,
					    uint64_t vaddr);

/* A short name for the architecture ("riscv64", "x86-64", "aarch64"...). */
const char *elf_image_arch(const struct elf_image *img);

#endif
