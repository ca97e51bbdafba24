#include "models/packet/traffic_run.hpp"

namespace models::packet {

TrafficResult run_traffic(const topologies::Topology& topology, const network::NetworkParams& network,
                          const PacketParams* packet, const std::vector<network::TimedTransfer>& transfers) {
  TrafficResult r;
  if (packet == nullptr) {
    auto run = network::run_timed_transfers(topology, network, transfers);
    r.end = std::move(run.end);
    r.events = run.events;
    r.utilisation = std::move(run.series);
  } else {
    auto run = run_transfers(topology, *packet, transfers);
    for (const auto& f : run.flows) r.end.push_back(f.end);
    r.events = run.events;
    r.packet = std::move(run);
  }
  r.ideal_fct_s = network::ideal_fct_s(topology, transfers);
  r.fct = network::summarise_fcts(transfers, r.end, r.ideal_fct_s);
  return r;
}

std::vector<TrafficMetric> traffic_metrics(const TrafficResult& r) {
  const auto& f = r.fct;
  std::vector<TrafficMetric> m = {
      {"completion_s", f.completion_s, "s"},
      {"median_fct_s", f.median_fct_s, "s"},
      {"p99_fct_s", f.p99_fct_s, "s"},
      {"max_fct_s", f.max_fct_s, "s"},
      {"mean_slowdown", f.mean_slowdown, ""},
      {"median_slowdown", f.median_slowdown, ""},
      {"p99_slowdown", f.p99_slowdown, ""},
      {"complete", f.complete ? 1.0 : 0.0, ""},
      {"flows", static_cast<double>(r.end.size()), "count"},
      {"flows_finished", static_cast<double>(f.finished), "count"},
      {"events", static_cast<double>(r.events), "count"},
  };
  if (r.packet) {
    const auto& t = r.packet->totals;
    for (const auto& [name, value] : {std::pair{"drops", t.drops},
                                      {"ecn_marks", t.ecn_marks},
                                      {"trims", t.trims},
                                      {"pfc_pauses", t.pfc_pauses},
                                      {"retransmissions", t.retransmissions},
                                      {"timeouts", t.timeouts}}) {
      m.push_back({name, static_cast<double>(value), "count"});
    }
  }
  return m;
}

}  // namespace models::packet
