// Scenario kind "fabric": a topology, a path-selection policy, faults, and one workload
// (a collective, a random permutation, a GPipe step or an MoE all-to-all).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include "models/collective/algorithms.hpp"
#include "models/collective/moe.hpp"
#include "models/collective/pipeline.hpp"
#include "models/collective/runner.hpp"
#include "models/network/traffic.hpp"
#include "scenarios/kinds.hpp"
#include "topologies/builders.hpp"
#include "topologies/graphml.hpp"

namespace scenarios {

namespace {

using models::collective::CollectiveResult;

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  return fmt::format("{:.4g} {}", bytes, units[u]);
}

std::int64_t ps_from_ns(double ns) { return static_cast<std::int64_t>(std::llround(ns * 1000.0)); }

// Reads [topology] and builds it; problems are recorded on the section.
std::function<topologies::Topology()> read_topology(Section& s, const std::string& scenario_dir) {
  const std::string type = s.text("type", "leaf_spine", {"leaf_spine", "fat_tree", "ring", "torus2d", "graphml"});
  if (type == "leaf_spine") {
    topologies::LeafSpineParams p;
    p.leaves = static_cast<std::uint32_t>(s.integer("leaves", 2, 1, 1 << 16));
    p.spines = static_cast<std::uint32_t>(s.integer("spines", 2, 1, 1 << 16));
    p.hosts_per_leaf = static_cast<std::uint32_t>(s.integer("hosts_per_leaf", 2, 1, 1 << 16));
    p.host_gbps = s.number("host_gbps", 400.0, 1e-9);
    if (s.has("uplink_gbps")) p.uplink_gbps = s.number("uplink_gbps", std::nullopt, 1e-9);
    p.oversubscription = s.number("oversubscription", 1.0, 1e-9);
    p.host_latency_ps = ps_from_ns(s.number("host_latency_ns", 500.0, 0.0));
    p.uplink_latency_ps = ps_from_ns(s.number("uplink_latency_ns", 500.0, 0.0));
    p.gpus_per_host = static_cast<std::uint32_t>(s.integer("gpus_per_host", 1, 1, 64));
    p.intra_host_gbps = s.number("intra_host_gbps", 3600.0, 1e-9);
    p.intra_host_latency_ps = ps_from_ns(s.number("intra_host_latency_ns", 100.0, 0.0));
    return [p] { return topologies::leaf_spine(p); };
  }
  if (type == "fat_tree") {
    topologies::FatTreeParams p;
    p.k = static_cast<std::uint32_t>(s.integer("k", 4, 2, 256));
    if (p.k % 2 != 0) s.error("k", "must be even");
    p.link_gbps = s.number("link_gbps", 400.0, 1e-9);
    p.link_latency_ps = ps_from_ns(s.number("link_latency_ns", 500.0, 0.0));
    return [p] { return topologies::fat_tree(p); };
  }
  if (type == "ring" || type == "torus2d") {
    const double gbps = s.number("link_gbps", 400.0, 1e-9);
    const std::int64_t lat = ps_from_ns(s.number("link_latency_ns", 500.0, 0.0));
    if (type == "ring") {
      const auto n = static_cast<std::uint32_t>(s.integer("hosts", 8, 2, 1 << 20));
      return [n, gbps, lat] { return topologies::ring(n, gbps, lat); };
    }
    const auto x = static_cast<std::uint32_t>(s.integer("x", 4, 1, 1 << 12));
    const auto y = static_cast<std::uint32_t>(s.integer("y", 4, 1, 1 << 12));
    return [x, y, gbps, lat] { return topologies::torus2d(x, y, gbps, lat); };
  }
  std::string file = s.text("file");
  if (!file.empty() && file.front() != '/') file = scenario_dir + "/" + file;
  return [file] { return topologies::load_graphml(file); };
}

// "leaf0-spine3, leaf1-spine0" -> pairs of node names.
std::vector<std::pair<std::string, std::string>> cable_list(Section& s, std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  std::stringstream in(s.text(key, ""));
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    const auto dash = item.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == item.size()) {
      s.error(key, "expected cables as \"nodeA-nodeB\" separated by commas, got \"" + item + "\"");
      continue;
    }
    out.emplace_back(item.substr(0, dash), item.substr(dash + 1));
  }
  return out;
}

struct Faults {
  std::vector<std::pair<std::string, std::string>> down;
  double down_at_us = 0.0;
  std::vector<std::pair<std::string, std::string>> degraded;
  double degraded_fraction = 0.5;
  double degraded_at_us = 0.0;  // 0: the fabric starts degraded
  std::vector<double> slow_nic_hosts;
  std::int64_t slow_nic_every = 0;
  double slow_nic_fraction = 0.5;
  double slow_nic_at_us = 0.0;  // 0: the NICs start slow
};

struct Workload {
  std::string type;
  models::collective::CollectiveParams collective;
  std::string placement = "contiguous";
  double permutation_bytes = 0.0;
  models::collective::PipelineParams pipeline;
  models::collective::MoeParams moe;
};

topologies::LinkId cable_link(const topologies::Topology& t, const std::string& a, const std::string& b) {
  const auto link = t.find_link(t.node_by_name(a), t.node_by_name(b));
  if (link == UINT32_MAX) throw std::invalid_argument("faults: no link between \"" + a + "\" and \"" + b + "\"");
  return link;
}

}  // namespace

ScenarioKind fabric_kind() {
  return {"fabric", "flow-level leaf-spine fabric: collectives, permutations, pipelines, MoE, faults",
          [](const Scenario& scenario, std::uint64_t seed) -> PreparedRun {
            Section root(scenario, "");
            root.integer("seed", 1, 0);
            const std::string name = root.text("name", "");
            const std::string dir = std::filesystem::path(scenario.file()).parent_path().string();

            Section topo(root, "topology");
            auto build = read_topology(topo, dir.empty() ? "." : dir);
            topo.reject_unread();

            Section net(root, "network");
            models::network::NetworkParams np;
            np.policy = models::network::path_policy_from(
                net.text("policy", "ecmp", {"ecmp", "spray", "split", "planned"}));
            np.subflows = static_cast<std::uint32_t>(net.integer("subflows", np.policy == models::network::PathPolicy::split ? 4 : 1, 1, 1024));
            np.record_flows = net.boolean("record_flows", false);
            np.extrapolate = net.boolean("extrapolate", true);
            const auto series_cables = cable_list(net, "series_links");
            np.seed = seed;
            net.reject_unread();

            Faults faults;
            if (root.has("faults")) {
              Section f(root, "faults");
              faults.down = cable_list(f, "link_down");
              faults.down_at_us = f.number("link_down_at_us", 0.0, 0.0);
              faults.degraded = cable_list(f, "degraded_links");
              faults.degraded_fraction = f.number("degraded_fraction", 0.5, 1e-9, 1.0);
              faults.slow_nic_hosts = f.numbers("slow_nic_hosts", std::vector<double>{});
              faults.slow_nic_every = f.integer("slow_nic_every", 0, 0);
              faults.slow_nic_fraction = f.number("slow_nic_fraction", 0.5, 1e-9, 1.0);
              // Timed faults: a time without the fault it times is a mistake, not a no-op.
              if (f.has("degraded_at_us")) {
                faults.degraded_at_us = f.number("degraded_at_us", 0.0, 0.0, 1e12);
                if (faults.degraded.empty()) f.error("degraded_at_us", "given, but degraded_links names no cable");
              }
              if (f.has("slow_nic_at_us")) {
                faults.slow_nic_at_us = f.number("slow_nic_at_us", 0.0, 0.0, 1e12);
                if (faults.slow_nic_hosts.empty() && faults.slow_nic_every == 0) {
                  f.error("slow_nic_at_us", "given, but neither slow_nic_hosts nor slow_nic_every names a NIC");
                }
              }
              f.reject_unread();
            }

            Section w(root, "workload");
            Workload wl;
            wl.type = w.text("type", "collective", {"collective", "permutation", "gpipe", "moe"});
            if (wl.type == "collective") {
              auto& c = wl.collective;
              const std::string algo = w.text("algorithm", "ring_allreduce",
                                              {"ring_allreduce", "ring", "tree_allreduce", "tree", "halving_doubling",
                                               "hd", "hierarchical_allreduce", "ring_allgather", "ring_reduce_scatter",
                                               "broadcast", "alltoall", "sendrecv"});
              c.algorithm = models::collective::algorithm_from(algo);
              c.bytes = static_cast<double>(w.size_bytes("bytes", 1ull << 30));
              c.ranks = static_cast<std::uint32_t>(w.integer("ranks", 0, 0, 1 << 24));
              c.chunks = static_cast<std::uint32_t>(w.integer("chunks", 8, 1, 1 << 20));
              c.ranks_per_host = static_cast<std::uint32_t>(w.integer("ranks_per_host", 1, 1, 64));
              wl.placement = w.text("placement", "contiguous", {"contiguous", "strided"});
            } else if (wl.type == "permutation") {
              wl.permutation_bytes = static_cast<double>(w.size_bytes("bytes", 2ull << 20));
            } else if (wl.type == "gpipe") {
              auto& p = wl.pipeline;
              const auto stages = static_cast<std::size_t>(w.integer("stages", 4, 2, 4096));
              p.micro_batches = static_cast<std::uint32_t>(w.integer("micro_batches", 8, 1, 1 << 20));
              const double fwd = w.number("forward_us", 1000.0, 0.0);
              const double bwd = w.number("backward_us", 2.0 * fwd, 0.0);
              p.forward_ps.assign(stages, ps_from_ns(fwd * 1000.0));
              p.backward_ps.assign(stages, ps_from_ns(bwd * 1000.0));
              p.activation_bytes = static_cast<double>(w.size_bytes("activation_bytes", 16ull << 20));
            } else {
              auto& m = wl.moe;
              m.experts = static_cast<std::uint32_t>(w.integer("experts", 8, 2, 4096));
              m.tokens_per_rank = static_cast<std::uint64_t>(w.integer("tokens_per_rank", 4096, 1));
              m.bytes_per_token = w.number("bytes_per_token", 8192.0, 1.0);
              m.skew = w.number("skew", 1.0, 0.0, 10.0);
            }
            if (wl.type == "permutation" && (faults.degraded_at_us > 0.0 || faults.slow_nic_at_us > 0.0)) {
              // Every permutation flow starts at time zero on a fabric fixed up front.
              root.error("faults", "degraded_at_us and slow_nic_at_us need a collective, gpipe or moe workload, "
                                   "not a permutation");
            }
            w.reject_unread();
            root.finish();

            // Build once now so that topology and fault errors surface before running.
            {
              auto t = build();
              t.validate();
              for (const auto& [a, b] : faults.down) cable_link(t, a, b);
              for (const auto& [a, b] : faults.degraded) cable_link(t, a, b);
              for (const auto& [a, b] : series_cables) cable_link(t, a, b);
              if (wl.type == "collective") {
                auto c = wl.collective;
                if (c.ranks == 0) c.ranks = static_cast<std::uint32_t>(t.endpoints().size());
                if (c.ranks > t.endpoints().size()) {
                  throw ScenarioError({{scenario.file(), 0, "workload.ranks",
                                        fmt::format("{} ranks but the topology has {} endpoints", c.ranks,
                                                    t.endpoints().size())}});
                }
                try {
                  models::collective::make_program(c);
                } catch (const std::invalid_argument& e) {
                  throw ScenarioError({{scenario.file(), 0, "workload", e.what()}});
                }
              }
              for (double h : faults.slow_nic_hosts) {
                if (h < 0 || h >= static_cast<double>(t.endpoints().size())) {
                  throw std::invalid_argument("faults.slow_nic_hosts: endpoint " + std::to_string(h) +
                                              " out of range (0.." + std::to_string(t.endpoints().size() - 1) + ")");
                }
              }
            }

            return [build, np_template = np, faults, wl, name, series_cables](sim::Recorder* recorder) {
              auto topology = build();
              auto np = np_template;
              for (const auto& [a, b] : series_cables) np.series_links.push_back(cable_link(topology, a, b));
              const auto& ends = topology.endpoints();
              // Faults at time zero change the fabric before anything runs; later link
              // failures are scheduled on the network.
              // (link, fraction, time in us) for every degradation; those at time zero are
              // applied to the fabric here, later ones scheduled on the network.
              struct Degradation {
                topologies::LinkId link;
                double fraction;
                double at_us;
              };
              std::vector<Degradation> degradations;
              for (const auto& [a, b] : faults.degraded) {
                for (auto l : {cable_link(topology, a, b), cable_link(topology, b, a)}) {
                  degradations.push_back({l, faults.degraded_fraction, faults.degraded_at_us});
                }
              }
              std::vector<std::uint32_t> slow(faults.slow_nic_hosts.begin(), faults.slow_nic_hosts.end());
              if (faults.slow_nic_every > 0) {
                for (std::uint32_t h = 0; h < ends.size(); h += static_cast<std::uint32_t>(faults.slow_nic_every)) {
                  slow.push_back(h);
                }
              }
              for (std::uint32_t h : slow) {
                for (auto l : topology.out_links(ends[h])) degradations.push_back({l, faults.slow_nic_fraction, faults.slow_nic_at_us});
                for (auto l : topology.in_links(ends[h])) degradations.push_back({l, faults.slow_nic_fraction, faults.slow_nic_at_us});
              }
              for (const auto& d : degradations) {
                if (d.at_us == 0.0) topology.set_link_degraded(d.link, d.fraction);
              }

              RunSummary summary;
              const std::string policy_name = np.policy == models::network::PathPolicy::ecmp    ? "ecmp"
                                              : np.policy == models::network::PathPolicy::spray ? "spray"
                                              : np.policy == models::network::PathPolicy::split ? "split"
                                                                                                : "planned";
              if (wl.type == "permutation") {
                sim::RandomStream rng(np.seed, 0x5045524d);
                const auto perm = models::network::random_derangement(static_cast<std::uint32_t>(ends.size()), rng);
                for (const auto& [a, b] : faults.down) {
                  topology.set_link_down(cable_link(topology, a, b));
                  topology.set_link_down(cable_link(topology, b, a));
                }
                const auto r = models::network::run_permutation(topology, np, wl.permutation_bytes, perm);
                if (recorder != nullptr) {
                  recorder->write_column("flows", "completion_s", r.flow_completion_s, "s");
                }
                std::vector<double> sorted = r.flow_completion_s;
                std::sort(sorted.begin(), sorted.end());
                summary.title = fmt::format("{}random permutation, {} hosts, {} per flow, {} paths",
                                            name.empty() ? "" : name + ": ", ends.size(), format_bytes(wl.permutation_bytes),
                                            policy_name);
                summary.metrics = {
                    {"completion_s", r.completion_s, "s"},
                    {"ideal_s", r.ideal_s, "s"},
                    {"slowdown_vs_ideal", r.completion_s / r.ideal_s, ""},
                    {"median_fct_s", sorted[sorted.size() / 2], "s"},
                    {"max_link_flows", static_cast<double>(r.max_link_flows), "flows"},
                    {"max_link_load", r.max_link_load, "flows"},
                    {"failed_flows", static_cast<double>(r.failed), "count"},
                    {"events", static_cast<double>(r.events), "count"},
                };
                return summary;
              }

              std::unique_ptr<models::collective::Program> program;
              std::vector<double> moe_tokens;
              if (wl.type == "collective") {
                auto c = wl.collective;
                if (c.ranks == 0) c.ranks = static_cast<std::uint32_t>(ends.size());
                program = models::collective::make_program(c);
              } else if (wl.type == "gpipe") {
                program = models::collective::make_gpipe(wl.pipeline);
              } else {
                sim::RandomStream rng(np.seed, 0x4d4f45);
                const auto routing = models::collective::route_moe_tokens(wl.moe, rng);
                moe_tokens.assign(routing.tokens_in.begin(), routing.tokens_in.end());
                program = models::collective::make_alltoall(wl.moe.experts, routing.bytes,
                                                            static_cast<double>(wl.moe.experts - 1) / wl.moe.experts);
              }
              if (program->ranks() > ends.size()) {
                throw std::invalid_argument(fmt::format("workload needs {} ranks but the topology has {} endpoints",
                                                        program->ranks(), ends.size()));
              }
              std::vector<std::uint32_t> placement;
              if (wl.placement == "strided") {
                std::uint32_t leaves = 0;
                for (topologies::NodeId n = 0; n < topology.node_count(); ++n) {
                  leaves += topology.node(n).kind == topologies::NodeKind::leaf ? 1 : 0;
                }
                placement = models::collective::strided_placement(program->ranks(), std::max(1u, leaves));
              }

              sim::Simulator sim(np.seed);
              models::network::FlowNetwork network(sim, topology, np);
              for (const auto& [a, b] : faults.down) {
                const auto at = sim::Time::from_seconds(faults.down_at_us * 1e-6);
                network.link_down_at(at, cable_link(topology, a, b));
                network.link_down_at(at, cable_link(topology, b, a));
              }
              for (const auto& d : degradations) {
                if (d.at_us > 0.0) network.link_degraded_at(sim::Time::from_ps(ps_from_ns(d.at_us * 1000.0)), d.link, d.fraction);
              }
              const CollectiveResult r = models::collective::run_collective(sim, network, *program, placement);

              if (recorder != nullptr) {
                std::vector<std::int64_t> rank_ids(r.rank_finish_s.size());
                for (std::size_t i = 0; i < rank_ids.size(); ++i) rank_ids[i] = static_cast<std::int64_t>(i);
                recorder->write_column("ranks", "rank", rank_ids, "");
                recorder->write_column("ranks", "finish_s", r.rank_finish_s, "s");
                const auto& stats = network.link_stats();
                std::vector<std::string> names;
                std::vector<double> carried, util, best;
                std::vector<std::int64_t> max_flows;
                for (topologies::LinkId l = 0; l < stats.size(); ++l) {
                  names.push_back(topology.node(topology.link_from(l)).name + "->" +
                                  topology.node(topology.link_to(l)).name);
                  carried.push_back(stats[l].carried_bytes);
                  const double cap = topology.link(l).bandwidth_gbps * 1e9 / 8;
                  util.push_back(r.completion_s > 0 ? stats[l].carried_bytes / (cap * r.completion_s) : 0.0);
                  best.push_back(stats[l].best_flow_gbps);
                  max_flows.push_back(stats[l].max_flows);
                }
                recorder->write_column("links", "name", names);
                recorder->write_column("links", "carried_bytes", carried, "B");
                recorder->write_column("links", "mean_utilisation", util, "");
                recorder->write_column("links", "best_flow_gbps", best, "Gb/s");
                recorder->write_column("links", "max_flows", max_flows, "flows");
                if (!network.flow_records().empty()) {
                  std::vector<double> start, end, bytes;
                  std::vector<std::int64_t> src, dst;
                  for (const auto& f : network.flow_records()) {
                    start.push_back(static_cast<double>(f.start_ps) * 1e-12);
                    end.push_back(f.end_ps < 0 ? -1.0 : static_cast<double>(f.end_ps) * 1e-12);
                    bytes.push_back(f.bytes);
                    src.push_back(f.src);
                    dst.push_back(f.dst);
                  }
                  recorder->write_column("flows", "start_s", start, "s");
                  recorder->write_column("flows", "end_s", end, "s");
                  recorder->write_column("flows", "bytes", bytes, "B");
                  recorder->write_column("flows", "src_node", src, "");
                  recorder->write_column("flows", "dst_node", dst, "");
                }
                std::string suspects;
                for (const auto& s : r.suspect_links) {
                  suspects += (suspects.empty() ? "" : ", ") + s.name + (s.down ? " (down)" : "");
                }
                recorder->summary("suspect_links", suspects);
                for (std::size_t i = 0; i < series_cables.size(); ++i) {
                  recorder->write("utilisation " + series_cables[i].first + "->" + series_cables[i].second,
                                  network.link_series()[i]);
                }
              }

              std::string note;
              if (!r.suspect_links.empty()) {
                note = "; suspect link " + r.suspect_links[0].name +
                       (r.suspect_links[0].down ? " (down)" : fmt::format(" ({:.0f}% of median)", 100 * r.suspect_links[0].ratio));
              }
              if (!r.complete) note += fmt::format("; INCOMPLETE: {} transfers lost every path", r.failed_transfers.size());
              const std::string size = wl.type == "gpipe"  ? format_bytes(wl.pipeline.activation_bytes) + " activations"
                                       : wl.type == "moe" ? format_bytes(r.bytes) + " from the busiest sender"
                                                          : format_bytes(r.bytes) + " per rank";
              summary.title = fmt::format("{}{} on {} ranks, {}, {} paths{}", name.empty() ? "" : name + ": ",
                                          r.algorithm, r.ranks, size, policy_name, note);
              summary.metrics = {
                  {"completion_s", r.completion_s, "s"},
                  {"algbw", r.algbw_gbyte_per_s, "GB/s"},
                  {"busbw", r.busbw_gbyte_per_s, "GB/s"},
                  {"complete", r.complete ? 1.0 : 0.0, ""},
              };
              if (wl.type == "collective") {
                const double p = r.ranks;
                const auto& c = wl.collective;
                // Nominal NIC speed: the healthy fabric's bandwidth term.
                const double b = topology.link(topology.out_links(ends[0])[0]).bandwidth_gbps * 1e9 / 8;
                if (c.algorithm == models::collective::Algorithm::ring_allreduce) {
                  summary.metrics.push_back({"bandwidth_term_s", 2 * (p - 1) / p * c.bytes / b, "s"});
                }
              }
              if (wl.type == "gpipe") {
                summary.metrics.push_back({"bubble_fraction",
                                           models::collective::measured_bubble_fraction(wl.pipeline, r.completion_s), ""});
                summary.metrics.push_back({"gpipe_bubble_formula",
                                           models::collective::gpipe_bubble_fraction(
                                               static_cast<std::uint32_t>(wl.pipeline.forward_ps.size()),
                                               wl.pipeline.micro_batches),
                                           ""});
              }
              if (wl.type == "moe") {
                const double hot = *std::max_element(moe_tokens.begin(), moe_tokens.end());
                double mean = 0.0;
                for (double t : moe_tokens) mean += t / static_cast<double>(moe_tokens.size());
                std::vector<double> fin = r.rank_finish_s;
                std::sort(fin.begin(), fin.end());
                summary.metrics.push_back({"hot_expert_tokens_over_mean", hot / mean, ""});
                summary.metrics.push_back({"tail_over_median_finish", fin.back() / fin[fin.size() / 2], ""});
              }
              if (!r.slow_ranks.empty()) {
                summary.metrics.push_back({"slowest_rank", static_cast<double>(r.slow_ranks[0].rank), ""});
                summary.metrics.push_back({"slowest_rank_lag_s", r.slow_ranks[0].lag_s, "s"});
              }
              summary.metrics.push_back({"max_link_flows", static_cast<double>(r.max_link_flows), "flows"});
              summary.metrics.push_back({"flows", static_cast<double>(r.flows), "count"});
              summary.metrics.push_back({"events", static_cast<double>(r.events), "count"});
              return summary;
            };
          }};
}

}  // namespace scenarios
