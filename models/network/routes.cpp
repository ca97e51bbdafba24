// Paths by policy, the connection cache, and the bundles paths split links into.
#include "models/network/flow_network.hpp"

#include <algorithm>
#include <cmath>

namespace models::network {

std::uint32_t FlowNetwork::connection_route(NodeId src, NodeId dst, std::uint32_t subflow, std::uint64_t hash) {
  constexpr std::size_t kMaxCachedHops = std::size_t{1} << 23;  // bounds the cache near 200 MB
  if (route_epoch_ != topology_->routing_epoch() || routes_.cached_hops() > kMaxCachedHops) {
    routes_.forget_connections();
    std::fill(planned_load_.begin(), planned_load_.end(), 0u);
    route_epoch_ = topology_->routing_epoch();
  }
  std::uint32_t route = routes_.cached(src, dst, subflow);
  if (route != RouteTable::kNone) return route;
  route = compute_path(src, dst, hash) ? intern_route(hop_scratch_) : RouteTable::kUnreachable;
  routes_.remember(src, dst, subflow, route);
  return route;
}

bool FlowNetwork::compute_path(NodeId src, NodeId dst, std::uint64_t hash) {
  hop_scratch_.clear();
  if (params_.policy == PathPolicy::spray) {
    if (!router_.spray_weights(src, dst, spray_scratch_)) return false;
    for (const auto& w : spray_scratch_) hop_scratch_.push_back(LinkHop{w.link, w.weight});
    return true;
  }
  if (params_.policy == PathPolicy::planned) return plan(src, dst);
  if (!router_.ecmp_path(src, dst, hash, path_scratch_)) return false;
  for (LinkId l : path_scratch_) hop_scratch_.push_back(LinkHop{l, 1.0});
  return true;
}

bool FlowNetwork::plan(NodeId src, NodeId dst) {
  // Connections without a caller-given path are planned greedily as they first appear
  // (C4-style): the equal-cost path whose busiest link carries the fewest planned
  // connections, then the lowest total; ties go to the first path found.
  const auto candidates = router_.equal_cost_paths(src, dst, 4096);
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
    hop_scratch_.push_back(LinkHop{l, 1.0});
  }
  return true;
}

std::uint32_t FlowNetwork::intern_route(const std::vector<LinkHop>& hops) {
  const auto [id, fresh] = routes_.intern(hops);
  if (!fresh) return id;
  // Sprayed hops are weighted, and each layer's weights sum to one: the mean path latency.
  double total = 0.0;
  for (const LinkHop& h : hops) total += h.weight * static_cast<double>(topology_->link(h.link).latency.ps());
  routes_[id].latency_ps = static_cast<std::int64_t>(std::llround(total));
  // The links crossed with one weight become whole bundles.
  for (std::size_t i = 0; i < hops.size(); ++i) {
    bool first = true;
    for (std::size_t j = 0; j < i && first; ++j) first = hops[j].weight != hops[i].weight;
    if (!first) continue;
    group_scratch_.clear();
    for (std::size_t j = i; j < hops.size(); ++j) {
      if (hops[j].weight == hops[i].weight) group_scratch_.push_back(hops[j].link);
    }
    splits_.clear();
    bundles_.separate(group_scratch_, splits_);
    for (const auto& s : splits_) split_bundle(s);
  }
  return id;
}

void FlowNetwork::split_bundle(LinkBundles::Split split) {
  bundle_state_.resize(bundles_.count());
  Bundle& from = bundle_state_[split.from];
  Bundle& to = bundle_state_[split.to];
  // The new bundle's links carried exactly what the old bundle's did: same history.
  to.load = from.load;
  to.weight = from.weight;
  to.flows = from.flows;
  to.load_since_ps = from.load_since_ps;
  to.carried_bytes_ps = from.carried_bytes_ps;
  to.stats = from.stats;
  to.mark = 0;
  to.dirty = false;
  // The part left behind may be most of the fabric (the bundle every link starts in):
  // without routes it is not needed until one arrives (attach() refreshes it).
  to.capacity_stale = true;
  from.capacity_stale = true;
  refresh_capacity(split.to);
  if (!from.members.empty()) refresh_capacity(split.from);
  // Routes with flows cross both parts now; idle routes re-read their bundles when next used.
  to.members.clear();
  for (const Member& m : from.members) {
    Route& r = routes_[m.route];
    const double weight = r.bundles[m.hop].weight;
    to.members.push_back(Member{m.route, static_cast<std::uint32_t>(r.bundles.size())});
    r.bundles.push_back(BundleHop{split.to, static_cast<std::uint32_t>(to.members.size() - 1), weight});
  }
  to.series_links.clear();
  std::erase_if(from.series_links, [&](LinkId l) {
    if (bundles_.bundle_of(l) != split.to) return false;
    to.series_links.push_back(l);
    return true;
  });
}

void FlowNetwork::refresh_capacity(std::uint32_t bundle) {
  Bundle& b = bundle_state_[bundle];
  const auto& links = bundles_.links(bundle);
  b.capacity = link_capacity_[links[0]];
  for (LinkId l : links) b.capacity = std::min(b.capacity, link_capacity_[l]);
  b.capacity_stale = false;
}

void FlowNetwork::refresh_bundles(Route& r) {
  r.bundles.clear();
  bundle_seen_.resize(bundles_.count(), 0);
  ++bundle_stamp_;
  for (const LinkHop& h : r.links) {
    const std::uint32_t b = bundles_.bundle_of(h.link);
    if (bundle_seen_[b] == bundle_stamp_) continue;
    bundle_seen_[b] = bundle_stamp_;
    r.bundles.push_back(BundleHop{b, 0, h.weight});
  }
  r.bundle_generation = bundles_.generation();
}

void FlowNetwork::set_route(Flow& f, std::uint32_t route) {
  routes_.retain(route);
  routes_.release(f.route);
  f.route = route;
  f.path_epoch = topology_->routing_epoch();
}

}  // namespace models::network
