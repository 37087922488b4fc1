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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import check, run, skip  # noqa: E402

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

    def test_recorded_run_uploads_to_a_live_server(self):
        srv = tbtest.Server(TBSCOPE)
        try:
            tok = check([TBSCOPE, "token", "--data", srv.data, "add", "rec"]).stdout.strip()
            tokfile = os.path.join(Env.tmp, "token")
            with open(tokfile, "w") as f:
                f.write(tok + "\n")
            check([TBSCOPE, "upload", "--server", srv.url, "--token-file", tokfile,
                   "--name", "recorded", "--series", "rec", "--sysroot", SYSROOT,
                   self.run_dir])
            run = srv.wait_ready("recorded")
            self.assertEqual(run["status"], "ready", run)
            got = {b["name"]: b["instructions"] for b in run["benchmarks"]}
            for b, (_, invocations) in BENCHES.items():
                self.assertEqual(got[b], sum(self.results[(b, i)][2]["insns"]
                                             for i in range(len(invocations))), b)
            bench = srv.get_json("/api/v1/runs/recorded/benchmarks/600.lzpack_r")
            self.assertNotIn("[unmapped]", [o["name"] for o in bench["objects"]])
            fns = srv.get_json("/api/v1/runs/recorded/benchmarks/600.lzpack_r/functions")
            names = {(f["object"], f["name"]) for f in fns["functions"]}
            # symbols of the binary and, through --sysroot, of libc
            self.assertIn(("600.lzpack_r", "main"), names)
            self.assertIn(("libc.so.6", "memcpy"), names)
            for page in ("/runs/recorded", "/runs/recorded/600.lzpack_r"):
                status, _, body = srv.get(page)
                self.assertEqual(status, 200, page)
                self.assertIn(b"<html", body.lower())
        finally:
            srv.close()

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
        # 6 threads: vCPUs 0-6, counted in the blocks (0-3) and in the
        # per-vCPU tables (4-6); the insn oracle has 8 per-vCPU slots
        for i, opts in enumerate(("", "rate=20")):
            log = os.path.join(d, "insn.%d.log" % i)
            # insn without inline=: one counter per vCPU, exact
            check(qemu_cmd(prog, ["6", "2000000"], opts, log=log,
                           oracles=(Env.oracle["insn"],)), cwd=d)
            stock = parse_stock_log(log)
            # 7 unless a thread ended before the next began (QEMU then
            # reuses its vCPU index)
            self.assertGreaterEqual(len(stock["cpus"]), 3, stock)
            self.assertGreaterEqual(max(stock["cpus"]), 4, stock)  # the tables
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


    def test_inline_single_thread_exact(self):
        d = os.path.join(Env.tmp, "inline")
        os.mkdir(d)
        prog = os.path.join(d, "612.matmul_r")
        shutil.copy2(os.path.join(Env.bin, "612.matmul_r"), prog)
        log = os.path.join(d, "insn.log")
        check(qemu_cmd(prog, ["160", "3"], "inline=on", log=log,
                       oracles=(Env.oracle["insn"] + ",inline=on",)), cwd=d)
        rows, insns = parse_qemu_out(prog + ".qemu_out")
        self.assertEqual(sum(r[2] * r[3] for r in rows), parse_stock_log(log)["insns"])
        self.assertEqual(insns, parse_stock_log(log)["insns"])


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
        # a .qemu_out left by an earlier run keeps its number; four
        # invocations at once take .1 to .4 (the plugin claims them)
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


def record(*args, cwd=None, **kw):
    return run([TBSCOPE, "record", *args], cwd=cwd, **kw)


class RecordCommand(unittest.TestCase):
    """`tbscope record`: exit statuses, errors, numbering; `tbscope clean`."""

    def setUp(self):
        self.d = tempfile.mkdtemp(dir=Env.tmp)
        self.prog = os.path.join(self.d, "exit_status")
        shutil.copy2(os.path.join(Env.bin, "exit_status"), self.prog)

    def test_exit_status_passes_through(self):
        p = record("--sysroot", SYSROOT, "--", self.prog, "3", "--not-an-option")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(p.stdout, "exiting with 3\n")  # stdout passes through
        self.assertEqual(p.stderr, "")
        p = record("-L", SYSROOT, self.prog, "abort")
        self.assertEqual(p.returncode, 128 + 6, p.stderr)  # SIGABRT, as sh says
        # abort()'s counts are written all the same (QEMU 7.2 skips atexit)
        _, insns = parse_qemu_out(self.prog + ".qemu_out.1")
        self.assertGreater(insns, 10000)
        parse_gdb_map(self.prog + ".map.1")

    def test_relative_program_and_argument_with_spaces(self):
        # maps_self writes where its argv[1] says: one argument with spaces
        d = self.d
        prog = os.path.join(d, "maps_self")
        shutil.copy2(os.path.join(Env.bin, "maps_self"), prog)
        out = os.path.join(d, "a file with spaces")
        p = record("--sysroot", SYSROOT, "--", "./maps_self", out, cwd=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(out))
        self.assertTrue(os.path.exists(prog + ".qemu_out"))

    def test_clear_errors(self):
        p = record("--qemu", "/nonexistent/qemu-riscv64", "--", self.prog)
        self.assertEqual(p.returncode, 125)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("/nonexistent/qemu-riscv64: no such program", p.stderr)
        # QEMU not on PATH
        p = record("--", self.prog, env=dict(os.environ, PATH="/nonexistent"))
        self.assertEqual(p.returncode, 125)
        self.assertIn("no qemu-riscv64 on PATH", p.stderr)
        # a QEMU without plugin support: answers --version, no -plugin in -h
        fake = os.path.join(self.d, "qemu-noplugin")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\ncase \"$1\" in\n"
                    "--version) echo 'qemu-riscv64 version 7.2.0'; exit 0;;\n"
                    "-h) echo 'usage: qemu-riscv64 [options] program'; exit 0;;\n"
                    "esac\nexit 1\n")
        os.chmod(fake, 0o755)
        p = record("--qemu", fake, "--", self.prog)
        self.assertEqual(p.returncode, 125)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("has no TCG plugin support", p.stderr)
        p = record("--plugin", "/nonexistent/lib.so", "--", self.prog)
        self.assertEqual(p.returncode, 125)
        self.assertIn("plugin is missing", p.stderr)
        p = record("--", os.path.join(self.d, "nope"))
        self.assertEqual(p.returncode, 125)
        self.assertIn("no such program", p.stderr)
        p = record("--", os.path.join(SRC, "exit_status.c"))
        self.assertEqual(p.returncode, 125)
        self.assertIn("not an ELF program", p.stderr)
        self.assertEqual(sorted(os.listdir(self.d)), ["exit_status", "qemu-noplugin"])

    def test_unwritable_directory(self):
        os.chmod(self.d, 0o555)
        cmd = [TBSCOPE, "record", "--sysroot", SYSROOT, "--", self.prog, "0"]
        if os.geteuid() == 0:  # root writes anywhere: run as nobody
            setpriv = shutil.which("setpriv")
            if not setpriv:
                self.skipTest("root without setpriv")
            for d in (Env.tmp, os.path.dirname(Env.tmp)):
                os.chmod(d, os.stat(d).st_mode | 0o755)
            cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        p = run(cmd)
        os.chmod(self.d, 0o755)
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("cannot record in " + self.d, p.stderr)
        self.assertIn("Permission denied", p.stderr)
        self.assertEqual(p.stdout, "")  # the program did not run

    def test_clean_removes_exactly_the_recorded_files(self):
        root = self.d
        open(os.path.join(root, "CMakeCache.txt"), "w").close()
        sub = os.path.join(root, "External", "x")
        os.makedirs(sub)
        prog = os.path.join(sub, "exit_status")
        os.rename(self.prog, prog)
        for _ in range(3):
            self.assertEqual(record("--sysroot", SYSROOT, "--rate", "1000",
                                    "--", prog, "0").returncode, 0)
        recorded = {os.path.relpath(os.path.join(dp, f), root)
                    for dp, _, fs in os.walk(root) for f in fs} - {
                        "CMakeCache.txt", "External/x/exit_status"}
        self.assertEqual(recorded, {"tbscope-run.json"} | {
            "External/x/exit_status.%s%s" % (k, s)
            for k in ("qemu_out", "map", "rate") for s in ("", ".1", ".2")})
        with open(os.path.join(root, "tbscope-run.json")) as f:
            meta = json.load(f)
        self.assertRegex(meta["recording"]["qemu"], r"^qemu-riscv64 version \d")
        self.assertEqual(meta["recording"]["sysroot"], SYSROOT)
        # things that look alike but recording did not write
        keep = ["External/x/exit_status.map.7",        # no .qemu_out.7 beside it
                "External/x/ld.map",                   # a linker map
                "External/x/ld",
                "External/x/orphan.qemu_out",          # no program beside it
                "External/x/exit_status.qemu_out.01",  # not a number we use
                "External/x/exit_status.qemu_out.txt",
                "External/x/exit_status.rates"]
        for k in keep:
            with open(os.path.join(root, k), "w") as f:
                f.write("keep\n")
        p = run([TBSCOPE, "clean", "--dry-run", root])
        self.assertEqual(p.returncode, 0, p.stderr)
        listed = {os.path.relpath(l.split(" ", 2)[2], root)
                  for l in p.stdout.splitlines()}
        self.assertEqual(listed, recorded)
        self.assertTrue(os.path.exists(prog + ".qemu_out"))
        p = run([TBSCOPE, "clean", root])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual({os.path.relpath(l.split(" ", 1)[1], root)
                          for l in p.stdout.splitlines()}, recorded)
        left = {os.path.relpath(os.path.join(dp, f), root)
                for dp, _, fs in os.walk(root) for f in fs}
        self.assertEqual(left, set(keep) | {"CMakeCache.txt", "External/x/exit_status"})
        # a tbscope-run.json with more than record's part stays
        with open(os.path.join(root, "tbscope-run.json"), "w") as f:
            json.dump({"recording": {}, "series": "main"}, f)
        self.assertEqual(run([TBSCOPE, "clean", root]).stdout, "")


LIT_CFG = """
import lit.formats
config.name = "tbscope-record"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params["exec_root"]
config.substitutions.append(("%run_under", lit_config.params["run_under"]))
config.environment["PATH"] = os.environ["PATH"]
"""

# The insn oracle inside `tbscope record`'s QEMU: --qemu points here.
QEMU_WITH_INSN = """#!/bin/sh
case "$1" in --version|-h) exec "%(qemu)s" "$@";; esac
prog=$(printf '%%s\\n' "$@" | sed -n 's/.*,prefix=\\([^,]*\\).*/\\1/p' | head -n 1)
log=$(mktemp "%(logs)s/$(basename "$prog").XXXXXX")
exec "%(qemu)s" -plugin "%(insn)s,inline=on" -d plugin -D "$log" "$@"
"""


class Lit(unittest.TestCase):
    """llvm-lit -j2 with `tbscope record` as the run-under command, twice."""

    def test_lit_twice(self):
        if not LIT:
            self.skipTest("no lit (deploy/setup.sh installs llvm-14-tools)")
        root = os.path.join(Env.tmp, "lit-build")
        os.mkdir(root)
        open(os.path.join(root, "CMakeCache.txt"), "w").close()
        dirs = Env.layout(root)
        logs = os.path.join(Env.tmp, "lit-logs")
        os.mkdir(logs)
        wrapper = os.path.join(Env.tmp, "qemu-with-insn")
        with open(wrapper, "w") as f:
            f.write(QEMU_WITH_INSN % {"qemu": QEMU, "logs": logs,
                                      "insn": Env.oracle["insn"]})
        os.chmod(wrapper, 0o755)
        with open(os.path.join(root, "lit.cfg"), "w") as f:
            f.write(LIT_CFG)
        for b, (_, invocations) in BENCHES.items():
            for i, args in enumerate(invocations):
                with open(os.path.join(dirs[b], "%s.%d.test" % (b, i)), "w") as f:
                    f.write("RUN: cd %%S && %%run_under %%S/%s %s > %%t.out\n"
                            % (b, " ".join(args)))
        run_under = "%s record --sysroot %s --qemu %s --" % (TBSCOPE, SYSROOT, wrapper)
        lit = [sys.executable, LIT] if LIT.endswith(".py") else [LIT]
        for n in range(2):
            p = run(lit + ["-j2", "-q", "--param", "run_under=" + run_under,
                           "--param", "exec_root=" + os.path.join(Env.tmp, "lit-out"),
                           root])
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        show = json.loads(check([TBSCOPE, "show", root, "--format", "json"]).stdout)
        got = {x["name"]: x for x in show["benchmarks"]}
        for b, (_, invocations) in BENCHES.items():
            k = 2 * len(invocations)
            names = sorted(f for f in os.listdir(dirs[b]) if ".qemu_out" in f)
            want = ["%s.qemu_out" % b] + ["%s.qemu_out.%d" % (b, i) for i in range(1, k)]
            self.assertEqual(names, sorted(want), b)  # no gap, no clobbering
            for f in names:
                parse_qemu_out(os.path.join(dirs[b], f))
                parse_gdb_map(os.path.join(dirs[b], f.replace(".qemu_out", ".map")))
            oracle = [parse_stock_log(os.path.join(logs, f))["insns"]
                      for f in os.listdir(logs) if f.startswith(b + ".")]
            self.assertEqual(len(oracle), k, b)
            self.assertEqual(got[b]["instructions"], sum(oracle), b)
            self.assertEqual(got[b]["invocations"], k, b)
            self.assertNotIn("[unmapped]", [o["name"] for o in got[b]["objects"]], b)
        with open(os.path.join(root, "tbscope-run.json")) as f:
            self.assertEqual(set(json.load(f)), {"recording"})


if __name__ == "__main__":
    Env.setup()
    try:
        unittest.main(verbosity=2)
    finally:
        if Env.tmp and not os.environ.get("TBSCOPE_KEEP_TMP"):
            shutil.rmtree(Env.tmp, ignore_errors=True)
