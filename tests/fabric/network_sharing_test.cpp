// The max-min solver (sim/maxmin.hpp) and the link bundles (models/network/link_bundles.hpp)
// against closed forms and the definitions: feasibility, a bottleneck for every flow,
// grouped equal to ungrouped, bundles equal to the classes of links no set tells apart.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "models/network/link_bundles.hpp"
#include "sim/maxmin.hpp"

namespace {

struct Use {
  std::uint32_t resource;
  double weight;
};
struct Problem {
  std::vector<double> capacity;
  std::vector<std::vector<Use>> flows;
  std::vector<std::uint32_t> count;
};

std::vector<double> solve(sim::MaxMinSolver& solver, const Problem& p) {
  solver.clear();
  for (double c : p.capacity) solver.add_resource(c);
  for (std::size_t f = 0; f < p.flows.size(); ++f) {
    for (const Use& u : p.flows[f]) solver.add_use(u.resource, u.weight);
    solver.add_flow(p.count[f]);
  }
  const auto rates = solver.solve();
  return {rates.begin(), rates.end()};
}

// Weights from a small set, as fabrics have them (whole paths, sprayed branches, header
// overheads), and counts of identical flows.
Problem random_problem(std::mt19937_64& gen, std::size_t resources, std::size_t flows) {
  const double weights[] = {1.0, 1.0, 1.0, 0.5, 0.25, 1.0 / 3.0, 1.0 / 31.0, 1.25};
  Problem p;
  std::uniform_real_distribution<double> cap(1.0, 100.0);
  for (std::size_t r = 0; r < resources; ++r) p.capacity.push_back(r % 5 == 0 ? 40.0 : cap(gen));
  std::uniform_int_distribution<std::size_t> pick(0, resources - 1);
  for (std::size_t f = 0; f < flows; ++f) {
    std::set<std::uint32_t> used;
    const std::size_t hops = std::min<std::size_t>(1 + gen() % 4, resources);
    std::vector<Use> uses;
    while (used.size() < hops) {
      const auto r = static_cast<std::uint32_t>(pick(gen));
      if (used.insert(r).second) uses.push_back({r, weights[gen() % 8]});
    }
    p.flows.push_back(uses);
    p.count.push_back(gen() % 3 == 0 ? 1 + static_cast<std::uint32_t>(gen() % 5) : 1);
  }
  return p;
}

// Max-min fairness by definition: feasible, and every flow crosses a saturated resource
// on which no flow is faster.
void check_max_min(const Problem& p, const std::vector<double>& rate) {
  std::vector<double> used(p.capacity.size(), 0.0), fastest(p.capacity.size(), 0.0);
  for (std::size_t f = 0; f < p.flows.size(); ++f) {
    for (const Use& u : p.flows[f]) {
      used[u.resource] += u.weight * p.count[f] * rate[f];
      fastest[u.resource] = std::max(fastest[u.resource], rate[f]);
    }
  }
  for (std::size_t r = 0; r < p.capacity.size(); ++r) CHECK(used[r] <= p.capacity[r] * (1 + 1e-9));
  for (std::size_t f = 0; f < p.flows.size(); ++f) {
    bool bottleneck = false;
    for (const Use& u : p.flows[f]) {
      const bool saturated = used[u.resource] >= p.capacity[u.resource] * (1 - 1e-9);
      bottleneck = bottleneck || (saturated && rate[f] >= fastest[u.resource] * (1 - 1e-9));
    }
    CAPTURE(f);
    CHECK(bottleneck);
  }
}

}  // namespace

TEST_CASE("max-min solver: closed forms") {
  sim::MaxMinSolver s;
  // Two resources in a line: the flow crossing both is held to half of the first; the
  // flow alone on the second gets what is left of it.
  const auto a = s.add_resource(1.0);
  const auto b = s.add_resource(2.0);
  s.add_use(a, 1.0);
  s.add_use(b, 1.0);
  s.add_flow();
  s.add_use(a, 1.0);
  s.add_flow();
  s.add_use(b, 1.0);
  s.add_flow();
  auto r = s.solve();
  CHECK(r[0] == 0.5);
  CHECK(r[1] == 0.5);
  CHECK(r[2] == 1.5);

  // Weights: a flow costing its resource 2 units per unit of rate shares 3 units equally
  // in rate with a plain flow (1 + 2 = 3); a group of 4 identical flows counts 4 times.
  s.clear();
  const auto c = s.add_resource(3.0);
  s.add_use(c, 1.0);
  s.add_flow();
  s.add_use(c, 2.0);
  s.add_flow();
  r = s.solve();
  CHECK(r[0] == doctest::Approx(1.0));
  CHECK(r[1] == doctest::Approx(1.0));
  s.clear();
  const auto d = s.add_resource(10.0);
  s.add_use(d, 0.5);
  s.add_flow(4);
  s.add_use(d, 1.0);
  s.add_flow();
  r = s.solve();
  CHECK(r[0] == doctest::Approx(10.0 / 3.0));
  CHECK(r[1] == doctest::Approx(10.0 / 3.0));

  // A resource without capacity stalls its flows; a flow using nothing is unbounded.
  s.clear();
  const auto dead = s.add_resource(0.0);
  const auto live = s.add_resource(5.0);
  s.add_use(dead, 1.0);
  s.add_use(live, 1.0);
  s.add_flow();
  s.add_use(live, 1.0);
  s.add_flow();
  s.add_flow();
  r = s.solve();
  CHECK(r[0] == 0.0);
  CHECK(r[1] == 5.0);
  CHECK(r[2] == std::numeric_limits<double>::infinity());

  CHECK_THROWS_AS(s.add_use(7, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(s.add_use(live, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(s.add_use(live, -1.0), std::invalid_argument);
  CHECK_THROWS_AS(s.add_flow(0), std::invalid_argument);
  CHECK_THROWS_AS(s.add_resource(std::nan("")), std::invalid_argument);
}

TEST_CASE("max-min solver: identical flows get bit-identical rates") {
  // 31 flows sprayed with weight 1/31 over 31 resources, summed in different orders.
  sim::MaxMinSolver s;
  for (int r = 0; r < 31; ++r) s.add_resource(50e9);
  for (int f = 0; f < 7; ++f) {
    for (int k = 0; k < 31; ++k) s.add_use(static_cast<std::uint32_t>((k + 5 * f) % 31), 1.0 / 31.0);
    s.add_flow();
  }
  const auto r = s.solve();
  for (int f = 1; f < 7; ++f) CHECK(r[f] == r[0]);
  CHECK(r[0] == doctest::Approx(50e9 * 31.0 / 7.0).epsilon(1e-12));
}

TEST_CASE("max-min solver: random problems are max-min fair, and grouped equals ungrouped") {
  std::mt19937_64 gen(2024);
  sim::MaxMinSolver grouped, expanded;
  double worst = 0.0;
  for (int trial = 0; trial < 300; ++trial) {
    const Problem p = random_problem(gen, 2 + gen() % 40, 1 + gen() % 120);
    const auto rate = solve(grouped, p);
    check_max_min(p, rate);
    CHECK(solve(grouped, p) == rate);  // same problem, same bits

    // Every group written out as `count` separate flows.
    Problem q;
    q.capacity = p.capacity;
    std::vector<std::size_t> first;
    for (std::size_t f = 0; f < p.flows.size(); ++f) {
      first.push_back(q.flows.size());
      for (std::uint32_t k = 0; k < p.count[f]; ++k) {
        q.flows.push_back(p.flows[f]);
        q.count.push_back(1);
      }
    }
    const auto single = solve(expanded, q);
    check_max_min(q, single);
    for (std::size_t f = 0; f < p.flows.size(); ++f) {
      for (std::uint32_t k = 0; k < p.count[f]; ++k) {
        CAPTURE(trial);
        CAPTURE(f);
        const double other = single[first[f] + k];
        CHECK(other == doctest::Approx(rate[f]).epsilon(1e-9));
        worst = std::max(worst, std::abs(other - rate[f]) / rate[f]);
      }
    }
  }
  MESSAGE("largest relative difference grouped vs ungrouped: " << worst);
}

TEST_CASE("link bundles are the classes of links that no separated set tells apart") {
  std::mt19937_64 gen(7);
  for (int trial = 0; trial < 50; ++trial) {
    const std::size_t n = 1 + gen() % 60;
    models::network::LinkBundles bundles(n);
    std::vector<std::vector<bool>> signature(n);
    std::vector<models::network::LinkBundles::Split> splits;
    std::uint64_t generation = bundles.generation();
    const int sets = static_cast<int>(gen() % 30);
    for (int s = 0; s < sets; ++s) {
      std::vector<topologies::LinkId> set;
      for (topologies::LinkId l = 0; l < n; ++l) {
        if (gen() % 4 == 0) set.push_back(l);
      }
      std::shuffle(set.begin(), set.end(), gen);
      const std::size_t before = bundles.count();
      splits.clear();
      bundles.separate(set, splits);
      CHECK(bundles.count() == before + splits.size());
      CHECK((bundles.generation() != generation) == !splits.empty());
      generation = bundles.generation();
      for (const auto& sp : splits) CHECK(sp.to >= before);
      for (topologies::LinkId l = 0; l < n; ++l) {
        signature[l].push_back(std::find(set.begin(), set.end(), l) != set.end());
      }
    }
    // Same bundle exactly when same membership in every set.
    std::map<std::vector<bool>, std::uint32_t> bundle_of_signature;
    for (topologies::LinkId l = 0; l < n; ++l) {
      const auto [it, fresh] = bundle_of_signature.emplace(signature[l], bundles.bundle_of(l));
      CHECK(it->second == bundles.bundle_of(l));
    }
    CHECK(bundles.count() == bundle_of_signature.size());
    std::size_t listed = 0;
    for (std::uint32_t b = 0; b < bundles.count(); ++b) {
      CHECK(!bundles.links(b).empty());
      for (auto l : bundles.links(b)) CHECK(bundles.bundle_of(l) == b);
      listed += bundles.links(b).size();
    }
    CHECK(listed == n);
  }
}
