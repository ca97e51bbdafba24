// read_packet_params (parameters.hpp): one reading of the [packet] keys for every front end.

#include <fmt/format.h>

#include "models/packet/parameters.hpp"
#include "sim/parameter_reader.hpp"

namespace models::packet {

PacketParams read_packet_params(sim::ValueSource& values, std::uint64_t seed) {
  sim::ParameterReader in(values, packet_parameters(), "packet");
  constexpr std::string_view t = "packet";
  const auto ps = [&in](std::string_view key) { return in.duration("packet", key).ps(); };
  PacketParams p;
  // Checked before narrowing: a size beyond 32 bits must not wrap into the frame's range.
  const std::uint64_t mtu = in.size_bytes(t, "mtu_bytes");
  const std::uint64_t header = in.size_bytes(t, "header_bytes");
  if (mtu > 65535 || header == 0 || header >= mtu) {
    in.report(t, "mtu_bytes",
              fmt::format("expected header_bytes (> 0) < mtu_bytes <= 65535, got {} and {}", header, mtu));
  } else {
    p.mtu_bytes = static_cast<std::uint32_t>(mtu);
    p.header_bytes = static_cast<std::uint32_t>(header);
  }
  p.transport = in.enumerated<Transport>(t, "transport");
  p.paths = in.enumerated<PathSelection>(t, "paths");
  p.entropies = static_cast<std::uint32_t>(in.integer(t, "entropies"));
  p.flowlet_gap_ps = ps("flowlet_gap_us");
  p.switch_latency_ps = ps("switch_latency_ns");
  p.cut_through = in.boolean(t, "cut_through");
  p.port_buffer_bytes = in.size_bytes(t, "port_buffer_bytes");
  p.shared_buffer = in.boolean(t, "shared_buffer");
  p.switch_buffer_bytes = in.size_bytes(t, "switch_buffer_bytes");
  p.shared_alpha = in.number_or_default(t, "shared_alpha");
  p.control_priority = in.boolean(t, "control_priority");
  p.ecn = in.boolean(t, "ecn");
  p.ecn_kmin_bytes = in.size_bytes(t, "ecn_kmin_bytes");
  p.ecn_kmax_bytes = in.size_bytes(t, "ecn_kmax_bytes");
  if (p.ecn_kmax_bytes < p.ecn_kmin_bytes) in.report(t, "ecn_kmax_bytes", "expected ecn_kmax_bytes >= ecn_kmin_bytes");
  p.ecn_pmax = in.number_or_default(t, "ecn_pmax");
  p.pfc = in.boolean(t, "pfc");
  p.pfc_xoff_bytes = in.size_bytes(t, "pfc_xoff_bytes");
  p.pfc_xon_bytes = in.size_bytes(t, "pfc_xon_bytes");
  if (p.pfc_xon_bytes > p.pfc_xoff_bytes) in.report(t, "pfc_xon_bytes", "expected pfc_xon_bytes <= pfc_xoff_bytes");
  p.pfc_headroom_bytes = in.size_bytes(t, "pfc_headroom_bytes");
  p.trimming = in.boolean(t, "trimming");
  p.initial_window_bytes = in.size_bytes(t, "initial_window_bytes");
  p.rto_ps = ps("rto_us");
  if (p.rto_ps <= 0) in.report(t, "rto_us", "expected a positive duration");
  p.dctcp_g = in.number_or_default(t, "dctcp_g");
  p.dcqcn_g = in.number_or_default(t, "dcqcn_g");
  p.dcqcn_timer_ps = ps("dcqcn_timer_us");
  p.dcqcn_cnp_interval_ps = ps("dcqcn_cnp_interval_us");
  if (p.dcqcn_timer_ps <= 0) in.report(t, "dcqcn_timer_us", "expected a positive duration");
  p.dcqcn_byte_counter_bytes = in.size_bytes(t, "dcqcn_byte_counter_bytes");
  p.dcqcn_rate_ai_gbps = in.number_or_default(t, "dcqcn_rate_ai_gbps");
  p.dcqcn_rate_hai_gbps = in.number_or_default(t, "dcqcn_rate_hai_gbps");
  p.dcqcn_fast_recovery_steps = static_cast<std::uint32_t>(in.integer(t, "dcqcn_fast_recovery_steps"));
  p.dcqcn_min_rate_gbps = in.number_or_default(t, "dcqcn_min_rate_gbps");
  p.seed = seed;
  return p;
}

}  // namespace models::packet
