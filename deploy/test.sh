#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Set up, build and run every test, as CI does:
#   1. deploy/setup.sh (packages, capstone 5, npm packages)
#   2. a -Werror build and ctest
#   3. an ASan+UBSan build and ctest
#   4. clang-format --dry-run --Werror on the C sources
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

echo "== clang-format"
git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run --Werror
echo "== all tests passed"
