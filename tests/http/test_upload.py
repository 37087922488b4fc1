#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Uploads: a real `tbscope serve` on loopback receiving real tarballs from
`tbscope upload` and from curl.  Expected figures come from FIXTURES.md and
from `tbscope compare` on the run directories, never from the upload path.

Usage: test_upload.py TBSCOPE_BINARY TEST_DATA_DIR
"""
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A, B  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
RUNS = os.path.join(DATA, "runs")


def add_token(data_dir, name):
    p = subprocess.run([TBSCOPE, "token", "--data", data_dir, "add", name],
                       capture_output=True, text=True, check=True)
    tok = p.stdout.strip()
    assert tok and "\n" not in tok, p.stdout
    return tok


def tar_gz(src_dir, arcname):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(src_dir, arcname=arcname)
    return buf.getvalue()


def tar_of(entries):
    """entries: (name, kind, data_or_target); kind file|symlink|hardlink|dir."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, kind, arg in entries:
            ti = tarfile.TarInfo(name)
            if kind == "file":
                ti.size = len(arg)
                t.addfile(ti, io.BytesIO(arg))
                continue
            ti.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                       "dir": tarfile.DIRTYPE, "fifo": tarfile.FIFOTYPE}[kind]
            if arg:
                ti.linkname = arg
            t.addfile(ti)
    return buf.getvalue()


ROW = b"collected 1 entries in the hash table\npc, tcount, icount, ecount\n0x1000, 1, 4, 10\n"


def curl_upload(srv, token, name, body, extra=(), wait=True):
    """POST body with the curl binary; returns (status, json).  wait: ask
    for the answer after the analysis (?wait=1)."""
    cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--data-binary", "@-",
           *extra, "%s/api/v1/runs?name=%s%s" % (srv.url, name, "&wait=1" if wait else "")]
    if token is not None:
        cmd[1:1] = ["-H", "Authorization: Bearer " + token]
    p = subprocess.run(cmd, input=body, capture_output=True, check=True)
    text, _, code = p.stdout.decode().rpartition("\n")
    return int(code), json.loads(text) if text else None


class Uploads(unittest.TestCase):
    """Both fixture runs uploaded, one by each client."""

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--threads", "2")
        cls.token = add_token(cls.srv.data, "ci")
        cls.tokfile = os.path.join(cls.srv.tmp, "token")
        with open(cls.tokfile, "w") as f:
            f.write(cls.token + "\n")
        cls.client = subprocess.run(
            [TBSCOPE, "upload", "--server", cls.srv.url, "--token-file", cls.tokfile,
             "--name", A, "--series", "main", "--commit", "c0ffee",
             "--sysroot", tbtest.CROSS_SYSROOT, os.path.join(RUNS, A)],
            capture_output=True, text=True)
        # curl: a tar.gz of the directory, wrapped in its own top directory
        cls.curl_status, cls.curl_answer = curl_upload(
            cls.srv, cls.token, B + "&series=main", tar_gz(os.path.join(RUNS, B), B))

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    def snapshot(self):
        """What a refused upload must not change."""
        return (tbtest.tree_snapshot(os.path.join(self.srv.data, "runs")),
                os.listdir(os.path.join(self.srv.data, "staging")),
                self.srv.get_json("/api/v1/runs"))

    def test_client_upload_prints_the_urls(self):
        self.assertEqual(self.client.returncode, 0, self.client.stderr)
        self.assertIn("%s/runs/%s" % (self.srv.url, A), self.client.stdout)

    def test_client_upload_has_fixture_totals_and_symbols(self):
        run = self.srv.get_json("/api/v1/runs/" + A)
        self.assertEqual(run["status"], "ready")
        self.assertEqual(run["series"], "main")
        totals = tbtest.per_benchmark_totals(DATA)
        self.assertEqual({b["name"]: b["instructions"] for b in run["benchmarks"]},
                         {k: v[0] for k, v in totals.items()})
        # --sysroot packed the riscv64 libc: its functions are symbolized
        bench = self.srv.get_json("/api/v1/runs/%s/benchmarks/602.hashjoin_r" % A)
        libc = [o for o in bench["objects"] if o["name"] == "libc.so.6"]
        self.assertTrue(libc and libc[0]["symbols_missing"] is None, bench["objects"])
        meta_path = os.path.join(self.srv.data, "runs", A, "tbscope-run.json")
        with open(meta_path) as f:
            meta = json.load(f)
        self.assertEqual((meta["series"], meta["commit"]), ("main", "c0ffee"))

    def test_upload_is_answered_before_its_analysis(self):
        """Without ?wait=1 the answer comes first (status indexing), the
        figures later: those of FIXTURES.md."""
        name = "early-" + A
        status, answer = curl_upload(self.srv, self.token, name + "&series=early",
                                     tar_gz(os.path.join(RUNS, A), A), wait=False)
        self.assertEqual(status, 201, answer)
        self.assertEqual(answer["status"], "indexing")
        self.assertIsNone(answer["markdown"])
        self.assertEqual(answer["url"], "%s/runs/%s" % (self.srv.url, name))
        deadline = time.time() + 60
        while time.time() < deadline:
            run = self.srv.get_json("/api/v1/runs/" + name)
            if run["status"] in ("ready", "failed"):
                break
            self.assertIn(run["status"], ("pending", "indexing"))
            time.sleep(0.1)
        self.assertEqual(run["status"], "ready")
        totals = tbtest.per_benchmark_totals(DATA)
        self.assertEqual({b["name"]: b["instructions"] for b in run["benchmarks"]},
                         {k: v[0] for k, v in totals.items()})

    def test_runs_are_stored_compressed(self):
        """Every .qemu_out and .map is kept as .zst, the same bytes inside."""
        stored = os.path.join(self.srv.data, "runs", A)
        plain = os.path.join(RUNS, A)
        seen = 0
        for root, _, files in os.walk(plain):
            for f in files:
                if not re.search(r"\.(qemu_out|map)(\.\d+)?$", f):
                    continue
                rel = os.path.relpath(os.path.join(root, f), plain)
                self.assertFalse(os.path.exists(os.path.join(stored, rel)), rel)
                z = subprocess.run(["zstd", "-dc", os.path.join(stored, rel + ".zst")],
                                   capture_output=True, check=True).stdout
                with open(os.path.join(root, f), "rb") as fh:
                    self.assertEqual(z, fh.read(), rel)
                seen += 1
        self.assertGreater(seen, 0)

    def test_curl_upload_answers_compare_against_previous(self):
        self.assertEqual(self.curl_status, 201, self.curl_answer)
        a = self.curl_answer
        self.assertEqual(a["id"], B)
        self.assertEqual(a["status"], "ready")
        self.assertEqual(a["base"], A)
        self.assertEqual(a["url"], "%s/runs/%s" % (self.srv.url, B))
        self.assertEqual(a["compare_url"], "%s/compare/%s...%s" % (self.srv.url, A, B))
        ratio, pct = tbtest.readme_geomean_pct(DATA)
        self.assertIn("%.2f" % abs(pct), a["markdown"])
        self.assertIn(a["compare_url"], a["markdown"])

    def test_compare_of_uploads_is_what_the_cli_prints(self):
        cli = subprocess.run([TBSCOPE, "compare", "-f", "json", A, B], cwd=RUNS,
                             capture_output=True, text=True, check=True)
        api = self.srv.get_json("/api/v1/compare/%s...%s" % (A, B))
        self.assertEqual(json.loads(cli.stdout)["benchmarks"], api["benchmarks"])
        totals = tbtest.per_benchmark_totals(DATA)
        self.assertEqual({r["name"]: (r["base_instructions"], r["new_instructions"])
                          for r in api["benchmarks"]}, totals)

    def test_reupload_is_409_and_changes_nothing(self):
        before = self.snapshot()
        status, answer = curl_upload(self.srv, self.token, A,
                                     tar_gz(os.path.join(RUNS, B), B))
        self.assertEqual(status, 409, answer)
        self.assertEqual(answer["error"]["code"], "exists")
        p = subprocess.run(
            [TBSCOPE, "upload", "--server", self.srv.url, "--token-file", self.tokfile,
             "--name", B, os.path.join(RUNS, A)], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("409", p.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_tokens_401_403(self):
        before = self.snapshot()
        body = tar_gz(os.path.join(RUNS, A), "x")
        status, answer = curl_upload(self.srv, None, "new-run", body)
        self.assertEqual(status, 401, answer)
        status, answer = curl_upload(self.srv, self.token + "0", "new-run", body)
        self.assertEqual(status, 403, answer)
        status, answer = curl_upload(self.srv, "", "new-run", body)
        self.assertEqual(status, 401, answer)
        self.assertEqual(self.snapshot(), before)

    def test_refusals_are_read_to_the_end_of_a_body_sent_without_expect(self):
        # Without 'Expect: 100-continue' the client is sending the body
        # already: the answer must come after it, not as a reset connection
        # (curl's exit 55, "failed sending data", before).
        before = self.snapshot()
        body = os.urandom(3 << 20)
        for _ in range(3):
            for token, code in ((None, "unauthorized"), (self.token + "0", "forbidden")):
                status, answer = curl_upload(self.srv, token, "new-run", body, ("-H", "Expect:"))
                self.assertEqual(status, 401 if token is None else 403, answer)
                self.assertEqual(answer["error"]["code"], code)
        status, answer = curl_upload(self.srv, self.token, "bad!id", body, ("-H", "Expect:"))
        self.assertEqual(status, 400, answer)
        self.assertIn("bad run id", answer["error"]["message"])
        self.assertEqual(self.snapshot(), before)

    def test_refusals_with_expect_skip_the_body(self):
        p = subprocess.run(
            ["curl", "-v", "-sS", "-o", "-", "-w", "\n%{http_code}", "-H", "Expect: 100-continue",
             "-H", "Authorization: Bearer " + self.token + "0", "--data-binary", "@-",
             "%s/api/v1/runs?name=new-run" % self.srv.url],
            input=os.urandom(3 << 20), capture_output=True, check=True)
        text, _, code = p.stdout.decode().rpartition("\n")
        self.assertEqual(int(code), 403, text)
        self.assertEqual(json.loads(text)["error"]["code"], "forbidden")
        self.assertIn("Expect: 100-continue", p.stderr.decode())
        self.assertNotIn("100 Continue", p.stderr.decode())

    def test_revoked_token_is_refused(self):
        tok = add_token(self.srv.data, "short-lived")
        subprocess.run([TBSCOPE, "token", "--data", self.srv.data, "revoke",
                        "short-lived"], check=True, capture_output=True)
        status, answer = curl_upload(self.srv, tok, "new-run",
                                     tar_of([("a.qemu_out", "file", ROW)]))
        self.assertEqual(status, 403, answer)

    def test_bad_archives_are_400_naming_the_entry(self):
        cases = {
            "dotdot": (tar_of([("a.qemu_out", "file", ROW), ("../x", "file", b"x")]), "../x"),
            "absolute": (tar_of([("a.qemu_out", "file", ROW),
                                 ("/tmp/tbscope-evil", "file", b"x")]), "/tmp/tbscope-evil"),
            "symlink-out": (tar_of([("a.qemu_out", "file", ROW),
                                    ("d/s", "symlink", "../../etc/passwd")]), "d/s"),
            "symlink-abs": (tar_of([("a.qemu_out", "file", ROW),
                                    ("s", "symlink", "/etc/passwd")]), "'s'"),
            # one top-level directory is unwrapped: b/ is the run, so
            # b/s -> ../x, inside the archive, leaves the run
            "symlink-out-of-unwrapped": (tar_of([("b", "dir", None), ("b/a.qemu_out", "file", ROW),
                                                 ("b/s", "symlink", "../x")]), "b/s"),
            "through-link": (tar_of([("a.qemu_out", "file", ROW), ("l", "symlink", "."),
                                     ("l/x", "file", b"x")]), "l/x"),
            "hardlink-out": (tar_of([("a.qemu_out", "file", ROW),
                                     ("h", "hardlink", "../../etc/passwd")]), "'h'"),
            "fifo": (tar_of([("a.qemu_out", "file", ROW), ("f", "fifo", None)]), "'f'"),
            "truncated-gzip": (tar_gz(os.path.join(RUNS, A), A)[:20000], "truncated"),
            "not-a-tar": (b"hello " * 1000, "tar"),
            "no-qemu-out": (tar_of([("README", "file", b"hi")]), "qemu_out"),
        }
        before = self.snapshot()
        for name, (body, needle) in cases.items():
            with self.subTest(name):
                status, answer = curl_upload(self.srv, self.token, "bad-" + name, body)
                self.assertEqual(status, 400, answer)
                self.assertIn(needle, answer["error"]["message"])
                # messages name the entry, never the server's paths
                self.assertNotIn(self.srv.data, answer["error"]["message"])
                self.assertEqual(self.snapshot(), before)
        self.assertFalse(os.path.exists("/tmp/tbscope-evil"))

    def test_bad_requests(self):
        body = tar_of([("a.qemu_out", "file", ROW)])
        for name in ("", ".hidden", "a/b", "x" * 101):
            with self.subTest(name):
                status, answer = curl_upload(self.srv, self.token, name, body)
                self.assertEqual(status, 400, answer)
        status, _, _ = self.srv.request("POST", "/api/v1/compare/a...b", body=b"x",
                                        headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(status, 405)

    def test_safe_links_inside_the_run_are_kept(self):
        body = tar_of([("d/a.qemu_out", "file", ROW), ("d/s", "symlink", "a.qemu_out"),
                       ("top", "symlink", "d"), ("d/h", "hardlink", "d/a.qemu_out")])
        status, answer = curl_upload(self.srv, self.token, "links-ok", body)
        self.assertEqual(status, 201, answer)
        root = os.path.join(self.srv.data, "runs", "links-ok")
        self.assertEqual(os.readlink(os.path.join(root, "d/s")), "a.qemu_out")
        self.assertEqual(os.stat(os.path.join(root, "d/h")).st_nlink, 2)


class Limits(unittest.TestCase):
    """413 over --max-upload (declared or streamed) and --max-unpacked."""

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--max-upload", "50000",
                                "--max-unpacked", "400000", "--max-discard", "100000")
        cls.token = add_token(cls.srv.data, "ci")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def check_413(self, body, extra=()):
        before = tbtest.tree_snapshot(self.srv.data + "/runs")
        status, answer = curl_upload(self.srv, self.token, "big", body, extra)
        self.assertEqual(status, 413, answer)
        self.assertEqual(answer["error"]["code"], "too_large")
        self.assertEqual(tbtest.tree_snapshot(self.srv.data + "/runs"), before)
        self.assertEqual(os.listdir(os.path.join(self.srv.data, "staging")), [])
        return answer

    def test_content_length_over_the_limit(self):
        self.assertIn("--max-upload", self.check_413(os.urandom(60000))["error"]["message"])

    def test_chunked_body_over_the_limit(self):
        self.check_413(tar_of([("a.qemu_out", "file", ROW),
                               ("b", "file", os.urandom(70000))]),
                       ("-H", "Transfer-Encoding: chunked"))

    def test_refused_body_past_the_limit_is_hung_up_on(self):
        # a refused upload's body is read to its end only up to
        # --max-upload + --max-discard
        p = subprocess.run(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
             "-H", "Transfer-Encoding: chunked", "-H", "Authorization: Bearer wrong",
             "--data-binary", "@-", "%s/api/v1/runs?name=x" % self.srv.url],
            input=os.urandom(400000), capture_output=True)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertEqual(p.stdout, b"000")
        # and the server is fine
        status, answer = curl_upload(self.srv, self.token, "small", tar_of([("a.qemu_out", "file", ROW)]))
        self.assertEqual(status, 201, answer)

    def test_unpacked_over_the_limit(self):
        # compresses to a few KB, unpacks to 1 MB
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            for n, data in (("a.qemu_out", ROW), ("zeros", bytes(1 << 20))):
                ti = tarfile.TarInfo(n)
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
        self.assertIn("--max-unpacked", self.check_413(buf.getvalue())["error"]["message"])


class KilledMidUpload(unittest.TestCase):
    """SIGKILL during an upload: no trace after restart, earlier runs intact."""

    def test_sigkill_mid_upload(self):
        srv = tbtest.Server(TBSCOPE)
        try:
            token = add_token(srv.data, "ci")
            status, answer = curl_upload(srv, token, A, tar_gz(os.path.join(RUNS, A), A))
            self.assertEqual(status, 201, answer)
            runs_before = tbtest.tree_snapshot(os.path.join(srv.data, "runs"))
            a_before = srv.get_json("/api/v1/runs/" + A)

            # half of B's tarball, sent chunked, then nothing
            import http.client
            body = tar_gz(os.path.join(RUNS, B), B)
            conn = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
            conn.putrequest("POST", "/api/v1/runs?name=" + B)
            conn.putheader("Authorization", "Bearer " + token)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            half = body[:len(body) // 2]
            for i in range(0, len(half), 8192):
                chunk = half[i:i + 8192]
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            staging = os.path.join(srv.data, "staging")
            deadline = time.time() + 20
            while time.time() < deadline:
                files = [f for d, _, fs in os.walk(staging) for f in fs]
                if files:
                    break
                time.sleep(0.02)
            self.assertTrue(files, "the upload never reached the staging directory")
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait()
            conn.close()
            srv.stop()

            srv.start()
            self.assertEqual(os.listdir(staging), [])
            self.assertFalse(os.path.exists(os.path.join(srv.data, "runs", B)))
            self.assertEqual(tbtest.tree_snapshot(os.path.join(srv.data, "runs")),
                             runs_before)
            listed = [r["id"] for r in srv.get_json("/api/v1/runs")["runs"]]
            self.assertEqual(listed, [A])
            a_after = srv.wait_ready(A)
            self.assertEqual(a_after["instructions"], a_before["instructions"])
            # the interrupted id was never taken
            status, answer = curl_upload(srv, token, B, body)
            self.assertEqual(status, 201, answer)
        finally:
            srv.close()


class IdsAreNeverReused(unittest.TestCase):
    """An id stays taken even when its directory is removed by hand."""

    def test_removed_run_keeps_its_id(self):
        srv = tbtest.Server(TBSCOPE)
        try:
            token = add_token(srv.data, "ci")
            body = tar_of([("a.qemu_out", "file", ROW)])
            status, answer = curl_upload(srv, token, "once", body)
            self.assertEqual(status, 201, answer)
            shutil.rmtree(os.path.join(srv.data, "runs", "once"))
            srv.stop()
            srv.start()
            status, answer = curl_upload(srv, token, "once", body)
            self.assertEqual(status, 409, answer)
            status, answer = curl_upload(srv, token, "twice", body)
            self.assertEqual(status, 201, answer)
        finally:
            srv.close()


class TokenFile(unittest.TestCase):
    """--token-file: a token kept outside the data directory (CI secrets)."""

    def test_token_file(self):
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "tok")
            with open(path, "w") as f:
                f.write("s3cret-token-for-ci\n")
            srv = tbtest.Server(TBSCOPE, "--token-file", path)
            try:
                body = tar_of([("a.qemu_out", "file", ROW)])
                status, answer = curl_upload(srv, "s3cret-token-for-ci", "t1", body)
                self.assertEqual(status, 201, answer)
                status, answer = curl_upload(srv, "s3cret-token-for-c", "t2", body)
                self.assertEqual(status, 403, answer)
            finally:
                srv.close()
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
