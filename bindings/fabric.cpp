// Python face of the fabric layers: submodules topologies, network and collective.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <variant>

#include "bindings/bindings.hpp"
#include "bindings/collective_args.hpp"
#include "bindings/packet_keywords.hpp"
#include "bindings/seed.hpp"
#include "models/collective/experiment.hpp"
#include "models/collective/link_names.hpp"
#include "models/network/traffic.hpp"
#include "models/packet/params.hpp"
#include "scenarios/kinds/fabric_jobs.hpp"
#include "sim/enum_names.hpp"
#include "topologies/builders.hpp"
#include "topologies/graphml.hpp"
#include "topologies/parameters.hpp"
#include "topologies/routing.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

using topologies::LinkId;
using topologies::NodeId;
using topologies::Topology;

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

namespace mc = models::collective;

// A link as Python names it: an id (one direction: ids number directed links), or a name,
// "leaf0-spine0" for the cable (both directions) or "leaf0->spine0" for one direction.
using LinkSpec = std::variant<LinkId, std::string>;

// [topology] keys as Python keywords: the declared defaults, and values refused in the
// scenario reader's words.
double topology_default(std::string_view key) {
  return topologies::fabric_parameter("topology", key).default_number.value_or(0.0);
}
std::uint32_t topology_count_default(std::string_view key) { return static_cast<std::uint32_t>(topology_default(key)); }
template <class T>
T topology_value(std::string_view key, T value) {
  const std::string problem =
      sim::range_problem(topologies::fabric_parameter("topology", key), static_cast<double>(value));
  if (!problem.empty()) throw py::value_error("topology." + std::string(key) + ": " + problem);
  return value;
}

std::vector<LinkId> links_of(const Topology& t, const LinkSpec& spec) {
  if (const auto* id = std::get_if<LinkId>(&spec)) {
    if (*id >= t.link_count()) {
      throw py::index_error("no link " + std::to_string(*id) + " (the topology has " + std::to_string(t.link_count()) +
                            " links)");
    }
    return {*id};
  }
  try {
    return mc::resolve_links(t, std::get<std::string>(spec));
  } catch (const std::invalid_argument& e) {
    throw py::key_error(e.what());
  }
}

using LinkDownAt = std::vector<std::pair<LinkSpec, double>>;
using DegradedAt = std::vector<std::tuple<LinkSpec, double, double>>;

// The keywords every fabric run shares, as one Experiment on a copy of `topology` (its
// link states included).
struct RunOptions {
  std::string policy = "ecmp";
  std::uint64_t seed = 1;
  std::uint32_t subflows = 4;
  LinkDownAt link_down_at;
  DegradedAt degraded_at;
  bool extrapolate = true;
  std::string model = "flow";
  py::object packet = py::none();  // dict of [packet] keys, with model = "packet"
};

mc::Experiment experiment(const Topology& topology, const RunOptions& o, mc::Workload workload) {
  models::network::NetworkParams np;
  np.policy = models::network::path_policy_from(o.policy);
  np.seed = o.seed;
  np.subflows = o.subflows;
  np.extrapolate = o.extrapolate;
  mc::Experiment e{topology, np, {}, std::move(workload), std::nullopt, {}};
  if (o.model == "packet") {
    e.packet = packet_params_from(o.packet, o.seed);
  } else if (o.model != "flow") {
    throw py::value_error("model must be 'flow' or 'packet', got '" + o.model + "'");
  } else if (!o.packet.is_none()) {
    throw py::value_error("packet parameters given, but model is 'flow' (pass model='packet')");
  }
  for (const auto& [link, at_s] : o.link_down_at) {
    e.faults.push_back({mc::LinkFault::Kind::down, links_of(topology, link), 1.0, sim::Time::from_seconds(at_s)});
  }
  for (const auto& [link, fraction, at_s] : o.degraded_at) {
    e.faults.push_back(
        {mc::LinkFault::Kind::degraded, links_of(topology, link), fraction, sim::Time::from_seconds(at_s)});
  }
  return e;
}

mc::ExperimentResult run(mc::Experiment& e) {
  py::gil_scoped_release release;
  return mc::run_experiment(e);
}

py::dict result_dict(const mc::ExperimentResult& x) {
  const auto& r = x.run;
  py::dict d;
  d["algorithm"] = r.algorithm;
  d["ranks"] = r.ranks;
  d["bytes"] = r.bytes;
  d["complete"] = r.complete;
  d["completion_s"] = r.completion_s;  // NaN when incomplete
  d["algbw_gb_per_s"] = r.algbw_gb_per_s;
  d["busbw_gb_per_s"] = r.busbw_gb_per_s;
  d["rank_finish_s"] = to_array(r.rank_finish_s);
  py::list failed;
  for (auto f : r.failed_transfers) failed.append(py::make_tuple(f >> 32, f & 0xffffffffu));
  d["failed_transfers"] = failed;
  py::list slow;
  for (const auto& s : r.slow_ranks) {
    py::dict x;
    x["rank"] = s.rank;
    x["finish_s"] = s.finish_s;
    x["lag_s"] = s.lag_s;
    slow.append(x);
  }
  d["slow_ranks"] = slow;
  py::list links;
  for (const auto& s : r.suspect_links) {
    py::dict x;
    x["link"] = s.link;
    x["name"] = s.name;
    x["best_flow_gbps"] = s.best_flow_gbps;
    x["ratio"] = s.ratio;
    x["down"] = s.down;
    links.append(x);
  }
  d["suspect_links"] = links;
  d["transfers"] = r.transfers;
  d["flows"] = r.flows;
  d["flows_simulated"] = r.flows_simulated;  // the rest were accounted by steady-state extrapolation
  d["steps_extrapolated"] = r.steps_extrapolated;
  d["events"] = r.events;  // executed
  d["events_extrapolated"] = r.events_extrapolated;
  d["rate_solves"] = r.rate_solves;
  d["max_link_flows"] = r.max_link_flows;
  d["max_link_load"] = x.max_link_load;
  d["model"] = x.packet ? "packet" : "flow";
  if (x.packet) {
    const auto& p = *x.packet;
    d["p99_fct_s"] = p.p99_fct_s;
    d["data_packets"] = p.totals.data_packets;
    d["control_packets"] = p.totals.control_packets;
    d["drops"] = p.totals.drops;
    d["ecn_marks"] = p.totals.ecn_marks;
    d["trims"] = p.totals.trims;
    d["pfc_pauses"] = p.totals.pfc_pauses;
    d["retransmissions"] = p.totals.retransmissions;
    d["timeouts"] = p.totals.timeouts;
    d["duplicate_packets"] = p.totals.duplicate_packets;
    d["failed_flows"] = p.flows_failed;
  }
  return d;
}

// Concurrent jobs given as the text of [[job]] tables (collective.py writes them), read by
// the scenario kind's own reader so that a job means what it means in a scenario file.
py::dict run_jobs(const Topology& topology, const std::string& jobs_toml, const RunOptions& options) {
  auto e = experiment(topology, options, mc::PermutationWorkload{});
  try {
    scenarios::read_fabric_jobs(scenarios::Scenario::parse(jobs_toml, "jobs"), e);
  } catch (const scenarios::ScenarioError& error) {
    throw py::value_error(error.what());
  }
  if (e.jobs.empty()) throw py::value_error("jobs: expected at least one job");
  try {
    mc::check_experiment(e);
  } catch (const std::invalid_argument& error) {
    throw py::value_error(error.what());
  }
  const auto x = run(e);
  py::dict d = result_dict(x);
  py::list jobs;
  for (std::size_t i = 0; i < x.jobs.size(); ++i) {
    const auto& j = x.jobs[i];
    py::dict job;
    job["name"] = j.name;
    job["workload"] = j.workload;
    for (const auto& f : scenarios::job_figures(e.jobs[i], j)) {
      job[py::str(f.name == "algbw" || f.name == "busbw" ? f.name + "_gb_per_s" : f.name)] =
          f.name == "complete" ? py::cast(f.value != 0.0) : py::cast(f.value);
    }
    job["ranks"] = j.run.ranks;
    job["bytes"] = j.run.bytes;
    job["rank_finish_s"] = to_array(j.run.rank_finish_s);
    if (j.workload == "traffic") job["transfer_end_s"] = to_array(j.run.transfer_end_s);
    job["lost_transfers"] = j.run.failed_transfers.size();
    jobs.append(job);
  }
  d["jobs"] = jobs;
  return d;
}

}  // namespace

void bind_fabric(py::module_& m) {
  // ---- topologies --------------------------------------------------------------------
  py::module_ tm = m.def_submodule("topologies", "Fabric graphs: builders, GraphML, routing");
  py::register_exception<topologies::TopologyError>(tm, "TopologyError", PyExc_ValueError);

  py::class_<Topology>(tm, "Topology", "Nodes and directed links with bandwidth, latency and state")
      .def(py::init<>())
      .def(
          "add_node",
          [](Topology& t, const std::string& name, const std::string& kind) {
            return t.add_node(name, topologies::node_kind_from(kind));
          },
          py::arg("name"), py::arg("kind"))
      .def(
          "add_duplex",
          [](Topology& t, NodeId a, NodeId b, double gbps, double latency_ns) {
            return t.add_duplex(a, b, gbps, sim::Time::from_ns(latency_ns));
          },
          py::arg("a"), py::arg("b"), py::arg("bandwidth_gbps"), py::arg("latency_ns") = 0.0)
      .def_property_readonly("node_count", &Topology::node_count)
      .def_property_readonly("link_count", &Topology::link_count)
      .def_property_readonly("endpoints", [](const Topology& t) { return to_array(t.endpoints()); })
      .def("node_name", [](const Topology& t, NodeId n) { return t.node(n).name; })
      .def("node_kind", [](const Topology& t, NodeId n) { return std::string(topologies::to_string(t.node(n).kind)); })
      .def("node", &Topology::node_by_name, py::arg("name"), "node id by name")
      .def(
          "link",
          [](const Topology& t, const std::string& a, const std::string& b) {
            const LinkId l = t.find_link(t.node_by_name(a), t.node_by_name(b));
            if (l == UINT32_MAX) throw py::key_error("no link " + a + " -> " + b);
            return l;
          },
          py::arg("from_name"), py::arg("to_name"), "link id from one named node to another")
      .def(
          "links",
          [](const Topology& t) {
            std::vector<std::uint32_t> from, to;
            std::vector<double> gbps, fraction;
            std::vector<std::int64_t> latency;
            std::vector<std::string> state, names;
            for (LinkId l = 0; l < t.link_count(); ++l) {
              names.push_back(mc::link_name(t, l));
              from.push_back(t.link_from(l));
              to.push_back(t.link_to(l));
              gbps.push_back(t.link(l).bandwidth_gbps);
              latency.push_back(t.link(l).latency.ps());
              fraction.push_back(t.link(l).capacity_fraction);
              state.emplace_back(topologies::to_string(t.link(l).state));
            }
            py::dict d;
            d["from"] = to_array(from);
            d["to"] = to_array(to);
            d["bandwidth_gbps"] = to_array(gbps);
            d["latency_ps"] = to_array(latency);
            d["capacity_fraction"] = to_array(fraction);
            d["state"] = state;
            d["name"] = names;
            return d;
          },
          "all links as numpy columns, with their names (\"leaf0->spine0\")")
      .def(
          "set_link_down",
          [](Topology& t, const LinkSpec& link) {
            for (auto l : links_of(t, link)) t.set_link_down(l);
          },
          py::arg("link"), "a link id, \"a->b\" (one direction) or \"a-b\" (the cable, both directions)")
      .def(
          "set_link_up",
          [](Topology& t, const LinkSpec& link) {
            for (auto l : links_of(t, link)) t.set_link_up(l);
          },
          py::arg("link"))
      .def(
          "set_link_degraded",
          [](Topology& t, const LinkSpec& link, double fraction) {
            for (auto l : links_of(t, link)) t.set_link_degraded(l, fraction);
          },
          py::arg("link"), py::arg("fraction"))
      .def("validate", &Topology::validate)
      .def("copy", [](const Topology& t) { return Topology(t); });

  tm.def(
      "leaf_spine",
      [](std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts_per_leaf, double host_gbps,
         std::optional<double> uplink_gbps, double oversubscription, double host_latency_ns, double uplink_latency_ns,
         std::uint32_t gpus_per_host, double intra_host_gbps, double intra_host_latency_ns) {
        topologies::LeafSpineParams p;
        p.leaves = topology_value("leaves", leaves);
        p.spines = topology_value("spines", spines);
        p.hosts_per_leaf = topology_value("hosts_per_leaf", hosts_per_leaf);
        p.host_gbps = topology_value("host_gbps", host_gbps);
        if (uplink_gbps) p.uplink_gbps = topology_value("uplink_gbps", *uplink_gbps);
        p.oversubscription = topology_value("oversubscription", oversubscription);
        p.host_latency = sim::Time::from_ns(topology_value("host_latency_ns", host_latency_ns));
        p.uplink_latency = sim::Time::from_ns(topology_value("uplink_latency_ns", uplink_latency_ns));
        p.gpus_per_host = topology_value("gpus_per_host", gpus_per_host);
        p.intra_host_gbps = topology_value("intra_host_gbps", intra_host_gbps);
        p.intra_host_latency = sim::Time::from_ns(topology_value("intra_host_latency_ns", intra_host_latency_ns));
        return topologies::leaf_spine(p);
      },
      py::arg("leaves") = topology_count_default("leaves"), py::arg("spines") = topology_count_default("spines"),
      py::arg("hosts_per_leaf") = topology_count_default("hosts_per_leaf"),
      py::arg("host_gbps") = topology_default("host_gbps"), py::arg("uplink_gbps") = py::none(),
      py::arg("oversubscription") = topology_default("oversubscription"),
      py::arg("host_latency_ns") = topology_default("host_latency_ns"),
      py::arg("uplink_latency_ns") = topology_default("uplink_latency_ns"),
      py::arg("gpus_per_host") = topology_count_default("gpus_per_host"),
      py::arg("intra_host_gbps") = topology_default("intra_host_gbps"),
      py::arg("intra_host_latency_ns") = topology_default("intra_host_latency_ns"),
      "A two-tier leaf-spine fabric; the keywords are the [topology] keys of a fabric scenario (docs/fabric.md), "
      "with their defaults and accepted ranges (ValueError names a refused one).");
  tm.def(
      "fat_tree",
      [](std::uint32_t k, double gbps, double latency_ns) {
        if (topology_value("k", k) % 2 != 0) throw py::value_error("topology.k: must be even");
        return topologies::fat_tree(
            {k, topology_value("link_gbps", gbps), sim::Time::from_ns(topology_value("link_latency_ns", latency_ns))});
      },
      py::arg("k") = topology_count_default("k"), py::arg("link_gbps") = topology_default("link_gbps"),
      py::arg("link_latency_ns") = topology_default("link_latency_ns"),
      "A 3-tier k-ary fat tree (k even); keywords as the [topology] keys of a fabric scenario.");
  tm.def(
      "ring",
      [](std::uint32_t n, double gbps, double lat) {
        return topologies::ring(topology_value("hosts", n), topology_value("link_gbps", gbps),
                                sim::Time::from_ns(topology_value("link_latency_ns", lat)));
      },
      py::arg("hosts"), py::arg("link_gbps") = topology_default("link_gbps"),
      py::arg("link_latency_ns") = topology_default("link_latency_ns"),
      "Hosts on a bidirectional ring; keywords as the [topology] keys of a fabric scenario.");
  tm.def(
      "torus2d",
      [](std::uint32_t x, std::uint32_t y, double gbps, double lat) {
        return topologies::torus2d(topology_value("x", x), topology_value("y", y), topology_value("link_gbps", gbps),
                                   sim::Time::from_ns(topology_value("link_latency_ns", lat)));
      },
      py::arg("x"), py::arg("y"), py::arg("link_gbps") = topology_default("link_gbps"),
      py::arg("link_latency_ns") = topology_default("link_latency_ns"),
      "An x by y 2-D torus; keywords as the [topology] keys of a fabric scenario.");
  tm.def(
      "load_graphml", [](const std::string& path) { return topologies::load_graphml(path); }, py::arg("path"));

  py::class_<topologies::Router>(tm, "Router", "Shortest and equal-cost paths over links that are up")
      .def(py::init<const Topology&>(), py::keep_alive<1, 2>(), py::arg("topology"))
      .def("hops", &topologies::Router::hops, py::arg("src"), py::arg("dst"))
      .def("shortest_path", &topologies::Router::shortest_path, py::arg("src"), py::arg("dst"))
      .def("count_equal_cost_paths", &topologies::Router::count_equal_cost_paths, py::arg("src"), py::arg("dst"))
      .def("equal_cost_paths", &topologies::Router::equal_cost_paths, py::arg("src"), py::arg("dst"),
           py::arg("limit") = 1024);

  // ---- network -----------------------------------------------------------------------
  py::module_ nm = m.def_submodule("network", "Flow-level max-min fair network model");
  nm.def(
      "random_permutation",
      [](std::uint32_t n, const py::object& seed) {
        sim::RandomStream rng(seed_from(seed, "seed"), models::network::kPermutationStream);
        return to_array(models::network::random_derangement(n, rng));
      },
      py::arg("n"), py::arg("seed") = 1, "a random permutation of 0..n-1 without fixed points");
  nm.def(
      "run_permutation",
      [](const Topology& topology, double bytes, const std::string& policy, const py::object& seed,
         std::uint32_t subflows, std::optional<std::vector<std::uint32_t>> perm, const LinkDownAt& link_down_at,
         const DegradedAt& degraded_at, const std::string& model, const py::object& packet) {
        mc::PermutationWorkload w{bytes, perm.value_or(std::vector<std::uint32_t>{})};
        auto e = experiment(
            topology, {policy, seed_from(seed, "seed"), subflows, link_down_at, degraded_at, true, model, packet}, w);
        const auto x = run(e);
        py::dict d = result_dict(x);
        d["flow_completion_s"] = to_array(x.run.rank_finish_s);  // per source; -1 for a lost flow
        d["ideal_s"] = x.ideal_s;
        d["failed"] = x.run.failed_transfers.size();
        d["permutation"] = to_array(x.permutation);
        return d;
      },
      py::arg("topology"), py::arg("bytes"), py::arg("policy") = "ecmp", py::arg("seed") = 1, py::arg("subflows") = 4,
      py::arg("permutation") = py::none(), py::arg("link_down_at") = LinkDownAt{},
      py::arg("degraded_at") = DegradedAt{}, py::arg("model") = "flow", py::arg("packet") = py::none(),
      "every endpoint sends `bytes` to its image under a permutation at time 0; faults and model as in "
      "collective.run");

  // ---- collective --------------------------------------------------------------------
  const char* faults_doc =
      " Faults: link_down_at=[(link, at_s)], degraded_at=[(link, fraction, at_s)], a link being an id (one "
      "direction), \"a->b\" (one direction) or \"a-b\" (the cable, both directions); at_s = 0 means from the "
      "start. The topology's own link states (set_link_down, ...) hold from the start. An incomplete run "
      "(a transfer lost every path) has complete False, completion_s NaN and its partial results. "
      "model='packet' runs it on the packet-level fabric with packet={...} (the keys of a scenario's [packet] "
      "table: transport, paths, mtu_bytes, rto_us, ...) or packet=network.PacketParams, and adds its counters "
      "(drops, ecn_marks, retransmissions, timeouts, p99_fct_s, ...).";
  py::module_ cm = m.def_submodule("collective", "Collectives, pipeline and MoE steps on a fabric");
  cm.def(
      "run",
      [](const Topology& t, const std::string& algorithm, double bytes, std::optional<std::uint32_t> ranks,
         std::uint32_t chunks, std::uint32_t ranks_per_host, const std::string& policy, const py::object& seed,
         std::uint32_t subflows, const py::object& placement, const LinkDownAt& link_down_at, bool extrapolate,
         const DegradedAt& degraded_at, const std::string& model, const py::object& packet) {
        const auto w = collective_workload_from(algorithm, bytes, ranks, chunks, ranks_per_host, placement);
        auto e = experiment(
            t, {policy, seed_from(seed, "seed"), subflows, link_down_at, degraded_at, extrapolate, model, packet}, w);
        return result_dict(run(e));
      },
      py::arg("topology"), py::arg("algorithm") = workload_text_default("algorithm"),
      py::arg("bytes") = workload_default("bytes"), py::arg("ranks") = py::none(),
      py::arg("chunks") = static_cast<std::uint32_t>(workload_default("chunks")),
      py::arg("ranks_per_host") = static_cast<std::uint32_t>(workload_default("ranks_per_host")),
      py::arg("policy") = "ecmp", py::arg("seed") = 1, py::arg("subflows") = 4, py::arg("placement") = py::none(),
      py::arg("link_down_at") = LinkDownAt{}, py::arg("extrapolate") = true, py::arg("degraded_at") = DegradedAt{},
      py::arg("model") = "flow", py::arg("packet") = py::none(),
      (std::string("run one collective (extrapolate=False simulates every ring step instead of skipping exact "
                   "repeats); returns a dict with completion_s, algbw/busbw (GB/s), rank_finish_s, straggler "
                   "report.") +
       faults_doc)
          .c_str());
  cm.def(
      "run_jobs",
      [](const Topology& t, const std::string& jobs_toml, const std::string& policy, const py::object& seed,
         std::uint32_t subflows, const LinkDownAt& link_down_at, const DegradedAt& degraded_at, bool extrapolate,
         const std::string& model, const py::object& packet) {
        return run_jobs(
            t, jobs_toml,
            {policy, seed_from(seed, "seed"), subflows, link_down_at, degraded_at, extrapolate, model, packet});
      },
      py::arg("topology"), py::arg("jobs_toml"), py::arg("policy") = "ecmp", py::arg("seed") = 1,
      py::arg("subflows") = 4, py::arg("link_down_at") = LinkDownAt{}, py::arg("degraded_at") = DegradedAt{},
      py::arg("extrapolate") = true, py::arg("model") = "flow", py::arg("packet") = py::none(),
      (std::string("concurrent jobs on one fabric, given as the text of a scenario's [[job]] tables "
                   "(collective.run_jobs writes it); the whole run's figures plus 'jobs', one dict per job.") +
       faults_doc)
          .c_str());
  cm.def(
      "gpipe",
      [](const Topology& t, std::vector<double> forward_us, std::vector<double> backward_us,
         std::uint32_t micro_batches, double activation_bytes, const std::string& policy, const py::object& seed,
         const py::object& placement, const LinkDownAt& link_down_at, const DegradedAt& degraded_at,
         const std::string& model, const py::object& packet) {
        check_workload_value("micro_batches", micro_batches);
        mc::GpipeWorkload w;
        w.params.micro_batches = micro_batches;
        for (double f : forward_us) w.params.forward.push_back(sim::Time::from_us(f));
        for (double b : backward_us) w.params.backward.push_back(sim::Time::from_us(b));
        w.params.activation_bytes = activation_bytes;
        w.placement = placement_from(placement);
        auto e = experiment(t, {policy, seed_from(seed, "seed"), 1, link_down_at, degraded_at, true, model, packet}, w);
        const auto x = run(e);
        py::dict d = result_dict(x);
        d["bubble_fraction"] = x.bubble_fraction;
        d["bubble_formula"] = x.bubble_formula;
        return d;
      },
      py::arg("topology"), py::arg("forward_us"), py::arg("backward_us"),
      py::arg("micro_batches") = static_cast<std::uint32_t>(workload_default("micro_batches")),
      py::arg("activation_bytes") = workload_default("activation_bytes"), py::arg("policy") = "ecmp",
      py::arg("seed") = 1, py::arg("placement") = py::none(), py::arg("link_down_at") = LinkDownAt{},
      py::arg("degraded_at") = DegradedAt{}, py::arg("model") = "flow", py::arg("packet") = py::none(),
      (std::string("one GPipe step: per-stage forward/backward times in microseconds.") + faults_doc).c_str());
  cm.def(
      "moe",
      [](const Topology& t, std::uint32_t experts, std::uint64_t tokens_per_rank, double bytes_per_token, double skew,
         const std::string& policy, const py::object& seed, const LinkDownAt& link_down_at,
         const DegradedAt& degraded_at, const std::string& model, const py::object& packet) {
        check_workload_value("experts", experts);
        check_workload_value("tokens_per_rank", static_cast<double>(tokens_per_rank));
        check_workload_value("bytes_per_token", bytes_per_token);
        check_workload_value("skew", skew);
        mc::MoeWorkload w{{experts, tokens_per_rank, bytes_per_token, skew}};
        auto e = experiment(t, {policy, seed_from(seed, "seed"), 1, link_down_at, degraded_at, true, model, packet}, w);
        const auto x = run(e);
        py::dict d = result_dict(x);
        d["tokens_per_expert"] = to_array(x.tokens_per_expert);
        return d;
      },
      py::arg("topology"), py::arg("experts") = static_cast<std::uint32_t>(workload_default("experts")),
      py::arg("tokens_per_rank") = static_cast<std::uint64_t>(workload_default("tokens_per_rank")),
      py::arg("bytes_per_token") = workload_default("bytes_per_token"), py::arg("skew") = workload_default("skew"),
      py::arg("policy") = "ecmp", py::arg("seed") = 1, py::arg("link_down_at") = LinkDownAt{},
      py::arg("degraded_at") = DegradedAt{}, py::arg("model") = "flow", py::arg("packet") = py::none(),
      (std::string("expert-parallel dispatch all-to-all with Zipf(skew) top-1 routing.") + faults_doc).c_str());
}

}  // namespace bindings
