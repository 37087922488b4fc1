#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# HTTP benchmark of `tbscope serve` (a benchmark, not a test):
#   1. requests/s and latency of the compare page /compare/<A>...<B> and of
#      its JSON twin GET /api/v1/compare/<A>...<B> with wrk at 64
#      connections, each beside nginx serving the same bytes as a static
#      file on the same machine in the same run;
#   2. the server's memory (VmHWM) with N synthetic runs indexed (hard-linked
#      copies of the fixture runs, so they cost no disk).
#
# usage: bench/http_bench.sh TBSCOPE_BINARY [N_RUNS=1000] [SECONDS=10]
# needs: wrk, nginx (deploy/setup.sh --bench installs them); with
# TBSCOPE_BENCH_SKIP_MISSING=1 (the bench-http target) it skips without them
set -euo pipefail

tbscope=$(realpath "$1")
nruns=${2:-1000}
secs=${3:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
runs_src="$here/tests/data/runs"
A=build.gcc-O2-rv64gc
B=build.gcc-O3-rv64gc_zba_zbb_zbs
for t in wrk nginx; do
	if ! command -v "$t" >/dev/null; then
		echo "http_bench: needs $t (deploy/setup.sh --bench)" >&2
		# the bench-http target skips rather than fails
		[ "${TBSCOPE_BENCH_SKIP_MISSING:-0}" = 1 ] && { echo "http_bench: skipped"; exit 0; }
		exit 1
	fi
done

tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx workers run as www-data
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

start_server() { # DATA_DIR RUNS_DIR THREADS -> sets url, pid
	"$tbscope" serve --data "$1" --runs-dir "$2" --listen 127.0.0.1:0 \
		--threads "$3" --log-level warn >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 200); do
		url=$(sed -n 's/^tbscope: listening on //p' "$tmp/out")
		[ -n "$url" ] && return 0
		sleep 0.05
	done
	echo "server did not start" >&2
	cat "$tmp/err" >&2
	exit 1
}

wait_ready() { # URL ID
	for _ in $(seq 6000); do
		if curl -sf "$1/api/v1/runs/$2" | grep -q '"status":"ready"'; then
			return 0
		fi
		sleep 0.05
	done
	echo "run $2 never became ready" >&2
	exit 1
}

wait_all_ready() { # URL N: every run listed and ready (the server does
	# not index in name order, so the last name is not the last run done)
	local ready=0 off n
	for _ in $(seq 1500); do
		ready=0
		for ((off = 0; off < $2; off += 1000)); do
			n=$(curl -sf "$1/api/v1/runs?limit=1000&offset=$off" |
				grep -o '"status":"ready"' | wc -l) || n=0
			ready=$((ready + n))
		done
		[ "$ready" -ge "$2" ] && return 0
		sleep 0.2
	done
	echo "only $ready of $2 runs became ready" >&2
	exit 1
}

wrk_figures() { # URL -> "rps p50 p99"
	wrk -t2 -c64 -d"${secs}s" --latency "$1" >"$tmp/wrk" 2>&1
	rps=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk")
	p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk")
	p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk")
	errs=$(awk '/Non-2xx|Socket errors/ {print}' "$tmp/wrk")
	echo "$rps $p50 $p99 ${errs:+($errs)}"
}

echo "machine: $(nproc) cores, $(uname -r); wrk -t2 -c64 -d${secs}s"

# --- 1. compare endpoint vs nginx -------------------------------------------
mkdir -p "$tmp/runs"
cp -al "$runs_src/$A" "$runs_src/$B" "$tmp/runs/"
start_server "$tmp/data" "$tmp/runs" 2
wait_ready "$url" "$A"
wait_ready "$url" "$B"
api_path="/api/v1/compare/$A...$B"
page_path="/compare/$A...$B"
for p in "$api_path" "$page_path"; do
	mkdir -p "$tmp/www$(dirname "$p")"
	curl -sf "$url$p" >"$tmp/www$p"
done
api_bytes=$(stat -c %s "$tmp/www$api_path")
page_bytes=$(stat -c %s "$tmp/www$page_path")

port=$((20000 + RANDOM % 20000))
cat >"$tmp/nginx.conf" <<NGX
daemon off;
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	default_type application/json;
	client_body_temp_path $tmp/nginx-tmp;
	proxy_temp_path $tmp/nginx-tmp;
	fastcgi_temp_path $tmp/nginx-tmp;
	uwsgi_temp_path $tmp/nginx-tmp;
	scgi_temp_path $tmp/nginx-tmp;
	server { listen 127.0.0.1:$port; root $tmp/www; etag on; }
}
NGX
mkdir -p "$tmp/nginx-tmp"
nginx -c "$tmp/nginx.conf" -p "$tmp" &
pids+=("$!")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port$api_path" >/dev/null && break; sleep 0.05; done

echo "compare page: $page_bytes bytes; its JSON twin: $api_bytes bytes"
printf '%-34s %12s %10s %10s\n' "server" "requests/s" "p50" "p99"
row() { # LABEL URL
	read -r rps p50 p99 rest < <(wrk_figures "$2")
	printf '%-34s %12s %10s %10s %s\n' "$1" "$rps" "$p50" "$p99" "$rest"
}
row "tbscope compare page (2 threads)" "$url$page_path"
row "nginx, the page's bytes (2 workers)" "http://127.0.0.1:$port$page_path"
row "tbscope compare JSON (2 threads)" "$url$api_path"
row "nginx, the JSON's bytes (2 workers)" "http://127.0.0.1:$port$api_path"
row "tbscope /api/v1/runs (uncached)" "$url/api/v1/runs"
kill "$pid"
wait "$pid" 2>/dev/null || true

# --- 2. memory with many runs -----------------------------------------------
mkdir -p "$tmp/many"
for i in $(seq -w 1 "$nruns"); do
	src=$([ $((10#$i % 2)) = 0 ] && echo "$A" || echo "$B")
	cp -al "$runs_src/$src" "$tmp/many/run-$i"
done
t0=$(date +%s.%N)
start_server "$tmp/data-many" "$tmp/many" 2
last=$(printf 'run-%s' "$(seq -w 1 "$nruns" | tail -n1)")
wait_all_ready "$url" "$nruns"
t1=$(date +%s.%N)
curl -sf "$url/api/v1/runs?limit=1000" >/dev/null
curl -sf "$url/api/v1/compare/run-$(seq -w 1 "$nruns" | head -n1)...$last" >/dev/null
hwm=$(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")
rss=$(awk '/VmRSS/ {print $2, $3}' "/proc/$pid/status")
db=$(du -ck "$tmp"/data-many/index.sqlite* | tail -n1 | cut -f1)
printf '%d runs (%d files) indexed in %.1f s; server VmHWM %s, VmRSS %s; index.sqlite %d KiB\n' \
	"$nruns" $((nruns * 9)) "$(echo "$t1 - $t0" | bc)" "$hwm" "$rss" "$db"
