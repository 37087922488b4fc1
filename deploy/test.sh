#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Set up, build and run every test, as CI does:
#   1. deploy/setup.sh (packages, capstone 5, npm packages)
#   2. a -Werror build and ctest
#   3. an ASan+UBSan build and ctest
#   4. the libFuzzer targets, built with clang, each run for a short while
#      (TBSCOPE_FUZZ_SECONDS, default 15) from the fixture files
#   5. clang-format --dry-run --Werror on the C sources
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (-Werror) and test"
cmake -S . -B build -DTBSCOPE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build with ASan+UBSan and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan -DTBSCOPE_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j"$jobs")

echo "== fuzz targets"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Fuzz -DTBSCOPE_FUZZ=ON -DTBSCOPE_WERROR=ON \
	-DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzzers
(mkdir -p build-fuzz/artifacts && cd build-fuzz/artifacts &&
	../../tests/fuzz/run.sh .. "${TBSCOPE_FUZZ_SECONDS:-15}")

echo "== clang-format"
git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run --Werror
echo "== all tests passed"
