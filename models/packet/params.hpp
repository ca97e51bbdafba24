#pragma once
// Parameters of the packet-level fabric (docs/packet.md explains each and its default).
// Enums read as text have one name table each (sim/enum_names.hpp).

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sim/enum_names.hpp"
#include "topologies/topology.hpp"

namespace models::packet {

enum class Transport : std::uint8_t {
  dctcp,  // window, ECN-fraction backoff (Alizadeh et al., SIGCOMM 2010)
  dcqcn,  // RoCEv2 rate control: CNPs, alpha, fast recovery / additive / hyper increase
  ndp,    // receiver-driven: an initial window, then one packet per pull; trimmed headers NACKed
};
inline constexpr sim::EnumName<Transport> kTransportNames[] = {
    {Transport::dctcp, "dctcp"}, {Transport::dcqcn, "dcqcn"}, {Transport::ndp, "ndp"}, {Transport::ndp, "eqds"}};
constexpr std::span<const sim::EnumName<Transport>> enum_names(Transport) { return kTransportNames; }

enum class PathSelection : std::uint8_t {
  ecmp,     // one path per flow from its 5-tuple hash
  spray,    // every packet on one of `entropies` paths, drawn at random
  flowlet,  // a new entropy after a gap of flowlet_gap_ps in a flow's packets
};
inline constexpr sim::EnumName<PathSelection> kPathSelectionNames[] = {
    {PathSelection::ecmp, "ecmp"}, {PathSelection::spray, "spray"}, {PathSelection::flowlet, "flowlet"}};
constexpr std::span<const sim::EnumName<PathSelection>> enum_names(PathSelection) { return kPathSelectionNames; }

struct PacketParams {
  // Packets: `mtu_bytes` on the wire, of which `header_bytes` are headers; control
  // packets (ACK, NACK, pull, CNP) and trimmed packets are header-only.
  std::uint32_t mtu_bytes = 4096;
  std::uint32_t header_bytes = 64;

  Transport transport = Transport::dctcp;
  PathSelection paths = PathSelection::ecmp;
  std::uint32_t entropies = 256;            // spray, flowlet
  std::int64_t flowlet_gap_ps = 5'000'000;  // flowlet

  // Switches. A switch adds switch_latency_ps to the link latency of the hop it forwards
  // onto (topology link latencies already include their own switching share).
  std::int64_t switch_latency_ps = 0;
  bool cut_through = false;                    // forward once the header is in, not the whole packet
  std::uint64_t port_buffer_bytes = 1u << 20;  // per output queue (without shared_buffer)
  bool shared_buffer = false;
  std::uint64_t switch_buffer_bytes = 32u << 20;  // per switch, with shared_buffer
  double shared_alpha = 1.0;                      // dynamic threshold: a queue may hold alpha x free
  bool control_priority = true;                   // control packets and trimmed headers jump the data queue

  // ECN, RED-style on the instantaneous queue at enqueue: none below kmin, probability
  // rising linearly to pmax at kmax, every packet above kmax.
  bool ecn = true;
  std::uint64_t ecn_kmin_bytes = 100'000;
  std::uint64_t ecn_kmax_bytes = 400'000;
  double ecn_pmax = 0.2;

  // PFC (one priority): a switch pauses the upstream port of an ingress link once the
  // bytes it holds from that link pass xoff, resumes below xon; `headroom` above xoff
  // absorbs what is in flight while the pause travels. Lossless while it suffices.
  bool pfc = false;
  std::uint64_t pfc_xoff_bytes = 200'000;
  std::uint64_t pfc_xon_bytes = 100'000;
  std::uint64_t pfc_headroom_bytes = 100'000;

  bool trimming = false;  // NDP: a packet that does not fit is cut to its header, not dropped

  // Transports.
  std::uint64_t initial_window_bytes = 0;  // 0: one bandwidth-delay product of the flow's path
  std::int64_t rto_ps = 1'000'000'000;     // retransmission timeout
  double dctcp_g = 1.0 / 16;
  double dcqcn_g = 1.0 / 256;
  std::int64_t dcqcn_timer_ps = 55'000'000;         // rate increase and alpha decay period
  std::int64_t dcqcn_cnp_interval_ps = 50'000'000;  // at most one CNP per flow per interval
  double dcqcn_rate_ai_gbps = 5.0;
  double dcqcn_rate_hai_gbps = 50.0;
  std::uint32_t dcqcn_fast_recovery_steps = 5;
  std::uint64_t dcqcn_byte_counter_bytes = 1'000'000;  // an increase step per this many bytes sent
  double dcqcn_min_rate_gbps = 0.1;

  std::uint64_t seed = 1;  // ECMP hash, spraying draws, RED draws
  // Output ports (by link) whose queue depth is recorded at every change.
  std::vector<topologies::LinkId> series_links;
};

}  // namespace models::packet
