#include "scenarios/kinds/fabric_traffic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

#include "models/collective/link_names.hpp"
#include "models/collective/parameters.hpp"
#include "models/packet/traffic_run.hpp"
#include "scenarios/declared.hpp"
#include "scenarios/kinds/fabric_packet.hpp"
#include "sim/enum_names.hpp"
#include "topologies/routing.hpp"

namespace scenarios {

namespace {

namespace mc = models::collective;
namespace mn = models::network;
namespace mp = models::packet;

// [workload] keys by their declarations (models/collective/parameters.hpp).
const sim::Parameter& key_of(std::string_view key) { return mc::workload_parameter(key); }

// A flow size: `fallback` for `bytes`, whose default depends on the workload type.
double bytes_key(Section& w, std::string_view key, std::optional<std::uint64_t> fallback = std::nullopt) {
  const auto b = declared_size(w, key_of(key), fallback);
  if (b < 1 || b > mn::kMaxTransferBytes) w.error(key, "expected 1 byte to 1 TiB, got " + std::to_string(b));
  return static_cast<double>(b);
}

std::string path_key(Section& w, std::string_view key, const std::string& dir) {
  std::string file = declared_text(w, key_of(key));
  if (!file.empty() && file.front() != '/') file = dir + "/" + file;
  return file;
}

void read_sizes(Section& w, mn::FlowSizes& s, const std::string& dir) {
  using Kind = mn::FlowSizes::Kind;
  const auto kind = declared_text(w, key_of("sizes"));
  if (kind == "fixed") s.bytes = bytes_key(w, "bytes", mc::workload_bytes_default("poisson"));
  if (kind == "uniform") {
    s.kind = Kind::uniform;
    s.min_bytes = bytes_key(w, "min_bytes");
    s.max_bytes = bytes_key(w, "max_bytes");
    if (s.min_bytes > s.max_bytes) w.error("max_bytes", "expected max_bytes >= min_bytes");
  }
  if (kind == "lognormal") {
    s.kind = Kind::lognormal;
    s.median_bytes = bytes_key(w, "median_bytes");
    s.sigma = declared_number(w, key_of("sigma"));
  }
  if (kind == "cdf") {
    const std::string file = path_key(w, "cdf_file", dir);
    try {
      s = mn::read_size_cdf(file);
    } catch (const std::invalid_argument& e) {
      w.error("cdf_file", e.what());
    }
  }
}

std::string model_words(const mp::PacketParams* p, const mn::NetworkParams& n) {
  if (p == nullptr) return fmt::format("flow model, {} paths", sim::name_of(n.policy));
  return fmt::format("packet model: {}, {} paths{}{}", sim::name_of(p->transport), sim::name_of(p->paths),
                     p->trimming ? ", trimming" : "", p->pfc ? ", PFC" : "");
}

void record(sim::Recorder& rec, const topologies::Topology& t, const std::vector<mn::TimedTransfer>& transfers,
            const mp::TrafficResult& r, const std::vector<topologies::LinkId>& series) {
  std::vector<std::int64_t> src, dst;
  std::vector<double> bytes, start, end;
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    src.push_back(transfers[i].src);
    dst.push_back(transfers[i].dst);
    bytes.push_back(static_cast<double>(transfers[i].bytes));
    start.push_back(transfers[i].start.to_seconds());
    end.push_back(r.end[i] ? r.end[i]->to_seconds() : -1.0);
  }
  rec.write_column("flows", "src_endpoint", src, "");
  rec.write_column("flows", "dst_endpoint", dst, "");
  rec.write_column("flows", "bytes", bytes, "B");
  rec.write_column("flows", "start_s", start, "s");
  rec.write_column("flows", "end_s", end, "s");  // -1: did not finish
  rec.write_column("flows", "fct_s", r.fct.fct_s, "s");
  rec.write_column("flows", "ideal_fct_s", r.ideal_fct_s, "s");
  rec.write_column("flows", "slowdown", r.fct.slowdown, "");
  if (r.packet) {
    std::vector<std::int64_t> retx;
    for (const auto& f : r.packet->flows) retx.push_back(f.retransmissions);
    rec.write_column("flows", "retransmissions", retx, "count");
    record_packet_ports(rec, t, *r.packet, series);
  }
  for (std::size_t i = 0; i < r.utilisation.size(); ++i) {
    rec.write("utilisation " + models::collective::link_name(t, series[i]), r.utilisation[i]);
  }
}

}  // namespace

std::optional<TrafficWorkload> read_traffic_workload(Section& w, const std::string& dir) {
  if (!w.has("type")) return std::nullopt;
  const auto* node = w.raw("type")->as_string();
  if (node == nullptr) return std::nullopt;
  TrafficWorkload t;
  t.type = node->get();
  if (t.type == "incast") {
    t.bytes = static_cast<std::uint64_t>(bytes_key(w, "bytes", mc::workload_bytes_default("incast")));
    t.senders = static_cast<std::uint32_t>(declared_integer(w, key_of("senders")));
    t.receiver = static_cast<std::uint32_t>(declared_integer(w, key_of("receiver")));
  } else if (t.type == "traffic_matrix") {
    t.file = path_key(w, "file", dir);
  } else if (t.type == "poisson") {
    t.poisson.load = declared_number(w, key_of("load"));
    read_sizes(w, t.poisson.sizes, dir);
    if (w.has("duration_us")) t.poisson.duration = declared_duration(w, key_of("duration_us"));
    t.poisson.max_flows = static_cast<std::uint64_t>(declared_integer(w, key_of("flows")));
    if (!w.has("duration_us") && !w.has("flows")) w.error("load", "expected duration_us or flows (or both) with it");
    if (w.has("duration_us") && t.poisson.duration <= sim::Time::zero()) w.error("duration_us", "expected > 0");
  } else {
    return std::nullopt;
  }
  return t;
}

namespace {

// The transfers with their hosts as endpoint indices.
std::vector<mn::TimedTransfer> on_endpoints(std::vector<mn::TimedTransfer> transfers,
                                            const std::vector<std::uint32_t>& hosts) {
  for (auto& t : transfers) {
    t.src = hosts[t.src];
    t.dst = hosts[t.dst];
  }
  return transfers;
}

// The run's figures as the traffic summary reads them (models/packet/traffic_run.hpp).
mp::TrafficResult traffic_result(const topologies::Topology& fabric, const std::vector<mn::TimedTransfer>& transfers,
                                 const mc::ExperimentResult& x) {
  mp::TrafficResult r;
  for (double end_s : x.run.transfer_end_s) {
    r.end.push_back(end_s < 0.0 ? std::nullopt : std::optional(sim::Time::from_ps(std::llround(end_s * 1e12))));
  }
  r.events = x.run.events;
  r.utilisation = x.series;
  if (x.packet) {
    mp::PacketRunResult p;
    // Records are in start order; a transfer's tag is its index.
    p.flows.resize(transfers.size());
    for (const auto& f : x.packet->flows) p.flows.at(f.tag) = f;
    p.totals = x.packet->totals;
    p.ports = x.packet->ports;
    p.queue_series = x.packet->queue_series;
    p.events = x.run.events;
    r.packet = std::move(p);
  }
  r.ideal_fct_s = mn::ideal_fct_s(fabric, transfers);
  r.fct = mn::summarise_fcts(transfers, r.end, r.ideal_fct_s);
  return r;
}

}  // namespace

BuiltTraffic build_traffic(const TrafficWorkload& tw, const topologies::Topology& fabric,
                           const std::vector<std::uint32_t>& hosts, std::uint64_t seed, Section& w) {
  const auto& ends = fabric.endpoints();
  const auto n = static_cast<std::uint32_t>(hosts.size());
  BuiltTraffic out;
  auto& transfers = out.transfers;
  if (tw.type == "incast") {
    const std::uint32_t senders = tw.senders == 0 ? n - 1 : tw.senders;
    if (tw.receiver >= n) w.error("receiver", fmt::format("expected a host index below {}", n));
    if (senders >= n) w.error("senders", fmt::format("expected at most {} (the other hosts)", n - 1));
    w.throw_if_errors();
    std::vector<std::uint32_t> from;
    for (std::uint32_t k = 1; k <= senders; ++k) from.push_back((tw.receiver + k) % n);
    transfers = mn::incast_transfers(from, tw.receiver, tw.bytes);
    // The receiver's link is busy from the first byte's arrival (over the shortest of the
    // senders' paths) until it has carried every byte; a flow alone may take longer still
    // (a slower sender).
    const auto receiver = ends[hosts[tw.receiver]];
    const double in = fabric.capacity_bytes_per_s(fabric.in_links(receiver)[0]);
    topologies::Router router(fabric);
    double latency_s = std::numeric_limits<double>::infinity();
    for (auto s : from) {
      double l = 0.0;
      for (auto link : router.shortest_path(ends[hosts[s]], receiver)) {
        l += fabric.link(link).latency.to_seconds();
      }
      latency_s = std::min(latency_s, l);
    }
    double ideal = latency_s + static_cast<double>(senders) * static_cast<double>(tw.bytes) / in;
    for (double f : mn::ideal_fct_s(fabric, on_endpoints(transfers, hosts))) ideal = std::max(ideal, f);
    out.figures = {{"ideal_s", ideal}};
    out.what = fmt::format("incast {}-to-1 into endpoint {}, {} bytes each", senders, hosts[tw.receiver], tw.bytes);
  } else if (tw.type == "traffic_matrix") {
    std::vector<std::string> names;
    for (auto h : hosts) names.push_back(fabric.node(ends[h]).name);
    try {
      transfers = mn::read_traffic_matrix(tw.file, names);
    } catch (const std::invalid_argument& err) {
      w.error("file", err.what());
    }
    w.throw_if_errors();
    out.what = fmt::format("traffic matrix {}, {} flows", std::filesystem::path(tw.file).filename().string(),
                           transfers.size());
  } else {
    std::vector<double> capacity;
    for (auto h : hosts) capacity.push_back(fabric.capacity_bytes_per_s(fabric.out_links(ends[h])[0]));
    try {
      transfers = mn::poisson_transfers(tw.poisson, capacity, seed);
    } catch (const std::invalid_argument& err) {
      w.error("load", err.what());
    }
    w.throw_if_errors();
    // The load the drawn flows offer over the arrival window (the duration, or up to the
    // last start when only a flow count bounds it).
    double bytes = 0.0, total = 0.0;
    for (const auto& t : transfers) bytes += static_cast<double>(t.bytes);
    for (double c : capacity) total += c;
    const double window = tw.poisson.duration != sim::Time::max() ? tw.poisson.duration.to_seconds()
                          : transfers.empty()                     ? 0.0
                                                                  : transfers.back().start.to_seconds();
    out.figures = {{"target_load", tw.poisson.load},
                   {"offered_load", window > 0 ? bytes / (total * window) : std::nan("")},
                   {"mean_flow_bytes", tw.poisson.sizes.mean_bytes()}};
    out.what = fmt::format("Poisson arrivals at load {}, {} flows", tw.poisson.load, transfers.size());
  }
  if (transfers.empty()) w.error("type", "the workload has no transfers (a duration too short?)");
  w.throw_if_errors();
  return out;
}

PreparedRun prepare_traffic(const mc::Experiment& e, const mp::PacketParams* packet, const TrafficWorkload& tw,
                            const std::string& name, Section& w) {
  // The fabric as the run starts, for the ideal FCTs.
  auto fabric = std::make_shared<topologies::Topology>(e.topology);
  for (const auto& f : e.faults) {
    if (f.at != sim::Time::zero()) continue;
    for (auto l : f.links) {
      if (f.kind == mc::LinkFault::Kind::down) {
        fabric->set_link_down(l);
      } else {
        fabric->set_link_degraded(l, f.fraction);
      }
    }
  }
  if (packet == nullptr && e.network.policy == mn::PathPolicy::planned) {
    throw std::invalid_argument(
        "policy = \"planned\" plans a permutation; traffic workloads take ecmp, spray or split");
  }
  std::vector<std::uint32_t> hosts(fabric->endpoints().size());
  for (std::uint32_t i = 0; i < hosts.size(); ++i) hosts[i] = i;
  auto built = build_traffic(tw, *fabric, hosts, e.network.seed, w);
  auto experiment = std::make_shared<mc::Experiment>(e);
  experiment->workload = mc::TrafficWorkload{std::move(built.transfers)};
  if (packet != nullptr) experiment->packet = *packet;
  mc::check_experiment(*experiment);

  std::string faults;
  for (const auto& f : e.faults) {
    if (f.at != sim::Time::zero()) faults = ", faults during the run";
  }
  const std::string title =
      (name.empty() ? "" : name + ": ") + built.what + ", " + model_words(packet, e.network) + faults;
  const auto extra = std::move(built.figures);
  return [fabric, experiment, title, extra](sim::Recorder* recorder) {
    mc::Experiment run = *experiment;  // a run changes the fabric's link states
    const auto x = mc::run_experiment(run);
    const auto& transfers = std::get<mc::TrafficWorkload>(experiment->workload).transfers;
    const auto r = traffic_result(*fabric, transfers, x);
    RunSummary s;
    s.title =
        title +
        (r.fct.complete ? "" : fmt::format("; INCOMPLETE: {} flows did not finish", transfers.size() - r.fct.finished));
    s.complete = r.fct.complete;
    for (const auto& m : mp::traffic_metrics(r)) s.metrics.push_back({m.name, m.value, m.unit});
    s.metrics.push_back({"lost_transfers", static_cast<double>(x.run.failed_transfers.size()), "count"});
    for (const auto& [key, value] : extra) {
      s.metrics.push_back({key, value, key == "ideal_s" ? "s" : key == "mean_flow_bytes" ? "B" : ""});
      if (key == "ideal_s") s.metrics.push_back({"slowdown_vs_ideal", r.fct.completion_s / value, ""});
    }
    if (recorder != nullptr) record(*recorder, *fabric, transfers, r, experiment->network.series_links);
    return s;
  };
}

}  // namespace scenarios
