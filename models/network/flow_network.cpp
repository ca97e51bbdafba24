// The life of a transfer: start, path latency (activation bucket), draining (sharing.cpp),
// last byte (finish bucket), listener. Routes are in routes.cpp, rate sharing in
// sharing.cpp, faults in faults.cpp, checkpoints in checkpoint.cpp.
#include "models/network/flow_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace models::network {

namespace {
constexpr double kPsPerS = 1e12;
}  // namespace

FlowNetwork::FlowNetwork(sim::Simulator& sim, topologies::Topology& topology, NetworkParams params)
    : sim_(&sim), topology_(&topology), router_(topology), params_(std::move(params)), routes_(topology.node_count()),
      bundles_(topology.link_count()) {
  if (params_.policy == PathPolicy::split && params_.subflows < 1) {
    throw std::invalid_argument("network: subflows must be at least 1");
  }
  const std::size_t n = topology.link_count();
  link_stats_.resize(n);
  planned_load_.assign(n, 0);
  link_capacity_.resize(n);
  for (LinkId l = 0; l < n; ++l) link_capacity_[l] = topology.capacity_bytes_per_s(l);
  link_series_.assign(n, -1);
  for (LinkId l : params_.series_links) {
    if (l >= n) throw std::invalid_argument("network: series link " + std::to_string(l) + " does not exist");
    if (link_series_[l] >= 0) continue;
    link_series_[l] = static_cast<std::int32_t>(series_.size());
    series_.emplace_back("");
    series_.back().add(sim::Time::zero(), 0.0);
  }
  // One bundle of every link to begin with; paths split it as they appear.
  bundle_state_.resize(1);
  bundle_state_[0].capacity_stale = true;
  for (LinkId l = 0; l < n; ++l) {
    if (link_series_[l] >= 0) bundle_state_[0].series_links.push_back(l);
  }
}

std::uint32_t FlowNetwork::new_transfer(std::uint64_t tag, std::uint32_t flows) {
  const std::uint32_t id = transfers_.acquire();
  transfers_[id] = Transfer{tag, flows, false};
  return id;
}

std::uint32_t FlowNetwork::new_flow(NodeId src, NodeId dst, double bytes, std::uint32_t transfer, std::uint64_t hash) {
  const std::uint32_t id = flows_.acquire();
  Flow& f = flows_[id];
  f.bytes = bytes;
  f.remaining = bytes;
  f.delivered = 0.0;
  f.rate = 0.0;
  f.share = 1.0;
  f.updated_ps = now_ps();
  f.finish_ps = -1;
  f.active_ps = 0;
  f.transfer = transfer;
  f.route = RouteTable::kUnreachable;
  f.slot = 0;
  f.subflow = 0;
  f.src = src;
  f.dst = dst;
  f.hash = hash;
  f.path_epoch = topology_->routing_epoch();
  f.state = FlowState::latent;
  f.attached = false;
  f.explicit_path = false;
  f.record = UINT32_MAX;
  ++flows_started_;
  if (params_.record_flows) {
    f.record = static_cast<std::uint32_t>(records_.size());
    records_.push_back(FlowRecord{transfers_[transfer].tag, src, dst, bytes, 0.0, sim_->now(), std::nullopt, 0, 0});
  }
  return id;
}

void FlowNetwork::start_transfer(NodeId src, NodeId dst, double bytes, std::uint64_t tag) {
  if (!(bytes >= 0.0)) throw std::invalid_argument("transfer bytes must not be negative");
  const std::uint32_t k = params_.policy == PathPolicy::split ? params_.subflows : 1;
  const std::uint32_t t = new_transfer(tag, k);
  for (std::uint32_t i = 0; i < k; ++i) {
    // The hash identifies a connection (seed, src, dst, subflow): a connection keeps its
    // path for all the messages it carries, as a 5-tuple hash would.
    const std::uint64_t hash = sim::mix64(
        params_.seed ^ sim::mix64((static_cast<std::uint64_t>(src) << 32 | dst) * 0x9e3779b97f4a7c15ULL + i));
    const std::uint32_t id = new_flow(src, dst, bytes / k, t, hash);
    Flow& f = flows_[id];
    f.share = 1.0 / k;
    f.subflow = i;
    const std::uint32_t route = connection_route(src, dst, i, hash);
    if (route == RouteTable::kUnreachable) {
      // Reported from the activation event, never from inside this call.
      f.path_epoch = UINT64_MAX;
      launch(id, 0);
      continue;
    }
    set_route(f, route);
    launch(id, routes_[route].latency_ps);
  }
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
  f.explicit_path = true;
  hop_scratch_.clear();
  for (LinkId l : path) hop_scratch_.push_back(LinkHop{l, 1.0});
  const std::uint32_t route = intern_route(hop_scratch_);
  set_route(f, route);
  launch(id, routes_[route].latency_ps);
}

void FlowNetwork::launch(std::uint32_t id, std::int64_t latency_ps) {
  // Always through an event, even with zero latency, so that a listener never sees a
  // completion from inside its own start_transfer() call.
  enqueue(id, now_ps() + latency_ps, true);
}

void FlowNetwork::enqueue(std::uint32_t flow, std::int64_t time_ps, bool activation) {
  const auto added = buckets_.add(time_ps, activation, TimeBuckets::Entry{flow, flows_.generation(flow)});
  const std::uint32_t b = added.first;  // a plain variable: clang 14 cannot capture structured bindings
  if (added.second)
    buckets_[b].order = sim_->schedule_at(sim::Time::from_ps(time_ps), [this, b] { run_bucket(b); }).order;
}

void FlowNetwork::run_bucket(std::uint32_t b) {
  buckets_.close(b);
  const std::int64_t t = buckets_[b].time_ps;
  const bool activation = buckets_[b].activation;
  // Indexed: handling an entry may add buckets, which may move this one's storage.
  for (std::size_t i = 0; i < buckets_[b].entries.size(); ++i) {
    const TimeBuckets::Entry e = buckets_[b].entries[i];
    if (flows_.generation(e.flow) != e.gen) continue;
    Flow& f = flows_[e.flow];
    if (activation) {
      if (f.state == FlowState::latent) activate(e.flow);
    } else if (f.state == FlowState::active && f.finish_ps == t) {
      finish_flow(e.flow, true);
    }
  }
  buckets_.release(b);
}

void FlowNetwork::activate(std::uint32_t id) {
  Flow& f = flows_[id];
  if (f.path_epoch != topology_->routing_epoch()) {
    // Links changed since the flow was routed: a given path is kept if it still works,
    // any other flow is routed afresh.
    if (f.explicit_path) {
      for (const LinkHop& h : routes_[f.route].links) {
        if (!topology_->link_up(h.link)) {
          finish_flow(id, false);
          return;
        }
      }
    } else {
      set_route(f, connection_route(f.src, f.dst, f.subflow, f.hash));
      if (f.route == RouteTable::kUnreachable) {
        finish_flow(id, false);
        return;
      }
    }
  }
  f.active_ps = now_ps();
  f.updated_ps = now_ps();
  f.state = FlowState::active;
  ++active_count_;
  if (f.bytes <= 0.0 || routes_[f.route].links.empty()) {
    finish_flow(id, true);
    return;
  }
  attach(id);
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
  const bool routed = f.route != RouteTable::kUnreachable;
  if (f.state == FlowState::active) {
    advance(f, now);
    if (delivered && f.attached && now > f.active_ps) {
      const double gbps = f.bytes * 8.0 / (static_cast<double>(now - f.active_ps) / kPsPerS) / 1e9;
      for (const BundleHop& h : routes_[f.route].bundles) {
        LinkStats& s = bundle_state_[h.bundle].stats;
        s.best_flow_gbps = std::max(s.best_flow_gbps, gbps);
        ++s.flows_completed;
      }
    }
    if (f.attached) detach(id);
    --active_count_;
  }
  if (f.record != UINT32_MAX) {
    FlowRecord& r = records_[f.record];
    r.delivered_bytes = f.delivered;
    r.end = delivered ? std::optional(sim::Time::from_ps(now)) : std::nullopt;
    r.path_offset = static_cast<std::uint32_t>(record_paths_.size());
    r.path_length = 0;
    if (routed) {
      r.path_length = static_cast<std::uint32_t>(routes_[f.route].links.size());
      for (const LinkHop& h : routes_[f.route].links) record_paths_.push_back(h.link);
    }
  }
  routes_.release(f.route);
  f.rate = 0.0;
  const std::uint32_t transfer = f.transfer;
  flows_.release(id);
  if (delivered) ++flows_completed_;

  Transfer& t = transfers_[transfer];
  if (!delivered && !t.failed) {
    t.failed = true;
    failed_tags_.push_back(t.tag);
  }
  if (--t.open == 0) {
    const std::uint64_t tag = t.tag;
    const bool ok = !t.failed;
    transfers_.release(transfer);
    if (listener_) listener_(tag, ok);
  }
}

void FlowNetwork::settle() {
  for (std::uint32_t b = 0; b < bundle_state_.size(); ++b) set_bundle_load(b, bundle_state_[b].load);
  for (LinkId l = 0; l < link_stats_.size(); ++l) {
    const Bundle& b = bundle_state_[bundles_.bundle_of(l)];
    link_stats_[l] = b.stats;
    link_stats_[l].carried_bytes = b.carried_bytes_ps / kPsPerS;
  }
}

std::uint32_t FlowNetwork::max_link_flows() const {
  std::uint32_t m = 0;
  for (const auto& b : bundle_state_) m = std::max(m, b.stats.max_flows);
  return m;
}

double FlowNetwork::max_link_load() const {
  double m = 0.0;
  for (const auto& b : bundle_state_) m = std::max(m, b.stats.max_load);
  return m;
}

}  // namespace models::network
