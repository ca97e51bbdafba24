#include "models/network/route_table.hpp"

#include <algorithm>
#include <bit>

#include "sim/random.hpp"

namespace models::network {

std::size_t RouteTable::ConnectionHash::operator()(const ConnectionKey& k) const {
  return sim::mix64(k.pair * 31 + k.subflow);
}

std::pair<std::uint32_t, bool> RouteTable::intern(std::span<const LinkHop> hops) {
  std::uint64_t h = 0x726f757465ULL + hops.size();
  for (const LinkHop& hop : hops)
    h = sim::mix64(h ^ (hop.link * 0x9e3779b97f4a7c15ULL) ^ std::bit_cast<std::uint64_t>(hop.weight));
  auto [it, fresh] = by_hash_.try_emplace(h, kNone);
  for (std::uint32_t id = it->second; id != kNone; id = routes_[id].next_same_hash) {
    const Route& r = routes_[id];
    if (std::equal(r.links.begin(), r.links.end(), hops.begin(), hops.end())) return {id, false};
  }
  const std::uint32_t id = routes_.acquire();
  Route& r = routes_[id];
  r.links.assign(hops.begin(), hops.end());
  r.bundles.clear();
  r.bundle_generation = UINT64_MAX;
  r.latency_ps = 0;
  r.hash = h;
  r.next_same_hash = it->second;
  r.refs = 0;
  r.flows.clear();
  r.rate = 0.0;
  r.mark = 0;
  it->second = id;
  return {id, true};
}

void RouteTable::forget(std::uint32_t id) {
  const Route& r = routes_[id];
  auto it = by_hash_.find(r.hash);
  if (it->second == id) {
    if (r.next_same_hash == kNone) {
      by_hash_.erase(it);
    } else {
      it->second = r.next_same_hash;
    }
  } else {
    std::uint32_t prev = it->second;
    while (routes_[prev].next_same_hash != id) prev = routes_[prev].next_same_hash;
    routes_[prev].next_same_hash = r.next_same_hash;
  }
  routes_.release(id);
}

std::uint32_t RouteTable::cached_slow(topologies::NodeId src, topologies::NodeId dst, std::uint32_t subflow) {
  const auto it = cache_.find(ConnectionKey{static_cast<std::uint64_t>(src) << 32 | dst, subflow});
  if (it == cache_.end()) return kNone;
  last_[src] = LastRoute{dst, subflow, cache_generation_, it->second};
  return it->second;
}

void RouteTable::remember(topologies::NodeId src, topologies::NodeId dst, std::uint32_t subflow, std::uint32_t route) {
  cache_[ConnectionKey{static_cast<std::uint64_t>(src) << 32 | dst, subflow}] = route;
  retain(route);
  cached_hops_ += (route < kUnreachable ? routes_[route].links.size() : 0) + 4;
  last_[src] = LastRoute{dst, subflow, cache_generation_, route};
}

void RouteTable::forget_connections() {
  // Released in a fixed order (the map's is not), so that freed slots are reused alike.
  std::vector<std::uint32_t> held;
  held.reserve(cache_.size());
  for (const auto& [key, route] : cache_) held.push_back(route);
  std::sort(held.begin(), held.end());
  cache_.clear();
  for (std::uint32_t route : held) release(route);
  cached_hops_ = 0;
  ++cache_generation_;
}

}  // namespace models::network
