#pragma once
// Mixture-of-experts layer: expert-parallel all-to-all with skewed routing. Each of E
// ranks holds one expert and `tokens_per_rank` tokens; every token goes to one expert
// drawn from a Zipf(skew) distribution (skew 0: uniform). The per-pair byte matrix of
// the dispatch all-to-all follows, and the hot expert's rank receives the most.

#include <cstdint>
#include <vector>

#include "sim/random.hpp"

namespace models::collective {

// Every token is drawn, so the draws (experts x tokens_per_rank) are bounded: 2^28 take
// seconds; an unbounded count would run for ever. A token carries at most 1 GiB.
constexpr std::uint64_t kMaxMoeTokens = std::uint64_t{1} << 28;
constexpr double kMaxMoeBytesPerToken = 1073741824.0;

struct MoeParams {
  std::uint32_t experts = 8;
  std::uint64_t tokens_per_rank = 4096;
  double bytes_per_token = 8192.0;  // hidden size x element size
  double skew = 1.0;                // Zipf exponent over expert popularity
};

struct MoeRouting {
  std::vector<double> bytes;             // src * experts + dst
  std::vector<std::uint64_t> tokens_in;  // tokens each expert receives
};

MoeRouting route_moe_tokens(const MoeParams& params, sim::RandomStream& rng);

}  // namespace models::collective
