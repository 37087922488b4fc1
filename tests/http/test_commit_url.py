#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A run's commit link (issue #11, item 3) on a real `tbscope serve
--commit-url`: the API gives every run a "commit_url" (its metadata's
url, else the template with {commit} replaced; absent without either) in the run, the
runs list and the neighbours; the run page and the compare page link the
commit to it (drawn by headless Chromium, read back with --dump-dom); a
template without {commit} or not http(s) is refused.

Usage: test_commit_url.py TBSCOPE_BINARY TEST_DATA_DIR
"""
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

TEMPLATE = "https://git.example.org/llvm/commit/{commit}?from=tbscope"
RUNS = {  # id: (fixture run, day, metadata beyond series and timestamp)
    "c1": (A, 1, {"commit": "0123abcd4567"}),
    "c2": (B, 2, {"commit": "89ef/x y"}),  # odd: percent-encoded
    "c3": (A, 3, {"commit": "feedbeef", "url": "https://review.example.org/D42"}),
    "c4": (B, 4, {}),  # no commit: no link
}
WANT = {
    "c1": "https://git.example.org/llvm/commit/0123abcd4567?from=tbscope",
    "c2": "https://git.example.org/llvm/commit/89ef%2Fx%20y?from=tbscope",
    "c3": "https://review.example.org/D42",
    "c4": None,
}


class CommitUrl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tbscope-commit-")
        runs = os.path.join(cls.tmp.name, "runs")
        for rid, (src, day, meta) in RUNS.items():
            link_tree(os.path.join(DATA, "runs", src), os.path.join(runs, rid))
            meta = dict(meta, series="main", timestamp="2026-01-%02dT10:00:00Z" % day)
            with open(os.path.join(runs, rid, "tbscope-run.json"), "w") as f:
                json.dump(meta, f)
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", runs, "--sysroot",
                                tbtest.CROSS_SYSROOT, "--threads", "2",
                                "--commit-url", TEMPLATE)
        for rid in RUNS:
            assert cls.srv.wait_ready(rid)["status"] == "ready", rid

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        cls.tmp.cleanup()
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    def test_api(self):
        for rid, want in WANT.items():
            self.assertEqual(self.srv.get_json("/api/v1/runs/" + rid).get("commit_url"), want, rid)
        listed = {r["id"]: r.get("commit_url") for r in self.srv.get_json("/api/v1/runs")["runs"]}
        self.assertEqual(listed, WANT)
        n = self.srv.get_json("/api/v1/runs/c2/neighbours")
        self.assertEqual([n["previous"]["commit_url"], n["run"]["commit_url"],
                          n["next"]["commit_url"]], [WANT["c1"], WANT["c2"], WANT["c3"]])
        # the user's metadata is left as it was
        self.assertNotIn("url", self.srv.get_json("/api/v1/runs/c1")["meta"])

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

    def links(self, html):
        return [unescape(h) for h in
                re.findall(r'<a href="([^"]*)"[^>]*class="[^"]*commit-link', html)]

    def test_pages_link_the_commit(self):
        self.assertEqual(self.links(self.dom("/runs/c1")), [WANT["c1"]])
        self.assertEqual(self.links(self.dom("/runs/c4")), [])
        self.assertEqual(self.links(self.dom("/compare/c2...c3")), [WANT["c2"], WANT["c3"]])

    def test_bad_template_is_refused(self):
        for bad in ("https://example.org/commit/", "ftp://example.org/{commit}"):
            p = subprocess.run([TBSCOPE, "serve", "--data", self.tmp.name + "/d",
                                "--listen", "127.0.0.1:0", "--commit-url", bad],
                               capture_output=True, text=True, timeout=30)
            self.assertNotEqual(p.returncode, 0, bad)
            self.assertIn("--commit-url", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
