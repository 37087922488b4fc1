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
	# tests: the fixtures' riscv64 libraries and an independent disassembler;
	# arm64's libc and objdump, real AArch64 code to check the decoder on
	libc6-riscv64-cross binutils-riscv64-linux-gnu
	libc6-arm64-cross binutils-aarch64-linux-gnu
	# tests: archive formats uploads accept; browser tests
	tar gzip xz-utils zstd chromium python3
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

echo "setup: ok (capstone $(pkg-config --modversion capstone))"
