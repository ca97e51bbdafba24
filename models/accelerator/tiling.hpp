#pragma once
// Tiling: an operator becomes a plan of steps, each loading tiles into the on-chip tier,
// computing on them and storing results. Identical consecutive steps are kept as runs
// with a repeat count, so that the executor can simulate a few and extrapolate the rest.
//
// Heuristic (GEMM and conv lowered to GEMM): search tile sizes over powers of two in
// each of batch, m, n, k whose double-buffered working set fits the on-chip tier (on a
// row-stationary PE array the weights bypass that tier, Chen et al. 2016, and their
// double-buffered tile fits the filter scratch pads instead), and
// take the one with the least estimated time: steady state (compute or traffic, whichever
// is larger) plus the fill and drain double buffering cannot hide. Loop
// order: batch, m, n tiles outermost, k innermost; partial sums stay on chip until the
// last k step stores the output tile.

#include <cstdint>
#include <string>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/accelerator/operators.hpp"

namespace models::accelerator {

// `pieces` separately addressed pieces of `piece_bytes` each, every piece starting
// `offset_bytes` into a request granule (gathered rows); bulk tiles are one piece.
// past_dst: the payload crosses the links to tier `dst` but goes on to the compute
// unit's own stores without passing through dst (row stationary's filter weights, which
// go from DRAM straight to the PE scratch pads): dst's port carries and counts none of it.
struct TileTransfer {
  std::size_t src = 1, dst = 0;
  std::uint64_t piece_bytes = 0;
  std::uint64_t pieces = 1;
  std::uint64_t offset_bytes = 0;
  bool past_dst = false;
  std::uint64_t payload_bytes() const { return piece_bytes * pieces; }
};

struct Step {
  std::vector<TileTransfer> loads;
  std::uint64_t ops = 0;
  bool matrix = true;  // matrix units, else vector units
  std::vector<TileTransfer> stores;
};

struct StepRun {
  Step step;
  std::uint64_t repeats = 1;
};

// `block` (a list of step runs) executed `repeats` times in a row.
struct Run {
  std::vector<StepRun> block;
  std::uint64_t repeats = 1;
};

struct Plan {
  std::vector<Run> runs;
  std::string tiling;  // human-readable tile description
  std::uint64_t steps() const;
  std::uint64_t ops() const;
};

// Throws std::invalid_argument when no tile fits the on-chip tier.
Plan plan_operator(const Device& device, const Operator& op);

}  // namespace models::accelerator
