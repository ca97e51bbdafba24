#pragma once
// Packet-level fabric: every packet is serialised by the port it leaves on, waits in the
// output queues of the switches it crosses (finite buffers, ECN, PFC, trimming) and is
// delivered to a transport (DCTCP, DCQCN or NDP) that acknowledges, paces and
// retransmits. Same topologies, routing (topologies::Router), route table
// (models/network/route_table.hpp), simulator and random streams as the flow model.
//
// One port per directed link: the sending end of the link, with its queue. Endpoints
// have no data queue: their NIC takes the next packet from its flows whenever it is free
// (round robin over the flows whose window, rate or credit allows a packet), so a host
// never queues more than its transport lets out.
//
// Files: packet_network.cpp (ports, queues, forwarding, PFC), hosts.cpp (NIC scheduling,
// path selection, flow start), transports.cpp (receivers, senders, timers).

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "models/network/route_table.hpp"
#include "models/packet/fifo.hpp"
#include "models/packet/params.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"
#include "sim/slot_pool.hpp"
#include "sim/stats.hpp"
#include "topologies/routing.hpp"
#include "topologies/topology.hpp"

namespace models::packet {

using topologies::LinkId;
using topologies::NodeId;

struct PortStats {
  std::uint64_t tx_bytes = 0;  // on the wire, headers included
  std::uint64_t tx_packets = 0;
  std::uint64_t drops = 0;
  std::uint64_t ecn_marks = 0;
  std::uint64_t trims = 0;
  std::uint64_t pauses = 0;    // PFC pauses this port obeyed
  std::int64_t paused_ps = 0;  // time spent paused
  std::uint64_t max_queue_bytes = 0;
};

struct FlowRecord {
  std::uint64_t tag = 0;
  NodeId src = 0;
  NodeId dst = 0;
  std::uint64_t bytes = 0;
  sim::Time start;
  std::optional<sim::Time> end;  // last byte received; none if never
  std::uint32_t packets = 0;
  std::uint32_t retransmissions = 0;
  std::uint32_t timeouts = 0;
};

struct Totals {
  std::uint64_t data_packets = 0;  // sent by hosts, retransmissions included
  std::uint64_t control_packets = 0;
  std::uint64_t drops = 0;
  std::uint64_t ecn_marks = 0;
  std::uint64_t trims = 0;
  std::uint64_t pfc_pauses = 0;
  std::uint64_t retransmissions = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t duplicate_packets = 0;  // data received twice (a spurious retransmission)
};

class PacketNetwork {
 public:
  // Called with delivered = true when the receiver holds every byte of a flow, false
  // when a fault left the flow without a path (it will never complete).
  using Listener = std::function<void(std::uint64_t tag, bool delivered)>;

  // Throws std::invalid_argument naming a parameter that cannot work (MTU not above the
  // header, an endpoint with other than one link out, ...). Given a mutable topology the
  // network can take faults (link_down_at, link_degraded_at), which change its links'
  // states as the flow model's do.
  PacketNetwork(sim::Simulator& sim, const topologies::Topology& topology, PacketParams params);
  PacketNetwork(sim::Simulator& sim, topologies::Topology& topology, PacketParams params);
  PacketNetwork(const PacketNetwork&) = delete;
  PacketNetwork& operator=(const PacketNetwork&) = delete;

  void set_listener(Listener listener) { listener_ = std::move(listener); }

  // Starts a flow of `bytes` from endpoint node src to endpoint node dst now. Returns
  // the index of its record. When dst is unreachable the flow fails at once (the
  // listener hears delivered = false in an event now).
  std::uint32_t start_flow(NodeId src, NodeId dst, std::uint64_t bytes, std::uint64_t tag);

  // Faults at absolute time `at` (faults.cpp). A link that goes down loses the packets
  // queued at its port and those on its wire; every open flow is routed again over the
  // links still up (its transport retransmits what was lost); a flow with no path left
  // fails. A degraded link serialises at `fraction` of its nominal rate.
  void link_down_at(sim::Time at, LinkId link);
  void link_degraded_at(sim::Time at, LinkId link, double fraction);

  // Per directed link, by the flows' ECMP paths: open flows at once (most), flows
  // completed and the fastest completed flow's rate (bytes / FCT), in Gb/s.
  std::uint32_t link_max_flows(LinkId link) const { return link_max_flows_[link]; }
  std::uint64_t link_flows_completed(LinkId link) const { return link_completed_[link]; }
  double link_best_flow_gbps(LinkId link) const { return link_best_gbps_[link]; }
  std::uint64_t flows_failed() const { return flows_failed_; }
  const topologies::Topology& topology() const { return *topology_; }

  const std::vector<FlowRecord>& flows() const { return records_; }
  std::vector<PortStats> port_stats() const;  // paused time counted up to now
  const Totals& totals() const { return totals_; }
  // Queue depth (bytes) of PacketParams::series_links' ports, in that order.
  const std::vector<sim::TimeSeries>& queue_series() const { return series_; }
  const PacketParams& params() const { return params_; }
  std::size_t flows_open() const { return open_flows_; }
  std::size_t packets_alive() const { return packets_.live_count(); }
  // Serialisation of `bytes` on a link, as the ports compute it.
  std::int64_t serialization_ps(LinkId link, std::uint32_t bytes) const;

 private:
  enum class Kind : std::uint8_t { data, ack, nack, pull, cnp };
  struct Packet {
    std::uint32_t flow = 0;
    std::uint32_t seq = 0;
    std::uint32_t route = 0;
    LinkId ingress = kNoLink;         // the link it came in on, while queued in a switch
    std::int64_t ingress_end_ps = 0;  // cut-through: when its last byte has come in
    std::uint16_t bytes = 0;
    std::uint16_t hop = 0;
    Kind kind = Kind::data;
    bool ecn = false;
    bool trimmed = false;
    std::uint8_t tx = 0;  // which transmission of `seq` (retransmissions count up)
  };
  static constexpr LinkId kNoLink = UINT32_MAX;
  static constexpr std::uint32_t kNone = UINT32_MAX;

  struct Port {
    Fifo<> data;
    Fifo<> control;
    std::uint64_t data_bytes = 0;
    std::uint64_t control_bytes = 0;
    double ps_per_byte = 0.0;
    std::int64_t latency_ps = 0;  // to the far end's queue: link latency (+ switch latency)
    std::int64_t header_ps = 0;   // serialisation of a header (cut-through, control packets)
    std::int64_t mtu_ps = 0;      // serialisation of a full packet
    NodeId from = 0;
    std::int32_t host = -1;  // index in hosts_ when the port is an endpoint's NIC
    std::int32_t series = -1;
    bool to_switch = false;
    bool wake_pending = false;  // a tx_done is scheduled at busy_until_ps
    bool paused = false;
    bool down = false;
    std::int64_t busy_until_ps = 0;  // the packet on the wire is out by then
    std::int64_t paused_since_ps = 0;
    PortStats stats;
  };

  // Per sequence number at the sender.
  enum SeqState : std::uint8_t { unsent = 0, in_flight = 1, acked = 2, queued = 3 };
  struct Sent {
    std::uint32_t seq;
    std::uint32_t tx;
    std::int64_t at_ps;
  };
  struct Flow {
    NodeId src = 0;
    NodeId dst = 0;
    std::uint32_t src_host = 0;
    std::uint32_t dst_host = 0;
    std::uint64_t bytes = 0;
    std::uint32_t packets = 0;
    std::uint64_t hash = 0;
    std::uint32_t route = kNone;                // ECMP path, forward
    std::uint32_t back_route = kNone;           // ECMP path of the reverse connection (control)
    std::uint32_t entropy = 0;                  // flowlet: the current one
    std::vector<std::uint32_t> entropy_routes;  // spray, flowlet: by entropy, kNone until used
    // Spray, flowlet: the next hops towards dst of each node an entropy's walk crossed
    // (hop_links[begin, begin + count)), so that 256 entropies scan a leaf's links once.
    struct NextHops {
      NodeId node;
      std::uint32_t begin;
      std::uint32_t count;
    };
    std::vector<NextHops> hop_nodes;
    std::vector<LinkId> hop_links;
    std::int64_t last_send_ps = INT64_MIN / 2;
    // Sender.
    std::uint32_t next_seq = 0;
    std::uint32_t acked_count = 0;
    std::vector<std::uint8_t> state;  // SeqState per sequence number
    std::vector<std::uint8_t> sends;  // transmissions per sequence number
    Fifo<> rtx;
    Fifo<Sent> timeline;  // transmissions in time order, for the timeout
    std::uint64_t inflight_bytes = 0;
    bool timer_armed = false;
    bool sender_done = false;
    std::uint32_t host_slot = 0;
    double cwnd_bytes = 0.0;  // DCTCP
    double alpha = 1.0;       // DCTCP, DCQCN
    double window_acked = 0.0;
    double window_marked = 0.0;
    double window_target = 0.0;
    double rate_bps = 0.0;  // DCQCN, bytes per second
    double target_bps = 0.0;
    double line_bps = 0.0;
    std::uint32_t stage = 0;
    std::uint64_t counted_bytes = 0;  // DCQCN byte counter
    std::int64_t next_send_ps = 0;
    std::int64_t last_cnp_ps = INT64_MIN / 2;  // at the sender: last CNP received
    std::uint32_t credits = 0;                 // NDP
    // Receiver.
    std::vector<bool> received;
    std::uint32_t received_count = 0;
    std::int64_t cnp_sent_ps = INT64_MIN / 2;
    bool receiver_done = false;
    bool failed = false;  // lost every path
    std::uint32_t record = 0;
  };
  struct Host {
    NodeId node = 0;
    LinkId port = 0;                   // its one link out
    LinkId in_port = 0;                // the link that delivers to it (pull pacing)
    std::vector<std::uint32_t> flows;  // sending, not yet fully acknowledged
    std::size_t next = 0;              // round robin
    std::int64_t wake_ps = INT64_MAX;  // a pacing wake-up pending at this time
    Fifo<> pulls;                      // NDP: flows owed a pull
    bool pulling = false;
  };

  // Ports and forwarding (packet_network.cpp).
  void enqueue(LinkId port, std::uint32_t pkt);
  bool admit(const Port& port, const Packet& k) const;
  void try_send(LinkId port);
  void transmit(LinkId port, std::uint32_t pkt);
  void tx_done(LinkId port);
  void wake_at_end(LinkId port);
  void set_rate(LinkId port);
  void arrive(std::uint32_t pkt);
  void released(const Port& port, const Packet& k);
  void send_pause(LinkId link, bool pause);
  void set_paused(LinkId link, bool pause);
  void sample(LinkId port);
  std::uint32_t new_packet(Kind kind, std::uint32_t flow, std::uint32_t seq, std::uint32_t route, std::uint16_t bytes);
  void free_packet(std::uint32_t pkt) { packets_.release(pkt); }

  // Hosts (hosts.cpp).
  std::uint32_t next_host_packet(std::uint32_t host);
  bool sendable(Flow& f, std::int64_t& wake_ps);
  std::uint32_t data_route(Flow& f);
  std::uint32_t entropy_route(Flow& f, std::uint32_t subflow);
  const Flow::NextHops& next_hops(Flow& f, NodeId node);
  std::uint32_t intern_path();
  std::uint64_t connection_hash(NodeId src, NodeId dst, std::uint32_t subflow) const;
  void kick(std::uint32_t host);
  void wake(std::uint32_t host);
  std::uint64_t initial_window(const Flow& f) const;
  std::uint32_t payload(const Flow& f, std::uint32_t seq) const;
  std::uint16_t wire(const Flow& f, std::uint32_t seq) const {
    return static_cast<std::uint16_t>(payload(f, seq) + params_.header_bytes);
  }
  void send_control(Kind kind, std::uint32_t flow, std::uint32_t seq, bool ecn);

  // Faults (faults.cpp).
  void take_down(LinkId link);
  void reroute_flows();
  void fail_flow(std::uint32_t id);
  void count_path(const Flow& f, int delta);
  std::uint32_t try_connection_route(NodeId src, NodeId dst, std::uint32_t subflow);

  // Transports (transports.cpp).
  void deliver(std::uint32_t pkt);
  void on_data(Flow& f, std::uint32_t id, const Packet& k);
  void on_control(Flow& f, std::uint32_t id, const Packet& k);
  void on_ack(Flow& f, std::uint32_t id, std::uint32_t seq, bool ecn);
  void sent(Flow& f, std::uint32_t id, std::uint32_t seq);
  void arm_timer(Flow& f, std::uint32_t id);
  void timeout(std::uint32_t id);
  void dcqcn_tick(std::uint32_t id);
  void dcqcn_increase(Flow& f);
  void pull_tick(std::uint32_t host);
  void sender_finished(Flow& f, std::uint32_t id);

  sim::Simulator* sim_;
  const topologies::Topology* topology_;
  topologies::Topology* mutable_topology_ = nullptr;  // for faults
  topologies::Router router_;
  PacketParams params_;
  Listener listener_;
  sim::RandomStream rng_;

  std::vector<Port> ports_;
  std::vector<std::uint64_t> ingress_bytes_;  // by link: bytes it brought that its far switch holds
  std::vector<std::uint8_t> xoff_sent_;       // by link: the far switch has paused it
  std::vector<std::uint64_t> switch_used_;    // by node: shared buffer in use
  std::vector<Host> hosts_;
  std::vector<std::int32_t> host_of_;  // by node
  sim::SlotPool<Packet> packets_;
  std::vector<Flow> flows_;
  network::RouteTable routes_;
  // Every route's links, flat: a packet's next link is path_[path_start_[route] + hop].
  std::vector<std::uint32_t> path_start_;
  std::vector<std::uint16_t> path_length_;
  std::vector<LinkId> path_;
  std::vector<LinkId> path_scratch_;
  std::vector<network::LinkHop> hop_scratch_;

  std::vector<FlowRecord> records_;
  std::vector<sim::TimeSeries> series_;
  Totals totals_;
  std::size_t open_flows_ = 0;
  std::uint64_t flows_failed_ = 0;
  std::vector<std::uint32_t> link_open_flows_;  // by link, on the flows' ECMP paths
  std::vector<std::uint32_t> link_max_flows_;
  std::vector<std::uint64_t> link_completed_;
  std::vector<double> link_best_gbps_;
};

}  // namespace models::packet
