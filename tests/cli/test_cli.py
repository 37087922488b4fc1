#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of the tbscope command line on the fixture runs.

Expected figures are read from tests/data/FIXTURES.md, the fixtures' own
README (its reference table and per-benchmark totals), never from tbscope.
Usage: test_cli.py TBSCOPE_BINARY TEST_DATA_DIR
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
RUNS = os.path.join(DATA, "runs")
A = "build.gcc-O2-rv64gc"
B = "build.gcc-O3-rv64gc_zba_zbb_zbs"
README = open(os.path.join(DATA, "FIXTURES.md"), encoding="utf-8").read()


def reference_table():
    """The spec-compare-helper output block at the end of the README."""
    blocks = re.findall(r"```\n(Benchmark .*?)```", README, re.S)
    assert len(blocks) == 1, "reference table not found in FIXTURES.md"
    return blocks[0]


def per_benchmark_totals():
    """{bench: (A, B)} from the 'Per-benchmark totals' table."""
    section = README.split("### Per-benchmark totals", 1)[1]
    totals = {}
    for m in re.finditer(r"^\| (\d{3}\.\w+) \| (\d+) \| (\d+) \|$", section, re.M):
        totals.setdefault(m.group(1), (int(m.group(2)), int(m.group(3))))
    assert len(totals) == 6, totals
    return totals


def tbscope(*args, cwd=RUNS):
    return subprocess.run([TBSCOPE, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


class Compare(unittest.TestCase):
    def test_prints_reference_table_character_for_character(self):
        p = tbscope("compare", A, B)
        self.assertEqual(p.returncode, 0, p.stderr)
        ref = reference_table()
        self.assertTrue(p.stdout.startswith(ref), "\n" + p.stdout + "\nwanted\n" + ref)
        rest = p.stdout[len(ref):].splitlines()
        self.assertRegex(rest[0], r"^Geomean +-4\.75%$")
        self.assertEqual(p.stderr, "")

    def test_absolute_and_nested_paths_give_the_same_table(self):
        rel = tbscope("compare", A, B).stdout
        absolute = tbscope("compare", os.path.join(RUNS, A), os.path.join(RUNS, B) + "/",
                           cwd="/")
        self.assertEqual(absolute.returncode, 0)
        self.assertEqual(absolute.stdout, rel)

    def test_json_carries_the_same_integers(self):
        p = tbscope("compare", A, B, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        totals = per_benchmark_totals()
        got = {r["name"]: (r["base_instructions"], r["new_instructions"])
               for r in doc["benchmarks"]}
        self.assertEqual(got, totals)
        for r in doc["benchmarks"]:
            self.assertIsInstance(r["base_instructions"], int)
            self.assertEqual(r["delta"], r["new_instructions"] - r["base_instructions"])
        self.assertAlmostEqual(doc["geomean"]["ratio"], 0.952471, places=6)
        self.assertEqual(round(doc["geomean"]["delta_pct"], 2), -4.75)
        self.assertEqual(doc["totals"]["base_instructions"], 636364652)
        self.assertEqual(doc["totals"]["new_instructions"], 611951192)

    def test_csv_and_markdown(self):
        p = tbscope("compare", A, B, "-f", "csv")
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "benchmark,suite,base_instructions,"
                         "new_instructions,delta,delta_pct,lower_bound,change")
        self.assertIn("612.matmul_r,CFP2017rate,90736658,72819936,-17916722,", p.stdout)
        md = tbscope("compare", A, B, "--format=markdown", "--threshold", "1").stdout
        self.assertIn("**Geomean \u22124.75 %** over 6 benchmarks", md)
        self.assertIn("612.matmul\\_r", md)

    def test_threshold_boundary_in_json(self):
        """A change of exactly --threshold is unchanged; just above, changed.

        The threshold is the double nearest 602.hashjoin_r's exact |delta %|
        (Python's fractions, from FIXTURES.md), printed so that strtod reads
        it back to that double; the next double down puts it just above.
        """
        totals = per_benchmark_totals()
        a, b = totals["602.hashjoin_r"]
        for base, new, moved in ((A, B, "improved"), (B, A, "regressed")):
            x, y = (a, b) if base == A else (b, a)
            at = float(abs(Fraction((y - x) * 100, x)))
            for thr, want in ((at, "unchanged"),
                              (math.nextafter(at, 0), moved)):
                p = tbscope("compare", base, new, "--format", "json",
                            "--threshold", repr(thr))
                self.assertEqual(p.returncode, 0, p.stderr)
                doc = json.loads(p.stdout)
                # printed with 12 significant digits
                self.assertAlmostEqual(doc["threshold_pct"], thr, places=12)
                got = {r["name"]: r["change"] for r in doc["benchmarks"]}
                self.assertEqual(got["602.hashjoin_r"], want, (base, thr))
                # every other fixture benchmark moved by more (FIXTURES.md)
                others = [n for n in totals if n != "602.hashjoin_r"]
                for n in others:
                    xa, xb = totals[n] if base == A else totals[n][::-1]
                    self.assertGreater(abs(Fraction((xb - xa) * 100, xa)), at)
                    self.assertEqual(got[n], moved, n)
                self.assertEqual(doc["changes"], {
                    moved: 6 if want == moved else 5,
                    "improved" if moved == "regressed" else "regressed": 0,
                    "unchanged": 0 if want == moved else 1,
                    "only_base": 0, "only_new": 0})

    def test_default_threshold_is_zero(self):
        doc = json.loads(tbscope("compare", A, B, "--format", "json").stdout)
        self.assertEqual(doc["threshold_pct"], 0)
        # every fixture benchmark has fewer instructions in B (FIXTURES.md)
        self.assertTrue(all(b < a for a, b in per_benchmark_totals().values()))
        self.assertEqual(doc["changes"]["improved"], 6)

    def test_usage_errors_exit_2_and_missing_runs_exit_1(self):
        self.assertEqual(tbscope("compare", A).returncode, 2)
        self.assertEqual(tbscope("compare", A, B, "--format", "xml").returncode, 2)
        self.assertEqual(tbscope("frobnicate").returncode, 2)
        self.assertEqual(tbscope().returncode, 2)
        p = tbscope("compare", A, "no-such-run")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open run directory 'no-such-run'", p.stderr)
        for cmd in ("compare", "show"):
            h = tbscope(cmd, "--help")
            self.assertEqual(h.returncode, 0)
            self.assertIn("usage: tbscope " + cmd, h.stdout)

    def test_warnings_go_to_stderr_with_file_and_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad")
            subprocess.run(["cp", "-r", os.path.join(RUNS, A), bad], check=True)
            f = os.path.join(bad, "External/SPEC/CINT2017rate/604.sortmix_r/604.sortmix_r.qemu_out")
            with open(f, "a") as out:
                out.write("0x1234, 1, 4\n")
            p = tbscope("compare", bad, os.path.join(RUNS, B))
            self.assertEqual(p.returncode, 0)
            self.assertIn("604.sortmix_r.qemu_out:2723: malformed line "
                          "(expected 4 comma-separated fields): '0x1234, 1, 4'", p.stderr)
            # the table is still the reference table
            self.assertTrue(p.stdout.replace("bad", A).startswith(reference_table()))


    def test_lower_bound_above_the_insns_total_is_a_warning(self):
        """#13 item 11: all 2,607 rows of 601.graphwalk_r (61,748,526
        instructions, FIXTURES.md) under a header claiming more blocks
        make a lower bound; `cpu 0 insns: 12345` contradicts it."""
        want = per_benchmark_totals()["601.graphwalk_r"][0]
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad")
            subprocess.run(["cp", "-r", os.path.join(RUNS, A), bad], check=True)
            f = os.path.join(bad, "External/SPEC/CINT2017rate/601.graphwalk_r/601.graphwalk_r.qemu_out")
            with open(f) as src:
                lines = src.read().splitlines(True)
            lines[0] = "collected 3000 entries in the hash table\n"
            lines.append("cpu 0 insns: 12345\n")
            with open(f, "w") as out:
                out.writelines(lines)
            for args in (("show", bad), ("show", bad, "-f", "json")):
                p = tbscope(*args)
                self.assertEqual(p.returncode, 0, p.stderr)
                msg = ("601.graphwalk_r.qemu_out:%d: the listed blocks alone sum to %d "
                       "instructions, more than the insns plugin's 12345" % (len(lines), want))
                self.assertIn(msg, p.stderr)
            doc = json.loads(p.stdout)
            bench = [b for b in doc["benchmarks"] if b["name"] == "601.graphwalk_r"][0]
            self.assertTrue(bench["lower_bound"])
            self.assertEqual(bench["instructions"], want)
            self.assertTrue(any(msg in w for w in bench["warnings"]), bench["warnings"])


class Show(unittest.TestCase):
    def test_run_totals_and_object_split_sum_exactly(self):
        totals = per_benchmark_totals()
        for col, run in enumerate((A, B)):
            p = tbscope("show", run, "--format", "json")
            self.assertEqual(p.returncode, 0, p.stderr)
            doc = json.loads(p.stdout)
            for b in doc["benchmarks"]:
                self.assertEqual(b["instructions"], totals[b["name"]][col])
                self.assertEqual(sum(o["instructions"] for o in b["objects"]),
                                 b["instructions"])
                self.assertFalse(b["lower_bound"])
            text = tbscope("show", run).stdout
            for name, ab in totals.items():
                self.assertRegex(text, r"(?m)^%s +(CINT|CFP)2017rate +%d " % (re.escape(name), ab[col]))
                self.assertIn(str(ab[col]), text)

    def test_functions_of_one_benchmark(self):
        p = tbscope("show", A, "612.matmul_r", "--functions", "--sysroot",
                    "/usr/riscv64-linux-gnu", "-f", "json", "-n", "0")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        doc = json.loads(p.stdout)
        self.assertEqual(doc["instructions"], per_benchmark_totals()["612.matmul_r"][0])
        self.assertEqual(sum(f["instructions"] for f in doc["functions"]), doc["instructions"])
        self.assertEqual(doc["functions"][0]["name"], "main")
        self.assertEqual(doc["functions"][0]["object"], "612.matmul_r")
        text = tbscope("show", A, "612.matmul_r", "--functions", "-n", "3", "-q").stdout
        self.assertRegex(text, r"(?m)^ +\d+ +\d+\.\d\d% +\d+  612\.matmul_r +main$")
        self.assertIn("(7 more)", text)

    def test_unknown_benchmark_is_an_error(self):
        p = tbscope("show", A, "999.nope_r")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no benchmark '999.nope_r'", p.stderr)
        self.assertEqual(tbscope("show", A, "--blocks").returncode, 2)

    def test_functions_of_every_benchmark(self):
        """#13 item 10: `show RUN --functions` without BENCH lists each
        benchmark's functions (it was a usage error, exit 2)."""
        totals = per_benchmark_totals()
        p = tbscope("show", A, "--functions", "-n", "0", "-f", "json",
                    "--sysroot", "/usr/riscv64-linux-gnu")
        self.assertEqual(p.returncode, 0, p.stderr)
        benches = json.loads(p.stdout)["benchmarks"]
        self.assertEqual(sorted(b["name"] for b in benches), sorted(totals))
        for b in benches:
            self.assertEqual(sum(f["instructions"] for f in b["functions"]),
                             totals[b["name"]][0])
        text = tbscope("show", A, "--functions", "-n", "1", "-q").stdout
        for name, ab in totals.items():
            self.assertRegex(text, r"(?m)^%s: %d instructions, \d+ functions$"
                             % (re.escape(name), ab[0]))
        csv = tbscope("show", A, "--functions", "-n", "2", "-f", "csv", "-q").stdout
        lines = csv.splitlines()
        self.assertEqual(lines[0], "benchmark,object,function,instructions,blocks,address,size")
        self.assertEqual(sorted({l.split(",")[0] for l in lines[1:]}), sorted(totals))
        self.assertEqual(len(lines), 1 + 2 * len(totals))


def oracle_function_total(run, bench_dir, prog, symbol):
    """Sum of icount * ecount over the blocks of `symbol` in `prog`,
    computed here from the raw files with readelf: an oracle independent
    of tbscope's attribution code."""
    d = os.path.join(RUNS, run, bench_dir)
    binary = os.path.join(d, prog)
    syms = subprocess.run(["readelf", "-sW", binary], capture_output=True,
                          text=True, check=True).stdout
    value = size = None
    for line in syms.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and f[7] == symbol:
            value, size = int(f[1], 16), int(f[2], 0)
    loads = []
    for line in subprocess.run(["readelf", "-lW", binary], capture_output=True,
                               text=True, check=True).stdout.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            loads.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))  # off, vaddr, filesz
    total = 0
    for name in os.listdir(d):
        m = re.fullmatch(re.escape(prog) + r"\.qemu_out(\.\d+)?", name)
        if not m:
            continue
        maps = []
        with open(os.path.join(d, prog + ".map" + (m.group(1) or ""))) as f:
            for line in f:
                f2 = line.split()
                if len(f2) >= 6 and f2[0].startswith("0x") and f2[-1].endswith("/" + prog):
                    maps.append((int(f2[0], 16), int(f2[1], 16), int(f2[3], 16)))
        with open(os.path.join(d, name)) as f:
            for line in f:
                f2 = [x.strip() for x in line.split(",")]
                if len(f2) != 4 or not f2[0].startswith("0x"):
                    continue
                pc, icount, ecount = int(f2[0], 16), int(f2[2]), int(f2[3])
                for start, end, off in maps:
                    if start <= pc < end:
                        foff = pc - start + off
                        for loff, vaddr, filesz in loads:
                            if loff <= foff < loff + filesz:
                                va = foff - loff + vaddr
                                if value <= va < value + size:
                                    total += icount * ecount
    return total


class CompareBench(unittest.TestCase):
    """compare --bench: where one benchmark's delta comes from."""

    def test_matmul_delta_is_main_with_oracle_counts(self):
        p = tbscope("compare", A, B, "--bench", "612.matmul_r", "-f", "json",
                    "-n", "0", "--sysroot", "/usr/riscv64-linux-gnu")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        base, new = per_benchmark_totals()["612.matmul_r"]
        self.assertEqual((doc["base"]["instructions"], doc["new"]["instructions"]), (base, new))
        self.assertEqual(doc["delta"], new - base)
        # the parts add up exactly, for functions and for objects
        fns = doc["functions"]
        self.assertEqual(doc["functions_other"]["count"], 0)
        self.assertEqual(sum(f["delta"] for f in fns), new - base)
        self.assertEqual(sum(f["base"] or 0 for f in fns), base)
        self.assertEqual(sum(f["new"] or 0 for f in fns), new)
        self.assertEqual(sum(o["delta"] for o in doc["objects"]), new - base)
        self.assertAlmostEqual(sum(f["share_pct"] for f in fns), 100.0, places=6)
        top = fns[0]
        self.assertEqual((top["object"], top["name"]), ("612.matmul_r", "main"))
        bench_dir = "External/SPEC/CFP2017rate/612.matmul_r"
        self.assertEqual(top["base"], oracle_function_total(A, bench_dir, "612.matmul_r", "main"))
        self.assertEqual(top["new"], oracle_function_total(B, bench_dir, "612.matmul_r", "main"))
        self.assertGreater(top["share_pct"], 99.9)

    def test_limit_sums_the_rest_into_other(self):
        p = tbscope("compare", A, B, "--bench", "602.hashjoin_r", "-f", "json", "-n", "3", "-q")
        doc = json.loads(p.stdout)
        self.assertEqual(len(doc["functions"]), 3)
        other = doc["functions_other"]
        self.assertEqual(other["count"], doc["functions_total"] - 3)
        self.assertEqual(sum(f["delta"] for f in doc["functions"]) + other["delta"], doc["delta"])

    def test_text_lists_total_and_rest(self):
        p = tbscope("compare", A, B, "--bench", "612.matmul_r", "-n", "2", "-q")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"(?m)^ +90,736,658 +72,819,936 +-17,916,722 +100\.00%  Total$")
        self.assertRegex(p.stdout, r"(?m)612\.matmul_r +main(  \(code changed\))?$")
        self.assertIn("more)", p.stdout)

    def test_unknown_bench_and_bad_format(self):
        self.assertEqual(tbscope("compare", A, B, "--bench", "999.x").returncode, 1)
        self.assertEqual(tbscope("compare", A, B, "--bench", "612.matmul_r", "-f", "csv").returncode, 2)


SYSROOT = "/usr/riscv64-linux-gnu"


def objdump_mnemonics(binary, start, end):
    """Mnemonics binutils' objdump (no aliases) prints for [start, end)."""
    out = subprocess.run(["riscv64-linux-gnu-objdump", "-d", "-M", "no-aliases",
                          "--start-address=%#x" % start, "--stop-address=%#x" % end,
                          binary], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        m = re.match(r"^\s*[0-9a-f]+:\s+(?:[0-9a-f]{4,8}\s+)+(\S+)", line)
        if m:
            found.append(m.group(1))
    return found


class Mix(unittest.TestCase):
    """show --mix / --blocks: decoded, classified, and adding up."""

    def mix(self, run, bench, *extra):
        p = tbscope("show", run, bench, "--mix", "-f", "json", *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_classes_sum_to_the_fixture_totals_and_nothing_is_unknown(self):
        totals = per_benchmark_totals()
        for col, run in enumerate((A, B)):
            for bench, want in totals.items():
                with self.subTest(run=run, bench=bench):
                    d = self.mix(run, bench, "--sysroot", SYSROOT)
                    self.assertEqual(d["instructions"], want[col])
                    self.assertEqual(sum(c["instructions"] for c in d["by_class"]), want[col])
                    self.assertEqual(sum(d["classes"].values()), want[col])
                    self.assertEqual(d["by_decoder"]["unknown"], 0)
                    self.assertEqual(d["by_decoder"]["no_bytes"], 0)
                    self.assertEqual(sum(m["instructions"] for m in d["by_mnemonic"])
                                     <= want[col], True)
                    fallback = d["by_decoder"]["fallback"]
                    if run == B:
                        # capstone 5 knows no Zb*: the O3 build needs the fallback
                        self.assertGreater(fallback, 0)
                        exts = {e["ext"] for e in d["by_extension"]}
                        self.assertTrue({"Zba", "Zbb", "Zbs"} & exts, exts)
                    else:
                        self.assertEqual(fallback, 0)

    def test_limit_zero_lists_every_mnemonic(self):
        """#13 item 10: -n 0 means all mnemonics in JSON too (was 100)."""
        totals = per_benchmark_totals()
        for bench in ("610.stencil_r", "612.matmul_r"):
            d = self.mix(A, bench, "-n", "0", "--sysroot", SYSROOT)
            self.assertGreater(d["mnemonics_total"], 100)
            self.assertEqual(len(d["by_mnemonic"]), d["mnemonics_total"])
            self.assertEqual(sum(m["instructions"] for m in d["by_mnemonic"]),
                             totals[bench][0])
        d = self.mix(A, "612.matmul_r", "-n", "7", "--sysroot", SYSROOT)
        self.assertEqual(len(d["by_mnemonic"]), 7)

    def test_a_section_label_is_picked_with_its_object(self):
        """#13 item 8: '[.text]' is code of libc.so.6 and of the loader in
        612.matmul_r; --function alone said nothing of which it took."""
        p = tbscope("show", A, "612.matmul_r", "--mix", "--function", "[.text]",
                    "--sysroot", SYSROOT)
        self.assertEqual(p.returncode, 1)
        self.assertIn("'[.text]' is in 2 objects of 612.matmul_r (libc.so.6, "
                      "ld-linux-riscv64-lp64d.so.1): pick one with --object", p.stderr)
        fns = json.loads(tbscope("show", A, "612.matmul_r", "--functions", "-n", "0",
                                 "-f", "json", "--sysroot", SYSROOT).stdout)["functions"]
        for obj in ("libc.so.6", "ld-linux-riscv64-lp64d.so.1"):
            want = [f for f in fns if f["name"] == "[.text]" and f["object"] == obj][0]
            d = self.mix(A, "612.matmul_r", "--function", "[.text]", "--object", obj,
                         "--sysroot", SYSROOT)
            self.assertEqual((d["function"], d["function_object"], d["instructions"]),
                             ("[.text]", obj, want["instructions"]))
            p = tbscope("show", A, "612.matmul_r", "--blocks", "-n", "0", "-f", "json",
                        "--function", "[.text]", "--object", obj, "--sysroot", SYSROOT)
            blocks = json.loads(p.stdout)["blocks"]
            self.assertEqual({k["object"] for k in blocks}, {obj})  # the kept ones

    def test_without_libraries_their_instructions_have_no_bytes(self):
        d = self.mix(A, "602.hashjoin_r", "-q")
        p = tbscope("show", A, "602.hashjoin_r", "--functions", "-f", "json", "-q")
        objects = json.loads(p.stdout)["objects"]
        missing = sum(o["instructions"] for o in objects if o["symbols_missing"])
        self.assertGreater(missing, 0)
        self.assertEqual(d["by_decoder"]["no_bytes"], missing)
        self.assertEqual(sum(c["instructions"] for c in d["by_class"]), d["instructions"])

    def test_hottest_block_decodes_like_objdump(self):
        p = tbscope("show", B, "612.matmul_r", "--blocks", "-n", "3", "-f", "json",
                    "--sysroot", SYSROOT)
        self.assertEqual(p.returncode, 0, p.stderr)
        blocks = json.loads(p.stdout)["blocks"]
        self.assertEqual(len(blocks), 3)
        binary = os.path.join(RUNS, B, "External/SPEC/CFP2017rate/612.matmul_r/612.matmul_r")
        for blk in blocks:
            code = blk["code"]
            self.assertEqual(len(code), blk["icount"])
            self.assertEqual(blk["instructions"], blk["icount"] * blk["ecount"])
            start = int(blk["addr"], 16)
            end = start + sum(i["len"] for i in code)
            self.assertEqual([i["mnemonic"] for i in code],
                             objdump_mnemonics(binary, start, end))
        self.assertEqual(blocks[0]["function"], "main")

    def test_mnemonic_rows_carry_their_own_class(self):
        """jal is a call or a jump, c.jr a ret or an indirect jump: one row
        per (mnemonic, class), each as objdump's operands classify it."""
        split = set()
        for bench in per_benchmark_totals():
            with self.subTest(bench=bench):
                want = control_counts(A, bench)
                p = tbscope("show", A, bench, "--mix", "-n", "0", "--sysroot", SYSROOT)
                self.assertEqual(p.returncode, 0, p.stderr)
                got = {}
                for m in re.finditer(r"(?m)^(\S+) +(\S+) +(\d+) +\d+\.\d\d%$", p.stdout):
                    if m.group(1) in CONTROL:
                        self.assertNotIn((m.group(1), m.group(2)), got, "listed twice")
                        got[(m.group(1), m.group(2))] = int(m.group(3))
                self.assertEqual(got, want)
                js = self.mix(A, bench, "--sysroot", SYSROOT)
                rows = {(m["mnemonic"], m["class"]): m["instructions"]
                        for m in js["by_mnemonic"] if m["mnemonic"] in CONTROL}
                self.assertEqual(rows, {k: v for k, v in want.items() if k in rows})
                split |= {k[0] for k in want if sum(1 for x in want if x[0] == k[0]) > 1}
        # the fixtures do have mnemonics of two classes
        self.assertTrue({"jal", "c.jr", "jalr"} <= split, split)

    def test_function_filter_and_text(self):
        d = self.mix(B, "612.matmul_r", "--function", "main", "--sysroot", SYSROOT)
        fns = json.loads(tbscope("show", B, "612.matmul_r", "--functions", "-f", "json",
                                 "--sysroot", SYSROOT).stdout)["functions"]
        main = [f for f in fns if f["name"] == "main"][0]
        self.assertEqual(d["instructions"], main["instructions"])
        text = tbscope("show", B, "612.matmul_r", "--mix", "--sysroot", SYSROOT).stdout
        self.assertRegex(text, r"(?m)^fp-fma +\d+ +\d+\.\d\d%$")
        self.assertEqual(tbscope("show", B, "612.matmul_r", "--mix", "--function",
                                 "nope", "-q").returncode, 1)


# Control transfers whose class depends on their operands (DISASM.md §4),
# by hand from binutils' no-alias spelling: "jal zero,..." is a jump.
CONTROL = ("jal", "jalr", "c.j", "c.jr", "c.jalr", "c.jal")


def control_class(mnemonic, operands):
    ops = [o.strip() for o in operands.split(",")]
    if mnemonic == "c.j":
        return "jump"
    if mnemonic in ("c.jal", "c.jalr"):
        return "call"
    if mnemonic == "c.jr":
        return "ret" if ops[0] == "ra" else "jump-indirect"
    if mnemonic == "jal":
        return "jump" if ops[0] == "zero" else "call"
    # jalr rd,imm(rs1)
    if ops[0] != "zero":
        return "call"
    return "ret" if ops[1] == "0(ra)" else "jump-indirect"


_OBJDUMP = {}


def objdump_elf(binary):
    """({address: (mnemonic, operands, length)}, [(offset, vaddr, filesz)
    of its PT_LOADs]) of a whole ELF file, from binutils."""
    if binary not in _OBJDUMP:
        out = subprocess.run(["riscv64-linux-gnu-objdump", "-d", "-M", "no-aliases", binary],
                             capture_output=True, text=True, check=True).stdout
        insns = {}
        for line in out.splitlines():
            m = re.match(r"^\s*([0-9a-f]+):\s+([0-9a-f]{4}|[0-9a-f]{8})\s+(\S+)\s*([^#<]*)",
                         line)
            if m:
                insns[int(m.group(1), 16)] = (m.group(3), m.group(4).strip(),
                                              len(m.group(2)) // 2)
        loads = []
        for line in subprocess.run(["riscv64-linux-gnu-readelf", "-lW", binary],
                                   capture_output=True, text=True,
                                   check=True).stdout.splitlines():
            f = line.split()
            if f and f[0] == "LOAD":
                loads.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
        _OBJDUMP[binary] = (insns, loads)
    return _OBJDUMP[binary]


def control_counts(run, bench):
    """{(mnemonic, class): dynamic count} of the control transfers of a
    benchmark: every .qemu_out row in the text of the program or of a
    library of SYSROOT, walked through objdump's disassembly of that file
    for icount instructions, times ecount."""
    bdir = [root for root, dirs, files in os.walk(os.path.join(RUNS, run))
            if bench in files][0]
    counts = {}
    for name in os.listdir(bdir):
        m = re.fullmatch(re.escape(bench) + r"\.qemu_out(\.\d+)?", name)
        if not m:
            continue
        text = []  # (start, end, offset, ELF file) of the r-xp mappings
        with open(os.path.join(bdir, bench + ".map" + (m.group(1) or ""))) as fh:
            for line in fh:
                f = line.split()
                if len(f) == 6 and f[4] == "r-xp" and f[5].startswith("/"):
                    base = os.path.basename(f[5])
                    elf = (os.path.join(bdir, bench) if base == bench
                           else os.path.join(SYSROOT, "lib", base))
                    text.append((int(f[0], 16), int(f[1], 16), int(f[3], 16), elf))
        with open(os.path.join(bdir, name)) as fh:
            for line in fh:
                f = [x.strip() for x in line.split(",")]
                if len(f) != 4 or not f[0].startswith("0x"):
                    continue
                pc, icount, ecount = int(f[0], 16), int(f[2]), int(f[3])
                for start, end, off, elf in text:
                    if start <= pc < end:
                        insns, loads = objdump_elf(elf)
                        fo = pc - start + off
                        va = [fo - o + v for o, v, n in loads if o <= fo < o + n][0]
                        for _ in range(icount):
                            mn, ops, length = insns[va]
                            if mn in CONTROL:
                                key = (mn, control_class(mn, ops))
                                counts[key] = counts.get(key, 0) + ecount
                            va += length
    return counts


SRC = os.path.dirname(os.path.dirname(DATA))  # tests/data -> the source tree

# The options of each command as they were spelled before the option
# tables (from the hand-written --help texts): none may disappear.
DOCUMENTED = {
    "compare": {"format": "f", "threshold": "t", "bench": "b", "limit": "n",
                "sysroot": "s", "quiet": "q", "help": "h"},
    "show": {"functions": "F", "blocks": "B", "mix": "M", "function": None, "object": None, "rate": None,
             "limit": "n", "format": "f", "sysroot": "s", "quiet": "q", "help": "h"},
    "serve": {o: None for o in (
        "data", "runs-dir", "listen", "public-url", "sysroot", "threads", "max-upload",
        "max-unpacked", "max-files", "timeout", "token-file", "read-token", "web-dir",
        "notify", "log-level", "request-timeout", "max-connections",
        "max-discard", "commit-url")} | {"help": "h"},
    "token": {"data": "d", "scope": None, "help": "h"},
    "upload": {o: None for o in (
        "server", "token-file", "name", "series", "commit", "meta", "sysroot",
        "markdown", "fail-on-regression", "dry-run", "timeout", "help")},
}
DOCUMENTED["reindex"] = DOCUMENTED["serve"]  # it takes serve's options
DOCUMENTED["record"] = {o: None for o in (
    "qemu", "plugin", "rate", "inline", "build-dir")}
DOCUMENTED["record"].update({"sysroot": "L", "help": "h"})
DOCUMENTED["clean"] = {"dry-run": "n", "help": "h"}
DOCUMENTED["regressions"] = {"data": "d", "server": None, "series": None, "state": None,
                             "format": "f", "set-threshold": None, "help": "h"}
DOCUMENTED["backup"] = {"data": "d", "help": "h"}

TABLE_FILES = {"compare": "server/builtin/cmd_compare.c",
               "show": "server/builtin/cmd_show.c",
               "serve": "server/config.c", "reindex": "server/config.c",
               "token": "server/builtin/cmd_token.c",
               "upload": "server/builtin/cmd_upload.c",
               # (a file with two commands: from one's function to the next)
               "record": ("record/cmd_record.c", "int cmd_record(", "int cmd_clean("),
               "clean": ("record/cmd_record.c", "int cmd_clean(", None),
               "regressions": "server/builtin/cmd_regressions.c",
               "backup": "server/builtin/cmd_backup.c"}


def source_table(cmd):
    """{long: short or None} read from the command's OPT_*() table in the
    C source (run_common.h's RUN_OPTS_* macros expanded by name)."""
    def source(path):  # with macro continuation lines joined
        with open(os.path.join(SRC, path), encoding="utf-8") as f:
            return f.read().replace("\\\n", " ")

    where = TABLE_FILES[cmd]
    if isinstance(where, tuple):
        path, start, end = where
        text = source(path)
        text = text[text.index(start):text.index(end) if end else None]
    else:
        text = source(where)
    common = source("server/builtin/run_common.h")
    for name, short, long in re.findall(
            r"#define (RUN_OPTS_\w+)\([^)]*\)\s*OPT_\w+\('(\w)',\s*\"([a-z-]+)\"", common):
        text = re.sub(name + r"\(", "OPT_X('%s', \"%s\", " % (short, long), text)
    table = {}
    for short, long in re.findall(r"\bOPT_\w+\(\s*('\w'|0)\s*,\s*\"([a-z-]+)\"", text):
        table[long] = short.strip("'") if short != "0" else None
    for short in re.findall(r"\bOPT_HELP\(\s*('\w'|0)", text):
        table["help"] = short.strip("'") if short != "0" else None
    return table


def help_options(cmd):
    """{long: (short, ARG)} as `tbscope CMD --help` lists them."""
    h = tbscope(cmd, "--help")
    assert h.returncode == 0, h.stderr
    opts = {}
    for m in re.finditer(r"(?m)^  (?:-(\w), |    )?--([a-z][a-z-]*)(?: (\S+))?(?:  |$)", h.stdout):
        opts[m.group(2)] = (m.group(1), m.group(3))
    return h.stdout, opts


# A valid value for each kind of argument, to show the option is taken.
GOOD_VALUE = {"N": "1", "SECONDS": "1", "MS": "1", "BYTES": "1", "PCT": "1", "FMT": "json",
              "LEVEL": "info", "ADDR:PORT": "127.0.0.1:0", "KEY=VALUE": "k=v",
              "TEMPLATE": "https://example.org/commit/{commit}"}


class Names(unittest.TestCase):
    """#13 items 7 and 8, end to end: names as binutils gives them."""

    def dynsym(self, path, name):
        """(address, hidden) of a defined function in `objdump -T`."""
        out = subprocess.run(["riscv64-linux-gnu-objdump", "-T", path],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) >= 7 and f[-1] == name and f[-3] != "*UND*":
                return int(f[0], 16), f[-2].startswith("(")
        self.fail("%s not in %s" % (name, path))

    def test_default_version_wins(self):
        """exp@@GLIBC_2.27, not the hidden __exp_finite@GLIBC_2.27."""
        libm = os.path.join(SYSROOT, "lib", "libm.so.6")
        addr, hidden = self.dynsym(libm, "exp")
        self.assertFalse(hidden)
        self.assertEqual(self.dynsym(libm, "__exp_finite"), (addr, True))
        p = tbscope("show", A, "610.stencil_r", "--functions", "-n", "0",
                    "-f", "json", "--sysroot", SYSROOT)
        self.assertEqual(p.returncode, 0, p.stderr)
        libm_fns = {f["address"]: f for f in json.loads(p.stdout)["functions"]
                    if f["object"] == "libm.so.6"}
        self.assertEqual(libm_fns[addr]["name"], "exp")
        self.assertNotIn("__exp_finite", {f["name"] for f in libm_fns.values()})

    def test_code_under_a_label_is_named_after_it(self):
        """crt1's load_gp (NOTYPE LOCAL): load_gp+0x4 as objdump, not [.text]."""
        for run in (A, B):
            prog = os.path.join(RUNS, run, "External/SPEC/CFP2017rate/612.matmul_r/612.matmul_r")
            dis = subprocess.run(["riscv64-linux-gnu-objdump", "-d", "--no-show-raw-insn", prog],
                                 capture_output=True, text=True, check=True).stdout
            label = int(re.search(r"(?m)^([0-9a-f]+) <load_gp>:$", dis).group(1), 16)
            p = tbscope("show", run, "612.matmul_r", "--blocks", "-n", "0", "-f", "json", "-q")
            self.assertEqual(p.returncode, 0, p.stderr)
            under = [k for k in json.loads(p.stdout)["blocks"]
                     if k["object"] == "612.matmul_r" and 0 <= int(k["addr"], 16) - label < 12]
            self.assertEqual(len(under), 3, under)  # auipc, addi, ret: one block each
            for k in under:
                self.assertEqual((k["function"], k["offset"]),
                                 ("load_gp", int(k["addr"], 16) - label))
            text = tbscope("show", run, "612.matmul_r", "--blocks", "-n", "0", "-q").stdout
            self.assertIn("612.matmul_r  load_gp+0x4  0x%x:" % (label + 4), text)
            self.assertNotRegex(text, r"612\.matmul_r  \[\.text\]")


class Options(unittest.TestCase):
    COMMANDS = ("compare", "show", "serve", "reindex", "token", "upload",
                "record", "clean", "regressions", "backup")

    def test_help_lists_every_option_of_the_table_and_nothing_else(self):
        for cmd in self.COMMANDS:
            with self.subTest(cmd=cmd):
                text, listed = help_options(cmd)
                table = source_table(cmd)
                self.assertGreater(len(table), 1)
                self.assertEqual({k: v[0] for k, v in listed.items()}, table)
                self.assertEqual(table, DOCUMENTED[cmd])
                self.assertIn("usage: tbscope " + cmd, text)
                for line in text.splitlines():
                    self.assertLessEqual(len(line), 80, line)

    def test_every_listed_option_is_accepted(self):
        # a later unknown option stops the command after the one under
        # test was parsed: the error must be about the later one
        for cmd in self.COMMANDS:
            _, listed = help_options(cmd)
            for long, (short, arg) in listed.items():
                if long == "help":
                    continue
                for spelling in ["--" + long] + (["-" + short] if short else []):
                    args = [spelling] + ([GOOD_VALUE.get(arg, "x")] if arg else [])
                    with self.subTest(cmd=cmd, args=args):
                        p = tbscope(cmd, *args, "--zz-no-such-option")
                        self.assertEqual(p.returncode, 2)
                        self.assertTrue(p.stderr.startswith(
                            "tbscope %s: unknown option '--zz-no-such-option'\n" % cmd),
                            p.stderr)

    def test_help_goes_to_stdout_with_exit_0(self):
        for cmd in self.COMMANDS:
            for flag in ("--help",) + (("-h",) if cmd != "upload" else ()):
                p = tbscope(cmd, flag)
                self.assertEqual((p.returncode, p.stderr), (0, ""), (cmd, flag))
                self.assertTrue(p.stdout.startswith("usage: tbscope " + cmd))

    BAD = [
        # (command, option, value): sizes, percentages, counts
        ("serve", "--max-upload", "abc"),
        ("serve", "--max-upload", "0"),
        ("serve", "--max-upload", "1K"),
        ("serve", "--max-upload", " -5"),
        ("serve", "--max-upload", "18446744073709551616"),
        ("serve", "--max-unpacked", "-1"),
        ("serve", "--max-unpacked", ""),
        ("reindex", "--max-upload", "1.5"),
        ("compare", "--threshold", "x"),
        ("compare", "--threshold", "-1"),
        ("compare", "--threshold", "nan"),
        ("compare", "--threshold", "inf"),
        ("compare", "--threshold", "1%"),
        ("compare", "--limit", "-3"),
        ("compare", "--limit", "99999999999999999999999"),
        ("show", "--limit", "ten"),
        ("show", "-n", "1e3"),
        ("serve", "--threads", "0"),
        ("serve", "--threads", "257"),
        ("reindex", "--threads", "0"),
        ("serve", "--timeout", "3601"),
        ("serve", "--max-files", "0"),
        ("serve", "--max-files", "100000001"),
        ("upload", "--timeout", "0"),
        ("upload", "--timeout", "soon"),
        ("record", "--rate", "0"),
        ("record", "--rate", "-5"),
    ]

    def test_bad_numbers_exit_2_naming_the_option_and_the_value(self):
        long_of = {"-n": "--limit", "-t": "--threshold"}
        for cmd, opt, value in self.BAD:
            with self.subTest(cmd=cmd, opt=opt, value=value):
                p = tbscope(cmd, opt, value, A)
                self.assertEqual(p.returncode, 2, p.stderr)
                first = p.stderr.splitlines()[0]
                self.assertTrue(first.startswith("tbscope %s: %s: expected "
                                                 % (cmd, long_of.get(opt, opt))), first)
                self.assertTrue(first.endswith(", got '%s'" % value), first)
                self.assertIn("usage: tbscope " + cmd, p.stderr)
                self.assertEqual(p.stdout, "")

    GOOD = [
        # the documented bounds are accepted
        ("serve", "--threads", "1"), ("serve", "--threads", "256"),
        ("serve", "--timeout", "3600"), ("serve", "--max-files", "100000000"),
        ("serve", "--max-upload", "18446744073709551615"),
        ("compare", "--threshold", "0"), ("compare", "--threshold", "250.5"),
        ("compare", "--limit", "0"), ("show", "--limit", "0"),
        ("upload", "--timeout", "1"),
    ]

    def test_bounds_are_accepted(self):
        for cmd, opt, value in self.GOOD:
            with self.subTest(cmd=cmd, opt=opt, value=value):
                p = tbscope(cmd, opt, value, "--zz-no-such-option")
                self.assertTrue(p.stderr.startswith(
                    "tbscope %s: unknown option '--zz-no-such-option'\n" % cmd), p.stderr)

    def test_option_errors_name_the_option(self):
        cases = [
            (("compare", A, B, "--format", "xml"), "--format: expected text, table, json, csv or markdown, got 'xml'"),
            (("compare", A, B, "--limit"), "option '--limit' needs a value"),
            (("compare", A, B, "-n"), "option '-n' needs a value"),
            (("compare", A, B, "--quiet=yes"), "option '--quiet' takes no value"),
            (("compare", A, B, "-x"), "unknown option '-x'"),
            (("upload", "--s", "x", "dir"), "ambiguous option '--s'"),
            (("upload", "--meta", "=v", "dir"), "--meta: expected KEY=VALUE, got '=v'"),
            (("serve", "--log-level", "loud"), "--log-level: expected error, warn, info or debug, got 'loud'"),
            (("serve", "--listen", "nowhere"), "--listen: expected ADDR:PORT, got 'nowhere'"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                p = tbscope(*args)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stderr.splitlines()[0], "tbscope %s: %s" % (args[0], msg))

    def test_abbreviated_long_options_still_work(self):
        p = tbscope("compare", A, B, "--form", "csv", "--qui")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("benchmark,suite,"))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
