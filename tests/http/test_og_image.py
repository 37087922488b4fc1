#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Link previews on a real `tbscope serve` (issue #11, item 17): every page
names an absolute og:image; the image answers 200 image/png, is a valid
PNG of 1200x630 (decoded here: IHDR, zlib, the five PNG filters) that is
not blank, draws regressions red and improvements green, is cached like
any immutable answer when it shows fixed runs, and survives odd UTF-8 in
the names it draws.  The compare page's preview names its worst benchmark.

Usage: test_og_image.py TBSCOPE_BINARY TEST_DATA_DIR

Expected figures (which benchmark is worst, by how much) come from
FIXTURES.md through tbtest, never from tbscope.
"""
import io
import json
import os
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zlib
from html import unescape

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A, B, link_tree  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])

WIDTH, HEIGHT = 1200, 630  # documented in README.md and og_image.h
ODD_SERIES = "s\u00e9rie-\u202e-\u200b-" + "\U0001F600\u0301" * 150 + "\ufffd"
RUNS = {  # id: (fixture run, series, day of January 2026)
    "m1": (A, "main", 1),
    "m2": (B, "main", 2),
    "m3": (A, "main", 3),
    "odd": (B, ODD_SERIES, 4),
}
BENCH = "612.matmul_r"


def decode_png(data):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    pos, idat, ihdr, seen_end = 8, b"", None, False
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            seen_end = True
        pos += 12 + length
    assert ihdr and seen_end
    width, height, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    assert len(raw) == height * (stride + 1), (len(raw), width, height)
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
            else:
                assert f == 0, f
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return width, height, rows


def reddish(px):
    return px[0] > 150 and px[1] < 90 and px[2] < 90


def greenish(px):
    return px[1] > 90 and px[0] < 90 and px[2] < 90


class OgImage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tbscope-og-")
        runs = os.path.join(cls.tmp.name, "runs")
        for rid, (src, series, day) in RUNS.items():
            link_tree(os.path.join(DATA, "runs", src), os.path.join(runs, rid))
            meta = {"timestamp": "2026-01-%02dT10:00:00Z" % day, "series": series}
            with open(os.path.join(runs, rid, "tbscope-run.json"), "w") as f:
                json.dump(meta, f)
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", runs, "--sysroot",
                                tbtest.CROSS_SYSROOT, "--threads", "2")
        for rid in RUNS:
            assert cls.srv.wait_ready(rid)["status"] == "ready", rid
        cls.totals = tbtest.per_benchmark_totals(DATA)
        # uploaded runs never change: their images are immutable
        token = subprocess.run([TBSCOPE, "token", "--data", cls.srv.data, "add", "ci"],
                               capture_output=True, text=True, check=True).stdout.strip()
        for rid, src in (("u1", A), ("u2", B)):
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w:gz") as t:
                t.add(os.path.join(DATA, "runs", src), arcname=src)
            status, _, body = cls.srv.request(
                "POST", "/api/v1/runs?name=%s&series=up&wait=1" % rid, buf.getvalue(),
                {"Authorization": "Bearer " + token})
            assert status in (200, 201), (status, body[:300])

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        cls.tmp.cleanup()
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    def meta(self, page, prop):
        status, _, body = self.srv.get(page)
        self.assertEqual(status, 200, page)
        m = re.search(r'<meta (?:property|name)="%s" content="([^"]*)">' % re.escape(prop),
                      body.decode())
        return unescape(m.group(1)) if m else None

    def image_of(self, page):
        """The page's og:image, fetched: (headers, width, height, rows)."""
        url = self.meta(page, "og:image")
        self.assertIsNotNone(url, page)
        self.assertTrue(url.startswith(self.srv.url + "/og/") or url == self.srv.url + "/og",
                        (page, url))
        path = url[len(self.srv.url):]
        status, headers, body = self.srv.get(path)
        self.assertEqual(status, 200, (path, body[:200]))
        self.assertEqual(headers["content-type"], "image/png", path)
        w, h, rows = decode_png(body)
        self.assertEqual((w, h), (WIDTH, HEIGHT), path)
        colours = {px for row in rows[::3] for px in row[::3]}
        self.assertGreater(len(colours), 20, "%s looks blank" % path)
        return headers, body, rows

    def test_every_page_has_an_image(self):
        reg = self.srv.get_json("/api/v1/regressions")["regressions"]
        self.assertTrue(reg)
        pages = ["/", "/?series=main", "/compare/m1...m2", "/compare/m1...m2/" + BENCH,
                 "/runs/m1", "/runs/m1/" + BENCH, "/history/%s?series=main" % BENCH,
                 "/history/" + BENCH, "/history", "/history?series=main",
                 "/regressions", "/regressions/%d" % reg[0]["id"]]
        for page in pages:
            with self.subTest(page=page):
                self.image_of(page)
                self.assertEqual(self.meta(page, "og:url"),
                                 self.srv.url + page)

    def test_no_image_where_there_is_nothing(self):
        status, _, body = self.srv.get("/runs/nope")
        self.assertEqual(status, 404)
        self.assertNotIn(b"og:image", body)
        for path in ("/og/runs/nope", "/og/compare/m1...nope", "/og/history/nope",
                     "/og/nowhere", "/og/runs/m1/nope"):
            status, headers, _ = self.srv.get(path)
            self.assertEqual(status, 404, path)
            self.assertIn("application/json", headers["content-type"])
        # not a range at all: 400, with the 400's code (found by fuzz_api)
        status, _, body = self.srv.get("/og/compare/'")
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["error"]["code"], "bad_request")

    def changes(self, base, new):
        cb = {b: ab[0 if RUNS[base][0] == A else 1] for b, ab in self.totals.items()}
        cn = {b: ab[0 if RUNS[new][0] == A else 1] for b, ab in self.totals.items()}
        return {b: (cn[b] - cb[b]) * 100 / cb[b] for b in cb}

    def test_colours_follow_the_changes(self):
        # B -> A: every benchmark regressed (FIXTURES.md); A -> B: improved
        self.assertTrue(all(p > 0 for p in self.changes("m2", "m3").values()))
        self.assertTrue(all(p < 0 for p in self.changes("m1", "m2").values()))
        _, _, worse = self.image_of("/compare/m2...m3")
        _, _, better = self.image_of("/compare/m1...m2")
        count = lambda rows, f: sum(f(px) for row in rows for px in row)  # noqa: E731
        self.assertGreater(count(worse, reddish), 2000)
        self.assertEqual(count(worse, greenish), 0)
        self.assertGreater(count(better, greenish), 2000)
        self.assertEqual(count(better, reddish), 0)
        # history m1 (A) -> m2 (B) -> m3 (A): a step down, then up
        for page in ("/history/%s?series=main" % BENCH, "/history?series=main"):
            _, _, rows = self.image_of(page)
            self.assertGreater(count(rows, greenish), 100, page)
            self.assertGreater(count(rows, reddish), 100, page)

    def test_preview_names_the_worst_benchmark(self):
        pcts = self.changes("m2", "m3")
        worst = max(pcts, key=pcts.get)
        want = "Worst: %s %+.2f %%." % (worst, pcts[worst])
        self.assertIn(want, self.meta("/compare/m2...m3", "og:description"))
        self.assertNotIn("Worst:", self.meta("/compare/m1...m2", "og:description"))

    def test_images_are_cached_as_their_answers(self):
        # runs in a --runs-dir may change: revalidated, as the API's answer
        _, api, _ = self.srv.get("/api/v1/compare/m1...m2")
        _, img, _ = self.srv.get("/og/compare/m1...m2")
        self.assertEqual(img["cache-control"], api["cache-control"])
        self.assertNotIn("immutable", img["cache-control"])
        path = "/og/compare/u1...u2"
        self.assertEqual(self.meta("/compare/u1...u2", "og:image"), self.srv.url + path)
        status, headers, body = self.srv.get(path)
        self.assertEqual(status, 200)
        self.assertIn("immutable", headers["cache-control"])
        etag = headers["etag"]
        status, headers2, body2 = self.srv.get(path)
        self.assertEqual((body2, headers2["etag"]), (body, etag))
        status, _, _ = self.srv.get(path, headers={"If-None-Match": etag})
        self.assertEqual(status, 304)
        # the threshold is part of the permalink, and of the image's URL
        url = self.meta("/compare/u1...u2?threshold=5", "og:image")
        self.assertEqual(url, self.srv.url + "/og/compare/u1...u2?threshold=5")
        status, _, other = self.srv.get("/og/compare/u1...u2?threshold=5")
        self.assertEqual(status, 200)
        self.assertNotEqual(other, body)  # fewer changes: grey bars

    def test_odd_names(self):
        enc = "/?series=" + "".join("%%%02X" % b for b in ODD_SERIES.encode())
        self.image_of(enc)
        self.image_of("/runs/odd")
        for path in ("/og/?series=%FF%FE%C0%80", "/og/history?series=%FF%00x",
                     "/og/history?series=" + "%F0%9F%98%80" * 400):
            status, headers, body = self.srv.get(path)
            self.assertLess(status, 500, path)
            if status == 200:
                self.assertEqual(decode_png(body)[:2], (WIDTH, HEIGHT))
        self.assertEqual(self.srv.get("/api/v1/runs")[0], 200)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
