#pragma once
// Collective algorithms as Programs. `bytes` is the per-rank buffer n of the NCCL
// definitions (for all-gather the gathered size, for all-to-all what one rank sends in
// total).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/collective/program.hpp"
#include "sim/enum_names.hpp"

namespace models::collective {

enum class Algorithm : std::uint8_t {
  ring_allreduce,
  tree_allreduce,          // NCCL double binary tree, pipelined
  halving_doubling,        // Rabenseifner: recursive halving reduce-scatter + doubling all-gather
  hierarchical_allreduce,  // intra-host ring reduce-scatter, inter-host ring, intra-host all-gather
  ring_allgather,
  ring_reduce_scatter,
  broadcast,  // pipelined chain from rank 0
  alltoall,   // pairwise exchange
  sendrecv,   // rank 0 -> rank 1
};
// Names per sim/enum_names.hpp; ring, tree and hd are the short names of the CLI.
inline constexpr sim::EnumName<Algorithm> kAlgorithmNames[] = {
    {Algorithm::ring_allreduce, "ring_allreduce"},
    {Algorithm::ring_allreduce, "ring"},
    {Algorithm::tree_allreduce, "tree_allreduce"},
    {Algorithm::tree_allreduce, "tree"},
    {Algorithm::halving_doubling, "halving_doubling"},
    {Algorithm::halving_doubling, "hd"},
    {Algorithm::hierarchical_allreduce, "hierarchical_allreduce"},
    {Algorithm::ring_allgather, "ring_allgather"},
    {Algorithm::ring_reduce_scatter, "ring_reduce_scatter"},
    {Algorithm::broadcast, "broadcast"},
    {Algorithm::alltoall, "alltoall"},
    {Algorithm::sendrecv, "sendrecv"},
};
constexpr std::span<const sim::EnumName<Algorithm>> enum_names(Algorithm) { return kAlgorithmNames; }

// Throws std::invalid_argument naming the accepted algorithms.
inline Algorithm algorithm_from(std::string_view text) { return sim::parse_enum<Algorithm>(text, "collective"); }
inline std::string_view to_string(Algorithm a) { return sim::name_of(a); }

struct CollectiveParams {
  Algorithm algorithm = Algorithm::ring_allreduce;
  std::uint32_t ranks = 2;
  double bytes = 1 << 20;
  std::uint32_t chunks = 8;          // pipeline depth of tree and broadcast
  std::uint32_t ranks_per_host = 1;  // hierarchical: ranks (GPUs) sharing a host
};

// Throws std::invalid_argument for impossible combinations (halving-doubling needs a
// power-of-two rank count, hierarchical needs ranks divisible by ranks_per_host, ...).
std::unique_ptr<Program> make_program(const CollectiveParams& params);

// Ring all-to-all with arbitrary per-pair sizes (bytes[src * ranks + dst]).
std::unique_ptr<Program> make_alltoall(std::uint32_t ranks, std::vector<double> bytes, double bus_factor);

}  // namespace models::collective
