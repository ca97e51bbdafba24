#include "scenarios/kinds/fabric_packet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/collective/link_names.hpp"
#include "models/network/parameters.hpp"
#include "models/network/traffic.hpp"
#include "models/packet/parameters.hpp"
#include "models/packet/workloads.hpp"
#include "scenarios/declared.hpp"
#include "scenarios/scenario_values.hpp"
#include "sim/enum_names.hpp"

namespace scenarios {

namespace mc = models::collective;
namespace mp = models::packet;

bool read_packet_model(Section& network) {
  return declared_text(network, models::network::network_parameter("model")) == "packet";
}

void refuse_packet_section(Section& packet) {
  for (const auto& key : packet.keys()) {
    packet.raw(key);
    packet.error(key, "given, but [network] model is \"flow\" (set model = \"packet\" to use [packet])");
  }
}

// The model's one reader (models/packet/parameters.hpp) over this table: problems carry
// the file, line and key; the caller finishes the section (unknown keys).
mp::PacketParams read_packet_params(Section& s, std::uint64_t seed) {
  ScenarioValues values(s, "packet");
  return mp::read_packet_params(values, seed);
}

void check_packet_experiment(const mc::Experiment& e) {
  // Every workload and fault runs on packets; the topology must give each endpoint one NIC.
  const auto& t = e.topology;
  for (auto n : t.endpoints()) {
    if (t.out_links(n).size() != 1 || t.in_links(n).size() != 1) {
      throw std::invalid_argument("model = \"packet\" needs endpoints with one NIC link (leaf_spine, fat_tree); " +
                                  t.node(n).name + " has " + std::to_string(t.out_links(n).size()));
    }
  }
}

void add_packet_results(RunSummary& summary, const mc::Experiment& e, const mc::ExperimentResult& x,
                        sim::Recorder* recorder) {
  const mc::PacketFigures& p = *x.packet;
  const auto& params = *e.packet;
  summary.title +=
      fmt::format(" (packet model: {}, {} paths{}{})", sim::name_of(params.transport), sim::name_of(params.paths),
                  params.trimming ? ", trimming" : "", params.pfc ? ", PFC" : "");
  auto& m = summary.metrics;
  const auto count = [&m](const char* key, std::uint64_t v) { m.push_back({key, static_cast<double>(v), "count"}); };
  m.push_back({"p99_fct_s", p.p99_fct_s, "s"});
  count("data_packets", p.totals.data_packets);
  count("control_packets", p.totals.control_packets);
  count("drops", p.totals.drops);
  count("ecn_marks", p.totals.ecn_marks);
  count("trims", p.totals.trims);
  count("pfc_pauses", p.totals.pfc_pauses);
  count("retransmissions", p.totals.retransmissions);
  count("timeouts", p.totals.timeouts);
  count("duplicate_packets", p.totals.duplicate_packets);
  count("failed_flows", p.flows_failed);
  if (recorder == nullptr) return;
  const auto& t = e.topology;
  std::vector<std::int64_t> src, dst, retx, timeouts;
  std::vector<double> start, end, fct, bytes;
  for (const auto& f : p.flows) {
    src.push_back(f.src);
    dst.push_back(f.dst);
    bytes.push_back(static_cast<double>(f.bytes));
    start.push_back(f.start.to_seconds());
    end.push_back(f.end ? f.end->to_seconds() : -1.0);
    fct.push_back(f.end ? (*f.end - f.start).to_seconds() : -1.0);
    retx.push_back(f.retransmissions);
    timeouts.push_back(f.timeouts);
  }
  recorder->write_column("flows", "src_node", src, "");
  recorder->write_column("flows", "dst_node", dst, "");
  recorder->write_column("flows", "bytes", bytes, "B");
  recorder->write_column("flows", "start_s", start, "s");
  recorder->write_column("flows", "end_s", end, "s");  // -1: did not finish
  recorder->write_column("flows", "fct_s", fct, "s");
  recorder->write_column("flows", "retransmissions", retx, "count");
  recorder->write_column("flows", "timeouts", timeouts, "count");
  std::vector<std::int64_t> drops, marks, trims, pauses, peak;
  std::vector<double> paused;
  for (const auto& s : p.ports) {
    drops.push_back(static_cast<std::int64_t>(s.drops));
    marks.push_back(static_cast<std::int64_t>(s.ecn_marks));
    trims.push_back(static_cast<std::int64_t>(s.trims));
    pauses.push_back(static_cast<std::int64_t>(s.pauses));
    paused.push_back(static_cast<double>(s.paused_ps) * 1e-12);
    peak.push_back(static_cast<std::int64_t>(s.max_queue_bytes));
  }
  recorder->write_column("links", "drops", drops, "count");
  recorder->write_column("links", "ecn_marks", marks, "count");
  recorder->write_column("links", "trims", trims, "count");
  recorder->write_column("links", "pfc_pauses", pauses, "count");
  recorder->write_column("links", "paused_s", paused, "s");
  recorder->write_column("links", "max_queue_bytes", peak, "B");
  for (std::size_t i = 0; i < p.queue_series.size(); ++i) {
    recorder->write("queue " + mc::link_name(t, e.network.series_links[i]), p.queue_series[i]);
  }
}

void record_packet_ports(sim::Recorder& rec, const topologies::Topology& t, const mp::PacketRunResult& r,
                         const std::vector<topologies::LinkId>& series_links) {
  std::vector<std::string> names;
  std::vector<std::int64_t> drops, marks, trims, pauses, peak;
  std::vector<double> carried, paused;
  for (topologies::LinkId l = 0; l < r.ports.size(); ++l) {
    const auto& s = r.ports[l];
    names.push_back(mc::link_name(t, l));
    carried.push_back(static_cast<double>(s.tx_bytes));
    drops.push_back(static_cast<std::int64_t>(s.drops));
    marks.push_back(static_cast<std::int64_t>(s.ecn_marks));
    trims.push_back(static_cast<std::int64_t>(s.trims));
    pauses.push_back(static_cast<std::int64_t>(s.pauses));
    paused.push_back(static_cast<double>(s.paused_ps) * 1e-12);
    peak.push_back(static_cast<std::int64_t>(s.max_queue_bytes));
  }
  rec.write_column("links", "name", names);
  rec.write_column("links", "carried_bytes", carried, "B");
  rec.write_column("links", "drops", drops, "count");
  rec.write_column("links", "ecn_marks", marks, "count");
  rec.write_column("links", "trims", trims, "count");
  rec.write_column("links", "pfc_pauses", pauses, "count");
  rec.write_column("links", "paused_s", paused, "s");
  rec.write_column("links", "max_queue_bytes", peak, "B");
  for (std::size_t i = 0; i < r.queue_series.size(); ++i) {
    rec.write("queue " + mc::link_name(t, series_links[i]), r.queue_series[i]);
  }
}

RunSummary run_packet_experiment(const mc::Experiment& experiment, const mp::PacketParams& params,
                                 const std::string& name, sim::Recorder* recorder) {
  topologies::Topology t = experiment.topology;
  for (const auto& f : experiment.faults) {
    for (auto l : f.links) {
      if (f.kind == mc::LinkFault::Kind::down) {
        t.set_link_down(l);
      } else {
        t.set_link_degraded(l, f.fraction);
      }
    }
  }
  const auto& w = std::get<mc::PermutationWorkload>(experiment.workload);
  std::vector<std::uint32_t> perm = w.permutation;
  if (perm.empty()) {
    // The flow model's permutation stream: both models draw the same traffic from a seed.
    sim::RandomStream rng(experiment.network.seed, models::network::kPermutationStream);
    perm = models::network::random_derangement(static_cast<std::uint32_t>(t.endpoints().size()), rng);
  }
  mp::PacketParams p = params;
  p.series_links = experiment.network.series_links;
  const auto bytes = static_cast<std::uint64_t>(std::llround(w.bytes));
  const auto r = mp::run_transfers(t, p, mp::permutation_transfers(perm, bytes));

  // The flow model's ideal: bytes at the source NIC's rate plus the path latency.
  double ideal_s = 0.0;
  const auto& ends = t.endpoints();
  topologies::Router router(t);
  for (std::uint32_t i = 0; i < perm.size(); ++i) {
    const auto path = router.shortest_path(ends[i], ends[perm[i]]);
    if (path.empty()) continue;
    double latency_s = 0.0;
    for (auto l : path) latency_s += t.link(l).latency.to_seconds();
    ideal_s = std::max(ideal_s, w.bytes / t.capacity_bytes_per_s(path.front()) + latency_s);
  }

  RunSummary summary;
  summary.complete = r.complete;
  summary.title = fmt::format("{}random permutation, {} hosts, {} bytes per flow, packet model: {}, {} paths{}{}",
                              name.empty() ? "" : name + ": ", perm.size(), bytes, sim::name_of(p.transport),
                              sim::name_of(p.paths), p.trimming ? ", trimming" : "", p.pfc ? ", PFC" : "");
  auto& m = summary.metrics;
  const double nan = std::nan("");
  m.push_back({"completion_s", r.complete ? r.completion_s : nan, "s"});
  m.push_back({"ideal_s", ideal_s, "s"});
  m.push_back({"slowdown_vs_ideal", r.complete ? r.completion_s / ideal_s : nan, ""});
  m.push_back({"median_fct_s", r.median_fct_s, "s"});
  m.push_back({"p99_fct_s", r.p99_fct_s, "s"});
  m.push_back({"complete", r.complete ? 1.0 : 0.0, ""});
  m.push_back({"flows", static_cast<double>(perm.size()), "count"});
  m.push_back({"events", static_cast<double>(r.events), "count"});
  m.push_back({"drops", static_cast<double>(r.totals.drops), "count"});
  m.push_back({"ecn_marks", static_cast<double>(r.totals.ecn_marks), "count"});
  m.push_back({"trims", static_cast<double>(r.totals.trims), "count"});
  m.push_back({"pfc_pauses", static_cast<double>(r.totals.pfc_pauses), "count"});
  m.push_back({"retransmissions", static_cast<double>(r.totals.retransmissions), "count"});
  m.push_back({"timeouts", static_cast<double>(r.totals.timeouts), "count"});

  if (recorder != nullptr) {
    std::vector<std::int64_t> ranks, src, dst, retx;
    std::vector<double> finish, fct, slowdown;
    for (std::uint32_t i = 0; i < r.flows.size(); ++i) {
      ranks.push_back(i);
      src.push_back(i);
      dst.push_back(perm[i]);
      finish.push_back(r.flows[i].end ? r.flows[i].end->to_seconds() : -1.0);
      fct.push_back(r.fct_s[i]);
      slowdown.push_back(r.fct_s[i] < 0 ? -1.0 : r.fct_s[i] / ideal_s);
      retx.push_back(r.flows[i].retransmissions);
    }
    recorder->write_column("ranks", "rank", ranks, "");
    recorder->write_column("ranks", "finish_s", finish, "s");
    recorder->write_column("flows", "src_endpoint", src, "");
    recorder->write_column("flows", "dst_endpoint", dst, "");
    recorder->write_column("flows", "fct_s", fct, "s");
    recorder->write_column("flows", "slowdown", slowdown, "");
    recorder->write_column("flows", "retransmissions", retx, "count");
    record_packet_ports(*recorder, t, r, p.series_links);
  }
  return summary;
}

}  // namespace scenarios
