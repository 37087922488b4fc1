/* SPDX-License-Identifier: MIT */
#include "mix.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "elf_image.h"
#include "errbuf.h"
#include "figures.h"
#include "hash.h"
#include "insn_class.h"
#include "strbuf.h"
#include "xalloc.h"
#include "sort.h"
#include "banned.h"

/* One decoder per architecture met in a benchmark's objects. */
struct decoders {
	struct {
		unsigned machine;
		int elfclass;
		struct disasm *d; /* NULL: cannot decode this one */
	} items[4];
	size_t nr;
};

/*
 * The mnemonics met in one benchmark, each stored once and named by a
 * small integer: a row is then found by integers, with no string hashed
 * or compared per instruction beyond this table's own probe.
 */
struct mnemonics {
	char **names;
	const char **shared; /* mix_intern() of each name */
	size_t nr, alloc, alloc_shared;
	uint32_t *slots; /* id + 1, 0 when free; cap a power of two */
	size_t cap;
};

/*
 * The rows of the function being decoded (blocks are taken function by
 * function): an open-addressing table from (mnemonic id, class, decoder)
 * to a row of b->mix, emptied when the next function starts.
 */
struct fn_rows {
	uint64_t *keys;
	uint32_t *rows; /* index into b->mix + 1, 0 when free */
	uint32_t *used; /* the slots in use, to empty them */
	size_t cap, nr; /* cap a power of two */
	uint32_t owner; /* the function the rows belong to */
};

/*
 * RISC-V: what the mix takes of an instruction (mnemonic, class,
 * decoder, extension, flags) depends on its 16- or 32-bit word alone, not
 * on where it sits (DISASM.md: only pc-relative targets do, and the mix
 * does not count them).  A direct-mapped cache of words seen, per
 * decoder, skips decoding and naming for most of a run's instructions.
 */
#define WORD_CACHE 8192

struct word_seen {
	const struct disasm *d; /* NULL: empty */
	uint32_t word;
	uint8_t len;
	uint8_t cls, by;
	uint16_t flags;
	uint32_t id; /* mnemonic */
	const char *ext;
};

struct mix_state {
	struct benchmark *b;
	struct mnemonics mn;
	struct fn_rows fr;
	struct word_seen *words; /* WORD_CACHE of them */
	size_t alloc;
	struct disasm_insn *insns;
	size_t insns_alloc;
};

/* ---- shared strings ------------------------------------------------------ */

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char **strs;
	size_t nr, alloc;
	uint32_t *slots; /* index + 1, 0 when free; cap a power of two */
	size_t cap;
} interned;

const char *mix_intern(const char *s, size_t len)
{
	uint64_t h = fnv1a_bytes(FNV1A_INIT, s, len);
	const char *found = NULL;
	size_t j;

	pthread_mutex_lock(&intern_lock);
	if ((interned.nr + 1) * 2 > interned.cap) {
		size_t ncap = interned.cap ? interned.cap * 2 : 1024;
		uint32_t *ns = xcalloc(ncap, sizeof(*ns));

		for (size_t i = 0; i < interned.nr; i++) {
			const char *t = interned.strs[i];

			j = fnv1a_bytes(FNV1A_INIT, t, strlen(t)) & (ncap - 1);
			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = (uint32_t)i + 1;
		}
		free(interned.slots);
		interned.slots = ns;
		interned.cap = ncap;
	}
	for (j = h & (interned.cap - 1); interned.slots[j];
	     j = (j + 1) & (interned.cap - 1)) {
		const char *t = interned.strs[interned.slots[j] - 1];

		if (!strncmp(t, s, len) && !t[len]) {
			found = t;
			break;
		}
	}
	if (!found) {
		ALLOC_GROW(interned.strs, interned.nr + 1, interned.alloc);
		found = interned.strs[interned.nr] = xstrndup(s, len);
		interned.slots[j] = (uint32_t)++interned.nr;
	}
	pthread_mutex_unlock(&intern_lock);
	return found;
}

static uint32_t mnemonic_id(struct mnemonics *t, const char *name)
{
	uint64_t h = fnv1a(name);
	size_t j;

	if ((t->nr + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 256;
		uint32_t *ns = xcalloc(ncap, sizeof(*ns));

		for (size_t i = 0; i < t->nr; i++) {
			j = fnv1a(t->names[i]) & (ncap - 1);
			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = (uint32_t)i + 1;
		}
		free(t->slots);
		t->slots = ns;
		t->cap = ncap;
	}
	for (j = h & (t->cap - 1); t->slots[j]; j = (j + 1) & (t->cap - 1))
		if (!strcmp(t->names[t->slots[j] - 1], name))
			return t->slots[j] - 1;
	ALLOC_GROW(t->names, t->nr + 1, t->alloc);
	ALLOC_GROW(t->shared, t->nr + 1, t->alloc_shared);
	t->names[t->nr] = xstrdup(name);
	t->shared[t->nr] = mix_intern(name, strlen(name));
	t->slots[j] = (uint32_t)++t->nr;
	return (uint32_t)t->nr - 1;
}

static void mnemonics_release(struct mnemonics *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->names[i]);
	free(t->names);
	free(t->shared);
	free(t->slots);
}

static uint64_t fn_rows_hash(uint64_t key)
{
	key *= 0x9e3779b97f4a7c15ull;
	return key ^ key >> 29;
}

static void fn_rows_resize(struct fn_rows *fr, size_t ncap)
{
	uint64_t *keys = xmalloc(ncap * sizeof(*keys));
	uint32_t *rows = xcalloc(ncap, sizeof(*rows));

	for (size_t u = 0; u < fr->nr; u++) {
		size_t i = fr->used[u],
		       j = fn_rows_hash(fr->keys[i]) & (ncap - 1);

		while (rows[j])
			j = (j + 1) & (ncap - 1);
		keys[j] = fr->keys[i];
		rows[j] = fr->rows[i];
		fr->used[u] = (uint32_t)j;
	}
	free(fr->keys);
	free(fr->rows);
	fr->keys = keys;
	fr->rows = rows;
	fr->used = xreallocarray(fr->used, ncap, sizeof(*fr->used));
	fr->cap = ncap;
}

/* Empty the table for the rows of another function. */
static void fn_rows_start(struct fn_rows *fr, uint32_t function)
{
	for (size_t u = 0; u < fr->nr; u++)
		fr->rows[fr->used[u]] = 0;
	fr->nr = 0;
	fr->owner = function;
	if (!fr->cap)
		fn_rows_resize(fr, 64);
}

static void fn_rows_release(struct fn_rows *fr)
{
	free(fr->keys);
	free(fr->rows);
	free(fr->used);
}

static struct disasm *decoder_for(struct decoders *ds,
				  const struct elf_image *img,
				  struct benchmark *b, const char *object)
{
	struct errbuf err;

	for (size_t i = 0; i < ds->nr; i++)
		if (ds->items[i].machine == img->machine &&
		    ds->items[i].elfclass == img->elfclass)
			return ds->items[i].d;
	if (ds->nr == sizeof(ds->items) / sizeof(ds->items[0]))
		return NULL;
	ds->items[ds->nr].machine = img->machine;
	ds->items[ds->nr].elfclass = img->elfclass;
	ds->items[ds->nr].d = disasm_new_for_image(img, &err);
	if (!ds->items[ds->nr].d)
		strlist_addf(&b->warnings,
			     "%s: %s: not disassembled: %s (its "
			     "instructions count as " MIX_NO_BYTES ")",
			     b->name, object, err.msg);
	return ds->items[ds->nr++].d;
}

/* The row of (function, mnemonic id, class, decoder), made if new. */
static struct mix_row *row_for_id(struct mix_state *ms, uint32_t function,
				  uint32_t id, unsigned cls, unsigned by,
				  const char *ext)
{
	struct benchmark *b = ms->b;
	struct fn_rows *fr = &ms->fr;
	uint64_t key = (uint64_t)id << 16 | cls << 8 | by;
	struct mix_row *r;
	uint32_t ext_id;
	size_t j;

	if (function != fr->owner || !fr->cap)
		fn_rows_start(fr, function);
	for (j = fn_rows_hash(key) & (fr->cap - 1); fr->rows[j];
	     j = (j + 1) & (fr->cap - 1))
		if (fr->keys[j] == key)
			return &b->mix[fr->rows[j] - 1];
	ALLOC_GROW(b->mix, b->nr_mix + 1, ms->alloc);
	r = &b->mix[b->nr_mix++];
	memset(r, 0, sizeof(*r));
	r->function = function;
	r->cls = (uint8_t)cls;
	r->by = (uint8_t)by;
	ext_id = mnemonic_id(&ms->mn, ext ? ext : ""); /* may grow shared */
	r->ext = ms->mn.shared[ext_id];
	r->mnemonic = ms->mn.shared[id];
	fr->keys[j] = key;
	fr->rows[j] = (uint32_t)b->nr_mix;
	fr->used[fr->nr++] = (uint32_t)j;
	if (fr->nr * 2 > fr->cap)
		fn_rows_resize(fr, fr->cap * 2);
	return r;
}

static struct mix_row *row_for(struct mix_state *ms, uint32_t function,
			       const char *mnemonic, unsigned cls, unsigned by,
			       const char *ext)
{
	return row_for_id(ms, function, mnemonic_id(&ms->mn, mnemonic), cls, by,
			  ext);
}

static void add_sat(uint64_t *sum, uint64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum))
		*sum = UINT64_MAX;
}

static void count_no_bytes(struct mix_state *ms, const struct block_total *blk,
			   uint64_t icount)
{
	struct mix_row *r = row_for(ms, blk->function, MIX_NO_BYTES,
				    INSN_UNKNOWN, INSN_BY_UNKNOWN, "");
	uint64_t v;

	if (__builtin_mul_overflow(icount, blk->ecount, &v))
		v = UINT64_MAX;
	add_sat(&r->count, v);
}

static struct disasm_insn *insn_buf(struct mix_state *ms, size_t n)
{
	ALLOC_GROW(ms->insns, n, ms->insns_alloc);
	return ms->insns;
}

/* The block's instructions as a JSON array, compact text. */
static char *block_code(const struct disasm_insn *in, size_t n)
{
	json_t *arr = json_array();
	char *s;

	for (size_t i = 0; i < n; i++) {
		char addr[24];

		snprintf(addr, sizeof(addr), "0x%llx",
			 (unsigned long long)in[i].addr);
		json_array_append_new(
			arr,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b}",
				  "addr", addr, "mnemonic", in[i].mnemonic,
				  "operands", in[i].operands, "class",
				  insn_class_name(in[i].cls), "by",
				  insn_decoder_name(in[i].by), "ext",
				  in[i].ext ? in[i].ext : "", "len",
				  (int)in[i].len, "compressed",
				  (in[i].flags & INSN_F_COMPRESSED) != 0));
	}
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static void count_insn(struct mix_row *r, unsigned flags, uint64_t ecount)
{
	add_sat(&r->count, ecount);
	if (flags & INSN_F_COMPRESSED)
		add_sat(&r->compressed, ecount);
	if (flags & INSN_F_STACK)
		add_sat(&r->stack, ecount);
	if (flags & INSN_F_VECTOR)
		add_sat(&r->vector, ecount);
}

/*
 * A RISC-V block that keeps no code: its instructions counted through
 * the cache of words seen, decoding only the words not in it.  Returns
 * how many instructions the bytes held (up to blk->icount).
 */
static size_t count_riscv_block(struct mix_state *ms, struct disasm *d,
				const uint8_t *p, size_t left,
				const struct block_total *blk)
{
	uint64_t addr = blk->addr;
	size_t n = 0;

	if (!ms->words)
		ms->words = xcalloc(WORD_CACHE, sizeof(*ms->words));
	while (n < blk->icount && left) {
		struct word_seen *e = NULL, fresh;
		unsigned wl = 0;
		uint32_t w = 0;

		if (left >= 2 && (p[0] & 0x1f) != 0x1f) {
			wl = (p[0] & 3) == 3 ? 4 : 2;
			w = p[0] | (uint32_t)p[1] << 8;
			if (wl == 4 && left >= 4)
				w |= (uint32_t)p[2] << 16 | (uint32_t)p[3]
								    << 24;
			if (left >= wl) {
				e = &ms->words[(w * 0x9e3779b1u) >> 19];
				if (e->d == d && e->len == wl && e->word == w)
					goto counted;
			}
		}
		{
			struct disasm_insn *in = insn_buf(ms, 1);

			disasm_block(d, p, left, addr, 1, in);
			fresh = (struct word_seen){
				d,
				w,
				in->len,
				in->cls,
				in->by,
				in->flags,
				mnemonic_id(&ms->mn, in->mnemonic),
				in->ext,
			};
			/* the word's own length only: a cached entry is whole
			 */
			if (e && in->len == wl)
				*e = fresh;
			else
				e = &fresh;
		}
	counted:
		count_insn(row_for_id(ms, blk->function, e->id, e->cls, e->by,
				      e->ext),
			   e->flags, blk->ecount);
		p += e->len;
		left -= e->len;
		addr += e->len;
		n++;
	}
	return n;
}

static void decode_block(struct mix_state *ms, struct disasm *d,
			 const struct elf_image *img, struct block_total *blk,
			 bool keep)
{
	size_t avail, n;
	const uint8_t *bytes = elf_image_bytes(img, blk->addr, &avail);
	struct disasm_insn *in;
	enum disasm_arch arch = disasm_arch(d);

	if (!bytes) {
		count_no_bytes(ms, blk, blk->icount);
		return;
	}
	if (!keep && (arch == DISASM_RISCV64 || arch == DISASM_RISCV32)) {
		n = count_riscv_block(ms, d, bytes, avail, blk);
		if (n < blk->icount) /* the segment ended inside the block */
			count_no_bytes(ms, blk, blk->icount - n);
		return;
	}
	in = insn_buf(ms, blk->icount);
	n = disasm_block(d, bytes, avail, blk->addr, blk->icount, in);
	for (size_t i = 0; i < n; i++)
		count_insn(row_for(ms, blk->function, in[i].mnemonic, in[i].cls,
				   in[i].by, in[i].ext),
			   in[i].flags, blk->ecount);
	if (n < blk->icount) /* the segment ended inside the block */
		count_no_bytes(ms, blk, blk->icount - n);
	if (keep)
		blk->code = block_code(in, n);
}

static uint64_t hash_insn(uint64_t h, const struct disasm_insn *in)
{
	const char *p;

	h = fnv1a_str(h, in->mnemonic);
	h = fnv1a_byte(h, ' ');
	for (p = in->operands; *p;) {
		bool token_start =
			p == in->operands || strchr(" ,([{+-*:#", p[-1]);

		if (token_start &&
		    ((*p >= '0' && *p <= '9') ||
		     (*p == '-' && p[1] >= '0' && p[1] <= '9'))) {
			/* a number: skip it whole */
			p++;
			while ((*p >= '0' && *p <= '9') ||
			       (*p >= 'a' && *p <= 'f') ||
			       (*p >= 'A' && *p <= 'F') || *p == 'x')
				p++;
			h = fnv1a_byte(h, '#');
			continue;
		}
		h = fnv1a_byte(h, (unsigned char)*p++);
	}
	return fnv1a_byte(h, '\n');
}

/*
 * Hash of a function's code with numeric tokens dropped: addresses,
 * offsets and immediates move when unrelated code or data does.
 */
static uint64_t code_hash(struct mix_state *ms, struct disasm *d,
			  const struct elf_image *img,
			  const struct function_total *f)
{
	size_t avail, n, len;
	const uint8_t *bytes;
	struct disasm_insn *in;
	uint64_t h = FNV1A_INIT;

	if (!f->size || !f->addr)
		return 0;
	bytes = elf_image_bytes(img, f->addr, &avail);
	if (!bytes)
		return 0;
	len = f->size < avail ? (size_t)f->size : avail;
	in = insn_buf(ms, 256);
	for (size_t off = 0; off < len;) {
		size_t used = 0;

		n = disasm_block(d, bytes + off, len - off, f->addr + off, 256,
				 in);
		if (!n)
			break;
		for (size_t i = 0; i < n; i++) {
			h = hash_insn(h, &in[i]);
			used += in[i].len;
		}
		off += used;
	}
	return h ? h : 1;
}

void mix_compute(struct benchmark *b, struct elf_image *const *imgs,
		 const bool *keep)
{
	struct mix_state ms = {.b = b};
	struct decoders ds = {0};
	struct disasm **per_obj =
		xcalloc(b->nr_objects ? b->nr_objects : 1, sizeof(*per_obj));
	size_t *start;
	uint32_t *order;

	for (size_t o = 0; o < b->nr_objects; o++) {
		if (!imgs[o])
			continue;
		per_obj[o] = decoder_for(&ds, imgs[o], b, b->objects[o].name);
		if (per_obj[o] && !b->arch)
			b->arch = xstrdup(elf_image_arch(imgs[o]));
	}
	/*
	 * Function by function (a counting sort of the blocks): each
	 * function's rows are then found in a small table, and they lie
	 * together in b->mix, in the order of the functions.
	 */
	start = xcalloc(b->nr_functions + 2, sizeof(*start));
	order = xmalloc((b->nr_blocks ? b->nr_blocks : 1) * sizeof(*order));
	for (size_t i = 0; i < b->nr_blocks; i++)
		start[b->blocks[i].function + 2]++;
	for (size_t f = 0; f < b->nr_functions; f++)
		start[f + 2] += start[f + 1];
	for (size_t i = 0; i < b->nr_blocks; i++)
		order[start[b->blocks[i].function + 1]++] = (uint32_t)i;
	for (size_t k = 0; k < b->nr_blocks; k++) {
		size_t i = order[k];
		struct block_total *blk = &b->blocks[i];

		/* the order jumps around b->blocks: load ahead */
		if (k + 8 < b->nr_blocks)
			__builtin_prefetch(&b->blocks[order[k + 8]]);
		struct disasm *d = per_obj[blk->object];

		if (d)
			decode_block(&ms, d, imgs[blk->object], blk,
				     keep && keep[i]);
		else
			count_no_bytes(&ms, blk, blk->icount);
	}
	free(order);
	free(start);
	if (b->nr_mix < ms.alloc) /* give the doubling's slack back */
		b->mix = xreallocarray(b->mix, b->nr_mix ? b->nr_mix : 1,
				       sizeof(*b->mix));
	/*
	 * Whole bodies are decoded for the hottest functions only (sorted:
	 * the index is the rank): those are the ones a delta can name.
	 */
	for (size_t i = 0; i < b->nr_functions && i < MIX_HASHED_FUNCTIONS;
	     i++) {
		struct function_total *f = &b->functions[i];
		struct disasm *d = per_obj[f->object];

		if (d)
			f->code_hash = code_hash(&ms, d, imgs[f->object], f);
	}
	for (size_t i = 0; i < ds.nr; i++)
		disasm_free(ds.items[i].d);
	free(per_obj);
	free(ms.insns);
	free(ms.words);
	mnemonics_release(&ms.mn);
	fn_rows_release(&ms.fr);
}

static bool takes(const struct benchmark *b, struct mix_filter f,
		  const struct mix_row *r)
{
	if (f.function >= 0 && r->function != (uint32_t)f.function)
		return false;
	if (f.object >= 0 &&
	    (r->function >= b->nr_functions ||
	     b->functions[r->function].object != (uint32_t)f.object))
		return false;
	return true;
}

void mix_sums_compute(struct mix_sums *s, const struct benchmark *b,
		      struct mix_filter f)
{
	memset(s, 0, sizeof(*s));
	s->by_class = xcalloc(INSN_CLASS_NR, sizeof(*s->by_class));
	s->by_decoder = xcalloc(INSN_DECODER_NR, sizeof(*s->by_decoder));
	for (size_t i = 0; i < b->nr_mix; i++) {
		const struct mix_row *r = &b->mix[i];

		if (!takes(b, f, r))
			continue;
		add_sat(&s->total, r->count);
		if (r->cls < INSN_CLASS_NR)
			add_sat(&s->by_class[r->cls], r->count);
		if (!strcmp(r->mnemonic, MIX_NO_BYTES))
			add_sat(&s->no_bytes, r->count);
		else if (r->by < INSN_DECODER_NR)
			add_sat(&s->by_decoder[r->by], r->count);
		add_sat(&s->compressed, r->compressed);
		add_sat(&s->stack, r->stack);
		add_sat(&s->vector, r->vector);
	}
}

void mix_sums_release(struct mix_sums *s)
{
	free(s->by_class);
	free(s->by_decoder);
	memset(s, 0, sizeof(*s));
}

static int cmp_keyed_key(const void *a, const void *b)
{
	const struct mix_keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

static int cmp_keyed_count(const void *a, const void *b)
{
	const struct mix_keyed *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return cmp_keyed_key(a, b);
}

size_t mix_by_key(const struct benchmark *b, struct mix_filter f, bool by_ext,
		  struct mix_keyed **out)
{
	struct mix_keyed *k = xcalloc(b->nr_mix + 1, sizeof(*k));
	size_t n = 0, m = 0;

	for (size_t i = 0; i < b->nr_mix; i++) {
		const struct mix_row *r = &b->mix[i];

		if (!takes(b, f, r))
			continue;
		k[n].key = by_ext ? r->ext : r->mnemonic;
		/* a mnemonic's rows by class: jal is a call or a jump */
		k[n].cls = by_ext ? 0 : r->cls;
		k[n].count = r->count;
		n++;
	}
	sort_n(k, n, sizeof(*k), cmp_keyed_key);
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_keyed_key(&k[m - 1], &k[i])) {
			add_sat(&k[m - 1].count, k[i].count);
			continue;
		}
		k[m++] = k[i];
	}
	sort_n(k, m, sizeof(*k), cmp_keyed_count);
	*out = k;
	return m;
}
