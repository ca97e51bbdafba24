#!/usr/bin/env bash
# Quantum repeater-chain benchmark: full-stack chains of 2, 3, 5 and 9 routers (10 km links,
# 20 memories per router, 1 s simulated; target >= 1e6 events/s), the 1,000-router
# Bell-diagonal chain (1 s simulated within 60 s wall and 8 GiB), and a density-matrix
# chain for comparison. One JSON object per line.
#   bench/quantum_chain.sh [path/to/simfabric]
set -euo pipefail
bin="${1:-build/bin/simfabric}"
for routers in 2 3 5 9; do
  "$bin" bench quantum-chain --routers "$routers" --json
done
"$bin" bench quantum-chain --routers 9 --formalism density-matrix --json
"$bin" bench quantum-chain --routers 1000 --json
