#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compressed answers (issue #11, item 15) on a real `tbscope serve`.

The coding follows the request's Accept-Encoding (q=0 refuses one);
a gzip or brotli answer decompresses to exactly the identity answer's
bytes; every compressible answer says Vary: Accept-Encoding; small
answers stay identity; static files are the web/ files themselves.

Usage: test_compression.py TBSCOPE_BINARY TEST_DATA_DIR

gzip is undone by Python's zlib, brotli by Node's zlib (its own copy of
the brotli decoder), never by tbscope.
"""
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A, B, link_tree  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
WEB = os.path.join(ROOT, "web")


def unbrotli(data):
    """Brotli-decode data with Node's zlib."""
    return subprocess.run(
        ["node", "-e", "process.stdout.write(require('zlib').brotliDecompressSync("
         "require('fs').readFileSync(0)))"],
        input=data, stdout=subprocess.PIPE, check=True).stdout


class Compression(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tbscope-gzip-")
        runs = os.path.join(cls.tmp.name, "runs")
        for day, rid in enumerate([A, B], 1):
            link_tree(os.path.join(DATA, "runs", rid), os.path.join(runs, rid))
            with open(os.path.join(runs, rid, "tbscope-run.json"), "w") as f:
                json.dump({"series": "main", "timestamp": "2026-01-%02dT10:00:00Z" % day}, f)
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", runs, "--threads", "2")
        for rid in (A, B):
            assert cls.srv.wait_ready(rid)["status"] == "ready", rid
        html = cls.srv.get("/")[2].decode()
        cls.static = re.search(r'/static/[0-9a-f]{12}/', html).group(0)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        cls.tmp.cleanup()
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    def get(self, path, accept=None, extra=None):
        headers = dict(extra or {})
        if accept is not None:
            headers["Accept-Encoding"] = accept
        status, headers, body = self.srv.get(path, headers)
        self.assertEqual(status, 200, (path, body[:300]))
        return headers, body

    # answers of each kind: static files, pages, JSON (small and large)
    def paths(self):
        return [
            self.static + "chart.umd.js",
            self.static + "app.css",
            self.static + "lib.js",
            "/",
            "/compare/%s...%s" % (A, B),
            "/api/v1/runs/" + A,
            "/api/v1/compare/%s...%s/612.matmul_r?function=main" % (A, B),
        ]

    def test_codings_decompress_to_the_identity_bytes(self):
        for path in self.paths():
            with self.subTest(path=path):
                h0, ident = self.get(path)
                self.assertNotIn("content-encoding", h0)
                self.assertIn("Accept-Encoding", h0.get("vary", ""))
                self.assertGreaterEqual(len(ident), 1024)
                for accept, coding, undo in (("gzip", "gzip", gzip.decompress),
                                             ("br", "br", unbrotli),
                                             ("gzip, deflate, br", "br", unbrotli)):
                    # twice: the second answer is the answer cache's
                    for _ in range(2):
                        h, body = self.get(path, accept)
                        self.assertEqual(h.get("content-encoding"), coding, accept)
                        self.assertIn("Accept-Encoding", h.get("vary", ""))
                        self.assertEqual(int(h["content-length"]), len(body))
                        self.assertLess(len(body), len(ident))
                        self.assertEqual(undo(body), ident, accept)
                        self.assertNotEqual(h["etag"], h0["etag"])

    def test_static_files_are_the_web_files(self):
        for name, path in (("app.css", os.path.join(WEB, "app.css")),
                           ("main.js", os.path.join(WEB, "main.js")),
                           ("chart.umd.js", os.path.join(WEB, "node_modules", "chart.js",
                                                         "dist", "chart.umd.js"))):
            with open(path, "rb") as f:
                want = f.read()
            with self.subTest(name=name):
                self.assertEqual(self.get(self.static + name)[1], want)
                self.assertEqual(gzip.decompress(self.get(self.static + name, "gzip")[1]), want)
                self.assertEqual(unbrotli(self.get(self.static + name, "br")[1]), want)

    def test_q0_refuses_a_coding(self):
        path = "/api/v1/runs/" + A
        _, ident = self.get(path)
        for accept, coding in (("gzip;q=0", None),
                               ("gzip; q=0.000", None),
                               ("br;q=0, gzip;q=0", None),
                               ("*;q=0", None),
                               ("identity", None),
                               ("deflate", None),
                               ("br;q=0, gzip", "gzip"),
                               ("br;q=0.5, gzip;q=0.8", "gzip"),
                               ("GZIP;Q=1", "gzip"),
                               ("x-gzip", "gzip"),
                               ("*", "br"),
                               ("gzip;q=0, *;q=0.1", "br"),
                               ("gzip;q=2", None)):  # malformed: not acceptable
            with self.subTest(accept=accept):
                h, body = self.get(path, accept)
                self.assertEqual(h.get("content-encoding"), coding)
                self.assertIn("Accept-Encoding", h.get("vary", ""))
                undo = {None: lambda b: b, "gzip": gzip.decompress, "br": unbrotli}[coding]
                self.assertEqual(undo(body), ident)

    def test_small_answers_stay_identity(self):
        h, body = self.get("/api/v1/regressions", "gzip, br")
        self.assertLess(len(body), 1024)
        self.assertNotIn("content-encoding", h)
        json.loads(body)

    def test_not_modified_per_coding(self):
        path = self.static + "app.css"
        h, _ = self.get(path, "gzip")
        status, h304, body = self.srv.get(path, {"Accept-Encoding": "gzip",
                                                 "If-None-Match": h["etag"]})
        self.assertEqual((status, body), (304, b""))
        self.assertIn("Accept-Encoding", h304.get("vary", ""))
        # the gzip ETag does not name the identity bytes
        status, _, body = self.srv.get(path, {"If-None-Match": h["etag"]})
        self.assertEqual(status, 200)
        self.assertGreater(len(body), 0)

    def test_head_sends_the_coded_length(self):
        path = self.static + "chart.umd.js"
        h, body = self.get(path, "gzip")
        status, hh, hbody = self.srv.request("HEAD", path, headers={"Accept-Encoding": "gzip"})
        self.assertEqual((status, hbody), (200, b""))
        self.assertEqual(hh.get("content-encoding"), "gzip")
        self.assertEqual(int(hh["content-length"]), len(body))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
