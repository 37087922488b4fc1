#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Integration tests: a real `tbscope serve` on loopback, queried over HTTP.

Usage: test_server.py TBSCOPE_BINARY TEST_DATA_DIR
"""
import json
import re
import math
import os
import sys
import subprocess
import time
import unittest
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A, B  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
RUNS = os.path.join(DATA, "runs")


class RunsDir(unittest.TestCase):
    """--runs-dir: the fixture runs indexed in place."""

    @classmethod
    def setUpClass(cls):
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", RUNS, "--sysroot",
                                tbtest.CROSS_SYSROOT, "--threads", "2")
        for r in (A, B):
            info = cls.srv.wait_ready(r)
            assert info["status"] == "ready", info
        # the indexer's last step moves the index generation: wait until
        # an answer is served from the cache, so the cache tests see a
        # still index
        for _ in range(100):
            cls.srv.get("/api/v1/runs/" + B)
            if cls.srv.log_text().rstrip().endswith(" cached"):
                break
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    def test_compare_answers_fixture_numbers(self):
        doc = self.srv.get_json("/api/v1/compare/%s...%s" % (A, B))
        totals = tbtest.per_benchmark_totals(DATA)
        got = {r["name"]: (r["base_instructions"], r["new_instructions"])
               for r in doc["benchmarks"]}
        self.assertEqual(got, totals)
        ratio, pct = tbtest.readme_geomean_pct(DATA)
        self.assertAlmostEqual(doc["geomean"]["ratio"], ratio, places=6)
        self.assertEqual(round(doc["geomean"]["delta_pct"], 2), pct)
        self.assertEqual(doc["base"]["run"], A)
        self.assertEqual(doc["new"]["run"], B)

    def test_compare_bench_is_what_the_cli_prints(self):
        import subprocess
        cli = subprocess.run([TBSCOPE, "compare", "-f", "json", "--bench", "612.matmul_r",
                              "-n", "50", "--sysroot", tbtest.CROSS_SYSROOT, A, B],
                             cwd=RUNS, capture_output=True, text=True, check=True)
        api = self.srv.get_json("/api/v1/compare/%s...%s/612.matmul_r" % (A, B))
        self.assertEqual(json.loads(cli.stdout), api)
        status, _, text = self.srv.get("/api/v1/compare/%s...%s/612.matmul_r?format=text" % (A, B))
        self.assertEqual(status, 200)
        self.assertIn("main", text.decode())
        status, _, body = self.srv.get("/api/v1/compare/%s...%s/999.none_r" % (A, B))
        self.assertEqual(status, 404, body)

    def test_blocks_and_mix_are_what_the_cli_prints(self):
        import subprocess
        for view, flag in (("blocks", "--blocks"), ("mix", "--mix")):
            with self.subTest(view):
                cli = subprocess.run([TBSCOPE, "show", B, "612.matmul_r", flag, "-f", "json",
                                      "-n", "100", "--sysroot", tbtest.CROSS_SYSROOT],
                                     cwd=RUNS, capture_output=True, text=True, check=True)
                api = self.srv.get_json("/api/v1/runs/%s/benchmarks/612.matmul_r/%s" % (B, view))
                self.assertEqual(api.pop("run"), B)
                self.assertEqual(json.loads(cli.stdout), api)
        one = self.srv.get_json("/api/v1/runs/%s/benchmarks/612.matmul_r/mix?function=main" % B)
        self.assertEqual(one["function"], "main")
        status, _, _ = self.srv.get(
            "/api/v1/runs/%s/benchmarks/612.matmul_r/mix?function=nope" % B)
        self.assertEqual(status, 404)

    def test_objdump_line_of_a_library_function_prints_it(self):
        """#13 item 7: exp is named after its default version; objdump
        itself names the address __exp_finite, so the reproduce line of a
        library function is an address range, and it prints exp's code."""
        d = self.srv.get_json("/api/v1/compare/%s...%s/610.stencil_r?limit=0" % (A, B))
        exp = [f for f in d["functions"] if f["name"] == "exp" and f["object"] == "libm.so.6"]
        self.assertEqual(len(exp), 1, [f["name"] for f in d["functions"]])
        line = exp[0]["objdump_base"]
        self.assertIn("--start-address=", line)
        out = subprocess.run(line, shell=True, capture_output=True, text=True,
                             check=True).stdout
        addr = int(re.search(r"--start-address=(0x[0-9a-f]+)", line).group(1), 16)
        self.assertRegex(out, r"(?m)^0*%x <__exp_finite@GLIBC_2\.27>:$" % addr)
        self.assertGreater(len(re.findall(r"(?m)^ +[0-9a-f]+:\t", out)), 20)

    def test_compare_bench_blocks_side_by_side(self):
        d = self.srv.get_json("/api/v1/compare/%s...%s/612.matmul_r?function=main" % (A, B))
        self.assertEqual(d["blocks"]["function"], "main")
        for side in ("base", "new"):
            blocks = d["blocks"][side]["blocks"]
            self.assertTrue(blocks)
            self.assertTrue(all(b["function"] == "main" for b in blocks))
        self.assertEqual(sum(c["delta"] for c in d["mix"]["by_class"]), d["delta"])
        main = [f for f in d["functions"] if f["name"] == "main"][0]
        self.assertIs(main["code_changed"], True)
        self.assertIn("--disassemble='main'", main["objdump_base"])
        self.assertIn("qemu-riscv64", d["reproduce"])

    def test_compare_is_what_the_cli_prints(self):
        import subprocess
        cli = subprocess.run([TBSCOPE, "compare", "-f", "json", A, B], cwd=RUNS,
                             capture_output=True, text=True, check=True)
        api = self.srv.get_json("/api/v1/compare/%s...%s" % (A, B))
        self.assertEqual(json.loads(cli.stdout)["benchmarks"], api["benchmarks"])
        status, headers, text = self.srv.get("/api/v1/compare/%s...%s?format=text" % (A, B))
        self.assertEqual(status, 200)
        self.assertTrue(text.decode().startswith(tbtest.reference_table(DATA)))
        self.assertTrue(headers["content-type"].startswith("text/plain"))

    def test_per_object_columns_on_demand(self):
        doc = self.srv.get_json("/api/v1/compare/%s...%s?objects=1" % (A, B))
        for r in doc["benchmarks"]:
            names = [o["name"] for o in r["objects"]]
            self.assertIn(r["name"], names)
            self.assertIn("libc.so.6", names)
            self.assertEqual(sum(o["base_instructions"] for o in r["objects"]),
                             r["base_instructions"])
            self.assertEqual(sum(o["new_instructions"] for o in r["objects"]),
                             r["new_instructions"])
            self.assertEqual(sum(o["delta"] for o in r["objects"]), r["delta"])
        plain = self.srv.get_json("/api/v1/compare/%s...%s" % (A, B))
        self.assertNotIn("objects", plain["benchmarks"][0])

    def test_markdown_for_pull_requests(self):
        status, headers, body = self.srv.get(
            "/api/v1/compare/%s...%s?format=markdown&threshold=1" % (A, B))
        self.assertEqual(status, 200)
        md = body.decode()
        self.assertIn("**Geomean \u22124.75 %**", md)
        self.assertIn("612.matmul\\_r", md)
        self.assertIn("(%s/compare/%s...%s)" % (self.srv.url, A, B), md)

    def access_log_lines(self, offset, path, count):
        """The access-log lines of GET path after offset, once there are
        count of them (a line is written when its request completes)."""
        for _ in range(100):
            lines = [l for l in self.srv.log_text()[offset:].splitlines()
                     if ("GET %s " % path) in l]
            if len(lines) >= count:
                break
            time.sleep(0.05)
        self.assertEqual(len(lines), count, lines)
        return lines

    def test_cached_answers_are_keyed_by_the_exact_query(self):
        base = "/api/v1/compare/%s...%s" % (A, B)
        before = len(self.srv.log_text())
        # ?objects=1&format=text is text; ?objects=1%26format%3Dtext is one
        # parameter (objects="1&format=text"): JSON, never the text above
        status, headers, body = self.srv.get(base + "?objects=1&format=text")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        status, headers, body = self.srv.get(base + "?objects=1%26format%3Dtext")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertIn("objects", json.loads(body)["benchmarks"][0])
        # the same parameters in another order: the same answer, cached
        status, headers, again = self.srv.get(base + "?format=text&objects=1")
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        # a key given twice: the first value counts, so its order matters
        status, headers, _ = self.srv.get(base + "?format=csv&format=text")
        self.assertTrue(headers["content-type"].startswith("text/csv"))
        status, headers, _ = self.srv.get(base + "?format=text&format=csv")
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        # (the access log shows paths without their queries)
        lines = self.access_log_lines(before, base, 5)
        # (and lines of requests on different threads may swap): only the
        # reordered one, whose key an earlier request made, is a hit
        self.assertEqual(sum(l.endswith(" cached") for l in lines), 1, lines)

    def test_a_page_is_served_from_the_cache_on_its_second_view(self):
        path = "/compare/%s...%s" % (A, B)
        before = len(self.srv.log_text())
        first = self.srv.get(path + "?bench=612.matmul_r")
        self.assertEqual(first[0], 200)
        self.assertIn("612.matmul_r -19.75 %", first[2].decode())
        # The indexer may still be finishing (its last step moves the
        # index generation, which empties the cache), so allow a few
        # views; once the index is still, a view is answered from the cache.
        for n in range(2, 7):
            again = self.srv.get(path + "?bench=612.matmul_r")
            self.assertEqual(again[2], first[2])
            lines = self.access_log_lines(before, path, n)
            if lines[-1].endswith(" cached"):
                break
        # the first view is computed, a later one comes from the cache
        self.assertFalse(all(l.endswith(" cached") for l in lines), lines)
        self.assertTrue(any(l.endswith(" cached") for l in lines), lines)
    def test_threshold_decides_change_at_the_boundary(self):
        """?threshold= feeds the JSON's "change": at it unchanged, above it changed.

        The threshold is the double nearest 602.hashjoin_r's exact |delta %|
        (Python's fractions on FIXTURES.md); the next double down is below it.
        """
        a, b = tbtest.per_benchmark_totals(DATA)["602.hashjoin_r"]
        at = float(abs(Fraction((b - a) * 100, a)))
        path = "/api/v1/compare/%s...%s?threshold=%r"
        doc = self.srv.get_json(path % (A, B, at))
        got = {r["name"]: r["change"] for r in doc["benchmarks"]}
        self.assertEqual(got["602.hashjoin_r"], "unchanged")
        self.assertEqual(doc["changes"]["unchanged"], 1)
        doc = self.srv.get_json(path % (A, B, math.nextafter(at, 0)))
        got = {r["name"]: r["change"] for r in doc["benchmarks"]}
        self.assertEqual(got["602.hashjoin_r"], "improved")
        self.assertEqual(doc["changes"]["unchanged"], 0)
        # no threshold: the one default, 0 %
        self.assertEqual(self.srv.get_json("/api/v1/compare/%s...%s" % (A, B))["threshold_pct"], 0)

    def test_strong_etag_and_304(self):
        path = "/api/v1/compare/%s...%s" % (A, B)
        status, headers, body = self.srv.get(path)
        etag = headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        status, headers2, body2 = self.srv.get(path, {"If-None-Match": etag})
        self.assertEqual(status, 304)
        self.assertEqual(body2, b"")
        self.assertEqual(headers2["etag"], etag)
        # the same bytes twice (cached or not) give the same ETag
        self.assertEqual(self.srv.get(path)[1]["etag"], etag)

    def test_run_and_benchmark_views(self):
        totals = tbtest.per_benchmark_totals(DATA)
        run = self.srv.get_json("/api/v1/runs/" + A)
        self.assertEqual(run["status"], "ready")
        self.assertEqual(run["instructions"], sum(a for a, _ in totals.values()))
        for b in run["benchmarks"]:
            self.assertEqual(b["instructions"], totals[b["name"]][0])
            self.assertEqual(sum(o["instructions"] for o in b["objects"]), b["instructions"])
        bench = self.srv.get_json("/api/v1/runs/%s/benchmarks/612.matmul_r" % B)
        self.assertEqual(bench["instructions"], totals["612.matmul_r"][1])
        self.assertEqual(bench["functions"][0]["name"], "main")
        funcs = self.srv.get_json("/api/v1/runs/%s/benchmarks/612.matmul_r/functions" % B)
        self.assertEqual(sum(f["instructions"] for f in funcs["functions"]),
                         totals["612.matmul_r"][1])
        self.assertEqual(len(funcs["functions"]), funcs["functions_total"])

    def test_runs_list_and_history(self):
        doc = self.srv.get_json("/api/v1/runs")
        self.assertEqual(doc["total"], 2)
        self.assertEqual({r["id"] for r in doc["runs"]}, {A, B})
        self.assertEqual(self.srv.get_json("/api/v1/runs?limit=1")["runs"].__len__(), 1)
        self.assertEqual(self.srv.get_json("/api/v1/runs?series=none")["total"], 0)
        h = self.srv.get_json("/api/v1/history/612.matmul_r")
        vals = [p["instructions"] for p in h["points"]]
        self.assertEqual(sorted(vals), sorted(tbtest.per_benchmark_totals(DATA)["612.matmul_r"]))

    def test_errors_are_json_with_the_right_status(self):
        cases = [
            ("/api/v1/runs/nope", 404, "not_found"),
            ("/api/v1/runs/%s/benchmarks/999.nope_r" % A, 404, "not_found"),
            ("/api/v1/compare/%s...nope" % A, 404, "not_found"),
            ("/api/v1/compare/%s" % A, 400, "bad_request"),
            ("/api/v1/compare/%s...%s?format=xml" % (A, B), 400, "bad_request"),
            ("/api/v1/runs?limit=-1", 400, "bad_request"),
            ("/api/v1/nothing", 404, "not_found"),
            ("/api/v1/runs/..%2F..%2Fetc", 404, "not_found"),
            ("/api/v1/runs/%2e%2e", 404, "not_found"),
            ("/api/v1/runs/a%00b", 404, "not_found"),  # MHD cuts at %00
        ]
        for path, status, code in cases:
            st, headers, body = self.srv.get(path)
            self.assertEqual(st, status, path)
            self.assertEqual(headers["content-type"], "application/json", path)
            self.assertEqual(json.loads(body)["error"]["code"], code, path)
        st, _, body = self.srv.request("DELETE", "/api/v1/runs/" + A)
        self.assertEqual(st, 405)

    def test_keep_alive_serves_several_requests(self):
        import http.client
        conn = http.client.HTTPConnection(self.srv.host, self.srv.port, timeout=10)
        for _ in range(3):
            conn.request("GET", "/api/v1/runs")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        conn.close()


class Restart(unittest.TestCase):
    def test_unchanged_runs_are_not_analysed_again(self):
        srv = tbtest.Server(TBSCOPE, "--runs-dir", RUNS)
        try:
            srv.wait_ready(A)
            srv.wait_ready(B)
            self.assertEqual(srv.stop(), 0)
            self.assertIn("index: 2 runs to analyse", srv.log_text())
            srv.start()
            self.assertEqual(srv.get_json("/api/v1/runs/" + A)["status"], "ready")
            self.assertEqual(srv.stop(), 0)
            self.assertIn("index: 0 runs to analyse", srv.log_text())
        finally:
            srv.close()

    def test_data_dir_inside_a_runs_dir_is_not_a_run(self):
        # `serve --data runs/data --runs-dir runs`: DATA is a directory of
        # the runs dir, and must not be listed (or fail) as a run
        import shutil
        import tempfile
        root = tempfile.mkdtemp(prefix="tbscope-nest-")
        try:
            shutil.copytree(os.path.join(RUNS, A), os.path.join(root, A), symlinks=True)
            srv = tbtest.Server(TBSCOPE, "--runs-dir", root, data=os.path.join(root, "data"))
            try:
                srv.wait_ready(A)
                ids = [r["id"] for r in srv.get_json("/api/v1/runs")["runs"]]
                self.assertEqual(ids, [A])
                self.assertIn("is the data directory, not a run", srv.log_text())
            finally:
                srv.close()
        finally:
            shutil.rmtree(root)

    def test_bad_options_exit_2(self):
        import subprocess
        for args in (["--threads", "0"], ["--listen", "nowhere"], ["--frob"]):
            p = subprocess.run([TBSCOPE, "serve", *args], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("usage: tbscope serve", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
