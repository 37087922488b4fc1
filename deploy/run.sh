#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Set up, build and start `tbscope serve` on the bundled example runs
# (tests/data/runs: the same benchmarks built with gcc -O2 rv64gc and
# -O3 rv64gc_zba_zbb_zbs), with its data (SQLite index, uploads, tokens)
# in ./tbscope-data.  Open the URL it prints.  Extra arguments go to
# `tbscope serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
exec build/server/tbscope serve --data ./tbscope-data \
	--runs-dir tests/data/runs --sysroot /usr/riscv64-linux-gnu "$@"
