#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install everything tbscope needs to build, run and test on Debian 12
# (bookworm) or later.  Idempotent: a second run installs nothing new.
#
#   deploy/setup.sh            build + test dependencies
#   deploy/setup.sh --bench    also the benchmark peers (wrk, nginx, hyperfine)
#
# capstone >= 5 is required (RISC-V support).  Debian 12 only ships 4.0.2,
# so on bookworm the two capstone packages are taken from Debian 13 (trixie)
# through a private, temporary apt state: /etc/apt is never modified and the
# dependencies resolve from the system's own release.  The mirror is derived
# from the machine's apt sources; no host is hard-coded.
set -euo pipefail

want_bench=0
for arg in "$@"; do
	case "$arg" in
	--bench) want_bench=1 ;;
	*) echo "usage: $0 [--bench]" >&2; exit 2 ;;
	esac
done

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive

packages=(
	build-essential cmake pkg-config git curl ca-certificates
	clang-format
	libmicrohttpd-dev libjansson-dev libelf-dev libarchive-dev
	libsqlite3-dev libcmocka-dev zlib1g-dev libzstd-dev nettle-dev libcurl4-openssl-dev
	# answers in brotli (server/encoding.c)
	libbrotli-dev
	# the link-preview pictures (og:image PNGs) are drawn with cairo, in DejaVu
	libcairo2-dev fonts-dejavu-core
	# tests: the fixtures' riscv64 libraries and an independent disassembler;
	# arm64's libc and objdump, real AArch64 code to check the decoder on
	libc6-riscv64-cross binutils-riscv64-linux-gnu
	libc6-arm64-cross binutils-aarch64-linux-gnu
	# tests: archive formats uploads accept; browser tests
	tar gzip xz-utils zstd chromium python3
	# record/: QEMU user mode (7.2, with TCG plugin support), the riscv64
	# cross compiler for the recording tests' programs, glib's headers for
	# QEMU's own plugins (the tests' oracles), dpkg-source to unpack QEMU's
	# source package, and llvm's lit (llvm-14-tools ships it)
	qemu-user gcc-riscv64-linux-gnu libc6-dev-riscv64-cross libglib2.0-dev
	dpkg-dev llvm-14-tools
	# tests: the regressions feed is parsed by feedparser
	python3-feedparser
	# tests: the libFuzzer targets (clang with its sanitizer runtimes)
	clang libclang-rt-14-dev
	# tests: deploy/ (nginx in front of the server; systemd-analyze)
	nginx-light systemd
)
if [ "$want_bench" = 1 ]; then
	packages+=(wrk hyperfine)
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- capstone >= 5 -------------------------------------------------------
capstone_ok() {
	local v
	v=$(pkg-config --modversion capstone 2>/dev/null) || return 1
	[ "${v%%.*}" -ge 5 ]
}

if ! capstone_ok; then
	cand=$(apt-cache policy libcapstone-dev 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -n "$cand" ] && [ "${cand%%.*}" -ge 5 ] 2>/dev/null; then
		$SUDO apt-get install -y -qq libcapstone-dev >/dev/null
	else
		. /etc/os-release
		mirror=$(apt-get indextargets --format '$(REPO_URI)' \
			"Codename: ${VERSION_CODENAME:-bookworm}" 'Origin: Debian' \
			'Identifier: Packages' 'Target-Of: deb' | head -n1)
		if [ -z "$mirror" ]; then
			mirror=$(apt-get indextargets --format '$(REPO_URI)' \
				"Release: ${VERSION_CODENAME:-bookworm}" \
				'Identifier: Packages' | head -n1)
		fi
		if [ -z "$mirror" ]; then
			echo "setup: cannot find the Debian mirror in the apt sources" >&2
			exit 1
		fi
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/debs"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
			>"$tmp/trixie.list"
		O=(-o "Dir::Etc::sourcelist=$tmp/trixie.list" -o Dir::Etc::sourceparts=-
		   -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
		   -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
		echo "setup: installing capstone 5 from trixie ($mirror)"
		$SUDO apt-get "${O[@]}" update -qq
		(cd "$tmp/debs" && $SUDO apt-get "${O[@]}" download libcapstone5 libcapstone-dev)
		$SUDO apt-get install -y -qq --no-install-recommends \
			"$tmp"/debs/libcapstone5_*.deb "$tmp"/debs/libcapstone-dev_*.deb >/dev/null
	fi
	capstone_ok || { echo "setup: capstone >= 5 did not install" >&2; exit 1; }
fi

# --- QEMU's plugin header, from Debian's own qemu source package -----------
# The plugin in record/ is built against qemu-plugin.h of the QEMU that is
# installed; the recording tests also build QEMU's stock `insn` and
# `hotblocks` plugins (their oracles) from the same source.  The source
# package of the installed qemu-user's exact version is fetched with
# `apt-get source` through a private apt state with deb-src lines for the
# machine's own Debian mirrors (/etc/apt is not modified), and only the
# plugin header, the plugin sources and the licence are kept, in
#   /var/cache/tbscope/qemu-VERSION        (root)
#   ${XDG_CACHE_HOME:-~/.cache}/tbscope/qemu-VERSION   (other users)
# which CMake finds by itself.  A second run finds the cache and does nothing.
if [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/tbscope
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/tbscope
fi
qsrc=$(dpkg-query -W -f='${source:Package}' qemu-user)
qver=$(dpkg-query -W -f='${source:Version}' qemu-user)
qdir="$cache/qemu-${qver#*:}"
if [ ! -f "$qdir/include/qemu/qemu-plugin.h" ]; then
	mkdir -p "$cache"
	qtmp=$(mktemp -d "$cache/.qemu-src.XXXXXX")
	# deb-src lines for every Debian repository apt already uses
	apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(ORIGIN)' \
		'Identifier: Packages' 'Target-Of: deb' | sort -u |
		awk '$3 == "Debian" {
			print "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] " $1 " " $2 " main" }' \
		>"$qtmp/src.list"
	if [ ! -s "$qtmp/src.list" ]; then
		rm -rf "$qtmp"
		echo "setup: cannot find the Debian mirror in the apt sources" >&2
		exit 1
	fi
	mkdir -p "$qtmp/lists/partial" "$qtmp/cache/archives/partial" "$qtmp/src"
	QO=(-o "Dir::Etc::sourcelist=$qtmp/src.list" -o Dir::Etc::sourceparts=-
	    -o "Dir::State::Lists=$qtmp/lists" -o "Dir::Cache=$qtmp/cache"
	    -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
	echo "setup: fetching QEMU's plugin header from Debian's $qsrc $qver source package"
	apt-get "${QO[@]}" update -qq
	(cd "$qtmp/src" && apt-get "${QO[@]}" source -qq "$qsrc=$qver" >/dev/null)
	tree=$(find "$qtmp/src" -mindepth 1 -maxdepth 1 -type d | head -n1)
	if [ -z "$tree" ] || [ ! -f "$tree/include/qemu/qemu-plugin.h" ]; then
		rm -rf "$qtmp"
		echo "setup: $qsrc $qver: no include/qemu/qemu-plugin.h in the source" >&2
		exit 1
	fi
	mkdir -p "$qtmp/keep/include/qemu" "$qtmp/keep/contrib" "$qtmp/keep/tests"
	cp "$tree/include/qemu/qemu-plugin.h" "$qtmp/keep/include/qemu/"
	cp -r "$tree/contrib/plugins" "$qtmp/keep/contrib/"
	cp -r "$tree/tests/plugin" "$qtmp/keep/tests/"
	cp "$tree/COPYING" "$tree/LICENSE" "$qtmp/keep/" 2>/dev/null || true
	echo "$qsrc $qver" >"$qtmp/keep/SOURCE"
	rm -rf "$qdir"
	mv "$qtmp/keep" "$qdir"
	rm -rf "$qtmp"
fi

# --- front-end packages (pinned by web/package-lock.json) -----------------
here=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$here/web" "$here/tests/browser"; do
	if [ -f "$dir/package-lock.json" ]; then
		if ! (cd "$dir" && npm ls --all >/dev/null 2>&1); then
			echo "setup: npm ci in ${dir#$here/}"
			(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
		fi
	fi
done

echo "setup: ok (capstone $(pkg-config --modversion capstone), QEMU plugin header in $qdir)"
