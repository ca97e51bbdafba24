// Steady-state extrapolation support: the network's dynamic state as comparable words,
// and the jump that repeats the interval between two equal states.
#include "models/network/flow_network.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace models::network {

bool FlowNetwork::checkpoint(Checkpoint& c) {
  if (!extrapolation_allowed() || flush_pending_ || !dirty_.empty()) return false;
  // Every pending event must be one whose effect is captured here: a bucket or a fault.
  if (sim_->events_pending() != buckets_.pending() + faults_pending_ || sim_->end_of_timestamp_pending() != 0) {
    return false;
  }
  const std::int64_t t = now_ps();
  c.time_ps = t;
  c.horizon_ps = t;
  c.state.clear();
  auto put = [&c](std::uint64_t w) { c.state.push_back(w); };
  auto put_d = [&c](double d) { c.state.push_back(std::bit_cast<std::uint64_t>(d)); };
  auto put_i = [&c](std::int64_t i) { c.state.push_back(static_cast<std::uint64_t>(i)); };
  put(topology_->routing_epoch());
  put(routes_.connections());
  put(routes_.cache_generation());
  put(routes_.live_routes());
  put(bundles_.generation());
  put(active_count_);

  ++epoch_;  // stamps flows and routes seen (as the component search does)
  transfer_canon_.assign(transfers_.size(), UINT32_MAX);
  std::uint32_t transfers_seen = 0;
  std::size_t flows_seen = 0;
  // A route's hops are the same words at every checkpoint while it lives, but the order
  // of its flows and its place among each bundle's routes decide the order of future
  // events and sums: both are part of the state.
  auto put_route = [&](std::uint32_t id) {
    put(id);
    if (id >= RouteTable::kUnreachable) return;
    Route& r = routes_[id];
    if (r.mark == epoch_) return;
    r.mark = epoch_;
    put(r.hash);
    put(r.links.size());
    put_i(r.latency_ps);
    put_d(r.rate);
    put(r.flows.size());
    put(r.bundle_generation);
    put(r.bundles.size());
    for (const BundleHop& h : r.bundles) {
      put(static_cast<std::uint64_t>(h.bundle) << 32 | (r.flows.empty() ? 0 : h.slot));
      put_d(h.weight);
    }
  };
  for (const std::uint32_t bucket : buckets_.pending_in_order()) {
    const TimeBuckets::Bucket& b = buckets_[bucket];
    c.horizon_ps = std::max(c.horizon_ps, b.time_ps);
    put(0xB0C4E7ULL);
    put_i(b.time_ps - t);
    put(b.activation ? 1 : 0);
    // Entries that would be skipped when the bucket runs (stale generation, rate changed
    // since, or a repeat of a flow already handled) do not influence the run.
    for (const TimeBuckets::Entry& e : b.entries) {
      if (flows_.generation(e.flow) != e.gen) continue;
      Flow& f = flows_[e.flow];
      if (f.mark == epoch_) continue;
      const bool live =
          b.activation ? f.state == FlowState::latent : (f.state == FlowState::active && f.finish_ps == b.time_ps);
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
      put(f.subflow);
      put(f.explicit_path ? 1 : 0);
      put(f.path_epoch == topology_->routing_epoch() ? 0 : f.path_epoch);
      put(f.attached ? f.slot : UINT32_MAX);
      put_route(f.route);
    }
  }
  // A flow in use but in no bucket is stalled (rate 0): it waits for a fault's effect.
  if (flows_seen != flows_.live_count()) return false;

  const std::size_t n = link_stats_.size();
  c.link_integral.resize(n);
  c.link_completed.resize(n);
  for (LinkId l = 0; l < n; ++l) {
    const Bundle& b = bundle_state_[bundles_.bundle_of(l)];
    c.link_integral[l] = b.carried_bytes_ps + b.load * static_cast<double>(t - b.load_since_ps);
    c.link_completed[l] = b.stats.flows_completed;
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
  // Equal states share one partition into bundles: a bundle's links have equal totals.
  for (std::uint32_t id = 0; id < bundle_state_.size(); ++id) {
    Bundle& bundle = bundle_state_[id];
    const LinkId l = bundles_.links(id).front();
    bundle.carried_bytes_ps = b.link_integral[l] + n * (b.link_integral[l] - a.link_integral[l]);
    bundle.load_since_ps = t_after;
    bundle.stats.flows_completed += periods * (b.link_completed[l] - a.link_completed[l]);
  }
  flows_.for_each_live([shift](std::uint32_t, Flow& f) {
    f.updated_ps += shift;
    f.active_ps += shift;
    if (f.finish_ps >= 0) f.finish_ps += shift;
  });
  buckets_.shift(shift);
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

}  // namespace models::network
