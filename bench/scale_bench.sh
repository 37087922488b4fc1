#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The bench-scale target (a benchmark, not a test): a nightly series of N
# SPEC-sized runs (bench/gen_series.sh) served from a --runs-dir.
#   1. first start on an empty data directory: time to listen, time until
#      every run is indexed, the index's size as runs become ready (its
#      growth per run), the server's peak and settled RSS;
#   2. restart on that index: time to listen and to list every run ready;
#   3. cold latency of the runs list, compare, delta view, benchmark page
#      and history across the N runs (bench/page_latency.sh);
#   4. an upload of one more SPEC-sized run: the answer's time with and
#      without ?wait=1, the server's RSS before, at its peak and after.
# Disk: the series (runs after the first share their programs) and the
# data directory.
#
# usage: bench/scale_bench.sh TBSCOPE GEN_RUN WORKDIR [N=100] [REPEATS=3]
set -euo pipefail

tbscope=$(realpath "$1")
gen=$(realpath "$2")
work=$3
n=${4:-100}
reps=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
bench=502.gcc_r
mkdir -p "$work"
work=$(realpath "$work")
series="$work/series"
data="$work/data"
view="$work/view-$n"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}
trap cleanup EXIT

now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
kib() { awk -v k="$1" '/^'"$1"'/ {print $2}' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
size_of() { du -cb "$@" 2>/dev/null | tail -n1 | cut -f1; }

echo "machine: $(nproc) cores, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
bash "$here/gen_series.sh" "$gen" "$series" "$n" >/dev/null
rm -rf "$view" "$data"
mkdir -p "$view"
for ((k = 1; k <= n; k++)); do
	r=$(printf 'run-%03d' "$k")
	ln -s "$series/$r" "$view/$r"
done
raw=$(find "$series/run-001" -name '*.qemu_out*.zst' -print0 | xargs -0 zstd -lv 2>/dev/null |
	awk '/Decompressed Size/ {gsub(/[(),]/, "", $0); for (i = 1; i <= NF; i++) if ($i == "B") s += $(i - 1)} END {print s + 0}')
# du counts a hard-linked file once per call: the second line is what
# run-002 adds beside run-001
more=$(du -sb "$series/run-001" "$series/run-002" | awk 'NR == 2 {print $1}')
echo "series: $n runs in $series: $(du -sc $(printf "$series/run-%03d " $(seq 1 "$n")) | tail -n1 | awk '{ printf "%.0f MB", $1 * 1024 / 1e6 }') on disk" \
	"(run-001 $(du -sh "$series/run-001" | cut -f1), each further run" \
	"$(awk -v b="$more" 'BEGIN { printf "%.1f MB", b / 1e6 }'))"

start() { # -> pid, url, t_listen (ms)
	local t0
	t0=$(now)
	"$tbscope" serve --data "$data" --runs-dir "$view" --listen 127.0.0.1:0 \
		--threads 2 --log-level warn >"$work/out" 2>"$work/err" &
	pid=$!
	url=
	for _ in $(seq 2000); do
		url=$(sed -n 's/^tbscope: listening on //p' "$work/out")
		[ -n "$url" ] && break
		sleep 0.01
	done
	[ -n "$url" ] || { echo "server did not start" >&2; cat "$work/err" >&2; exit 1; }
	t_listen=$(ms "$t0" "$(now)")
	t_start=$t0
}
ready_count() {
	curl -sf "$url/api/v1/runs?limit=1000" 2>/dev/null | tr ',' '\n' |
		grep -c '"status":"ready"' || true
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

# --- 1. first start: index N runs ---------------------------------------------
start
echo
echo "first start (empty index): listening after $t_listen ms"
: >"$work/growth"
while :; do
	c=$(ready_count)
	echo "$c $(size_of "$data"/index.sqlite*) $(kib VmRSS)" >>"$work/growth"
	[ "$c" -ge "$n" ] && break
	sleep 1
done
t_all=$(ms "$t_start" "$(now)")
sleep 2
hwm=$(kib VmHWM)
rss=$(kib VmRSS)
echo "  all $n runs indexed after $(awk -v t="$t_all" 'BEGIN { printf "%.1f s", t / 1000 }')" \
	"($(awk -v t="$t_all" -v n="$n" 'BEGIN { printf "%.2f s", t / 1000 / n }') per run)"
echo "  server RSS: peak $(mib "$hwm"), after indexing $(mib "$rss")"
stop
idx=$(size_of "$data"/index.sqlite*)
# growth: least squares of index bytes over ready runs, from the samples
# with at least one run ready (WAL included, so it is noisy)
growth=$(awk '$1 > 0 {n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2}
	END { if (n > 1 && n * sxx != sx * sx) printf "%.0f", (n * sxy - sx * sy) / (n * sxx - sx * sx); else print 0 }' "$work/growth")
echo "  index: $(awk -v b="$idx" 'BEGIN { printf "%.1f MB", b / 1e6 }') for $n runs" \
	"($(awk -v b="$idx" -v n="$n" 'BEGIN { printf "%.2f MB", b / 1e6 / n }') per run;" \
	"fit of the samples: $(awk -v b="$growth" 'BEGIN { printf "%.2f MB", b / 1e6 }') per added run," \
	"$(awk -v b="$growth" -v r="$raw" 'BEGIN { if (r) printf "%.1f %%", b * 100 / r; else print "-" }') of a run's $(awk -v r="$raw" 'BEGIN { printf "%.1f MB", r / 1e6 }') of .qemu_out)"
echo "  projected for 10,000 runs: index $(awk -v b="$growth" 'BEGIN { printf "%.0f GB", b * 10000 / 1e9 }')," \
	"runs $(awk -v b="$more" 'BEGIN { printf "%.0f GB", b * 10000 / 1e9 }') (+ programs when they change)"
echo "  disk: data directory $(du -sh "$data" | cut -f1)"

# --- 2. restart on the index ----------------------------------------------------
for ((r = 0; r < reps; r++)); do
	start
	while [ "$(ready_count)" -lt "$n" ]; do sleep 0.05; done
	t_ready=$(ms "$t_start" "$(now)")
	echo "restart $((r + 1)): listening after $t_listen ms, all $n runs listed ready after $t_ready ms, RSS $(mib "$(kib VmRSS)")"
	stop
done

# --- 3. latency across N runs -------------------------------------------------
echo
last=$(printf 'run-%03d' "$n")
prev=$(printf 'run-%03d' $((n > 1 ? n - 1 : 1)))
bash "$here/page_latency.sh" "$tbscope" "$data" "$view" run-001 "$last" "$bench" "$reps"
echo "(the delta view and benchmark pages compare run-001 with $last; $prev...$last:)"
start
for p in "/api/v1/compare/$prev...$last/$bench" "/api/v1/history/$bench?series=nightly"; do
	t=$(curl -sf -o /dev/null -w '%{time_total}' "$url$p")
	printf '%-60s %10.1f ms\n' "$p" "$(awk -v t="$t" 'BEGIN { print t * 1000 }')"
done
stop

# --- 4. memory around an upload -----------------------------------------------
echo
tok=$("$tbscope" token --data "$data" add bench-scale 2>/dev/null | awk 'END {print $NF}')
echo "$tok" >"$work/token"
start
while [ "$(ready_count)" -lt "$n" ]; do sleep 0.05; done
before=$(kib VmRSS)
for w in 1 0; do
	name="upload-$w-$(date +%s%N)"
	t0=$(now)
	if [ "$w" = 1 ]; then
		"$tbscope" upload --server "$url" --token-file "$work/token" --name "$name" \
			--series upload "$series/run-002" >/dev/null
	else
		tar -C "$series/run-002" -cf - . | curl -sf -o /dev/null \
			-H "Authorization: Bearer $tok" --data-binary @- \
			"$url/api/v1/runs?name=$name&series=upload"
	fi
	t_answer=$(ms "$t0" "$(now)")
	while ! curl -sf "$url/api/v1/runs/$name" | grep -q '"status":"ready"'; do sleep 0.05; done
	t_done=$(ms "$t0" "$(now)")
	sleep 2
	echo "upload of run-002 $([ "$w" = 1 ] && echo "(tbscope upload, waits)" || echo "(curl, no wait)   "):" \
		"answered after $t_answer ms, indexed after $t_done ms;" \
		"RSS before $(mib "$before"), peak $(mib "$(kib VmHWM)"), after $(mib "$(kib VmRSS)")"
done
stored=$(ls -d "$data"/runs/upload-1-* | head -n1)
echo "stored upload: $(du -sh "$stored" | cut -f1) on disk ($(du -sh --apparent-size "$stored" | cut -f1) apparent)"
stop
