// A flow-level fabric bound to a Python Simulator: Python code starts transfers and
// collectives on it while the simulator runs, and one sim.run() drives them together
// with every other model and process on that simulator.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <optional>
#include <variant>

#include "bindings/bindings.hpp"
#include "bindings/collective_args.hpp"
#include "bindings/py_function.hpp"
#include "bindings/seed.hpp"
#include "models/collective/experiment.hpp"
#include "models/collective/link_names.hpp"
#include "models/collective/runner.hpp"
#include "models/network/flow_network.hpp"
#include "topologies/figures.hpp"

namespace py = pybind11;
namespace mc = models::collective;
namespace mn = models::network;

namespace bindings {

namespace {

using topologies::NodeId;
using topologies::Topology;

// Tags: Python transfers have the top bit set, collective k (1..127) owns k << 56 up.
constexpr std::uint64_t kPythonTag = std::uint64_t{1} << 63;
constexpr int kCollectiveShift = 56;
constexpr std::uint32_t kMaxCollectives = 127;

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

class SharedFabric {
 public:
  SharedFabric(py::object simulator, const Topology& topology, const std::string& policy, const py::object& seed,
               std::uint32_t subflows)
      : sim_object_(std::move(simulator)), sim_(sim_object_.cast<sim::Simulator&>()), topology_(topology) {
    mn::NetworkParams p;
    p.policy = mn::path_policy_from(policy);
    p.seed = seed_from(seed, "seed");
    p.subflows = subflows;
    // Python events and other models share the simulator: nothing may be skipped ahead.
    p.extrapolate = false;
    net_ = std::make_unique<mn::FlowNetwork>(sim_, topology_, p);
    net_->set_listener([this](std::uint64_t tag, bool delivered) { on_transfer(tag, delivered); });
  }

  std::uint64_t start_transfer(const py::object& src, const py::object& dst, double bytes, py::object on_done) {
    if (!(bytes >= 0.0) || bytes > 1e18) throw py::value_error("bytes: expected a number from 0 to 1e18");
    const NodeId s = node_of(src, "src"), d = node_of(dst, "dst");
    if (s == d) throw py::value_error("src and dst are the same node");
    const std::uint64_t id = transfers_.size();
    transfers_.push_back({s, d, bytes, sim_.now().ps(), -1, false, std::make_shared<PyFunction>(on_done)});
    net_->start_transfer(s, d, bytes, kPythonTag | id);
    return id;
  }

  py::dict transfer(std::uint64_t id) const {
    if (id >= transfers_.size()) throw py::index_error("no transfer " + std::to_string(id));
    const auto& t = transfers_[id];
    py::dict d;
    d["src"] = topology_.node(t.src).name;
    d["dst"] = topology_.node(t.dst).name;
    d["bytes"] = t.bytes;
    d["start_s"] = static_cast<double>(t.start_ps) * 1e-12;
    d["end_s"] = t.end_ps < 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(t.end_ps) * 1e-12;
    d["delivered"] = t.delivered;
    return d;
  }

  py::dict transfers() const {
    std::vector<std::string> src, dst;
    std::vector<double> bytes, start, end;
    std::vector<std::uint8_t> delivered;
    for (const auto& t : transfers_) {
      src.push_back(topology_.node(t.src).name);
      dst.push_back(topology_.node(t.dst).name);
      bytes.push_back(t.bytes);
      start.push_back(static_cast<double>(t.start_ps) * 1e-12);
      end.push_back(t.end_ps < 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(t.end_ps) * 1e-12);
      delivered.push_back(t.delivered ? 1 : 0);
    }
    py::dict d;
    d["src"] = src;
    d["dst"] = dst;
    d["bytes"] = to_array(bytes);
    d["start_s"] = to_array(start);
    d["end_s"] = to_array(end);
    d["delivered"] = to_array(delivered).attr("astype")("bool");
    return d;
  }

  std::uint32_t start_collective(const std::string& algorithm, double bytes, std::optional<std::uint32_t> ranks,
                                 std::uint32_t chunks, std::uint32_t ranks_per_host, const py::object& placement,
                                 py::object on_done) {
    if (runs_.size() >= kMaxCollectives) {
      throw py::value_error("at most " + std::to_string(kMaxCollectives) + " collectives per fabric");
    }
    const auto w = collective_workload_from(algorithm, bytes, ranks, chunks, ranks_per_host, placement);
    auto job = mc::workload_program(w, topology_, 1);
    const auto k = static_cast<std::uint32_t>(runs_.size() + 1);
    auto callback = std::make_shared<PyFunction>(on_done);
    // Its transfers complete in later events, never inside this call.
    runs_.push_back(std::make_unique<mc::CollectiveRun>(sim_, *net_, std::move(job.program), job.placement,
                                                        std::uint64_t{k} << kCollectiveShift,
                                                        [callback] { (*callback)(); }));
    return k;
  }

  mc::CollectiveRun& run(std::uint32_t k) { return *runs_.at(k - 1); }

  py::dict links() {
    net_->settle();
    const auto& stats = net_->link_stats();
    const double elapsed_s = sim_.now().to_seconds();
    std::vector<std::string> names;
    std::vector<double> carried, capacity, utilisation, max_load;
    std::vector<std::uint32_t> max_flows;
    for (topologies::LinkId l = 0; l < stats.size(); ++l) {
      names.push_back(mc::link_name(topology_, l));
      carried.push_back(stats[l].carried_bytes);
      const double gbps = topology_.link(l).bandwidth_gbps;
      capacity.push_back(gbps);
      utilisation.push_back(elapsed_s > 0 ? stats[l].carried_bytes * 8 / (gbps * 1e9 * elapsed_s)
                                          : std::numeric_limits<double>::quiet_NaN());
      max_flows.push_back(stats[l].max_flows);
      max_load.push_back(stats[l].max_load);
    }
    py::dict d;
    d["name"] = names;
    d["bandwidth_gbps"] = to_array(capacity);
    d["carried_bytes"] = to_array(carried);
    d["utilisation"] = to_array(utilisation);
    d["max_flows"] = to_array(max_flows);
    d["max_load"] = to_array(max_load);
    return d;
  }

  const mn::FlowNetwork& network() const { return *net_; }
  const Topology& topology() const { return topology_; }
  const py::object& simulator() const { return sim_object_; }

 private:
  struct Transfer {
    NodeId src, dst;
    double bytes;
    std::int64_t start_ps, end_ps;
    bool delivered;
    std::shared_ptr<PyFunction> on_done;
  };

  // An endpoint by index (rank order, as collectives place ranks) or any node by name.
  NodeId node_of(const py::object& spec, const char* what) const {
    if (py::isinstance<py::str>(spec)) {
      try {
        return topology_.node_by_name(spec.cast<std::string>());
      } catch (const std::exception&) {
        throw py::key_error(std::string(what) + ": no node '" + spec.cast<std::string>() + "'");
      }
    }
    const auto& ends = topology_.endpoints();
    const auto i = spec.cast<long long>();
    if (i < 0 || static_cast<std::size_t>(i) >= ends.size()) {
      throw py::index_error(std::string(what) + ": no endpoint " + std::to_string(i) + " (the topology has " +
                            std::to_string(ends.size()) + ")");
    }
    return ends[static_cast<std::size_t>(i)];
  }

  void on_transfer(std::uint64_t tag, bool delivered) {
    if ((tag & kPythonTag) == 0) {
      runs_.at((tag >> kCollectiveShift) - 1)->deliver(tag, delivered);
      return;
    }
    const std::uint64_t id = tag & ~kPythonTag;
    auto& t = transfers_[id];
    t.delivered = delivered;
    if (delivered) t.end_ps = sim_.now().ps();
    const auto callback = t.on_done;  // the vector may grow inside the callback
    if (*callback) (*callback)(id);
  }

  py::object sim_object_;
  sim::Simulator& sim_;
  Topology topology_;
  std::unique_ptr<mn::FlowNetwork> net_;
  std::vector<Transfer> transfers_;
  std::vector<std::unique_ptr<mc::CollectiveRun>> runs_;
};

// A collective started on a SharedFabric; it keeps the fabric alive.
struct FabricCollective {
  py::object fabric_object;
  SharedFabric* fabric;
  std::uint32_t k;
};

py::dict collective_dict(mc::CollectiveRun& run) {
  const auto r = run.result();
  py::dict d;
  d["algorithm"] = r.algorithm;
  d["ranks"] = r.ranks;
  d["bytes"] = r.bytes;
  d["complete"] = r.complete;
  d["completion_s"] = r.completion_s;
  d["algbw_gb_per_s"] = r.algbw_gb_per_s;
  d["busbw_gb_per_s"] = r.busbw_gb_per_s;
  d["rank_finish_s"] = to_array(r.rank_finish_s);
  py::list failed;
  for (auto f : r.failed_transfers) failed.append(py::make_tuple(f >> 32, f & 0xffffffffu));
  d["failed_transfers"] = failed;
  d["transfers"] = r.transfers;
  return d;
}

}  // namespace

void bind_shared_fabric(py::module_& m) {
  py::module_ tm = m.attr("topologies").cast<py::module_>();
  tm.def(
      "fabric_figures",
      [](const Topology& t) {
        const auto f = topologies::fabric_figures(t);
        py::dict d;
        d["host_gbps"] = f.host_gbps;
        d["uplink_gbps"] = f.uplink_gbps;
        d["oversubscription"] = f.oversubscription;
        d["total_capacity_gbps"] = f.total_capacity_gbps;
        return d;
      },
      py::arg("topology"),
      "What the links imply: host_gbps and uplink_gbps (the slowest leaf link down to a host and up to a "
      "switch), oversubscription (the largest over leaves of host-facing over switch-facing capacity), "
      "total_capacity_gbps; NaN where the fabric has no leaves");

  py::module_ nm = m.attr("network").cast<py::module_>();
  py::class_<FabricCollective>(nm, "FabricCollective", "A collective running on a SharedFabric")
      .def_property_readonly(
          "finished", [](const FabricCollective& c) { return c.fabric->run(c.k).finished(); },
          "every rank has finished")
      .def(
          "result", [](const FabricCollective& c) { return collective_dict(c.fabric->run(c.k)); },
          "completion_s (from its start), algbw/busbw (GB/s), rank_finish_s, failed_transfers; "
          "complete is False while it runs or when a transfer lost every path");

  py::class_<SharedFabric>(nm, "SharedFabric", R"doc(
A flow-level fabric bound to a Simulator (max-min fair sharing, as network.run_permutation).
Transfers and collectives start at the simulator's current time, from Python code
(callbacks, processes) before or during sim.run(); every model on the simulator shares one
event order. Endpoints are given by index (topology.endpoints order) or node name.)doc")
      // The simulator keeps the fabric alive: its pending events point into it.
      .def(py::init<py::object, const Topology&, const std::string&, const py::object&, std::uint32_t>(),
           py::keep_alive<2, 1>(), py::arg("sim"), py::arg("topology"), py::arg("policy") = "ecmp", py::arg("seed") = 1,
           py::arg("subflows") = 4,
           "the topology is copied; its link states hold from the start; the fabric lives as long as sim")
      .def("start_transfer", &SharedFabric::start_transfer, py::arg("src"), py::arg("dst"), py::arg("bytes"),
           py::arg("on_done") = py::none(),
           "start a transfer now; on_done(transfer_id) runs when its last byte arrives (or it lost every "
           "path: transfer(id)['delivered'] is False); returns the transfer id")
      .def("transfer", &SharedFabric::transfer, py::arg("transfer_id"),
           "src, dst, bytes, start_s, end_s (NaN until delivered), delivered")
      .def("transfers", &SharedFabric::transfers, "every transfer so far, as numpy columns")
      .def(
          "start_collective",
          [](py::object self, const std::string& algorithm, double bytes, std::optional<std::uint32_t> ranks,
             std::uint32_t chunks, std::uint32_t ranks_per_host, const py::object& placement, py::object on_done) {
            auto& fabric = self.cast<SharedFabric&>();
            const auto k =
                fabric.start_collective(algorithm, bytes, ranks, chunks, ranks_per_host, placement, std::move(on_done));
            return FabricCollective{self, &fabric, k};
          },
          py::arg("algorithm") = workload_text_default("algorithm"), py::arg("bytes") = workload_default("bytes"),
          py::arg("ranks") = py::none(), py::arg("chunks") = static_cast<std::uint32_t>(workload_default("chunks")),
          py::arg("ranks_per_host") = static_cast<std::uint32_t>(workload_default("ranks_per_host")),
          py::arg("placement") = py::none(), py::arg("on_done") = py::none(),
          "start a collective now (the keywords of collective.run); on_done() runs when every rank has finished")
      .def("links", &SharedFabric::links,
           "per directed link: name, bandwidth_gbps, carried_bytes, utilisation (carried / capacity over "
           "the simulated time), max_flows, max_load")
      .def_property_readonly("flows_started", [](const SharedFabric& f) { return f.network().flows_started(); })
      .def_property_readonly("flows_completed", [](const SharedFabric& f) { return f.network().flows_completed(); })
      .def_property_readonly("active_flows", [](const SharedFabric& f) { return f.network().active_flows(); })
      .def_property_readonly("topology", [](const SharedFabric& f) { return f.topology(); })
      .def_property_readonly("sim", &SharedFabric::simulator);
}

}  // namespace bindings
