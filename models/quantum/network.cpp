// Entanglement network construction, request sessions (routing, reservation protocol, activation over
// the booked window) and results.

#include "models/quantum/network.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "sim/log.hpp"

namespace models::quantum {
namespace {

// Nested doubling: the middle of [lo, hi] swaps pairs to lo and hi, recursively.
void nested_partners(int lo, int hi, std::vector<int>& left, std::vector<int>& right) {
  if (hi - lo < 2) return;
  const int mid = (lo + hi) / 2;
  left[mid] = lo;
  right[mid] = hi;
  nested_partners(lo, mid, left, right);
  nested_partners(mid, hi, left, right);
}

constexpr std::uint64_t kRulesStream = 0x9a1e5u;
constexpr std::uint64_t kTrafficStream = 0x7aff1cu;
constexpr std::uint64_t kLinkStreamBase = 0x11000000u;
constexpr std::uint64_t kDetectorStreamBase = 0x12000000u;

}  // namespace

EntanglementNetwork::EntanglementNetwork(sim::Simulator& sim, const HardwareGraph& topology,
                                         const NetworkParams& params)
    : sim_(sim), topology_(topology), params_(params), formalism_(make_formalism(params.formalism)),
      rules_rng_(sim.stream(kRulesStream)), traffic_rng_(sim.stream(kTrafficStream)) {
  if (topology_.memory.size() != topology_.routers() || topology_.source.size() != topology_.routers()) {
    throw std::invalid_argument("quantum network: memory and source parameters must be given for every router");
  }
  rules_ = params_.rules;
  std::stable_sort(rules_.begin(), rules_.end(), [](const Rule& a, const Rule& b) { return a.priority < b.priority; });
  purify_enabled_ =
      std::any_of(rules_.begin(), rules_.end(), [](const Rule& r) { return r.action == RuleAction::Purify; });
  const auto& graph = topology_.graph;
  for (std::size_t r = 0; r < topology_.routers(); ++r) {
    RouterState router;
    router.first_memory = static_cast<std::uint32_t>(memories_.size());
    router.memories = static_cast<std::uint32_t>(graph.node(static_cast<topologies::NodeId>(r)).memories);
    for (std::uint32_t i = 0; i < router.memories; ++i) {
      router.free.push_back(router.first_memory + router.memories - 1 - i);
      Memory m;
      m.router = static_cast<std::uint32_t>(r);
      memories_.push_back(m);
    }
    routers_.push_back(std::move(router));
    excite_period_.push_back(sim::Time::from_seconds(1.0 / topology_.memory[r].frequency_hz));
    results_.memories_busy.emplace_back("memories", sim_.now(), 0.0);
  }
  const auto& det = topology_.detector;
  for (topologies::LinkId i = 0; i < graph.link_count(); ++i) {
    const auto& q = graph.link(i);
    const auto& ma = topology_.memory[q.a];
    const auto& mb = topology_.memory[q.b];
    LinkRt l;
    const auto& sa = topology_.source[q.a];
    const auto& sb = topology_.source[q.b];
    const double half = fiber_transmission(q.length_km / 2.0, q.attenuation_db_per_km);
    l.eta_a = ma.efficiency * sa.efficiency * half * det.efficiency;
    l.eta_b = mb.efficiency * sb.efficiency * half * det.efficiency;
    l.emit_eff[0] = ma.efficiency;
    l.emit_eff[1] = mb.efficiency;
    l.photon_eff[0] = sa.efficiency * half * det.efficiency;
    l.photon_eff[1] = sb.efficiency * half * det.efficiency;
    l.multi_photon[0] = sa.multi_photon_probability;
    l.multi_photon[1] = sb.multi_photon_probability;
    l.d_cc = graph.classical_delay(q.a, q.b);
    l.d_cm = sim::Time::from_ps(l.d_cc.ps() / 2);  // the BSM node sits half way
    l.d_q = fiber_delay(q.length_km / 2.0);
    // One photon per bin, no photon into a detector still dead from the last one, bins
    // the detectors can tell apart, no faster than either source fires, and heralding
    // windows of neighbouring bins that do not overlap. The memory frequency limits each
    // memory (Memory::next_excite), not the link.
    const double source_hz = std::min(sa.frequency_hz, sb.frequency_hz);
    l.bin = std::max({det.dead_time(), sim::Time::from_ps(static_cast<std::int64_t>(std::ceil(det.time_resolution_ps))),
                      std::isfinite(source_hz) ? sim::Time::from_seconds(1.0 / source_hz) : sim::Time::zero(),
                      sim::Time::from_ps(static_cast<std::int64_t>(std::ceil(2.0 * det.herald_window_ps)))});
    l.raw_fidelity = std::min(ma.raw_fidelity, mb.raw_fidelity);
    l.genuine_state = werner(l.raw_fidelity);
    const double visibility = pair_indistinguishability(sa, sb);
    if (visibility < 1.0) l.genuine_state = apply_pauli_channel(l.genuine_state, {0.0, 0.0, (1.0 - visibility) / 2.0});
    l.rng = sim.stream(kLinkStreamBase + i);
    l.detector_rng = sim.stream(kDetectorStreamBase + i);
    if (det.free_running && det.dark_count_rate_hz > 0)
      for (double& next : l.next_dark_ps) next = l.detector_rng.exponential(1e12 / det.dark_count_rate_hz);
    links_.push_back(l);
  }
  results_.links.resize(graph.link_count());
  if (params_.utilisation_sample_s > 0) {
    results_.memories_busy_samples.assign(routers_.size(), sim::TimeSeries("memories"));
    sim_.schedule(sim::Time::zero(), [this] { sample_utilisation(); });
  }
}

void EntanglementNetwork::sample_utilisation() {
  for (std::size_t r = 0; r < routers_.size(); ++r)
    results_.memories_busy_samples[r].add(sim_.now(), results_.memories_busy[r].current());
  sim_.schedule(sim::Time::from_seconds(params_.utilisation_sample_s), [this] { sample_utilisation(); });
}

EntanglementNetwork::~EntanglementNetwork() = default;

const char* timing_name(ProtocolTiming timing) { return sim::name_of(timing).data(); }

double EntanglementNetwork::best_reachable_fidelity(const Session& s) const {
  // The freshest end-to-end pair: every link's genuine state, swapped along the path.
  const SwapParams& sp = topology_.swap;
  BellVector state = links_[s.links.front()].genuine_state;
  double f_empirical = state[kBellI];
  for (std::size_t i = 1; i < s.links.size(); ++i) {
    const BellVector& next = links_[s.links[i]].genuine_state;
    state = swap_bell(state, next, sp.gate_fidelity);
    f_empirical *= next[kBellI] * sp.degradation;
  }
  if (sp.empirical) state = werner(f_empirical);
  double best = state[kBellI];
  if (!purify_enabled_) return best;
  // Symmetric recurrence: each round purifies two pairs of the previous one.
  const PurifyParams& pp = params_.purify;
  for (int round = 0; round < 200; ++round) {
    const BellVector in = pp.twirl ? werner(state[kBellI]) : state;
    const PurifyResult r = pp.protocol == PurifyProtocol::Dejmps
                               ? purify_dejmps(in, in, pp.gate_fidelity, pp.measurement_fidelity)
                               : purify_bell(in, in, pp.gate_fidelity, pp.measurement_fidelity);
    if (!(r.success_probability > 0)) break;
    const double gain = r.state[kBellI] - state[kBellI];
    state = r.state;
    best = std::max(best, state[kBellI]);
    if (std::abs(gain) < 1e-12) break;
  }
  return best;
}

int EntanglementNetwork::submit(const RequestSpec& request) {
  const int n = static_cast<int>(topology_.routers());
  if (request.src < 0 || request.src >= n || request.dst < 0 || request.dst >= n || request.src == request.dst)
    throw std::invalid_argument("request: src and dst must be two different routers");
  if (request.memories < 1) throw std::invalid_argument("request: memories must be at least 1");
  if (!(request.target_fidelity > 0.25 && request.target_fidelity <= 1.0))
    throw std::invalid_argument("request: target_fidelity must be in (0.25, 1]");
  if (request.end <= request.start) throw std::invalid_argument("request: the window must end after it starts");
  Session s;
  s.request = request;
  const auto& graph = topology_.graph;
  for (const auto v : graph.shortest_path(request.src, request.dst)) s.path.push_back(static_cast<int>(v));
  if (s.path.empty())
    throw std::invalid_argument("request: no quantum path from " + graph.node(request.src).name + " to " +
                                graph.node(request.dst).name);
  const int len = static_cast<int>(s.path.size());
  s.prefix_delay.assign(len, sim::Time::zero());
  for (int i = 0; i + 1 < len; ++i) {
    s.links.push_back(static_cast<int>(*graph.link_between(s.path[i], s.path[i + 1])));
    s.prefix_delay[i + 1] = s.prefix_delay[i] + links_[s.links.back()].d_cc;
  }
  s.left_partner.assign(len, -1);
  s.right_partner.assign(len, -1);
  nested_partners(0, len - 1, s.left_partner, s.right_partner);
  s.left.resize(len);
  s.right.resize(len);
  s.best_fidelity = best_reachable_fidelity(s);
  if (s.best_fidelity < request.target_fidelity) {
    // Random traffic would repeat this for every request: once is enough.
    const bool from_traffic = submitting_traffic_;
    if (!from_traffic || !warned_unreachable_traffic_) {
      sim::logger().warn(
          "quantum request {} -> {}: target fidelity {} is out of reach (purification from the "
          "freshest end-to-end pair converges to {:.4f}); it will deliver nothing",
          graph.node(request.src).name, graph.node(request.dst).name, request.target_fidelity, s.best_fidelity);
      warned_unreachable_traffic_ = warned_unreachable_traffic_ || from_traffic;
    }
  }
  const auto id = static_cast<std::uint32_t>(sessions_.size());
  sessions_.push_back(std::move(s));
  sim_.schedule(sim::Time::zero(), [this, key = pack(id, 0)] { reserve_hop(index_of(key), 0); });
  return static_cast<int>(id);
}

void EntanglementNetwork::reserve_hop(std::uint32_t id, int hop) {
  Session& s = sessions_[id];
  const RequestSpec& req = s.request;
  RouterState& router = routers_[s.path[hop]];
  const int need = (hop == 0 || hop == s.last()) ? req.memories : 2 * req.memories;
  std::erase_if(router.bookings, [&](const RouterState::Booking& b) { return b.end <= sim_.now(); });
  int booked = 0;
  for (const auto& b : router.bookings)
    if (b.start < req.end && req.start < b.end) booked += b.count;
  if (booked + need > static_cast<int>(router.memories)) {
    for (int i = 0; i < hop; ++i)
      std::erase_if(routers_[s.path[i]].bookings, [id](const RouterState::Booking& b) { return b.session == id; });
    s.state = SessionState::Rejected;
    ++results_.requests_rejected;
    return;
  }
  router.bookings.push_back({req.start, req.end, need, id});
  if (hop < s.last()) {
    sim_.schedule(s.delay(hop, hop + 1), [this, id, hop] { reserve_hop(id, hop + 1); });
    return;
  }
  // The approval travels back to the source; a router loads its rules once it has passed
  // and the window has opened. Eager: every hop starts with the source. Reference: each
  // hop once its upstream router has its rules (activate), the destination's first.
  s.state = SessionState::Approved;
  s.approved = sim_.now();
  ++results_.requests_accepted;
  const sim::Time open = std::max(
      req.start, params_.timing == ProtocolTiming::Reference ? sim_.now() : sim_.now() + s.prefix_delay.back());
  if (open >= req.end) {
    end_session(id);
    return;
  }
  sim_.schedule_at(open, [this, id] { activate(id); });
  sim_.schedule_at(req.end, [this, id] { end_session(id); });
}

void EntanglementNetwork::activate(std::uint32_t id) {
  Session& s = sessions_[id];
  if (s.state != SessionState::Approved) return;
  const int k = s.request.memories;
  auto take = [&](int pos, std::vector<std::uint32_t>& out) {
    RouterState& router = routers_[s.path[pos]];
    for (int j = 0; j < k; ++j) {
      if (router.free.empty()) throw std::logic_error("reservation admitted more memories than are free");
      const std::uint32_t m = router.free.back();
      router.free.pop_back();
      memories_[m].session = id;
      memories_[m].pos = static_cast<std::uint16_t>(pos);
      memories_[m].raw_since = sim_.now();
      out.push_back(m);
    }
  };
  for (int pos = 0; pos <= s.last(); ++pos) {
    if (pos > 0) take(pos, s.left[pos]);
    if (pos < s.last()) take(pos, s.right[pos]);
  }
  s.state = SessionState::Active;
  for (int hop = 0; hop < s.last(); ++hop) {
    for (int j = 0; j < k; ++j) {
      const std::uint32_t slot_id = slots_.acquire();
      Slot& slot = slots_[slot_id];
      slot.session = id;
      slot.link = static_cast<std::uint32_t>(s.links[hop]);
      slot.mem_a = s.right[hop][j];
      slot.mem_b = s.left[hop + 1][j];
      memories_[slot.mem_a].slot = slot_id;
      memories_[slot.mem_b].slot = slot_id;
      s.slots.push_back(slot_id);
    }
  }
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    const std::uint32_t slot_id = s.slots[i];
    const int hop = static_cast<int>(i) / k;
    const sim::Time rules_at = s.approved + s.delay(hop, s.last());
    if (params_.timing == ProtocolTiming::Reference && rules_at > sim_.now()) {
      sim_.schedule_at(rules_at, [this, key = pack(slot_id, slots_.generation(slot_id))] {
        if (slots_.generation(index_of(key)) == epoch_of(key)) start_slot(index_of(key));
      });
    } else {
      start_slot(slot_id);
    }
  }
}

void EntanglementNetwork::end_session(std::uint32_t id) {
  Session& s = sessions_[id];
  if (s.state == SessionState::Approved) {
    s.state = SessionState::Ended;
  }
  if (s.state != SessionState::Active) {
    for (const int r : s.path)
      std::erase_if(routers_[r].bookings, [id](const RouterState::Booking& b) { return b.session == id; });
    return;
  }
  s.state = SessionState::Ended;
  s.closed = sim_.now();
  for (const std::uint32_t slot_id : s.slots) slots_.release(slot_id);
  s.slots.clear();
  for (int pos = 0; pos <= s.last(); ++pos) {
    for (auto* side : {&s.left[pos], &s.right[pos]}) {
      for (const std::uint32_t m : *side) {
        Memory& mem = memories_[m];
        if (mem.pair != kNone && pairs_.live(mem.pair)) {
          if (!pairs_[mem.pair].doomed) formalism_->release(pairs_[mem.pair].state);
          free_pair(mem.pair);
        }
      }
    }
  }
  for (int pos = 0; pos <= s.last(); ++pos) {
    for (auto* side : {&s.left[pos], &s.right[pos]}) {
      for (const std::uint32_t m : *side) {
        Memory& mem = memories_[m];
        mem.pair = kNone;
        mem.slot = kNone;
        mem.session = kNone;
        set_state(m, MemState::Raw);
        routers_[mem.router].free.push_back(m);
      }
      side->clear();
    }
    std::erase_if(routers_[s.path[pos]].bookings, [id](const RouterState::Booking& b) { return b.session == id; });
  }
}

void EntanglementNetwork::start_random_traffic(const RandomTraffic& traffic, sim::Time until) {
  if (topology_.routers() < 2) throw std::invalid_argument("random traffic needs at least two routers");
  if (!(traffic.requests_per_s > 0)) throw std::invalid_argument("random traffic: requests_per_s must be positive");
  traffic_ = traffic;
  traffic_until_ = until;
  sim_.schedule(sim::Time::from_seconds(traffic_rng_.exponential(1.0 / traffic.requests_per_s)),
                [this] { next_random_request(); });
}

void EntanglementNetwork::next_random_request() {
  if (sim_.now() >= traffic_until_) return;
  const auto n = topology_.routers();
  RequestSpec r;
  r.src = static_cast<int>(traffic_rng_.below(n));
  r.dst = static_cast<int>(traffic_rng_.below(n - 1));
  if (r.dst >= r.src) ++r.dst;
  r.start = sim_.now();
  r.end = sim_.now() + sim::Time::from_seconds(traffic_.window_s);
  r.memories = traffic_.memories;
  r.target_fidelity = traffic_.target_fidelity;
  r.pairs = traffic_.pairs;
  submitting_traffic_ = true;
  submit(r);
  submitting_traffic_ = false;
  sim_.schedule(sim::Time::from_seconds(traffic_rng_.exponential(1.0 / traffic_.requests_per_s)),
                [this] { next_random_request(); });
}

const NetworkResults& EntanglementNetwork::results() {
  results_.requests.clear();
  for (const auto& s : sessions_) {
    RequestResult r;
    r.src = s.request.src;
    r.dst = s.request.dst;
    r.hops = s.last();
    r.accepted = s.state != SessionState::Rejected && s.state != SessionState::Reserving;
    r.delivered = s.delivered;
    r.mean_fidelity = s.fidelity.count() ? s.fidelity.mean() : 0.0;
    r.mean_belief_fidelity = s.belief.count() ? s.belief.mean() : 0.0;
    const sim::Time until = std::min({s.request.end, s.closed, sim_.now()});
    r.window_s = until > s.request.start ? (until - s.request.start).to_seconds() : 0.0;
    r.pairs_per_s = r.window_s > 0 ? static_cast<double>(s.delivered) / r.window_s : 0.0;
    r.best_fidelity = s.best_fidelity;
    r.target_reachable = s.best_fidelity >= s.request.target_fidelity;
    results_.requests.push_back(r);
  }
  return results_;
}

}  // namespace models::quantum
