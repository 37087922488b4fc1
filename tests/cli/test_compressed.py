#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs whose .qemu_out and .map files are compressed (.zst, .gz).

A copy of each fixture run has its data files compressed by the zstd and
gzip programs (not by tbscope); its totals must be those of the fixtures'
README (tests/data/FIXTURES.md), as for the plain run, and its functions
those of the plain run.  The server reads a --runs-dir tree of them too.
Usage: test_compressed.py TBSCOPE_BINARY TEST_DATA_DIR
"""
import gzip
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
RUNS = os.path.join(DATA, "runs")
A = "build.gcc-O2-rv64gc"
B = "build.gcc-O3-rv64gc_zba_zbb_zbs"
README = open(os.path.join(DATA, "FIXTURES.md"), encoding="utf-8").read()
DATA_FILE = re.compile(r"\.(qemu_out|map)(\.\d+)?$")


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


def compressed_copy(run, dest, how):
    """Copy run to dest with every .qemu_out/.map file compressed by `how`
    ("zst", "gz" or "mixed": alternately), the plain file removed."""
    shutil.copytree(os.path.join(RUNS, run), dest, symlinks=True)
    n = 0
    for root, _, files in os.walk(dest):
        for f in sorted(files):
            path = os.path.join(root, f)
            if not DATA_FILE.search(f):
                continue
            kind = how if how != "mixed" else ("zst", "gz")[n % 2]
            n += 1
            if kind == "zst":
                subprocess.run(["zstd", "-q", "--rm", path], check=True)
            else:
                with open(path, "rb") as i, gzip.open(path + ".gz", "wb") as o:
                    shutil.copyfileobj(i, o)
                os.unlink(path)
    assert n > 0
    return dest


class Compressed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-z-")
        cls.runs = {}
        for how in ("zst", "gz", "mixed"):
            for run in (A, B):
                cls.runs[how, run] = compressed_copy(
                    run, os.path.join(cls.tmp, how, run), how)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_totals_are_the_readmes(self):
        totals = per_benchmark_totals()
        for how in ("zst", "gz", "mixed"):
            for col, run in enumerate((A, B)):
                p = tbscope("show", self.runs[how, run], "--format", "json")
                self.assertEqual(p.returncode, 0, p.stderr)
                doc = json.loads(p.stdout)
                got = {b["name"]: b["instructions"] for b in doc["benchmarks"]}
                self.assertEqual(got, {k: v[col] for k, v in totals.items()}, how)
                for b in doc["benchmarks"]:
                    self.assertFalse(b["lower_bound"], (how, b["name"]))
                    self.assertEqual(sum(o["instructions"] for o in b["objects"]),
                                     b["instructions"])

    def test_functions_and_warnings_match_the_plain_run(self):
        args = ("612.matmul_r", "--functions", "-n", "0", "-f", "json",
                "--sysroot", "/usr/riscv64-linux-gnu")
        plain = tbscope("show", A, *args)
        self.assertEqual(plain.returncode, 0, plain.stderr)
        z = tbscope("show", self.runs["zst", A], *args)
        self.assertEqual(z.returncode, 0, z.stderr)
        self.assertEqual(json.loads(z.stdout)["functions"],
                         json.loads(plain.stdout)["functions"])
        self.assertEqual(z.stderr, plain.stderr)

    def test_compare_table_is_the_plain_one(self):
        plain = tbscope("compare", A, B)
        z = tbscope("compare", self.runs["zst", A], self.runs["gz", B])
        self.assertEqual(z.returncode, 0, z.stderr)
        self.assertEqual(z.stdout, plain.stdout)

    def test_a_plain_file_and_its_copy_count_once(self):
        dest = os.path.join(self.tmp, "both")
        shutil.copytree(os.path.join(RUNS, A), dest, symlinks=True)
        for root, _, files in os.walk(dest):
            for f in files:
                if f.endswith(".qemu_out"):
                    subprocess.run(["zstd", "-q", "-k", os.path.join(root, f)],
                                   check=True)
        p = tbscope("show", dest, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {b["name"]: b["instructions"]
               for b in json.loads(p.stdout)["benchmarks"]}
        self.assertEqual(got, {k: v[0] for k, v in per_benchmark_totals().items()})
        self.assertIn("a copy of", p.stderr)

    def test_truncated_file_is_a_warning_and_a_lower_bound(self):
        dest = compressed_copy(A, os.path.join(self.tmp, "cut"), "zst")
        victim = None
        for root, _, files in os.walk(dest):
            for f in files:
                if f == "612.matmul_r.qemu_out.zst":
                    victim = os.path.join(root, f)
        size = os.path.getsize(victim)
        with open(victim, "r+b") as fh:
            fh.truncate(size // 2)
        p = tbscope("show", dest, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("612.matmul_r.qemu_out.zst", p.stderr)
        self.assertIn("truncated", p.stderr)
        doc = json.loads(p.stdout)
        b = [b for b in doc["benchmarks"] if b["name"] == "612.matmul_r"][0]
        self.assertTrue(b["lower_bound"])

    def serve_until_ready(self, data, want, *args):
        """Start serve on data (with args) until `want` runs are ready;
        returns the runs list."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        srv = subprocess.Popen(
            [TBSCOPE, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port, *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = "http://127.0.0.1:%d/api/v1/runs" % port
            deadline = time.time() + 60
            runs = []
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        runs = json.load(r)["runs"]
                    if len(runs) == want and all(r["status"] == "ready" for r in runs):
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            return runs
        finally:
            srv.terminate()
            srv.wait(timeout=30)

    def test_server_runs_dir_of_zst_files(self):
        """`serve --runs-dir` over the zstd tree lists the README's totals."""
        data = os.path.join(self.tmp, "data")
        os.makedirs(data)
        runs = self.serve_until_ready(data, 2, "--runs-dir", os.path.join(self.tmp, "zst"))
        self.assertEqual(len(runs), 2, runs)
        totals = per_benchmark_totals()
        for col, run in enumerate((A, B)):
            r = [r for r in runs if r["id"].endswith(run)][0]
            self.assertEqual(r["status"], "ready")
            self.assertEqual(r["instructions"], sum(v[col] for v in totals.values()))

    def test_index_of_an_older_schema_is_rebuilt_with_every_run(self):
        """An index.sqlite of another schema version is rebuilt on start:
        the stored (compressed) upload and the --runs-dir run come back."""
        data = os.path.join(self.tmp, "data-old")
        os.makedirs(os.path.join(data, "runs"))
        shutil.copytree(self.runs["zst", A], os.path.join(data, "runs", "up-A"),
                        symlinks=True)
        extra = os.path.join(self.tmp, "extra")
        os.makedirs(extra)
        os.symlink(self.runs["gz", B], os.path.join(extra, B))
        p = subprocess.run([TBSCOPE, "reindex", "--data", data, "--runs-dir", extra],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        db = sqlite3.connect(os.path.join(data, "index.sqlite"))
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("PRAGMA user_version=%d" % (version - 1))
        db.commit()
        db.close()
        runs = self.serve_until_ready(data, 2, "--runs-dir", extra)
        totals = per_benchmark_totals()
        got = {r["id"]: (r["status"], r["instructions"]) for r in runs}
        self.assertEqual(got, {"up-A": ("ready", sum(v[0] for v in totals.values())),
                               B: ("ready", sum(v[1] for v in totals.values()))})
        db = sqlite3.connect(os.path.join(data, "index.sqlite"))
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], version)
        db.close()

if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
