#include "models/cost/features.hpp"

#include <array>
#include <stdexcept>

namespace models::cost {

namespace {
constexpr std::array<const char*, 5> kNb201{"none", "skip", "conv1x1", "conv3x3", "pool3x3"};
constexpr std::array<const char*, 9> kFbnet{"k3_e1",    "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1",
                                            "k5_e1_g2", "k5_e3",    "k5_e6", "skip"};
constexpr std::array<const char*, 9> kOfa{"k3_e3", "k3_e4", "k3_e6", "k5_e3", "k5_e4",
                                          "k5_e6", "k7_e3", "k7_e4", "k7_e6"};
}  // namespace

std::size_t feature_count(Space space) {
  switch (space) {
    case Space::nb201: return 1 + 24 + 1 + 24 + 15 * 16;
    case Space::fbnet: return 1 + 22 * 8;
    case Space::ofa_mbv3: return 2 + 20 * 18;
  }
  return 0;
}

std::size_t first_order_count(Space space) { return space == Space::nb201 ? 50 : feature_count(space); }

std::string feature_name(Space space, std::size_t i) {
  if (i >= feature_count(space)) throw std::out_of_range("feature index out of range");
  if (i == 0) return "bias";
  switch (space) {
    case Space::nb201: {
      if (i < 25) return "edge" + std::to_string((i - 1) / 4) + "=" + kNb201[(i - 1) % 4 + 1];
      if (i == 25) return "output_dead";
      if (i < 50) return "effective_edge" + std::to_string((i - 26) / 4) + "=" + kNb201[(i - 26) % 4 + 1];
      const std::size_t p = (i - 50) / 16, o = (i - 50) % 16;
      std::size_t e = 0, pairs_before = 0;
      while (pairs_before + (5 - e) <= p) pairs_before += 5 - e++;  // edge e has 5 - e later edges
      const std::size_t f = e + 1 + (p - pairs_before);
      return "edge" + std::to_string(e) + "=" + kNb201[o / 4 + 1] + "&edge" + std::to_string(f) + "=" +
             kNb201[o % 4 + 1];
    }
    case Space::fbnet: return "layer" + std::to_string((i - 1) / 8) + "=" + kFbnet[(i - 1) % 8];
    case Space::ofa_mbv3: {
      if (i == 1) return "s";
      const std::size_t b = (i - 2) / 18, c = (i - 2) % 18;
      return "block" + std::to_string(b) + "=" + kOfa[c % 9] + (c >= 9 ? "*s" : "");
    }
  }
  return "?";
}

}  // namespace models::cost
