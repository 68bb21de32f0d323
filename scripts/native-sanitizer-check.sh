#!/usr/bin/env bash
# Builds the native UDP addon (native/) once with AddressSanitizer and UndefinedBehaviorSanitizer
# (clang), then runs the DNS test files and a short fuzz run with that build loaded
# (GEOSTEER_UDP_ADDON), the ASan runtime preloaded into node (node itself is not instrumented).
# Any sanitizer report aborts the process, which fails the tests.
#
#   bash scripts/native-sanitizer-check.sh
#
# Where clang or its sanitizer runtime (Debian: clang, libclang-rt-14-dev) is missing this
# skips with a loud message, and fails when CI=true. Uses a temporary directory; the normal
# build/ is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "!!! native sanitizer check SKIPPED: $1" >&2
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true, so this is a failure, not a skip" >&2
    exit 1
  fi
  exit 0
}

[ "$(uname -s)" = "Linux" ] || skip "the native UDP path is Linux-only"
command -v clang >/dev/null 2>&1 || skip "clang is not installed (apt-get install clang libclang-rt-14-dev)"
asan_rt="$(clang -print-file-name=libclang_rt.asan-x86_64.so)"
[ -f "$asan_rt" ] || skip "the ASan runtime libclang_rt.asan-x86_64.so is missing (apt-get install libclang-rt-14-dev)"
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
[ -f "$node_prefix/include/node/node_api.h" ] || skip "no Node headers at $node_prefix/include/node"
gyp="${npm_config_node_gyp:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}"
[ -f "$gyp" ] || skip "node-gyp not found (it ships with npm)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r binding.gyp native "$work/"
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
echo "building the addon with $flags (clang) in $work"
(cd "$work" && CC=clang CXX=clang++ CFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined -shared-libasan" \
  node "$gyp" rebuild --nodedir="$node_prefix" --loglevel=warn >/dev/null)
addon="$work/build/Release/geosteer_udp.node"
nm -D "$addon" | grep -q __asan_report || { echo "the addon was built without ASan instrumentation" >&2; exit 1; }

export GEOSTEER_UDP_ADDON="$addon"
export LD_PRELOAD="$asan_rt"
# node's own allocations are not instrumented and V8 keeps memory until exit: no leak check
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
echo "DNS tests and a short fuzz run on the sanitized addon"
npx vitest run test/dns test/load
node load/fuzz.mjs --short --no-build
echo "native sanitizer check: PASS"
