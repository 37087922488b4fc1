#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# A nightly series of N SPEC-sized synthetic runs for bench-scale (a
# benchmark, not a test): run-001 is gen_run's base run, run-K its
# --variant K-1 (the same programs and blocks, other counts).  Each run's
# .qemu_out and .map files are kept compressed with zstd, as a team
# archives old builds (tbscope reads them as they are); the programs and
# the sysroot, identical in every variant, are hard links to run-001's.
# Each run gets a tbscope-run.json: series "nightly", one day apart.
# Runs already there are kept, so a larger N only adds runs.
#
# usage: bench/gen_series.sh GEN_RUN OUTDIR [N=100]
set -euo pipefail

gen=$(realpath "$1")
out=$2
n=${3:-100}
mkdir -p "$out"
out=$(realpath "$out")
first="$out/run-001"

for ((k = 1; k <= n; k++)); do
	run=$(printf '%s/run-%03d' "$out" "$k")
	[ -e "$run/tbscope-run.json" ] && continue
	rm -rf "$run" "$run.tmp"
	"$gen" --seed 1 --variant $((k - 1)) "$run.tmp" >/dev/null
	find "$run.tmp" -type f \( -name '*.qemu_out' -o -name '*.qemu_out.[0-9]*' \
		-o -name '*.map' -o -name '*.map.[0-9]*' \) -print0 |
		xargs -0 -r zstd -q -3 --rm
	if [ "$k" -gt 1 ]; then
		# the same programs and libraries as run-001: one copy on disk
		(cd "$run.tmp" && find . -type f ! -name '*.zst' -print0) |
			while IFS= read -r -d '' f; do
				if [ -f "$first/$f" ] && cmp -s "$first/$f" "$run.tmp/$f"; then
					ln -f "$first/$f" "$run.tmp/$f"
				fi
			done
	fi
	day=$(date -u -d "2026-01-01 + $((k - 1)) days" +%Y-%m-%dT02:00:00Z)
	printf '{"series": "nightly", "timestamp": "%s", "commit": "c%03d"}\n' \
		"$day" "$k" >"$run.tmp/tbscope-run.json"
	mv "$run.tmp" "$run"
	echo "gen_series: $run"
done
