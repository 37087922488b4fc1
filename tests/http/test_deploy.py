#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deploy/: the systemd unit passes systemd-analyze, and deploy/nginx.conf,
run by a real nginx in front of a real server, serves the dashboard and
takes an upload larger than nginx's own 1 MB default body limit.

Usage: test_deploy.py TBSCOPE_BINARY TEST_DATA_DIR
"""
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Unit(unittest.TestCase):
    def test_systemd_analyze_verify_is_silent(self):
        with open(os.path.join(DEPLOY, "tbscope.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/local/bin/tbscope serve", unit)
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "tbscope.service")
            with open(path, "w") as f:
                f.write(unit.replace("/usr/local/bin/tbscope", TBSCOPE))
            p = subprocess.run(["systemd-analyze", "verify", path],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            # unknown keys are only warnings: there must be none
            self.assertEqual(p.stderr.strip(), "")
            # and its options are ones `tbscope serve` takes
            args = re.search(r"^ExecStart=\S+ serve (.*?)\n\S", unit, re.S | re.M).group(1)
            args = args.replace("\\\n", " ").split()
            srv = subprocess.Popen([TBSCOPE, "serve", *args, "--data", tmp,
                                    "--listen", "127.0.0.1:0"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                line = srv.stdout.readline()
                self.assertIn("listening on", line, srv.stderr.read() if not line else "")
            finally:
                srv.terminate()
                self.assertEqual(srv.wait(timeout=20), 0)
                srv.stdout.close()
                srv.stderr.close()
        finally:
            shutil.rmtree(tmp)


class BehindNginx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", os.path.join(DATA, "runs"))
        cls.srv.wait_ready(A)
        cls.tmp = tempfile.mkdtemp(prefix="tbscope-nginx-")
        os.chmod(cls.tmp, 0o755)
        cls.port = free_port()
        with open(os.path.join(DEPLOY, "nginx.conf")) as f:
            server = f.read()
        # the example without TLS, on a free port, to this server
        server = re.sub(r"^\s*(listen \[::\].*|ssl_.*)\n", "", server, flags=re.M)
        server = server.replace("listen 443 ssl;", "listen 127.0.0.1:%d;" % cls.port)
        server = server.replace("127.0.0.1:8080", "%s:%d" % (cls.srv.host, cls.srv.port))
        conf = os.path.join(cls.tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write("daemon off; pid %s/nginx.pid; error_log %s/error.log;\n"
                    "events {}\nhttp {\naccess_log off;\n"
                    "client_body_temp_path %s/body; proxy_temp_path %s/proxy;\n"
                    "fastcgi_temp_path %s/f; uwsgi_temp_path %s/u; scgi_temp_path %s/s;\n%s\n}\n"
                    % ((cls.tmp,) * 7 + (server,)))
        cls.nginx = subprocess.Popen([NGINX, "-p", cls.tmp, "-c", conf],
                                     stderr=subprocess.PIPE)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("nginx did not start: %s" % cls.nginx.stderr.read())
        cls.url = "http://127.0.0.1:%d" % cls.port

    @classmethod
    def tearDownClass(cls):
        cls.nginx.terminate()
        cls.nginx.wait(timeout=20)
        cls.srv.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_pages_and_api_through_the_proxy(self):
        with urllib.request.urlopen(self.url + "/compare/%s...%s" % (A, tbtest.B)) as r:
            self.assertEqual(r.status, 200)
            self.assertIn(b"<html", r.read())
        with urllib.request.urlopen(self.url + "/api/v1/runs/" + A) as r:
            self.assertEqual(json.load(r)["status"], "ready")

    def test_upload_larger_than_nginx_default_limit(self):
        tok = subprocess.run([TBSCOPE, "token", "--data", self.srv.data, "add", "ci"],
                             capture_output=True, text=True, check=True).stdout.split()[-1]
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:  # not compressed: 3 MiB on the wire
            t.add(os.path.join(DATA, "runs", A), arcname="r")
            extra = os.urandom(3 << 20)
            ti = tarfile.TarInfo("r/notes.bin")
            ti.size = len(extra)
            t.addfile(ti, io.BytesIO(extra))
        body = buf.getvalue()
        self.assertGreater(len(body), 3 << 20)
        for chunked in (False, True):
            name = "via-proxy-%s" % ("chunked" if chunked else "length")
            cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--data-binary", "@-",
                   "-H", "Authorization: Bearer " + tok,
                   "%s/api/v1/runs?name=%s&series=proxy&wait=1" % (self.url, name)]
            if chunked:
                cmd[1:1] = ["-H", "Transfer-Encoding: chunked"]
            p = subprocess.run(cmd, input=body, capture_output=True, check=True)
            text, _, code = p.stdout.decode().rpartition("\n")
            self.assertEqual(int(code), 201, text)
            self.assertEqual(json.loads(text)["status"], "ready")
            info = self.srv.get_json("/api/v1/runs/" + name)
            self.assertEqual(info["status"], "ready")
            self.assertEqual(info["instructions"],
                             sum(a for a, _ in tbtest.per_benchmark_totals(DATA).values()))
        # a refused upload's answer comes through too
        p = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--data-binary", "@-",
                            "-H", "Authorization: Bearer wrong",
                            "%s/api/v1/runs?name=x" % self.url],
                           input=body, capture_output=True, check=True)
        text, _, code = p.stdout.decode().rpartition("\n")
        self.assertEqual(int(code), 403, text)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
