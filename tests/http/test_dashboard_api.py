#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The dashboard's API (issue #11) on a real `tbscope serve`: each run's
change against the previous run of its series, the series list, a run's
neighbours, the series history and the 404s of history.

Usage: test_dashboard_api.py TBSCOPE_BINARY TEST_DATA_DIR

The runs are hard-linked copies of the two fixture runs with metadata
written here; expected figures come from FIXTURES.md (tbtest), never from
tbscope.
"""
import json
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tbtest  # noqa: E402
from tbtest import A, B, link_tree  # noqa: E402

TBSCOPE = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])

# id: (fixture run, series, day of January 2026)
RUNS = {
    "m1": (A, "main", 1),
    "m2": (B, "main", 2),
    "m3": (B, "main", 3),   # same counts as m2: no step
    "m4": (A, "main", 4),   # back to A: a step up
    "g1": (B, "gcc13", 5),  # another series, newer than all of main
    "loose": (A, None, 6),  # no series at all
}
MAIN = ["m1", "m2", "m3", "m4"]


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tbscope-dash-")
        runs = os.path.join(cls.tmp.name, "runs")
        for rid, (src, series, day) in RUNS.items():
            link_tree(os.path.join(DATA, "runs", src), os.path.join(runs, rid))
            meta = {"timestamp": "2026-01-%02dT10:00:00Z" % day, "commit": rid * 4}
            if series:
                meta["series"] = series
            with open(os.path.join(runs, rid, "tbscope-run.json"), "w") as f:
                json.dump(meta, f)
        cls.srv = tbtest.Server(TBSCOPE, "--runs-dir", runs, "--sysroot",
                                tbtest.CROSS_SYSROOT, "--threads", "2")
        for rid in RUNS:
            assert cls.srv.wait_ready(rid)["status"] == "ready", rid
        cls.totals = tbtest.per_benchmark_totals(DATA)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        log = cls.srv.log_text()
        cls.srv.close()
        cls.tmp.cleanup()
        assert rc == 0, "server exit status %r\n%s" % (rc, log)

    # the oracle: counts of the fixture run `src` (A or B)
    def counts(self, src):
        return {b: ab[0 if src == A else 1] for b, ab in self.totals.items()}

    def expected_change(self, base, new):
        cb, cn = self.counts(RUNS[base][0]), self.counts(RUNS[new][0])
        pcts = {b: (cn[b] - cb[b]) * 100 / cb[b] for b in cb}
        reg = [b for b in cb if cn[b] > cb[b]]
        imp = [b for b in cb if cn[b] < cb[b]]
        geo = (math.exp(sum(math.log(cn[b] / cb[b]) for b in cb) / len(cb)) - 1) * 100
        worst = max(reg, key=lambda b: pcts[b]) if reg else None
        best = min(imp, key=lambda b: pcts[b]) if imp else None
        return reg, imp, geo, worst, best, pcts

    def check_change(self, ch, base, new):
        reg, imp, geo, worst, best, pcts = self.expected_change(base, new)
        self.assertEqual(ch["base"], base)
        self.assertEqual(ch["new"], new)
        self.assertEqual(ch["changes"]["regressed"], len(reg))
        self.assertEqual(ch["changes"]["improved"], len(imp))
        self.assertEqual(ch["changes"]["unchanged"], 6 - len(reg) - len(imp))
        self.assertAlmostEqual(ch["geomean_pct"], geo, places=6)
        self.assertEqual(ch["worst"] and ch["worst"]["name"], worst)
        self.assertEqual(ch["best"] and ch["best"]["name"], best)
        moved = sorted(reg + imp, key=lambda b: -abs(pcts[b]))[:3]
        self.assertEqual([t["name"] for t in ch["top"]], moved)

    def test_changes_pair_each_run_with_the_previous_of_its_series(self):
        doc = self.srv.get_json("/api/v1/changes?limit=100")
        self.assertEqual(doc["total"], len(RUNS))
        got = {r["id"]: r for r in doc["runs"]}
        # newest first, as /api/v1/runs
        self.assertEqual([r["id"] for r in doc["runs"]],
                         sorted(RUNS, key=lambda r: -RUNS[r][2]))
        want_prev = {"m1": None, "m2": "m1", "m3": "m2", "m4": "m3",
                     "g1": None, "loose": None}
        for rid, prev in want_prev.items():
            self.assertEqual(got[rid]["previous"], prev, rid)
            if prev is None:
                self.assertIsNone(got[rid]["vs_previous"], rid)
            else:
                self.check_change(got[rid]["vs_previous"], prev, rid)
        # the A -> B geomean is FIXTURES.md's
        _, pct = tbtest.readme_geomean_pct(DATA)
        self.assertEqual(round(got["m2"]["vs_previous"]["geomean_pct"], 2), pct)
        # a series filter, and a page of it
        doc = self.srv.get_json("/api/v1/changes?series=main&limit=2&offset=1")
        self.assertEqual(doc["total"], 4)
        self.assertEqual([r["id"] for r in doc["runs"]], ["m3", "m2"])

    def test_series_list_with_latest_change(self):
        doc = self.srv.get_json("/api/v1/series")
        names = [s["name"] for s in doc["series"]]
        self.assertEqual(names, ["gcc13", "main"])  # newest run first
        main = doc["series"][1]
        self.assertEqual((main["runs"], main["ready"]), (4, 4))
        self.check_change(main["latest_change"], "m3", "m4")
        self.assertIsNone(doc["series"][0]["latest_change"])

    def test_neighbours(self):
        doc = self.srv.get_json("/api/v1/runs/m2/neighbours")
        self.assertEqual(doc["run"]["id"], "m2")
        self.assertEqual(doc["run"]["meta"]["commit"], "m2m2m2m2")
        self.assertEqual(doc["previous"]["id"], "m1")
        self.assertEqual(doc["next"]["id"], "m3")
        doc = self.srv.get_json("/api/v1/runs/m4/neighbours")
        self.assertEqual((doc["previous"]["id"], doc["next"]), ("m3", None))
        doc = self.srv.get_json("/api/v1/runs/g1/neighbours")
        self.assertEqual((doc["previous"], doc["next"]), (None, None))
        self.srv.get_json("/api/v1/runs/nope/neighbours", want=404)

    def test_series_history(self):
        doc = self.srv.get_json("/api/v1/series/main/history")
        self.assertEqual([p["run"] for p in doc["points"]], MAIN)
        _, pct = tbtest.readme_geomean_pct(DATA)
        geo = [p["geomean_pct"] for p in doc["points"]]
        self.assertEqual([round(g, 2) for g in geo], [0, pct, pct, 0])
        self.assertEqual([p["step"] for p in doc["points"]], [False, True, False, True])
        self.assertEqual([p["previous_run"] for p in doc["points"]], [None, "m1", "m2", "m3"])
        lines = {b["name"]: b["delta_pct"] for b in doc["benchmarks"]}
        self.assertEqual(set(lines), set(self.totals))
        for b, (a, bb) in self.totals.items():
            want = [0, (bb - a) * 100 / a, (bb - a) * 100 / a, 0]
            for g, w in zip(lines[b], want):
                self.assertAlmostEqual(g, w, places=6)
        self.srv.get_json("/api/v1/series/nope/history", want=404)

    def test_history_never_steps_across_series(self):
        bench = "612.matmul_r"
        a, b = self.totals[bench]
        doc = self.srv.get_json("/api/v1/history/" + bench)
        pts = {p["run"]: p for p in doc["points"]}
        self.assertEqual(set(pts), set(RUNS))
        # g1 follows m4 in time but is another series: no step, no previous
        self.assertEqual(pts["g1"]["series"], "gcc13")
        self.assertIsNone(pts["g1"]["previous_run"])
        self.assertFalse(pts["g1"]["step"])
        self.assertIsNone(pts["loose"]["previous_run"])
        self.assertFalse(pts["loose"]["step"])
        self.assertEqual(pts["m4"]["previous_run"], "m3")
        self.assertEqual(pts["m4"]["delta"], a - b)
        self.assertTrue(pts["m4"]["step"])
        lines = {ln["series"]: [p["run"] for p in ln["points"]] for ln in doc["lines"]}
        self.assertEqual(lines, {"main": MAIN, "gcc13": ["g1"]})

    def test_history_404_names_what_is_missing(self):
        for path, word in (("/api/v1/history/999.none_r", "999.none_r"),
                           ("/api/v1/history/612.matmul_r?series=nope", "nope"),
                           ("/api/v1/history/999.none_r?series=main", "999.none_r")):
            doc = self.srv.get_json(path, want=404)
            self.assertEqual(doc["error"]["code"], "not_found", path)
            self.assertIn(word, doc["error"]["message"], path)
        # and the pages
        for path in ("/history/999.none_r", "/history/612.matmul_r?series=nope",
                     "/history?series=nope"):
            status, _, body = self.srv.get(path)
            self.assertEqual(status, 404, path)
            self.assertIn(b"<title>", body)
        status, _, body = self.srv.get("/history?series=main")
        self.assertEqual(status, 200)
        self.assertIn(b"4 runs, 2 steps, 6 benchmarks", body)

    def test_compare_preview_names_the_worst_regression(self):
        reg, _, _, worst, _, pcts = self.expected_change("m3", "m4")
        status, _, body = self.srv.get("/compare/m3...m4")
        self.assertEqual(status, 200)
        self.assertIn(("Worst: %s +%.2f %%" % (worst, pcts[worst])).encode(), body)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
