#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The instruction-rate timeline end to end, from a real phased program.

tests/record/phases.c (compute, sleep, a memory-bound pointer chase,
compute again) is cross-compiled with riscv64-linux-gnu-gcc and recorded
twice with `tbscope record --rate 100` under Debian's qemu-riscv64, QEMU's
stock `insn` plugin (compiled here from Debian's qemu source package, never
from tbscope) loaded into the same QEMU process through a --qemu wrapper.
The oracles:

- each invocation's rate intervals sum to the `insn` plugin's total, and to
  the sum of icount x ecount of its .qemu_out (both read here);
- the intervals are contiguous, and the phases show: a fast interval, then
  one with almost no instructions (the sleep), then a fast one again;
- `tbscope show RUN phases --rate` (text and json), the upload to a live
  server and GET /api/v1/runs/ID/benchmarks/phases/rate give back exactly
  the counts of the files (read here); the server keeps the .rate
  compressed; the benchmark page draws one chart per invocation (headless
  Chromium, tests/record/rate_page.mjs);
- a run recorded with other plugin options (--inline) gets the
  comparability warning naming them in `tbscope compare` (stderr, json)
  and in GET /api/v1/compare (json, text); two runs recorded alike do not.

Skipped (exit 77) with the reason when qemu-riscv64, the cross compiler,
the QEMU source or the plugin is missing.

Usage: test_rate.py TBSCOPE PLUGIN_SO QEMU_SRC_DIR [SCREENSHOT.png]
"""
import glob
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import check, run, skip  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
PLUGIN = sys.argv[2]
QEMU_SRC = sys.argv[3]
SCREENSHOT = sys.argv[4] if len(sys.argv) > 4 else ""
del sys.argv[1:]

SYSROOT = "/usr/riscv64-linux-gnu"
QEMU = shutil.which("qemu-riscv64")
CC = shutil.which("riscv64-linux-gnu-gcc")
NODE = shutil.which("node")
CHROMIUM = os.environ.get("TBSCOPE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["40000000", "400", "2000000"]  # compute, sleep ms, chase steps
RUNS = 2

# The insn oracle inside `tbscope record`'s QEMU: --qemu points here.
QEMU_WITH_INSN = """#!/bin/sh
case "$1" in --version|-h) exec "%(qemu)s" "$@";; esac
log=$(mktemp "%(logs)s/insn.XXXXXX")
exec "%(qemu)s" -plugin "%(insn)s%(inline)s" -d plugin -D "$log" "$@"
"""

LINE = re.compile(r"time: (\d+), dur: (\d+), count: (\d+)((?:, cpu\d+: \d+)*)")
ROW = re.compile(r"^0x[0-9a-f]{16}, (\d+), (\d+), (\d+)$")


def read_rate(path):
    """[(time_ns, dur_ns, count)] of a .rate file, strictly."""
    out = []
    with open(path, encoding="ascii") as f:
        for line in f.read().splitlines():
            if line.startswith("#"):
                continue
            m = LINE.fullmatch(line)
            assert m, (path, line)
            out.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return out


def qemu_out_total(path):
    """Σ icount × ecount of a .qemu_out."""
    total = 0
    with open(path, encoding="ascii") as f:
        for line in f:
            m = ROW.match(line)
            if m:
                total += int(m.group(2)) * int(m.group(3))
    return total


def insn_totals(logs):
    """The insn plugin's total of every log, as a sorted list."""
    out = []
    for p in glob.glob(os.path.join(logs, "insn.*")):
        with open(p) as f:
            m = re.search(r"^(?:total )?insns: (\d+)$", f.read(), re.M)
        assert m, p
        out.append(int(m.group(1)))
    return sorted(out)


def insn_per_cpu(log):
    """{vCPU: instructions} of an insn plugin log (per-vCPU counters)."""
    with open(log) as f:
        return {int(c): int(n) for c, n in re.findall(r"^cpu (\d+) insns: (\d+)$", f.read(), re.M)}


class Env:
    tmp = None

    @classmethod
    def setup(cls):
        if not QEMU:
            skip("no qemu-riscv64 (deploy/setup.sh installs qemu-user)")
        if not CC:
            skip("no riscv64-linux-gnu-gcc (deploy/setup.sh installs it)")
        if not PLUGIN or not os.path.exists(PLUGIN):
            skip("tbscope's plugin was not built: no QEMU plugin header")
        if not QEMU_SRC or not os.path.exists(os.path.join(QEMU_SRC, "tests/plugin/insn.c")):
            skip("no QEMU plugin sources for the oracle (deploy/setup.sh)")
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-rate-")
        glib = check(["pkg-config", "--cflags", "--libs", "glib-2.0"]).stdout.split()
        cls.insn = os.path.join(cls.tmp, "libinsn.so")
        check(["cc", "-O2", "-shared", "-fPIC", "-o", cls.insn,
               "-I" + os.path.join(QEMU_SRC, "include", "qemu"),
               os.path.join(QEMU_SRC, "tests/plugin/insn.c")] + glib)
        cls.prog = os.path.join(cls.tmp, "phases")
        check([CC, "-O2", "-march=rv64gc", "-o", cls.prog, os.path.join(HERE, "phases.c")])
        # A: the default options, recorded twice; B: --inline; C: as A
        cls.roots = {}
        for name, extra in (("A", []), ("B", ["--inline"]), ("C", [])):
            cls.roots[name] = cls.record_root(name, extra, RUNS if name == "A" else 1)
        # several threads: per-vCPU columns, against insn's own per-vCPU
        # counters (without inline=on, which races between threads)
        cls.mt = os.path.join(cls.tmp, "mt_sum")
        check([CC, "-O2", "-march=rv64gc", "-pthread", "-o", cls.mt,
               os.path.join(HERE, "..", "data", "record", "src", "mt_sum.c")])
        cls.roots["MT"] = cls.record_root("MT", ["--rate", "20"], 1, cls.mt,
                                          ["4", "3000000"], inline="")

    @classmethod
    def record_root(cls, name, extra, times, prog=None, args=ARGS, inline=",inline=on"):
        prog = prog or cls.prog
        root = os.path.join(cls.tmp, "build-" + name)
        d = os.path.join(root, os.path.basename(prog))
        os.makedirs(d)
        open(os.path.join(root, "CMakeCache.txt"), "w").close()
        shutil.copy2(prog, d)
        logs = os.path.join(cls.tmp, "logs-" + name)
        os.mkdir(logs)
        wrapper = os.path.join(cls.tmp, "qemu-" + name)
        with open(wrapper, "w") as f:
            f.write(QEMU_WITH_INSN % {"qemu": QEMU, "logs": logs, "insn": cls.insn,
                                      "inline": inline})
        os.chmod(wrapper, 0o755)
        for _ in range(times):
            check([TBSCOPE, "record", "--sysroot", SYSROOT, "--qemu", wrapper,
                   "--rate", "100", *extra, "--",
                   os.path.join(d, os.path.basename(prog)), *args], cwd=d)
        return {"root": root, "dir": d, "logs": logs}


def suffixes(n):
    return [""] + [".%d" % i for i in range(1, n)]


class Timeline(unittest.TestCase):
    def test_intervals_sum_to_the_insn_plugin_and_the_qemu_out(self):
        a = Env.roots["A"]
        oracle = insn_totals(a["logs"])
        self.assertEqual(len(oracle), RUNS)
        got, blocks = [], []
        for s in suffixes(RUNS):
            rate = read_rate(os.path.join(a["dir"], "phases.rate" + s))
            got.append(sum(c for _, _, c in rate))
            blocks.append(qemu_out_total(os.path.join(a["dir"], "phases.qemu_out" + s)))
        self.assertEqual(sorted(got), oracle)
        self.assertEqual(got, blocks)
        # the program ran: 2 x 40M iterations of a 10-instruction loop at least
        self.assertGreater(min(got), 800000000)

    def test_intervals_are_contiguous_and_show_the_phases(self):
        for s in suffixes(RUNS):
            rate = read_rate(os.path.join(Env.roots["A"]["dir"], "phases.rate" + s))
            last = 0
            for t, dur, _ in rate:
                self.assertEqual(t - dur, last)
                last = t
            self.assertGreaterEqual(len(rate), 5, rate)
            ips = [c * 1e9 / d for _, d, c in rate[:-1]]  # the last is short
            # the sleep: a stretch of 3+ intervals under 0.1 M/s (a 10 ms
            # nanosleep loop runs some 4 k/s) with compute on both sides,
            # 100x the threshold at least.  A loaded machine can stall QEMU
            # for as long at its start (seen under ASan: six quiet
            # intervals before main), so not just the longest stretch.
            stretches, i = [], 0
            while i < len(ips):
                j = i
                while j < len(ips) and ips[j] < 1e5:
                    j += 1
                if j - i >= 3:
                    stretches.append((i, j))
                i = max(j, i + 1)
            self.assertTrue(any(max(ips[:a] or [0]) > 1e7 and max(ips[b:] or [0]) > 1e7
                                for a, b in stretches), ips)

    def test_show_rate_prints_the_files_counts(self):
        a = Env.roots["A"]
        j = json.loads(check([TBSCOPE, "show", a["root"], "phases", "--rate",
                              "--format", "json"]).stdout)
        self.assertEqual(j["benchmark"], "phases")
        self.assertEqual(len(j["invocations"]), RUNS)
        for inv, s in zip(j["invocations"], suffixes(RUNS)):
            rate = read_rate(os.path.join(a["dir"], "phases.rate" + s))
            self.assertEqual(inv["rate"], "phases/phases.rate" + s)
            self.assertEqual(inv["time_ns"], [t for t, _, _ in rate])
            self.assertEqual(inv["dur_ns"], [d for _, d, _ in rate])
            self.assertEqual(inv["count"], [c for _, _, c in rate])
            self.assertEqual(inv["total"], sum(c for _, _, c in rate))
            self.assertEqual(inv["instructions"], inv["total"])
            self.assertEqual(inv["cpus"], [])
        text = check([TBSCOPE, "show", a["root"], "phases", "--rate"]).stdout
        for s in suffixes(RUNS):
            rate = read_rate(os.path.join(a["dir"], "phases.rate" + s))
            self.assertIn("phases/phases.rate%s: %d intervals" % (s, len(rate)), text)
            self.assertRegex(text, r"\n\s+total\s+%d\s" % sum(c for _, _, c in rate))
        # --rate needs a benchmark, and prints text or json only
        self.assertEqual(run([TBSCOPE, "show", a["root"], "--rate"]).returncode, 2)
        self.assertEqual(run([TBSCOPE, "show", a["root"], "phases", "--rate",
                              "--format", "csv"]).returncode, 2)

    def test_per_vcpu_columns_equal_the_insn_plugins(self):
        mt = Env.roots["MT"]
        logs = glob.glob(os.path.join(mt["logs"], "insn.*"))
        self.assertEqual(len(logs), 1)
        want = insn_per_cpu(logs[0])
        self.assertGreaterEqual(len(want), 3, want)
        j = json.loads(check([TBSCOPE, "show", mt["root"], "mt_sum", "--rate",
                              "--format", "json"]).stdout)
        inv = j["invocations"][0]
        self.assertEqual(inv["total"], sum(want.values()))
        self.assertEqual(inv["total"], inv["instructions"])
        got = {k: sum(c) for k, c in enumerate(inv["cpus"])}
        # a line before a vCPU existed lists fewer columns: counted on vCPU 0
        self.assertEqual(sum(got.values()), sum(want.values()))
        self.assertEqual(got, want)

    def test_compare_warns_when_recorded_differently(self):
        a, b, c = (Env.roots[k]["root"] for k in "ABC")
        p = check([TBSCOPE, "compare", a, b])
        self.assertIn("tbscope compare: warning: the runs were recorded differently: "
                      "plugin options '' vs 'inline=on'", p.stderr)
        self.assertNotIn("warning", p.stdout)
        j = json.loads(check([TBSCOPE, "compare", a, b, "--format", "json"]).stdout)
        self.assertEqual(j["recording"]["differs"],
                         [{"field": "plugin_options", "base": "", "new": "inline=on"}])
        self.assertEqual(j["recording"]["new"]["plugin_options"], "inline=on")
        p = check([TBSCOPE, "compare", a, c])
        self.assertNotIn("warning", p.stderr)
        j = json.loads(check([TBSCOPE, "compare", a, c, "--format", "json"]).stdout)
        self.assertEqual(j["recording"]["differs"], [])
        self.assertIsNone(j["recording"]["warning"])


class Served(unittest.TestCase):
    """Uploaded to a live server: the API, the stored files, the page."""

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE)
        tok = check([TBSCOPE, "token", "--data", cls.srv.data, "add", "rate"]).stdout.strip()
        tokfile = os.path.join(Env.tmp, "token")
        with open(tokfile, "w") as f:
            f.write(tok + "\n")
        for k in "ABC":
            check([TBSCOPE, "upload", "--server", cls.srv.url, "--token-file", tokfile,
                   "--name", "rate-" + k, "--sysroot", SYSROOT, Env.roots[k]["root"]])
            assert cls.srv.wait_ready("rate-" + k)["status"] == "ready"

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_rate_api_gives_the_files_counts(self):
        a = Env.roots["A"]
        j = self.srv.get_json("/api/v1/runs/rate-A/benchmarks/phases/rate")
        self.assertEqual(j["run"], "rate-A")
        self.assertEqual(len(j["invocations"]), RUNS)
        oracle = insn_totals(a["logs"])
        for inv, s in zip(j["invocations"], suffixes(RUNS)):
            rate = read_rate(os.path.join(a["dir"], "phases.rate" + s))
            self.assertEqual(inv["count"], [c for _, _, c in rate])
            self.assertEqual(inv["time_ns"], [t for t, _, _ in rate])
            self.assertIn(inv["total"], oracle)
        self.srv.get_json("/api/v1/runs/rate-A/benchmarks/nope/rate", want=404)
        self.srv.get_json("/api/v1/runs/nope/benchmarks/phases/rate", want=404)

    def test_rate_files_are_uploaded_and_stored_compressed(self):
        stored = os.path.join(self.srv.data, "runs", "rate-A", "phases")
        names = sorted(os.listdir(stored))
        for s in suffixes(RUNS):
            self.assertIn("phases.rate%s.zst" % s, names)
            self.assertNotIn("phases.rate" + s, names)
            out = check(["zstd", "-dc", os.path.join(stored, "phases.rate%s.zst" % s)]).stdout
            with open(os.path.join(Env.roots["A"]["dir"], "phases.rate" + s)) as f:
                self.assertEqual(out, f.read())

    def test_compare_api_warns_when_recorded_differently(self):
        j = self.srv.get_json("/api/v1/compare/rate-A...rate-B")
        self.assertEqual([d["field"] for d in j["recording"]["differs"]], ["plugin_options"])
        self.assertIn("plugin options '' vs 'inline=on'", j["recording"]["warning"])
        status, _, body = self.srv.get("/api/v1/compare/rate-A...rate-B?format=text")
        self.assertEqual(status, 200)
        self.assertTrue(body.decode().startswith(
            "warning: the runs were recorded differently: plugin options"), body[:200])
        j = self.srv.get_json("/api/v1/compare/rate-A...rate-C")
        self.assertEqual(j["recording"]["differs"], [])
        self.assertIsNone(j["recording"]["warning"])
        status, _, body = self.srv.get("/api/v1/compare/rate-A...rate-C?format=text")
        self.assertNotIn(b"warning", body)

    def test_benchmark_page_draws_a_chart_per_invocation(self):
        if not NODE or not os.path.exists(CHROMIUM):
            self.skipTest("no node or chromium for the page check")
        counts = [len(read_rate(os.path.join(Env.roots["A"]["dir"], "phases.rate" + s)))
                  for s in suffixes(RUNS)]
        shot = SCREENSHOT or os.path.join(Env.tmp, "rate.png")
        p = run([NODE, os.path.join(HERE, "rate_page.mjs"), self.srv.url,
                 "/runs/rate-A/phases", json.dumps(counts), shot,
                 "/compare/rate-A...rate-B"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(os.path.getsize(shot) > 10000)


if __name__ == "__main__":
    Env.setup()
    try:
        unittest.main(verbosity=2)
    finally:
        if Env.tmp and not os.environ.get("TBSCOPE_KEEP_TMP"):
            shutil.rmtree(Env.tmp, ignore_errors=True)
