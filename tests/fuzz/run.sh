#!/bin/bash
# Run each libFuzzer target for SECONDS (default 20) from a seed corpus
# made of the fixture files, in a fresh temporary corpus directory.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
# BUILD_DIR is a build configured with -DCMAKE_BUILD_TYPE=Fuzz
# -DTBSCOPE_FUZZ=ON and CC=clang (deploy/test.sh makes one).  A crash or
# a broken oracle stops the run: libFuzzer leaves crash-* in the current
# directory and this script exits non-zero.
set -euo pipefail
build=$1
secs=${2:-20}
shift $(( $# > 1 ? 2 : 1 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_qemu_out fuzz_proc_map fuzz_disasm fuzz_elf)
here=$(cd "$(dirname "$0")" && pwd)
runs=$here/../data/runs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seed() { # target: its seeds, the first 60 KB of fixture files, in $work/<target>
	local d=$work/$1 i=0 f
	mkdir -p "$d"
	case $1 in
	fuzz_qemu_out) set -- "$runs"/*/External/SPEC/*/*/*.qemu_out* ;;
	fuzz_proc_map) set -- "$runs"/*/External/SPEC/*/*/*.map* ;;
	*) set -- "$runs"/build.gcc-O2-rv64gc/External/SPEC/*/*/6??.*_r ;;
	esac
	for f in "$@"; do
		case $f in *.qemu_out* | *.map*) [ "$d" != "${d%proc_map}" ] || [ "$d" != "${d%qemu_out}" ] || continue ;; esac
		head -c 60000 "$f" > "$d/seed$((i++))"
	done
}

for t in "${targets[@]}"; do
	seed "$t"
	echo "== $t (${secs}s)"
	status=0
	"$build/tests/fuzz/$t" -max_total_time="$secs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		"$work/$t" > "$work/$t.log" 2>&1 || status=$?
	grep -E 'stat::number_of_executed_units|stat::new_units_added' "$work/$t.log" || true
	if [ "$status" -ne 0 ]; then
		grep -v '^#' "$work/$t.log" | tail -40 >&2
		echo "$t: failed (exit $status)" >&2
		exit 1
	fi
done
