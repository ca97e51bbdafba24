// Scenario kind "fabric": [topology], [network], [faults] and [workload] are read into one
// models::collective::Experiment (the same type Python and `bench allreduce` run), and its
// result is summarised and recorded. A run that cannot finish (a fault cut every path of
// some transfer) keeps its partial results and is reported incomplete.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <tuple>

#include "models/collective/experiment.hpp"
#include "models/collective/link_names.hpp"
#include "models/collective/parameters.hpp"
#include "models/network/parameters.hpp"
#include "scenarios/declared.hpp"
#include "scenarios/kinds.hpp"
#include "scenarios/kinds/fabric_jobs.hpp"
#include "scenarios/kinds/fabric_packet.hpp"
#include "scenarios/kinds/fabric_traffic.hpp"
#include "scenarios/memory_estimate.hpp"
#include "sim/enum_names.hpp"
#include "sim/time.hpp"
#include "topologies/builders.hpp"
#include "topologies/figures.hpp"
#include "topologies/graphml.hpp"
#include "topologies/parameters.hpp"

namespace scenarios {

namespace {

namespace mc = models::collective;
using topologies::Topology;

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  return fmt::format("{:.4g} {}", bytes, units[u]);
}

// ---- readers, one per section: problems are recorded on the section ------------------

// [topology] keys by their declarations (topologies/parameters.hpp).
const sim::Parameter& topology_key(std::string_view key) { return topologies::fabric_parameter("topology", key); }

std::uint32_t topology_count(Section& s, std::string_view key) {
  return static_cast<std::uint32_t>(declared_integer(s, topology_key(key)));
}

double topology_gbps(Section& s, std::string_view key) { return declared_number(s, topology_key(key)); }

sim::Time hop_latency(Section& s, std::string_view key) {
  const sim::Parameter& p = topology_key(key);
  const sim::Time latency = declared_duration(s, p);
  if (latency.to_ns() > p.max) {
    s.error(key, "expected at most 1 s per hop, got " + sim::format_compact(latency.to_seconds()) + " s");
  }
  return latency;
}

void check_size(Section& s, std::string_view key, const topologies::FabricSize& size) {
  const std::string problem = topologies::fabric_size_problem(size);
  if (!problem.empty()) s.error(key, "the fabric would have " + problem);
}

std::function<Topology()> read_topology(Section& s, const std::string& scenario_dir, FabricShape& shape) {
  const std::string type = declared_text(s, topology_key("type"));
  if (type == "leaf_spine") {
    topologies::LeafSpineParams p;
    p.leaves = topology_count(s, "leaves");
    p.spines = topology_count(s, "spines");
    p.hosts_per_leaf = topology_count(s, "hosts_per_leaf");
    p.host_gbps = topology_gbps(s, "host_gbps");
    if (s.has("uplink_gbps")) p.uplink_gbps = topology_gbps(s, "uplink_gbps");
    p.oversubscription = declared_number(s, topology_key("oversubscription"));
    p.host_latency = hop_latency(s, "host_latency_ns");
    p.uplink_latency = hop_latency(s, "uplink_latency_ns");
    p.gpus_per_host = topology_count(s, "gpus_per_host");
    p.intra_host_gbps = topology_gbps(s, "intra_host_gbps");
    p.intra_host_latency = hop_latency(s, "intra_host_latency_ns");
    const double uplink = topologies::leaf_spine_uplink_gbps(p);
    if (!s.has("uplink_gbps") && !(uplink >= topologies::kMinLinkGbps && uplink <= topologies::kMaxLinkGbps)) {
      s.error("oversubscription", "gives leaf-spine uplinks of " + sim::format_compact(uplink) + " Gb/s; expected " +
                                      sim::format_compact(topologies::kMinLinkGbps) + " to " +
                                      sim::format_compact(topologies::kMaxLinkGbps) + " (or set uplink_gbps)");
    }
    check_size(s, "hosts_per_leaf", topologies::leaf_spine_size(p));
    shape = leaf_spine_shape(p);
    return [p] { return topologies::leaf_spine(p); };
  }
  if (type == "fat_tree") {
    topologies::FatTreeParams p;
    p.k = topology_count(s, "k");
    if (p.k % 2 != 0) s.error("k", "must be even");
    check_size(s, "k", topologies::fat_tree_size(p.k));
    shape = fat_tree_shape(p.k);
    p.link_gbps = topology_gbps(s, "link_gbps");
    p.link_latency = hop_latency(s, "link_latency_ns");
    return [p] { return topologies::fat_tree(p); };
  }
  if (type == "ring" || type == "torus2d") {
    const double gbps = topology_gbps(s, "link_gbps");
    const sim::Time lat = hop_latency(s, "link_latency_ns");
    if (type == "ring") {
      const auto n = topology_count(s, "hosts");
      check_size(s, "hosts", topologies::ring_size(n));
      shape = ring_shape(n);
      return [n, gbps, lat] { return topologies::ring(n, gbps, lat); };
    }
    const auto x = topology_count(s, "x");
    const auto y = topology_count(s, "y");
    check_size(s, "y", topologies::torus2d_size(x, y));
    shape = torus2d_shape(x, y);
    return [x, y, gbps, lat] { return topologies::torus2d(x, y, gbps, lat); };
  }
  std::string file = s.text(topology_key("file").key);
  if (!file.empty() && file.front() != '/') file = scenario_dir + "/" + file;
  shape = graphml_shape(file);
  return [file] { return topologies::load_graphml(file); };
}

// [network] keys by their declarations (models/network/parameters.hpp).
models::network::NetworkParams read_network(Section& s, std::uint64_t seed, std::vector<std::string>& series) {
  namespace mn = models::network;
  mn::NetworkParams np;
  // A wrong name is already recorded on the section; read on with the default.
  np.policy = declared_enum<mn::PathPolicy>(s, mn::network_parameter("policy"));
  const sim::Parameter& subflows = mn::network_parameter("subflows");
  const std::int64_t subflows_fallback =
      np.policy == mn::PathPolicy::split ? mn::kSplitSubflows : static_cast<std::int64_t>(*subflows.default_number);
  np.subflows =
      static_cast<std::uint32_t>(s.integer(subflows.key, subflows_fallback, static_cast<std::int64_t>(subflows.min),
                                           static_cast<std::int64_t>(subflows.max)));
  np.record_flows = declared_boolean(s, mn::network_parameter("record_flows"));
  np.extrapolate = declared_boolean(s, mn::network_parameter("extrapolate"));
  np.seed = seed;
  series = mc::split_link_names(declared_text(s, mn::network_parameter("series_links")));
  return np;
}

// A fault whose links are named but not yet found: they are resolved once the topology
// is built.
struct FaultSpec {
  mc::LinkFault fault;
  std::string key;                 // the key that named the links, for errors
  std::vector<std::string> names;  // links by name ("a-b" a cable, "a->b" one direction)
  std::vector<double> nics;        // or both links of these endpoints' NICs
  std::uint32_t nic_every = 0;     // or of every n-th endpoint
};

// [faults] keys by their declarations (models/collective/parameters.hpp).
std::vector<FaultSpec> read_faults(Section& s) {
  using mc::fault_parameter;
  std::vector<FaultSpec> out;
  // A time or fraction without the fault it qualifies is a mistake, not a no-op.
  const auto orphan = [&s](std::string_view key, bool used, std::string_view why) {
    if (s.has(key) && !used) s.error(key, "given, but " + std::string(why));
  };
  const auto links = [&s](std::string_view key) {
    return mc::split_link_names(declared_text(s, fault_parameter(key)));
  };
  const auto down = links("link_down");
  const auto down_at = declared_duration(s, fault_parameter("link_down_at_us"));
  orphan("link_down_at_us", !down.empty(), "link_down names no link");
  if (!down.empty()) out.push_back({{mc::LinkFault::Kind::down, {}, 1.0, down_at}, "link_down", down, {}, 0});

  const auto degraded = links("degraded_links");
  const double fraction = declared_number(s, fault_parameter("degraded_fraction"));
  const auto degraded_at = declared_duration(s, fault_parameter("degraded_at_us"));
  orphan("degraded_fraction", !degraded.empty(), "degraded_links names no link");
  orphan("degraded_at_us", !degraded.empty(), "degraded_links names no link");
  if (!degraded.empty()) {
    out.push_back({{mc::LinkFault::Kind::degraded, {}, fraction, degraded_at}, "degraded_links", degraded, {}, 0});
  }

  const auto nics = declared_numbers(s, fault_parameter("slow_nic_hosts"));
  for (double h : nics) {
    if (!(h >= 0 && h < 4294967296.0 && h == std::floor(h))) {
      s.error("slow_nic_hosts", fmt::format("expected endpoint indices (whole numbers >= 0), got {}", h));
    }
  }
  const auto every = static_cast<std::uint32_t>(declared_integer(s, fault_parameter("slow_nic_every")));
  const double nic_fraction = declared_number(s, fault_parameter("slow_nic_fraction"));
  const auto nic_at = declared_duration(s, fault_parameter("slow_nic_at_us"));
  const bool slow = !nics.empty() || every > 0;
  orphan("slow_nic_fraction", slow, "neither slow_nic_hosts nor slow_nic_every names a NIC");
  orphan("slow_nic_at_us", slow, "neither slow_nic_hosts nor slow_nic_every names a NIC");
  if (slow) {
    out.push_back({{mc::LinkFault::Kind::degraded, {}, nic_fraction, nic_at},
                   nics.empty() ? "slow_nic_every" : "slow_nic_hosts",
                   {},
                   nics,
                   every});
  }
  return out;
}

// The links a fault names, in `t`; throws std::invalid_argument naming the problem.
std::vector<topologies::LinkId> fault_links(const Topology& t, const FaultSpec& f) {
  std::vector<topologies::LinkId> links;
  for (const auto& name : f.names) {
    for (auto l : mc::resolve_links(t, name)) links.push_back(l);
  }
  std::vector<std::uint32_t> hosts(f.nics.begin(), f.nics.end());
  for (std::uint32_t h = 0; f.nic_every > 0 && h < t.endpoints().size(); h += f.nic_every) hosts.push_back(h);
  for (std::uint32_t h : hosts) {
    if (h >= t.endpoints().size()) {
      throw std::invalid_argument(
          fmt::format("endpoint {} out of range (the topology has endpoints 0..{})", h, t.endpoints().size() - 1));
    }
    const auto node = t.endpoints()[h];
    for (auto l : t.out_links(node)) links.push_back(l);
    for (auto l : t.in_links(node)) links.push_back(l);
  }
  return links;
}

// [workload] keys by their declarations (models/collective/parameters.hpp).
mc::Workload read_workload(Section& w) {
  using mc::workload_parameter;
  const auto count = [&w](std::string_view key) { return declared_integer(w, workload_parameter(key)); };
  const std::string type = declared_text(w, workload_parameter("type"));
  const auto bytes = [&w, &type] {
    return static_cast<double>(declared_size(w, workload_parameter("bytes"), mc::workload_bytes_default(type)));
  };
  // incast, traffic_matrix and poisson are read before coming here (fabric_traffic.cpp).
  if (type == "collective") {
    mc::CollectiveWorkload c;
    // A wrong name is already recorded on the section; read on with the default.
    c.params.algorithm = declared_enum<mc::Algorithm>(w, workload_parameter("algorithm"));
    c.params.bytes = bytes();
    c.params.ranks = static_cast<std::uint32_t>(count("ranks"));
    c.params.chunks = static_cast<std::uint32_t>(count("chunks"));
    c.params.ranks_per_host = static_cast<std::uint32_t>(count("ranks_per_host"));
    const bool strided = declared_text(w, workload_parameter("placement")) == "strided";
    c.placement.kind = strided ? mc::Placement::Kind::strided : mc::Placement::Kind::contiguous;
    return c;
  }
  if (type == "permutation") {
    mc::PermutationWorkload p;
    p.bytes = bytes();
    return p;
  }
  if (type == "gpipe") {
    mc::GpipeWorkload g;
    const auto stages = static_cast<std::size_t>(count("stages"));
    g.params.micro_batches = static_cast<std::uint32_t>(count("micro_batches"));
    const auto forward = declared_duration(w, workload_parameter("forward_us"));
    const auto backward = declared_duration(w, workload_parameter("backward_us"), forward * 2);
    g.params.forward.assign(stages, forward);
    g.params.backward.assign(stages, backward);
    g.params.activation_bytes = static_cast<double>(declared_size(w, workload_parameter("activation_bytes")));
    return g;
  }
  mc::MoeWorkload m;
  m.params.experts = static_cast<std::uint32_t>(count("experts"));
  m.params.tokens_per_rank = static_cast<std::uint64_t>(count("tokens_per_rank"));
  if (m.params.experts >= 2 && m.params.tokens_per_rank > mc::kMaxMoeTokens / m.params.experts) {
    w.error("tokens_per_rank", "experts x tokens_per_rank is " +
                                   std::to_string(std::uint64_t{m.params.experts} * m.params.tokens_per_rank) +
                                   " tokens, each drawn; at most 2^28 (" + std::to_string(mc::kMaxMoeTokens) + ")");
  }
  m.params.bytes_per_token = declared_number(w, workload_parameter("bytes_per_token"));
  m.params.skew = declared_number(w, workload_parameter("skew"));
  return m;
}

// [[job]] tables: workloads sharing the fabric, each with the [workload] keys plus its
// name (which prefixes its summary keys), its hosts and its start time. A traffic
// workload's transfers are built once the topology is (`traffic`, by job).
std::vector<mc::JobWorkload> read_jobs(Section& root, std::vector<Section>& sections, const std::string& dir,
                                       std::vector<std::optional<TrafficWorkload>>& traffic) {
  std::vector<mc::JobWorkload> jobs;
  const std::size_t n = root.table_count("job");
  for (std::size_t i = 0; i < n; ++i) {
    Section& s = sections.emplace_back(root, "job", i);
    mc::JobWorkload j;
    j.name = declared_text(s, mc::job_parameter("name"), "job" + std::to_string(i + 1));
    const bool word = !j.name.empty() && std::all_of(j.name.begin(), j.name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!word) s.error("name", "expected lower-case letters, digits and _ (it prefixes the job's summary keys)");
    for (const auto& other : jobs) {
      if (other.name == j.name) s.error("name", "\"" + j.name + "\" names an earlier job too");
    }
    const auto hosts = declared_numbers(s, mc::job_parameter("hosts"));
    for (double h : hosts) {
      if (!(h >= 0 && h < 4294967296.0 && h == std::floor(h))) {
        s.error("hosts", fmt::format("expected endpoint indices (whole numbers >= 0), got {}", h));
      } else {
        j.hosts.push_back(static_cast<std::uint32_t>(h));
      }
    }
    if (s.has("first_host") || s.has("host_count")) {
      if (!hosts.empty()) s.error("first_host", "given with hosts; name the hosts one way");
      const auto first = declared_integer(s, mc::job_parameter("first_host"));
      const auto count = declared_integer(s, mc::job_parameter("host_count"));
      for (std::int64_t h = first; h < first + count; ++h) j.hosts.push_back(static_cast<std::uint32_t>(h));
    }
    j.start = declared_duration(s, mc::job_parameter("start_us"));
    traffic.push_back(read_traffic_workload(s, dir));
    j.workload = traffic.back() ? mc::Workload(mc::TrafficWorkload{}) : read_workload(s);
    jobs.push_back(std::move(j));
  }
  return jobs;
}

// A traffic job's transfers among its hosts (every endpoint when it names none); Poisson
// arrivals draw from the seed and the job's index, as a program's random traffic does.
void build_job_traffic(mc::Experiment& e, std::size_t index, const TrafficWorkload& traffic, Section& s) {
  mc::JobWorkload& job = e.jobs[index];
  const auto endpoints = static_cast<std::uint32_t>(e.topology.endpoints().size());
  std::vector<std::uint32_t> hosts = job.hosts;
  if (hosts.empty()) {
    for (std::uint32_t h = 0; h < endpoints; ++h) hosts.push_back(h);
  }
  if (std::any_of(hosts.begin(), hosts.end(), [&](auto h) { return h >= endpoints; })) return;  // check_job says so
  auto built = build_traffic(traffic, e.topology, hosts, e.network.seed ^ index, s);
  job.workload = mc::TrafficWorkload{std::move(built.transfers)};
}

// ---- results ------------------------------------------------------------------------

RunSummary summarise(const mc::Experiment& e, const mc::ExperimentResult& x, const std::string& name) {
  const auto& r = x.run;
  const std::string prefix = name.empty() ? "" : name + ": ";
  const auto policy = sim::name_of(e.network.policy);
  std::string note;
  if (!r.suspect_links.empty()) {
    const auto& s = r.suspect_links[0];
    note = "; suspect link " + s.name + (s.down ? " (down)" : fmt::format(" ({:.0f}% of median)", 100 * s.ratio));
  }
  if (!r.complete) note += fmt::format("; INCOMPLETE: {} transfers lost every path", r.failed_transfers.size());

  RunSummary summary;
  summary.complete = r.complete;
  auto& m = summary.metrics;
  m.push_back({"completion_s", r.completion_s, "s"});
  if (x.workload == "permutation") {
    summary.title = fmt::format("{}random permutation, {} hosts, {} per flow, {} paths{}", prefix, r.ranks,
                                format_bytes(r.bytes), policy, note);
    std::vector<double> sorted;
    for (double f : r.rank_finish_s) {
      if (f >= 0.0) sorted.push_back(f);
    }
    std::sort(sorted.begin(), sorted.end());
    m.push_back({"ideal_s", x.ideal_s, "s"});
    m.push_back({"slowdown_vs_ideal", r.completion_s / x.ideal_s, ""});
    m.push_back({"median_fct_s", sorted.empty() ? std::nan("") : sorted[sorted.size() / 2], "s"});
    m.push_back({"max_link_load", x.max_link_load, "flows"});
  } else {
    const std::string size =
        x.workload == "gpipe"
            ? format_bytes(std::get<mc::GpipeWorkload>(e.workload).params.activation_bytes) + " activations"
        : x.workload == "moe" ? format_bytes(r.bytes) + " from the busiest sender"
                              : format_bytes(r.bytes) + " per rank";
    summary.title =
        x.workload == "jobs"
            ? fmt::format("{}{} jobs on {} ranks, {} paths{}", prefix, x.jobs.size(), r.ranks, policy, note)
            : fmt::format("{}{} on {} ranks, {}, {} paths{}", prefix, r.algorithm, r.ranks, size, policy, note);
    m.push_back({"algbw", r.algbw_gb_per_s, "GB/s"});
    m.push_back({"busbw", r.busbw_gb_per_s, "GB/s"});
    if (!std::isnan(x.bandwidth_term_s)) m.push_back({"bandwidth_term_s", x.bandwidth_term_s, "s"});
    if (x.workload == "gpipe") {
      m.push_back({"bubble_fraction", x.bubble_fraction, ""});
      m.push_back({"gpipe_bubble_formula", x.bubble_formula, ""});
    }
    if (x.workload == "moe") {
      const auto& tokens = x.tokens_per_expert;
      double mean = 0.0;
      for (auto t : tokens) mean += static_cast<double>(t) / static_cast<double>(tokens.size());
      std::vector<double> finish = r.rank_finish_s;
      std::sort(finish.begin(), finish.end());
      m.push_back({"hot_expert_tokens_over_mean",
                   static_cast<double>(*std::max_element(tokens.begin(), tokens.end())) / mean, ""});
      m.push_back(
          {"tail_over_median_finish", r.complete ? finish.back() / finish[finish.size() / 2] : std::nan(""), ""});
    }
    if (!r.slow_ranks.empty()) {
      m.push_back({"slowest_rank", static_cast<double>(r.slow_ranks[0].rank), ""});
      m.push_back({"slowest_rank_lag_s", r.slow_ranks[0].lag_s, "s"});
    }
  }
  for (std::size_t i = 0; i < x.jobs.size(); ++i) {
    // Each job as its own run would report it, its keys prefixed by its name.
    for (auto& f : job_figures(e.jobs[i], x.jobs[i])) {
      f.name = x.jobs[i].name + "_" + f.name;
      m.push_back(std::move(f));
    }
  }
  m.push_back({"complete", r.complete ? 1.0 : 0.0, ""});
  m.push_back({"lost_transfers", static_cast<double>(r.failed_transfers.size()), "count"});
  m.push_back({"max_link_flows", static_cast<double>(r.max_link_flows), "flows"});
  m.push_back({"flows", static_cast<double>(r.flows), "count"});
  m.push_back({"events", static_cast<double>(r.events), "count"});
  m.push_back({"events_extrapolated", static_cast<double>(r.events_extrapolated), "count"});
  // What the fabric's links imply (absent where there are no leaves).
  const auto figures = topologies::fabric_figures(e.topology);
  for (const auto& [key, value, unit] :
       {std::tuple{"host_gbps", figures.host_gbps, "Gb/s"}, std::tuple{"uplink_gbps", figures.uplink_gbps, "Gb/s"},
        std::tuple{"oversubscription", figures.oversubscription, ""}}) {
    if (std::isfinite(value)) m.push_back({key, value, unit});
  }
  m.push_back({"total_capacity_gbps", figures.total_capacity_gbps, "Gb/s"});
  return summary;
}

void record(sim::Recorder& rec, const Topology& t, const mc::ExperimentResult& x,
            const std::vector<topologies::LinkId>& series) {
  const auto& r = x.run;
  std::vector<std::int64_t> ranks(r.rank_finish_s.size());
  for (std::size_t i = 0; i < ranks.size(); ++i) ranks[i] = static_cast<std::int64_t>(i);
  rec.write_column("ranks", "rank", ranks, "");
  rec.write_column("ranks", "finish_s", r.rank_finish_s, "s");  // -1: did not finish

  std::vector<std::string> names;
  std::vector<double> carried, util, best, capacity;
  std::vector<std::int64_t> max_flows;
  for (topologies::LinkId l = 0; l < x.links.size(); ++l) {
    const auto& s = x.links[l];
    names.push_back(mc::link_name(t, l));
    capacity.push_back(t.link(l).bandwidth_gbps);
    carried.push_back(s.carried_bytes);
    const double cap = t.link(l).bandwidth_gbps * 1e9 / 8;
    util.push_back(r.completion_s > 0 ? s.carried_bytes / (cap * r.completion_s) : 0.0);
    best.push_back(s.best_flow_gbps);
    max_flows.push_back(s.max_flows);
  }
  rec.write_column("links", "name", names);
  rec.write_column("links", "bandwidth_gbps", capacity, "Gb/s");  // nominal, before faults
  rec.write_column("links", "carried_bytes", carried, "B");
  rec.write_column("links", "mean_utilisation", util, "");
  rec.write_column("links", "best_flow_gbps", best, "Gb/s");
  rec.write_column("links", "max_flows", max_flows, "flows");

  if (!x.flow_records.empty()) {
    std::vector<double> start, end, bytes;
    std::vector<std::int64_t> src, dst;
    for (const auto& f : x.flow_records) {
      start.push_back(f.start.to_seconds());
      end.push_back(f.end ? f.end->to_seconds() : -1.0);
      bytes.push_back(f.bytes);
      src.push_back(f.src);
      dst.push_back(f.dst);
    }
    rec.write_column("flows", "start_s", start, "s");
    rec.write_column("flows", "end_s", end, "s");
    rec.write_column("flows", "bytes", bytes, "B");
    rec.write_column("flows", "src_node", src, "");
    rec.write_column("flows", "dst_node", dst, "");
  }
  std::string suspects;
  for (const auto& s : r.suspect_links) suspects += (suspects.empty() ? "" : ", ") + s.name + (s.down ? " (down)" : "");
  rec.summary("suspect_links", suspects);
  for (std::size_t i = 0; i < series.size() && i < x.series.size(); ++i) {
    rec.write("utilisation " + mc::link_name(t, series[i]), x.series[i]);
  }
  if (!x.jobs.empty()) {
    std::vector<std::string> names, workloads;
    std::vector<double> start, completion;
    std::vector<std::int64_t> complete, ranks;
    for (const auto& j : x.jobs) {
      names.push_back(j.name);
      workloads.push_back(j.workload);
      start.push_back(j.start_s);
      completion.push_back(j.run.completion_s);
      complete.push_back(j.run.complete ? 1 : 0);
      ranks.push_back(j.run.ranks);
    }
    rec.write_column("jobs", "name", names);
    rec.write_column("jobs", "workload", workloads);
    rec.write_column("jobs", "ranks", ranks, "");
    rec.write_column("jobs", "start_s", start, "s");
    rec.write_column("jobs", "completion_s", completion, "s");
    rec.write_column("jobs", "complete", complete, "");
  }
}

// ---- the kind -------------------------------------------------------------------------

PreparedRun prepare(const Scenario& scenario, std::uint64_t seed) {
  Section root(scenario, "");
  root.integer("seed", 1, 0);
  const std::string name = root.text("name", "");
  const std::string dir = std::filesystem::path(scenario.file()).parent_path().string();
  Section topo(root, "topology");
  FabricShape shape;
  const auto build = read_topology(topo, dir.empty() ? "." : dir, shape);
  Section net(root, "network");
  std::vector<std::string> series_names;
  auto experiment = std::make_shared<mc::Experiment>();
  experiment->network = read_network(net, seed, series_names);
  const bool packet = read_packet_model(net);
  if (packet && experiment->network.policy != models::network::PathPolicy::ecmp) {
    net.error("policy",
              "under model = \"packet\" paths are [packet] paths (ecmp, spray, flowlet); leave policy "
              "as \"ecmp\"");
  }
  Section packet_section(root, "packet");
  const auto packet_params = packet ? read_packet_params(packet_section, seed) : models::packet::PacketParams{};
  if (!packet) refuse_packet_section(packet_section);
  Section faults(root, "faults");
  const auto fault_specs = read_faults(faults);
  Section work(root, "workload");
  // Incast, traffic matrices and Poisson arrivals (fabric_traffic.cpp); the memory check
  // sees them as one flow per endpoint, their lists being capped where they are read.
  const auto traffic = read_traffic_workload(work, dir.empty() ? "." : dir);
  experiment->workload = traffic ? mc::Workload(mc::PermutationWorkload{}) : read_workload(work);
  std::vector<Section> job_sections;
  job_sections.reserve(64);
  std::vector<std::optional<TrafficWorkload>> job_traffic;
  experiment->jobs = read_jobs(root, job_sections, dir.empty() ? "." : dir, job_traffic);
  if (!experiment->jobs.empty() && root.has("workload")) {
    work.error("", "given with [[job]] tables: the jobs are the workload (move it into a [[job]])");
  }
  for (Section* s : {&topo, &net, &packet_section, &faults, &work}) s->reject_unread();
  for (Section& s : job_sections) s.reject_unread();
  root.finish();
  require_memory(scenario, estimate_fabric(shape, *experiment, packet ? &packet_params : nullptr));

  // With every key read and valid: build, then find the links named.
  try {
    experiment->topology = build();
    experiment->topology.validate();
  } catch (const std::invalid_argument& e) {
    throw ScenarioError({{scenario.file(), 0, "topology", e.what()}});
  }
  const Topology& t = experiment->topology;
  for (const auto& name : series_names) {
    try {
      for (auto l : mc::resolve_links(t, name)) experiment->network.series_links.push_back(l);
    } catch (const std::invalid_argument& e) {
      net.error("series_links", e.what());
    }
  }
  for (const auto& f : fault_specs) {
    try {
      experiment->faults.push_back(f.fault);
      experiment->faults.back().links = fault_links(t, f);
    } catch (const std::invalid_argument& e) {
      faults.error(f.key, e.what());
    }
  }
  root.throw_if_errors();
  if (traffic) {
    try {
      return prepare_traffic(*experiment, packet ? &packet_params : nullptr, *traffic, name, work);
    } catch (const std::invalid_argument& e) {
      throw ScenarioError({{scenario.file(), 0, "workload", e.what()}});
    }
  }
  if (packet) experiment->packet = packet_params;
  // Every job's problem at once, each at its table.
  for (std::size_t i = 0; i < experiment->jobs.size(); ++i) {
    try {
      if (job_traffic[i]) build_job_traffic(*experiment, i, *job_traffic[i], job_sections[i]);
      mc::check_job(*experiment, i);
    } catch (const std::invalid_argument& e) {
      job_sections[i].error("", e.what());
    } catch (const ScenarioError&) {
      // Recorded on the job's table already.
    }
  }
  root.throw_if_errors();
  try {
    mc::check_experiment(*experiment);
    if (packet) check_packet_experiment(*experiment);
  } catch (const std::invalid_argument& e) {
    throw ScenarioError({{scenario.file(), 0, experiment->jobs.empty() ? "workload" : "job", e.what()}});
  }

  // Both models run through the one experiment runner; the packet model adds its own keys
  // and tables (fabric_packet.cpp).
  return [experiment, name](sim::Recorder* recorder) {
    mc::Experiment e = *experiment;  // a run changes the fabric's link states
    const auto result = mc::run_experiment(e);
    if (recorder != nullptr) record(*recorder, experiment->topology, result, experiment->network.series_links);
    auto summary = summarise(*experiment, result, name);
    if (result.packet) add_packet_results(summary, *experiment, result, recorder);
    return summary;
  };
}

}  // namespace

std::vector<Metric> job_figures(const mc::JobWorkload& job, const mc::JobResult& j) {
  std::vector<Metric> m = {{"start_s", j.start_s, "s"},
                           {"completion_s", j.run.completion_s, "s"},
                           {"algbw", j.run.algbw_gb_per_s, "GB/s"},
                           {"busbw", j.run.busbw_gb_per_s, "GB/s"}};
  // Flow completion times of what finished: a permutation's ranks are its flows.
  std::vector<double> fct;
  if (j.workload == "permutation") {
    for (double f : j.run.rank_finish_s) {
      if (f >= 0.0) fct.push_back(f);
    }
  } else if (const auto* traffic = std::get_if<mc::TrafficWorkload>(&job.workload)) {
    const auto& end = j.run.transfer_end_s;
    for (std::size_t i = 0; i < end.size() && i < traffic->transfers.size(); ++i) {
      if (end[i] >= 0.0) fct.push_back(end[i] - traffic->transfers[i].start.to_seconds());
    }
  }
  std::sort(fct.begin(), fct.end());
  const auto at = [&](double q) {
    return fct.empty() ? std::nan("")
                       : fct[std::min(fct.size() - 1, static_cast<std::size_t>(q * static_cast<double>(fct.size())))];
  };
  if (j.workload == "permutation" || j.workload == "traffic") m.push_back({"median_fct_s", at(0.5), "s"});
  if (j.workload == "traffic") {
    m.push_back({"p99_fct_s", at(0.99), "s"});
    m.push_back({"flows", static_cast<double>(j.run.transfer_end_s.size()), "count"});
  }
  m.push_back({"complete", j.run.complete ? 1.0 : 0.0, ""});
  return m;
}

void read_fabric_jobs(const Scenario& scenario, mc::Experiment& experiment) {
  Section root(scenario, "");
  const std::string dir = std::filesystem::path(scenario.file()).parent_path().string();
  std::vector<Section> sections;
  sections.reserve(64);
  std::vector<std::optional<TrafficWorkload>> traffic;
  experiment.jobs = read_jobs(root, sections, dir.empty() ? "." : dir, traffic);
  for (Section& s : sections) s.reject_unread();
  root.finish();
  for (std::size_t i = 0; i < experiment.jobs.size(); ++i) {
    try {
      if (traffic[i]) build_job_traffic(experiment, i, *traffic[i], sections[i]);
      mc::check_job(experiment, i);
    } catch (const std::invalid_argument& e) {
      sections[i].error("", e.what());
    } catch (const ScenarioError&) {
      // Recorded on the job's table already.
    }
  }
  root.throw_if_errors();
}

ScenarioKind fabric_kind() {
  return {"fabric",
          "leaf-spine fabric, flow or packet model: collectives, permutations, pipelines, MoE, faults, concurrent jobs",
          prepare};
}

}  // namespace scenarios
