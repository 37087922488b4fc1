#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of recording: tbscope's QEMU plugin against QEMU's own.

The guest programs (tests/data/record/src: the fixtures' six benchmarks and
three small programs) are cross-compiled here with riscv64-linux-gnu-gcc and
run under Debian's qemu-riscv64 with tbscope's plugin.  The oracles are QEMU's
stock `insn` and `hotblocks` plugins, compiled here from the same Debian
`qemu` source package that deploy/setup.sh fetched (never from tbscope), and
loaded into the same QEMU process as ours, so all three see one execution:

- Σ icount × ecount of every invocation (and so of every benchmark) equals
  the `insn` plugin's total, also for a program with several threads;
- the 20 hottest rows equal those of stock `hotblocks`, and so does the
  number of blocks;
- the map agrees with the guest's own /proc/self/maps (QEMU's emulation of
  it, read by the guest program), also for dlopen() and a static program;
- `tbscope show` attributes every instruction to an object (no [unmapped]).

Skipped (exit 77) with the reason when qemu-riscv64, the cross compiler, the
QEMU source or the plugin is missing; deploy/setup.sh installs them all.

Usage: test_record.py TBSCOPE PLUGIN_SO DATA_DIR QEMU_SRC_DIR LIT
(PLUGIN_SO, QEMU_SRC_DIR, LIT may be "" when not found by CMake.)
"""
import glob
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

TBSCOPE = os.path.abspath(sys.argv[1])
PLUGIN = sys.argv[2]
DATA = os.path.abspath(sys.argv[3])
QEMU_SRC = sys.argv[4]
LIT = sys.argv[5] if len(sys.argv) > 5 else ""
del sys.argv[1:]

SRC = os.path.join(DATA, "record", "src")
SYSROOT = "/usr/riscv64-linux-gnu"
QEMU = shutil.which("qemu-riscv64")
CC = shutil.which("riscv64-linux-gnu-gcc")

# The fixtures' invocations (tests/data/FIXTURES.md, "Invocations").
BENCHES = {
    "600.lzpack_r": ("CINT2017rate",
                     [["text", "200000"], ["records", "250000"], ["repeat", "400000"]]),
    "601.graphwalk_r": ("CINT2017rate", [["30000", "6", "6"]]),
    "602.hashjoin_r": ("CINT2017rate",
                       [["100000", "400000", "1"], ["40000", "800000", "4"]]),
    "604.sortmix_r": ("CINT2017rate", [["60000", "20000"]]),
    "610.stencil_r": ("CFP2017rate", [["160", "60", "40", "30"]]),
    "612.matmul_r": ("CFP2017rate", [["160", "3"]]),
}

ROW = re.compile(r"^0x([0-9a-f]{16}), (\d+), (\d+), (\d+)$")


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def run(cmd, **kw):
    if "stdout" in kw:
        kw.setdefault("stderr", subprocess.PIPE)
    else:
        kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 600)
    return subprocess.run(cmd, **kw)


def check(cmd, **kw):
    p = run(cmd, **kw)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode,
                                                     p.stdout, p.stderr))
    return p


def parse_qemu_out(path):
    """Strictly the hotblocks format plus the trailing `insns: N` line."""
    with open(path, encoding="ascii") as f:
        text = f.read()
    assert text.endswith("\n"), path
    lines = text.split("\n")[:-1]
    m = re.fullmatch(r"collected (\d+) entries in the hash table", lines[0])
    assert m, (path, lines[0])
    n = int(m.group(1))
    assert lines[1] == "pc, tcount, icount, ecount", (path, lines[1])
    rows = []
    for line in lines[2:2 + n]:
        r = ROW.match(line)
        assert r, (path, line)
        rows.append((int(r.group(1), 16), int(r.group(2)), int(r.group(3)),
                     int(r.group(4))))
    assert len(rows) == n, (path, len(rows), n)
    tail = lines[2 + n:]
    assert len(tail) == 1 and tail[0].startswith("insns: "), (path, tail)
    return rows, int(tail[0][len("insns: "):])


def parse_stock_log(path):
    """QEMU's log with the stock plugins' output: hotblocks rows, insn total."""
    out = {"hot": [], "collected": None, "insns": None, "cpus": {}}
    with open(path, encoding="ascii") as f:
        for line in f.read().splitlines():
            m = re.fullmatch(r"collected (\d+) entries in the hash table", line)
            if m:
                out["collected"] = int(m.group(1))
                continue
            r = ROW.match(line)
            if r:
                out["hot"].append((int(r.group(1), 16), int(r.group(2)),
                                   int(r.group(3)), int(r.group(4))))
                continue
            m = re.fullmatch(r"(?:total )?insns: (\d+)", line)
            if m:
                out["insns"] = int(m.group(1))
                continue
            m = re.fullmatch(r"cpu (\d+) insns: (\d+)", line)
            if m:
                out["cpus"][int(m.group(1))] = int(m.group(2))
    return out


def parse_gdb_map(path):
    """Rows of a gdb `info proc mappings` table: (start, end, offset, perms, obj)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert re.fullmatch(r"process \d+", lines[0]), lines[0]
    assert lines[1] == "Mapped address spaces:" and lines[2] == "", lines[:3]
    assert lines[3].split() == ["Start", "Addr", "End", "Addr", "Size", "Offset",
                                "Perms", "objfile"], lines[3]
    for line in lines[4:]:
        f = line.split(None, 5)
        start, end, size, off = (int(x, 16) for x in f[:4])
        assert end - start == size, line
        rows.append((start, end, off, f[4], f[5] if len(f) > 5 else ""))
    return rows


def parse_proc_maps(path):
    """Rows of a Linux /proc/PID/maps: (start, end, offset, perms, path)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            f5 = line.split(None, 5)
            a, b = f5[0].split("-")
            rows.append((int(a, 16), int(b, 16), int(f5[2], 16), f5[1],
                         f5[5] if len(f5) > 5 else ""))
    return rows


class Env:
    """Everything built once: the oracle plugins and the guest programs."""
    tmp = None

    @classmethod
    def setup(cls):
        if not QEMU:
            skip("no qemu-riscv64 (deploy/setup.sh installs qemu-user)")
        if not CC:
            skip("no riscv64-linux-gnu-gcc (deploy/setup.sh installs it)")
        if not PLUGIN or not os.path.exists(PLUGIN):
            skip("tbscope's plugin was not built: no QEMU plugin header "
                 "(deploy/setup.sh, or cmake -DQEMU_PLUGIN_HEADER=...)")
        if not QEMU_SRC or not os.path.exists(
                os.path.join(QEMU_SRC, "contrib/plugins/hotblocks.c")):
            skip("no QEMU plugin sources for the oracles (deploy/setup.sh "
                 "fetches them from Debian's qemu source package)")
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-record-")
        glib = check(["pkg-config", "--cflags", "--libs", "glib-2.0"]).stdout.split()
        cls.oracle = {}
        for name, src in (("insn", "tests/plugin/insn.c"),
                          ("hotblocks", "contrib/plugins/hotblocks.c")):
            so = os.path.join(cls.tmp, "lib%s.so" % name)
            check(["cc", "-O2", "-shared", "-fPIC", "-o", so,
                   "-I" + os.path.join(QEMU_SRC, "include", "qemu"),
                   os.path.join(QEMU_SRC, src)] + glib)
            cls.oracle[name] = so
        cls.bin = os.path.join(cls.tmp, "bin")
        os.mkdir(cls.bin)
        for b, (suite, _) in BENCHES.items():
            cls.cc(b + ".c", b, *(["-lm"] if suite == "CFP2017rate" else []))
        cls.cc("mt_sum.c", "mt_sum", "-pthread")
        cls.cc("maps_self.c", "maps_self")
        cls.cc("maps_self.c", "maps_static", "-static", "-DNO_DLOPEN")
        cls.cc("exit_status.c", "exit_status")

    @classmethod
    def cc(cls, src, out, *extra):
        check([CC, "-O2", "-march=rv64gc", "-o", os.path.join(cls.bin, out),
               os.path.join(SRC, src), *extra])

    @classmethod
    def layout(cls, root):
        """An llvm-test-suite-like build dir: External/SPEC/<suite>/<bench>/."""
        dirs = {}
        for b, (suite, _) in BENCHES.items():
            d = os.path.join(root, "External", "SPEC", suite, b)
            os.makedirs(d)
            shutil.copy2(os.path.join(cls.bin, b), d)
            dirs[b] = d
        return dirs


def qemu_cmd(prog, args, plugin_opts="", log=None, oracles=(), sysroot=True):
    cmd = [QEMU]
    if sysroot:
        cmd += ["-L", SYSROOT]
    cmd += ["-plugin", PLUGIN + ("," + plugin_opts if plugin_opts else "")]
    for o in oracles:
        cmd += ["-plugin", o]
    if log:
        cmd += ["-d", "plugin", "-D", log]
    return cmd + [prog] + list(args)


def as_stock_keys(rows):
    """Our rows merged the way QEMU 7.2's hotblocks keys its table.

    Stock hotblocks hashes a block by pc ^ icount, so blocks whose keys
    collide (pc 0x...10 with 3 instructions, pc 0x...12 with 1) share one
    row there: counts summed, the first translated block's pc and icount.
    Returns {key: (set of (pc, icount), tcount sum, ecount sum)}.
    """
    groups = {}
    for pc, t, n, e in rows:
        blocks, ts, es = groups.get(pc ^ n, (set(), 0, 0))
        blocks.add((pc, n))
        groups[pc ^ n] = (blocks, ts + t, es + e)
    return groups


def hottest_agree(testcase, ours, stock, what):
    """stock's rows (its 20 hottest) against ours, ties at the cut allowed."""
    testcase.assertTrue(stock, what)
    groups = as_stock_keys(ours)
    merged = sorted((g[2] for g in groups.values()), reverse=True)
    testcase.assertEqual(merged[:len(stock)], [r[3] for r in stock], what)
    for pc, t, n, e in stock:
        blocks, ts, es = groups[pc ^ n]
        testcase.assertIn((pc, n), blocks, what)
        testcase.assertEqual((ts, es), (t, e), (what, hex(pc), n))
    # the rows above the cut are exactly stock's (below it ties may differ)
    cut = stock[-1][3]
    testcase.assertEqual(sorted(k for k, g in groups.items() if g[2] > cut),
                         sorted(pc ^ n for pc, _, n, e in stock if e > cut), what)


class FixturePrograms(unittest.TestCase):
    """The six fixture benchmarks, every invocation, against insn+hotblocks."""

    @classmethod
    def setUpClass(cls):
        cls.run_dir = os.path.join(Env.tmp, "run-direct")
        cls.dirs = Env.layout(cls.run_dir)
        cls.results = {}
        for b, (_, invocations) in BENCHES.items():
            prog = os.path.join(cls.dirs[b], b)
            for i, args in enumerate(invocations):
                log = os.path.join(Env.tmp, "%s.%d.log" % (b, i))
                p = run(qemu_cmd(prog, args, log=log, oracles=(
                    Env.oracle["insn"] + ",inline=on",
                    Env.oracle["hotblocks"] + ",inline=on")),
                    cwd=cls.dirs[b], stdout=subprocess.DEVNULL)
                assert p.returncode == 0, p.stderr
                suffix = "" if i == 0 else ".%d" % i
                cls.results[(b, i)] = (prog + ".qemu_out" + suffix,
                                       prog + ".map" + suffix,
                                       parse_stock_log(log))

    def test_every_invocation_total_equals_insn_plugin(self):
        for (b, i), (qo, _, stock) in self.results.items():
            rows, insns = parse_qemu_out(qo)
            self.assertIsNotNone(stock["insns"], (b, i))
            self.assertEqual(sum(r[2] * r[3] for r in rows), stock["insns"], (b, i))
            self.assertEqual(insns, stock["insns"], (b, i))

    def test_every_block_once_hottest_first(self):
        for (b, i), (qo, _, stock) in self.results.items():
            rows, _ = parse_qemu_out(qo)
            keys = [(r[0], r[2]) for r in rows]
            self.assertEqual(len(keys), len(set(keys)), (b, i))
            self.assertEqual([r[3] for r in rows],
                             sorted((r[3] for r in rows), reverse=True), (b, i))
            self.assertTrue(all(r[1] >= 1 and r[2] >= 1 for r in rows), (b, i))
            # stock hotblocks counts the same blocks, keyed by pc ^ icount
            self.assertEqual(len(as_stock_keys(rows)), stock["collected"], (b, i))
            self.assertGreater(len(rows), 1000, (b, i))

    def test_hottest_20_equal_stock_hotblocks(self):
        for (b, i), (qo, _, stock) in self.results.items():
            rows, _ = parse_qemu_out(qo)
            self.assertEqual(len(stock["hot"]), 20, (b, i))
            hottest_agree(self, rows, stock["hot"], (b, i))

    def test_benchmark_totals_through_tbscope_equal_insn_plugin(self):
        p = check([TBSCOPE, "show", self.run_dir, "--format", "json"])
        got = {x["name"]: x for x in json.loads(p.stdout)["benchmarks"]}
        self.assertEqual(sorted(got), sorted(BENCHES))
        for b, (_, invocations) in BENCHES.items():
            want = sum(self.results[(b, i)][2]["insns"]
                       for i in range(len(invocations)))
            self.assertEqual(got[b]["instructions"], want, b)
            self.assertEqual(got[b]["invocations"], len(invocations), b)
            self.assertFalse(got[b]["lower_bound"], b)
            self.assertEqual(got[b]["malformed_lines"], 0, b)
            names = [o["name"] for o in got[b]["objects"]]
            self.assertNotIn("[unmapped]", names, b)
            self.assertEqual(sum(o["instructions"] for o in got[b]["objects"]),
                             want, b)
            self.assertIn(b, names)
            self.assertIn("libc.so.6", names)
            self.assertIn("ld-linux-riscv64-lp64d.so.1", names)

    def test_maps_list_the_program_libc_and_ld_so(self):
        for (b, i), (_, mp, _) in self.results.items():
            objs = {os.path.basename(r[4]) for r in parse_gdb_map(mp)
                    if "x" in r[3]}
            want = {b, "libc.so.6", "ld-linux-riscv64-lp64d.so.1"}
            if b == "610.stencil_r":
                want.add("libm.so.6")
            self.assertEqual(objs, want, (b, i))


class Threads(unittest.TestCase):
    def test_multithreaded_counts_are_exact(self):
        d = os.path.join(Env.tmp, "mt")
        os.mkdir(d)
        prog = os.path.join(d, "mt_sum")
        shutil.copy2(os.path.join(Env.bin, "mt_sum"), prog)
        for i, opts in enumerate(("", "rate=20")):
            log = os.path.join(d, "insn.%d.log" % i)
            # insn without inline=: one counter per vCPU, exact
            check(qemu_cmd(prog, ["4", "3000000"], opts, log=log,
                           oracles=(Env.oracle["insn"],)), cwd=d)
            stock = parse_stock_log(log)
            self.assertGreaterEqual(len(stock["cpus"]), 5, stock)
            rows, insns = parse_qemu_out(prog + ".qemu_out" + (".%d" % i if i else ""))
            self.assertEqual(sum(r[2] * r[3] for r in rows), stock["insns"])
            self.assertEqual(insns, stock["insns"])
        # rate=: the intervals add up to the total, per vCPU too
        with open(prog + ".rate.1") as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith("# tbscope_plugin rate=20"), lines[0])
        data = [l for l in lines if not l.startswith("#")]
        self.assertGreater(len(data), 1)
        total, last, per_cpu = 0, 0, {}
        for l in data:
            m = re.fullmatch(r"time: (\d+), dur: (\d+), count: (\d+)((?:, cpu\d+: \d+)*)", l)
            self.assertTrue(m, l)
            t, dur, count = int(m.group(1)), int(m.group(2)), int(m.group(3))
            self.assertEqual(t - dur, last, l)
            last = t
            total += count
            cpus = re.findall(r"cpu(\d+): (\d+)", m.group(4))
            if cpus:
                self.assertEqual(sum(int(n) for _, n in cpus), count, l)
            else:  # one vCPU so far
                cpus = [("0", count)]
            for c, n in cpus:
                per_cpu[int(c)] = per_cpu.get(int(c), 0) + int(n)
        self.assertEqual(total, stock["insns"])
        self.assertEqual(per_cpu, stock["cpus"])


class Maps(unittest.TestCase):
    """Our map against the guest's own /proc/self/maps (QEMU's emulation)."""

    def check_map(self, name, args=(), sysroot=True):
        d = os.path.join(Env.tmp, "maps-" + name + "-" + "-".join(args))
        os.mkdir(d)
        prog = os.path.join(d, name)
        shutil.copy2(os.path.join(Env.bin, name), prog)
        guest = os.path.join(d, "guest-maps.txt")
        log = os.path.join(d, "insn.log")
        check(qemu_cmd(prog, [guest, *args], log=log, sysroot=sysroot,
                       oracles=(Env.oracle["insn"] + ",inline=on",)), cwd=d)
        ours = parse_gdb_map(prog + ".map")
        theirs = parse_proc_maps(guest)
        by_range = {(r[0], r[1]): r for r in theirs}
        for r in ours:
            self.assertIn((r[0], r[1]), by_range, (name, r))
            self.assertEqual(r, by_range[(r[0], r[1])], name)
        # every file the guest executes from is in ours
        code = {r for r in theirs if r[4] and not r[4].startswith("[") and "x" in r[3]}
        self.assertTrue(code <= set(ours), (name, code - set(ours)))
        # and tbscope attributes every instruction
        rows, insns = parse_qemu_out(prog + ".qemu_out")
        self.assertEqual(insns, parse_stock_log(log)["insns"])
        for pc, _, _, _ in rows:
            self.assertTrue(any(s <= pc < e and "x" in p for s, e, _, p, _ in ours),
                            (name, hex(pc)))
        return ours

    def test_dynamic_with_dlopen(self):
        objs = {os.path.basename(r[4]) for r in self.check_map("maps_self")}
        self.assertIn("libm.so.6", objs)

    def test_dlclose_keeps_the_library(self):
        objs = {os.path.basename(r[4]) for r in self.check_map("maps_self", ["close"])}
        self.assertIn("libm.so.6", objs)

    def test_static(self):
        ours = self.check_map("maps_static", sysroot=False)
        self.assertEqual({os.path.basename(r[4]) for r in ours}, {"maps_static"})


class Numbering(unittest.TestCase):
    def test_suffixes_and_unwritable_directory(self):
        d = os.path.join(Env.tmp, "numbering")
        os.mkdir(d)
        prog = os.path.join(d, "exit_status")
        shutil.copy2(os.path.join(Env.bin, "exit_status"), prog)
        # a stale .map.1 without its .qemu_out.1 does not shift the numbers
        open(prog + ".qemu_out", "w").close()
        procs = [subprocess.Popen(qemu_cmd(prog, ["0"]), cwd=d,
                                  stdout=subprocess.DEVNULL) for _ in range(4)]
        self.assertEqual([p.wait() for p in procs], [0] * 4)
        got = sorted(os.listdir(d))
        self.assertEqual(got, sorted(["exit_status", "exit_status.qemu_out"] +
                                     ["exit_status.qemu_out.%d" % i for i in range(1, 5)] +
                                     ["exit_status.map.%d" % i for i in range(1, 5)]))
        for i in range(1, 5):
            parse_qemu_out(prog + ".qemu_out.%d" % i)
        # prefix= elsewhere; a directory that cannot be written to
        p = run(qemu_cmd(prog, ["0"], "prefix=/proc/tbscope-test/x"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("tbscope_plugin: ", p.stderr)
        self.assertIn("/proc/tbscope-test", p.stderr)
        self.assertNotIn("exiting with", p.stdout)
        p = run(qemu_cmd(prog, ["0"], "bogus=1"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("bad option 'bogus=1'", p.stderr)


if __name__ == "__main__":
    Env.setup()
    try:
        unittest.main(verbosity=2)
    finally:
        if Env.tmp and not os.environ.get("TBSCOPE_KEEP_TMP"):
            shutil.rmtree(Env.tmp, ignore_errors=True)
