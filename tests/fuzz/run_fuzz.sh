#!/usr/bin/env bash
# Builds the fuzz targets of the scenario loader, of the topology readers (fabric and
# quantum GraphML, router-network JSON) and of the estimation service's request handling
# with clang (libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer) in build-fuzz/ and
# runs each for FUZZ_SECONDS (default 20) from its seed corpus (tests/fuzz/corpus,
# tests/fuzz/topology_corpus, tests/fuzz/serve_corpus). Exit status non-zero on a crash,
# leak, sanitizer report or undefined behaviour.
#
# The mutations follow FUZZ_SEED (default 1), so a run is reproducible: a slower machine
# tries a prefix of the inputs a faster one tries in the same time, and what passed here
# passes in CI. FUZZ_SEED=0 draws a new seed each run, for longer searches
# (FUZZ_SECONDS=600 FUZZ_SEED=0 make fuzz).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-20}
jobs=${JOBS:-2}
seed=${FUZZ_SEED:-1}
# A report of undefined behaviour ends the run with its stack, as ASan does.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSIMFABRIC_FUZZ=ON \
    -DSIMFABRIC_WERROR="${SIMFABRIC_WERROR:-OFF}" -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
fi
cmake --build "$build" -j "$jobs" --target scenario_fuzz topology_fuzz serve_fuzz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
# Run in a scratch directory, where no include can reach a real file by accident;
# findings land in $build.
cd "$work"
"$build/bin/scenario_fuzz" -max_total_time="$seconds" -seed="$seed" -timeout=5 -rss_limit_mb=2048 \
  -artifact_prefix="$build/fuzz-" -print_final_stats=1 "$work/corpus" "$root/tests/fuzz/corpus"
# The topology readers, each input as fabric GraphML, quantum GraphML and router JSON.
mkdir "$work/topology-corpus" && "$build/bin/topology_fuzz" -max_total_time="$seconds" -seed="$seed" -timeout=5 \
  -rss_limit_mb=2048 -artifact_prefix="$build/topology-fuzz-" -print_final_stats=1 "$work/topology-corpus" \
  "$root/tests/fuzz/topology_corpus"
# The estimation service's request handling (apps/serve), from its own seed corpus.
mkdir "$work/serve-corpus" && "$build/bin/serve_fuzz" -max_total_time="$seconds" -seed="$seed" -timeout=5 -rss_limit_mb=2048 -artifact_prefix="$build/serve-fuzz-" -print_final_stats=1 "$work/serve-corpus" "$root/tests/fuzz/serve_corpus"
