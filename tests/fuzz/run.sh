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
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_qemu_out fuzz_proc_map fuzz_disasm fuzz_elf fuzz_upload
	fuzz_route fuzz_api fuzz_meta fuzz_template fuzz_rate)
here=$(cd "$(dirname "$0")" && pwd)
runs=$here/../data/runs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

upload_seeds() { # small tar archives: a run, links inside and out, gzip
	python3 - "$1" "$runs" <<'PY'
import io, os, sys, tarfile
out, runs = sys.argv[1], sys.argv[2]
bench = os.path.join(runs, "build.gcc-O2-rv64gc/External/SPEC/CINT2017rate/604.sortmix_r")
def entry(t, name, kind="file", data=b"", link=""):
    ti = tarfile.TarInfo(name)
    ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE,
               "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE}[kind]
    ti.linkname = link
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data) if kind == "file" else None)
def archive(path, entries, mode="w"):
    with tarfile.open(path, mode) as t:
        for e in entries:
            entry(t, *e)
qo = open(os.path.join(bench, "604.sortmix_r.qemu_out"), "rb").read()[:1500]
mp = open(os.path.join(bench, "604.sortmix_r.map"), "rb").read()
run = [("b", "dir"), ("b/p.qemu_out", "file", qo), ("b/p.map", "file", mp)]
archive(out + "/run.tar", run)
archive(out + "/run.tar.gz", run, "w:gz")
archive(out + "/links.tar", run + [("b/in", "sym", b"", "p.map"), ("b/out", "sym", b"", "../../x"),
                                   ("b/hard", "hard", b"", "b/p.map"), ("b/in/x", "file", b"y")])
archive(out + "/links2.tar", run + [("b/c", "dir"), ("b/c/up", "sym", b"", "../p.map"),
                                    ("b/c/out", "sym", b"", "../../x")])
PY
}

# The longest input of a target: what its parser's paths need, no more
# (a .qemu_out parse costs in proportion: 64 KB inputs ran 2.4 k exec/s;
# 8 KB still allow a line over QEMU_OUT_MAX_LINE, 4 KB).
max_len() {
	case $1 in
	fuzz_qemu_out | fuzz_rate) echo 8192 ;;
	fuzz_route | fuzz_api | fuzz_meta | fuzz_template) echo 4096 ;;
	*) echo 65536 ;;
	esac
}

seed() { # target: its seeds, the first 60 KB of fixture files (1 KB for
	# fuzz_qemu_out), in $work/<target>
	local d=$work/$1 i=0 f target=$1
	mkdir -p "$d"
	case $1 in
	fuzz_qemu_out) # and the lines the fixtures lack: insns, limit, CRLF
		cp "$here/corpus/$1"/* "$d/"
		set -- "$runs"/*/External/SPEC/*/*/*.qemu_out* ;;
	fuzz_proc_map) set -- "$runs"/*/External/SPEC/*/*/*.map* ;;
	fuzz_upload) upload_seeds "$d"; return ;;
	fuzz_rate) # the plugin's lines, one vCPU and two
		printf '# tbscope_plugin rate=100\n# plugin api 1, target riscv64, interval 100 ms, qemu q\ntime: 100000000, dur: 100000000, count: 5000\ntime: 150000000, dur: 50000000, count: 7\n' > "$d/seed0"
		printf 'time: 20000000, dur: 20000000, count: 100, cpu0: 60, cpu1: 40\ntime: 40000000, dur: 20000000, count: 3, cpu0: 1, cpu1: 2\n' > "$d/seed1"
		return ;;
	fuzz_route | fuzz_api | fuzz_meta | fuzz_template)
		cp "$here/corpus/$1"/* "$d/"; return ;;
	*) set -- "$runs"/build.gcc-O2-rv64gc/External/SPEC/*/*/6??.*_r ;;
	esac
	# a .qemu_out seed's first KB holds every kind of line it has (the
	# header and rows; cut at a line's end): more rows cost per execution
	# and find nothing new
	for f in "$@"; do
		if [ "$target" = fuzz_qemu_out ]; then
			head -c 1024 "$f" | sed '$d' > "$d/seed$((i++))"
		else
			head -c 60000 "$f" > "$d/seed$((i++))"
		fi
	done
}

for t in "${targets[@]}"; do
	seed "$t"
	echo "== $t (${secs}s)"
	status=0
	"$build/tests/fuzz/$t" -max_total_time="$secs" -max_len="$(max_len "$t")" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		"$work/$t" > "$work/$t.log" 2>&1 || status=$?
	grep -E 'stat::number_of_executed_units|stat::new_units_added' "$work/$t.log" || true
	if [ "$status" -ne 0 ]; then
		grep -v '^#' "$work/$t.log" | tail -40 >&2
		echo "$t: failed (exit $status)" >&2
		exit 1
	fi
done
