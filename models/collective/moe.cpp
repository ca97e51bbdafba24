#include "models/collective/moe.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace models::collective {

MoeRouting route_moe_tokens(const MoeParams& p, sim::RandomStream& rng) {
  if (p.experts < 2) throw std::invalid_argument("moe: at least 2 experts");
  if (!(p.skew >= 0.0)) throw std::invalid_argument("moe: skew must not be negative");
  if (!(p.bytes_per_token > 0.0 && p.bytes_per_token <= kMaxMoeBytesPerToken)) {
    throw std::invalid_argument("moe: bytes_per_token must be positive and at most 1 GiB");
  }
  if (p.tokens_per_rank > kMaxMoeTokens / p.experts) {
    throw std::invalid_argument("moe: experts x tokens_per_rank must be at most 2^28 (" +
                                std::to_string(kMaxMoeTokens) + ") tokens");
  }
  std::vector<double> cdf(p.experts);
  double total = 0.0;
  for (std::uint32_t e = 0; e < p.experts; ++e) {
    total += 1.0 / std::pow(static_cast<double>(e + 1), p.skew);
    cdf[e] = total;
  }
  MoeRouting r;
  r.bytes.assign(static_cast<std::size_t>(p.experts) * p.experts, 0.0);
  r.tokens_in.assign(p.experts, 0);
  for (std::uint32_t src = 0; src < p.experts; ++src) {
    for (std::uint64_t t = 0; t < p.tokens_per_rank; ++t) {
      const double u = rng.uniform() * total;
      std::uint32_t e = 0;
      while (e + 1 < p.experts && cdf[e] <= u) ++e;
      ++r.tokens_in[e];
      if (e != src) r.bytes[static_cast<std::size_t>(src) * p.experts + e] += p.bytes_per_token;
    }
  }
  return r;
}

}  // namespace models::collective
