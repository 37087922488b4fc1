#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Latency of the pages and API answers that read the index (a benchmark,
# not a test): the runs list, the compare page and its JSON, the delta
# view of one benchmark, the benchmark page with its functions, blocks and
# mix, and a history.  Each is asked once right after the server starts
# (cold: nothing cached, the index read from SQLite), REPEATS times with
# a restart in between; the table gives the median and the minimum of
# those cold answers, in milliseconds (curl's time_total), and the median
# CPU time the server spent on it (user + system from /proc/PID/stat,
# 10 ms ticks): on a shared machine the wall time measures the other
# work as well, the CPU time much less so.
#
# usage: bench/page_latency.sh TBSCOPE DATA_DIR RUNS_DIR RUN_A RUN_B BENCH [REPEATS=5]
# DATA_DIR must already hold the index of RUNS_DIR (tbscope reindex), so
# the server starts with every run ready.
set -euo pipefail

tbscope=$(realpath "$1")
data=$2
runs=$3
a=$4
b=$5
bench=$6
n=${7:-5}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

paths=(
	"/api/v1/runs"
	"/"
	"/api/v1/compare/$a...$b"
	"/compare/$a...$b"
	"/api/v1/compare/$a...$b/$bench"
	"/compare/$a...$b/$bench"
	"/api/v1/runs/$b/benchmarks/$bench"
	"/runs/$b/$bench"
	"/api/v1/runs/$b/benchmarks/$bench/functions"
	"/api/v1/runs/$b/benchmarks/$bench/blocks"
	"/api/v1/runs/$b/benchmarks/$bench/mix"
	"/api/v1/history/$bench"
	"/history/$bench"
)

hz=$(getconf CLK_TCK)
cpu_ticks() { # PID -> utime + stime of the process, in clock ticks
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

for ((r = 0; r < n; r++)); do
	"$tbscope" serve --data "$data" --runs-dir "$runs" --listen 127.0.0.1:0 \
		--threads 2 --log-level warn >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	url=
	for _ in $(seq 600); do
		url=$(sed -n 's/^tbscope: listening on //p' "$tmp/out")
		[ -n "$url" ] && break
		sleep 0.05
	done
	[ -n "$url" ] || { echo "server did not start" >&2; cat "$tmp/err" >&2; exit 1; }
	for _ in $(seq 6000); do
		curl -sf "$url/api/v1/runs/$b" | grep -q '"status":"ready"' &&
			curl -sf "$url/api/v1/runs/$a" | grep -q '"status":"ready"' && break
		sleep 0.05
	done
	for i in "${!paths[@]}"; do
		c0=$(cpu_ticks "$pid")
		t=$(curl -sf -o /dev/null -w '%{time_total}' "$url${paths[$i]}") ||
			{ echo "GET ${paths[$i]} failed" >&2; exit 1; }
		c1=$(cpu_ticks "$pid")
		echo "$i $t $(((c1 - c0) * 1000 / hz))" >>"$tmp/times"
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
done

printf '%-60s %10s %10s %10s\n' "GET (cold, $n restarts)" "median ms" "min ms" "CPU ms"
for i in "${!paths[@]}"; do
	awk -v i="$i" '$1 == i {print $2 * 1000}' "$tmp/times" | sort -n >"$tmp/one"
	med=$(awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}' "$tmp/one")
	min=$(head -n1 "$tmp/one")
	cpu=$(awk -v i="$i" '$1 == i {print $3}' "$tmp/times" | sort -n |
		awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
	printf '%-60s %10.1f %10.1f %10d\n' "${paths[$i]}" "$med" "$min" "$cpu"
done
