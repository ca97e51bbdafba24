#pragma once
// Flow-level fluid network: transfers become flows on paths; flows share link capacity
// max-min fairly (progressive filling). Each flow first pays its path latency, then
// drains at its fair rate; capacity is re-shared only among the flows connected through
// links to a start, finish or fault (the affected component), once per timestamp.
//
// Flows that finish at the same picosecond share one event, so a collective step whose
// flows run in lockstep costs one event and one rate solve, not one per flow.

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "models/network/path_policy.hpp"
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
  std::uint32_t subflows = 1;   // with PathPolicy::split
  std::uint64_t seed = 1;       // ECMP hash seed
  bool record_flows = false;    // keep a FlowRecord per flow
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
  double delivered_bytes = 0.0;  // integral of the flow's rate over its life
  std::int64_t start_ps = 0;     // transfer start (before latency)
  std::int64_t end_ps = 0;       // last byte delivered; -1 if the flow failed
  std::uint32_t path_offset = 0;  // into path_links()
  std::uint32_t path_length = 0;
};

struct LinkStats {
  double carried_bytes = 0.0;     // integral of the link's load
  std::uint32_t max_flows = 0;    // most flows on the link at once
  double max_load = 0.0;          // most transfers at once (sprayed flows and split subflows count fractionally)
  double best_flow_gbps = 0.0;    // fastest drain rate of a completed flow through the link
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
  // flush pending, a stalled flow, or simulator events pending that the network does
  // not own (another model's, or a caller's) -- their effect could not be shifted.
  bool checkpoint(Checkpoint& out);
  // Time of the earliest fault still pending; INT64_MAX when none.
  std::int64_t next_fault_ps() const;
  // Given checkpoints `earlier` and `later` (now) with equal state, advances the network
  // and the simulator by `periods` x (later - earlier) as if simulated: pending events
  // and flow times move, totals grow by `periods` times their change between the two.
  // Pending faults stay at their absolute times; the caller ensures they lie beyond
  // every pending event after the jump.
  void extrapolate(const Checkpoint& earlier, const Checkpoint& later, std::uint64_t periods);
  std::uint64_t flows_extrapolated() const { return flows_extrapolated_; }
  const topologies::Topology& topology() const { return *topology_; }

 private:
  struct Hop {
    LinkId link;
    std::uint32_t slot;  // position in the link's flow list while active
    double weight;
  };
  enum class FlowState : std::uint8_t { free, latent, active };
  struct Flow {
    double bytes = 0.0;
    double remaining = 0.0;
    double delivered = 0.0;
    double rate = 0.0;  // bytes per second
    double share = 1.0;  // of its transfer: 1/k for one of k split subflows
    std::int64_t updated_ps = 0;
    std::int64_t finish_ps = -1;
    std::int64_t active_ps = 0;
    std::uint32_t transfer = 0;
    std::uint64_t mark = 0;
    std::uint32_t record = UINT32_MAX;
    NodeId src = 0;
    NodeId dst = 0;
    std::uint64_t hash = 0;
    std::uint64_t path_epoch = 0;
    FlowState state = FlowState::free;
    bool explicit_path = false;
    std::vector<Hop> hops;
  };
  struct Member {
    std::uint32_t flow;
    std::uint32_t hop;
  };
  struct Link {
    double capacity = 0.0;  // bytes per second
    double load = 0.0;      // bytes per second carried now
    double weight = 0.0;    // sum of the weights of the flows on the link
    std::int64_t load_since_ps = 0;
    double carried_bytes_ps = 0.0;  // integral of load over time, bytes/s x ps
    std::int32_t series = -1;       // index into series_, -1 when not recorded
    std::uint64_t mark = 0;
    bool dirty = false;
    std::vector<Member> flows;
    LinkStats stats;  // beside the hot fields: one cache line serves a flow's hop
  };
  struct Transfer {
    std::uint64_t tag = 0;
    std::uint32_t open = 0;
    bool failed = false;
  };
  struct Entry {
    std::uint32_t flow;
    std::uint32_t gen;  // the flow slot's generation when queued
  };
  struct Bucket {
    std::int64_t time_ps = 0;
    bool activation = false;
    std::uint64_t order = 0;  // the event's tie-break order: which of two same-time buckets runs first
    std::vector<Entry> entries;
  };

  // Routes are a function of the connection (src, dst, subflow) and the set of links up,
  // so collectives that reuse connections every step route each one once.
  struct ConnectionKey {
    std::uint64_t pair;
    std::uint32_t subflow;
    bool operator==(const ConnectionKey&) const = default;
  };
  struct ConnectionHash {
    std::size_t operator()(const ConnectionKey& k) const { return sim::mix64(k.pair * 31 + k.subflow); }
  };
  struct CachedRoute {
    std::vector<Hop> hops;
    std::int64_t latency_ps = 0;
    bool reachable = false;
  };
  const CachedRoute& cached_route(Flow& f, std::uint32_t subflow);

  std::uint32_t new_transfer(std::uint64_t tag, std::uint32_t flows);
  std::uint32_t new_flow(NodeId src, NodeId dst, double bytes, std::uint32_t transfer, std::uint64_t hash);
  bool route(Flow& f);  // fills hops by policy; false when unreachable
  bool plan(Flow& f);   // PathPolicy::planned without a given path
  void launch(std::uint32_t id, std::int64_t latency_ps);
  std::int64_t path_latency_ps(const Flow& f) const;
  void enqueue(std::uint32_t flow, std::int64_t time_ps, bool activation);
  void run_bucket(std::uint32_t bucket);
  void activate(std::uint32_t id);
  void attach(std::uint32_t id);
  void detach(std::uint32_t id);
  void advance(Flow& f, std::int64_t now_ps);
  void finish_flow(std::uint32_t id, bool delivered);
  void mark_dirty(LinkId l);
  void request_flush();
  void flush();
  void solve(const std::vector<std::uint32_t>& flows, const std::vector<LinkId>& links);
  void set_rate(std::uint32_t id, double rate);
  void set_link_load(LinkId l, double load);
  void reroute_link(LinkId l);
  std::int64_t now_ps() const { return sim_->now().ps(); }
  void schedule_fault(sim::Time at, std::function<void()> action);
  void arm_fault(std::size_t i);

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

  sim::Simulator* sim_;
  topologies::Topology* topology_;
  topologies::Router router_;
  NetworkParams params_;
  Listener listener_;

  sim::SlotPool<Flow> flows_;
  sim::SlotPool<Transfer> transfers_;
  std::vector<Link> links_;
  std::vector<LinkStats> link_stats_;

  std::unordered_map<std::int64_t, std::uint32_t> bucket_index_;
  sim::SlotPool<Bucket> buckets_;

  std::unordered_map<ConnectionKey, CachedRoute, ConnectionHash> route_cache_;
  std::uint64_t route_cache_epoch_ = 0;
  std::uint64_t route_cache_generation_ = 1;  // bumped whenever route_cache_ is cleared
  // The last connection each source used: a ring step reuses it without a hash lookup.
  struct LastRoute {
    NodeId dst = 0;
    std::uint32_t subflow = 0;
    std::uint64_t generation = 0;
    const CachedRoute* route = nullptr;
  };
  std::vector<LastRoute> last_route_;
  std::vector<std::uint32_t> planned_load_;  // planned connections per link
  std::size_t route_cache_hops_ = 0;
  std::int64_t last_bucket_key_ = -1;
  std::uint32_t last_bucket_ = 0;

  std::vector<LinkId> dirty_;
  bool flush_pending_ = false;
  std::uint64_t epoch_ = 0;  // component-search stamp; 64 bits never wrap

  // Solver scratch, indexed by link id.
  std::vector<double> residual_;
  std::vector<double> weight_sum_;
  std::vector<std::uint32_t> unfrozen_;
  std::vector<std::uint32_t> comp_flows_;
  std::vector<LinkId> comp_links_;
  std::vector<double> new_rate_;
  std::vector<std::uint32_t> position_;  // flow id -> index in the component
  struct LevelEntry {
    double level;
    LinkId link;
  };
  std::vector<LevelEntry> heap_;
  std::vector<LinkId> path_scratch_;
  std::vector<topologies::WeightedLink> spray_scratch_;

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
