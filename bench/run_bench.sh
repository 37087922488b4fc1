#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The table of `cmake --build build --target bench` (a benchmark, not a
# test): parse throughput beside wc -l, whole-run analysis, index write
# and `tbscope compare` of two synthetic runs, each with its peak RSS.
# bench/README.md explains every figure.
#
# usage: bench/run_bench.sh TBSCOPE TBSCOPE_BENCH RUN_A RUN_B [REPEATS=5]
set -euo pipefail

tbscope=$1
tb=$2
a=$3
b=$4
n=${5:-5}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "machine: $(nproc) cores ($cpu), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "run A: $a"
echo "run B: $b"
echo "each figure: $n runs; wall time median and min, median CPU time (user+sys);"
echo "MB/s and rows/s from the median CPU time (the machine may be shared)"
echo
"$tb" header
"$tb" parse -r "$n" "$a"
# the same run with its .qemu_out/.map files zstd-compressed (level 3, as
# uploads are stored), made once beside it: parsed through libzstd,
# beside zstd -dc | wc -l
if command -v zstd >/dev/null; then
	if [ ! -d "$a-zst" ]; then
		rm -rf "$a-zst.tmp"
		cp -al "$a" "$a-zst.tmp"
		find "$a-zst.tmp" -type f \( -name '*.qemu_out*' -o -name '*.map*' \) \
			! -name '*.zst' -print0 | xargs -0 -r zstd -q -3 --rm
		mv "$a-zst.tmp" "$a-zst"
	fi
	"$tb" parse -r "$n" "$a-zst"
fi
"$tb" analyze -r "$n" "$a"
"$tb" analyze -r "$n" --no-symbols "$a"
"$tb" index -r "$n" "$a"
# the decoder on real code: Debian's riscv64 libc (setup.sh installs it)
libc=/usr/riscv64-linux-gnu/lib/libc.so.6
if [ -r "$libc" ]; then
	"$tb" decode -r "$n" "$libc"
fi
case "$tbscope $a $b" in
*[[:space:]]*[[:space:]]*[[:space:]]*) spaces=1 ;;
*) spaces=0 ;;
esac
if command -v hyperfine >/dev/null && [ "$spaces" = 0 ]; then
	json=$(mktemp)
	trap 'rm -f "$json"' EXIT
	hyperfine -N --style none --warmup 1 --runs "$n" \
		--export-json "$json" "$tbscope compare $a $b" >/dev/null
	"$tb" exec -l "tbscope compare A B" -i "$a" -i "$b" -j "$json" -- \
		"$tbscope" compare "$a" "$b"
else
	"$tb" exec -r "$n" -l "tbscope compare A B" -i "$a" -i "$b" -- \
		"$tbscope" compare "$a" "$b"
fi
