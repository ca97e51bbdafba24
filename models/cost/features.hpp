#pragma once
// The features linear cost models weigh: indicators of each slot's choice (a per-block
// lookup table, as ProxylessNAS, FBNet and Once-for-All price blocks) plus the few
// interactions a space needs. Feature 0 is the bias (always 1).
//   nb201 (290): op of each edge (24, `none` is the baseline); whether the cell's output
//     is dead (no path of non-none edges from its input) and the op of each edge that is
//     effective (on a live path to the output): 25 terms for runtimes that prune dead
//     graphs (TFLite prices a dead network at microseconds); the ops of each pair of
//     edges (15 pairs x 16): a cell's cost is not a plain sum of its edges (node sums,
//     shared inputs).
//   fbnet (177): block of each of the 22 layers (8 each, `skip` is the baseline).
//   ofa-mbv3 (362): s = (resolution / 224)^2 and, for each used block, its (kernel,
//     expansion) choice both alone (launch-bound cost) and times s (work that grows with
//     the image area).
// Every architecture has at most a few dozen non-zero features, so pricing one is a few
// dozen multiply-adds.

#include <array>
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
      // Edges in order 0-1, 0-2, 1-2, 0-3, 1-3, 2-3. A node is live when a non-none edge
      // reaches it from the input; an edge is effective when its source is live and its
      // destination reaches the output. Compilers that prune dead graphs run only those.
      const auto& c = a.choice;
      const bool live1 = c[0] != 0, live2 = c[1] != 0 || (c[2] != 0 && live1);
      const bool live3 = c[3] != 0 || (c[4] != 0 && live1) || (c[5] != 0 && live2);
      const bool reach2 = c[5] != 0, reach1 = c[4] != 0 || (c[2] != 0 && reach2);
      constexpr std::array<std::uint8_t, 6> source{0, 0, 1, 0, 1, 2}, target{1, 2, 2, 3, 3, 3};
      const std::array<bool, 4> live{true, live1, live2, live3}, reaches{live3, reach1, reach2, true};
      for (std::size_t e = 0; e < 6; ++e) {
        if (c[e] != 0) visit(1 + 4 * e + (c[e] - 1), 1.0);
      }
      if (!live3) visit(std::size_t{25}, 1.0);
      for (std::size_t e = 0; e < 6; ++e) {
        if (c[e] != 0 && live[source[e]] && reaches[target[e]]) visit(26 + 4 * e + (c[e] - 1), 1.0);
      }
      std::size_t pair = 0;
      for (std::size_t e = 0; e < 6; ++e) {
        for (std::size_t f = e + 1; f < 6; ++f, ++pair) {
          if (c[e] != 0 && c[f] != 0) visit(50 + 16 * pair + 4 * (c[e] - 1) + (c[f] - 1), 1.0);
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
