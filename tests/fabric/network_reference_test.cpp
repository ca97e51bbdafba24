// FlowNetwork against a plain reference fluid simulation written here from the model's
// definition: every flow on its own (no groups, no bundles), every link its own
// constraint, a full max-min solve at every event. The network groups identical flows,
// merges links into bundles and re-solves only what departures can change; on random
// workloads both must give the same finish times (to rounding) and the same bytes per link.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "models/network/flow_network.hpp"
#include "topologies/builders.hpp"
#include "topologies/routing.hpp"

using namespace models::network;
using topologies::LinkId;

namespace {

constexpr double kPicosecondBytes = 400e9 / 8 * 1e-12;

struct RefFlow {
  std::vector<std::pair<LinkId, double>> hops;  // link, weight
  double bytes = 0.0;
  std::int64_t activate_ps = 0;
  std::int64_t end_ps = -1;
};
struct CapacityChange {
  std::int64_t at_ps;
  LinkId link;
  double capacity;
};

// Progressive filling, the textbook way: each round, the lowest level over all links;
// every flow crossing a link at that level freezes there.
std::vector<double> reference_rates(const std::vector<RefFlow>& flows, const std::vector<std::size_t>& active,
                                    const std::vector<double>& capacity) {
  std::vector<double> rate(flows.size(), -1.0), residual = capacity;
  std::size_t open = active.size();
  while (open > 0) {
    std::vector<double> weight(capacity.size(), 0.0);
    for (std::size_t f : active) {
      if (rate[f] < 0.0) {
        for (const auto& [l, w] : flows[f].hops) weight[l] += w;
      }
    }
    auto level_of = [&](LinkId l) { return std::max(0.0, residual[l]) / weight[l]; };
    double level = std::numeric_limits<double>::infinity();
    for (LinkId l = 0; l < capacity.size(); ++l) {
      if (weight[l] > 0.0) level = std::min(level, level_of(l));
    }
    std::vector<std::size_t> frozen;
    for (std::size_t f : active) {
      if (rate[f] >= 0.0) continue;
      for (const auto& [l, w] : flows[f].hops) {
        if (level_of(l) <= level * (1.0 + 1e-12)) {
          frozen.push_back(f);
          break;
        }
      }
    }
    for (std::size_t f : frozen) {
      rate[f] = level;
      --open;
      for (const auto& [l, w] : flows[f].hops) residual[l] -= w * level;
    }
  }
  return rate;
}

void reference_run(std::vector<RefFlow>& flows, std::vector<double> capacity,
                   const std::vector<CapacityChange>& changes) {
  const std::size_t n = flows.size();
  std::vector<double> remaining(n, 0.0), rate(n, 0.0);
  std::vector<std::int64_t> finish(n, -1);
  std::vector<int> state(n, 0);  // 0 waiting, 1 active, 2 done
  std::int64_t now = 0;
  while (true) {
    std::int64_t t = std::numeric_limits<std::int64_t>::max();
    for (std::size_t f = 0; f < n; ++f) {
      if (state[f] == 0) t = std::min(t, flows[f].activate_ps);
      if (state[f] == 1 && finish[f] >= 0) t = std::min(t, finish[f]);
    }
    for (const auto& c : changes) {
      if (c.at_ps > now) t = std::min(t, c.at_ps);
    }
    if (t == std::numeric_limits<std::int64_t>::max()) break;
    for (std::size_t f = 0; f < n; ++f) {
      if (state[f] == 1) remaining[f] -= rate[f] * static_cast<double>(t - now) / 1e12;
    }
    now = t;
    for (std::size_t f = 0; f < n; ++f) {
      if (state[f] == 1 && finish[f] == t) {
        state[f] = 2;
        flows[f].end_ps = t;
      }
    }
    for (const auto& c : changes) {
      if (c.at_ps == t) capacity[c.link] = c.capacity;
    }
    for (std::size_t f = 0; f < n; ++f) {
      if (state[f] != 0 || flows[f].activate_ps != t) continue;
      state[f] = 1;
      remaining[f] = flows[f].bytes;
      rate[f] = 0.0;
      finish[f] = -1;
      if (flows[f].bytes <= 0.0 || flows[f].hops.empty()) {
        state[f] = 2;
        flows[f].end_ps = t;
      }
    }
    std::vector<std::size_t> active;
    for (std::size_t f = 0; f < n; ++f) {
      if (state[f] == 1) active.push_back(f);
    }
    const auto fresh = reference_rates(flows, active, capacity);
    for (std::size_t f : active) {
      if (fresh[f] == rate[f]) continue;  // a flow keeps its finish time while its rate holds
      rate[f] = fresh[f];
      finish[f] =
          rate[f] > 0.0 ? t + static_cast<std::int64_t>(std::ceil(std::max(0.0, remaining[f]) / rate[f] * 1e12)) : -1;
    }
  }
}

struct Case {
  PathPolicy policy;
  std::uint32_t subflows;
  std::uint64_t seed;
  bool degrade_mid_run;
};

void compare_with_reference(const Case& c) {
  std::mt19937_64 gen(c.seed);
  topologies::LeafSpineParams fp;
  fp.leaves = 4;
  fp.hosts_per_leaf = 4;
  fp.spines = 2 + static_cast<std::uint32_t>(gen() % 3);
  fp.oversubscription = gen() % 2 == 0 ? 1.0 : 2.0;
  fp.host_latency = sim::Time::from_ps(100'000 + static_cast<std::int64_t>(gen() % 1000));
  fp.uplink_latency = sim::Time::from_ps(300'000);
  auto t = topologies::leaf_spine(fp);
  const auto& ends = t.endpoints();
  // A slow link from the start, and perhaps one more slowed mid-run.
  t.set_link_degraded(static_cast<LinkId>(gen() % t.link_count()), 0.5);
  std::vector<double> capacity(t.link_count());
  for (LinkId l = 0; l < t.link_count(); ++l) capacity[l] = t.capacity_bytes_per_s(l);

  sim::Simulator sim(c.seed);
  NetworkParams np;
  np.policy = c.policy;
  np.subflows = c.subflows;
  np.seed = c.seed;
  np.record_flows = true;
  FlowNetwork net(sim, t, np);
  const auto slowed = static_cast<LinkId>(gen() % t.link_count());
  const sim::Time slowed_at = sim::Time::from_ns(3000);
  if (c.degrade_mid_run) net.link_degraded_at(slowed_at, slowed, 0.3);
  const int transfers = 60;
  for (int i = 0; i < transfers; ++i) {
    const auto src = ends[gen() % ends.size()];
    auto dst = ends[gen() % ends.size()];
    while (dst == src) dst = ends[gen() % ends.size()];
    // Sizes and start times spread out, so that flows leave at many different levels.
    const double bytes = 1e4 * static_cast<double>(1 + gen() % 200);
    const auto at = sim::Time::from_ps(static_cast<std::int64_t>(gen() % 8'000'000));
    sim.schedule_at(at,
                    [&net, src, dst, bytes, i] { net.start_transfer(src, dst, bytes, static_cast<std::uint64_t>(i)); });
  }
  sim.run();
  net.settle();
  REQUIRE(net.failed_tags().empty());

  topologies::Router router(t);
  std::vector<RefFlow> ref;
  std::vector<topologies::WeightedLink> spray;
  for (const FlowRecord& r : net.flow_records()) {
    RefFlow f;
    f.bytes = r.bytes;
    if (c.policy == PathPolicy::spray) {
      REQUIRE(router.spray_weights(r.src, r.dst, spray));
      for (const auto& w : spray) f.hops.emplace_back(w.link, w.weight);
    } else {
      for (std::uint32_t i = 0; i < r.path_length; ++i) f.hops.emplace_back(net.path_links()[r.path_offset + i], 1.0);
    }
    double latency = 0.0;
    for (const auto& [l, w] : f.hops) latency += w * static_cast<double>(t.link(l).latency.ps());
    f.activate_ps = r.start.ps() + std::llround(latency);
    ref.push_back(f);
  }
  std::vector<CapacityChange> changes;
  if (c.degrade_mid_run) changes.push_back({slowed_at.ps(), slowed, t.capacity_bytes_per_s(slowed)});
  reference_run(ref, capacity, changes);

  std::vector<double> carried(t.link_count(), 0.0);
  std::vector<std::uint64_t> crossing(t.link_count(), 0);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const FlowRecord& r = net.flow_records()[i];
    CAPTURE(i);
    REQUIRE(ref[i].end_ps >= 0);
    // Finish times are whole picoseconds rounded up from rates that may differ in their
    // last bits; a picosecond here moves later events by as little.
    REQUIRE(r.end);
    CHECK(std::abs(r.end->ps() - ref[i].end_ps) <=
          20 + static_cast<std::int64_t>(1e-7 * static_cast<double>(ref[i].end_ps)));
    // The last byte is due at a whole picosecond, rounded up: at most a picosecond's worth
    // (0.05 bytes at 400 Gb/s) more is counted as drained.
    CHECK(r.delivered_bytes >= r.bytes * (1 - 1e-12));
    CHECK(r.delivered_bytes <= r.bytes + kPicosecondBytes);
    for (const auto& [l, w] : ref[i].hops) {
      carried[l] += w * r.bytes;
      ++crossing[l];
    }
  }
  // Per-link figures are kept per bundle: each link must still get exactly its own.
  for (LinkId l = 0; l < t.link_count(); ++l) {
    CAPTURE(l);
    const double slack = kPicosecondBytes * static_cast<double>(crossing[l]) + 1e-9 * carried[l];
    CHECK(std::abs(net.link_stats()[l].carried_bytes - carried[l]) <= slack);
    CHECK(net.link_stats()[l].flows_completed == crossing[l]);
  }
}

}  // namespace

TEST_CASE("ECMP flows finish when the reference fluid simulation says") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    compare_with_reference({PathPolicy::ecmp, 1, seed, seed % 2 == 0});
  }
}

TEST_CASE("split subflows, solved as groups of identical paths, finish as if solved one by one") {
  for (std::uint64_t seed = 11; seed <= 16; ++seed) {
    CAPTURE(seed);
    compare_with_reference({PathPolicy::split, 1 + static_cast<std::uint32_t>(seed % 3) * 3, seed, seed % 2 == 1});
  }
}

TEST_CASE("sprayed flows, solved on link bundles, finish as if every link were its own constraint") {
  for (std::uint64_t seed = 21; seed <= 26; ++seed) {
    CAPTURE(seed);
    compare_with_reference({PathPolicy::spray, 1, seed, seed % 2 == 0});
  }
}

TEST_CASE("flows leaving at two different rates in the same picosecond both hand their share on") {
  // One leaf; host0's uplink at half speed. B and C leave host0 at 12.5 GB/s each, A and
  // D leave host3 at 25 GB/s each. A and B end together after 1 us; then C has host0's
  // uplink alone (25 GB/s) and D host3's (50 GB/s). Re-solving only from the faster
  // departure's level up would leave C at 12.5 GB/s.
  topologies::LeafSpineParams fp;
  fp.leaves = 1;
  fp.spines = 1;
  fp.hosts_per_leaf = 6;
  fp.host_latency = sim::Time::from_ps(1'000'000);
  auto t = topologies::leaf_spine(fp);
  const auto& e = t.endpoints();
  t.set_link_degraded(t.out_links(e[0])[0], 0.5);
  sim::Simulator sim(1);
  FlowNetwork net(sim, t, {});
  std::vector<double> end(4, -1.0);
  net.set_listener([&](std::uint64_t tag, bool) { end[tag] = sim.now().to_seconds(); });
  const double x = 50'000, y = 80'000;
  net.start_transfer(e[3], e[4], 25'000, 0);      // A
  net.start_transfer(e[0], e[1], 12'500, 1);      // B
  net.start_transfer(e[0], e[2], 12'500 + x, 2);  // C
  net.start_transfer(e[3], e[5], 25'000 + y, 3);  // D
  sim.run();
  const double latency = 2e-6;
  CHECK(end[0] == doctest::Approx(latency + 1e-6).epsilon(1e-9));
  CHECK(end[1] == doctest::Approx(latency + 1e-6).epsilon(1e-9));
  CHECK(end[2] == doctest::Approx(latency + 1e-6 + x / 25e9).epsilon(1e-9));
  CHECK(end[3] == doctest::Approx(latency + 1e-6 + y / 50e9).epsilon(1e-9));
}
