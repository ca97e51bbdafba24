// Python face of the fabric layers: submodules topologies, network and collective.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings/bindings.hpp"
#include "models/collective/algorithms.hpp"
#include "models/collective/moe.hpp"
#include "models/collective/pipeline.hpp"
#include "models/collective/runner.hpp"
#include "models/network/traffic.hpp"
#include "topologies/builders.hpp"
#include "topologies/graphml.hpp"
#include "topologies/routing.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

using topologies::LinkId;
using topologies::NodeId;
using topologies::Topology;

std::int64_t ps_from_ns(double ns) { return static_cast<std::int64_t>(std::llround(ns * 1000.0)); }

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

py::dict collective_dict(const models::collective::CollectiveResult& r) {
  py::dict d;
  d["algorithm"] = r.algorithm;
  d["ranks"] = r.ranks;
  d["bytes"] = r.bytes;
  d["complete"] = r.complete;
  d["completion_s"] = r.completion_s;
  d["algbw_gbyte_per_s"] = r.algbw_gbyte_per_s;
  d["busbw_gbyte_per_s"] = r.busbw_gbyte_per_s;
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
  d["events"] = r.events;
  d["rate_solves"] = r.rate_solves;
  d["max_link_flows"] = r.max_link_flows;
  return d;
}

models::network::NetworkParams network_params(const std::string& policy, std::uint64_t seed, std::uint32_t subflows) {
  models::network::NetworkParams np;
  np.policy = models::network::path_policy_from(policy);
  np.seed = seed;
  np.subflows = subflows;
  return np;
}

std::vector<std::uint32_t> placement_from(const py::object& placement, std::uint32_t ranks, const Topology& t) {
  if (placement.is_none()) return {};
  if (py::isinstance<py::str>(placement)) {
    const auto text = placement.cast<std::string>();
    if (text == "contiguous") return {};
    if (text != "strided") throw py::value_error("placement must be 'contiguous', 'strided' or a list of endpoints");
    std::uint32_t leaves = 0;
    for (NodeId n = 0; n < t.node_count(); ++n) leaves += t.node(n).kind == topologies::NodeKind::leaf ? 1 : 0;
    return models::collective::strided_placement(ranks, std::max(1u, leaves));
  }
  return placement.cast<std::vector<std::uint32_t>>();
}

// Runs a program on a copy of `topology` (faults scheduled on the copy).
py::dict run_program(const Topology& topology, const models::collective::Program& program, const std::string& policy,
                     std::uint64_t seed, std::uint32_t subflows, const py::object& placement,
                     const std::vector<std::pair<LinkId, double>>& link_down_at, bool extrapolate = true) {
  Topology t = topology;
  auto np = network_params(policy, seed, subflows);
  np.extrapolate = extrapolate;
  const auto place = placement_from(placement, program.ranks(), t);
  models::collective::CollectiveResult r;
  {
    py::gil_scoped_release release;
    sim::Simulator sim(seed);
    models::network::FlowNetwork net(sim, t, np);
    for (const auto& [link, at_s] : link_down_at) net.link_down_at(sim::Time::from_seconds(at_s), link);
    r = models::collective::run_collective(sim, net, program, place);
  }
  return collective_dict(r);
}

}  // namespace

void bind_fabric(py::module_& m) {
  // ---- topologies --------------------------------------------------------------------
  py::module_ tm = m.def_submodule("topologies", "Fabric graphs: builders, GraphML, routing");
  py::register_exception<topologies::TopologyError>(tm, "TopologyError", PyExc_ValueError);

  py::class_<Topology>(tm, "Topology", "Nodes and directed links with bandwidth, latency and state")
      .def(py::init<>())
      .def("add_node",
           [](Topology& t, const std::string& name, const std::string& kind) {
             return t.add_node(name, topologies::node_kind_from(kind));
           },
           py::arg("name"), py::arg("kind"))
      .def("add_duplex",
           [](Topology& t, NodeId a, NodeId b, double gbps, double latency_ns) {
             return t.add_duplex(a, b, gbps, ps_from_ns(latency_ns));
           },
           py::arg("a"), py::arg("b"), py::arg("bandwidth_gbps"), py::arg("latency_ns") = 0.0)
      .def_property_readonly("node_count", &Topology::node_count)
      .def_property_readonly("link_count", &Topology::link_count)
      .def_property_readonly("endpoints", [](const Topology& t) { return to_array(t.endpoints()); })
      .def("node_name", [](const Topology& t, NodeId n) { return t.node(n).name; })
      .def("node_kind", [](const Topology& t, NodeId n) { return std::string(topologies::to_string(t.node(n).kind)); })
      .def("node", &Topology::node_by_name, py::arg("name"), "node id by name")
      .def("link", [](const Topology& t, const std::string& a, const std::string& b) {
             const LinkId l = t.find_link(t.node_by_name(a), t.node_by_name(b));
             if (l == UINT32_MAX) throw py::key_error("no link " + a + " -> " + b);
             return l;
           }, py::arg("from_name"), py::arg("to_name"), "link id from one named node to another")
      .def("links", [](const Topology& t) {
             std::vector<std::uint32_t> from, to;
             std::vector<double> gbps, fraction;
             std::vector<std::int64_t> latency;
             std::vector<std::string> state;
             for (LinkId l = 0; l < t.link_count(); ++l) {
               from.push_back(t.link_from(l));
               to.push_back(t.link_to(l));
               gbps.push_back(t.link(l).bandwidth_gbps);
               latency.push_back(t.link(l).latency_ps);
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
             return d;
           }, "all links as numpy columns")
      .def("set_link_down", &Topology::set_link_down, py::arg("link"))
      .def("set_link_up", &Topology::set_link_up, py::arg("link"))
      .def("set_link_degraded", &Topology::set_link_degraded, py::arg("link"), py::arg("fraction"))
      .def("validate", &Topology::validate)
      .def("copy", [](const Topology& t) { return Topology(t); });

  tm.def("leaf_spine",
         [](std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts_per_leaf, double host_gbps,
            std::optional<double> uplink_gbps, double oversubscription, double host_latency_ns,
            double uplink_latency_ns, std::uint32_t gpus_per_host, double intra_host_gbps,
            double intra_host_latency_ns) {
           topologies::LeafSpineParams p;
           p.leaves = leaves;
           p.spines = spines;
           p.hosts_per_leaf = hosts_per_leaf;
           p.host_gbps = host_gbps;
           p.uplink_gbps = uplink_gbps;
           p.oversubscription = oversubscription;
           p.host_latency_ps = ps_from_ns(host_latency_ns);
           p.uplink_latency_ps = ps_from_ns(uplink_latency_ns);
           p.gpus_per_host = gpus_per_host;
           p.intra_host_gbps = intra_host_gbps;
           p.intra_host_latency_ps = ps_from_ns(intra_host_latency_ns);
           return topologies::leaf_spine(p);
         },
         py::arg("leaves") = 2, py::arg("spines") = 2, py::arg("hosts_per_leaf") = 2, py::arg("host_gbps") = 400.0,
         py::arg("uplink_gbps") = py::none(), py::arg("oversubscription") = 1.0, py::arg("host_latency_ns") = 500.0,
         py::arg("uplink_latency_ns") = 500.0, py::arg("gpus_per_host") = 1, py::arg("intra_host_gbps") = 3600.0,
         py::arg("intra_host_latency_ns") = 100.0);
  tm.def("fat_tree",
         [](std::uint32_t k, double gbps, double latency_ns) {
           return topologies::fat_tree({k, gbps, ps_from_ns(latency_ns)});
         },
         py::arg("k") = 4, py::arg("link_gbps") = 400.0, py::arg("link_latency_ns") = 500.0);
  tm.def("ring", [](std::uint32_t n, double gbps, double lat) { return topologies::ring(n, gbps, ps_from_ns(lat)); },
         py::arg("hosts"), py::arg("link_gbps") = 400.0, py::arg("link_latency_ns") = 500.0);
  tm.def("torus2d",
         [](std::uint32_t x, std::uint32_t y, double gbps, double lat) {
           return topologies::torus2d(x, y, gbps, ps_from_ns(lat));
         },
         py::arg("x"), py::arg("y"), py::arg("link_gbps") = 400.0, py::arg("link_latency_ns") = 500.0);
  tm.def("load_graphml", [](const std::string& path) { return topologies::load_graphml(path); }, py::arg("path"));

  py::class_<topologies::Router>(tm, "Router", "Shortest and equal-cost paths over links that are up")
      .def(py::init<const Topology&>(), py::keep_alive<1, 2>(), py::arg("topology"))
      .def("hops", &topologies::Router::hops, py::arg("src"), py::arg("dst"))
      .def("shortest_path", &topologies::Router::shortest_path, py::arg("src"), py::arg("dst"))
      .def("count_equal_cost_paths", &topologies::Router::count_equal_cost_paths, py::arg("src"), py::arg("dst"))
      .def("equal_cost_paths", &topologies::Router::equal_cost_paths, py::arg("src"), py::arg("dst"),
           py::arg("limit") = 1024);

  // ---- network -----------------------------------------------------------------------
  py::module_ nm = m.def_submodule("network", "Flow-level max-min fair network model");
  nm.def("random_permutation",
         [](std::uint32_t n, std::uint64_t seed) {
           sim::RandomStream rng(seed, 0x5045524d);
           return to_array(models::network::random_derangement(n, rng));
         },
         py::arg("n"), py::arg("seed") = 1, "a random permutation of 0..n-1 without fixed points");
  nm.def("run_permutation",
         [](const Topology& topology, double bytes, const std::string& policy, std::uint64_t seed,
            std::uint32_t subflows, std::optional<std::vector<std::uint32_t>> perm) {
           Topology t = topology;
           std::vector<std::uint32_t> p;
           if (perm) {
             p = *perm;
           } else {
             sim::RandomStream rng(seed, 0x5045524d);
             p = models::network::random_derangement(static_cast<std::uint32_t>(t.endpoints().size()), rng);
           }
           const auto np = network_params(policy, seed, subflows);
           models::network::PermutationResult r;
           {
             py::gil_scoped_release release;
             r = models::network::run_permutation(t, np, bytes, p);
           }
           py::dict d;
           d["flow_completion_s"] = to_array(r.flow_completion_s);
           d["completion_s"] = r.completion_s;
           d["ideal_s"] = r.ideal_s;
           d["max_link_flows"] = r.max_link_flows;
           d["max_link_load"] = r.max_link_load;
           d["events"] = r.events;
           d["failed"] = r.failed;
           d["permutation"] = to_array(p);
           return d;
         },
         py::arg("topology"), py::arg("bytes"), py::arg("policy") = "ecmp", py::arg("seed") = 1,
         py::arg("subflows") = 4, py::arg("permutation") = py::none(),
         "every endpoint sends `bytes` to its image under a permutation at time 0");

  // ---- collective --------------------------------------------------------------------
  py::module_ cm = m.def_submodule("collective", "Collectives, pipeline and MoE steps on a fabric");
  cm.def("run",
         [](const Topology& t, const std::string& algorithm, double bytes, std::optional<std::uint32_t> ranks,
            std::uint32_t chunks, std::uint32_t ranks_per_host, const std::string& policy, std::uint64_t seed,
            std::uint32_t subflows, const py::object& placement,
            const std::vector<std::pair<LinkId, double>>& link_down_at, bool extrapolate) {
           models::collective::CollectiveParams c;
           c.algorithm = models::collective::algorithm_from(algorithm);
           c.bytes = bytes;
           c.ranks = ranks.value_or(static_cast<std::uint32_t>(t.endpoints().size()));
           c.chunks = chunks;
           c.ranks_per_host = ranks_per_host;
           const auto program = models::collective::make_program(c);
           return run_program(t, *program, policy, seed, subflows, placement, link_down_at, extrapolate);
         },
         py::arg("topology"), py::arg("algorithm") = "ring_allreduce", py::arg("bytes") = 1073741824.0,
         py::arg("ranks") = py::none(), py::arg("chunks") = 8, py::arg("ranks_per_host") = 1,
         py::arg("policy") = "ecmp", py::arg("seed") = 1, py::arg("subflows") = 4, py::arg("placement") = py::none(),
         py::arg("link_down_at") = std::vector<std::pair<LinkId, double>>{}, py::arg("extrapolate") = true,
         "run one collective (extrapolate=False simulates every ring step instead of skipping exact repeats); returns a dict with completion_s, algbw/busbw (GB/s), rank_finish_s, straggler report");
  cm.def("gpipe",
         [](const Topology& t, std::vector<double> forward_us, std::vector<double> backward_us,
            std::uint32_t micro_batches, double activation_bytes, const std::string& policy, std::uint64_t seed,
            const py::object& placement) {
           models::collective::PipelineParams p;
           p.micro_batches = micro_batches;
           for (double f : forward_us) p.forward_ps.push_back(ps_from_ns(f * 1000.0));
           for (double b : backward_us) p.backward_ps.push_back(ps_from_ns(b * 1000.0));
           p.activation_bytes = activation_bytes;
           const auto program = models::collective::make_gpipe(p);
           py::dict d = run_program(t, *program, policy, seed, 1, placement, {});
           const double step = d["completion_s"].cast<double>();
           d["bubble_fraction"] = models::collective::measured_bubble_fraction(p, step);
           d["bubble_formula"] = models::collective::gpipe_bubble_fraction(
               static_cast<std::uint32_t>(p.forward_ps.size()), micro_batches);
           return d;
         },
         py::arg("topology"), py::arg("forward_us"), py::arg("backward_us"), py::arg("micro_batches") = 8,
         py::arg("activation_bytes") = 0.0, py::arg("policy") = "ecmp", py::arg("seed") = 1,
         py::arg("placement") = py::none(), "one GPipe step: per-stage forward/backward times in microseconds");
  cm.def("moe",
         [](const Topology& t, std::uint32_t experts, std::uint64_t tokens_per_rank, double bytes_per_token,
            double skew, const std::string& policy, std::uint64_t seed) {
           models::collective::MoeParams p{experts, tokens_per_rank, bytes_per_token, skew};
           sim::RandomStream rng(seed, 0x4d4f45);
           const auto routing = models::collective::route_moe_tokens(p, rng);
           const auto program = models::collective::make_alltoall(
               experts, routing.bytes, static_cast<double>(experts - 1) / experts);
           py::dict d = run_program(t, *program, policy, seed, 1, py::none(), {});
           d["tokens_per_expert"] = to_array(routing.tokens_in);
           return d;
         },
         py::arg("topology"), py::arg("experts") = 8, py::arg("tokens_per_rank") = 4096,
         py::arg("bytes_per_token") = 8192.0, py::arg("skew") = 1.0, py::arg("policy") = "ecmp", py::arg("seed") = 1,
         "expert-parallel dispatch all-to-all with Zipf(skew) top-1 routing");
}

}  // namespace bindings
