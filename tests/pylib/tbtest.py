# SPDX-License-Identifier: MIT
"""Shared helpers for tbscope's end-to-end tests (stdlib only).

Expected figures come from tests/data/FIXTURES.md, the fixtures' own
README, never from tbscope itself.
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

A = "build.gcc-O2-rv64gc"
B = "build.gcc-O3-rv64gc_zba_zbb_zbs"
CROSS_SYSROOT = "/usr/riscv64-linux-gnu"


def skip(why):
    """Exit as ctest's SKIP_RETURN_CODE (77), saying why."""
    print("SKIP: " + why)
    sys.exit(77)


def run(cmd, **kw):
    """subprocess.run, output captured as text (stderr alone when the
    caller takes stdout), ten minutes at most."""
    if "stdout" in kw:
        kw.setdefault("stderr", subprocess.PIPE)
    else:
        kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 600)
    return subprocess.run(cmd, **kw)


def check(cmd, **kw):
    """run(), failing with the command's output unless it exits 0."""
    p = run(cmd, **kw)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode,
                                                     p.stdout, p.stderr))
    return p


def link_tree(src, dst):
    """A copy of the directory tree src at dst, its files hard links."""
    os.makedirs(dst)
    for e in os.scandir(src):
        if e.is_dir():
            link_tree(e.path, os.path.join(dst, e.name))
        else:
            os.link(e.path, os.path.join(dst, e.name))


def chromium():
    """Debian's Chromium (the tests never download a browser), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def readme(data_dir):
    with open(os.path.join(data_dir, "FIXTURES.md"), encoding="utf-8") as f:
        return f.read()


def reference_table(data_dir):
    """The spec-compare-helper output block at the end of the README."""
    blocks = re.findall(r"```\n(Benchmark .*?)```", readme(data_dir), re.S)
    assert len(blocks) == 1, "reference table not found in FIXTURES.md"
    return blocks[0]


def per_benchmark_totals(data_dir):
    """{bench: (A, B)} from the README's 'Per-benchmark totals' table."""
    section = readme(data_dir).split("### Per-benchmark totals", 1)[1]
    totals = {}
    for m in re.finditer(r"^\| (\d{3}\.\w+) \| (\d+) \| (\d+) \|$", section, re.M):
        totals.setdefault(m.group(1), (int(m.group(2)), int(m.group(3))))
    assert len(totals) == 6, totals
    return totals


def readme_geomean_pct(data_dir):
    m = re.search(r"Geometric mean of the six B/A ratios: ([0-9.]+) \((-?[0-9.]+) %\)",
                  readme(data_dir))
    return float(m.group(1)), float(m.group(2))


class Server:
    """A real `tbscope serve` on a free loopback port, in a temp data dir."""

    def __init__(self, tbscope, *args, data=None, env=None):
        self.tmp = tempfile.mkdtemp(prefix="tbscope-srv-")
        self.data = data or os.path.join(self.tmp, "data")
        self.log = open(os.path.join(self.tmp, "server.log"), "w+")
        self.tbscope = tbscope
        self.args = list(args)
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [self.tbscope, "serve", "--data", self.data, "--listen", "127.0.0.1:0",
             *self.args],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"tbscope: listening on (http://[^\s]+)", line)
        if not m:
            self.log.seek(0)
            raise RuntimeError("server did not start: %r\n%s" % (line, self.log.read()))
        self.url = m.group(1)
        u = urllib.parse.urlsplit(self.url)
        self.host, self.port = u.hostname, u.port

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def get_json(self, path, want=200):
        status, headers, body = self.get(path)
        assert status == want, (path, status, body[:500])
        return json.loads(body)

    def wait_ready(self, run_id, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            status, _, body = self.get("/api/v1/runs/" + run_id)
            if status == 200 and json.loads(body)["status"] in ("ready", "failed"):
                return json.loads(body)
            time.sleep(0.05)
        raise TimeoutError(run_id)

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                rc = self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
        else:
            rc = self.proc.returncode if self.proc else None
        if self.proc:
            self.proc.stdout.close()
        return rc

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def close(self):
        self.stop()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def tree_snapshot(root):
    """{relative path: (size, bytes)} of every file below root."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + [d for d in dirnames
                                 if os.path.islink(os.path.join(dirpath, d))]:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                snap[rel] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as f:
                    snap[rel] = ("file", f.read())
    return snap
