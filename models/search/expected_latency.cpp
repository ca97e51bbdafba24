#include "models/search/expected_latency.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace models::search {

namespace {

// nb201's feature layout (models/cost/features.hpp).
constexpr std::size_t kEdges = 6, kOps = 5;
constexpr std::size_t kEdgeFeature = 1, kDeadFeature = 25, kEffectiveFeature = 26, kPairFeature = 50;
constexpr std::array<std::size_t, kEdges> kSource{0, 0, 1, 0, 1, 2}, kTarget{1, 2, 2, 3, 3, 3};

struct Graph {  // what a pattern of used edges (bit e: edge e is not `none`) makes of the cell
  bool dead = false;
  std::array<bool, kEdges> effective{};
};

std::array<Graph, 64> graphs() {
  std::array<Graph, 64> out{};
  for (unsigned z = 0; z < 64; ++z) {
    const auto used = [z](std::size_t e) { return ((z >> e) & 1U) != 0; };
    // As for_each_feature reads a cell: live nodes are reached from the input through
    // used edges, and an edge is effective when its source is live and its target reaches
    // the output.
    const bool live1 = used(0), live2 = used(1) || (used(2) && live1);
    const bool live3 = used(3) || (used(4) && live1) || (used(5) && live2);
    const bool reach2 = used(5), reach1 = used(4) || (used(2) && reach2);
    const std::array<bool, 4> live{true, live1, live2, live3}, reaches{live3, reach1, reach2, true};
    out[z].dead = !live3;
    for (std::size_t e = 0; e < kEdges; ++e) out[z].effective[e] = used(e) && live[kSource[e]] && reaches[kTarget[e]];
  }
  return out;
}

// Probability of the used-edge pattern z over the edges not in `skip` (a bit mask).
double pattern_probability(unsigned z, unsigned skip, const std::array<double, kEdges>& used) {
  double p = 1.0;
  for (std::size_t e = 0; e < kEdges; ++e) {
    if ((skip >> e) & 1U) continue;
    p *= ((z >> e) & 1U) ? used[e] : 1.0 - used[e];
  }
  return p;
}

void nb201(const double* w, const double* p, double& value, double* grad) {
  static const std::array<Graph, 64> kGraphs = graphs();
  const auto prob = [p](std::size_t e, std::size_t c) { return p[e * kOps + c]; };
  std::array<double, kEdges> used{};
  for (std::size_t e = 0; e < kEdges; ++e) {
    for (std::size_t c = 1; c < kOps; ++c) used[e] += prob(e, c);
  }
  // Dead output: D and dD/d used[e].
  double dead = 0.0;
  std::array<double, kEdges> d_dead{};
  // Effectiveness of edge e given it is used: H[e] and dH[e]/d used[f].
  std::array<double, kEdges> h{};
  std::array<std::array<double, kEdges>, kEdges> d_h{};
  for (unsigned z = 0; z < 64; ++z) {
    const Graph& g = kGraphs[z];
    if (g.dead) {
      dead += pattern_probability(z, 0, used);
      for (std::size_t e = 0; e < kEdges; ++e)
        d_dead[e] += (((z >> e) & 1U) ? 1.0 : -1.0) * pattern_probability(z, 1U << e, used);
    }
    for (std::size_t e = 0; e < kEdges; ++e) {
      if (!g.effective[e]) continue;  // implies edge e used
      h[e] += pattern_probability(z, 1U << e, used);
      for (std::size_t f = 0; f < kEdges; ++f) {
        if (f == e) continue;
        d_h[e][f] += (((z >> f) & 1U) ? 1.0 : -1.0) * pattern_probability(z, (1U << e) | (1U << f), used);
      }
    }
  }
  std::array<double, kEdges> a{};  // sum_c p[e][c] w_eff[e][c]
  value = w[0] + w[kDeadFeature] * dead;
  for (std::size_t e = 0; e < kEdges; ++e) {
    for (std::size_t c = 1; c < kOps; ++c) {
      value += prob(e, c) * w[kEdgeFeature + 4 * e + c - 1];
      a[e] += prob(e, c) * w[kEffectiveFeature + 4 * e + c - 1];
    }
    value += a[e] * h[e];
  }
  if (grad) {
    for (std::size_t i = 0; i < kEdges * kOps; ++i) grad[i] = 0.0;
    for (std::size_t e = 0; e < kEdges; ++e) {
      double through_used = w[kDeadFeature] * d_dead[e];  // every non-none choice moves used[e] alike
      for (std::size_t f = 0; f < kEdges; ++f) {
        if (f != e) through_used += a[f] * d_h[f][e];
      }
      for (std::size_t c = 1; c < kOps; ++c) {
        grad[e * kOps + c] =
            w[kEdgeFeature + 4 * e + c - 1] + w[kEffectiveFeature + 4 * e + c - 1] * h[e] + through_used;
      }
    }
  }
  std::size_t pair = 0;
  for (std::size_t e = 0; e < kEdges; ++e) {
    for (std::size_t f = e + 1; f < kEdges; ++f, ++pair) {
      for (std::size_t ce = 1; ce < kOps; ++ce) {
        for (std::size_t cf = 1; cf < kOps; ++cf) {
          const double wp = w[kPairFeature + 16 * pair + 4 * (ce - 1) + (cf - 1)];
          value += prob(e, ce) * prob(f, cf) * wp;
          if (grad) {
            grad[e * kOps + ce] += prob(f, cf) * wp;
            grad[f * kOps + cf] += prob(e, ce) * wp;
          }
        }
      }
    }
  }
}

void fbnet(const double* w, const double* p, double& value, double* grad) {
  constexpr std::size_t kLayers = 22, kChoices = 9;
  value = w[0];
  for (std::size_t l = 0; l < kLayers; ++l) {
    for (std::size_t c = 0; c < kChoices; ++c) {
      const double wc = c == 8 ? 0.0 : w[1 + 8 * l + c];  // skip is the baseline
      value += p[l * kChoices + c] * wc;
      if (grad) grad[l * kChoices + c] = wc;
    }
  }
}

void ofa(const double* w, const double* p, double resolution, double& value, double* grad) {
  constexpr std::size_t kBlocks = 20, kChoices = 10;
  const double s = (resolution / 224.0) * (resolution / 224.0);
  value = w[0] + w[1] * s;
  for (std::size_t b = 0; b < kBlocks; ++b) {
    for (std::size_t c = 0; c < kChoices; ++c) {
      const double wc = c == 9 ? 0.0 : w[2 + 18 * b + c] + s * w[2 + 18 * b + 9 + c];  // 9: unused block
      value += p[b * kChoices + c] * wc;
      if (grad) grad[b * kChoices + c] = wc;
    }
  }
}

}  // namespace

void expected_latency(const cost::SpaceModel& model, std::span<const double> probs, std::span<const double> resolution,
                      std::span<double> value, std::span<double> gradient) {
  const std::size_t per = cost::slot_count(model.space) * cost::choice_count(model.space);
  const std::size_t n = value.size();
  const std::string space(cost::space_name(model.space));
  if (probs.size() != n * per) {
    throw std::invalid_argument(
        "expected_latency: " + std::to_string(n) + " distributions of the " + space + " space need " +
        std::to_string(n * per) + " probabilities (" + std::to_string(cost::slot_count(model.space)) + " slots x " +
        std::to_string(cost::choice_count(model.space)) + " choices each), got " + std::to_string(probs.size()));
  }
  if (!gradient.empty() && gradient.size() != probs.size()) {
    throw std::invalid_argument("expected_latency: the gradient needs as many entries as the probabilities");
  }
  if (model.space != cost::Space::ofa_mbv3 && !resolution.empty()) {
    throw std::invalid_argument("expected_latency: only ofa-mbv3 takes a resolution");
  }
  if (!resolution.empty() && resolution.size() != n)
    throw std::invalid_argument("expected_latency: one resolution per distribution");
  if (model.weights_ms.size() != cost::feature_count(model.space))
    throw std::invalid_argument("expected_latency: the model's weights do not fit its space");
  for (std::size_t i = 0; i < probs.size(); ++i) {
    if (!std::isfinite(probs[i])) {
      throw std::invalid_argument("expected_latency: probability " + std::to_string(i) + " is not a finite number");
    }
  }
  for (double r : resolution) {
    if (!(r > 0 && std::isfinite(r))) throw std::invalid_argument("expected_latency: resolutions must be positive");
  }
  const double* w = model.weights_ms.data();
  for (std::size_t i = 0; i < n; ++i) {
    const double* p = probs.data() + i * per;
    double* g = gradient.empty() ? nullptr : gradient.data() + i * per;
    switch (model.space) {
      case cost::Space::nb201: nb201(w, p, value[i], g); break;
      case cost::Space::fbnet: fbnet(w, p, value[i], g); break;
      case cost::Space::ofa_mbv3: ofa(w, p, resolution.empty() ? 224.0 : resolution[i], value[i], g); break;
    }
  }
}

}  // namespace models::search
