#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regressions: detection per series, triage, permissions, feed, webhooks.

A real `tbscope serve` receives a series of runs made from the two fixture
runs (A: gcc -O2, B: gcc -O3) by curl uploads with explicit timestamps.
The changes expected come from the fixtures' README (FIXTURES.md, the
per-benchmark totals table): B has fewer instructions than A in every
benchmark, so A -> B is six improvements and B -> A six regressions of
exactly A - B instructions each.

Usage: test_regressions.py TBSCOPE_BINARY TEST_DATA_DIR
"""
import hashlib
import http.server
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
try:
    import feedparser  # Debian's python3-feedparser
except ImportError:  # a Python of its own (pyenv, venv): Debian's copy
    sys.path.append("/usr/lib/python3/dist-packages")
    import feedparser  # noqa: E402
from tbtest import A, B  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
RUNS = os.path.join(DATA, "runs")
TOTALS = tbtest.per_benchmark_totals(DATA)  # {bench: (A, B)}
MATMUL = "612.matmul_r"


def add_token(data_dir, name, scope=None):
    cmd = [TBSCOPE, "token", "--data", data_dir, "add", name]
    if scope:
        cmd[4:4] = ["--scope", scope]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return p.stdout.strip()


def tar_gz(src_dir, arcname):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(src_dir, arcname=arcname)
    return buf.getvalue()


def upload(srv, token, name, body, series="main", ts=None):
    q = "/api/v1/runs?name=%s&series=%s&wait=1" % (name, series)
    if ts:
        q += "&timestamp=" + ts
    status, _, data = srv.request("POST", q, body=body,
                                  headers={"Authorization": "Bearer " + token})
    return status, json.loads(data) if data else None


def patch(srv, token, rid, obj):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    status, _, data = srv.request("PATCH", "/api/v1/regressions/%d" % rid,
                                  body=json.dumps(obj).encode(), headers=headers)
    return status, json.loads(data)


def regressions(srv, query=""):
    return srv.get_json("/api/v1/regressions" + query)["regressions"]


def ts(hour, minute=0):
    return "2026-01-01T%02d:%02d:00Z" % (hour, minute)


def expect_changes(base_side, new_side, benches=None):
    """The changes base -> new (sides "A"/"B") from the README's table."""
    out = {}
    for b, (a, bb) in TOTALS.items():
        if benches is not None and b not in benches:
            continue
        base = a if base_side == "A" else bb
        new = a if new_side == "A" else bb
        if base != new:
            out[b] = ("regressed" if new > base else "improved", base, new)
    return out


def changes_of(row):
    return {c["benchmark"]: (c["change"], c["base"], c["new"]) for c in row["changes"]}


class Receiver:
    """A webhook receiver on 127.0.0.1: answers 503 to the first `fail`
    POSTs, then 200; keeps the bodies of the accepted ones."""

    def __init__(self, fail=0):
        self.fail = fail
        self.attempts = 0
        self.bodies = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                outer.attempts += 1
                if outer.attempts <= outer.fail:
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.bodies.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/hook" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Series(unittest.TestCase):
    """Eight runs of series main (s1..s8), one failed upload, s7 out of order:

    s1 A, s2 A (unchanged), s7 B (uploaded last, between s2 and s3: an
    improvement), s3 B (unchanged from s7), s4 A (the regression), s5 A
    without 612.matmul_r (a missing benchmark), s6 B (an improvement; both
    regressions look fixed, two runs after s4), s8 B (unchanged).
    """

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-regress-")
        cls.hook = Receiver(fail=2)
        cls.srv = tbtest.Server(TBSCOPE, "--threads", "4", "--notify", cls.hook.url)
        cls.up = add_token(cls.srv.data, "ci")
        cls.triager = add_token(cls.srv.data, "alice", "triage,read")
        # A without 612.matmul_r: a run with a missing benchmark
        cls.a_minus = os.path.join(cls.tmp, "a-minus")
        shutil.copytree(os.path.join(RUNS, A), cls.a_minus)
        shutil.rmtree(os.path.join(cls.a_minus, "External", "SPEC", "CFP2017rate", MATMUL))
        a, b = tar_gz(os.path.join(RUNS, A), "r"), tar_gz(os.path.join(RUNS, B), "r")
        am = tar_gz(cls.a_minus, "r")
        cls.plan = [("s1", a, ts(1)), ("s2", a, ts(2)), ("s3", b, ts(3)),
                    ("s4", a, ts(4)), ("s5", am, ts(5)), ("s6", b, ts(6)),
                    ("s8", b, ts(7))]
        cls.answers = {}
        for name, body, t in cls.plan:
            cls.answers[name] = upload(cls.srv, cls.up, name, body, ts=t)
        # a failed upload: not a tar archive
        cls.failed = upload(cls.srv, cls.up, "s6b", b"this is not an archive", ts=ts(6, 30))
        cls.runs_before_s7 = cls.srv.get_json("/api/v1/runs?series=main")["total"]
        # out of order: between s2 and s3
        cls.answers["s7"] = upload(cls.srv, cls.up, "s7", b, ts=ts(2, 30))
        # another series never mixes with main
        cls.answers["o1"] = upload(cls.srv, cls.up, "o1", b, series="other", ts=ts(1))
        cls.answers["o2"] = upload(cls.srv, cls.up, "o2", a, series="other", ts=ts(2))

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        cls.hook.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    def row(self, base, new, kind="regression", stale=False):
        rows = regressions(self.srv, "?series=main&kind=%s&stale=1" % kind)
        found = [r for r in rows if (r["base"], r["new"]) == (base, new)]
        self.assertEqual(len(found), 1, rows)
        self.assertEqual(found[0]["stale"], stale)
        return found[0]

    def test_uploads(self):
        for name, (status, ans) in self.answers.items():
            self.assertEqual(status, 201, (name, ans))
        self.assertEqual(self.failed[0], 400, self.failed)
        self.assertEqual(self.runs_before_s7, 7)  # the failed upload is no run
        runs = self.srv.get_json("/api/v1/runs?series=main")["runs"]
        self.assertEqual([r["id"] for r in runs],
                         ["s8", "s6", "s5", "s4", "s3", "s7", "s2", "s1"])

    def test_exactly_the_expected_pairs(self):
        regs = regressions(self.srv, "?series=main")
        self.assertEqual([(r["base"], r["new"]) for r in regs],
                         [("s4", "s5"), ("s3", "s4")])  # newest first
        imps = regressions(self.srv, "?series=main&kind=improvement")
        self.assertEqual([(r["base"], r["new"]) for r in imps],
                         [("s5", "s6"), ("s2", "s7")])
        # with the stale: s2 -> s3 was a pair until s7 came between them
        stale = regressions(self.srv, "?series=main&kind=improvement&stale=1")
        self.assertEqual([(r["base"], r["new"], r["stale"]) for r in stale],
                         [("s5", "s6", False), ("s2", "s3", True), ("s2", "s7", False)])
        self.assertEqual(len(regressions(self.srv, "?series=main&stale=1")), 2)

    def test_regression_counts(self):
        r = self.row("s3", "s4")
        self.assertEqual(changes_of(r), expect_changes("B", "A"))
        self.assertEqual(r["counts"]["regressed"], 6)
        for c in r["changes"]:
            a, b = TOTALS[c["benchmark"]]
            self.assertEqual(c["delta"], a - b)
            self.assertAlmostEqual(c["delta_pct"], (a - b) * 100 / b, places=9)
            self.assertTrue(c["function"], c)
            self.assertGreater(c["function_delta"], 0)
        self.assertEqual(r["state"], "new")
        self.assertEqual(r["url"], "/regressions/%d" % r["id"])

    def test_missing_benchmark_is_a_change(self):
        r = self.row("s4", "s5")
        self.assertEqual(changes_of(r), {MATMUL: ("missing", TOTALS[MATMUL][0], 0)})

    def test_improvements(self):
        r = self.row("s5", "s6", "improvement")
        want = expect_changes("A", "B", set(TOTALS) - {MATMUL})
        want[MATMUL] = ("added", 0, TOTALS[MATMUL][1])
        self.assertEqual(changes_of(r), want)
        self.assertIsNone(r["state"])  # not triaged
        self.assertEqual(changes_of(self.row("s2", "s7", "improvement")),
                         expect_changes("A", "B"))

    def test_looks_fixed(self):
        # s6 brings every benchmark of both regressions back
        self.assertEqual(self.row("s3", "s4")["looks_fixed_by"], "s6")
        self.assertEqual(self.row("s4", "s5")["looks_fixed_by"], "s6")

    def test_series_are_apart(self):
        other = regressions(self.srv, "?series=other")
        self.assertEqual([(r["base"], r["new"]) for r in other], [("o1", "o2")])
        self.assertEqual(changes_of(other[0]), expect_changes("B", "A"))
        self.assertEqual([(r["base"], r["new"]) for r in regressions(self.srv, "?run=s5")],
                         [("s4", "s5")])
        self.assertEqual([(r["base"], r["new"]) for r in
                          regressions(self.srv, "?base=s3&new=s4")], [("s3", "s4")])
        self.assertEqual(regressions(self.srv, "?base=s4&new=s4"), [])
        self.assertEqual([(r["base"], r["new"]) for r in
                          regressions(self.srv, "?new=s3&kind=improvement&stale=1")],
                         [("s2", "s3")])

    def test_bad_queries(self):
        for q in ("?state=bogus", "?kind=x", "?limit=0"):
            status, _, _ = self.srv.get("/api/v1/regressions" + q)
            self.assertEqual(status, 400, q)
        for p in ("/api/v1/regressions/0", "/api/v1/regressions/abc",
                  "/api/v1/regressions/999999"):
            status, _, _ = self.srv.get(p)
            self.assertEqual(status, 404, p)

    def test_permissions(self):
        rid = self.row("s3", "s4")["id"]
        status, body = patch(self.srv, None, rid, {"state": "acknowledged"})
        self.assertEqual(status, 401, body)
        status, body = patch(self.srv, self.up, rid, {"state": "acknowledged"})
        self.assertEqual(status, 403, body)
        status, body = patch(self.srv, "tbs_" + "0" * 64, rid, {"state": "acknowledged"})
        self.assertEqual(status, 401, body)
        self.assertEqual(self.srv.get_json("/api/v1/regressions/%d" % rid)["history"], [])
        # a triage-only token cannot upload
        status, _ = upload(self.srv, self.triager, "nope", b"x")
        self.assertEqual(status, 403)

    def test_patch_validation(self):
        rid = self.row("s4", "s5")["id"]
        for obj in ({"state": "done"}, {"links": [{"kind": "bug", "url": "javascript:alert(1)"}]},
                    {"note": 3}, {"frob": 1}, {}):
            status, body = patch(self.srv, self.triager, rid, obj)
            self.assertEqual(status, 400, (obj, body))
        # improvements are not triaged
        iid = self.row("s5", "s6", "improvement")["id"]
        status, _ = patch(self.srv, self.triager, iid, {"state": "acknowledged"})
        self.assertEqual(status, 404)

    def test_triage_and_feed(self):
        rid = self.row("s4", "s5")["id"]
        links = [{"kind": "bug", "url": "https://bugs.example/42"}]
        status, body = patch(self.srv, self.triager, rid,
                             {"state": "investigating", "note": "matmul <b>gone</b>",
                              "links": links})
        self.assertEqual(status, 200, body)
        r = self.srv.get_json("/api/v1/regressions/%d" % rid)
        self.assertEqual((r["state"], r["state_by"], r["note"], r["links"]),
                         ("investigating", "alice", "matmul <b>gone</b>", links))
        self.assertEqual([(h["who"], h["state"]) for h in r["history"]],
                         [("alice", "investigating")])
        self.assertEqual([x["id"] for x in regressions(self.srv, "?series=main&state=investigating")],
                         [rid])
        self.assertNotIn(rid, [x["id"] for x in regressions(self.srv, "?state=closed")])
        status, _, feed = self.srv.get("/feeds/regressions.atom?series=main")
        self.assertEqual(status, 200)
        entry = [e for e in feedparser.parse(feed).entries
                 if e.id.endswith("/regressions/%d" % rid)][0]
        self.assertIn("state investigating", entry.title)
        self.assertGreaterEqual(entry.updated, entry.published)

    def test_feed_parses_and_links_to_permalinks(self):
        status, headers, body = self.srv.get("/feeds/regressions.atom?series=main")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("application/atom+xml"))
        f = feedparser.parse(body)
        self.assertFalse(f.bozo, f.get("bozo_exception"))
        self.assertEqual(f.version, "atom10")
        regs = regressions(self.srv, "?series=main")
        self.assertEqual(len(f.entries), len(regs))
        for e, r in zip(f.entries, regs):
            self.assertEqual(e.id, "%s/regressions/%d" % (self.srv.url, r["id"]))
            self.assertEqual(e.link, e.id)
            self.assertTrue(e.updated_parsed and e.published_parsed)
            path = e.link[len(self.srv.url):]
            status, _, page = self.srv.get(path)
            self.assertEqual(status, 200, path)
            self.assertIn(b'property="og:title" content="Regression #%d' % r["id"], page)
        # the same feed again: the same ids
        again = feedparser.parse(self.srv.get("/feeds/regressions.atom?series=main")[2])
        self.assertEqual([e.id for e in again.entries], [e.id for e in f.entries])
        # one series only
        other = feedparser.parse(self.srv.get("/feeds/regressions.atom?series=other")[2])
        self.assertEqual(len(other.entries), 1)
        self.assertIn("in series other", other.feed.title)

    def test_webhook_once_per_regression_after_failures(self):
        # three regressions opened (main: 2, other: 1); the receiver
        # refused the first two attempts
        end = time.time() + 30
        while time.time() < end and len(self.hook.bodies) < 3:
            time.sleep(0.1)
        time.sleep(1.5)  # nothing more may come
        ids = sorted(b["id"] for b in self.hook.bodies)
        want = sorted(r["id"] for r in regressions(self.srv, "?stale=1"))
        self.assertEqual(ids, want)
        for b in self.hook.bodies:
            self.assertIn("Regression #%d" % b["id"], b["text"])
            self.assertIn("/regressions/%d" % b["id"], b["text"])
        self.assertGreaterEqual(self.hook.attempts, 5)

    def test_markdown_list(self):
        status, headers, body = self.srv.get("/api/v1/regressions?series=main&format=markdown")
        self.assertEqual(status, 200)
        text = body.decode()
        a, b = TOTALS["612.matmul_r"]
        self.assertIn("+{:,}".format(a - b), text)
        self.assertIn("%+.2f %%" % ((a - b) * 100 / b), text)


class Durability(unittest.TestCase):
    """Triage survives reindex, restart, and kill -9 in the middle of PATCHes."""

    def test_reindex_restart_kill(self):
        srv = tbtest.Server(TBSCOPE, "--threads", "4")
        try:
            up = add_token(srv.data, "ci")
            tri = add_token(srv.data, "bob", "triage")
            a, b = tar_gz(os.path.join(RUNS, A), "r"), tar_gz(os.path.join(RUNS, B), "r")
            for name, body, t in (("d1", b, ts(1)), ("d2", a, ts(2))):
                self.assertEqual(upload(srv, up, name, body, ts=t)[0], 201)
            (reg,) = regressions(srv)
            rid = reg["id"]
            status, _ = patch(srv, tri, rid, {"state": "expected", "note": "O2 on purpose"})
            self.assertEqual(status, 200)
            self.assertEqual(srv.stop(), 0)
            # reindex rebuilds index.sqlite; the triage store stays
            subprocess.run([TBSCOPE, "reindex", "--data", srv.data], check=True,
                           capture_output=True)
            srv.start()
            r = srv.get_json("/api/v1/regressions/%d" % rid)
            self.assertEqual((r["state"], r["note"], r["base"], r["new"]),
                             ("expected", "O2 on purpose", "d1", "d2"))
            self.assertEqual([x["id"] for x in regressions(srv)], [rid])

            # kill -9 while PATCHes are being answered
            done = []
            stop = threading.Event()

            def hammer():
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        status, _ = patch(srv, tri, rid, {"note": "note %d" % n})
                    except Exception:
                        return
                    if status == 200:
                        done.append(n)

            th = threading.Thread(target=hammer)
            th.start()
            time.sleep(1.0)
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait()
            stop.set()
            th.join()
            srv.proc.stdout.close()
            self.assertGreater(len(done), 3)
            db = sqlite3.connect(os.path.join(srv.data, "triage.sqlite"))
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            db.close()
            srv.start()
            r = srv.get_json("/api/v1/regressions/%d" % rid)
            notes = [h["note"] for h in r["history"]]
            for n in done:  # every answered PATCH is there
                self.assertIn("note %d" % n, notes)
            self.assertEqual(r["state"], "expected")
            # ids are never reused: a new regression gets a larger id
            self.assertEqual(upload(srv, up, "d3", b, ts=ts(3))[0], 201)
            self.assertEqual(upload(srv, up, "d4", a, ts=ts(4))[0], 201)
            self.assertGreater(regressions(srv)[0]["id"], rid)
        finally:
            srv.stop()
            srv.close()


def client_upload(srv, token, name, run, series, stamp, *extra):
    tokfile = os.path.join(srv.tmp, "token-" + name)
    with open(tokfile, "w") as f:
        f.write(token + "\n")
    return subprocess.run(
        [TBSCOPE, "upload", "--server", srv.url, "--token-file", tokfile, "--name", name,
         "--series", series, "--meta", "timestamp=" + stamp, *extra, os.path.join(RUNS, run)],
        capture_output=True, text=True)


class Commands(unittest.TestCase):
    """The CI gate, `tbscope regressions`, per-series thresholds, backup."""

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--threads", "4")
        cls.up = add_token(cls.srv.data, "ci")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        cls.srv.close()

    def cli(self, *args):
        return subprocess.run([TBSCOPE, *args], capture_output=True, text=True)

    def test_ci_gate_and_listing(self):
        p = client_upload(self.srv, self.up, "g1", B, "gate", ts(1), "--fail-on-regression")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = client_upload(self.srv, self.up, "g2", A, "gate", ts(2), "--fail-on-regression")
        self.assertEqual(p.returncode, 3, p.stderr)
        (reg,) = regressions(self.srv, "?series=gate")
        self.assertIn("Regression #%d" % reg["id"], p.stdout)
        self.assertIn("Permalink: %s/regressions/%d" % (self.srv.url, reg["id"]), p.stdout)
        a, b = TOTALS[MATMUL]
        self.assertIn("+{:,}".format(a - b), p.stdout)
        self.assertIn("opened a regression", p.stderr)
        # back to B: an improvement, the gate passes
        p = client_upload(self.srv, self.up, "g3", B, "gate", ts(3), "--fail-on-regression")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        p = self.cli("regressions", "--data", self.srv.data, "--series", "gate", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = json.loads(p.stdout)["regressions"]
        self.assertEqual([(r["base"], r["new"], r["looks_fixed_by"]) for r in rows],
                         [("g1", "g2", "g3")])
        p = self.cli("regressions", "--server", self.srv.url, "--series", "gate", "--state", "open")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"#%d\s+gate\s+g1 -> g2\s+new\s+6 benchmarks; %s \+%.2f %%"
                         % (reg["id"], MATMUL, (a - b) * 100 / b))
        self.assertIn("looks fixed by g3", p.stdout)
        p = self.cli("regressions", "--data", self.srv.data, "--series", "gate", "--state", "fixed")
        self.assertEqual((p.returncode, p.stdout), (0, ""))
        p = self.cli("regressions", "--data", self.srv.data, "--format", "markdown", "--series", "gate")
        self.assertIn("| `%s` | regressed |" % MATMUL, p.stdout)
        self.assertEqual(self.cli("regressions", "--state", "bogus").returncode, 2)

    def test_series_threshold(self):
        p = self.cli("regressions", "--data", self.srv.data, "--series", "thr",
                     "--set-threshold", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        b, a = tar_gz(os.path.join(RUNS, B), "r"), tar_gz(os.path.join(RUNS, A), "r")
        self.assertEqual(upload(self.srv, self.up, "t1", b, series="thr", ts=ts(1))[0], 201)
        self.assertEqual(upload(self.srv, self.up, "t2", a, series="thr", ts=ts(2))[0], 201)
        (reg,) = regressions(self.srv, "?series=thr")
        want = {k: v for k, v in expect_changes("B", "A").items()
                if (v[2] - v[1]) * 100 / v[1] > 3}
        self.assertEqual(sorted(want), ["600.lzpack_r", MATMUL])  # 3.68 %, 24.60 %
        self.assertEqual(changes_of(reg), want)

    def test_backup(self):
        dest = os.path.join(self.srv.tmp, "backup")
        p = self.cli("backup", "--data", self.srv.data, dest)
        self.assertEqual(p.returncode, 0, p.stderr)
        db = sqlite3.connect(os.path.join(dest, "triage.sqlite"))
        live = sqlite3.connect(os.path.join(self.srv.data, "triage.sqlite"))
        q = "SELECT id, series, base_run, new_run, state FROM regressions ORDER BY id"
        self.assertEqual(db.execute(q).fetchall(), live.execute(q).fetchall())
        db.close()
        live.close()
        with open(os.path.join(dest, "tokens")) as f, \
             open(os.path.join(self.srv.data, "tokens")) as g:
            self.assertEqual(f.read(), g.read())
        self.assertNotEqual(self.cli("backup", "--data", self.srv.data, dest).returncode, 0)


class Notify(unittest.TestCase):
    def test_queue_survives_restart(self):
        hook = Receiver(fail=10 ** 6)  # down
        srv = tbtest.Server(TBSCOPE, "--notify", hook.url)
        try:
            up = add_token(srv.data, "ci")
            a, b = tar_gz(os.path.join(RUNS, A), "r"), tar_gz(os.path.join(RUNS, B), "r")
            self.assertEqual(upload(srv, up, "n1", b, ts=ts(1))[0], 201)
            self.assertEqual(upload(srv, up, "n2", a, ts=ts(2))[0], 201)
            end = time.time() + 20
            while hook.attempts < 1 and time.time() < end:
                time.sleep(0.05)
            self.assertGreaterEqual(hook.attempts, 1)
            self.assertEqual(srv.stop(), 0)
            hook.fail = 0  # the receiver is back
            srv.start()
            end = time.time() + 30
            while not hook.bodies and time.time() < end:
                time.sleep(0.1)
            time.sleep(1.5)
            (reg,) = regressions(srv)
            self.assertEqual([x["id"] for x in hook.bodies], [reg["id"]])
        finally:
            srv.stop()
            srv.close()
            hook.close()


class Reindex(unittest.TestCase):
    def test_reindex_finds_the_same_pairs_and_ids(self):
        """`tbscope reindex` analyses the runs again in any order: the pairs,
        their ids, changes, stale flags and fixes come out the same."""
        srv = tbtest.Server(TBSCOPE, "--threads", "4")
        try:
            up = add_token(srv.data, "ci")
            a, b = tar_gz(os.path.join(RUNS, A), "r"), tar_gz(os.path.join(RUNS, B), "r")
            for name, body, t in (("x1", a, ts(1)), ("x2", b, ts(2)), ("x3", a, ts(3)),
                                  ("x4", b, ts(4)), ("x5", a, ts(5)), ("x6", a, ts(2, 30))):
                self.assertEqual(upload(srv, up, name, body, ts=t)[0], 201)

            def snapshot():
                return [regressions(srv, "?kind=%s&stale=1" % k) for k in
                        ("regression", "improvement")]

            before = snapshot()
            # x6 (A) between x2 (B) and x3 (A): x2 -> x6 regressed, x6 -> x3 no change
            pairs = [(r["base"], r["new"], r["stale"]) for r in before[0]]
            self.assertEqual(pairs, [("x4", "x5", False), ("x2", "x3", True),
                                     ("x2", "x6", False)])
            # x6 came late, but x4 (B) after it brings everything back
            self.assertEqual([r["looks_fixed_by"] for r in before[0]], [None, "x4", "x4"])
            # x7 (B), placed between x3 and x4, is the first run to bring x2 -> x6 back
            self.assertEqual(upload(srv, up, "x7", b, ts=ts(3, 30))[0], 201)
            before = snapshot()
            self.assertEqual([(r["base"], r["new"], r["looks_fixed_by"]) for r in before[0]],
                             [("x4", "x5", None), ("x2", "x3", "x4"), ("x2", "x6", "x7")])
            self.assertEqual([(r["base"], r["new"], r["stale"]) for r in before[1]],
                             [("x3", "x4", True), ("x3", "x7", False), ("x1", "x2", False)])
            self.assertEqual(srv.stop(), 0)
            subprocess.run([TBSCOPE, "reindex", "--data", srv.data], check=True,
                           capture_output=True)
            srv.start()
            after = snapshot()
            for x, y in zip(before, after):
                self.assertEqual([(r["id"], r["base"], r["new"], r["stale"], r["changes"],
                                   r["looks_fixed_by"]) for r in x],
                                 [(r["id"], r["base"], r["new"], r["stale"], r["changes"],
                                   r["looks_fixed_by"]) for r in y])
        finally:
            srv.stop()
            srv.close()


class Tokens(unittest.TestCase):
    def test_read_scope(self):
        tmp = tempfile.mkdtemp(prefix="tbscope-read-")
        try:
            rt = os.path.join(tmp, "read-token")
            with open(rt, "w") as f:
                f.write("tbs_the_read_token_file_one\n")
            srv = tbtest.Server(TBSCOPE, "--read-token", rt)
            try:
                reader = add_token(srv.data, "dash", "read")
                up = add_token(srv.data, "ci")
                auth = lambda t: {"Authorization": "Bearer " + t}  # noqa: E731
                self.assertEqual(srv.get("/api/v1/regressions", auth(reader))[0], 200)
                triager = add_token(srv.data, "tri", "triage")
                self.assertEqual(srv.get("/api/v1/regressions", auth(triager))[0], 200)
                status, body = patch(srv, triager, 1, {"state": "fixed"})
                self.assertEqual(status, 404, body)  # read passed, no such regression
                self.assertEqual(srv.get("/api/v1/regressions", auth(up))[0], 401)
                self.assertEqual(srv.get("/api/v1/regressions")[0], 401)
            finally:
                srv.stop()
                srv.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_legacy_line_is_an_upload_token(self):
        srv = tbtest.Server(TBSCOPE)
        try:
            token = "tbs_legacy_" + "7" * 20
            digest = hashlib.sha256(token.encode()).hexdigest()
            with open(os.path.join(srv.data, "tokens"), "w") as f:
                f.write("old %s 1700000000 active\n" % digest)
            body = tar_gz(os.path.join(RUNS, B), "r")
            self.assertEqual(upload(srv, token, "l1", body)[0], 201)
            status, _ = patch(srv, token, 1, {"state": "fixed"})
            self.assertEqual(status, 403)
            out = subprocess.run([TBSCOPE, "token", "--data", srv.data, "list"],
                                 capture_output=True, text=True, check=True).stdout
            self.assertRegex(out, r"old\s+\S+\s+active\s+upload\n")
            bad = subprocess.run([TBSCOPE, "token", "--data", srv.data, "add",
                                  "--scope", "admin", "x"], capture_output=True, text=True)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("unknown scope", bad.stderr)
        finally:
            srv.stop()
            srv.close()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
