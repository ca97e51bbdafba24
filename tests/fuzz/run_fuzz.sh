#!/usr/bin/env bash
# Builds the fuzz targets of the scenario loader and of the estimation service's request
# handling with clang (libFuzzer + AddressSanitizer) in build-fuzz/ and runs each for
# FUZZ_SECONDS (default 20) from its seed corpus (tests/fuzz/corpus,
# tests/fuzz/serve_corpus). Exit status non-zero on a crash, leak or sanitizer report.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-20}
jobs=${JOBS:-2}

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSIMFABRIC_FUZZ=ON \
    -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
fi
cmake --build "$build" -j "$jobs" --target scenario_fuzz serve_fuzz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
# Run in a scratch directory, where no include can reach a real file by accident;
# findings land in $build.
cd "$work"
"$build/bin/scenario_fuzz" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
  -artifact_prefix="$build/fuzz-" -print_final_stats=1 "$work/corpus" "$root/tests/fuzz/corpus"
# The estimation service's request handling (apps/serve), from its own seed corpus.
mkdir "$work/serve-corpus" && "$build/bin/serve_fuzz" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -artifact_prefix="$build/serve-fuzz-" -print_final_stats=1 "$work/serve-corpus" "$root/tests/fuzz/serve_corpus"
