/* SPDX-License-Identifier: MIT */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_image.h"
#include "errbuf.h"
#include "hash.h"
#include "key_map.h"
#include "mix.h"
#include "proc_map.h"
#include "qemu_out.h"
#include "rate.h"
#include "strbuf.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

#define MAX_DEPTH 32

/* ---- discovery ---------------------------------------------------------- */

struct found {
	char *rel;	  /* the .qemu_out file, relative to the root */
	char *prog;	  /* rel without the .qemu_out[.N] suffix */
	char *suffix;	  /* "" or ".N" */
	const char *zext; /* "", ".zst" or ".gz": the file is compressed */
	uint64_t num;	  /* 0 for .qemu_out, N + 1 for .qemu_out.N */
	uint64_t bytes;
};

struct found_list {
	struct found *items;
	size_t nr, alloc;
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Does `name` end in ".qemu_out" or ".qemu_out.<N>"?  Sets the length of
 * the program part and the invocation number.
 */
static bool qemu_out_name(const char *name, size_t *prog_len, uint64_t *num)
{
	const char *p = strstr(name, ".qemu_out");

	while (p) {
		const char *rest = p + strlen(".qemu_out");

		if (p != name && !*rest) {
			*prog_len = (size_t)(p - name);
			*num = 0;
			return true;
		}
		if (p != name && rest[0] == '.' && rest[1]) {
			const char *d = rest + 1;
			uint64_t n = 0;

			while (*d >= '0' && *d <= '9' &&
			       n < UINT64_MAX / 10 - 1)
				n = n * 10 + (uint64_t)(*d++ - '0');
			if (!*d) {
				*prog_len = (size_t)(p - name);
				*num = n + 1;
				return true;
			}
		}
		p = strstr(p + 1, ".qemu_out");
	}
	return false;
}

/* The endings of compressed data files, read by zfile (fileio.h). */
static const char *const zexts[] = {".zst", ".gz"};

/*
 * qemu_out_name() of a name that may end in ".zst" or ".gz" as well: sets
 * *zext to that ending, or "".
 */
static bool qemu_out_name_z(const char *name, size_t *prog_len, uint64_t *num,
			    const char **zext)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(zexts) / sizeof(zexts[0]); i++) {
		size_t el = strlen(zexts[i]);
		char *plain;
		bool ok;

		if (len <= el || strcmp(name + len - el, zexts[i]))
			continue;
		plain = xstrndup(name, len - el);
		ok = qemu_out_name(plain, prog_len, num);
		free(plain);
		if (ok)
			*zext = zexts[i];
		return ok;
	}
	*zext = "";
	return qemu_out_name(name, prog_len, num);
}

/*
 * The .EXT (map, rate) of found file f, relative to the root, into *out:
 * the first of "P.EXT.N", "P.EXT.N" with f's own compression ending,
 * "P.EXT.N.zst" and "P.EXT.N.gz" that exists, else "P.EXT.N" (missing;
 * then false).
 */
static bool companion_name_of(const char *root, const struct found *f,
			      const char *ext, struct strbuf *out)
{
	bool found = true;
	struct strbuf path = STRBUF_INIT;
	const char *try[4] = {"", f->zext, zexts[0], zexts[1]};
	struct stat st;

	for (size_t i = 0; i < 4; i++) {
		strbuf_reset(out);
		strbuf_addf(out, "%s.%s%s%s", f->prog, ext, f->suffix, try[i]);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", root, out->buf);
		if (!stat(path.buf, &st) && S_ISREG(st.st_mode))
			goto out;
	}
	strbuf_reset(out);
	strbuf_addf(out, "%s.%s%s", f->prog, ext, f->suffix);
	found = false;
out:
	strbuf_release(&path);
	return found;
}

static void map_name_of(const char *root, const struct found *f,
			struct strbuf *out)
{
	companion_name_of(root, f, "map", out);
}

static int walk(int fd, struct strbuf *rel, int depth, struct found_list *out,
		struct strlist *warnings, struct errbuf *err)
{
	DIR *dir = fdopendir(fd);
	struct dirent *de;

	if (!dir) {
		close(fd);
		return errbuf_set(err, "cannot read directory '%s': %s",
				  rel->len ? rel->buf : ".", strerror(errno));
	}
	while ((de = readdir(dir))) {
		const char *name = de->d_name;
		size_t old_len = rel->len, prog_len;
		struct stat st;
		const char *zext;
		uint64_t num;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (rel->len)
			strbuf_addch(rel, '/');
		strbuf_adds(rel, name);
		if (S_ISDIR(st.st_mode)) {
			/* the run's own sysroot holds libraries, not runs */
			bool skip = depth == 0 && !strcmp(name, "sysroot");

			if (depth + 1 >= MAX_DEPTH) {
				strlist_addf(warnings,
					     "%s: deeper than %d directories: "
					     "not searched",
					     rel->buf, MAX_DEPTH);
			} else if (!skip) {
				int sub =
					openat(fd, name,
					       O_RDONLY | O_DIRECTORY |
						       O_NOFOLLOW | O_CLOEXEC);

				if (sub >= 0 && walk(sub, rel, depth + 1, out,
						     warnings, err) < 0) {
					closedir(dir);
					return -1;
				}
			}
		} else if (qemu_out_name_z(name, &prog_len, &num, &zext)) {
			if (S_ISLNK(st.st_mode) &&
			    fstatat(fd, name, &st, 0) < 0)
				st.st_mode = 0;
			if (!S_ISREG(st.st_mode)) {
				strlist_addf(warnings,
					     "%s: not a regular file: skipped",
					     rel->buf);
			} else {
				struct found *f;
				size_t dir_len = old_len ? old_len + 1 : 0;

				ALLOC_GROW(out->items, out->nr + 1, out->alloc);
				f = &out->items[out->nr++];
				f->rel = xstrdup(rel->buf);
				f->prog =
					xstrndup(rel->buf, dir_len + prog_len);
				f->suffix = xstrndup(
					name + prog_len + strlen(".qemu_out"),
					strlen(name) - prog_len -
						strlen(".qemu_out") -
						strlen(zext));
				f->zext = zext;
				f->num = num;
				f->bytes = (uint64_t)st.st_size;
			}
		}
		rel->len = old_len;
		rel->buf[old_len] = '\0';
	}
	closedir(dir);
	return 0;
}

/* Every .qemu_out file below root; none at all is an error. */
static int discover(const char *root, struct found_list *found,
		    struct strlist *warnings, struct errbuf *err)
{
	struct strbuf rel = STRBUF_INIT;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = -1;

	if (fd < 0) {
		errbuf_set(err, "cannot open run directory '%s': %s", root,
			   strerror(errno));
		goto out;
	}
	if (walk(fd, &rel, 0, found, warnings, err) < 0) {
		errbuf_prefix(err, root);
		goto out;
	}
	if (!found->nr) {
		errbuf_set(err, "'%s': no .qemu_out files in this directory",
			   root);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&rel);
	return ret;
}

static void found_list_release(struct found_list *found)
{
	for (size_t i = 0; i < found->nr; i++) {
		free(found->items[i].rel);
		free(found->items[i].prog);
		free(found->items[i].suffix);
	}
	free(found->items);
}

static int cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(base_name(x->prog), base_name(y->prog));

	if (c)
		return c;
	c = strcmp(x->prog, y->prog);
	if (c)
		return c;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	/* the plain file before its compressed copies */
	return strcmp(x->zext, y->zext);
}

/*
 * Drop the compressed copies of a file that is also there plain (or in
 * another compression): found is sorted by cmp_found().
 */
static void drop_copies(struct found_list *found, struct strlist *warnings)
{
	size_t kept = 0;

	for (size_t i = 0; i < found->nr; i++) {
		struct found *f = &found->items[i];

		if (kept && !strcmp(found->items[kept - 1].prog, f->prog) &&
		    found->items[kept - 1].num == f->num) {
			strlist_addf(warnings, "%s: a copy of %s: skipped",
				     f->rel, found->items[kept - 1].rel);
			free(f->rel);
			free(f->prog);
			free(f->suffix);
			continue;
		}
		found->items[kept++] = *f;
	}
	found->nr = kept;
}

/* ".../SPEC/<suite>/<bench>/<prog>": the suite, or NULL for other layouts. */
static char *suite_of(const char *prog)
{
	const char *slash[4];
	int n = 0;

	/* the last four slashes, from the end */
	for (const char *p = prog + strlen(prog); p > prog && n < 4;)
		if (*--p == '/')
			slash[n++] = p;
	if (n < 3)
		return NULL;
	/* slash[2] ends "SPEC"; the suite lies between slash[2] and slash[1] */
	if (slash[2] - prog < 4 || memcmp(slash[2] - 4, "SPEC", 4) ||
	    (slash[2] - prog > 4 && slash[2][-5] != '/') ||
	    slash[1] - slash[2] < 2)
		return NULL;
	return xstrndup(slash[2] + 1, (size_t)(slash[1] - slash[2] - 1));
}

/* ---- ELF files ---------------------------------------------------------- */

struct elf_entry {
	char *path;
	struct elf_image *img; /* NULL when it failed or is closed */
	char *error;
	/*
	 * Benchmarks being analysed that hold img: the last one to finish
	 * closes it (a program's image is needed by its own benchmark only),
	 * and a later one opens it again.
	 */
	unsigned users;
};

struct analyzer {
	const char *root;
	const struct run_options *opts;
	struct strlist sysroots;
	struct elf_entry **elves; /* stable pointers: threads hold them */
	size_t nr_elves, alloc_elves;
	struct strlist *run_warnings;
	struct strlist warned; /* run warnings already given, deduplicated */
	uint64_t files_done, files_total;
	/* benchmarks are analysed by worker threads: this guards the above */
	pthread_mutex_t lock;
};

static bool regular_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static struct elf_entry *elf_get(struct analyzer *az, const char *path)
{
	struct errbuf err;
	struct elf_entry *e;

	pthread_mutex_lock(&az->lock);
	for (size_t i = 0; i < az->nr_elves; i++)
		if (!strcmp(az->elves[i]->path, path)) {
			e = az->elves[i];
			if (!e->img && !e->error) { /* closed: open again */
				e->img = elf_image_open(path, &err);
				e->error = e->img ? NULL : xstrdup(err.msg);
			}
			goto out;
		}
	ALLOC_GROW(az->elves, az->nr_elves + 1, az->alloc_elves);
	e = az->elves[az->nr_elves++] = xcalloc(1, sizeof(*e));
	e->path = xstrdup(path);
	/* opened under the lock: the first thread to need it reads it */
	e->img = elf_image_open(path, &err);
	e->error = e->img ? NULL : xstrdup(err.msg);
out:
	e->users++;
	pthread_mutex_unlock(&az->lock);
	return e;
}

/* A benchmark is done with the images it took: close those unused. */
static void elf_put_all(struct analyzer *az, struct elf_entry **taken,
			size_t nr)
{
	pthread_mutex_lock(&az->lock);
	for (size_t i = 0; i < nr; i++)
		if (!--taken[i]->users && taken[i]->img) {
			elf_image_free(taken[i]->img);
			taken[i]->img = NULL;
		}
	pthread_mutex_unlock(&az->lock);
}

static void warn_once(struct analyzer *az, const char *msg)
{
	pthread_mutex_lock(&az->lock);
	for (size_t i = 0; i < az->warned.nr; i++)
		if (!strcmp(az->warned.items[i], msg))
			goto out;
	strlist_add(&az->warned, msg);
	strlist_add(az->run_warnings, msg);
out:
	pthread_mutex_unlock(&az->lock);
}

/*
 * Find the ELF file for a mapping's objfile: the program itself, a file of
 * that name beside the program, or the path below a sysroot.  Returns a
 * malloc'd path or NULL.
 */
static char *find_elf(struct analyzer *az, const char *objfile,
		      const char *prog)
{
	struct strbuf sb = STRBUF_INIT;
	const char *base = base_name(objfile);
	const char *pbase = base_name(prog);
	size_t plen = strlen(prog);
	size_t olen = strlen(objfile);

	if (!strcmp(base, pbase) ||
	    (olen > plen && !strcmp(objfile + olen - plen, prog) &&
	     objfile[olen - plen - 1] == '/')) {
		strbuf_addf(&sb, "%s/%s", az->root, prog);
		if (regular_file(sb.buf))
			return strbuf_detach(&sb, NULL);
		strbuf_release(&sb);
		return NULL;
	}
	/* a library built beside the program */
	strbuf_addf(&sb, "%s/%.*s%s", az->root, (int)(pbase - prog), prog,
		    base);
	if (regular_file(sb.buf))
		return strbuf_detach(&sb, NULL);
	for (size_t i = 0; i < az->sysroots.nr; i++) {
		/* every suffix of objfile that starts at a '/', longest first
		 */
		for (const char *s = objfile; s; s = strchr(s + 1, '/')) {
			if (*s != '/')
				continue;
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s%s", az->sysroots.items[i], s);
			if (regular_file(sb.buf))
				return strbuf_detach(&sb, NULL);
		}
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", az->sysroots.items[i], base);
		if (regular_file(sb.buf))
			return strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
	return NULL;
}

/* ---- one benchmark ------------------------------------------------------ */

/*
 * The blocks of a benchmark by (address, object, icount): a slot holds
 * the upper half of the key's hash and the block's index + 1 (0: free);
 * the keys themselves are the blocks' own fields.  8 bytes a slot.
 */
struct block_index {
	uint64_t *slots;
	size_t cap; /* a power of two, or 0 */
};

struct bench_state {
	struct benchmark *b;
	struct block_index blocks_idx;
	struct key_map funcs_map;
	struct elf_entry **taken; /* the ELF images this benchmark holds */
	size_t nr_taken, alloc_taken;
	size_t alloc_objects, alloc_functions, alloc_blocks;
	uint64_t *mismatch; /* per object: rows outside the ELF's segments */
	size_t alloc_mismatch;
	struct elf_image **imgs; /* per object: its ELF, or NULL */
	size_t alloc_imgs;
	/* per object: per symbol of imgs[object], its function index + 1 */
	uint32_t **sym_func;
	size_t alloc_sym_func;
};

static uint32_t object_index(struct bench_state *st, const char *name,
			     const char *path)
{
	struct benchmark *b = st->b;
	struct object_total *o;

	for (size_t i = 0; i < b->nr_objects; i++)
		if (!strcmp(b->objects[i].name, name))
			return (uint32_t)i;
	ALLOC_GROW(b->objects, b->nr_objects + 1, st->alloc_objects);
	ALLOC_GROW(st->mismatch, b->nr_objects + 1, st->alloc_mismatch);
	st->mismatch[b->nr_objects] = 0;
	ALLOC_GROW(st->imgs, b->nr_objects + 1, st->alloc_imgs);
	st->imgs[b->nr_objects] = NULL;
	ALLOC_GROW(st->sym_func, b->nr_objects + 1, st->alloc_sym_func);
	st->sym_func[b->nr_objects] = NULL;
	o = &b->objects[b->nr_objects];
	memset(o, 0, sizeof(*o));
	o->name = xstrdup(name);
	o->path = path ? xstrdup(path) : NULL;
	return (uint32_t)b->nr_objects++;
}

static uint32_t function_index(struct bench_state *st, uint32_t obj,
			       const char *name, const struct elf_sym *sym)
{
	struct benchmark *b = st->b;
	uint64_t h = fnv1a(name);

	for (uint32_t salt = 0;; salt++) {
		bool inserted;
		uint32_t i = key_map_get_or_put(&st->funcs_map, obj, h, salt,
						(uint32_t)b->nr_functions,
						&inserted);
		struct function_total *f;

		if (!inserted) {
			if (!strcmp(b->functions[i].name, name))
				return i;
			continue; /* a 64-bit hash collision */
		}
		ALLOC_GROW(b->functions, b->nr_functions + 1,
			   st->alloc_functions);
		f = &b->functions[b->nr_functions++];
		memset(f, 0, sizeof(*f));
		f->object = obj;
		f->name = xstrdup(name);
		if (sym) {
			f->addr = sym->addr;
			f->size = sym->size;
		}
		return i;
	}
}

static uint64_t block_hash(uint64_t addr, uint32_t obj, uint32_t icount)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ull ^
		     ((uint64_t)obj << 32 | icount) * 0xbf58476d1ce4e5b9ull;

	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	return h;
}

/* Room for n more blocks: one rebuild from b->blocks when it grows. */
static void block_index_reserve(struct bench_state *st, size_t n)
{
	struct block_index *bi = &st->blocks_idx;
	const struct benchmark *b = st->b;
	size_t cap = bi->cap ? bi->cap : 64;

	/* the load factor stays under 3/4 */
	while ((b->nr_blocks + n) * 4 > cap * 3)
		cap *= 2;
	if (cap == bi->cap)
		return;
	free(bi->slots);
	bi->slots = xcalloc(cap, sizeof(*bi->slots));
	bi->cap = cap;
	for (size_t i = 0; i < b->nr_blocks; i++) {
		const struct block_total *blk = &b->blocks[i];
		uint64_t h = block_hash(blk->addr, blk->object, blk->icount);
		size_t j = h & (cap - 1);

		while (bi->slots[j])
			j = (j + 1) & (cap - 1);
		bi->slots[j] = (h >> 32) << 32 | (i + 1);
	}
}

/* h: block_hash(addr, obj, r->icount) */
static void add_block(struct bench_state *st, uint32_t obj, uint32_t func,
		      uint64_t addr, uint64_t h, const struct tb_row *r)
{
	struct benchmark *b = st->b;
	struct block_index *bi = &st->blocks_idx;
	struct block_total *blk;
	size_t j;

	if ((b->nr_blocks + 1) * 4 > bi->cap * 3)
		block_index_reserve(st, 1);
	for (j = h & (bi->cap - 1);; j = (j + 1) & (bi->cap - 1)) {
		uint64_t s = bi->slots[j];

		if (!s) {
			ALLOC_GROW(b->blocks, b->nr_blocks + 1,
				   st->alloc_blocks);
			blk = &b->blocks[b->nr_blocks++];
			*blk = (struct block_total){addr, 0,	0,   r->icount,
						    obj,  func, NULL};
			bi->slots[j] = (h >> 32) << 32 | b->nr_blocks;
			break;
		}
		if (s >> 32 != h >> 32)
			continue;
		blk = &b->blocks[(uint32_t)s - 1];
		if (blk->addr == addr && blk->object == obj &&
		    blk->icount == r->icount)
			break;
	}
	if (__builtin_add_overflow(blk->ecount, r->ecount, &blk->ecount)) {
		blk->ecount = UINT64_MAX;
		b->overflow = true;
	}
	if (__builtin_add_overflow(blk->tcount, r->tcount, &blk->tcount))
		blk->tcount = UINT64_MAX;
}

/* Per-mapping attribution targets for one invocation, resolved lazily. */
struct map_target {
	bool resolved;
	uint32_t object;
	struct elf_image *img;
};

/*
 * The object and ELF image of a mapping, the first time a block falls in
 * it: mappings that never ran code are not listed as objects.
 */
static void resolve_mapping(struct analyzer *az, struct bench_state *st,
			    const char *prog, const struct mapping *m,
			    struct map_target *t)
{
	const char *objfile = m->objfile;
	const char *name = *objfile ? base_name(objfile) : OBJ_ANON;
	struct object_total *o;
	struct elf_entry *e;
	size_t rlen = strlen(az->root);
	char *elf;

	t->resolved = true;
	if (*objfile == '[')
		name = objfile;
	t->object = object_index(st, name, *objfile ? objfile : NULL);
	o = &st->b->objects[t->object];
	if (!*objfile || *objfile == '[' || az->opts->no_symbols)
		return;
	elf = find_elf(az, objfile, prog);
	if (!elf) {
		if (!o->elf_error) {
			struct strbuf msg = STRBUF_INIT;

			o->elf_error = xstrdup("ELF file not found: give the "
					       "run a sysroot/ or the server "
					       "--sysroot");
			strbuf_addf(&msg,
				    "no ELF file for '%s': its functions are "
				    "not symbolized (add it to the run's "
				    "sysroot/ or pass --sysroot DIR)",
				    objfile);
			warn_once(az, msg.buf);
			strbuf_release(&msg);
		}
		return;
	}
	e = elf_get(az, elf);
	ALLOC_GROW(st->taken, st->nr_taken + 1, st->alloc_taken);
	st->taken[st->nr_taken++] = e;
	if (!o->elf)
		o->elf = xstrdup(!strncmp(elf, az->root, rlen) &&
						 elf[rlen] == '/'
					 ? elf + rlen + 1
					 : elf);
	if (e->img) {
		t->img = e->img;
		st->imgs[t->object] = e->img;
	} else if (!o->elf_error) {
		o->elf_error = xstrdup(e->error);
		warn_once(az, e->error);
	}
	free(elf);
}

/* The function of a symbol, remembered: hashing its name per row is slow. */
#define SYM_CACHE 4096

struct sym_cache {
	const void *key; /* the elf_sym, or the name of a pseudo-function */
	uint32_t object, function;
};

static uint32_t cached_function(struct bench_state *st, struct sym_cache *c,
				uint32_t obj, const struct elf_image *img,
				const char *fname, const struct elf_sym *sym)
{
	struct sym_cache *e;

	/* a symbol of the object's own image: an array by symbol index */
	if (sym && img && st->imgs[obj] == img) {
		size_t k = (size_t)(sym - img->syms);
		uint32_t **arr = &st->sym_func[obj];

		if (!*arr)
			*arr = xcalloc(img->nr_syms ? img->nr_syms : 1,
				       sizeof(**arr));
		if (!(*arr)[k])
			(*arr)[k] = function_index(st, obj, fname, sym) + 1;
		return (*arr)[k] - 1;
	}
	/* [section] labels and pseudo names: few, and stable pointers */
	e = &c[((uintptr_t)fname >> 4 ^ obj * 0x9e3779b1u) % SYM_CACHE];
	if (e->key != fname || e->object != obj || sym) {
		e->key = fname;
		e->object = obj;
		e->function = function_index(st, obj, fname, sym);
	}
	return e->function;
}

/*
 * Attribution of one invocation's rows, as the parser hands them over:
 * the file is never held whole.
 */
struct attrib {
	struct analyzer *az;
	struct bench_state *st;
	const char *prog;
	const struct proc_map *map;
	const struct qemu_out *q;
	uint64_t file_size;
	struct map_target *t;
	struct sym_cache *cache;
	uint32_t unmapped;
	bool reserved;
};

static void attrib_init(struct attrib *a, struct analyzer *az,
			struct bench_state *st, const char *prog,
			const struct proc_map *map, const struct qemu_out *q,
			uint64_t file_size)
{
	memset(a, 0, sizeof(*a));
	a->az = az;
	a->st = st;
	a->prog = prog;
	a->map = map;
	a->q = q;
	a->file_size = file_size;
	a->t = xcalloc(map->nr ? map->nr : 1, sizeof(*a->t));
	a->cache = xcalloc(SYM_CACHE, sizeof(*a->cache));
	a->unmapped = UINT32_MAX;
}

static void attrib_release(struct attrib *a)
{
	free(a->cache);
	free(a->t);
}

/*
 * One rehash and one realloc for the whole file, not log2(n): the rows
 * the header announces, bounded by what the file's size can hold (the
 * shortest row, "0x0, 0, 1, 0\n", is 13 bytes), so that a lying header
 * reserves nothing absurd.  Without a header, the rows of QEMU's own
 * format (16-digit pcs: 28 bytes or more) that the size can hold.
 */
static void attrib_reserve(struct attrib *a)
{
	const struct qemu_out *q = a->q;
	uint64_t n = a->file_size / 13;

	if (!q->has_collected)
		n = a->file_size / 28;
	else if (q->collected < n)
		n = q->collected;
	if (q->has_limit && q->limit < n)
		n = q->limit;
	a->reserved = true;
	block_index_reserve(a->st, (size_t)n);
	ALLOC_GROW(a->st->b->blocks, a->st->b->nr_blocks + (size_t)n,
		   a->st->alloc_blocks);
}

/* Rows attributed, not yet added: their blocks' slots are loaded ahead. */
#define ATTRIB_AHEAD 256

struct attributed {
	uint64_t addr, h;
	uint32_t obj, func;
};

static void attribute_some(struct attrib *a, const struct tb_row *rows,
			   size_t nr);

static void attribute(void *ctx, const struct tb_row *rows, size_t nr)
{
	struct attrib *a = ctx;

	if (!a->reserved)
		attrib_reserve(a);
	for (size_t i = 0; i < nr; i += ATTRIB_AHEAD)
		attribute_some(a, rows + i,
			       nr - i < ATTRIB_AHEAD ? nr - i : ATTRIB_AHEAD);
}

/*
 * Each row's object, address and function first, with a prefetch of the
 * slot its block hashes to; then the blocks, whose slots are by then in
 * the cache (the table is too large for it, and every probe missed).
 */
static void attribute_some(struct attrib *a, const struct tb_row *rows,
			   size_t nr)
{
	struct bench_state *st = a->st;
	const struct proc_map *map = a->map;
	struct attributed todo[ATTRIB_AHEAD];

	for (size_t i = 0; i < nr; i++) {
		const struct tb_row *r = &rows[i];
		const struct mapping *m = proc_map_find(map, r->pc);
		const struct elf_sym *sym = NULL;
		const struct elf_image *img = NULL;
		const char *fname = FUNC_NOT_SYMBOLIZED;
		uint32_t obj, func;
		uint64_t addr;

		if (!m) {
			if (a->unmapped == UINT32_MAX)
				a->unmapped =
					object_index(st, OBJ_UNMAPPED, NULL);
			obj = a->unmapped;
			addr = r->pc;
			fname = OBJ_UNMAPPED;
		} else {
			struct map_target *mt = &a->t[m - map->maps];
			uint64_t off = r->pc - m->start + m->offset;

			if (!mt->resolved)
				resolve_mapping(a->az, st, a->prog, m, mt);
			obj = mt->object;
			addr = off;
			if (mt->img) {
				uint64_t va;

				img = mt->img;

				if (elf_image_offset_to_vaddr(mt->img, off,
							      &va)) {
					const struct elf_section *sec;

					addr = va;
					sym = elf_image_symbol(mt->img, va);
					sec = sym ? NULL
						  : elf_image_section(mt->img,
								      va);
					fname = sym   ? sym->name
						: sec ? sec->label
						      : FUNC_NO_SYMBOL;
				} else {
					st->mismatch[obj]++;
				}
			} else if (*m->objfile == '[') {
				fname = m->objfile;
			}
		}
		func = cached_function(st, a->cache, obj, img, fname, sym);
		todo[i] = (struct attributed){
			addr, block_hash(addr, obj, r->icount), obj, func};
		__builtin_prefetch(
			&st->blocks_idx
				 .slots[todo[i].h & (st->blocks_idx.cap - 1)]);
	}
	for (size_t i = 0; i < nr; i++)
		add_block(st, todo[i].obj, todo[i].func, todo[i].addr,
			  todo[i].h, &rows[i]);
}

/* The sink of a totals-only analysis: the parser's sums are enough. */
static void drop_rows(void *ctx, const struct tb_row *rows, size_t nr)
{
	(void)ctx;
	(void)rows;
	(void)nr;
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

/* qsort has no context argument in C11: sort index arrays by a key. */
struct sort_key {
	uint64_t key;
	uint64_t tie1, tie2;
	const char *name;
	uint32_t idx;
};

static int cmp_sort_key(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	int c = cmp_u64_desc(x->key, y->key);

	if (c)
		return c;
	if (x->tie1 != y->tie1)
		return x->tie1 < y->tie1 ? -1 : 1;
	if (x->name && y->name && (c = strcmp(x->name, y->name)))
		return c;
	if (x->tie2 != y->tie2)
		return x->tie2 < y->tie2 ? -1 : 1;
	return 0;
}

static uint64_t block_instructions(const struct block_total *blk,
				   bool *overflow)
{
	uint64_t v;

	if (__builtin_mul_overflow((uint64_t)blk->icount, blk->ecount, &v)) {
		*overflow = true;
		return UINT64_MAX;
	}
	return v;
}

static void add_sat(uint64_t *sum, uint64_t v, bool *overflow)
{
	if (__builtin_add_overflow(*sum, v, sum)) {
		*sum = UINT64_MAX;
		*overflow = true;
	}
}

/* The k-th largest of v[0..n) (1 <= k <= n); reorders v. */
static uint64_t nth_largest(uint64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1, want = k - 1;

	while (lo < hi) {
		uint64_t pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		/* descending partition around pivot */
		while (i <= j) {
			while (v[i] > pivot)
				i++;
			while (v[j] < pivot)
				j--;
			if (i <= j) {
				uint64_t t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (want <= j && j != (size_t)-1)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			return v[want];
	}
	return v[want];
}

/*
 * For each of the RUN_HOT_FUNCTIONS hottest functions (b->functions is
 * sorted), how hot its RUN_HOT_BLOCKS_PER_FUNCTION-th hottest block is
 * (0 when it has fewer blocks): the blocks below are not kept.
 */
static void hot_function_thresholds(const struct benchmark *b,
				    uint64_t thr[RUN_HOT_FUNCTIONS])
{
	size_t start[RUN_HOT_FUNCTIONS + 1] = {0}, fill[RUN_HOT_FUNCTIONS];
	uint64_t *v;
	bool ovf = false;

	for (size_t i = 0; i < b->nr_blocks; i++)
		if (b->blocks[i].function < RUN_HOT_FUNCTIONS)
			start[b->blocks[i].function + 1]++;
	for (size_t f = 0; f < RUN_HOT_FUNCTIONS; f++) {
		start[f + 1] += start[f];
		fill[f] = start[f];
	}
	v = xmalloc((start[RUN_HOT_FUNCTIONS] + 1) * sizeof(*v));
	for (size_t i = 0; i < b->nr_blocks; i++) {
		uint32_t f = b->blocks[i].function;

		if (f < RUN_HOT_FUNCTIONS)
			v[fill[f]++] = block_instructions(&b->blocks[i], &ovf);
	}
	for (size_t f = 0; f < RUN_HOT_FUNCTIONS; f++) {
		size_t nf = start[f + 1] - start[f];

		thr[f] = nf > RUN_HOT_BLOCKS_PER_FUNCTION
				 ? nth_largest(v + start[f], nf,
					       RUN_HOT_BLOCKS_PER_FUNCTION)
				 : 0;
	}
	free(v);
}

/*
 * Sort the n elements of items (each `size` bytes) by their keys (keys[i]
 * is items[i]'s, with idx i), most instructions first.  Returns the sorted
 * copy and frees items and keys; *to_new maps old positions to new ones
 * (free it).
 */
static void *sort_and_remap(void *items, size_t size, struct sort_key *keys,
			    size_t n, uint32_t **to_new)
{
	char *sorted = xcalloc(n ? n : 1, size);
	const char *old = items;

	*to_new = xcalloc(n ? n : 1, sizeof(**to_new));
	sort_n(keys, n, sizeof(*keys), cmp_sort_key);
	for (size_t i = 0; i < n; i++) {
		memcpy(sorted + i * size, old + (size_t)keys[i].idx * size,
		       size);
		(*to_new)[keys[i].idx] = (uint32_t)i;
	}
	free(items);
	free(keys);
	return sorted;
}

/* Totals from the blocks, then everything sorted, most instructions first. */
static void finish_benchmark(struct bench_state *st, bool keep_blocks,
			     bool decode)
{
	struct benchmark *b = st->b;
	struct sort_key *keys;
	uint32_t *obj_new, *func_new;
	uint64_t sum = 0;
	bool ovf = false;
	size_t n;

	for (size_t i = 0; i < b->nr_blocks; i++) {
		struct block_total *blk = &b->blocks[i];
		uint64_t v = block_instructions(blk, &ovf);

		add_sat(&b->objects[blk->object].instructions, v, &ovf);
		add_sat(&b->functions[blk->function].instructions, v, &ovf);
		b->functions[blk->function].blocks++;
		add_sat(&sum, v, &ovf);
	}
	if (ovf)
		b->overflow = true;
	/* the parts must add up to the whole, exactly */
	BUG_ON(!b->overflow && sum != b->instructions);

	for (size_t i = 0; i < b->nr_objects; i++)
		if (st->mismatch[i])
			strlist_addf(&b->warnings,
				     "%s: %llu blocks lie outside the "
				     "loadable segments of %s: is it the "
				     "ELF file of this build?",
				     b->name,
				     (unsigned long long)st->mismatch[i],
				     b->objects[i].elf ? b->objects[i].elf
						       : b->objects[i].name);

	/* objects */
	keys = xcalloc(b->nr_objects ? b->nr_objects : 1, sizeof(*keys));
	for (size_t i = 0; i < b->nr_objects; i++)
		keys[i] = (struct sort_key){b->objects[i].instructions, 0, 0,
					    b->objects[i].name, (uint32_t)i};
	b->objects = sort_and_remap(b->objects, sizeof(*b->objects), keys,
				    b->nr_objects, &obj_new);

	/* functions */
	keys = xcalloc(b->nr_functions ? b->nr_functions : 1, sizeof(*keys));
	for (size_t i = 0; i < b->nr_functions; i++) {
		b->functions[i].object = obj_new[b->functions[i].object];
		keys[i] = (struct sort_key){b->functions[i].instructions,
					    b->functions[i].object, 0,
					    b->functions[i].name, (uint32_t)i};
	}
	b->functions = sort_and_remap(b->functions, sizeof(*b->functions), keys,
				      b->nr_functions, &func_new);

	{
		struct elf_image **imgs = xcalloc(
			b->nr_objects ? b->nr_objects : 1, sizeof(*imgs));
		bool *keep;
		uint32_t *per_func =
			xcalloc(b->nr_functions ? b->nr_functions : 1,
				sizeof(*per_func));
		struct block_total *blks;
		uint64_t hot = 0, fn_hot[RUN_HOT_FUNCTIONS] = {0};
		size_t nc = 0, kept = 0;

		n = b->nr_blocks;
		keep = xcalloc(n ? n : 1, sizeof(*keep));
		for (size_t i = 0; i < b->nr_objects; i++)
			imgs[obj_new[i]] = st->imgs[i];
		for (size_t i = 0; i < n; i++) {
			b->blocks[i].object = obj_new[b->blocks[i].object];
			b->blocks[i].function = func_new[b->blocks[i].function];
		}
		/*
		 * Only the kept blocks are sorted: those at least as hot as
		 * the RUN_HOT_BLOCKS-th hottest, and those of the hottest
		 * functions (sorted above: the index is the rank).
		 */
		if (!keep_blocks && n > RUN_HOT_BLOCKS) {
			uint64_t *v = xmalloc(n * sizeof(*v));

			for (size_t i = 0; i < n; i++)
				v[i] = block_instructions(&b->blocks[i], &ovf);
			hot = nth_largest(v, n, RUN_HOT_BLOCKS);
			free(v);
		}
		if (!keep_blocks)
			hot_function_thresholds(b, fn_hot);
		keys = xcalloc(1, sizeof(*keys));
		for (size_t i = 0, alloc_keys = 1; i < n; i++) {
			struct block_total *blk = &b->blocks[i];
			uint64_t v = block_instructions(blk, &ovf);

			if (v < hot && (blk->function >= RUN_HOT_FUNCTIONS ||
					v < fn_hot[blk->function]))
				continue;
			ALLOC_GROW(keys, nc + 1, alloc_keys);
			keys[nc++] = (struct sort_key){
				v, (uint64_t)blk->object << 32 | blk->icount,
				blk->addr, NULL, (uint32_t)i};
		}
		sort_n(keys, nc, sizeof(*keys), cmp_sort_key);
		for (size_t r = 0; r < nc; r++) {
			uint32_t fn = b->blocks[keys[r].idx].function;
			bool hot_in_function =
				fn < RUN_HOT_FUNCTIONS &&
				per_func[fn]++ < RUN_HOT_BLOCKS_PER_FUNCTION;

			keep[keys[r].idx] = keep_blocks || r < RUN_HOT_BLOCKS ||
					    hot_in_function;
		}
		/* the mix takes every block; only kept ones get their code */
		if (decode)
			mix_compute(b, imgs, keep);
		blks = xcalloc(nc ? nc : 1, sizeof(*blks));
		for (size_t r = 0; r < nc; r++) {
			struct block_total *blk = &b->blocks[keys[r].idx];

			if (keep[keys[r].idx])
				blks[kept++] = *blk;
		}
		free(b->blocks);
		b->blocks = blks;
		b->nr_blocks = kept;
		free(keys);
		free(imgs);
		free(keep);
		free(per_func);
	}
	free(obj_new);
	free(func_new);
}

/*
 * The rate timeline of invocation i (found file f), when it has one:
 * its samples appended to b->rate, its name in the invocation.
 */
static void add_rate(const char *root, const struct found *f,
		     struct benchmark *b, size_t i)
{
	struct rate_file r = RATE_FILE_INIT;
	struct strbuf name = STRBUF_INIT, path = STRBUF_INIT;
	struct errbuf err;

	if (!companion_name_of(root, f, "rate", &name))
		goto out;
	strbuf_addf(&path, "%s/%s", root, name.buf);
	if (rate_parse_file(&r, path.buf, name.buf, &err) < 0) {
		strlist_add(&b->warnings, err.msg);
		goto out;
	}
	strlist_extend(&b->warnings, &r.warnings);
	b->invocations[i].rate = strbuf_detach(&name, NULL);
	b->invocations[i].malformed += r.malformed;
	b->malformed += r.malformed;
	if (r.nr)
		b->rate = xreallocarray(b->rate, b->nr_rate + r.nr,
					sizeof(*b->rate));
	for (size_t k = 0; k < r.nr; k++) {
		b->rate[b->nr_rate] = r.samples[k];
		b->rate[b->nr_rate++].invocation = (uint32_t)i;
	}
out:
	rate_file_release(&r);
	strbuf_release(&name);
	strbuf_release(&path);
}

static void analyze_benchmark(struct analyzer *az, struct benchmark *b,
			      const struct found *f, size_t nr)
{
	struct bench_state st = {.b = b};
	struct strbuf path = STRBUF_INIT, mapname = STRBUF_INIT;
	struct qemu_out q = QEMU_OUT_INIT;
	bool all_insns = true;

	b->name = xstrdup(base_name(f[0].prog));
	b->suite = suite_of(f[0].prog);
	b->dir =
		xstrndup(f[0].prog, (size_t)(base_name(f[0].prog) - f[0].prog));
	if (b->dir[0] && b->dir[strlen(b->dir) - 1] == '/')
		b->dir[strlen(b->dir) - 1] = '\0';
	b->invocations = xcalloc(nr, sizeof(*b->invocations));
	b->nr_invocations = nr;
	b->invocation_count = nr;

	/* one qemu_out for every file: its batch buffer is reused */
	q.sink = drop_rows;
	for (size_t i = 0; i < nr; i++) {
		struct invocation *inv = &b->invocations[i];
		struct proc_map map = PROC_MAP_INIT;
		struct strbuf map_msg = STRBUF_INIT;
		struct attrib at;
		struct errbuf err;
		struct stat sb;
		bool have_map = false;

		if (i && strcmp(f[i].prog, f[i - 1].prog))
			strlist_addf(&b->warnings,
				     "%s: programs in different directories "
				     "share this name and are summed: %s",
				     b->name, f[i].prog);
		inv->qemu_out = xstrdup(f[i].rel);

		/* the map first: rows are attributed as they are parsed */
		map_name_of(az->root, &f[i], &mapname);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", az->root, mapname.buf);
		if (!regular_file(path.buf)) {
			strbuf_addf(&map_msg,
				    "%s: missing: blocks of %s are not "
				    "attributed to objects",
				    mapname.buf, f[i].rel);
		} else if (proc_map_parse_file(&map, path.buf, mapname.buf,
					       &err) < 0) {
			strbuf_adds(&map_msg, err.msg);
		} else {
			have_map = true;
		}

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", az->root, f[i].rel);
		if (!az->opts->totals_only) {
			attrib_init(&at, az, &st, f[i].prog, &map, &q,
				    stat(path.buf, &sb) ? 0
							: (uint64_t)sb.st_size);
			q.sink = attribute;
			q.sink_ctx = &at;
		}
		if (qemu_out_parse_file(&q, path.buf, f[i].rel, &err) < 0) {
			strlist_add(&b->warnings, err.msg);
			inv->partial = true;
			b->partial = true;
			all_insns = false;
		} else {
			strlist_extend(&b->warnings, &q.warnings);
			if (map_msg.len) {
				strlist_add(&b->warnings, map_msg.buf);
			} else if (have_map) {
				inv->map = xstrdup(mapname.buf);
				strlist_extend(&b->warnings, &map.warnings);
				inv->malformed += map.malformed;
			}

			inv->instructions = q.total;
			inv->rows = q.nr_rows;
			inv->has_collected = q.has_collected;
			inv->collected = q.collected;
			inv->has_insns = q.has_insns;
			inv->insns = q.insns;
			inv->malformed += q.malformed;
			inv->partial = qemu_out_partial(&q);

			add_sat(&b->instructions, q.total, &b->overflow);
			if (q.overflow)
				b->overflow = true;
			b->rows += q.nr_rows;
			b->malformed += inv->malformed;
			b->partial |= inv->partial;
			if (q.has_insns)
				add_sat(&b->insns, q.insns, &b->overflow);
			else
				all_insns = false;
		}
		if (!az->opts->totals_only)
			attrib_release(&at);
		add_rate(az->root, &f[i], b, i);
		qemu_out_clear(&q);
		proc_map_release(&map);
		strbuf_release(&map_msg);
		pthread_mutex_lock(&az->lock);
		az->files_done++;
		if (az->opts->progress)
			az->opts->progress(az->opts->progress_ctx,
					   az->files_done, az->files_total);
		pthread_mutex_unlock(&az->lock);
	}
	b->has_insns = all_insns;
	if (!b->has_insns)
		b->insns = 0;
	if (b->overflow)
		b->partial = true;
	if (!az->opts->totals_only)
		finish_benchmark(&st, az->opts->keep_blocks, az->opts->decode);
	free(st.blocks_idx.slots);
	key_map_release(&st.funcs_map);
	elf_put_all(az, st.taken, st.nr_taken);
	free(st.taken);
	/*
	 * What this benchmark freed (its merge tables, the blocks it did not
	 * keep: tens of MB for a large one) stays in this thread's malloc
	 * arena, between the results that are kept: give it back before the
	 * next benchmark, so the peak is one benchmark's work, not the sum.
	 */
	xalloc_trim();
	free(st.mismatch);
	free(st.imgs);
	for (size_t i = 0; i < b->nr_objects; i++)
		free(st.sym_func[i]);
	free(st.sym_func);
	qemu_out_release(&q);
	strbuf_release(&path);
	strbuf_release(&mapname);
}

/* The benchmarks of a run, analysed by one or more threads. */
struct work {
	struct analyzer *az;
	struct run *run;
	const struct found_list *found;
	struct {
		size_t first, nr;
		uint64_t bytes; /* of its files */
	} * groups; /* per benchmark: its .qemu_out files in found */
	size_t nr, alloc;
	size_t *order; /* the groups, the most bytes first */
	/* under az->lock: */
	bool *taken;	       /* per position in order */
	size_t left;	       /* groups not taken yet */
	uint64_t big;	       /* a group of this many bytes or more is big */
	unsigned big_running;  /* big groups being analysed */
	pthread_cond_t change; /* a big group is done */
};

/*
 * The next group to analyse, or SIZE_MAX when none is left: the first
 * in order not taken, except that a big one waits while another big one
 * is being analysed (a small one is taken instead, if any is left).
 * Two large benchmarks at once double the analysis' peak memory; taken
 * one after the other they balance the small ones on the other thread.
 */
static size_t take_group(struct work *w)
{
	size_t pick = SIZE_MAX;

	pthread_mutex_lock(&w->az->lock);
	while (w->left) {
		for (size_t k = 0; k < w->nr && pick == SIZE_MAX; k++)
			if (!w->taken[k] &&
			    (!w->big_running ||
			     w->groups[w->order[k]].bytes < w->big))
				pick = k;
		if (pick != SIZE_MAX)
			break;
		pthread_cond_wait(&w->change, &w->az->lock);
	}
	if (pick != SIZE_MAX) {
		w->taken[pick] = true;
		w->left--;
		pick = w->order[pick];
		if (w->groups[pick].bytes >= w->big)
			w->big_running++;
	}
	pthread_mutex_unlock(&w->az->lock);
	return pick;
}

static void *worker(void *arg)
{
	struct work *w = arg;

	for (;;) {
		size_t g = take_group(w);

		if (g == SIZE_MAX)
			return NULL;
		analyze_benchmark(w->az, &w->run->benchmarks[g],
				  &w->found->items[w->groups[g].first],
				  w->groups[g].nr);
		if (w->groups[g].bytes >= w->big) {
			pthread_mutex_lock(&w->az->lock);
			w->big_running--;
			pthread_cond_broadcast(&w->change);
			pthread_mutex_unlock(&w->az->lock);
		}
	}
}

/* A group and its size, to order the work. */
struct group_size {
	uint64_t bytes;
	size_t g;
};

static int cmp_group_size(const void *a, const void *b)
{
	const struct group_size *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->g < y->g ? -1 : x->g > y->g;
}

static void analyze_all(struct work *w, unsigned threads)
{
	pthread_t tid[RUN_MAX_THREADS];
	size_t started = 0;
	struct group_size *gs = xcalloc(w->nr ? w->nr : 1, sizeof(*gs));

	/*
	 * The largest benchmarks first: the threads then finish together
	 * instead of one starting a big one as the other runs out of work.
	 */
	w->order = xcalloc(w->nr ? w->nr : 1, sizeof(*w->order));
	for (size_t g = 0; g < w->nr; g++)
		gs[g] = (struct group_size){w->groups[g].bytes, g};
	sort_n(gs, w->nr, sizeof(*gs), cmp_group_size);
	for (size_t g = 0; g < w->nr; g++) {
		w->order[g] = gs[g].g;
		w->big += gs[g].bytes;
	}
	free(gs);
	/* big: an eighth of the run or more (a 500k-row SPEC invocation) */
	w->big = w->big / 8 ? w->big / 8 : 1;
	w->taken = xcalloc(w->nr ? w->nr : 1, sizeof(*w->taken));
	w->left = w->nr;
	pthread_cond_init(&w->change, NULL);

	if (threads > RUN_MAX_THREADS)
		threads = RUN_MAX_THREADS;
	if (threads > w->nr)
		threads = (unsigned)w->nr;
	/* the calling thread is one of the workers */
	for (unsigned i = 1; i < threads; i++)
		if (pthread_create(&tid[started], NULL, worker, w) == 0)
			started++;
	worker(w);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&w->change);
	free(w->taken);
	free(w->order);
}

unsigned run_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int run_analyze(struct run *run, const char *root,
		const struct run_options *opts, struct errbuf *err)
{
	static const struct run_options defaults;
	struct found_list found = {0};
	struct work work = {0};
	struct strbuf sysroot = STRBUF_INIT;
	struct analyzer az = {0};
	int ret = -1;

	memset(run, 0, sizeof(*run));
	pthread_mutex_init(&az.lock, NULL);
	if (!opts)
		opts = &defaults;
	run->root = xstrdup(root);
	if (discover(root, &found, &run->warnings, err) < 0)
		goto out;
	sort_n(found.items, found.nr, sizeof(*found.items), cmp_found);
	drop_copies(&found, &run->warnings);

	az.root = root;
	az.opts = opts;
	az.run_warnings = &run->warnings;
	strbuf_addf(&sysroot, "%s/sysroot", root);
	strlist_add(&az.sysroots, sysroot.buf);
	for (size_t i = 0; i < opts->nr_sysroots; i++)
		strlist_add(&az.sysroots, opts->sysroots[i]);
	for (size_t i = 0; i < found.nr; i++)
		if (!opts->only ||
		    !strcmp(base_name(found.items[i].prog), opts->only))
			az.files_total++;

	/* one benchmark per program basename */
	for (size_t i = 0, j; i < found.nr; i = j) {
		const char *name = base_name(found.items[i].prog);

		for (j = i + 1; j < found.nr &&
				!strcmp(base_name(found.items[j].prog), name);
		     j++)
			;
		if (opts->only && strcmp(opts->only, name))
			continue;
		ALLOC_GROW(work.groups, work.nr + 1, work.alloc);
		work.groups[work.nr].first = i;
		work.groups[work.nr].bytes = 0;
		for (size_t k = i; k < j; k++)
			work.groups[work.nr].bytes += found.items[k].bytes;
		work.groups[work.nr++].nr = j - i;
	}
	run->benchmarks =
		xcalloc(work.nr ? work.nr : 1, sizeof(*run->benchmarks));
	run->nr_benchmarks = work.nr;
	work.az = &az;
	work.run = run;
	work.found = &found;
	analyze_all(&work, opts->threads);
	free(work.groups);
	/* threads met the shared warnings in any order: sort them */
	if (run->warnings.nr > 1)
		sort_n(run->warnings.items, run->warnings.nr, sizeof(char *),
		       cmp_str);
	for (size_t i = 0; i < run->nr_benchmarks; i++)
		add_sat(&run->instructions, run->benchmarks[i].instructions,
			&run->overflow);
	for (size_t i = 0; i < found.nr; i++)
		run->bytes += found.items[i].bytes;
	run->files = found.nr;
	ret = 0;
out:
	found_list_release(&found);
	for (size_t i = 0; i < az.nr_elves; i++) {
		elf_image_free(az.elves[i]->img);
		free(az.elves[i]->path);
		free(az.elves[i]->error);
		free(az.elves[i]);
	}
	free(az.elves);
	strlist_release(&az.sysroots);
	strlist_release(&az.warned);
	pthread_mutex_destroy(&az.lock);
	strbuf_release(&sysroot);
	if (ret < 0)
		run_release(run);
	return ret;
}

/* Sum of per-file digests: independent of the directory order. */
static int fingerprint_walk(int fd, struct strbuf *rel, int depth,
			    uint64_t sum[2], struct errbuf *err)
{
	DIR *dir = fdopendir(fd);
	struct dirent *de;

	if (!dir) {
		close(fd);
		return errbuf_set(err, "cannot read directory '%s': %s",
				  rel->len ? rel->buf : ".", strerror(errno));
	}
	while ((de = readdir(dir))) {
		size_t old_len = rel->len;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (rel->len)
			strbuf_addch(rel, '/');
		strbuf_adds(rel, de->d_name);
		if (S_ISDIR(st.st_mode) && depth + 1 < MAX_DEPTH) {
			int sub = openat(fd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);

			if (sub >= 0 && fingerprint_walk(sub, rel, depth + 1,
							 sum, err) < 0) {
				closedir(dir);
				return -1;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			int64_t meta[3] = {(int64_t)st.st_size,
					   (int64_t)st.st_mtim.tv_sec,
					   (int64_t)st.st_mtim.tv_nsec};
			/* two bases: 128 bits of fingerprint */
			uint64_t h1 =
				fnv1a_bytes(FNV1A_INIT, rel->buf, rel->len + 1);
			uint64_t h2 = fnv1a_bytes(0x84222325cbf29ce4ull,
						  rel->buf, rel->len + 1);

			sum[0] += fnv1a_bytes(h1, meta, sizeof(meta));
			sum[1] += fnv1a_bytes(h2, meta, sizeof(meta));
		}
		rel->len = old_len;
		rel->buf[old_len] = '\0';
	}
	closedir(dir);
	return 0;
}

int run_fingerprint(const char *root, char out[33], struct errbuf *err)
{
	struct strbuf rel = STRBUF_INIT;
	uint64_t sum[2] = {0, 0};
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return errbuf_set(err, "cannot open run directory '%s': %s",
				  root, strerror(errno));
	ret = fingerprint_walk(fd, &rel, 0, sum, err);
	strbuf_release(&rel);
	if (ret < 0)
		return -1;
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)sum[0],
		 (unsigned long long)sum[1]);
	return 0;
}

/* ---- the files of a run, for uploads ------------------------------------ */

static void files_add(struct run_files *f, const char *path, const char *name)
{
	ALLOC_GROW(f->items, f->nr + 1, f->alloc);
	f->items[f->nr].path = xstrdup(path);
	f->items[f->nr].name = xstrdup(name);
	f->nr++;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct run_file *)a)->name,
		      ((const struct run_file *)b)->name);
}

/* Add path if it is a regular file; name is relative to the run. */
static void files_add_if(struct run_files *f, const char *root,
			 const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", root, name);
	if (regular_file(sb.buf))
		files_add(f, sb.buf, name);
	strbuf_release(&sb);
}

/* The libraries one .map names, found as the analysis would find them. */
static void add_libraries(struct analyzer *az, struct run_files *out,
			  const struct found *fd, const char *mapname,
			  struct strlist *warnings)
{
	struct proc_map map = PROC_MAP_INIT;
	struct strbuf path = STRBUF_INIT, name = STRBUF_INIT;
	size_t rlen = strlen(az->root);

	strbuf_addf(&path, "%s/%s", az->root, mapname);
	if (proc_map_parse_file(&map, path.buf, mapname, NULL) < 0)
		goto out;
	for (size_t i = 0; i < map.nr; i++) {
		const char *obj = map.maps[i].objfile;
		char *elf;

		if (obj[0] != '/' ||
		    (i && !strcmp(obj, map.maps[i - 1].objfile)))
			continue;
		elf = find_elf(az, obj, fd->prog);
		if (!elf) {
			bool seen = false;

			/* az->warned: the libraries already reported */
			for (size_t k = 0; k < az->warned.nr && !seen; k++)
				seen = !strcmp(az->warned.items[k], obj);
			if (!seen) {
				strlist_add(&az->warned, obj);
				strlist_addf(warnings,
					     "%s (named in %s): not found%s",
					     obj, mapname,
					     az->sysroots.nr > 1
						     ? " in the sysroots"
						     : ": pass --sysroot DIR "
						       "to pack it");
			}
			continue;
		}
		strbuf_reset(&name);
		if (!strncmp(elf, az->root, rlen) && elf[rlen] == '/')
			strbuf_adds(&name, elf + rlen + 1);
		else
			strbuf_addf(&name, "sysroot%s", obj);
		files_add(out, elf, name.buf);
		free(elf);
	}
out:
	proc_map_release(&map);
	strbuf_release(&path);
	strbuf_release(&name);
}

int run_list_files(const char *root, const struct run_options *opts,
		   struct run_files *out, struct strlist *warnings,
		   struct errbuf *err)
{
	static const struct run_options defaults;
	struct found_list found = {0};
	struct strbuf sb = STRBUF_INIT;
	struct analyzer az = {0};
	size_t kept = 0;
	int ret = -1;

	pthread_mutex_init(&az.lock, NULL);
	if (!opts)
		opts = &defaults;
	if (discover(root, &found, warnings, err) < 0)
		goto out;
	az.root = root;
	az.opts = opts;
	az.run_warnings = warnings;
	strbuf_addf(&sb, "%s/sysroot", root);
	strlist_add(&az.sysroots, sb.buf);
	for (size_t i = 0; i < opts->nr_sysroots; i++)
		strlist_add(&az.sysroots, opts->sysroots[i]);
	files_add_if(out, root, "tbscope-run.json");
	for (size_t i = 0; i < found.nr; i++) {
		const struct found *f = &found.items[i];

		files_add_if(out, root, f->rel);
		files_add_if(out, root, f->prog);
		if (companion_name_of(root, f, "rate", &sb))
			files_add_if(out, root, sb.buf);
		map_name_of(root, f, &sb);
		files_add_if(out, root, sb.buf);
		add_libraries(&az, out, f, sb.buf, warnings);
	}
	sort_n(out->items, out->nr, sizeof(*out->items), cmp_file);
	for (size_t i = 0; i < out->nr; i++) {
		if (kept &&
		    !strcmp(out->items[kept - 1].name, out->items[i].name)) {
			free(out->items[i].path);
			free(out->items[i].name);
			continue;
		}
		out->items[kept++] = out->items[i];
	}
	out->nr = kept;
	ret = 0;
out:
	found_list_release(&found);
	strlist_release(&az.sysroots);
	strlist_release(&az.warned);
	pthread_mutex_destroy(&az.lock);
	strbuf_release(&sb);
	return ret;
}

void run_files_release(struct run_files *f)
{
	for (size_t i = 0; i < f->nr; i++) {
		free(f->items[i].path);
		free(f->items[i].name);
	}
	free(f->items);
	memset(f, 0, sizeof(*f));
}
