/* SPDX-License-Identifier: MIT */
/*
 * gen_run: write a SPEC-sized synthetic run directory, deterministically.
 *
 *   gen_run [-s SEED] [-v VARIANT] [-p PERCENT] [-S SYSROOT] OUTDIR
 *
 * The layout is that of an llvm-test-suite SPEC build directory, like the
 * fixture runs: External/SPEC/<suite>/<bench>/<bench> (the program),
 * <bench>.qemu_out[.N] and <bench>.map[.N], for 16 benchmarks of
 * CINT2017rate and CFP2017rate, 27 invocations and about 3 million rows
 * in all (three invocations of 500k rows).  The shared libraries are
 * linked or copied from SYSROOT (default: Debian's libc6-riscv64-cross)
 * into the run's own sysroot/lib/, so the analysis symbolizes them.
 *
 * Why the programs are synthetic ELF files and not the fixture binaries:
 * a 500k-row invocation needs 500k distinct blocks, and the fixture
 * programs have 8 KiB of text.  Each benchmark gets a RISC-V ELF with a
 * .text large enough for its blocks (up to 8 MiB, about 502.gcc_r's) and
 * a .symtab of up to 97k functions (long mangled names for
 * the C++ benchmarks).  The text is a hole in a sparse file: it costs no
 * disk, and only the headers and the symbol table are ever read.
 *
 * What is realistic (from the fixtures' README): map shapes (libc, libm,
 * ld.so, [stack], [vdso], anonymous rows, gdb's header and trailer), two
 * load layouts alternating between invocations, every pc inside an r-xp
 * mapping and inside a function of its ELF, rows keyed by (pc, icount)
 * with the PLT0 pc twice, ~300 one-instruction blocks in the page of
 * _dl_debug_state and a run of them at the start of main, tcount 2-4 on
 * ~6 % of ld.so rows, icount 1-86, a heavy-tailed ecount (Pareto; most
 * rows run a handful of times, the hottest ~10^10), rows sorted by ecount
 * descending, both forms of the "collected N entries" line.
 *
 * VARIANT 0 is the base run; VARIANT N > 0 has the same blocks with the
 * program's counts perturbed (a few % per benchmark, noise per row), as a
 * second build of the same sources would: compare A with B.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_image.h"
#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

#define PAGE	     0x1000ull
#define MAP_SYSROOT  "/home/ci/rvsysroot"
#define MAP_BUILDDIR "/home/ci/llvm-test-suite"

/* ---- deterministic random numbers -------------------------------------- */

struct rng {
	uint64_t s;
};

/* splitmix64: small, fast and good enough for synthetic data */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]. */
static double rng_unit(struct rng *r)
{
	return (double)((rng_next(r) >> 11) + 1) / 9007199254740992.0;
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* A stream of its own for every (seed, name, number). */
static struct rng rng_for(uint64_t seed, const char *name, uint64_t n)
{
	struct rng r = {seed ^ 0x5bd1e9955bd1e995ull};

	while (*name)
		r.s = (r.s ^ (unsigned char)*name++) * 0x100000001b3ull;
	r.s ^= n * 0xff51afd7ed558ccdull;
	rng_next(&r);
	return r;
}

/* Pareto(xm = 1, shape a), capped: the heavy tail of execution counts. */
static uint64_t pareto(struct rng *r, double a, double cap)
{
	double x = pow(rng_unit(r), -1.0 / a);

	return x >= cap ? (uint64_t)cap : (uint64_t)x;
}

/* Instructions in a block: 1-86, mostly 2-8 (a geometric tail). */
static uint32_t block_icount(struct rng *r)
{
	uint32_t n = 1;

	while (n < 86 && rng_below(r, 100) < 78)
		n++;
	return n;
}

/* Bytes of n instructions: a mix of 2-byte (RVC) and 4-byte encodings. */
static uint64_t block_bytes(struct rng *r, uint32_t n)
{
	uint64_t b = 0;

	for (uint32_t i = 0; i < n; i++)
		b += rng_below(r, 100) < 55 ? 2 : 4;
	return b;
}

/* ---- the benchmarks ------------------------------------------------------ */

struct bench_spec {
	const char *name;
	const char *suite;
	bool cxx;	   /* C++: long mangled symbol names */
	bool libm;	   /* libm loaded */
	unsigned krows[5]; /* rows per invocation, in thousands; 0 ends */
};

static const struct bench_spec benches[] = {
	{"500.perlbench_r", "CINT2017rate", false, false, {200, 120, 80}},
	{"502.gcc_r", "CINT2017rate", false, false, {500, 150, 100}},
	{"505.mcf_r", "CINT2017rate", false, false, {8}},
	{"520.omnetpp_r", "CINT2017rate", true, false, {120}},
	{"523.xalancbmk_r", "CINT2017rate", true, false, {500}},
	{"525.x264_r", "CINT2017rate", false, false, {60, 50, 40}},
	{"531.deepsjeng_r", "CINT2017rate", true, false, {25}},
	{"541.leela_r", "CINT2017rate", true, false, {30}},
	{"557.xz_r", "CINT2017rate", false, false, {30, 25, 20}},
	{"503.bwaves_r", "CFP2017rate", false, true, {7, 7, 7, 7}},
	{"508.namd_r", "CFP2017rate", true, true, {20}},
	{"510.parest_r", "CFP2017rate", true, true, {200}},
	{"511.povray_r", "CFP2017rate", true, true, {60}},
	{"519.lbm_r", "CFP2017rate", false, true, {7}},
	{"526.blender_r", "CFP2017rate", true, true, {500}},
	{"538.imagick_r", "CFP2017rate", false, true, {90}},
};

/* ---- objects and their blocks ---------------------------------------------
 */

struct block {
	uint64_t addr; /* ELF virtual address (== file offset in text) */
	uint32_t icount;
};

struct func {
	uint64_t addr, size;
	char *name;
};

struct object {
	const char *name; /* "libc.so.6", or the program's name */
	char *map_path;	  /* objfile as the .map shows it */
	/* map rows: r-xp, r--p, rw-p sizes and file offsets */
	uint64_t rx_size, ro_off, ro_size, rw_off, rw_size;
	struct block *blocks; /* the universe of blocks, by address */
	size_t nr_blocks, alloc_blocks;
	uint64_t plt0;	       /* programs: the PLT0 stub */
	uint64_t single_page;  /* 1-instruction blocks: a breakpoint page */
	uint64_t single_start; /* first of them */
	struct func *funcs;
	size_t nr_funcs, alloc_funcs;
	size_t main_func;
};

static void add_block(struct object *o, uint64_t addr, uint32_t icount)
{
	ALLOC_GROW(o->blocks, o->nr_blocks + 1, o->alloc_blocks);
	o->blocks[o->nr_blocks++] = (struct block){addr, icount};
}

/*
 * Split [start, end) into consecutive blocks.  Blocks in the breakpoint
 * page never have one instruction, so the single-instruction rows added
 * there never repeat a (pc, icount) key.
 */
static void split_blocks(struct object *o, struct rng *r, uint64_t start,
			 uint64_t end)
{
	uint64_t pc = start;

	while (pc < end) {
		uint32_t n = block_icount(r);
		uint64_t len;

		if (n == 1 && o->single_page && pc / PAGE == o->single_page)
			n = 2;
		len = block_bytes(r, n);
		if (pc + len > end)
			break;
		add_block(o, pc, n);
		pc += len;
	}
}

/* ---- a synthetic program ELF ----------------------------------------------
 */

static const char *const words[] = {
	"parse",  "emit",   "tree",	"node",	  "hash",   "table",
	"insert", "lookup", "visit",	"expr",	  "reg",    "alloc",
	"sched",  "block",  "edge",	"graph",  "string", "buffer",
	"match",  "scan",   "token",	"encode", "decode", "mesh",
	"solve",  "vector", "matrix",	"kernel", "stage",  "filter",
	"sample", "render", "material", "light",  "ray",    "bound",
};
#define NR_WORDS (sizeof(words) / sizeof(words[0]))

static char *func_name(struct rng *r, bool cxx, size_t i)
{
	struct strbuf sb = STRBUF_INIT;

	if (!cxx) {
		strbuf_addf(&sb, "%s_%s_%zu", words[rng_below(r, NR_WORDS)],
			    words[rng_below(r, NR_WORDS)], i);
	} else {
		/* _ZN<ns><class><method>E<params>: 40-90 characters */
		const char *ns = words[rng_below(r, NR_WORDS)];
		const char *c1 = words[rng_below(r, NR_WORDS)];
		const char *c2 = words[rng_below(r, NR_WORDS)];
		const char *m = words[rng_below(r, NR_WORDS)];
		struct strbuf meth = STRBUF_INIT;

		strbuf_addf(&meth, "%s%sImpl%zu", m, c2, i);
		strbuf_addf(&sb, "_ZN%zu%s_2_7%zu%sManager%zu%sE%s",
			    strlen(ns) + 4, ns, strlen(c1) + 7, c1, meth.len,
			    meth.buf,
			    rng_below(r, 2) ? "RKNS_11ValueStoreEPKtj"
					    : "PNS_8MemoryMgrEb");
		strbuf_release(&meth);
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * Lay out the program's functions and blocks: a .plt at 0x1000, then
 * functions of 1-60 blocks each until there are `want` blocks.
 */
static void make_program(struct object *o, struct rng *r, bool cxx, size_t want)
{
	uint64_t plt_size = 0x20 + 0x10 * 48;
	uint64_t pc = PAGE + plt_size;

	o->plt0 = PAGE;
	o->main_func = SIZE_MAX;
	while (o->nr_blocks < want) {
		uint64_t nb = 1 + pareto(r, 1.3, 60.0) + rng_below(r, 6);
		uint64_t start = pc;
		struct func *f;

		for (uint64_t i = 0; i < nb; i++) {
			uint32_t n = block_icount(r);

			if (o->main_func == SIZE_MAX && o->nr_funcs == 40)
				n = n < 2 ? 2 : n; /* main: see singles */
			add_block(o, pc, n);
			pc += block_bytes(r, n);
		}
		ALLOC_GROW(o->funcs, o->nr_funcs + 1, o->alloc_funcs);
		f = &o->funcs[o->nr_funcs];
		f->addr = start;
		f->size = pc - start;
		if (o->nr_funcs == 40) {
			f->name = xstrdup("main");
			o->main_func = o->nr_funcs;
			o->single_start = start;
		} else {
			f->name = func_name(r, cxx, o->nr_funcs);
		}
		o->nr_funcs++;
		pc = (pc + 3) & ~3ull; /* functions are 4-byte aligned */
	}
	o->rx_size = (pc + PAGE - 1) & ~(PAGE - 1);
	o->ro_off = o->rx_size;
	o->ro_size = PAGE;
	o->rw_off = o->rx_size + PAGE;
	o->rw_size = PAGE;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Write the program as a RISC-V ELF64 shared object (PIE): three PT_LOAD
 * segments matching the map rows, and .plt, .text, .rodata, .data,
 * .symtab, .strtab, .shstrtab sections.  The text is left as a hole.
 * Little-endian host assumed (the structures are written as they are).
 */
static int write_program_elf(const struct object *o, const char *path)
{
	static const char shstr[] = "\0.plt\0.text\0.rodata\0.data\0.symtab\0"
				    ".strtab\0.shstrtab";
	/* offsets of the names in shstr */
	enum {
		S_PLT = 1,
		S_TEXT = 6,
		S_RODATA = 12,
		S_DATA = 20,
		S_SYMTAB = 26,
		S_STRTAB = 34,
		S_SHSTRTAB = 42
	};
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[3] = {{0}};
	Elf64_Shdr sh[8] = {{0}};
	struct strbuf strtab = STRBUF_INIT;
	Elf64_Sym *syms = xcalloc(o->nr_funcs + 1, sizeof(*syms));
	uint64_t text = o->funcs[0].addr;
	uint64_t symoff = o->rw_off + o->rw_size;
	uint64_t symsize = (o->nr_funcs + 1) * sizeof(Elf64_Sym);
	uint64_t stroff, shstroff, shoff;
	int fd, ret = -1;

	strbuf_addch(&strtab, '\0');
	for (size_t i = 0; i < o->nr_funcs; i++) {
		Elf64_Sym *s = &syms[i + 1];

		s->st_name = (Elf64_Word)strtab.len;
		s->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		s->st_shndx = 2;
		s->st_value = o->funcs[i].addr;
		s->st_size = o->funcs[i].size;
		strbuf_add(&strtab, o->funcs[i].name,
			   strlen(o->funcs[i].name) + 1);
	}
	stroff = symoff + symsize;
	shstroff = stroff + strtab.len;
	shoff = (shstroff + sizeof(shstr) + 7) & ~7ull;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_RISCV;
	eh.e_version = EV_CURRENT;
	eh.e_entry = text;
	eh.e_phoff = sizeof(eh);
	eh.e_shoff = shoff;
	eh.e_flags = 0x5; /* EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE */
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph[0]);
	eh.e_phnum = 3;
	eh.e_shentsize = sizeof(sh[0]);
	eh.e_shnum = 8;
	eh.e_shstrndx = 7;

	ph[0] = (Elf64_Phdr){PT_LOAD, PF_R | PF_X, 0,	       0,
			     0,	      o->rx_size,  o->rx_size, PAGE};
	ph[1] = (Elf64_Phdr){PT_LOAD,	PF_R,	    o->ro_off,	o->ro_off,
			     o->ro_off, o->ro_size, o->ro_size, PAGE};
	ph[2] = (Elf64_Phdr){PT_LOAD,	PF_R | PF_W, o->rw_off,	 o->rw_off,
			     o->rw_off, o->rw_size,  o->rw_size, PAGE};

	sh[1] = (Elf64_Shdr){S_PLT,
			     SHT_PROGBITS,
			     SHF_ALLOC | SHF_EXECINSTR,
			     PAGE,
			     PAGE,
			     text - PAGE,
			     0,
			     0,
			     16,
			     16};
	sh[2] = (Elf64_Shdr){S_TEXT,
			     SHT_PROGBITS,
			     SHF_ALLOC | SHF_EXECINSTR,
			     text,
			     text,
			     o->rx_size - text,
			     0,
			     0,
			     4,
			     0};
	sh[3] = (Elf64_Shdr){S_RODATA,	SHT_PROGBITS,
			     SHF_ALLOC, o->ro_off,
			     o->ro_off, o->ro_size,
			     0,		0,
			     8,		0};
	sh[4] = (Elf64_Shdr){S_DATA,
			     SHT_PROGBITS,
			     SHF_ALLOC | SHF_WRITE,
			     o->rw_off,
			     o->rw_off,
			     o->rw_size,
			     0,
			     0,
			     8,
			     0};
	sh[5] = (Elf64_Shdr){S_SYMTAB, SHT_SYMTAB, 0, 0, symoff,
			     symsize,  6,	   1, 8, sizeof(Elf64_Sym)};
	sh[6] = (Elf64_Shdr){S_STRTAB,	 SHT_STRTAB, 0, 0, stroff,
			     strtab.len, 0,	     0, 1, 0};
	sh[7] = (Elf64_Shdr){S_SHSTRTAB,    SHT_STRTAB, 0, 0, shstroff,
			     sizeof(shstr), 0,		0, 1, 0};

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0)
		goto out;
	if (pwrite_all(fd, &eh, sizeof(eh), 0) < 0 ||
	    pwrite_all(fd, ph, sizeof(ph), sizeof(eh)) < 0 ||
	    pwrite_all(fd, syms, symsize, symoff) < 0 ||
	    pwrite_all(fd, strtab.buf, strtab.len, stroff) < 0 ||
	    pwrite_all(fd, shstr, sizeof(shstr), shstroff) < 0 ||
	    pwrite_all(fd, sh, sizeof(sh), shoff) < 0)
		goto out;
	ret = close(fd);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(syms);
	strbuf_release(&strtab);
	return ret;
}

/* ---- shared libraries ------------------------------------------------------
 */

/* Map shapes of the fixtures' libraries (libc6-riscv64-cross 2.36). */
static const struct lib_shape {
	const char *name;
	uint64_t rx_size, ro_off, ro_size, rw_off, rw_size;
} lib_shapes[] = {
	{"libc.so.6", 0x122000, 0x122000, 0x3000, 0x125000, 0x2000},
	{"libm.so.6", 0x6b000, 0x6a000, 0x1000, 0x6b000, 0x1000},
	{"ld-linux-riscv64-lp64d.so.1", 0x1c000, 0x1c000, 0x1000, 0x1d000,
	 0x2000},
};
enum { LIBC, LIBM, LDSO, NR_LIBS };

static int copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	ssize_t n;
	int in, out, ret = -1;

	if (!link(from, to))
		return 0;
	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto out;
	ret = n < 0 ? -1 : 0;
out:
	if (out >= 0 && close(out) < 0)
		ret = -1;
	close(in);
	return ret;
}

/*
 * The blocks of a library: split its functions (from its .dynsym) into
 * blocks, or, without the ELF, the whole r-xp range.  The library is
 * put into the run's sysroot/lib/ so the analysis finds it.
 */
static void make_library(struct object *o, struct rng *r, int which,
			 const char *sysroot, const char *run)
{
	const struct lib_shape *ls = &lib_shapes[which];
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	struct elf_image *img;
	struct errbuf err;

	o->name = ls->name;
	strbuf_addf(&to, "%s/lib/%s", MAP_SYSROOT, ls->name);
	o->map_path = strbuf_detach(&to, NULL);
	o->rx_size = ls->rx_size;
	o->ro_off = ls->ro_off;
	o->ro_size = ls->ro_size;
	o->rw_off = ls->rw_off;
	o->rw_size = ls->rw_size;

	strbuf_addf(&from, "%s/lib/%s", sysroot, ls->name);
	img = elf_image_open(from.buf, &err);
	if (img && which == LDSO) {
		for (size_t i = 0; i < img->nr_syms; i++)
			if (!strcmp(img->syms[i].name, "_dl_debug_state"))
				o->single_page = img->syms[i].addr / PAGE;
	}
	if (!o->single_page && which == LDSO)
		o->single_page = 0x10;
	if (img) {
		/*
		 * Blocks anywhere in the code, as in real data: most fall in
		 * a .dynsym function, the others are "[no symbol]".
		 */
		for (size_t i = 0; i < img->nr_secs; i++) {
			const struct elf_section *s = &img->secs[i];

			if (s->exec && s->addr + s->size <= ls->rx_size)
				split_blocks(o, r, s->addr, s->addr + s->size);
		}
		strbuf_addf(&to, "%s/sysroot/lib/%s", run, ls->name);
		if (copy_file(from.buf, to.buf) < 0)
			fprintf(stderr, "gen_run: cannot copy %s: %s\n",
				from.buf, strerror(errno));
	} else {
		fprintf(stderr, "gen_run: %s; %s will not be symbolized\n",
			err.msg, ls->name);
		split_blocks(o, r, 0x1000, ls->rx_size);
	}
	elf_image_free(img);
	strbuf_release(&from);
	strbuf_release(&to);
}

/* ---- one invocation --------------------------------------------------------
 */

struct row {
	uint64_t pc, tcount, ecount;
	uint32_t icount;
};

struct rows {
	struct row *v;
	size_t nr, alloc;
};

static void push(struct rows *rs, uint64_t pc, uint64_t tcount, uint32_t icount,
		 uint64_t ecount)
{
	ALLOC_GROW(rs->v, rs->nr + 1, rs->alloc);
	rs->v[rs->nr++] = (struct row){pc, tcount, ecount ? ecount : 1, icount};
}

/* How counts of an object's blocks are drawn. */
struct count_model {
	double shape, cap;   /* Pareto */
	unsigned tcount_pct; /* rows re-translated (tcount 2-4), in 1/1000 */
	unsigned hot; /* about this many inner-loop rows run 10^8-10^10 times */
};

/*
 * k of the object's blocks, chosen uniformly in address order (Knuth's
 * algorithm S), at load address `base`.
 */
static void pick_blocks(struct rows *rs, const struct object *o, size_t k,
			uint64_t base, const struct count_model *cm,
			struct rng *r)
{
	size_t n = o->nr_blocks, left = k < n ? k : n;

	for (size_t i = 0; i < n && left; i++) {
		const struct block *b = &o->blocks[i];
		uint64_t tcount = 1, ecount;

		if (rng_below(r, n - i) >= left)
			continue;
		left--;
		if (rng_below(r, 1000) < cm->tcount_pct)
			tcount = 2 + rng_below(r, 3);
		ecount = pareto(r, cm->shape, cm->cap);
		if (rng_below(r, k) < cm->hot)
			ecount = 100000000 + rng_below(r, 10000000000ull);
		push(rs, base + b->addr, tcount, b->icount, ecount);
	}
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->ecount != y->ecount)
		return x->ecount > y->ecount ? -1 : 1;
	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	return x->icount < y->icount ? -1 : x->icount > y->icount;
}

struct mapping_out {
	uint64_t start, size, offset;
	const char *perms;
	const char *objfile;
};

struct layout {
	struct mapping_out m[24];
	size_t nr;
	uint64_t cur;
};

static void place(struct layout *l, uint64_t size, uint64_t offset,
		  const char *perms, const char *objfile)
{
	l->m[l->nr++] =
		(struct mapping_out){l->cur, size, offset, perms, objfile};
	l->cur += size;
}

/* Place an object's three rows; returns its load address. */
static uint64_t place_object(struct layout *l, const struct object *o)
{
	uint64_t base = l->cur;

	place(l, o->rx_size, 0, "r-xp", o->map_path);
	place(l, o->ro_size, o->ro_off, "r--p", o->map_path);
	place(l, o->rw_size, o->rw_off, "rw-p", o->map_path);
	return base;
}

static void fmt_hex(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "0x%llx", (unsigned long long)v);
}

static int write_map(const char *path, const struct layout *l, unsigned pid)
{
	FILE *f = fopen(path, "w");
	char a[24], b[24], c[24], d[24];

	if (!f)
		return -1;
	fprintf(f, "process %u\nMapped address spaces:\n\n", pid);
	fprintf(f, "%20s %18s %10s %10s  %s  %s\n", "Start Addr", "End Addr",
		"Size", "Offset", "Perms", "objfile");
	for (size_t i = 0; i < l->nr; i++) {
		const struct mapping_out *m = &l->m[i];

		fmt_hex(a, sizeof(a), m->start);
		fmt_hex(b, sizeof(b), m->start + m->size);
		fmt_hex(c, sizeof(c), m->size);
		fmt_hex(d, sizeof(d), m->offset);
		fprintf(f, "%20s %18s %10s %10s  %s   %s\n", a, b, c, d,
			m->perms, m->objfile);
	}
	fprintf(f, "[Inferior 1 (process %u) detached]\n", pid);
	return fclose(f);
}

static int write_qemu_out(const char *path, const struct rows *rs,
			  bool new_header)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	if (new_header)
		fprintf(f,
			"collected %zu entries in the hash table (showing up "
			"to %zu)\n",
			rs->nr, rs->nr);
	else
		fprintf(f, "collected %zu entries in the hash table\n", rs->nr);
	fputs("pc, tcount, icount, ecount\n", f);
	for (size_t i = 0; i < rs->nr; i++)
		fprintf(f, "0x%016llx, %llu, %u, %llu\n",
			(unsigned long long)rs->v[i].pc,
			(unsigned long long)rs->v[i].tcount, rs->v[i].icount,
			(unsigned long long)rs->v[i].ecount);
	return fclose(f);
}

struct gen {
	const char *out;
	uint64_t seed;
	unsigned variant;
	unsigned percent;
	struct object libs[NR_LIBS];
	uint64_t rows, files, bytes;
	unsigned pid;
};

/* Program rows (everything but the libraries) get the variant's noise. */
static void perturb(struct rows *rs, size_t from, double factor, struct rng *r)
{
	for (size_t i = from; i < rs->nr; i++) {
		double f = factor * (0.97 + 0.06 * rng_unit(r));
		double e = (double)rs->v[i].ecount * f;

		rs->v[i].ecount = e < 1.0 ? 1 : (uint64_t)e;
	}
}

static int gen_invocation(struct gen *g, const struct bench_spec *bs,
			  const struct object *prog, const char *dir,
			  unsigned inv, size_t want)
{
	static const struct count_model m_prog = {0.45, 3e10, 3, 16},
					m_libc = {0.6, 5e9, 3, 0},
					m_libm = {0.5, 1e10, 0, 2},
					m_ldso = {1.3, 2e5, 60, 0};
	struct rng r = rng_for(g->seed, bs->name, inv);
	struct rng noise = rng_for(g->seed + g->variant, bs->name, inv + 100);
	struct layout l = {.nr = 0};
	struct rows rs = {0};
	struct strbuf path = STRBUF_INIT;
	const struct object *libc = &g->libs[LIBC], *libm = &g->libs[LIBM],
			    *ldso = &g->libs[LDSO];
	uint64_t libc_at, libm_at = 0, ldso_at, prog_at, vdso_at;
	size_t n_ldso = 1800 + rng_below(&r, 600), n_libc, n_libm = 0, n_prog,
	       fixed;
	bool high = (inv + strlen(bs->name)) % 2 == 0;
	int ret;

	/* the mappings, in one of the fixtures' two layouts */
	l.cur = high ? 0x7ffff6924000ull : 0x7fffee85e000ull;
	libc_at = place_object(&l, libc);
	place(&l, 0xd000, 0, "rw-p", "");
	if (bs->libm)
		libm_at = place_object(&l, libm);
	if (high) {
		l.cur += 0xb000;
		ldso_at = place_object(&l, ldso);
		place(&l, PAGE, 0, "---p", "");
		place(&l, 0x800000, 0, "rw-p", "[stack]");
		prog_at = place_object(&l, prog);
		place(&l, 0xc000, 0, "rw-p", "");
		if (l.cur < 0x7ffff7fb8000ull)
			l.cur = 0x7ffff7fb8000ull;
		place(&l, 0x2000, 0, "rw-p", "");
		vdso_at = l.cur;
		place(&l, PAGE, 0, "r-xp", "[vdso]");
	} else {
		place(&l, PAGE, 0, "---p", "");
		place(&l, 0x800000, 0, "rw-p", "[stack]");
		l.cur += 0x8067000;
		place(&l, 0x2000, 0, "rw-p", "");
		ldso_at = place_object(&l, ldso);
		if (l.cur < 0x7ffff7fb5000ull)
			l.cur = 0x7ffff7fb5000ull;
		place(&l, 0x2000, 0, "rw-p", "");
		vdso_at = l.cur;
		place(&l, PAGE, 0, "r-xp", "[vdso]");
		prog_at = place_object(&l, prog);
	}

	/* how many rows each object gets */
	n_libc = 1500 + want / 20;
	if (n_libc > 30000)
		n_libc = 30000;
	if (bs->libm) {
		n_libm = 300 + want / 50;
		if (n_libm > 8000)
			n_libm = 8000;
	}
	fixed = n_ldso + 300 + n_libc + n_libm + 32 + 40;
	n_prog = want > fixed + 200 ? want - fixed : 200;

	/* libraries: the same in every variant */
	pick_blocks(&rs, ldso, n_ldso, ldso_at, &m_ldso, &r);
	for (uint64_t i = 0; i < 300; i++) /* the _dl_debug_state page */
		push(&rs, ldso_at + ldso->single_page * PAGE + 4 * i,
		     1 + (rng_below(&r, 100) < 10), 1, 1);
	pick_blocks(&rs, libc, n_libc, libc_at, &m_libc, &r);
	if (n_libm)
		pick_blocks(&rs, libm, n_libm, libm_at, &m_libm, &r);
	if (inv % 3 == 1) { /* clock_gettime through the vDSO */
		push(&rs, vdso_at + 0x800, 1, 9, 1 + rng_below(&r, 400));
		push(&rs, vdso_at + 0x830, 1, 4, 1 + rng_below(&r, 400));
	}
	/* the program: PLT0 twice, PLT entries, main's breakpoint page */
	{
		size_t from = rs.nr;
		uint64_t lazy = 20 + rng_below(&r, 120);

		push(&rs, prog_at + prog->plt0, 1, 8, lazy);
		push(&rs, prog_at + prog->plt0, 1, 1, 1);
		for (uint64_t i = 0; i < 30; i++)
			push(&rs, prog_at + prog->plt0 + 0x20 + 0x10 * i, 1, 4,
			     pareto(&r, 0.7, 1e8));
		for (uint64_t i = 0; i < 40; i++)
			push(&rs, prog_at + prog->single_start + 2 * i, 1, 1,
			     1);
		pick_blocks(&rs, prog, n_prog, prog_at, &m_prog, &r);
		if (g->variant) {
			struct rng br =
				rng_for(g->seed + g->variant, bs->name, 999);
			double factor = 0.92 + 0.12 * rng_unit(&br);

			perturb(&rs, from, factor, &noise);
		}
	}
	sort_n(rs.v, rs.nr, sizeof(*rs.v), cmp_row);

	strbuf_addf(&path, "%s/%s.qemu_out", dir, bs->name);
	if (inv)
		strbuf_addf(&path, ".%u", inv);
	ret = write_qemu_out(path.buf, &rs, inv % 2 == 1);
	if (!ret) {
		struct stat st;

		if (!stat(path.buf, &st))
			g->bytes += (uint64_t)st.st_size;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.map", dir, bs->name);
		if (inv)
			strbuf_addf(&path, ".%u", inv);
		ret = write_map(path.buf, &l, g->pid++);
	}
	if (ret)
		fprintf(stderr, "gen_run: cannot write '%s': %s\n", path.buf,
			strerror(errno));
	g->rows += rs.nr;
	g->files++;
	free(rs.v);
	strbuf_release(&path);
	return ret;
}

static void object_release(struct object *o)
{
	for (size_t i = 0; i < o->nr_funcs; i++)
		free(o->funcs[i].name);
	free(o->funcs);
	free(o->blocks);
	free(o->map_path);
	memset(o, 0, sizeof(*o));
}

static int mkdirs(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	strbuf_adds(&sb, path);
	for (char *p = sb.buf + 1; *p && !ret; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(sb.buf, 0755) < 0 && errno != EEXIST)
			ret = -1;
		*p = '/';
	}
	if (!ret && mkdir(sb.buf, 0755) < 0 && errno != EEXIST)
		ret = -1;
	if (ret)
		fprintf(stderr, "gen_run: cannot create '%s': %s\n", sb.buf,
			strerror(errno));
	strbuf_release(&sb);
	return ret;
}

static int gen_benchmark(struct gen *g, const struct bench_spec *bs)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct object prog = {0};
	struct rng r = rng_for(g->seed, bs->name, 0xe1f);
	size_t most = 0;
	int ret = -1;

	for (int i = 0; i < 5 && bs->krows[i]; i++)
		if (bs->krows[i] > most)
			most = bs->krows[i];
	most = most * 1000 * g->percent / 100;
	strbuf_addf(&dir, "%s/External/SPEC/%s/%s", g->out, bs->suite,
		    bs->name);
	if (mkdirs(dir.buf) < 0)
		goto out;

	/* the program: room for every invocation's blocks, and some to spare */
	prog.name = bs->name;
	strbuf_addf(&path, "%s/build.synthetic/External/SPEC/%s/%s/%s",
		    MAP_BUILDDIR, bs->suite, bs->name, bs->name);
	prog.map_path = strbuf_detach(&path, NULL);
	make_program(&prog, &r, bs->cxx, most + most / 4 + 2000);
	strbuf_addf(&path, "%s/%s", dir.buf, bs->name);
	if (write_program_elf(&prog, path.buf) < 0) {
		fprintf(stderr, "gen_run: cannot write '%s': %s\n", path.buf,
			strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i < 5 && bs->krows[i]; i++)
		if (gen_invocation(g, bs, &prog, dir.buf, i,
				   (size_t)bs->krows[i] * 1000 * g->percent /
					   100) < 0)
			goto out;
	ret = 0;
out:
	object_release(&prog);
	strbuf_release(&dir);
	strbuf_release(&path);
	return ret;
}

static const char usage[] =
	"usage: gen_run [-s SEED] [-v VARIANT] [-p PERCENT] [-S SYSROOT] "
	"OUTDIR\n"
	"Write a SPEC-sized synthetic run (16 benchmarks, ~3 M rows) into "
	"OUTDIR.\n"
	"  -s, --seed N        random seed (default 1)\n"
	"  -v, --variant N     0: base run; N > 0: the same blocks, other "
	"counts\n"
	"  -p, --percent N     rows per invocation, in %% of the full size "
	"(100)\n"
	"  -S, --sysroot DIR   riscv64 libraries (default "
	"/usr/riscv64-linux-gnu)\n";

static bool parse_uint(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && end != s && !*end && s[0] != '-';
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 's'},
		{"variant", required_argument, NULL, 'v'},
		{"percent", required_argument, NULL, 'p'},
		{"sysroot", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gen g = {.seed = 1, .percent = 100, .pid = 14000};
	const char *sysroot = "/usr/riscv64-linux-gnu";
	struct strbuf sr = STRBUF_INIT;
	uint64_t v;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "s:v:p:S:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 's':
			if (!parse_uint(optarg, &g.seed))
				goto bad;
			break;
		case 'v':
			if (!parse_uint(optarg, &v) || v > 1000)
				goto bad;
			g.variant = (unsigned)v;
			break;
		case 'p':
			if (!parse_uint(optarg, &v) || !v || v > 100)
				goto bad;
			g.percent = (unsigned)v;
			break;
		case 'S':
			sysroot = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (argc - optind != 1)
		goto bad;
	g.out = argv[optind];
	strbuf_addf(&sr, "%s/sysroot/lib", g.out);
	if (mkdirs(sr.buf) < 0)
		return 1;
	for (int i = 0; i < NR_LIBS; i++) {
		struct rng r = rng_for(g.seed, lib_shapes[i].name, 0);

		make_library(&g.libs[i], &r, i, sysroot, g.out);
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (gen_benchmark(&g, &benches[i]) < 0) {
			ret = 1;
			break;
		}
	for (int i = 0; i < NR_LIBS; i++)
		object_release(&g.libs[i]);
	strbuf_release(&sr);
	if (!ret)
		printf("gen_run: %s: %llu files, %llu rows, %.1f MB of "
		       ".qemu_out\n",
		       g.out, (unsigned long long)g.files,
		       (unsigned long long)g.rows, (double)g.bytes / 1e6);
	return ret;
bad:
	fputs(usage, stderr);
	return 2;
}
