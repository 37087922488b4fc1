/* SPDX-License-Identifier: MIT */
#include "elf_image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

/*
 * When several symbols share an address, the name objdump prints for it
 * (binutils' compare_symbols()), except that a symbol version matters
 * first: the default version (pow@@GLIBC_2.27) wins over a hidden one
 * (__pow_finite@GLIBC_2.27, an obsolete alias kept for old binaries),
 * which objdump 2.40 would print because it binds globally.  Then a
 * function wins over a label, a global or weak symbol over a local one,
 * global over weak, the larger size.  Where objdump then falls back to
 * strcmp() (__libc_malloc before malloc, _IO_printf before printf), the
 * name with fewer leading '_' wins, then one not starting with '.', then
 * the smaller by strcmp().
 */
struct sym_tmp {
	struct elf_sym sym;
	unsigned char bind;
	bool hidden;
	size_t underscores;
};

static int cmp_sym(const void *a, const void *b)
{
	const struct sym_tmp *x = a, *y = b;

	if (x->sym.addr != y->sym.addr)
		return x->sym.addr < y->sym.addr ? -1 : 1;
	if (x->hidden != y->hidden)
		return x->hidden ? 1 : -1;
	if (x->sym.label != y->sym.label)
		return x->sym.label ? 1 : -1;
	if ((x->bind == STB_LOCAL) != (y->bind == STB_LOCAL))
		return x->bind == STB_LOCAL ? 1 : -1;
	if ((x->bind == STB_GLOBAL) != (y->bind == STB_GLOBAL))
		return x->bind == STB_GLOBAL ? -1 : 1;
	if (x->sym.size != y->sym.size)
		return x->sym.size > y->sym.size ? -1 : 1;
	if (x->underscores != y->underscores)
		return x->underscores < y->underscores ? -1 : 1;
	if ((x->sym.name[0] == '.') != (y->sym.name[0] == '.'))
		return x->sym.name[0] == '.' ? 1 : -1;
	return strcmp(x->sym.name, y->sym.name);
}

static int cmp_sec(const void *a, const void *b)
{
	const struct elf_section *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * The symbol version table (.gnu.version) of the symbol table at index
 * symtab_ndx, or NULL: one Elf64_Half per symbol, VERSYM_HIDDEN set on
 * a non-default version.
 */
static Elf_Data *find_versym(Elf *elf, size_t symtab_ndx)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym &&
		    sh.sh_link == symtab_ndx)
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

/* A code label: an untyped symbol in an executable section. */
static bool is_code_label(Elf *elf, const GElf_Sym *s, const char *name)
{
	Elf_Scn *scn;
	GElf_Shdr sh;

	/* "$x", "$d": the RISC-V and Arm mapping symbols, not names */
	if (GELF_ST_TYPE(s->st_info) != STT_NOTYPE || name[0] == '$' ||
	    s->st_shndx >= SHN_LORESERVE)
		return false;
	scn = elf_getscn(elf, s->st_shndx);
	return scn && gelf_getshdr(scn, &sh) &&
	       (sh.sh_flags & SHF_EXECINSTR) != 0;
}

/* Collect the functions and code labels of one symbol table section. */
static void load_symbols(struct elf_image *img, Elf *elf, Elf_Scn *scn,
			 const GElf_Shdr *shdr)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	Elf_Data *versym = find_versym(elf, elf_ndxscn(scn));
	struct sym_tmp *tmp = NULL;
	size_t n, nr = 0, alloc = 0, last_fn = SIZE_MAX;

	if (!data || !shdr->sh_entsize)
		return;
	n = shdr->sh_size / shdr->sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		GElf_Versym ver = 0;
		const char *name;
		unsigned char type;
		bool label;

		if (!gelf_getsym(data, (int)i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF || s.st_value == 0)
			continue;
		if (type != STT_FUNC && type != STT_GNU_IFUNC &&
		    type != STT_NOTYPE)
			continue;
		name = elf_strptr(elf, shdr->sh_link, s.st_name);
		if (!name || !*name)
			continue;
		label = type == STT_NOTYPE;
		if (label && !is_code_label(elf, &s, name))
			continue;
		if (versym && !gelf_getversym(versym, (int)i, &ver))
			ver = 0;
		ALLOC_GROW(tmp, nr + 1, alloc);
		tmp[nr].sym = (struct elf_sym){
			s.st_value, label ? 0 : s.st_size, (char *)name, label};
		tmp[nr].bind = GELF_ST_BIND(s.st_info);
		tmp[nr].hidden = (ver & 0x8000) != 0; /* VERSYM_HIDDEN */
		tmp[nr].underscores = strspn(name, "_");
		nr++;
	}
	sort_n(tmp, nr, sizeof(*tmp), cmp_sym);
	img->syms = xcalloc(nr ? nr : 1, sizeof(*img->syms));
	img->last_fn = xcalloc(nr ? nr : 1, sizeof(*img->last_fn));
	for (size_t i = 0; i < nr; i++) {
		struct elf_sym *last =
			img->nr_syms ? &img->syms[img->nr_syms - 1] : NULL;

		if (last && last->addr == tmp[i].sym.addr) {
			/* an alias: keep the first (preferred) name */
			if (tmp[i].sym.size > last->size)
				last->size = tmp[i].sym.size;
			continue;
		}
		if (!tmp[i].sym.label)
			last_fn = img->nr_syms;
		img->last_fn[img->nr_syms] = last_fn;
		img->syms[img->nr_syms] = tmp[i].sym;
		img->syms[img->nr_syms].name = xstrdup(tmp[i].sym.name);
		img->nr_syms++;
	}
	free(tmp);
}

struct elf_image *elf_image_open(const char *path, struct errbuf *err)
{
	struct elf_image *img;
	Elf *elf;
	GElf_Ehdr ehdr;
	size_t phnum, shstrndx;
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	GElf_Shdr symtab_hdr, dynsym_hdr;
	size_t secs_alloc = 0;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errbuf_set(err, "libelf is too old");
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errbuf_set(err, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr)) {
		errbuf_set(err, "'%s' is not an ELF file", path);
		if (elf)
			elf_end(elf);
		close(fd);
		return NULL;
	}
	img = xcalloc(1, sizeof(*img));
	img->path = xstrdup(path);
	img->fd = fd;
	img->elf = elf;
	img->machine = ehdr.e_machine;
	img->elfclass = gelf_getclass(elf);
	img->e_flags = ehdr.e_flags;

	if (elf_getphdrnum(elf, &phnum) == 0) {
		img->loads = xcalloc(phnum ? phnum : 1, sizeof(*img->loads));
		for (size_t i = 0; i < phnum; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) ||
			    ph.p_type != PT_LOAD)
				continue;
			img->loads[img->nr_loads++] = (struct elf_load){
				ph.p_vaddr, ph.p_offset, ph.p_filesz,
				ph.p_memsz, ph.p_flags};
		}
	}
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		shstrndx = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			symtab = scn;
			symtab_hdr = sh;
		} else if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsym_hdr = sh;
		}
		if (!(sh.sh_flags & SHF_ALLOC) || !sh.sh_size)
			continue;
		name = shstrndx ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
		ALLOC_GROW(img->secs, img->nr_secs + 1, secs_alloc);
		{
			struct strbuf label = STRBUF_INIT;

			strbuf_addf(&label, "[%s]", name ? name : "?");
			img->secs[img->nr_secs++] = (struct elf_section){
				sh.sh_addr, sh.sh_size,
				xstrdup(name ? name : "?"),
				strbuf_detach(&label, NULL),
				(sh.sh_flags & SHF_EXECINSTR) != 0};
		}
	}
	sort_n(img->secs, img->nr_secs, sizeof(*img->secs), cmp_sec);
	if (symtab) {
		load_symbols(img, elf, symtab, &symtab_hdr);
		img->symtab = ".symtab";
	}
	if (!img->nr_syms && dynsym) {
		free(img->syms);
		free(img->last_fn);
		img->syms = NULL;
		img->last_fn = NULL;
		load_symbols(img, elf, dynsym, &dynsym_hdr);
		img->symtab = ".dynsym";
	}
	if (!img->nr_syms)
		img->symtab = NULL;
	return img;
}

void elf_image_free(struct elf_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nr_syms; i++)
		free(img->syms[i].name);
	for (size_t i = 0; i < img->nr_secs; i++) {
		free(img->secs[i].name);
		free(img->secs[i].label);
	}
	free(img->syms);
	free(img->last_fn);
	free(img->secs);
	free(img->loads);
	elf_end(img->elf);
	close(img->fd);
	free(img->path);
	free(img);
}

bool elf_image_offset_to_vaddr(const struct elf_image *img, uint64_t offset,
			       uint64_t *vaddr)
{
	for (size_t i = 0; i < img->nr_loads; i++) {
		const struct elf_load *l = &img->loads[i];

		if (offset >= l->offset && offset - l->offset < l->filesz) {
			*vaddr = offset - l->offset + l->vaddr;
			return true;
		}
	}
	return false;
}

const uint8_t *elf_image_bytes(const struct elf_image *img, uint64_t vaddr,
			       size_t *avail)
{
	size_t size = 0;
	const char *raw = elf_rawfile(img->elf, &size);

	if (!raw)
		return NULL;
	for (size_t i = 0; i < img->nr_loads; i++) {
		const struct elf_load *l = &img->loads[i];
		uint64_t off;

		if (vaddr < l->vaddr || vaddr - l->vaddr >= l->filesz)
			continue;
		off = vaddr - l->vaddr + l->offset;
		if (off >= size)
			return NULL;
		*avail = (size_t)(l->offset + l->filesz - off);
		if (*avail > size - off)
			*avail = size - (size_t)off;
		return (const uint8_t *)raw + off;
	}
	return NULL;
}

const struct elf_section *elf_image_section(const struct elf_image *img,
					    uint64_t vaddr)
{
	size_t lo = 0, hi = img->nr_secs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->secs[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* sections do not nest, but .tbss overlaps; look back a little */
	for (size_t i = lo; i-- > 0 && lo - i <= 2;) {
		const struct elf_section *s = &img->secs[i];

		if (vaddr - s->addr < s->size)
			return s;
	}
	return NULL;
}

/* Whether a and b lie in the same allocated section. */
static bool same_section(const struct elf_image *img, uint64_t a, uint64_t b)
{
	const struct elf_section *sa = elf_image_section(img, a);

	return sa && sa == elf_image_section(img, b);
}

const struct elf_sym *elf_image_symbol(const struct elf_image *img,
				       uint64_t vaddr)
{
	size_t lo = 0, hi = img->nr_syms, fn;
	const struct elf_sym *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	/* the function that starts last at or before vaddr, if it covers it */
	fn = img->last_fn[lo - 1];
	if (fn != SIZE_MAX) {
		s = &img->syms[fn];
		if (s->size ? vaddr - s->addr < s->size
			    /* unsized (hand-written assembly): up to the
			     * next function of its section */
			    : same_section(img, s->addr, vaddr))
			return s;
	}
	/* else the nearest label after it, in the same section, as objdump */
	s = &img->syms[lo - 1];
	if (s->label && (fn == SIZE_MAX || lo - 1 > fn) &&
	    same_section(img, s->addr, vaddr))
		return s;
	return NULL;
}

const char *elf_image_arch(const struct elf_image *img)
{
	bool is64 = img->elfclass == ELFCLASS64;

	switch (img->machine) {
	case EM_RISCV:
		return is64 ? "riscv64" : "riscv32";
	case EM_X86_64:
		return "x86-64";
	case EM_386:
		return "x86";
	case EM_AARCH64:
		return "aarch64";
	case EM_ARM:
		return "arm";
	default:
		return "unknown";
	}
}
