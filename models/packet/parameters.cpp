// The declarations of parameters.hpp; defaults are PacketParams' own.

#include "models/packet/parameters.hpp"

#include <limits>

#include "models/packet/params.hpp"

namespace models::packet {
namespace {

using namespace sim::declare;

constexpr double kInf = std::numeric_limits<double>::infinity();
// What Section::number takes as "no bound".
constexpr double kUnbounded = 1e308;

// A byte count ("64 KiB" or a plain number of bytes); the reader refuses no size of its own.
sim::Parameter size(std::string_view key, std::uint64_t fallback, std::string_view doc) {
  sim::Parameter p;
  p.table = "packet";
  p.key = key;
  p.type = sim::ParamType::size;
  p.unit = "bytes";
  p.default_number = static_cast<double>(fallback);
  p.max = kInf;
  p.doc = doc;
  return p;
}

sim::Parameter ps_duration(std::string_view key, std::string_view unit, std::int64_t fallback_ps, double ps_per_unit,
                           std::string_view doc) {
  return duration("packet", key, unit, static_cast<double>(fallback_ps) / ps_per_unit, kInf, doc);
}

std::vector<sim::Parameter> declare_all() {
  const PacketParams p;
  constexpr std::string_view kFrame = "header_bytes (> 0) < mtu_bytes <= 65535";
  return {
      with_notes(size("mtu_bytes", p.mtu_bytes, "bytes on the wire per packet, header included"), "", kFrame),
      with_notes(size("header_bytes", p.header_bytes, "bytes of a header (control packets, trimmed packets)"), "",
                 kFrame),
      text("packet", "transport", sim::name_of(p.transport), choices_of<Transport>(), "congestion control"),
      text("packet", "paths", sim::name_of(p.paths), choices_of<PathSelection>(),
           "one path per flow, per packet, or per flowlet"),
      integer("packet", "entropies", p.entropies, 1, 1 << 16, "`spray`, `flowlet`: paths to draw from", "paths"),
      ps_duration("flowlet_gap_us", "us", p.flowlet_gap_ps, 1e6, "`flowlet`: a pause that starts a new flowlet"),
      ps_duration("switch_latency_ns", "ns", p.switch_latency_ps, 1e3, "added to every hop into a switch"),
      boolean("packet", "cut_through", p.cut_through, "forward once the header is in"),
      size("port_buffer_bytes", p.port_buffer_bytes, "per output queue (without `shared_buffer`)"),
      boolean("packet", "shared_buffer", p.shared_buffer, "one buffer pool per switch"),
      size("switch_buffer_bytes", p.switch_buffer_bytes, "`shared_buffer`: the pool per switch"),
      number("packet", "shared_alpha", "", p.shared_alpha, 1e-6, 1e6,
             "`shared_buffer`: a queue is admitted while under alpha x the free pool"),
      boolean("packet", "control_priority", p.control_priority,
              "control packets and trimmed headers in a strict-priority queue"),
      boolean("packet", "ecn", p.ecn, "RED marking on the data queue"),
      size("ecn_kmin_bytes", p.ecn_kmin_bytes, "no mark below"),
      with_notes(size("ecn_kmax_bytes", p.ecn_kmax_bytes, "every packet marked above"), "", ">= ecn_kmin_bytes"),
      number("packet", "ecn_pmax", "", p.ecn_pmax, 0.0, 1.0, "marking probability at `ecn_kmax_bytes`"),
      boolean("packet", "pfc", p.pfc, "priority flow control (one priority)"),
      size("pfc_xoff_bytes", p.pfc_xoff_bytes, "pause an ingress port above"),
      with_notes(size("pfc_xon_bytes", p.pfc_xon_bytes, "resume it below"), "", "<= pfc_xoff_bytes"),
      size("pfc_headroom_bytes", p.pfc_headroom_bytes, "admitted above xoff"),
      boolean("packet", "trimming", p.trimming, "cut a packet that does not fit to its header (NDP)"),
      with_notes(size("initial_window_bytes", p.initial_window_bytes, "`dctcp`, `ndp`: the first window"),
                 "0 (path BDP + 1 MTU)"),
      with_notes(ps_duration("rto_us", "us", p.rto_ps, 1e6, "retransmission timeout"), "", "> 0"),
      number("packet", "dctcp_g", "", p.dctcp_g, 1e-9, 1.0, "`dctcp`: alpha's gain"),
      number("packet", "dcqcn_g", "", p.dcqcn_g, 1e-9, 1.0, "`dcqcn`: alpha's gain"),
      with_notes(ps_duration("dcqcn_timer_us", "us", p.dcqcn_timer_ps, 1e6, "`dcqcn`: rate increase period"), "",
                 "> 0"),
      ps_duration("dcqcn_cnp_interval_us", "us", p.dcqcn_cnp_interval_ps, 1e6,
                  "`dcqcn`: at most one CNP per flow per interval"),
      size("dcqcn_byte_counter_bytes", p.dcqcn_byte_counter_bytes, "`dcqcn`: an increase step per this many bytes"),
      number("packet", "dcqcn_rate_ai_gbps", "Gb/s", p.dcqcn_rate_ai_gbps, 0.0, kUnbounded,
             "`dcqcn`: additive increase"),
      number("packet", "dcqcn_rate_hai_gbps", "Gb/s", p.dcqcn_rate_hai_gbps, 0.0, kUnbounded,
             "`dcqcn`: hyper increase"),
      integer("packet", "dcqcn_fast_recovery_steps", p.dcqcn_fast_recovery_steps, 0, 1000,
              "`dcqcn`: fast-recovery steps before additive increase", "steps"),
      number("packet", "dcqcn_min_rate_gbps", "Gb/s", p.dcqcn_min_rate_gbps, 1e-6, kUnbounded,
             "`dcqcn`: the lowest rate"),
  };
}

}  // namespace

const std::vector<sim::Parameter>& packet_parameters() {
  static const std::vector<sim::Parameter> all = declare_all();
  return all;
}

const sim::Parameter& packet_parameter(std::string_view key) {
  return sim::find_parameter(packet_parameters(), "packet", key, "packet");
}

std::string packet_parameters_markdown() { return sim::parameters_markdown(packet_parameters(), "packet"); }

}  // namespace models::packet
