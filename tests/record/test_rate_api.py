#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The rate API and the comparability warning without QEMU.

Run directories written here by hand (a .qemu_out, a .rate in the
plugin's line shape, plain and gzip-compressed, and tbscope-run.json with
`tbscope record`'s "recording" block) are served by a real `tbscope serve
--runs-dir`; the expected figures are the numbers written into the files.
test_rate.py does the same from a real recording when QEMU is there.

Usage: test_rate_api.py TBSCOPE
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
del sys.argv[1:]

QEMU_OUT = ("collected 2 entries in the hash table\n"
            "pc, tcount, icount, ecount\n"
            "0x0000000000010000, 1, 5, 1000\n"
            "0x0000000000010020, 1, 2, 50\n"
            "insns: 5100\n")
# 3 intervals: 5000 + 0 + 100 = 5100, the .qemu_out total
RATE = ("# tbscope_plugin prefix=/b/p,suffix=none,rate=100\n"
        "# plugin api 1, target riscv64, interval 100 ms, qemu /usr/bin/qemu-riscv64\n"
        "time: 100000000, dur: 100000000, count: 5000\n"
        "time: 200000000, dur: 100000000, count: 0\n"
        "time: 230000000, dur: 30000000, count: 100, cpu0: 70, cpu1: 30\n")
RATE_BAD = RATE + "time: oops\n"


def recording(qemu, options=""):
    return {"recording": {"qemu": qemu, "plugin": "tbscope_plugin",
                          "plugin_options": options, "sysroot": "/usr/riscv64-linux-gnu",
                          "host": {"system": "Linux", "release": "6.1", "machine": "x86_64"}}}


def make_run(root, meta, gz=False, rate=RATE):
    d = os.path.join(root, "prog")
    os.makedirs(d)
    for name, text in (("prog.qemu_out", QEMU_OUT), ("prog.qemu_out.1", QEMU_OUT)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    if gz:
        with gzip.open(os.path.join(d, "prog.rate.1.gz"), "wt") as f:
            f.write(rate)
    else:
        with open(os.path.join(d, "prog.rate.1"), "w") as f:
            f.write(rate)
    if meta is not None:
        with open(os.path.join(root, "tbscope-run.json"), "w") as f:
            json.dump(meta, f)


class RateApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-rate-api-")
        runs = os.path.join(cls.tmp, "runs")
        make_run(os.path.join(runs, "a"), recording("qemu-riscv64 version 7.2.22"))
        make_run(os.path.join(runs, "b"), recording("qemu-riscv64 version 9.2.0", "inline=on"),
                 gz=True)
        make_run(os.path.join(runs, "c"), recording("qemu-riscv64 version 7.2.22"))
        make_run(os.path.join(runs, "plain"), None, rate=RATE_BAD)
        cls.runs = runs
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", runs)
        for r in ("a", "b", "c", "plain"):
            assert cls.srv.wait_ready(r)["status"] == "ready", r

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_rate_answer_is_the_files_numbers(self):
        for run in ("a", "b"):  # b's .rate is gzip-compressed
            j = self.srv.get_json("/api/v1/runs/%s/benchmarks/prog/rate" % run)
            self.assertEqual(j["run"], run)
            self.assertEqual(j["benchmark"], "prog")
            self.assertEqual(len(j["invocations"]), 1)  # only .1 has a timeline
            inv = j["invocations"][0]
            self.assertEqual(inv["invocation"], 1)
            self.assertEqual(inv["qemu_out"], "prog/prog.qemu_out.1")
            self.assertEqual(inv["rate"], "prog/prog.rate.1" + (".gz" if run == "b" else ""))
            self.assertEqual(inv["time_ns"], [100000000, 200000000, 230000000])
            self.assertEqual(inv["dur_ns"], [100000000, 100000000, 30000000])
            self.assertEqual(inv["count"], [5000, 0, 100])
            self.assertEqual(inv["cpus"], [[5000, 0, 70], [0, 0, 30]])
            self.assertEqual(inv["total"], 5100)
            self.assertEqual(inv["instructions"], 5100)

    def test_malformed_line_is_a_warning_naming_file_and_line(self):
        b = self.srv.get_json("/api/v1/runs/plain/benchmarks/prog")
        self.assertTrue(any(w.startswith("prog/prog.rate.1:6: ") for w in b["warnings"]),
                        b["warnings"])
        self.assertEqual(b["malformed_lines"], 1)
        j = self.srv.get_json("/api/v1/runs/plain/benchmarks/prog/rate")
        self.assertEqual(j["invocations"][0]["count"], [5000, 0, 100])

    def test_unknown_benchmark_or_run_is_404(self):
        self.srv.get_json("/api/v1/runs/a/benchmarks/nope/rate", want=404)
        self.srv.get_json("/api/v1/runs/nope/benchmarks/prog/rate", want=404)
        self.srv.get_json("/api/v1/runs/a/benchmarks/prog/rates", want=404)

    def test_compare_names_what_was_recorded_differently(self):
        j = self.srv.get_json("/api/v1/compare/a...b")
        rec = j["recording"]
        self.assertEqual(rec["differs"], [
            {"field": "qemu", "base": "qemu-riscv64 version 7.2.22",
             "new": "qemu-riscv64 version 9.2.0"},
            {"field": "plugin_options", "base": "", "new": "inline=on"}])
        self.assertEqual(rec["warning"],
                         "the runs were recorded differently: QEMU 'qemu-riscv64 version "
                         "7.2.22' vs 'qemu-riscv64 version 9.2.0'; plugin options '' vs "
                         "'inline=on': their counts may differ for that reason alone")
        self.assertEqual(rec["base"]["qemu"], "qemu-riscv64 version 7.2.22")
        _, _, body = self.srv.get("/api/v1/compare/a...b?format=text")
        self.assertTrue(body.startswith(b"warning: " + rec["warning"].encode() + b"\n\n"))
        _, _, body = self.srv.get("/api/v1/compare/a...b?format=markdown")
        self.assertTrue(body.startswith(b"> **Warning:** the runs were recorded"))
        _, _, body = self.srv.get("/api/v1/compare/a...b?format=csv")
        self.assertNotIn(b"arning", body)

    def test_alike_or_unknown_recordings_get_no_warning(self):
        for pair in ("a...c", "a...plain", "plain...b"):
            j = self.srv.get_json("/api/v1/compare/" + pair)
            self.assertEqual(j["recording"]["differs"], [], pair)
            self.assertIsNone(j["recording"]["warning"], pair)
            _, _, body = self.srv.get("/api/v1/compare/%s?format=text" % pair)
            self.assertNotIn(b"warning", body, pair)
        self.assertIsNone(self.srv.get_json("/api/v1/compare/a...plain")["recording"]["new"])

    def test_cli_compare_and_show_rate(self):
        a, b = (os.path.join(self.runs, r) for r in "ab")
        p = subprocess.run([TBSCOPE, "compare", a, b], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("tbscope compare: warning: the runs were recorded differently: QEMU",
                      p.stderr)
        self.assertTrue(p.stdout.startswith("Benchmark "), p.stdout)
        p = subprocess.run([TBSCOPE, "compare", a, os.path.join(self.runs, "c")],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("recorded differently", p.stderr)
        p = subprocess.run([TBSCOPE, "show", b, "prog", "--rate", "--format", "json"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["invocations"][0]["count"], [5000, 0, 100])


if __name__ == "__main__":
    unittest.main(verbosity=2)
