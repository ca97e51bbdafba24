#pragma once
// The expected latency of a distribution over per-slot choices, and its gradient: the
// latency term of differentiable searches (FBNet, ProxylessNAS), priced by a space model's
// lookup table. Slots are independent: p[s][c] is the probability that slot s takes
// choice c (cost::slot_count x cost::choice_count entries per distribution).
//
//   E[latency] = w_bias + sum_s sum_c p[s][c] w[s][c]                   first-order features
//              + sum_{s<t} sum_{c,d} p[s][c] p[t][d] w[s,t][c,d]          pairwise features (nb201)
//              + w_dead P(dead output) + sum_e sum_c p[e][c] w_eff[e][c] P(e effective | e used)
//                                                                       (nb201's graph terms)
// A slot's baseline choice (nb201's `none`, fbnet's `skip`, ofa-mbv3's unused block) has no
// feature: its probability enters only as one minus the others', so its gradient entry is
// 0 and the expression is the expectation wherever each slot's probabilities sum to 1
// (through a softmax, say). nb201's graph terms are exact: they sum over the 64 patterns
// of used and unused edges. ofa-mbv3's resolution is one value per distribution:
// E = w_bias + w_s s + sum_b sum_c p[b][c] (w[b][c] + s w_s[b][c]), s = (resolution / 224)^2.
// The model's floor (floor_ms) is not applied: the expectation stays linear in each p.

#include <span>

#include "models/cost/space_model.hpp"

namespace models::search {

// `probs`: n distributions of slot_count(space) x choice_count(space) entries each,
// row-major; `resolution`: ofa-mbv3 only, one per distribution (empty: 224); `value`: n
// entries; `gradient`: as many entries as `probs`, or empty to skip it. Throws
// std::invalid_argument for sizes that do not fit or non-finite probabilities.
void expected_latency(const cost::SpaceModel& model, std::span<const double> probs, std::span<const double> resolution,
                      std::span<double> value, std::span<double> gradient);

}  // namespace models::search
