#pragma once
// Flow-level fluid network: transfers become flows on paths; flows share link capacity
// max-min fairly (sim/maxmin.hpp). Each flow first pays its path latency, then drains at
// its fair rate; capacity is re-shared once per timestamp, only among the flows
// connected through links to a start, finish or fault (the affected component).
//
// What keeps large runs cheap:
// - Flows that finish at the same picosecond share one event (time_buckets.hpp), so a
//   collective step whose flows run in lockstep costs one event and one solve.
// - Flows on the same path are one group of the max-min problem (route_table.hpp).
// - Links that carry the same flows are one resource (link_bundles.hpp): a sprayed flow
//   crosses 3 bundles instead of 66 links on a 32-spine fabric.
// - When flows only leave, every route slower than the slowest one that left keeps its
//   rate; only the routes at or above that level are solved again.
//
// Files: flow_network.cpp (a transfer's life), routes.cpp (paths, bundles), sharing.cpp
// (groups, components, solves), faults.cpp, checkpoint.cpp (steady-state extrapolation).

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "models/network/link_bundles.hpp"
#include "models/network/path_policy.hpp"
#include "models/network/route_table.hpp"
#include "models/network/time_buckets.hpp"
#include "sim/maxmin.hpp"
#include "sim/simulator.hpp"
#include "sim/slot_pool.hpp"
#include "sim/stats.hpp"
#include "topologies/routing.hpp"
#include "topologies/topology.hpp"

namespace models::network {

using topologies::LinkId;
using topologies::NodeId;

struct NetworkParams {
  PathPolicy policy = PathPolicy::ecmp;
  std::uint32_t subflows = 1;  // with PathPolicy::split
  std::uint64_t seed = 1;      // ECMP hash seed
  bool record_flows = false;   // keep a FlowRecord per flow
  // Lets a collective runner skip steps that provably repeat (steady-state extrapolation,
  // see checkpoint()); never used with record_flows or series_links, whose per-flow and
  // per-change output would have to be invented.
  bool extrapolate = true;
  // Links whose utilisation (carried / nominal capacity) is recorded at every change.
  std::vector<LinkId> series_links;
};

struct FlowRecord {
  std::uint64_t tag = 0;
  NodeId src = 0;
  NodeId dst = 0;
  double bytes = 0.0;
  double delivered_bytes = 0.0;   // integral of the flow's rate over its life
  sim::Time start;                // transfer start (before latency)
  std::optional<sim::Time> end;   // last byte delivered; none if the flow failed
  std::uint32_t path_offset = 0;  // into path_links()
  std::uint32_t path_length = 0;
};

struct LinkStats {
  double carried_bytes = 0.0;   // integral of the link's load
  std::uint32_t max_flows = 0;  // most flows on the link at once
  double max_load = 0.0;        // most transfers at once (sprayed flows and split subflows count fractionally)
  double best_flow_gbps = 0.0;  // fastest drain rate of a completed flow through the link
  std::uint64_t flows_completed = 0;
};

class FlowNetwork {
 public:
  // Called when every flow of a transfer has delivered its last byte (delivered = true)
  // or when a flow lost every path (delivered = false).
  using Listener = std::function<void(std::uint64_t tag, bool delivered)>;

  FlowNetwork(sim::Simulator& sim, topologies::Topology& topology, NetworkParams params);
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;

  void set_listener(Listener listener) { listener_ = std::move(listener); }

  // Starts a transfer of `bytes` from endpoint src to dst now, routed by the policy.
  void start_transfer(NodeId src, NodeId dst, double bytes, std::uint64_t tag);
  // Starts a transfer on an explicit path (a list of consecutive links).
  void start_transfer_on(NodeId src, NodeId dst, double bytes, std::uint64_t tag, const std::vector<LinkId>& path);

  // Faults, effective at absolute time `at` (>= now).
  void link_down_at(sim::Time at, LinkId link);
  void link_up_at(sim::Time at, LinkId link);
  void link_degraded_at(sim::Time at, LinkId link, double fraction);

  // Brings link byte counters up to now(); call before reading link_stats() at the end.
  void settle();

  // Per-link statistics as of the last settle().
  const std::vector<LinkStats>& link_stats() const { return link_stats_; }
  const std::vector<FlowRecord>& flow_records() const { return records_; }
  // Utilisation time series of NetworkParams::series_links, in that order.
  const std::vector<sim::TimeSeries>& link_series() const { return series_; }
  const std::vector<LinkId>& path_links() const { return record_paths_; }
  const std::vector<std::uint64_t>& failed_tags() const { return failed_tags_; }
  std::uint64_t flows_started() const { return flows_started_; }
  std::uint64_t flows_completed() const { return flows_completed_; }
  std::uint64_t rate_solves() const { return solves_; }
  std::size_t active_flows() const { return active_count_; }
  std::uint32_t max_link_flows() const;  // over all links and the whole run
  double max_link_load() const;
  topologies::Router& router() { return router_; }

  // --- steady-state extrapolation ----------------------------------------------------
  // A checkpoint is the network's dynamic state relative to now(), in a form where two
  // checkpoints compare equal exactly when the network would evolve identically from
  // both (same flows in the same pending events and link slots, bit-identical remaining
  // bytes and rates, same time offsets), plus the running totals needed to account the
  // interval between them. Taken between timestamps only (no flush pending).
  struct Checkpoint {
    std::int64_t time_ps = 0;
    std::int64_t horizon_ps = 0;  // the latest pending network event
    std::vector<std::uint64_t> state;
    std::vector<double> link_integral;  // each link's load integrated up to time_ps (bytes/s x ps)
    std::vector<std::uint64_t> link_completed;
    std::uint64_t flows_started = 0;
    std::uint64_t flows_completed = 0;
    std::uint64_t solves = 0;
    std::uint64_t events = 0;  // simulator events executed
  };
  bool extrapolation_allowed() const { return params_.extrapolate && !params_.record_flows && series_.empty(); }
  // False when the state cannot be extrapolated from now: extrapolation disabled, a
  // flush pending, a stalled flow, or simulator events or end-of-timestamp hooks pending
  // that the network does not own (another model's, or a caller's) -- their effect
  // could not be shifted.
  bool checkpoint(Checkpoint& out);
  // Time of the earliest fault still pending, if any.
  std::optional<sim::Time> next_fault() const;
  // Given checkpoints `earlier` and `later` (now) with equal state, advances the network
  // and the simulator by `periods` x (later - earlier) as if simulated: pending events
  // and flow times move, totals grow by `periods` times their change between the two.
  // Pending faults stay at their absolute times; the caller ensures they lie beyond
  // every pending event after the jump.
  void extrapolate(const Checkpoint& earlier, const Checkpoint& later, std::uint64_t periods);
  std::uint64_t flows_extrapolated() const { return flows_extrapolated_; }
  const topologies::Topology& topology() const { return *topology_; }

 private:
  enum class FlowState : std::uint8_t { latent, active };
  struct Flow {
    double bytes = 0.0;
    double remaining = 0.0;
    double delivered = 0.0;
    double rate = 0.0;   // bytes per second
    double share = 1.0;  // of its transfer: 1/k for one of k split subflows
    std::int64_t updated_ps = 0;
    std::int64_t finish_ps = -1;
    std::int64_t active_ps = 0;
    std::uint32_t transfer = 0;
    std::uint32_t route = RouteTable::kUnreachable;  // held from start to finish
    std::uint32_t slot = 0;                          // index in the route's flow list while attached
    std::uint32_t subflow = 0;
    std::uint32_t record = UINT32_MAX;
    std::uint64_t mark = 0;
    NodeId src = 0;
    NodeId dst = 0;
    std::uint64_t hash = 0;
    std::uint64_t path_epoch = 0;
    FlowState state = FlowState::latent;
    bool attached = false;  // on its route's flow list, counted on its bundles
    bool explicit_path = false;
  };
  struct Member {
    std::uint32_t route;
    std::uint32_t hop;  // index in the route's bundle list
  };
  // One resource of the max-min problem: links that carry the same flows (link_bundles.hpp).
  struct Bundle {
    double capacity = 0.0;        // bytes per second: the lowest of its links
    bool capacity_stale = false;  // to be recomputed before it is next used
    double load = 0.0;            // bytes per second carried now, on each of its links
    double weight = 0.0;          // transfers on each link (split subflows and sprayed branches count fractionally)
    std::uint32_t flows = 0;
    std::int64_t load_since_ps = 0;
    double carried_bytes_ps = 0.0;  // each link's load integrated over time, bytes/s x ps
    std::uint64_t mark = 0;
    bool dirty = false;
    double dirty_level = 0.0;     // while dirty: the lowest rate its changes can alter
    double residual = 0.0;        // in a solve: capacity left by the routes kept as they are
    std::vector<Member> members;  // routes with flows
    std::vector<LinkId> series_links;
    LinkStats stats;  // each of its links' (carried_bytes filled in by settle())
  };
  struct Transfer {
    std::uint64_t tag = 0;
    std::uint32_t open = 0;
    bool failed = false;
  };

  // Lifecycle (flow_network.cpp).
  std::uint32_t new_transfer(std::uint64_t tag, std::uint32_t flows);
  std::uint32_t new_flow(NodeId src, NodeId dst, double bytes, std::uint32_t transfer, std::uint64_t hash);
  void launch(std::uint32_t id, std::int64_t latency_ps);
  void enqueue(std::uint32_t flow, std::int64_t time_ps, bool activation);
  void run_bucket(std::uint32_t bucket);
  void activate(std::uint32_t id);
  void finish_flow(std::uint32_t id, bool delivered);
  void advance(Flow& f, std::int64_t now_ps);
  std::int64_t now_ps() const { return sim_->now().ps(); }

  // Routes and bundles (routes.cpp).
  std::uint32_t connection_route(NodeId src, NodeId dst, std::uint32_t subflow, std::uint64_t hash);
  bool compute_path(NodeId src, NodeId dst, std::uint64_t hash);  // into hop_scratch_
  bool plan(NodeId src, NodeId dst);                              // PathPolicy::planned without a given path
  std::uint32_t intern_route(const std::vector<LinkHop>& hops);
  void refresh_bundles(Route& r);
  void split_bundle(LinkBundles::Split split);
  void refresh_capacity(std::uint32_t bundle);
  void set_route(Flow& f, std::uint32_t route);

  // Sharing (sharing.cpp).
  void attach(std::uint32_t id);
  void detach(std::uint32_t id);
  void mark_dirty(std::uint32_t bundle, double level);  // level: the lowest rate the change can alter
  void request_flush();
  void flush();
  void solve_component();
  void set_route_rate(std::uint32_t route, double rate);
  void set_rate(std::uint32_t id, double rate);
  void set_bundle_load(std::uint32_t bundle, double load);
  double lone_rate(const Route& r, bool residual) const;  // a route alone in its component

  // Faults (faults.cpp).
  void schedule_fault(sim::Time at, std::function<void()> action);
  void arm_fault(std::size_t i);
  void update_capacity(LinkId link, double capacity);
  void reroute_link(LinkId link);

  sim::Simulator* sim_;
  topologies::Topology* topology_;
  topologies::Router router_;
  NetworkParams params_;
  Listener listener_;

  sim::SlotPool<Flow> flows_;
  sim::SlotPool<Transfer> transfers_;
  TimeBuckets buckets_;

  RouteTable routes_;
  std::uint64_t route_epoch_ = UINT64_MAX;   // the routing epoch the cached connections belong to
  std::vector<std::uint32_t> planned_load_;  // planned connections per link
  std::vector<LinkHop> hop_scratch_;
  std::vector<LinkId> path_scratch_;
  std::vector<topologies::WeightedLink> spray_scratch_;

  LinkBundles bundles_;
  std::vector<Bundle> bundle_state_;       // by bundle id
  std::vector<double> link_capacity_;      // bytes per second, 0 while down
  std::vector<std::int32_t> link_series_;  // index into series_, -1 when not recorded
  std::vector<LinkBundles::Split> splits_;
  std::vector<LinkId> group_scratch_;
  std::vector<std::uint64_t> bundle_seen_;
  std::uint64_t bundle_stamp_ = 0;

  std::vector<std::uint32_t> dirty_;
  bool flush_pending_ = false;
  std::uint64_t epoch_ = 0;  // search stamp; 64 bits never wrap
  std::vector<std::uint32_t> comp_bundles_;
  std::vector<std::uint32_t> comp_routes_;
  std::vector<std::uint32_t> solver_index_;  // bundle -> resource index in the solve
  sim::MaxMinSolver solver_;

  // Faults are kept here (not only in the event queue) so that an extrapolation can
  // leave them at their absolute times while every other pending event moves.
  struct PendingFault {
    std::int64_t at_ps = 0;
    sim::EventHandle handle;
    std::function<void()> action;
    bool pending = true;
  };
  std::vector<PendingFault> faults_;
  std::size_t faults_pending_ = 0;
  std::uint64_t flows_extrapolated_ = 0;
  std::vector<std::uint32_t> transfer_canon_;  // checkpoint scratch

  std::vector<LinkStats> link_stats_;
  std::vector<FlowRecord> records_;
  std::vector<sim::TimeSeries> series_;
  std::vector<LinkId> record_paths_;
  std::vector<std::uint64_t> failed_tags_;
  std::uint64_t flows_started_ = 0;
  std::uint64_t flows_completed_ = 0;
  std::uint64_t solves_ = 0;
  std::size_t active_count_ = 0;
};

}  // namespace models::network
