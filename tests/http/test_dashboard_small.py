#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The small ones of issue #11 (item 18) on a real `tbscope serve`, the
pages drawn by headless Chromium (read back with --dump-dom): "1
malformed line" in the singular; the Total row under "Regressions only"
says it sums all benchmarks; the run page labels metadata keys and
formats their dates; without JavaScript a page says what it needs; the
text export (`?format=table`, `tbscope compare -f table`, the page's Text
link) has signs and thousands separators.

Usage: test_dashboard_small.py TBSCOPE_BINARY TEST_DATA_DIR

Expected figures come from FIXTURES.md through tbtest, never from tbscope.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from html import unescape

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A, B, link_tree, chromium  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])

META = {"commit_date": "2026-01-02T03:04:05Z", "compiler": "gcc 13.2"}


def pct(p):
    return "0.00 %" if p == 0 else "%+.2f %%" % p


class Small(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tbscope-small-")
        runs = os.path.join(cls.tmp.name, "runs")
        for rid, src, day in (("s1", A, 1), ("s2", B, 2)):
            dst = os.path.join(runs, rid)
            link_tree(os.path.join(DATA, "runs", src), dst)
            meta = {"series": "main", "timestamp": "2026-01-%02dT10:00:00Z" % day}
            if rid == "s1":
                meta.update(META)
                # one malformed line in one file (a copy, not the fixture)
                f = sorted(glob.glob(os.path.join(dst, "**", "*.qemu_out"), recursive=True))[0]
                with open(f, "rb") as src_f:
                    body = src_f.read()
                os.unlink(f)
                with open(f, "wb") as out:
                    out.write(body + b"this is not a hotblocks row\n")
            with open(os.path.join(dst, "tbscope-run.json"), "w") as f:
                json.dump(meta, f)
        cls.runs = runs
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", runs, "--sysroot",
                                tbtest.CROSS_SYSROOT, "--threads", "2")
        for rid in ("s1", "s2"):
            assert cls.srv.wait_ready(rid)["status"] == "ready", rid
        cls.totals = tbtest.per_benchmark_totals(DATA)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        cls.tmp.cleanup()
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    def dom(self, path):
        exe = chromium()
        if not exe:
            self.skipTest("no chromium")
        with tempfile.TemporaryDirectory(prefix="tbscope-chromium-") as prof:
            p = subprocess.run(
                [exe, "--headless", "--no-sandbox", "--disable-gpu",
                 "--user-data-dir=" + prof, "--virtual-time-budget=15000",
                 "--dump-dom", self.srv.url + path],
                capture_output=True, text=True, timeout=120)
        return p.stdout

    @staticmethod
    def text(html):
        return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))

    def test_one_malformed_line(self):
        run = self.srv.get_json("/api/v1/runs/s1")
        self.assertEqual(sum(b["malformed_lines"] for b in run["benchmarks"]), 1)
        text = self.text(self.dom("/compare/s1...s2"))
        self.assertIn("base: 1 malformed line (see s1 )", text)
        self.assertNotIn("malformed lines", text)

    def test_total_row_under_regressions_only(self):
        # B -> A: at 1 % three benchmarks regressed (FIXTURES.md)
        html = self.dom("/compare/s2...s1?regressions=1&threshold=1")
        rows = re.findall(r'<tr class="regressed[^"]*"', html)
        self.assertEqual(len(rows), 3)
        total = re.search(r'<tr class="total">(.*?)</tr>', html, re.S)
        self.assertIsNotNone(total)
        self.assertIn("all 6 benchmarks, not only those shown", self.text(total.group(1)))
        a = sum(t[0] for t in self.totals.values())
        self.assertIn("{:,}".format(a), self.text(total.group(1)))
        # all rows shown: a plain Total
        html = self.dom("/compare/s2...s1")
        total = re.search(r'<tr class="total">(.*?)</tr>', html, re.S)
        self.assertNotIn("not only those shown", total.group(1))

    def test_run_metadata_labels_and_dates(self):
        text = self.text(self.dom("/runs/s1"))
        self.assertIn("Commit date 2026-01-02 03:04 UTC", text)
        self.assertIn("Compiler gcc 13.2", text)
        self.assertNotIn("commit_date", text)
        self.assertNotIn("2026-01-02T03:04:05Z", text)

    def test_without_javascript(self):
        for page in ("/", "/compare/s1...s2", "/runs/s1", "/history?series=main"):
            status, _, body = self.srv.get(page)
            self.assertEqual(status, 200)
            m = re.search(r"<noscript>(.*?)</noscript>", body.decode(), re.S)
            self.assertIsNotNone(m, page)
            self.assertIn("needs JavaScript", m.group(1), page)

    def expected_table(self, base, new):
        """The rows of the table export of A -> B or B -> A, from FIXTURES."""
        idx = {A: 0, B: 1}
        lines = []
        for name in sorted(self.totals):
            a, b = self.totals[name][idx[base]], self.totals[name][idx[new]]
            lines.append("%-20s %15s %15s %15s %10s" % (
                name, "{:,}".format(a), "{:,}".format(b), "{:+,}".format(b - a),
                pct((b - a) * 100 / a)))
        ta = sum(t[idx[base]] for t in self.totals.values())
        tb = sum(t[idx[new]] for t in self.totals.values())
        lines.append("%-20s %15s %15s %15s %10s" % (
            "Total", "{:,}".format(ta), "{:,}".format(tb), "{:+,}".format(tb - ta),
            pct((tb - ta) * 100 / ta)))
        return lines

    def check_table(self, text, base, new):
        got = text.splitlines()
        for line in self.expected_table(base, new):
            self.assertIn(line, got)
        ratio, _ = tbtest.readme_geomean_pct(DATA)
        geo = (ratio if base == A else 1 / ratio) * 100 - 100
        self.assertIn(("%-20s %15s %15s %15s %10s" % ("Geomean", "", "", "", pct(geo))).rstrip(),
                      got)

    def test_text_export(self):
        status, headers, body = self.srv.get("/api/v1/compare/s2...s1?format=table")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        self.check_table(body.decode(), B, A)
        self.assertIn("6 regressed, 0 improved", body.decode())
        p = subprocess.run([TBSCOPE, "compare", "-q", "-f", "table",
                            os.path.join(DATA, "runs", A), os.path.join(DATA, "runs", B)],
                           capture_output=True, text=True, check=True)
        self.check_table(p.stdout, A, B)
        # the default text stays the spec-compare-helper table
        p = subprocess.run([TBSCOPE, "compare", "-q",
                            os.path.join(DATA, "runs", A), os.path.join(DATA, "runs", B)],
                           capture_output=True, text=True, check=True)
        self.assertTrue(p.stdout.startswith(tbtest.reference_table(DATA)))
        # the page's Text export is this table
        m = re.search(r'<a href="([^"]*)" id="export-text"', self.dom("/compare/s2...s1"))
        self.assertIsNotNone(m)
        self.assertIn("format=table", unescape(m.group(1)))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
