#pragma once
// The features linear cost models weigh: indicators of each slot's choice (a per-block
// lookup table, as ProxylessNAS, FBNet and Once-for-All price blocks) plus the few
// interactions a space needs. Feature 0 is the bias (always 1).
//   nb201 (265): op of each edge (24, `none` is the baseline) and the ops of each pair of
//     edges (15 pairs x 16): a cell's cost is not a plain sum of its edges (node sums,
//     shared inputs).
//   fbnet (177): block of each of the 22 layers (8 each, `skip` is the baseline).
//   ofa-mbv3 (362): s = (resolution / 224)^2 and, for each used block, its (kernel,
//     expansion) choice both alone (launch-bound cost) and times s (work that grows with
//     the image area).
// Every architecture has at most a few dozen non-zero features, so pricing one is a few
// dozen multiply-adds.

#include <cstdint>
#include <string>

#include "models/cost/space.hpp"

namespace models::cost {

std::size_t feature_count(Space space);
// Features 0..first_order_count-1 are the bias and each slot's own choice (no
// interactions): the plain per-block lookup table.
std::size_t first_order_count(Space space);
std::string feature_name(Space space, std::size_t index);

// Calls visit(index, value) for each non-zero feature of `arch`, bias first.
template <class Visit>
void for_each_feature(const Arch& a, Visit&& visit) {
  visit(std::size_t{0}, 1.0);
  switch (a.space) {
    case Space::nb201: {
      std::size_t pair = 0;
      for (std::size_t e = 0; e < 6; ++e) {
        if (a.choice[e] != 0) visit(1 + 4 * e + (a.choice[e] - 1), 1.0);
      }
      for (std::size_t e = 0; e < 6; ++e) {
        for (std::size_t f = e + 1; f < 6; ++f, ++pair) {
          if (a.choice[e] != 0 && a.choice[f] != 0) visit(25 + 16 * pair + 4 * (a.choice[e] - 1) + (a.choice[f] - 1), 1.0);
        }
      }
      return;
    }
    case Space::fbnet:
      for (std::size_t l = 0; l < 22; ++l) {
        if (a.choice[l] != 8) visit(1 + 8 * l + a.choice[l], 1.0);
      }
      return;
    case Space::ofa_mbv3: {
      const double s = (a.resolution / 224.0) * (a.resolution / 224.0);
      visit(std::size_t{1}, s);
      for (std::size_t b = 0; b < 20; ++b) {
        if (a.choice[b] == kOfaUnused) continue;
        visit(2 + 18 * b + a.choice[b], 1.0);
        visit(2 + 18 * b + 9 + a.choice[b], s);
      }
      return;
    }
  }
}

// w . features(arch); `weights` has feature_count(arch.space) entries.
inline double dot_features(const Arch& a, const double* weights) {
  double sum = 0.0;
  for_each_feature(a, [&](std::size_t i, double v) { sum += weights[i] * v; });
  return sum;
}

}  // namespace models::cost
