#include "models/network/flow_network.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace models::network {

namespace {
constexpr double kPsPerS = 1e12;
// Links whose fair level is within this relative distance of the minimum saturate in
// the same round, so that identical flows get bit-identical rates.
constexpr double kLevelTolerance = 1e-12;
constexpr sim::Priority kFlushPriority = 127;  // after every other event of a timestamp
}  // namespace

FlowNetwork::FlowNetwork(sim::Simulator& sim, topologies::Topology& topology, NetworkParams params)
    : sim_(&sim), topology_(&topology), router_(topology), params_(params) {
  if (params_.policy == PathPolicy::split && params_.subflows < 1) {
    throw std::invalid_argument("network: subflows must be at least 1");
  }
  const std::size_t n = topology.link_count();
  links_.resize(n);
  link_stats_.resize(n);
  last_route_.resize(topology.node_count());
  planned_load_.assign(n, 0);
  for (LinkId l : params_.series_links) {
    if (l >= n) throw std::invalid_argument("network: series link " + std::to_string(l) + " does not exist");
    if (links_[l].series >= 0) continue;
    links_[l].series = static_cast<std::int32_t>(series_.size());
    series_.emplace_back("");
    series_.back().add(sim::Time::zero(), 0.0);
  }
  residual_.resize(n);
  weight_sum_.resize(n);
  unfrozen_.resize(n);
  for (LinkId l = 0; l < n; ++l) links_[l].capacity = topology.capacity_bytes_per_s(l);
}

std::uint32_t FlowNetwork::new_transfer(std::uint64_t tag, std::uint32_t flows) {
  const std::uint32_t id = transfers_.acquire();
  transfers_[id] = Transfer{tag, flows, false};
  return id;
}

std::uint32_t FlowNetwork::new_flow(NodeId src, NodeId dst, double bytes, std::uint32_t transfer,
                                    std::uint64_t hash) {
  const std::uint32_t id = flows_.acquire();
  Flow& f = flows_[id];
  f.bytes = bytes;
  f.remaining = bytes;
  f.delivered = 0.0;
  f.rate = 0.0;
  f.updated_ps = now_ps();
  f.finish_ps = -1;
  f.transfer = transfer;
  f.src = src;
  f.dst = dst;
  f.hash = hash;
  f.state = FlowState::latent;
  f.explicit_path = false;
  f.hops.clear();
  f.record = UINT32_MAX;
  ++flows_started_;
  if (params_.record_flows) {
    f.record = static_cast<std::uint32_t>(records_.size());
    records_.push_back(FlowRecord{transfers_[transfer].tag, src, dst, bytes, 0.0, now_ps(), -1, 0, 0});
  }
  return id;
}

bool FlowNetwork::route(Flow& f) {
  f.hops.clear();
  f.path_epoch = topology_->routing_epoch();
  if (params_.policy == PathPolicy::spray) {
    if (!router_.spray_weights(f.src, f.dst, spray_scratch_)) return false;
    for (const auto& w : spray_scratch_) f.hops.push_back(Hop{w.link, 0, w.weight});
    return true;
  }
  if (params_.policy == PathPolicy::planned) return plan(f);
  if (!router_.ecmp_path(f.src, f.dst, f.hash, path_scratch_)) return false;
  for (LinkId l : path_scratch_) f.hops.push_back(Hop{l, 0, 1.0});
  return true;
}

bool FlowNetwork::plan(Flow& f) {
  // Connections without a caller-given path are planned greedily as they first appear
  // (C4-style): the equal-cost path whose busiest link carries the fewest planned
  // connections, then the lowest total; ties go to the first path found.
  const auto candidates = router_.equal_cost_paths(f.src, f.dst, 4096);
  if (candidates.empty()) return false;
  std::size_t best = 0;
  std::uint32_t best_max = UINT32_MAX;
  std::uint64_t best_sum = UINT64_MAX;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    std::uint32_t worst = 0;
    std::uint64_t sum = 0;
    for (LinkId l : candidates[i]) {
      worst = std::max(worst, planned_load_[l]);
      sum += planned_load_[l];
    }
    if (worst < best_max || (worst == best_max && sum < best_sum)) {
      best = i;
      best_max = worst;
      best_sum = sum;
    }
  }
  for (LinkId l : candidates[best]) {
    ++planned_load_[l];
    f.hops.push_back(Hop{l, 0, 1.0});
  }
  return true;
}

std::int64_t FlowNetwork::path_latency_ps(const Flow& f) const {
  // Sprayed hops are weighted, and each layer's weights sum to one: the mean path latency.
  double total = 0.0;
  for (const Hop& h : f.hops) total += h.weight * static_cast<double>(topology_->link(h.link).latency_ps);
  return static_cast<std::int64_t>(std::llround(total));
}

void FlowNetwork::start_transfer(NodeId src, NodeId dst, double bytes, std::uint64_t tag) {
  if (!(bytes >= 0.0)) throw std::invalid_argument("transfer bytes must not be negative");
  const std::uint32_t k = params_.policy == PathPolicy::split ? params_.subflows : 1;
  const std::uint32_t t = new_transfer(tag, k);
  for (std::uint32_t i = 0; i < k; ++i) {
    // The hash identifies a connection (seed, src, dst, subflow): a connection keeps its
    // path for all the messages it carries, as a 5-tuple hash would.
    const std::uint64_t hash =
        sim::mix64(params_.seed ^ sim::mix64((static_cast<std::uint64_t>(src) << 32 | dst) * 0x9e3779b97f4a7c15ULL + i));
    const std::uint32_t id = new_flow(src, dst, bytes / k, t, hash);
    Flow& f = flows_[id];
    f.share = 1.0 / k;
    const CachedRoute& route = cached_route(f, i);
    f.path_epoch = topology_->routing_epoch();
    if (!route.reachable) {
      // Reported from the activation event, never from inside this call.
      f.path_epoch = UINT64_MAX;
      launch(id, 0);
      continue;
    }
    f.hops.assign(route.hops.begin(), route.hops.end());
    launch(id, route.latency_ps);
  }
}

const FlowNetwork::CachedRoute& FlowNetwork::cached_route(Flow& f, std::uint32_t subflow) {
  constexpr std::size_t kMaxCachedHops = std::size_t{1} << 23;  // bounds the cache near 200 MB
  if (route_cache_epoch_ != topology_->routing_epoch() || route_cache_hops_ > kMaxCachedHops) {
    route_cache_.clear();
    std::fill(planned_load_.begin(), planned_load_.end(), 0u);
    route_cache_hops_ = 0;
    route_cache_epoch_ = topology_->routing_epoch();
    ++route_cache_generation_;
  }
  LastRoute& last = last_route_[f.src];
  if (last.generation == route_cache_generation_ && last.dst == f.dst && last.subflow == subflow) return *last.route;
  auto [it, inserted] = route_cache_.try_emplace(ConnectionKey{static_cast<std::uint64_t>(f.src) << 32 | f.dst, subflow});
  if (inserted) {
    CachedRoute& c = it->second;
    c.reachable = route(f);
    c.hops = f.hops;
    c.latency_ps = path_latency_ps(f);
    route_cache_hops_ += c.hops.size() + 4;
  }
  last = LastRoute{f.dst, subflow, route_cache_generation_, &it->second};
  return it->second;
}

void FlowNetwork::start_transfer_on(NodeId src, NodeId dst, double bytes, std::uint64_t tag,
                                    const std::vector<LinkId>& path) {
  if (!(bytes >= 0.0)) throw std::invalid_argument("transfer bytes must not be negative");
  NodeId at = src;
  for (LinkId l : path) {
    if (l >= topology_->link_count() || topology_->link_from(l) != at) {
      throw std::invalid_argument("planned path is not a chain of links from source to destination");
    }
    at = topology_->link_to(l);
  }
  if (at != dst) throw std::invalid_argument("planned path does not end at the destination");
  const std::uint32_t t = new_transfer(tag, 1);
  const std::uint32_t id = new_flow(src, dst, bytes, t, 0);
  Flow& f = flows_[id];
  f.share = 1.0;
  f.explicit_path = true;
  f.path_epoch = topology_->routing_epoch();
  for (LinkId l : path) f.hops.push_back(Hop{l, 0, 1.0});
  launch(id, path_latency_ps(f));
}

void FlowNetwork::launch(std::uint32_t id, std::int64_t latency_ps) {
  // Always through an event, even with zero latency, so that a listener never sees a
  // completion from inside its own start_transfer() call.
  enqueue(id, now_ps() + latency_ps, true);
}

void FlowNetwork::enqueue(std::uint32_t flow, std::int64_t time_ps, bool activation) {
  const std::int64_t key = time_ps * 2 + (activation ? 1 : 0);
  if (key == last_bucket_key_) {
    buckets_[last_bucket_].entries.push_back(Entry{flow, flows_.generation(flow)});
    return;
  }
  auto [it, inserted] = bucket_index_.try_emplace(key, 0);
  if (inserted) {
    const std::uint32_t b = buckets_.acquire();
    buckets_[b].time_ps = time_ps;
    buckets_[b].activation = activation;
    buckets_[b].entries.clear();
    it->second = b;
    buckets_[b].order = sim_->schedule_at(sim::Time::from_ps(time_ps), [this, b] { run_bucket(b); }).order;
  }
  buckets_[it->second].entries.push_back(Entry{flow, flows_.generation(flow)});
  last_bucket_key_ = key;
  last_bucket_ = it->second;
}

void FlowNetwork::run_bucket(std::uint32_t b) {
  const std::int64_t t = buckets_[b].time_ps;
  const bool activation = buckets_[b].activation;
  bucket_index_.erase(t * 2 + (activation ? 1 : 0));
  if (last_bucket_key_ == t * 2 + (activation ? 1 : 0)) last_bucket_key_ = -1;
  // Entries may be appended while this runs (zero-latency follow-ups), so index.
  for (std::size_t i = 0; i < buckets_[b].entries.size(); ++i) {
    const Entry e = buckets_[b].entries[i];
    if (flows_.generation(e.flow) != e.gen) continue;
    Flow& f = flows_[e.flow];
    if (activation) {
      if (f.state == FlowState::latent) activate(e.flow);
    } else if (f.state == FlowState::active && f.finish_ps == t) {
      finish_flow(e.flow, true);
    }
  }
  buckets_[b].entries.clear();
  buckets_.release(b);
}

void FlowNetwork::activate(std::uint32_t id) {
  Flow& f = flows_[id];
  if (f.path_epoch != topology_->routing_epoch()) {
    bool usable = true;
    for (const Hop& h : f.hops) usable = usable && topology_->link_up(h.link);
    if (!usable || !f.explicit_path) {
      if (f.explicit_path || !route(f)) {
        finish_flow(id, false);
        return;
      }
    }
  }
  f.active_ps = now_ps();
  f.updated_ps = now_ps();
  if (f.bytes <= 0.0 || f.hops.empty()) {
    f.state = FlowState::active;
    ++active_count_;
    finish_flow(id, true);
    return;
  }
  f.state = FlowState::active;
  ++active_count_;
  attach(id);
}

void FlowNetwork::attach(std::uint32_t id) {
  Flow& f = flows_[id];
  bool alone = true;
  for (std::uint32_t h = 0; h < f.hops.size(); ++h) {
    const LinkId l = f.hops[h].link;
    Link& link = links_[l];
    f.hops[h].slot = static_cast<std::uint32_t>(link.flows.size());
    link.flows.push_back(Member{id, h});
    LinkStats& s = link.stats;
    s.max_flows = std::max<std::uint32_t>(s.max_flows, static_cast<std::uint32_t>(link.flows.size()));
    link.weight += f.hops[h].weight * f.share;
    s.max_load = std::max(s.max_load, link.weight);
    alone = alone && link.flows.size() == 1;
  }
  if (alone) {
    // Its own component: the rate is its tightest link, no search or solve needed. A
    // flow joining one of these links later in this timestamp marks it dirty, and the
    // flush then re-solves both together.
    double rate = std::numeric_limits<double>::infinity();
    for (const Hop& h : f.hops) rate = std::min(rate, links_[h.link].capacity / h.weight);
    if (std::isfinite(rate)) set_rate(id, rate);
    return;
  }
  for (const Hop& h : f.hops) mark_dirty(h.link);
}

void FlowNetwork::detach(std::uint32_t id) {
  Flow& f = flows_[id];
  for (const Hop& h : f.hops) {
    Link& link = links_[h.link];
    const Member last = link.flows.back();
    link.flows[h.slot] = last;
    flows_[last.flow].hops[last.hop].slot = h.slot;
    link.flows.pop_back();
    link.weight = link.flows.empty() ? 0.0 : link.weight - h.weight * f.share;
    if (f.rate != 0.0) set_link_load(h.link, link.flows.empty() ? 0.0 : link.load - h.weight * f.rate);
    // A link left empty has no rates to re-share.
    if (!link.flows.empty()) mark_dirty(h.link);
  }
}

void FlowNetwork::advance(Flow& f, std::int64_t now) {
  const double moved = f.rate * static_cast<double>(now - f.updated_ps) / kPsPerS;
  f.remaining -= moved;
  f.delivered += moved;
  f.updated_ps = now;
}

void FlowNetwork::finish_flow(std::uint32_t id, bool delivered) {
  Flow& f = flows_[id];
  const std::int64_t now = now_ps();
  if (f.state == FlowState::active) {
    advance(f, now);
    if (delivered && !f.hops.empty() && now > f.active_ps) {
      const double gbps = f.bytes * 8.0 / (static_cast<double>(now - f.active_ps) / kPsPerS) / 1e9;
      for (const Hop& h : f.hops) {
        LinkStats& s = links_[h.link].stats;
        s.best_flow_gbps = std::max(s.best_flow_gbps, gbps);
        ++s.flows_completed;
      }
    }
    if (!f.hops.empty() && f.bytes > 0.0) detach(id);
    --active_count_;
  }
  if (f.record != UINT32_MAX) {
    FlowRecord& r = records_[f.record];
    r.delivered_bytes = f.delivered;
    r.end_ps = delivered ? now : -1;
    r.path_offset = static_cast<std::uint32_t>(record_paths_.size());
    r.path_length = static_cast<std::uint32_t>(f.hops.size());
    for (const Hop& h : f.hops) record_paths_.push_back(h.link);
  }
  f.state = FlowState::free;
  f.rate = 0.0;
  flows_.release(id);
  if (delivered) ++flows_completed_;

  Transfer& t = transfers_[f.transfer];
  if (!delivered && !t.failed) {
    t.failed = true;
    failed_tags_.push_back(t.tag);
  }
  if (--t.open == 0) {
    const std::uint64_t tag = t.tag;
    const bool ok = !t.failed;
    transfers_.release(f.transfer);
    if (listener_) listener_(tag, ok);
  }
}

void FlowNetwork::mark_dirty(LinkId l) {
  if (!links_[l].dirty) {
    links_[l].dirty = true;
    dirty_.push_back(l);
  }
  request_flush();
}

void FlowNetwork::request_flush() {
  if (flush_pending_) return;
  flush_pending_ = true;
  sim_->schedule(sim::Time::zero(), [this] { flush(); }, kFlushPriority);
}

void FlowNetwork::flush() {
  flush_pending_ = false;
  // One component at a time: the flows reachable through shared links from a dirty
  // link. Dirty links inside a solved component are cleared on the way.
  for (std::size_t d = 0; d < dirty_.size(); ++d) {
    const LinkId seed = dirty_[d];
    if (!links_[seed].dirty) continue;
    ++epoch_;
    comp_flows_.clear();
    comp_links_.clear();
    links_[seed].mark = epoch_;
    comp_links_.push_back(seed);
    for (std::size_t i = 0; i < comp_links_.size(); ++i) {
      links_[comp_links_[i]].dirty = false;
      for (const Member& m : links_[comp_links_[i]].flows) {
        Flow& f = flows_[m.flow];
        if (f.mark == epoch_) continue;
        f.mark = epoch_;
        comp_flows_.push_back(m.flow);
        for (const Hop& h : f.hops) {
          if (links_[h.link].mark != epoch_) {
            links_[h.link].mark = epoch_;
            comp_links_.push_back(h.link);
          }
        }
      }
    }
    if (!comp_flows_.empty()) solve(comp_flows_, comp_links_);
  }
  dirty_.clear();
}

void FlowNetwork::solve(const std::vector<std::uint32_t>& comp, const std::vector<LinkId>& links) {
  // Progressive filling: every unfrozen flow's rate rises together; the link with the
  // lowest fair level (residual capacity / weight of its unfrozen flows) saturates
  // first and freezes its flows at that level. A heap of link levels keeps each round
  // O(log links); levels only grow, so popped levels are non-decreasing.
  ++solves_;
  if (comp.size() == 1) {
    // A flow alone on its links: its rate is its tightest link's capacity over weight.
    double rate = std::numeric_limits<double>::infinity();
    for (const Hop& h : flows_[comp[0]].hops) rate = std::min(rate, links_[h.link].capacity / h.weight);
    if (std::isfinite(rate)) set_rate(comp[0], rate);
    return;
  }
  for (LinkId l : links) {
    residual_[l] = links_[l].capacity;
    weight_sum_[l] = 0.0;
    unfrozen_[l] = 0;
  }
  for (std::uint32_t id : comp) {
    for (const Hop& h : flows_[id].hops) {
      weight_sum_[h.link] += h.weight;
      ++unfrozen_[h.link];
    }
  }
  new_rate_.assign(comp.size(), -1.0);
  if (position_.size() < flows_.size()) position_.resize(flows_.size());
  for (std::uint32_t i = 0; i < comp.size(); ++i) position_[comp[i]] = i;

  auto level_of = [this](LinkId l) { return std::max(0.0, residual_[l]) / weight_sum_[l]; };
  heap_.clear();
  for (LinkId l : links) {
    if (unfrozen_[l] > 0) heap_.push_back({level_of(l), l});
  }
  auto later = [](const LevelEntry& a, const LevelEntry& b) {
    return a.level > b.level || (a.level == b.level && a.link > b.link);
  };
  std::make_heap(heap_.begin(), heap_.end(), later);
  double round_level = -1.0;
  std::size_t remaining = comp.size();
  while (remaining > 0 && !heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const LevelEntry top = heap_.back();
    heap_.pop_back();
    const LinkId l = top.link;
    if (unfrozen_[l] == 0 || top.level != level_of(l)) continue;  // stale entry
    // Links within a relative 1e-12 of the round's level saturate together, so that
    // identical flows get bit-identical rates despite rounding.
    if (round_level < 0.0 || top.level > round_level * (1.0 + kLevelTolerance)) round_level = top.level;
    const double level = round_level;
    for (const Member& m : links_[l].flows) {
      const std::uint32_t pos = position_[m.flow];
      if (new_rate_[pos] >= 0.0) continue;
      new_rate_[pos] = level;
      --remaining;
      for (const Hop& h : flows_[m.flow].hops) {
        residual_[h.link] -= h.weight * level;
        weight_sum_[h.link] -= h.weight;
        if (--unfrozen_[h.link] > 0 && h.link != l) {
          heap_.push_back({level_of(h.link), h.link});
          std::push_heap(heap_.begin(), heap_.end(), later);
        }
      }
    }
  }
  for (std::uint32_t i = 0; i < comp.size(); ++i) {
    if (new_rate_[i] >= 0.0) set_rate(comp[i], new_rate_[i]);
  }
}

void FlowNetwork::set_link_load(LinkId l, double load) {
  Link& link = links_[l];
  const std::int64_t now = now_ps();
  link.carried_bytes_ps += link.load * static_cast<double>(now - link.load_since_ps);
  link.load_since_ps = now;
  link.load = load;
  if (link.series >= 0) {
    const double nominal = topology_->link(l).bandwidth_gbps * 1e9 / 8.0;
    series_[link.series].add(sim_->now(), load / nominal);
  }
}

void FlowNetwork::set_rate(std::uint32_t id, double rate) {
  Flow& f = flows_[id];
  if (rate == f.rate) return;
  const std::int64_t now = now_ps();
  advance(f, now);
  for (const Hop& h : f.hops) set_link_load(h.link, links_[h.link].load + h.weight * (rate - f.rate));
  f.rate = rate;
  if (rate <= 0.0) {
    f.finish_ps = -1;  // stalled until capacity returns
    return;
  }
  const double left_ps = std::max(0.0, f.remaining) / rate * kPsPerS;
  f.finish_ps = now + static_cast<std::int64_t>(std::ceil(left_ps));
  enqueue(id, f.finish_ps, false);
}

void FlowNetwork::reroute_link(LinkId l) {
  // Flows on a link that went down move to a surviving equal-cost path, keeping the
  // bytes already sent; with no path left they fail and are reported.
  std::vector<std::uint32_t> affected;
  for (const Member& m : links_[l].flows) affected.push_back(m.flow);
  for (std::uint32_t id : affected) {
    Flow& f = flows_[id];
    advance(f, now_ps());
    detach(id);
    f.rate = 0.0;
    f.finish_ps = -1;
    if (f.explicit_path || !route(f)) {
      f.hops.clear();
      finish_flow(id, false);
      continue;
    }
    attach(id);
  }
}

void FlowNetwork::schedule_fault(sim::Time at, std::function<void()> action) {
  const std::size_t i = faults_.size();
  faults_.push_back(PendingFault{at.ps(), {}, std::move(action), true});
  ++faults_pending_;
  arm_fault(i);
}

void FlowNetwork::arm_fault(std::size_t i) {
  faults_[i].handle = sim_->schedule_at(sim::Time::from_ps(faults_[i].at_ps), [this, i] {
    faults_[i].pending = false;
    --faults_pending_;
    const auto action = faults_[i].action;  // a copy: the action may schedule more faults
    action();
  });
}

void FlowNetwork::link_down_at(sim::Time at, LinkId link) {
  if (link >= links_.size()) throw std::invalid_argument("link_down: no link " + std::to_string(link));
  schedule_fault(at, [this, link] {
    topology_->set_link_down(link);
    links_[link].capacity = 0.0;
    reroute_link(link);
    mark_dirty(link);
  });
}

void FlowNetwork::link_up_at(sim::Time at, LinkId link) {
  if (link >= links_.size()) throw std::invalid_argument("link_up: no link " + std::to_string(link));
  schedule_fault(at, [this, link] {
    topology_->set_link_up(link);
    links_[link].capacity = topology_->capacity_bytes_per_s(link);
    mark_dirty(link);
  });
}

void FlowNetwork::link_degraded_at(sim::Time at, LinkId link, double fraction) {
  if (link >= links_.size()) throw std::invalid_argument("link_degraded: no link " + std::to_string(link));
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    throw std::invalid_argument("link_degraded: fraction must be in (0, 1]");
  }
  auto apply = [this, link, fraction] {
    topology_->set_link_degraded(link, fraction);
    links_[link].capacity = topology_->capacity_bytes_per_s(link);
    mark_dirty(link);
  };
  if (at == sim_->now()) {
    apply();
  } else {
    schedule_fault(at, apply);
  }
}

std::int64_t FlowNetwork::next_fault_ps() const {
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  for (const auto& f : faults_) {
    if (f.pending) next = std::min(next, f.at_ps);
  }
  return next;
}

bool FlowNetwork::checkpoint(Checkpoint& c) {
  if (!extrapolation_allowed() || flush_pending_ || !dirty_.empty()) return false;
  // Every pending event must be one whose effect is captured here: a bucket or a fault.
  if (sim_->events_pending() != bucket_index_.size() + faults_pending_) return false;
  const std::int64_t t = now_ps();
  c.time_ps = t;
  c.horizon_ps = t;
  c.state.clear();
  auto put = [&c](std::uint64_t w) { c.state.push_back(w); };
  auto put_d = [&c](double d) { c.state.push_back(std::bit_cast<std::uint64_t>(d)); };
  auto put_i = [&c](std::int64_t i) { c.state.push_back(static_cast<std::uint64_t>(i)); };
  put(topology_->routing_epoch());
  put(route_cache_.size());
  put(route_cache_generation_);
  put(active_count_);

  // Buckets in the order their events will run: time, then scheduling order.
  std::vector<std::int64_t> keys;
  keys.reserve(bucket_index_.size());
  for (const auto& kv : bucket_index_) keys.push_back(kv.first);
  std::sort(keys.begin(), keys.end(), [this](std::int64_t a, std::int64_t b) {
    const Bucket& x = buckets_[bucket_index_.at(a)];
    const Bucket& y = buckets_[bucket_index_.at(b)];
    return x.time_ps != y.time_ps ? x.time_ps < y.time_ps : x.order < y.order;
  });
  ++epoch_;  // stamps flows seen (as the component search does)
  transfer_canon_.assign(transfers_.size(), UINT32_MAX);
  std::uint32_t transfers_seen = 0;
  std::size_t flows_seen = 0;
  for (const std::int64_t key : keys) {
    const Bucket& b = buckets_[bucket_index_.at(key)];
    c.horizon_ps = std::max(c.horizon_ps, b.time_ps);
    put(0xB0C4E7ULL);
    put_i(b.time_ps - t);
    put(b.activation ? 1 : 0);
    // Entries that would be skipped when the bucket runs (stale generation, rate changed
    // since, or a repeat of a flow already handled) do not influence the run.
    for (const Entry& e : b.entries) {
      if (flows_.generation(e.flow) != e.gen) continue;
      Flow& f = flows_[e.flow];
      if (f.mark == epoch_) continue;
      const bool live = b.activation ? f.state == FlowState::latent
                                     : (f.state == FlowState::active && f.finish_ps == b.time_ps);
      if (!live) continue;
      f.mark = epoch_;
      ++flows_seen;
      std::uint32_t& canon = transfer_canon_[f.transfer];
      if (canon == UINT32_MAX) canon = transfers_seen++;
      const Transfer& tr = transfers_[f.transfer];
      put(canon);
      put(tr.tag);
      put(tr.open);
      put(tr.failed ? 1 : 0);
      put(static_cast<std::uint64_t>(f.state));
      put_d(f.bytes);
      put_d(f.remaining);
      put_d(f.rate);
      put_d(f.share);
      const bool active = f.state == FlowState::active;
      put_i(active ? f.updated_ps - t : 0);
      put_i(active ? f.active_ps - t : 0);
      put_i(active ? f.finish_ps - t : 0);
      put(static_cast<std::uint64_t>(f.src) << 32 | f.dst);
      put(f.hash);
      put(f.explicit_path ? 1 : 0);
      put(f.path_epoch == topology_->routing_epoch() ? 0 : f.path_epoch);
      put(f.hops.size());
      for (const Hop& h : f.hops) {
        put(static_cast<std::uint64_t>(h.link) << 32 | (active ? h.slot : 0));
        put_d(h.weight);
      }
    }
  }
  // A flow in use but in no bucket is stalled (rate 0): it waits for a fault's effect.
  if (flows_seen != flows_.live_count()) return false;

  const std::size_t n = links_.size();
  c.link_integral.resize(n);
  c.link_completed.resize(n);
  for (std::size_t l = 0; l < n; ++l) {
    const Link& link = links_[l];
    c.link_integral[l] = link.carried_bytes_ps + link.load * static_cast<double>(t - link.load_since_ps);
    c.link_completed[l] = link.stats.flows_completed;
  }
  c.flows_started = flows_started_;
  c.flows_completed = flows_completed_;
  c.solves = solves_;
  c.events = sim_->events_executed();
  return true;
}

void FlowNetwork::extrapolate(const Checkpoint& a, const Checkpoint& b, std::uint64_t periods) {
  const std::int64_t period_ps = b.time_ps - a.time_ps;
  if (period_ps <= 0 || periods == 0 || b.time_ps != now_ps()) {
    throw std::logic_error("network: extrapolation needs two checkpoints in time order, the later one now");
  }
  const std::int64_t shift = period_ps * static_cast<std::int64_t>(periods);
  const double n = static_cast<double>(periods);
  const std::int64_t t_after = b.time_ps + shift;
  for (std::size_t l = 0; l < links_.size(); ++l) {
    Link& link = links_[l];
    link.carried_bytes_ps = b.link_integral[l] + n * (b.link_integral[l] - a.link_integral[l]);
    link.load_since_ps = t_after;
    link.stats.flows_completed += periods * (b.link_completed[l] - a.link_completed[l]);
  }
  flows_.for_each_live([shift](std::uint32_t, Flow& f) {
    f.updated_ps += shift;
    f.active_ps += shift;
    if (f.finish_ps >= 0) f.finish_ps += shift;
  });
  std::unordered_map<std::int64_t, std::uint32_t> moved;
  moved.reserve(bucket_index_.size());
  for (const auto& [key, bucket] : bucket_index_) {
    buckets_[bucket].time_ps += shift;
    moved.emplace(key + 2 * shift, bucket);
  }
  bucket_index_ = std::move(moved);
  last_bucket_key_ = -1;
  flows_started_ += periods * (b.flows_started - a.flows_started);
  flows_completed_ += periods * (b.flows_completed - a.flows_completed);
  solves_ += periods * (b.solves - a.solves);
  flows_extrapolated_ += periods * (b.flows_started - a.flows_started);
  // Faults keep their absolute times: take them out, move the clock, put them back.
  std::vector<std::size_t> held;
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    if (faults_[i].pending) {
      sim_->cancel(faults_[i].handle);
      held.push_back(i);
    }
  }
  sim_->jump_ahead(sim::Time::from_ps(shift), periods * (b.events - a.events));
  for (std::size_t i : held) {
    if (faults_[i].at_ps < now_ps()) throw std::logic_error("network: extrapolated past a pending fault");
    arm_fault(i);
  }
}

void FlowNetwork::settle() {
  for (LinkId l = 0; l < links_.size(); ++l) set_link_load(l, links_[l].load);
  for (LinkId l = 0; l < links_.size(); ++l) {
    link_stats_[l] = links_[l].stats;
    link_stats_[l].carried_bytes = links_[l].carried_bytes_ps / kPsPerS;
  }
}

std::uint32_t FlowNetwork::max_link_flows() const {
  std::uint32_t m = 0;
  for (const auto& l : links_) m = std::max(m, l.stats.max_flows);
  return m;
}

double FlowNetwork::max_link_load() const {
  double m = 0.0;
  for (const auto& l : links_) m = std::max(m, l.stats.max_load);
  return m;
}

}  // namespace models::network
