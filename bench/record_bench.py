#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Recording overhead: plain QEMU, QEMU + stock hotblocks, QEMU + ours.

Part of `cmake --build build --target bench` (a benchmark, not a test).
The fixtures' six programs (tests/data/record/src) are cross-compiled with
riscv64-linux-gnu-gcc -O2 and run with the fixtures' nine invocations under
qemu-riscv64, in four configurations:

  plain             no plugin
  stock hotblocks   QEMU's contrib hotblocks, inline=on (its fastest mode;
                    only the 20 hottest blocks printed, racy with threads),
                    built from the Debian qemu source setup.sh fetched
  ours              libtbscope_plugin.so as `tbscope record` runs it: every
                    block, the map, the total (atomic counts, exact with
                    threads)
  ours inline=on    the same with QEMU's inline add (single-threaded only)

One repeat runs the nine invocations once in every configuration, the
configurations interleaved, so that a busy machine slows them alike.  The
figure is the sum over the nine invocations of the wall time (and of the
child's CPU time, user + sys), median and min over the repeats.

usage: record_bench.py PLUGIN_SO QEMU_SRC_DIR DATA_DIR WORK_DIR [REPEATS=5]
Prints a message and exits 0 when qemu-user, the cross compiler, the plugin
or the QEMU source is missing.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

PLUGIN, QEMU_SRC, DATA, WORK = (os.path.abspath(a) if a else "" for a in sys.argv[1:5])
REPEATS = int(sys.argv[5]) if len(sys.argv) > 5 else 5
SYSROOT = "/usr/riscv64-linux-gnu"
QEMU = shutil.which("qemu-riscv64")
CC = shutil.which("riscv64-linux-gnu-gcc")

INVOCATIONS = [
    ("600.lzpack_r", ["text", "200000"]),
    ("600.lzpack_r", ["records", "250000"]),
    ("600.lzpack_r", ["repeat", "400000"]),
    ("601.graphwalk_r", ["30000", "6", "6"]),
    ("602.hashjoin_r", ["100000", "400000", "1"]),
    ("602.hashjoin_r", ["40000", "800000", "4"]),
    ("604.sortmix_r", ["60000", "20000"]),
    ("610.stencil_r", ["160", "60", "40", "30"]),
    ("612.matmul_r", ["160", "3"]),
]


def missing(why):
    print("record overhead: skipped: " + why)
    sys.exit(0)


def timed(cmd, cwd):
    """(wall seconds, child CPU seconds) of one run; stdout discarded."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("record overhead: %s failed" % " ".join(cmd))
    return wall, ru.ru_utime + ru.ru_stime


def main():
    if not QEMU or not CC:
        missing("no qemu-riscv64 or riscv64-linux-gnu-gcc (deploy/setup.sh)")
    if not PLUGIN or not os.path.exists(PLUGIN):
        missing("tbscope's plugin was not built (no qemu-plugin.h)")
    hb_src = os.path.join(QEMU_SRC, "contrib/plugins/hotblocks.c")
    if not QEMU_SRC or not os.path.exists(hb_src):
        missing("no QEMU plugin sources (deploy/setup.sh fetches them)")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    glib = subprocess.run(["pkg-config", "--cflags", "--libs", "glib-2.0"],
                          check=True, capture_output=True, text=True).stdout.split()
    stock = os.path.join(WORK, "libhotblocks.so")
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", stock,
                    "-I" + os.path.join(QEMU_SRC, "include", "qemu"), hb_src] + glib,
                   check=True)
    for bench in sorted({b for b, _ in INVOCATIONS}):
        subprocess.run([CC, "-O2", "-march=rv64gc", "-o", os.path.join(WORK, bench),
                        os.path.join(DATA, "record", "src", bench + ".c"), "-lm"],
                       check=True)
    log = os.path.join(WORK, "hotblocks.log")
    configs = [
        ("plain QEMU", []),
        ("QEMU + stock hotblocks (inline=on)",
         ["-plugin", stock + ",inline=on", "-d", "plugin", "-D", log]),
        ("QEMU + tbscope_plugin", ["-plugin", PLUGIN]),
        ("QEMU + tbscope_plugin inline=on", ["-plugin", PLUGIN + ",inline=on"]),
    ]
    times = {name: [] for name, _ in configs}
    for _ in range(REPEATS):
        for name, extra in configs:
            wall = cpu = 0.0
            for bench, args in INVOCATIONS:
                prog = os.path.join(WORK, bench)
                w, c = timed([QEMU, "-L", SYSROOT] + extra + [prog] + args, WORK)
                wall += w
                cpu += c
            times[name].append((wall, cpu))
            for f in os.listdir(WORK):  # ours numbers its files: start afresh
                if ".qemu_out" in f or ".map" in f:
                    os.unlink(os.path.join(WORK, f))

    cpu_name = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_name = line.split(":", 1)[1].strip()
                break
    print()
    print("recording overhead: %s, the fixtures' 9 invocations (%s)"
          % (subprocess.run([QEMU, "--version"], capture_output=True,
                            text=True).stdout.splitlines()[0], cpu_name))
    print("%d repeats, configurations interleaved; sum over the invocations; "
          "load average %s" % (REPEATS, open("/proc/loadavg").read().split()[0]))
    print()
    base = statistics.median(c for _, c in times["plain QEMU"])
    stock_cpu = statistics.median(c for _, c in times[configs[1][0]])
    print("| configuration | median wall | min wall | median CPU | CPU vs plain "
          "| CPU vs stock hotblocks |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in configs:
        walls = [w for w, _ in times[name]]
        cpus = [c for _, c in times[name]]
        print("| %s | %.2f s | %.2f s | %.2f s | %.2f× | %.2f× |"
              % (name, statistics.median(walls), min(walls), statistics.median(cpus),
                 statistics.median(cpus) / base, statistics.median(cpus) / stock_cpu))


if __name__ == "__main__":
    main()
