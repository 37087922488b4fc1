/* SPDX-License-Identifier: MIT */
/*
 * tbscope's QEMU TCG plugin: what `tbscope` reads, written by the emulator.
 *
 * Loaded by QEMU user mode (`qemu-riscv64 -plugin libtbscope_plugin.so,...`),
 * it counts the execution of every translation block and writes, when the
 * guest exits:
 *
 *   PREFIX.qemu_out[.N]  the rows of QEMU's `hotblocks` plugin: line
 *                        `collected N entries in the hash table`, the header
 *                        `pc, tcount, icount, ecount`, then one row per
 *                        (start pc, instruction count) -- every block, not
 *                        only the hottest 20 -- sorted by ecount, descending,
 *                        pcs as `0x%016`; last, the `insn` plugin's line
 *                        `insns: N` with N = the sum of icount * ecount;
 *   PREFIX.map[.N]       the guest's mappings of the objects its code ran
 *                        from, in the table shape of gdb's `info proc
 *                        mappings`, read without gdb (below);
 *   PREFIX.rate[.N]      with rate=MS only: executed instructions per
 *                        interval, `time: NS, dur: NS, count: N` (and
 *                        `, cpuK: N` per vCPU when the guest ran several),
 *                        after `# ` lines naming the plugin's options, the
 *                        plugin API version and the QEMU binary.
 *
 * Options (key=value, comma-separated after the plugin's path):
 *
 *   prefix=PATH   the output files' prefix; default: the guest program's
 *                 path (qemu_plugin_path_to_binary()), made absolute
 *   inline=on|off count with QEMU's inline add instead of a callback
 *                 (default off: see "Exact counts" below)
 *   rate=MS       write PREFIX.rate[.N], one line per MS milliseconds
 *                 (rate=on: 1000)
 *   suffix=N      use the suffix .N (suffix=none: no suffix) that the caller
 *                 has already claimed, as `tbscope record` does
 *
 * Numbering.  At start-up the plugin claims the first free N by creating
 * PREFIX.qemu_out (then .1, .2, ...) with O_CREAT|O_EXCL, so that several
 * invocations of one program running at once (`lit -j`) never share or
 * skip a number; PREFIX.map and PREFIX.rate take the same suffix.  The
 * directory being unwritable makes the plugin refuse to load, so QEMU
 * stops with that message before the guest runs.
 *
 * Exact counts.  This file is written against the plugin API of QEMU 7.2
 * (QEMU_PLUGIN_VERSION 1).  Its only inline operation,
 * QEMU_PLUGIN_INLINE_ADD_U64 on one fixed address, is a plain load, add
 * and store: two vCPU threads executing the same block at once lose
 * increments, and the API has no per-vCPU form (the scoreboards of QEMU
 * 9.0, API version 2 on, do not exist here).  So by default every block
 * execution calls vcpu_tb_exec(), which gets the vCPU's index and adds 1
 * to that vCPU's own counter for the block (count_exec()): no two threads
 * write one counter, so no count is lost, and no atomic instruction is
 * needed (an atomic add on one shared counter made a run of
 * 602.hashjoin_r 1.5x as slow as the same callback with a plain add).
 * The rows sum the vCPUs' counters.  inline=on is as exact for a
 * single-threaded guest and a little faster; with it, a guest that starts a
 * second thread gets a warning at exit that its counts may be low.
 *
 * The mappings.  In user mode guest memory is host memory at a fixed
 * offset: qemu_plugin_insn_haddr() - qemu_plugin_insn_vaddr() is that
 * guest base (0 on a 64-bit host today; it is measured, not assumed).
 * When a block's code lies in a host mapping not seen before, the plugin
 * reads the host's /proc/self/maps and remembers the mapping and the other
 * mappings of the same file (so a library that is dlclose()d still has its
 * rows).  At exit it writes, for every such object, its rows of the host's
 * /proc/self/maps at that time (or the remembered rows when it is gone),
 * moved to guest addresses, with the execute bit set on the rows code ran
 * from (the host's permissions are QEMU's, which need not include it).  Static
 * programs work the same way: their code is their own file.
 *
 * A child created by the guest's fork() inherits the plugin; only the
 * process that loaded it writes the files.  Nothing here uses glib.
 */
#define _XOPEN_SOURCE 700 /* realpath() */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <qemu-plugin.h>

#include "../analysis/sort.h"
#include "../analysis/banned.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define PLUGIN_NAME "tbscope_plugin"

/* One (start pc, instruction count) block; never moves once created. */
struct block {
	uint64_t pc;
	uint64_t ecount; /* inline=on; else vCPUs past MAX_VCPUS (atomic) */
	uint32_t icount;
	uint32_t tcount;
	uint32_t id; /* its index: in chunks[] and the vCPUs' counters */
	uint32_t pad;
	uint64_t vcpu[4]; /* the executions by vCPUs 0-3 (see count_exec) */
};

/* Blocks live in fixed-size chunks so that pointers to them stay valid. */
#define CHUNK_BITS 12
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define MAX_CHUNKS (1u << 16) /* 268M blocks */

/*
 * Per-vCPU execution counters: vCPUs 0-3 count in the block itself
 * (block.vcpu[]), in the cache line the callback reads anyway; the others
 * in vcpu_counts[cpu][id >> CHUNK_BITS], a chunk of CHUNK_SIZE counters
 * allocated by that vCPU's thread on first use.  Each counter is written
 * only by its vCPU's thread; QEMU reuses a vCPU index only after its
 * thread is gone, so each counter has one writer at a time.
 */
#define MAX_VCPUS 256
static uint64_t **vcpu_counts[MAX_VCPUS];

/* Per-vCPU instruction counters for rate=, one cache line each. */
struct vcpu_insns {
	_Alignas(64) uint64_t insns;
};

/* One row of the host's /proc/self/maps. */
struct host_map {
	uintptr_t start, end;
	uint64_t offset;
	char perms[5];
	unsigned long long inode;
	char dev[16];
	char *path; /* "" for anonymous */
	bool code;  /* guest code was translated from here */
};

/* An object guest code ran from, and its rows when first seen. */
struct object {
	char dev[16];
	unsigned long long inode;
	char *path;
	uintptr_t code_start, code_end; /* the row code first ran from */
	struct host_map *rows;
	size_t nr_rows;
};

static struct {
	pthread_mutex_t lock; /* blocks, table, objects, regions */
	struct block **chunks;
	size_t nr_blocks; /* read by the sampler: atomic */
	struct block **table;
	size_t table_size; /* a power of 2; at most half full */

	/* host ranges known to hold guest code, to skip /proc/self/maps */
	struct {
		uintptr_t start, end;
	} * regions;
	size_t nr_regions, alloc_regions;
	struct object *objects;
	size_t nr_objects, alloc_objects;

	bool have_base;
	uintptr_t guest_base;
	unsigned long base_mismatch;
	unsigned long no_haddr;

	struct vcpu_insns *vcpus; /* rate= with callbacks */
	unsigned max_vcpu;	  /* highest cpu_index seen + 1: atomic */

	/* options */
	char *prefix;
	char *suffix;
	bool use_inline;
	unsigned rate_ms;
	char *options; /* as given, for the rate file's header */
	int api_version;
	char target[32];

	pid_t owner;
	bool writing_failed;

	/* rate= sampler */
	pthread_t sampler;
	bool sampler_started;
	pthread_mutex_t rate_lock;
	pthread_cond_t rate_cond;
	bool rate_stop;
	char *rate_buf;
	size_t rate_len, rate_alloc;
	struct timespec t0;
} s = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.rate_lock = PTHREAD_MUTEX_INITIALIZER,
	.rate_cond = PTHREAD_COND_INITIALIZER,
};

static void die_oom(void)
{
	fputs(PLUGIN_NAME ": out of memory\n", stderr);
	abort();
}

static void *xcalloc_(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom();
	return p;
}

static void *xrealloc_(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die_oom();
	p = realloc(p, n && size ? n * size : 1);
	if (!p)
		die_oom();
	return p;
}

static char *xstrdup_(const char *str)
{
	char *p = strdup(str);

	if (!p)
		die_oom();
	return p;
}

static char *xasprintf_(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static char *xasprintf_(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom();
	p = xcalloc_((size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* --- blocks ------------------------------------------------------------ */

static size_t hash_key(uint64_t pc, uint32_t icount)
{
	uint64_t h = (pc ^ ((uint64_t)icount << 56)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17);
}

static void table_grow(void)
{
	size_t size = s.table_size ? s.table_size * 2 : 1024;
	struct block **t = xcalloc_(size, sizeof(*t));

	for (size_t i = 0; i < s.table_size; i++) {
		struct block *b = s.table[i];
		size_t j;

		if (!b)
			continue;
		j = hash_key(b->pc, b->icount) & (size - 1);
		while (t[j])
			j = (j + 1) & (size - 1);
		t[j] = b;
	}
	free(s.table);
	s.table = t;
	s.table_size = size;
}

/* The block (pc, icount), created on first sight; under s.lock. */
static struct block *block_get(uint64_t pc, uint32_t icount)
{
	size_t j, n = s.nr_blocks;
	struct block *b;

	if (2 * (n + 1) > s.table_size)
		table_grow();
	j = hash_key(pc, icount) & (s.table_size - 1);
	for (; (b = s.table[j]); j = (j + 1) & (s.table_size - 1))
		if (b->pc == pc && b->icount == icount)
			return b;
	if ((n >> CHUNK_BITS) >= MAX_CHUNKS) {
		fputs(PLUGIN_NAME ": too many translation blocks\n", stderr);
		abort();
	}
	if (!(n & (CHUNK_SIZE - 1)))
		s.chunks[n >> CHUNK_BITS] =
			xcalloc_(CHUNK_SIZE, sizeof(struct block));
	b = &s.chunks[n >> CHUNK_BITS][n & (CHUNK_SIZE - 1)];
	b->pc = pc;
	b->id = (uint32_t)n;
	b->icount = icount;
	s.table[j] = b;
	__atomic_store_n(&s.nr_blocks, n + 1, __ATOMIC_RELEASE);
	return b;
}

static struct block *block_at(size_t i)
{
	return &s.chunks[i >> CHUNK_BITS][i & (CHUNK_SIZE - 1)];
}

/* --- the host's mappings ----------------------------------------------- */

/*
 * Parse the host's /proc/self/maps into *rows (malloc'd, paths too).
 * Returns the number of rows, 0 when it cannot be read.
 */
static size_t read_host_maps(struct host_map **rows)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[PATH_MAX + 256];
	size_t nr = 0, alloc = 0;

	*rows = NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct host_map m;
		unsigned long long start, end, offset;
		int path_at = 0;
		size_t len;

		memset(&m, 0, sizeof(m));
		if (sscanf(line, "%llx-%llx %4s %llx %15s %llu %n", &start,
			   &end, m.perms, &offset, m.dev, &m.inode,
			   &path_at) < 6)
			continue;
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		m.start = (uintptr_t)start;
		m.end = (uintptr_t)end;
		m.offset = offset;
		m.path = xstrdup_(path_at > 0 && (size_t)path_at <= len
					  ? line + path_at
					  : "");
		if (nr == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			*rows = xrealloc_(*rows, alloc, sizeof(**rows));
		}
		(*rows)[nr++] = m;
	}
	fclose(f);
	return nr;
}

static void free_host_maps(struct host_map *rows, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(rows[i].path);
	free(rows);
}

static bool same_object(const struct host_map *m, const struct object *o)
{
	if (!o->path[0] || !m->path[0])
		return false; /* anonymous rows are their own object */
	return m->inode == o->inode && !strcmp(m->dev, o->dev) &&
	       !strcmp(m->path, o->path);
}

static bool in_regions(uintptr_t h)
{
	for (size_t i = 0; i < s.nr_regions; i++)
		if (h >= s.regions[i].start && h < s.regions[i].end)
			return true;
	return false;
}

/* Remember the host mapping that holds code at h; under s.lock. */
static void note_code(uintptr_t h)
{
	struct host_map *rows;
	size_t nr = read_host_maps(&rows);
	struct object *o;
	size_t i, hit = nr;

	for (i = 0; i < nr; i++)
		if (h >= rows[i].start && h < rows[i].end)
			hit = i;
	if (hit == nr) {
		free_host_maps(rows, nr);
		return;
	}
	if (s.nr_regions == s.alloc_regions) {
		s.alloc_regions = s.alloc_regions ? 2 * s.alloc_regions : 16;
		s.regions = xrealloc_(s.regions, s.alloc_regions,
				      sizeof(*s.regions));
	}
	s.regions[s.nr_regions].start = rows[hit].start;
	s.regions[s.nr_regions].end = rows[hit].end;
	s.nr_regions++;

	if (s.nr_objects == s.alloc_objects) {
		s.alloc_objects = s.alloc_objects ? 2 * s.alloc_objects : 16;
		s.objects = xrealloc_(s.objects, s.alloc_objects,
				      sizeof(*s.objects));
	}
	o = &s.objects[s.nr_objects++];
	memset(o, 0, sizeof(*o));
	memcpy(o->dev, rows[hit].dev, sizeof(o->dev));
	o->inode = rows[hit].inode;
	o->path = xstrdup_(rows[hit].path);
	o->code_start = rows[hit].start;
	o->code_end = rows[hit].end;
	o->rows = xcalloc_(nr, sizeof(*o->rows));
	for (i = 0; i < nr; i++) {
		if (i != hit && !same_object(&rows[i], o))
			continue;
		o->rows[o->nr_rows] = rows[i];
		o->rows[o->nr_rows].path = xstrdup_(rows[i].path);
		o->rows[o->nr_rows].code = i == hit;
		o->nr_rows++;
	}
	free_host_maps(rows, nr);
}

static void note_insn_addr(struct qemu_plugin_insn *insn)
{
	uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
	uintptr_t h = (uintptr_t)qemu_plugin_insn_haddr(insn);
	uintptr_t base;

	if (!h) {
		s.no_haddr++;
		return;
	}
	base = h - (uintptr_t)vaddr;
	if (!s.have_base) {
		s.guest_base = base;
		s.have_base = true;
	} else if (base != s.guest_base) {
		s.base_mismatch++;
	}
	if (!in_regions(h))
		note_code(h);
}

static bool setup_outputs(void);

/* --- counting ------------------------------------------------------------ */

static uint64_t *counter_slow(unsigned int cpu_index, uint32_t id)
{
	uint64_t **v =
		__atomic_load_n(&vcpu_counts[cpu_index], __ATOMIC_ACQUIRE);
	uint64_t *c;

	if (!v) {
		v = xcalloc_(MAX_CHUNKS, sizeof(*v));
		__atomic_store_n(&vcpu_counts[cpu_index], v, __ATOMIC_RELEASE);
	}
	c = __atomic_load_n(&v[id >> CHUNK_BITS], __ATOMIC_ACQUIRE);
	if (!c) {
		c = xcalloc_(CHUNK_SIZE, sizeof(*c));
		__atomic_store_n(&v[id >> CHUNK_BITS], c, __ATOMIC_RELEASE);
	}
	return &c[id & (CHUNK_SIZE - 1)];
}

/*
 * One more execution of b on this vCPU: a plain add to a counter no other
 * thread writes (an atomic add on a shared one costs half as much again
 * as all of QEMU's own work per block, measured on the fixture programs).
 */
static inline void count_exec(unsigned int cpu_index, struct block *b)
{
	uint64_t **v, *c, *p;

	if (cpu_index < 4) {
		p = &b->vcpu[cpu_index];
		__atomic_store_n(p, *p + 1, __ATOMIC_RELAXED);
		return;
	}
	if (cpu_index >= MAX_VCPUS) {
		__atomic_fetch_add(&b->ecount, 1, __ATOMIC_RELAXED);
		return;
	}
	v = __atomic_load_n(&vcpu_counts[cpu_index], __ATOMIC_RELAXED);
	c = v ? __atomic_load_n(&v[b->id >> CHUNK_BITS], __ATOMIC_RELAXED)
	      : NULL;
	p = c ? &c[b->id & (CHUNK_SIZE - 1)] : counter_slow(cpu_index, b->id);
	/* a single writer: relaxed stores keep the sampler's reads whole */
	__atomic_store_n(p, *p + 1, __ATOMIC_RELAXED);
}

/* The vCPUs' counter tables in use, into v[]; their number. */
static unsigned vcpu_tables(uint64_t ***v)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_VCPUS; i++) {
		v[n] = __atomic_load_n(&vcpu_counts[i], __ATOMIC_ACQUIRE);
		if (v[n])
			n++;
	}
	return n;
}

/* A block's executions so far, over the vCPUs' tables v[nv]. */
static uint64_t block_ecount(const struct block *b, uint64_t ***v, unsigned nv)
{
	uint64_t n = __atomic_load_n(&b->ecount, __ATOMIC_RELAXED);

	for (unsigned i = 0; i < 4; i++)
		n += __atomic_load_n(&b->vcpu[i], __ATOMIC_RELAXED);
	for (unsigned i = 0; i < nv; i++) {
		uint64_t *c = __atomic_load_n(&v[i][b->id >> CHUNK_BITS],
					      __ATOMIC_ACQUIRE);

		if (c)
			n += __atomic_load_n(&c[b->id & (CHUNK_SIZE - 1)],
					     __ATOMIC_RELAXED);
	}
	return n;
}

static void vcpu_tb_exec(unsigned int cpu_index, void *udata)
{
	count_exec(cpu_index, udata);
}

/* The same, also counting each vCPU's instructions for rate=. */
static void vcpu_tb_exec_rate(unsigned int cpu_index, void *udata)
{
	struct block *b = udata;
	struct vcpu_insns *v;

	count_exec(cpu_index, b);
	if (cpu_index < MAX_VCPUS) {
		/* one writer per slot: the vCPU's own thread */
		v = &s.vcpus[cpu_index];
		__atomic_store_n(&v->insns, v->insns + b->icount,
				 __ATOMIC_RELAXED);
	} else {
		v = &s.vcpus[MAX_VCPUS - 1];
		__atomic_fetch_add(&v->insns, b->icount, __ATOMIC_RELAXED);
	}
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int cpu_index)
{
	unsigned n = cpu_index + 1, cur;

	cur = __atomic_load_n(&s.max_vcpu, __ATOMIC_RELAXED);
	while (n > cur &&
	       !__atomic_compare_exchange_n(&s.max_vcpu, &cur, n, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t pc = qemu_plugin_tb_vaddr(tb);
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct block *b;

	if (!n)
		return;
	pthread_mutex_lock(&s.lock);
	if (!s.suffix && !setup_outputs())
		exit(1);
	b = block_get(pc, (uint32_t)n);
	b->tcount++;
	note_insn_addr(qemu_plugin_tb_get_insn(tb, 0));
	if (n > 1)
		note_insn_addr(qemu_plugin_tb_get_insn(tb, n - 1));
	pthread_mutex_unlock(&s.lock);

	if (s.use_inline)
		qemu_plugin_register_vcpu_tb_exec_inline(
			tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->ecount, 1);
	else
		qemu_plugin_register_vcpu_tb_exec_cb(
			tb, s.rate_ms ? vcpu_tb_exec_rate : vcpu_tb_exec,
			QEMU_PLUGIN_CB_NO_REGS, b);
}

/* --- rate= ---------------------------------------------------------------- */

static uint64_t ns_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0->tv_sec) * 1000000000ull +
	       (uint64_t)t.tv_nsec - (uint64_t)t0->tv_nsec;
}

static void rate_append(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void rate_append(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	while (s.rate_len + (size_t)n + 1 > s.rate_alloc) {
		s.rate_alloc = s.rate_alloc ? 2 * s.rate_alloc : 4096;
		s.rate_buf = xrealloc_(s.rate_buf, s.rate_alloc, 1);
	}
	va_start(ap, fmt);
	vsnprintf(s.rate_buf + s.rate_len, s.rate_alloc - s.rate_len, fmt, ap);
	va_end(ap);
	s.rate_len += (size_t)n;
}

/* Executed instructions so far: per vCPU into per[], the total returned. */
static uint64_t count_now(uint64_t *per, unsigned nr_per)
{
	uint64_t total = 0;

	if (!s.use_inline) {
		for (unsigned i = 0; i < nr_per; i++) {
			per[i] = __atomic_load_n(&s.vcpus[i].insns,
						 __ATOMIC_RELAXED);
			total += per[i];
		}
		return total;
	}
	/* inline counters: the sum over the blocks seen so far */
	size_t n = __atomic_load_n(&s.nr_blocks, __ATOMIC_ACQUIRE);

	for (size_t i = 0; i < n; i++) {
		struct block *b = block_at(i);

		total += b->icount *
			 __atomic_load_n(&b->ecount, __ATOMIC_RELAXED);
	}
	return total;
}

/* One line: the interval (prev_ns, now], the counts since prev[]. */
static void rate_line(uint64_t prev_ns, uint64_t now_ns, uint64_t *prev,
		      uint64_t *prev_total)
{
	uint64_t cur[MAX_VCPUS];
	unsigned nv = __atomic_load_n(&s.max_vcpu, __ATOMIC_RELAXED);
	uint64_t total;

	if (nv > MAX_VCPUS)
		nv = MAX_VCPUS;
	total = count_now(cur, nv);
	rate_append("time: %" PRIu64 ", dur: %" PRIu64 ", count: %" PRIu64,
		    now_ns, now_ns - prev_ns, total - *prev_total);
	if (!s.use_inline && nv > 1)
		for (unsigned i = 0; i < nv; i++)
			rate_append(", cpu%u: %" PRIu64, i, cur[i] - prev[i]);
	rate_append("\n");
	memcpy(prev, cur, nv * sizeof(*prev));
	*prev_total = total;
}

static uint64_t sampler_prev[MAX_VCPUS];
static uint64_t sampler_prev_total, sampler_prev_ns;

static void *sampler_main(void *arg)
{
	uint64_t step = (uint64_t)s.rate_ms * 1000000ull;
	uint64_t next = step;

	pthread_mutex_lock(&s.rate_lock);
	while (!s.rate_stop) {
		struct timespec until = s.t0;
		uint64_t now;

		until.tv_sec += (time_t)(next / 1000000000ull);
		until.tv_nsec += (long)(next % 1000000000ull);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&s.rate_cond, &s.rate_lock,
					   &until) != ETIMEDOUT)
			continue;
		now = ns_since(&s.t0);
		rate_line(sampler_prev_ns, now, sampler_prev,
			  &sampler_prev_total);
		sampler_prev_ns = now;
		while (next <= now)
			next += step;
	}
	pthread_mutex_unlock(&s.rate_lock);
	return NULL;
}

static void start_sampler(void)
{
	pthread_condattr_t ca;
	sigset_t all, old;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&s.rate_cond);
	pthread_cond_init(&s.rate_cond, &ca);
	pthread_condattr_destroy(&ca);
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	/* the guest's signals are QEMU's business: block them all here */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s.sampler_started =
		!pthread_create(&s.sampler, NULL, sampler_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s.sampler_started)
		fputs(PLUGIN_NAME ": cannot start the rate= thread; "
				  "the rate file gets one line\n",
		      stderr);
}

static void stop_sampler(void)
{
	uint64_t now;

	if (s.sampler_started) {
		pthread_mutex_lock(&s.rate_lock);
		s.rate_stop = true;
		pthread_cond_signal(&s.rate_cond);
		pthread_mutex_unlock(&s.rate_lock);
		pthread_join(s.sampler, NULL);
	}
	/* the last, partial interval */
	now = ns_since(&s.t0);
	if (now > sampler_prev_ns)
		rate_line(sampler_prev_ns, now, sampler_prev,
			  &sampler_prev_total);
}

/* --- output ------------------------------------------------------------- */

static char *out_path(const char *ext)
{
	return xasprintf_("%s.%s%s", s.prefix, ext, s.suffix);
}

static FILE *open_out(const char *ext, char **path)
{
	FILE *f;

	*path = out_path(ext);
	f = fopen(*path, "we");
	if (!f)
		fprintf(stderr, PLUGIN_NAME ": cannot write %s: %s\n", *path,
			strerror(errno));
	return f;
}

static void close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, PLUGIN_NAME ": error writing %s\n", path);
		s.writing_failed = true;
	}
}

struct row {
	const struct block *b;
	uint64_t ecount;
};

static int cmp_hottest(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->ecount != y->ecount)
		return x->ecount > y->ecount ? -1 : 1;
	if (x->b->pc != y->b->pc)
		return x->b->pc < y->b->pc ? -1 : 1;
	return (x->b->icount > y->b->icount) - (x->b->icount < y->b->icount);
}

static void write_qemu_out(void)
{
	size_t n = s.nr_blocks;
	struct row *v = xcalloc_(n, sizeof(*v));
	uint64_t **tables[MAX_VCPUS];
	unsigned nt = vcpu_tables(tables);
	uint64_t total = 0;
	bool overflow = false;
	char *path;
	FILE *f;

	for (size_t i = 0; i < n; i++) {
		uint64_t prod;

		v[i].b = block_at(i);
		v[i].ecount = block_ecount(v[i].b, tables, nt);
		if (__builtin_mul_overflow((uint64_t)v[i].b->icount,
					   v[i].ecount, &prod) ||
		    __builtin_add_overflow(total, prod, &total))
			overflow = true;
	}
	sort_n(v, n, sizeof(*v), cmp_hottest);
	f = open_out("qemu_out", &path);
	if (f) {
		fprintf(f, "collected %zu entries in the hash table\n", n);
		if (n)
			fputs("pc, tcount, icount, ecount\n", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f,
				"0x%016" PRIx64 ", %" PRIu32 ", %" PRIu32
				", %" PRIu64 "\n",
				v[i].b->pc, v[i].b->tcount, v[i].b->icount,
				v[i].ecount);
		if (overflow)
			fputs(PLUGIN_NAME ": the instruction total overflows "
					  "64 bits; no insns: line\n",
			      stderr);
		else
			fprintf(f, "insns: %" PRIu64 "\n", total);
		close_out(f, path);
	} else {
		s.writing_failed = true;
	}
	free(path);
	free(v);
}

static int cmp_row_start(const void *a, const void *b)
{
	const struct host_map *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static bool row_has_code(const struct host_map *m)
{
	if (m->code)
		return true;
	for (size_t i = 0; i < s.nr_regions; i++)
		if (s.regions[i].start < m->end && m->start < s.regions[i].end)
			return true;
	return false;
}

static void write_map(void)
{
	struct host_map *now, *out = NULL;
	size_t nr_now = read_host_maps(&now), nr_out = 0, alloc = 0;
	char *path;
	FILE *f;

	for (size_t i = 0; i < s.nr_objects; i++) {
		struct object *o = &s.objects[i];
		bool still = false;

		/* still mapped where its code ran? then its rows of now */
		for (size_t j = 0; j < nr_now && o->path[0]; j++)
			if (same_object(&now[j], o) &&
			    now[j].start < o->code_end &&
			    o->code_start < now[j].end)
				still = true;
		for (size_t j = 0; j < (still ? nr_now : o->nr_rows); j++) {
			struct host_map m = still ? now[j] : o->rows[j];
			bool dup = false;

			if (still && !same_object(&m, o))
				continue;
			for (size_t k = 0; k < nr_out && !dup; k++)
				dup = out[k].start == m.start;
			if (dup)
				continue;
			if (nr_out == alloc) {
				alloc = alloc ? 2 * alloc : 16;
				out = xrealloc_(out, alloc, sizeof(*out));
			}
			if (row_has_code(&m))
				m.perms[2] = 'x';
			out[nr_out++] = m;
		}
	}
	sort_n(out, nr_out, sizeof(*out), cmp_row_start);

	f = open_out("map", &path);
	if (f) {
		fprintf(f, "process %ld\nMapped address spaces:\n\n",
			(long)getpid());
		fprintf(f, "  %18s %18s %10s %10s  %-5s  %s\n", "Start Addr",
			"End Addr", "Size", "Offset", "Perms", "objfile");
		for (size_t i = 0; i < nr_out; i++) {
			char a[24], b[24], c[24], d[24];
			uintptr_t start = out[i].start - s.guest_base;
			uintptr_t end = out[i].end - s.guest_base;

			snprintf(a, sizeof(a), "0x%" PRIxPTR, start);
			snprintf(b, sizeof(b), "0x%" PRIxPTR, end);
			snprintf(c, sizeof(c), "0x%" PRIxPTR, end - start);
			snprintf(d, sizeof(d), "0x%" PRIx64, out[i].offset);
			fprintf(f, "  %18s %18s %10s %10s  %-5s  %s\n", a, b, c,
				d, out[i].perms, out[i].path);
		}
		close_out(f, path);
	} else {
		s.writing_failed = true;
	}
	free(path);
	free(out);
	free_host_maps(now, nr_now);
}

static void write_rate(void)
{
	char *path, exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f = open_out("rate", &path);

	exe[n > 0 ? n : 0] = '\0';
	if (f) {
		fprintf(f, "# %s %s\n", PLUGIN_NAME, s.options);
		fprintf(f,
			"# plugin api %d, target %s, interval %u ms, qemu %s\n",
			s.api_version, s.target, s.rate_ms, exe);
		if (s.rate_len)
			fwrite(s.rate_buf, 1, s.rate_len, f);
		close_out(f, path);
	} else {
		s.writing_failed = true;
	}
	free(path);
}

/*
 * QEMU 7.2 does not call the atexit callback when a signal kills the guest
 * (its dump_core_and_abort() re-raises the signal on itself).  So when the
 * guest sends itself a signal whose default action ends it -- abort()'s
 * SIGABRT, raise(), kill(getpid(), ...) -- the files are written now, and
 * written again at exit if the guest lives on.  Faults (SIGSEGV from a bad
 * load) are not syscalls and still leave empty files; `tbscope record`
 * then says so.
 */
static bool self_kill(int64_t num, uint64_t a1, uint64_t a2, uint64_t a3)
{
	/* syscall numbers: asm-generic (riscv64, aarch64, loongarch64) and
	 * x86_64; signal numbers are the same on both */
	static const struct {
		const char *target;
		int64_t kill, tkill, tgkill;
	} nr[] = {
		{"riscv64", 129, 130, 131}, {"riscv32", 129, 130, 131},
		{"aarch64", 129, 130, 131}, {"loongarch64", 129, 130, 131},
		{"x86_64", 62, 200, 234},
	};
	uint64_t sig;
	size_t i;

	for (i = 0; i < sizeof(nr) / sizeof(nr[0]); i++)
		if (!strcmp(s.target, nr[i].target))
			break;
	if (i == sizeof(nr) / sizeof(nr[0]))
		return false;
	if (num == nr[i].kill)
		sig = (a1 == 0 || a1 == (uint64_t)getpid()) ? a2 : 0;
	else if (num == nr[i].tkill)
		sig = a2;
	else if (num == nr[i].tgkill)
		sig = a1 == (uint64_t)getpid() ? a3 : 0;
	else
		return false;
	switch (sig) {
	case 0:
	case SIGCHLD:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
	case SIGURG:
	case SIGWINCH:
		return false;
	default:
		return sig < 65;
	}
}

static void vcpu_syscall(qemu_plugin_id_t id, unsigned int vcpu_index,
			 int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
			 uint64_t a8)
{
	if (!self_kill(num, a1, a2, a3) || getpid() != s.owner || !s.suffix)
		return;
	pthread_mutex_lock(&s.lock);
	write_qemu_out();
	write_map();
	pthread_mutex_unlock(&s.lock);
	if (s.rate_ms) {
		pthread_mutex_lock(&s.rate_lock);
		write_rate();
		pthread_mutex_unlock(&s.rate_lock);
	}
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	if (getpid() != s.owner)
		return; /* a fork()ed child: the parent writes */
	if (s.rate_ms)
		stop_sampler();
	pthread_mutex_lock(&s.lock);
	write_qemu_out();
	write_map();
	if (s.rate_ms)
		write_rate();
	if (s.use_inline && s.max_vcpu > 1)
		fprintf(stderr,
			PLUGIN_NAME
			": inline=on with %u vCPU threads: "
			"the counts may be low (QEMU's inline add is not "
			"atomic)\n",
			s.max_vcpu);
	if (s.base_mismatch)
		fprintf(stderr,
			PLUGIN_NAME ": %lu instructions had another guest "
				    "base than 0x%" PRIxPTR
				    "; the map may be wrong\n",
			s.base_mismatch, s.guest_base);
	pthread_mutex_unlock(&s.lock);
}

/* --- start-up ------------------------------------------------------------ */

/* An absolute form of path (its directory resolved), malloc'd. */
static char *absolute(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *ret;

	if (!slash) {
		dir = xstrdup_(".");
	} else if (slash == path) {
		dir = xstrdup_("/");
	} else {
		dir = xstrdup_(path);
		dir[slash - path] = '\0';
	}
	real = realpath(dir, NULL);
	if (!real) {
		fprintf(stderr, PLUGIN_NAME ": %s: %s\n", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	ret = xasprintf_("%s/%s", strcmp(real, "/") ? real : "",
			 slash ? slash + 1 : path);
	free(real);
	free(dir);
	return ret;
}

/* Create PREFIX.qemu_out[.N] for the first free N; its suffix or NULL. */
static char *claim_suffix(void)
{
	for (unsigned n = 0;; n++) {
		char *suffix = n ? xasprintf_(".%u", n) : xstrdup_("");
		char *path = xasprintf_("%s.qemu_out%s", s.prefix, suffix);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0666);

		if (fd >= 0) {
			close(fd);
			free(path);
			return suffix;
		}
		if (errno != EEXIST || n == UINT_MAX) {
			fprintf(stderr, PLUGIN_NAME ": cannot create %s: %s\n",
				path, strerror(errno));
			free(path);
			free(suffix);
			return NULL;
		}
		free(path);
		free(suffix);
	}
}

/* Create (empty) the other files of the claimed suffix, to fail early. */
static bool create_out(const char *ext)
{
	char *path = out_path(ext);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd < 0)
		fprintf(stderr, PLUGIN_NAME ": cannot create %s: %s\n", path,
			strerror(errno));
	else
		close(fd);
	free(path);
	return fd >= 0;
}

static bool parse_bool(const char *key, const char *val, bool *ret)
{
	if (!strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "true"))
		*ret = true;
	else if (!strcmp(val, "off") || !strcmp(val, "no") ||
		 !strcmp(val, "false"))
		*ret = false;
	else
		return false;
	return true;
}

static bool parse_options(int argc, char **argv)
{
	size_t len = 0;

	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i], *eq = strchr(opt, '=');
		const char *val = eq ? eq + 1 : "";
		size_t klen = eq ? (size_t)(eq - opt) : strlen(opt);

		if (klen == 6 && !strncmp(opt, "suffix", 6) && *val) {
			char *end;
			unsigned long n;

			free(s.suffix);
			if (!strcmp(val, "none")) {
				s.suffix = xstrdup_("");
				continue;
			}
			errno = 0;
			n = strtoul(val, &end, 10);
			if (*end || errno || n < 1 || n > UINT_MAX ||
			    *val == '-' || *val == '+' || *val == '0') {
				s.suffix = NULL;
				goto bad;
			}
			s.suffix = xasprintf_(".%lu", n);
		} else if (klen == 6 && !strncmp(opt, "prefix", 6) && *val) {
			free(s.prefix);
			s.prefix = xstrdup_(val);
		} else if (klen == 6 && !strncmp(opt, "inline", 6)) {
			if (!parse_bool(opt, val, &s.use_inline))
				goto bad;
		} else if (klen == 4 && !strncmp(opt, "rate", 4)) {
			char *end;
			unsigned long ms;

			if (!strcmp(val, "on")) {
				s.rate_ms = 1000;
				continue;
			}
			if (!strcmp(val, "off")) {
				s.rate_ms = 0;
				continue;
			}
			errno = 0;
			ms = strtoul(val, &end, 10);
			if (!*val || *end || errno || ms > 86400000ul ||
			    *val == '-')
				goto bad;
			s.rate_ms = (unsigned)ms;
		} else {
			goto bad;
		}
		continue;
	bad:
		fprintf(stderr,
			PLUGIN_NAME ": bad option '%s' (known: prefix=PATH, "
				    "inline=on|off, rate=MS)\n",
			opt);
		return false;
	}
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s.options = xcalloc_(len + 1, 1);
	for (int i = 0, at = 0; i < argc; i++)
		at += snprintf(s.options + at, len + 1 - (size_t)at, "%s%s",
			       i ? "," : "", argv[i]);
	return true;
}

/*
 * Make the prefix absolute, claim the suffix and create the files.  With
 * prefix= this runs at load time; without, at the first translation,
 * when QEMU knows the guest program's path.
 */
static bool setup_outputs(void)
{
	char *given;

	if (!s.prefix) {
		const char *bin = qemu_plugin_path_to_binary();

		if (!bin) {
			fputs(PLUGIN_NAME ": no guest program path; give "
					  "prefix=PATH\n",
			      stderr);
			return false;
		}
		s.prefix = xstrdup_(bin);
		free((void *)bin); /* g_free() is free() since glib 2.46 */
	}
	given = s.prefix;
	s.prefix = absolute(given);
	free(given);
	if (!s.prefix)
		return false;
	if (!s.suffix) {
		s.suffix = claim_suffix();
		if (!s.suffix)
			return false;
	} else if (!create_out("qemu_out")) {
		return false;
	}
	return create_out("map") && (!s.rate_ms || create_out("rate"));
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	if (info->system_emulation) {
		fputs(PLUGIN_NAME ": user-mode emulation only (qemu-ARCH, "
				  "not qemu-system-ARCH)\n",
		      stderr);
		return 1;
	}
	if (!parse_options(argc, argv))
		return 1;
	s.api_version = info->version.cur;
	snprintf(s.target, sizeof(s.target), "%s",
		 info->target_name ? info->target_name : "?");
	if (s.prefix && !setup_outputs())
		return 1;

	s.owner = getpid();
	s.chunks = xcalloc_(MAX_CHUNKS, sizeof(*s.chunks));
	if (s.rate_ms && !s.use_inline)
		s.vcpus = xcalloc_(MAX_VCPUS, sizeof(*s.vcpus));
	if (s.rate_ms)
		start_sampler();

	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
	qemu_plugin_register_vcpu_syscall_cb(id, vcpu_syscall);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
