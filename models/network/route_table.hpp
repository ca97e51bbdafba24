#pragma once
// Routes, shared: a route is a path (links with weights) stored once however many flows
// and connections use it. Flows on the same route have the same row in the max-min
// problem, so a route with flows is solved as one group (split subflows hashed onto the
// same spine, repeated messages of one connection).
//
// Connections (src, dst, subflow) are cached to their route: routes are a function of
// the connection and the set of links up, so collectives that reuse connections every
// step route each one once. The cache is dropped when the links change (the caller
// checks the routing epoch) or when it grows past a bound.

#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/slot_pool.hpp"
#include "topologies/topology.hpp"

namespace models::network {

struct LinkHop {
  topologies::LinkId link;
  double weight;  // share of the flow crossing the link: 1 on a path, 1/k on k sprayed branches
  bool operator==(const LinkHop&) const = default;
};

struct BundleHop {
  std::uint32_t bundle;
  std::uint32_t slot;  // the route's index in the bundle's member list while it has flows
  double weight;       // on each link of the bundle
};

struct Route {
  std::vector<LinkHop> links;
  // The bundles its links fall into (as of bundle_generation), in order of first link.
  std::vector<BundleHop> bundles;
  std::uint64_t bundle_generation = UINT64_MAX;
  std::int64_t latency_ps = 0;
  std::uint64_t hash = 0;
  std::uint32_t next_same_hash = UINT32_MAX;
  std::uint32_t refs = 0;  // cached connections and flows holding it
  // The flows on it now: one group in the max-min problem, all at `rate`.
  std::vector<std::uint32_t> flows;
  double rate = 0.0;
  std::uint64_t mark = 0;  // search stamp
};

class RouteTable {
 public:
  static constexpr std::uint32_t kUnreachable = UINT32_MAX - 1;  // a cached "no path"
  static constexpr std::uint32_t kNone = UINT32_MAX;             // nothing cached

  explicit RouteTable(std::size_t nodes) : last_(nodes) {}

  Route& operator[](std::uint32_t id) { return routes_[id]; }
  const Route& operator[](std::uint32_t id) const { return routes_[id]; }

  // The route with exactly these hops, with no reference taken: an existing one, or a
  // new one (second = true) whose latency and bundles the caller fills in.
  std::pair<std::uint32_t, bool> intern(std::span<const LinkHop> hops);
  void retain(std::uint32_t id) {
    if (id < kUnreachable) ++routes_[id].refs;
  }
  // Drops a reference; a route nobody holds is forgotten.
  void release(std::uint32_t id) {
    if (id < kUnreachable && --routes_[id].refs == 0) forget(id);
  }

  // The route cached for a connection, or kNone.
  std::uint32_t cached(topologies::NodeId src, topologies::NodeId dst, std::uint32_t subflow) {
    const LastRoute& last = last_[src];
    if (last.generation == cache_generation_ && last.dst == dst && last.subflow == subflow) return last.route;
    return cached_slow(src, dst, subflow);
  }
  // Caches a connection's route (kUnreachable for none), taking a reference.
  void remember(topologies::NodeId src, topologies::NodeId dst, std::uint32_t subflow, std::uint32_t route);
  // Drops every cached connection.
  void forget_connections();
  std::size_t connections() const { return cache_.size(); }
  std::size_t cached_hops() const { return cached_hops_; }
  std::uint64_t cache_generation() const { return cache_generation_; }
  std::size_t live_routes() const { return routes_.live_count(); }

 private:
  struct ConnectionKey {
    std::uint64_t pair;
    std::uint32_t subflow;
    bool operator==(const ConnectionKey&) const = default;
  };
  struct ConnectionHash {
    std::size_t operator()(const ConnectionKey& k) const;
  };
  // The last connection each source looked up: a ring step reuses it without hashing.
  struct LastRoute {
    topologies::NodeId dst = 0;
    std::uint32_t subflow = 0;
    std::uint64_t generation = 0;
    std::uint32_t route = kNone;
  };

  void forget(std::uint32_t id);
  std::uint32_t cached_slow(topologies::NodeId src, topologies::NodeId dst, std::uint32_t subflow);

  sim::SlotPool<Route> routes_;
  std::unordered_map<std::uint64_t, std::uint32_t> by_hash_;  // first route of each hash chain
  std::unordered_map<ConnectionKey, std::uint32_t, ConnectionHash> cache_;
  std::vector<LastRoute> last_;
  std::size_t cached_hops_ = 0;
  std::uint64_t cache_generation_ = 1;
};

}  // namespace models::network
