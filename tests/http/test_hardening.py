#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hardening (issue #13): a real `tbscope serve` on loopback, attacked the
way the audit did.  Odd bytes in query values, refused bodies sent
without `Expect`, every status the README documents, slow clients, fast
restart and stop.  Every load is bounded in count and time.

Usage: test_hardening.py TBSCOPE_BINARY TEST_DATA_DIR
"""
import atexit
import gzip
import http.client
import io
import json
import os
import re
import resource
import select
import shutil
import signal
import selectors
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A, B  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
RUNS = os.path.join(DATA, "runs")
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")

ROW = b"collected 1 entries in the hash table\npc, tcount, icount, ecount\n0x1000, 1, 4, 10\n"


def add_token(data_dir, name):
    p = subprocess.run([TBSCOPE, "token", "--data", data_dir, "add", name],
                       capture_output=True, text=True, check=True)
    return p.stdout.strip()


def tar_of(entries):
    """entries: (name, bytes)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def curl(srv, path, body=None, token=None, extra=(), method=None):
    """(curl exit status, HTTP status, answer) of one request by curl."""
    cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--max-time", "60", *extra]
    if token is not None:
        cmd += ["-H", "Authorization: Bearer " + token]
    if method:
        cmd += ["-X", method]
    if body is not None:
        cmd += ["--data-binary", "@-"]
    p = subprocess.run(cmd + [srv.url + path], input=body, capture_output=True)
    text, _, code = p.stdout.decode(errors="replace").rpartition("\n")
    try:
        answer = json.loads(text) if text else None
    except ValueError:
        answer = text
    return p.returncode, int(code or 0), answer


class Queries(unittest.TestCase):
    """A NUL or control byte in a query parameter is refused, naming it."""

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", RUNS)
        cls.token = add_token(cls.srv.data, "ci")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_nul_in_the_run_id_is_400_and_takes_nothing(self):
        body = tar_of([("a.qemu_out", ROW)])
        rc, status, answer = curl(self.srv, "/api/v1/runs?name=nul%00zz", body, self.token)
        self.assertEqual(status, 400, answer)
        self.assertIn("'name'", answer["error"]["message"])
        self.assertEqual(os.listdir(os.path.join(self.srv.data, "runs")), [])
        # the shortened id was not taken
        rc, status, answer = curl(self.srv, "/api/v1/runs?name=nul", body, self.token)
        self.assertEqual(status, 201, answer)

    def test_control_bytes_in_any_parameter(self):
        for path, param in (
                ("/api/v1/runs?name=ok&series=ma%00in", "series"),
                ("/api/v1/runs?name=ok&commit=c0%0affee", "commit"),
                ("/api/v1/runs?name=ok&title=%7f", "title")):
            with self.subTest(path):
                rc, status, answer = curl(self.srv, path, tar_of([("a.qemu_out", ROW)]),
                                          self.token)
                self.assertEqual(status, 400, answer)
                self.assertIn("'%s'" % param, answer["error"]["message"])
        for path, param in (
                ("/api/v1/runs?series=a%00b", "series"),
                ("/api/v1/runs?limit=5%09", "limit"),
                ("/api/v1/compare/%s...%s?threshold=1%%00" % (A, B), "threshold"),
                ("/api/v1/runs/%s/benchmarks/x/blocks?function=f%%01" % A, "function"),
                ("/compare/%s...%s?objects=%%1b" % (A, B), "objects"),
                ("/api/v1/runs?se%01ries=x", "se\\x01ries")):
            with self.subTest(path):
                status, _, body = self.srv.get(path)
                self.assertEqual(status, 400, body)
                self.assertIn("'%s'" % param, json.loads(body)["error"]["message"])
        # a path that is not UTF-8 or holds a control byte: 400, not 500
        for path in ("/run/%ff", "/compare/%ff...%fe", "/history/%c3%28",
                     "/api/v1/history/604.%ff?series=main", "/api/v1/runs/%01"):
            with self.subTest(path):
                status, _, body = self.srv.get(path)
                self.assertEqual(status, 400, body)
                self.assertEqual(json.loads(body)["error"]["code"], "bad_request")
        # a value that is not UTF-8 was quoted in an error as
        # {"error": null}: now refused first
        self.srv.wait_ready(A)
        status, _, body = self.srv.get(
            "/api/v1/runs/%s/benchmarks/604.sortmix_r/blocks?function=%%ff" % A)
        self.assertEqual(status, 400, body)
        self.assertIn("'function'", json.loads(body)["error"]["message"])
        # a value that is not UTF-8: 400 naming it (a page quoting it was 500)
        for path, param in (("/history/b?series=s%81", "series"),
                            ("/api/v1/runs?series=%ff", "series"),
                            ("/run/%s?f%%c3=1" % A, "f\\xc3")):
            with self.subTest(path):
                status, _, body = self.srv.get(path)
                self.assertEqual(status, 400, body)
                self.assertIn("'%s'" % param, json.loads(body)["error"]["message"])
        # printable and UTF-8 values are still fine
        status, _, body = self.srv.get("/api/v1/runs?series=%C3%A9t%C3%A9")
        self.assertEqual(status, 200, body)


class RefusedBodies(unittest.TestCase):
    """A body over --max-upload gets its 413, with or without Expect; a
    refused body is read and dropped up to --max-upload + --max-discard,
    and hung up on only past that."""

    MAX_UPLOAD = 1 << 20
    MAX_DISCARD = 24 << 20

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--max-upload", str(cls.MAX_UPLOAD),
                                "--max-discard", str(cls.MAX_DISCARD))
        cls.token = add_token(cls.srv.data, "ci")
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-refused-")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def body_file(self, size):
        path = os.path.join(self.tmp, "body-%d" % size)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(os.urandom(1 << 16) * (size >> 16))
        return path

    def post_file(self, path, extra):
        cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--max-time", "60",
               "-H", "Authorization: Bearer " + self.token, *extra,
               "--data-binary", "@" + path, self.srv.url + "/api/v1/runs?name=big"]
        p = subprocess.run(cmd, capture_output=True)
        text, _, code = p.stdout.decode(errors="replace").rpartition("\n")
        return p.returncode, int(code or 0), text, p.stderr.decode()

    def test_declared_over_the_limit_without_expect_is_413(self):
        # 20 MiB declared, 1 MiB allowed: today's code reset the connection
        path = self.body_file(20 << 20)
        for extra in (("-H", "Expect:"), ("-H", "Expect: 100-continue")):
            with self.subTest(extra):
                rc, status, text, err = self.post_file(path, extra)
                self.assertEqual(rc, 0, err)
                self.assertEqual(status, 413, text)
                self.assertEqual(json.loads(text)["error"]["code"], "too_large")
                self.assertIn("--max-upload", json.loads(text)["error"]["message"])
        self.assertEqual(os.listdir(os.path.join(self.srv.data, "staging")), [])
        self.assertEqual(os.listdir(os.path.join(self.srv.data, "runs")), [])

    def test_streamed_over_the_limit_is_413(self):
        path = os.path.join(self.tmp, "streamed.tar")
        with open(path, "wb") as f:
            f.write(tar_of([("a.qemu_out", ROW), ("b", os.urandom(4 << 20))]))
        rc, status, text, err = self.post_file(
            path, ("-H", "Expect:", "-H", "Transfer-Encoding: chunked"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(status, 413, text)

    def test_past_the_bound_is_hung_up_on(self):
        # 32 MiB > 1 + 24 MiB: a refused chunked body is not read to its end
        path = self.body_file(32 << 20)
        t0 = time.monotonic()
        rc, status, text, err = self.post_file(
            path, ("-H", "Expect:", "-H", "Transfer-Encoding: chunked",
                   "-H", "Authorization: Bearer wrong"))
        self.assertNotEqual(rc, 0, text)
        self.assertLess(time.monotonic() - t0, 30)
        # and the server is fine
        rc, status, answer = curl(self.srv, "/api/v1/runs?name=small",
                                  tar_of([("a.qemu_out", ROW)]), self.token)
        self.assertEqual(status, 201, answer)


def documented_statuses():
    """The status codes of the README's status table."""
    with open(README) as f:
        text = f.read()
    m = re.search(r"\n### Status codes\n(.*?)\n#", text, re.S)
    assert m, "README has no '### Status codes' section"
    return sorted(int(c) for c in re.findall(r"^\| (\d{3}) \|", m.group(1), re.M))


class Statuses(unittest.TestCase):
    """Every status the README documents, each case as documented."""

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--max-upload", "200000",
                                "--max-unpacked", "300000", "--max-files", "5",
                                "--runs-dir", RUNS)
        cls.token = add_token(cls.srv.data, "ci")
        for run in (A, B):
            cls.srv.wait_ready(run, timeout=120)
        cls.seen = set()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def check(self, want, path, body=None, token=None, extra=(), method=None, needle=None):
        rc, status, answer = curl(self.srv, path, body, token, extra, method)
        self.assertEqual(status, want, (path, answer))
        if want >= 400:
            self.assertEqual(set(answer), {"error"}, answer)
            if needle:
                self.assertIn(needle, answer["error"]["message"])
        self.seen.add(want)
        return answer

    def test_every_documented_status(self):
        good = tar_of([("a.qemu_out", ROW)])
        self.check(200, "/api/v1/runs/" + A)
        self.check(201, "/api/v1/runs?name=s-ok", good, self.token)
        status, headers, _ = self.srv.get("/api/v1/runs/" + A)
        status, _, _ = self.srv.get("/api/v1/runs/" + A, {"If-None-Match": headers["etag"]})
        self.assertEqual(status, 304)
        self.seen.add(304)
        # 400: bad id, bad archive entry, bad parameter, bad range
        self.check(400, "/api/v1/runs?name=bad!id", good, self.token)
        self.check(400, "/api/v1/runs?name=s-bad", tar_of([("a.qemu_out", ROW), ("../x", b"x")]),
                   self.token, needle="../x")
        self.check(400, "/api/v1/runs?limit=x")
        self.check(400, "/api/v1/compare/" + A)
        self.check(401, "/api/v1/runs?name=s-401", good)
        self.check(403, "/api/v1/runs?name=s-403", good, "wrong")
        self.check(404, "/api/v1/runs/nosuchrun")
        self.check(404, "/api/v1/nosuchendpoint")
        self.check(405, "/api/v1/runs/" + A, method="DELETE")
        self.check(409, "/api/v1/runs?name=s-ok", good, self.token)
        # 413: body, unpacked size, entries, path length
        self.check(413, "/api/v1/runs?name=s-413", os.urandom(250000), self.token,
                   needle="--max-upload")
        self.check(413, "/api/v1/runs?name=s-413",
                   gzip.compress(tar_of([("a.qemu_out", ROW), ("z", bytes(400000))])),
                   self.token, needle="--max-unpacked")
        self.check(413, "/api/v1/runs?name=s-413",
                   tar_of([("a.qemu_out", ROW)] + [("f%d" % i, b"x") for i in range(6)]),
                   self.token, needle="--max-files")
        self.check(413, "/api/v1/runs?name=s-413",
                   tar_of([("a.qemu_out", ROW), ("d/" * 520 + "x", b"x")]),
                   self.token, needle="path longer than")
        # 503: a run still being analysed, with Retry-After
        self.check_503()
        self.assertEqual(sorted(self.seen), documented_statuses())

    def check_503(self):
        """A big run in --runs-dir is 503 while the server analyses it."""
        runs = os.path.join(self.srv.tmp, "slowruns")
        os.makedirs(os.path.join(runs, "slow"))
        write_qemu_out(os.path.join(runs, "slow", "a.qemu_out"), 1000000)
        srv = tbtest.Server(TBSCOPE, "--runs-dir", runs)
        try:
            status, headers, body = poll_known(lambda: srv.get("/api/v1/runs/slow/benchmarks/a"))
            self.assertEqual(status, 503, body)
            self.assertEqual(json.loads(body)["error"]["code"], "not_ready")
            self.assertEqual(headers.get("retry-after"), "2")
            self.seen.add(503)
        finally:
            srv.close()


class SlowClients(unittest.TestCase):
    """2,000 connections from 8 loopback addresses sending their headers a
    line a second: each is closed at --request-timeout, and a probe from a
    ninth address gets every answer in under a second meanwhile."""

    SLOW = 2000
    ADDRESSES = ["127.0.0.%d" % i for i in range(2, 10)]
    PROBE = "127.0.0.10"
    TIMEOUT = 3

    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = cls.SLOW + 256
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, want), hard))
        if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < want:
            raise unittest.SkipTest("open-file limit below %d" % want)
        cls.srv = tbtest.Server(TBSCOPE, "--request-timeout", str(cls.TIMEOUT))

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    PROBE_CODE = """
import http.client, json, sys, time
host, port, src, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
out, until = [], time.monotonic() + seconds
while time.monotonic() < until:
    t0 = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=5, source_address=(src, 0))
        conn.request("GET", "/api/v1/runs")
        r = conn.getresponse()
        r.read()
        conn.close()
        out.append((r.status, time.monotonic() - t0))
    except OSError as e:
        out.append((repr(e), time.monotonic() - t0))
    time.sleep(0.1)
print(json.dumps(out))
"""

    def probe(self, seconds):
        """A probe client in its own process (no GIL shared with the attack)."""
        return subprocess.Popen([sys.executable, "-c", self.PROBE_CODE, self.srv.host,
                                 str(self.srv.port), self.PROBE, str(seconds)],
                                stdout=subprocess.PIPE, text=True)

    def test_slow_headers_are_closed_and_others_served(self):
        # The probe's latency includes the wait of this machine's own
        # processes for a CPU: on a loaded machine one attack in two may
        # see a slow answer, so a second attack decides.  Every other
        # check holds on each.
        for attempt in (1, 2):
            worst = self.attack()
            if worst < 1.0:
                break
        self.assertLess(worst, 1.0)

    def attack(self):
        socks = []
        try:
            for i in range(self.SLOW):
                s = socket.socket()
                s.bind((self.ADDRESSES[i % len(self.ADDRESSES)], 0))
                s.settimeout(5)
                s.connect((self.srv.host, self.srv.port))
                s.setblocking(False)
                s.send(b"GET /api/v1/runs HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
            opened = time.monotonic()
            prober = self.probe(self.TIMEOUT + 3)
            closed_at = {}
            sel = selectors.DefaultSelector()
            for s in socks:
                sel.register(s, selectors.EVENT_READ)
            n = 0
            end = opened + self.TIMEOUT + 5
            next_line = opened + 1
            while len(closed_at) < len(socks) and time.monotonic() < end:
                for key, _ in sel.select(timeout=0.1):
                    s = key.fileobj
                    try:
                        data = s.recv(4096)
                    except OSError:
                        data = b""
                    if not data:
                        closed_at[s] = time.monotonic() - opened
                        sel.unregister(s)
                if time.monotonic() >= next_line:
                    # one more header line from every connection still open
                    next_line += 1
                    n += 1
                    for s in socks:
                        if s not in closed_at:
                            try:
                                s.send(b"X-Slow-%d: x\r\n" % n)
                            except OSError:
                                pass
            answers = json.loads(prober.communicate(timeout=60)[0])
        finally:
            for s in socks:
                s.close()
        self.assertEqual(len(closed_at), self.SLOW, "slow connections left open")
        latest = max(closed_at.values())
        worst = max(dt for _, dt in answers)
        print("\n%d slow connections closed by %.2f s (--request-timeout %d); probe: %d "
              "answers, worst %.3f s" % (len(closed_at), latest, self.TIMEOUT, len(answers),
                                          worst), file=sys.stderr)
        self.assertLess(latest, self.TIMEOUT + 2)
        self.assertGreater(len(answers), 10)
        self.assertEqual([st for st, _ in answers if st != 200], [])
        return worst

    def test_slow_body_is_closed(self):
        s = socket.create_connection((self.srv.host, self.srv.port), timeout=10)
        try:
            s.sendall(b"POST /api/v1/runs?name=x HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 100000\r\nExpect:\r\n\r\n")
            t0 = time.monotonic()
            got = b"x"
            while got and time.monotonic() - t0 < self.TIMEOUT + 5:
                try:
                    s.send(b"0123456789")  # 10 bytes a second
                    r, _, _ = select.select([s], [], [], 1)
                    if r:
                        got = s.recv(4096)
                        # any answer (a refusal) is fine; the close is what counts
                        while got:
                            got = s.recv(4096)
                except OSError:
                    got = b""
            self.assertEqual(got, b"", "a body of 10 bytes a second was not cut off")
            self.assertLess(time.monotonic() - t0, self.TIMEOUT + 2)
        finally:
            s.close()


SPAWNED = []


@atexit.register
def _kill_spawned():
    """No server outlives the test, whatever failed."""
    for p in SPAWNED:
        if p.poll() is None:
            p.kill()
            p.wait()
        try:
            os.unlink(p.log_path)
        except OSError:
            pass


def spawn(*args):
    """Start `tbscope serve ARGS`; (process, url, seconds to listen, log path)."""
    log = tempfile.NamedTemporaryFile("w+", prefix="tbscope-hard-", suffix=".log", delete=False)
    t0 = time.monotonic()
    p = subprocess.Popen([TBSCOPE, "serve", "--listen", "127.0.0.1:0", *args],
                         stdout=subprocess.PIPE, stderr=log, text=True)
    p.log_path = log.name
    SPAWNED.append(p)
    line = p.stdout.readline()
    took = time.monotonic() - t0
    m = re.match(r"tbscope: listening on (http://\S+)", line)
    if not m:
        p.kill()
        p.wait()
        raise RuntimeError("server did not start: %r" % line)
    return p, m.group(1), took, log.name


def stop_time(p):
    """SIGTERM p; (seconds until it exited, exit status)."""
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    p.stdout.close()
    return time.monotonic() - t0, rc


def get(url, timeout=10):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request("GET", u.path + ("?" + u.query if u.query else ""))
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


class RestartAndStop(unittest.TestCase):
    """Restart over 1,000 runs listens before it checks the index; SIGTERM
    stops within 200 ms when idle, and cleanly with work in flight."""

    RUNS = 1000

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-restart-")
        cls.runs = os.path.join(cls.tmp, "runs")
        for r in range(cls.RUNS):
            os.makedirs(os.path.join(cls.runs, "run%04d" % r))
            with open(os.path.join(cls.runs, "run%04d" % r, "a.qemu_out"), "w") as f:
                f.write("collected 2 entries in the hash table\npc, tcount, icount, ecount\n"
                        "0x1000, 1, 4, %d\n0x2000, 1, 2, 5\n" % (r + 1))
        cls.data = os.path.join(cls.tmp, "data")
        p, url, _, _ = spawn("--data", cls.data, "--runs-dir", cls.runs)
        try:
            end = time.monotonic() + 240
            while time.monotonic() < end:
                status, body = get(url + "/api/v1/runs?limit=1000")
                runs = json.loads(body)["runs"]
                if len(runs) == cls.RUNS and all(r["status"] == "ready" for r in runs):
                    break
                time.sleep(0.5)
            else:
                raise TimeoutError("1,000 runs not indexed")
        finally:
            stop_time(p)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_restart_listens_before_checking_the_index(self):
        listen = []
        for _ in range(3):
            p, url, took, log = spawn("--data", self.data, "--runs-dir", self.runs)
            status, body = get(url + "/api/v1/runs?limit=1")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body)["total"], self.RUNS)
            # the check runs after the server listens, and finds nothing to do
            end = time.monotonic() + 60
            while time.monotonic() < end:
                with open(log) as f:
                    text = f.read()
                if "runs to analyse (checked" in text:
                    break
                time.sleep(0.05)
            self.assertLess(text.index("http: listening"), text.index("runs to analyse (checked"),
                            text)
            self.assertIn("index: 0 runs to analyse", text)
            stop_time(p)
            os.unlink(log)
            listen.append(took)
        print("\nrestart over %d runs: listening after %s s" %
              (self.RUNS, ", ".join("%.3f" % t for t in listen)), file=sys.stderr)
        self.assertLess(min(listen), 1.0)

    def test_sigterm_when_idle_within_200ms(self):
        times = []
        for _ in range(3):
            p, url, _, log = spawn("--data", self.data, "--runs-dir", self.runs)
            u = urllib.parse.urlsplit(url)
            # answered requests, a kept-alive connection, a half-sent request
            kept = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            for path in ("/api/v1/runs", "/api/v1/runs/run0001", "/"):
                kept.request("GET", path)
                kept.getresponse().read()
            half = socket.create_connection((u.hostname, u.port))
            half.send(b"GET / HTTP/1.1\r\n")
            time.sleep(0.3)
            took, rc = stop_time(p)
            kept.close()
            half.close()
            os.unlink(log)
            self.assertEqual(rc, 0)
            times.append(took)
        print("\nSIGTERM when idle: %s s" % ", ".join("%.3f" % t for t in times),
              file=sys.stderr)
        # The goal is 200 ms (8-103 ms measured on a Release build, see
        # README "Reliability"); the test bounds it at 1 s so that a
        # sanitizer build on a loaded machine (its exit-time leak scan
        # included) does not fail on timing, while the old behaviour
        # (1.6-2.0 s: waiting for the polling loop's timeout) still does.
        self.assertLess(min(times), 1.0)
        self.assertLess(max(times), 2.0)

    def test_sigterm_while_analysing(self):
        runs = os.path.join(self.tmp, "bigruns")
        os.makedirs(os.path.join(runs, "big"))
        write_qemu_out(os.path.join(runs, "big", "a.qemu_out"), 1000000)
        data = os.path.join(self.tmp, "data-big")
        p, url, _, log = spawn("--data", data, "--runs-dir", runs)
        try:
            status, body = poll_known(lambda: get(url + "/api/v1/runs/big/benchmarks/a"))
        finally:
            took, rc = stop_time(p)
        self.assertEqual(status, 503, body)
        self.assertEqual(rc, 0)
        self.assertLess(took, 1.0)
        # the run is analysed at the next start
        p, url, _, log2 = spawn("--data", data, "--runs-dir", runs)
        try:
            end = time.monotonic() + 120
            while time.monotonic() < end:
                status, body = get(url + "/api/v1/runs/big")
                if json.loads(body)["status"] in ("ready", "failed"):
                    break
                time.sleep(0.2)
            self.assertEqual(json.loads(body)["status"], "ready", body)
        finally:
            stop_time(p)
        print("\nSIGTERM while analysing a run: %.3f s" % took, file=sys.stderr)

    def test_sigterm_during_an_upload(self):
        data = os.path.join(self.tmp, "data-up")
        p, url, _, log = spawn("--data", data)
        token = add_token(data, "ci")
        u = urllib.parse.urlsplit(url)
        s = socket.create_connection((u.hostname, u.port), timeout=10)
        body = tar_of([("a.qemu_out", ROW), ("pad", os.urandom(1 << 20))])
        s.sendall(b"POST /api/v1/runs?name=up1 HTTP/1.1\r\nHost: x\r\n"
                  b"Authorization: Bearer %s\r\nContent-Length: %d\r\nExpect:\r\n\r\n"
                  % (token.encode(), len(body)))
        s.sendall(body[:len(body) // 2])
        time.sleep(0.3)
        took, rc = stop_time(p)
        s.close()
        self.assertEqual(rc, 0)
        self.assertLess(took, 1.0)
        # discarded cleanly: nothing stored, nothing staged, the id free
        self.assertEqual(os.listdir(os.path.join(data, "runs")), [])
        self.assertEqual(os.listdir(os.path.join(data, "staging")), [])
        p, url, _, _ = spawn("--data", data)
        try:
            srv = type("S", (), {"url": url})
            rc, status, answer = curl(srv, "/api/v1/runs?name=up1", body, token)
            self.assertEqual(status, 201, answer)
        finally:
            stop_time(p)


def poll_known(request, seconds=30):
    """request() until it is not a 404 (the start-up check has not seen the
    run yet)."""
    end = time.monotonic() + seconds
    while True:
        answer = request()
        if answer[0] != 404 or time.monotonic() > end:
            return answer
        time.sleep(0.01)


def write_qemu_out(path, rows):
    """A hotblocks file of rows distinct blocks (no program: [unknown])."""
    with open(path, "w") as f:
        f.write("collected %d entries in the hash table\npc, tcount, icount, ecount\n" % rows)
        f.writelines("0x%x, 1, 4, 10\n" % (0x10000 + 16 * i) for i in range(rows))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
