/* SPDX-License-Identifier: MIT */
#include "mix.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "elf_image.h"
#include "errbuf.h"
#include "figures.h"
#include "hash.h"
#include "insn_class.h"
#include "key_map.h"
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

struct mix_state {
	struct benchmark *b;
	struct key_map map;
	size_t alloc;
	struct disasm_insn *insns;
	size_t insns_alloc;
};

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

static struct mix_row *row_for(struct mix_state *ms, uint32_t function,
			       const char *mnemonic, unsigned cls, unsigned by,
			       const char *ext)
{
	struct benchmark *b = ms->b;
	uint64_t h = fnv1a(mnemonic);

	for (uint32_t salt = 0;; salt++) {
		bool inserted;
		uint32_t i = key_map_get_or_put(
			&ms->map, (uint64_t)function << 16 | cls << 8 | by,
			h + salt, 0, (uint32_t)b->nr_mix, &inserted);
		struct mix_row *r;

		if (!inserted) {
			if (!strcmp(b->mix[i].mnemonic, mnemonic))
				return &b->mix[i];
			continue; /* hash collision */
		}
		ALLOC_GROW(b->mix, b->nr_mix + 1, ms->alloc);
		r = &b->mix[b->nr_mix++];
		memset(r, 0, sizeof(*r));
		r->function = function;
		r->cls = (uint8_t)cls;
		r->by = (uint8_t)by;
		r->ext = xstrdup(ext ? ext : "");
		r->mnemonic = xstrdup(mnemonic);
		return r;
	}
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

static void decode_block(struct mix_state *ms, struct disasm *d,
			 const struct elf_image *img, struct block_total *blk,
			 bool keep)
{
	size_t avail, n;
	const uint8_t *bytes = elf_image_bytes(img, blk->addr, &avail);
	struct disasm_insn *in;

	if (!bytes) {
		count_no_bytes(ms, blk, blk->icount);
		return;
	}
	in = insn_buf(ms, blk->icount);
	n = disasm_block(d, bytes, avail, blk->addr, blk->icount, in);
	for (size_t i = 0; i < n; i++) {
		struct mix_row *r = row_for(ms, blk->function, in[i].mnemonic,
					    in[i].cls, in[i].by, in[i].ext);

		add_sat(&r->count, blk->ecount);
		if (in[i].flags & INSN_F_COMPRESSED)
			add_sat(&r->compressed, blk->ecount);
		if (in[i].flags & INSN_F_STACK)
			add_sat(&r->stack, blk->ecount);
		if (in[i].flags & INSN_F_VECTOR)
			add_sat(&r->vector, blk->ecount);
	}
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

	for (size_t o = 0; o < b->nr_objects; o++) {
		if (!imgs[o])
			continue;
		per_obj[o] = decoder_for(&ds, imgs[o], b, b->objects[o].name);
		if (per_obj[o] && !b->arch)
			b->arch = xstrdup(elf_image_arch(imgs[o]));
	}
	for (size_t i = 0; i < b->nr_blocks; i++) {
		struct block_total *blk = &b->blocks[i];
		struct disasm *d = per_obj[blk->object];

		if (d)
			decode_block(&ms, d, imgs[blk->object], blk,
				     keep && keep[i]);
		else
			count_no_bytes(&ms, blk, blk->icount);
	}
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
	key_map_release(&ms.map);
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
	return strcmp(((const struct mix_keyed *)a)->key,
		      ((const struct mix_keyed *)b)->key);
}

static int cmp_keyed_count(const void *a, const void *b)
{
	const struct mix_keyed *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
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
		k[n].cls = r->cls;
		k[n].count = r->count;
		n++;
	}
	sort_n(k, n, sizeof(*k), cmp_keyed_key);
	for (size_t i = 0; i < n; i++) {
		if (m && !strcmp(k[m - 1].key, k[i].key)) {
			add_sat(&k[m - 1].count, k[i].count);
			continue;
		}
		k[m++] = k[i];
	}
	sort_n(k, m, sizeof(*k), cmp_keyed_count);
	*out = k;
	return m;
}
