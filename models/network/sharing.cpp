// Rate sharing: flows join and leave their route's group; bundles touched by a change
// are marked dirty, and once per timestamp each component (routes linked through shared
// bundles) reached from a dirty bundle is solved max-min fairly (sim/maxmin.hpp).
#include "models/network/flow_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace models::network {

void FlowNetwork::attach(std::uint32_t id) {
  Flow& f = flows_[id];
  const std::uint32_t rid = f.route;
  Route& r = routes_[rid];
  if (r.flows.empty()) {
    if (r.bundle_generation != bundles_.generation()) refresh_bundles(r);
    for (std::uint32_t h = 0; h < r.bundles.size(); ++h) {
      if (bundle_state_[r.bundles[h].bundle].capacity_stale) refresh_capacity(r.bundles[h].bundle);
      auto& members = bundle_state_[r.bundles[h].bundle].members;
      r.bundles[h].slot = static_cast<std::uint32_t>(members.size());
      members.push_back(Member{rid, h});
    }
  }
  f.slot = static_cast<std::uint32_t>(r.flows.size());
  r.flows.push_back(id);
  f.attached = true;
  bool alone = true;
  for (const BundleHop& h : r.bundles) {
    Bundle& b = bundle_state_[h.bundle];
    ++b.flows;
    b.weight += h.weight * f.share;
    b.stats.max_flows = std::max(b.stats.max_flows, b.flows);
    b.stats.max_load = std::max(b.stats.max_load, b.weight);
    alone = alone && b.flows == 1;
  }
  if (alone) {
    // Its own component: the rate is its tightest bundle's, no search or solve needed. A
    // flow joining one of these bundles later in this timestamp marks it dirty, and the
    // flush then re-solves both together.
    const double rate = lone_rate(r, false);
    if (std::isfinite(rate)) set_route_rate(rid, rate);
    return;
  }
  for (const BundleHop& h : r.bundles) mark_dirty(h.bundle, 0.0);
}

void FlowNetwork::detach(std::uint32_t id) {
  Flow& f = flows_[id];
  const std::uint32_t rid = f.route;
  Route& r = routes_[rid];
  const std::uint32_t moved = r.flows.back();
  r.flows[f.slot] = moved;
  flows_[moved].slot = f.slot;
  r.flows.pop_back();
  f.attached = false;
  for (const BundleHop& h : r.bundles) {
    Bundle& b = bundle_state_[h.bundle];
    --b.flows;
    b.weight = b.flows == 0 ? 0.0 : b.weight - h.weight * f.share;
    if (f.rate != 0.0) set_bundle_load(h.bundle, b.flows == 0 ? 0.0 : b.load - h.weight * f.rate);
  }
  if (r.flows.empty()) {
    for (const BundleHop& h : r.bundles) {
      auto& members = bundle_state_[h.bundle].members;
      const Member last = members.back();
      members[h.slot] = last;
      routes_[last.route].bundles[last.hop].slot = h.slot;
      members.pop_back();
    }
  }
  // A bundle left without flows has no rates to re-share.
  for (const BundleHop& h : r.bundles) {
    if (bundle_state_[h.bundle].flows > 0) mark_dirty(h.bundle, f.rate);
  }
}

double FlowNetwork::lone_rate(const Route& r, bool residual) const {
  double rate = std::numeric_limits<double>::infinity();
  for (const BundleHop& h : r.bundles) {
    const Bundle& b = bundle_state_[h.bundle];
    rate = std::min(rate, (residual ? std::max(0.0, b.residual) : b.capacity) / h.weight);
  }
  return rate;
}

void FlowNetwork::mark_dirty(std::uint32_t bundle, double level) {
  Bundle& b = bundle_state_[bundle];
  if (!b.dirty) {
    b.dirty = true;
    b.dirty_level = level;
    dirty_.push_back(bundle);
  } else {
    b.dirty_level = std::min(b.dirty_level, level);
  }
  request_flush();
}

void FlowNetwork::request_flush() {
  if (flush_pending_) return;
  flush_pending_ = true;
  // Once per timestamp, after all its starts, finishes and faults: one solve for them all.
  sim_->at_end_of_timestamp([this] { flush(); }, sim::Simulator::kSettleHook);
}

void FlowNetwork::flush() {
  flush_pending_ = false;
  // Routes slower than every flow that left keep their rates: progressive filling froze
  // them before any level the departures touched, and nothing else changed (an arrival or
  // a capacity change marks its bundles at level 0, which re-solves everything). Only the
  // routes at or above that level are solved again, on what the others leave free.
  double floor = std::numeric_limits<double>::infinity();
  for (std::uint32_t b : dirty_) floor = std::min(floor, bundle_state_[b].dirty_level);
  // One component at a time: the routes at or above the floor reachable through shared
  // bundles from a dirty bundle. Dirty bundles inside it are cleared on the way.
  for (std::size_t d = 0; d < dirty_.size(); ++d) {
    const std::uint32_t seed = dirty_[d];
    if (!bundle_state_[seed].dirty) continue;
    ++epoch_;
    comp_bundles_.clear();
    comp_routes_.clear();
    bundle_state_[seed].mark = epoch_;
    comp_bundles_.push_back(seed);
    for (std::size_t i = 0; i < comp_bundles_.size(); ++i) {
      Bundle& b = bundle_state_[comp_bundles_[i]];
      b.dirty = false;
      b.residual = b.capacity;
      for (const Member& m : b.members) {
        Route& r = routes_[m.route];
        if (r.rate < floor) {
          b.residual -= r.bundles[m.hop].weight * static_cast<double>(r.flows.size()) * r.rate;
          continue;
        }
        if (r.mark == epoch_) continue;
        r.mark = epoch_;
        comp_routes_.push_back(m.route);
        for (const BundleHop& h : r.bundles) {
          Bundle& other = bundle_state_[h.bundle];
          if (other.mark == epoch_) continue;
          other.mark = epoch_;
          comp_bundles_.push_back(h.bundle);
        }
      }
    }
    if (!comp_routes_.empty()) solve_component();
  }
  dirty_.clear();
}

void FlowNetwork::solve_component() {
  ++solves_;
  if (comp_routes_.size() == 1 && routes_[comp_routes_[0]].flows.size() == 1) {
    const double rate = lone_rate(routes_[comp_routes_[0]], true);
    if (std::isfinite(rate)) set_route_rate(comp_routes_[0], rate);
    return;
  }
  solver_.clear();
  if (solver_index_.size() < bundle_state_.size()) solver_index_.resize(bundle_state_.size());
  for (std::uint32_t b : comp_bundles_) solver_index_[b] = solver_.add_resource(bundle_state_[b].residual);
  for (std::uint32_t rid : comp_routes_) {
    const Route& r = routes_[rid];
    for (const BundleHop& h : r.bundles) solver_.add_use(solver_index_[h.bundle], h.weight);
    solver_.add_flow(static_cast<std::uint32_t>(r.flows.size()));
  }
  const auto rates = solver_.solve();
  for (std::size_t i = 0; i < comp_routes_.size(); ++i) set_route_rate(comp_routes_[i], rates[i]);
}

void FlowNetwork::set_route_rate(std::uint32_t route, double rate) {
  routes_[route].rate = rate;
  const auto& flows = routes_[route].flows;
  for (std::size_t i = 0; i < flows.size(); ++i) set_rate(flows[i], rate);
}

void FlowNetwork::set_rate(std::uint32_t id, double rate) {
  Flow& f = flows_[id];
  if (rate == f.rate) return;
  const std::int64_t now = now_ps();
  advance(f, now);
  for (const BundleHop& h : routes_[f.route].bundles) {
    set_bundle_load(h.bundle, bundle_state_[h.bundle].load + h.weight * (rate - f.rate));
  }
  f.rate = rate;
  if (rate <= 0.0) {
    f.finish_ps = -1;  // stalled until capacity returns
    return;
  }
  f.finish_ps = now + sim::drain_ps(f.remaining, rate);
  enqueue(id, f.finish_ps, false);
}

void FlowNetwork::set_bundle_load(std::uint32_t bundle, double load) {
  Bundle& b = bundle_state_[bundle];
  const std::int64_t now = now_ps();
  b.carried_bytes_ps += b.load * static_cast<double>(now - b.load_since_ps);
  b.load_since_ps = now;
  b.load = load;
  for (LinkId l : b.series_links) {
    const double nominal = topology_->link(l).bandwidth_gbps * 1e9 / 8.0;
    series_[link_series_[l]].add(sim_->now(), load / nominal);
  }
}

}  // namespace models::network
