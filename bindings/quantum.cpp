// Python face of the quantum-network layer: closed forms, topologies and whole runs.
// Runs release the GIL; results come back as dicts of numbers and numpy arrays.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings/bindings.hpp"
#include "bindings/keyword_values.hpp"
#include "bindings/py_function.hpp"
#include "bindings/seed.hpp"
#include "models/quantum/experiment.hpp"
#include "models/quantum/parameters.hpp"

namespace py = pybind11;
namespace mq = models::quantum;

namespace bindings {
namespace {

template <class T>
py::array_t<double> to_array(const std::vector<T>& v) {
  py::array_t<double> out(static_cast<py::ssize_t>(v.size()));
  auto w = out.mutable_unchecked<1>();
  for (std::size_t i = 0; i < v.size(); ++i) w(static_cast<py::ssize_t>(i)) = static_cast<double>(v[i]);
  return out;
}

// A metric a run has no value for (the mean fidelity of no pairs): NaN, never 0.
constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

py::dict to_dict(const mq::ExperimentResult& r) {
  const auto& res = r.results;
  py::dict d;
  d["events"] = r.events;
  d["simulated_s"] = r.simulated_s;
  d["wall_s"] = r.wall_s;
  d["pairs_delivered"] = res.pairs_delivered;
  d["pairs_per_s"] = static_cast<double>(res.pairs_delivered) / r.simulated_s;
  d["mean_fidelity"] = res.pairs_delivered ? res.delivered_fidelity.mean() : kNoValue;
  d["delivered_fidelity"] = to_array(res.delivered_fidelities);
  d["delivered_time_s"] = to_array(res.delivered_time_s);
  d["delivered_purifications"] = to_array(res.delivered_purifications);
  d["delivered_belief"] = to_array(res.delivered_beliefs);
  d["mean_belief_fidelity"] = res.pairs_delivered ? res.delivered_belief.mean() : kNoValue;
  py::list requests;
  for (const auto& q : res.requests) {
    py::dict e;
    e["src"] = q.src;
    e["dst"] = q.dst;
    e["hops"] = q.hops;
    e["accepted"] = q.accepted;
    e["delivered"] = q.delivered;
    e["window_s"] = q.window_s;
    e["pairs_per_s"] = q.pairs_per_s;
    e["mean_fidelity"] = q.delivered ? q.mean_fidelity : kNoValue;
    e["mean_belief_fidelity"] = q.delivered ? q.mean_belief_fidelity : kNoValue;
    e["target_reachable"] = q.target_reachable;
    e["best_fidelity"] = q.best_fidelity;
    requests.append(e);
  }
  d["requests"] = requests;
  std::vector<double> att, succ;
  for (const auto& l : res.links) {
    att.push_back(static_cast<double>(l.attempts));
    succ.push_back(static_cast<double>(l.successes));
  }
  d["link_attempts"] = to_array(att);
  d["link_successes"] = to_array(succ);
  auto link_array = [&](std::uint64_t mq::LinkStats::*field) {
    std::vector<double> v;
    for (const auto& l : res.links) v.push_back(static_cast<double>(l.*field));
    return to_array(v);
  };
  d["link_false_heralds"] = link_array(&mq::LinkStats::false_heralds);
  d["link_photons_absorbed"] = link_array(&mq::LinkStats::photons_absorbed);
  d["link_photons_registered"] = link_array(&mq::LinkStats::photons_registered);
  d["link_photons_in_window"] = link_array(&mq::LinkStats::photons_in_window);
  d["link_dark_clicks"] = link_array(&mq::LinkStats::dark_clicks);
  d["memory_utilisation"] = to_array(r.mean_memory_utilisation);
  if (!res.memories_busy_samples.empty()) {
    // Busy memories per router (rows) at each sample time (columns).
    const auto& first = res.memories_busy_samples.front();
    std::vector<double> times;
    for (const auto& t : first.times()) times.push_back(t.to_seconds());
    py::array_t<double> busy(
        {static_cast<py::ssize_t>(res.memories_busy_samples.size()), static_cast<py::ssize_t>(times.size())});
    auto w = busy.mutable_unchecked<2>();
    for (std::size_t r = 0; r < res.memories_busy_samples.size(); ++r)
      for (std::size_t i = 0; i < times.size(); ++i)
        w(static_cast<py::ssize_t>(r), static_cast<py::ssize_t>(i)) = res.memories_busy_samples[r].values()[i];
    d["memory_busy_time_s"] = to_array(times);
    d["memory_busy"] = busy;
  }
  d["swaps"] = res.swaps;
  d["swaps_failed"] = res.swaps_failed;
  d["purifications"] = res.purifications;
  d["purifications_failed"] = res.purifications_failed;
  d["pairs_expired"] = res.pairs_expired;
  d["requests_accepted"] = res.requests_accepted;
  d["requests_rejected"] = res.requests_rejected;
  return d;
}

mq::ExperimentResult run_released(const mq::ExperimentParams& p) {
  py::gil_scoped_release release;
  return mq::run_experiment(p);
}

mq::ExperimentParams read_keywords(KeywordValues& values) {
  mq::ExperimentParams p = mq::read_experiment(values);
  values.finish();
  return p;
}

// Keyword defaults are the declared ones.
double default_number(std::string_view table, std::string_view key) {
  return mq::parameter(table, key).default_number.value();
}
long long default_integer(std::string_view table, std::string_view key) {
  return static_cast<long long>(default_number(table, key));
}
std::string default_text(std::string_view table, std::string_view key) {
  return std::string(mq::parameter(table, key).default_text);
}

// The run of run_chain's keywords, checked as a scenario file is.
mq::ExperimentParams chain_params(long long routers, double link_km, long long memories,
                                  std::optional<long long> request_memories, double raw_fidelity,
                                  double coherence_time_s, double memory_efficiency, double detector_efficiency,
                                  std::optional<double> target_fidelity, double duration_s,
                                  const std::string& formalism, const std::string& generation,
                                  const std::string& timing, const py::object& seed, double utilisation_sample_s,
                                  const py::dict& topology, const py::dict& memory, const py::dict& source,
                                  const py::dict& detector, const py::dict& swap, const py::dict& purify,
                                  const py::dict& request, const py::list& requests, const py::dict& traffic) {
  KeywordValues v;
  v.set("topology.type", py::str("chain"));
  v.set("topology.routers", py::int_(routers));
  v.set("topology.link_km", py::float_(link_km));
  v.set("topology.memories", py::int_(memories));
  v.set_table("topology", topology);
  v.set("memory.raw_fidelity", py::float_(raw_fidelity));
  v.set("memory.coherence_time_s", py::float_(coherence_time_s));
  v.set("memory.efficiency", py::float_(memory_efficiency));
  v.set_table("memory", memory);
  v.set("detector.efficiency", py::float_(detector_efficiency));
  v.set_table("detector", detector);
  v.set_table("source", source);
  v.set_table("swap", swap);
  v.set_table("purify", purify);
  v.set_table("traffic", traffic);
  v.set("duration_s", py::float_(duration_s));
  v.set("formalism", py::str(formalism));
  v.set("generation", py::str(generation));
  v.set("timing", py::str(timing));
  v.set("seed", py::int_(seed_from(seed, "seed")));
  v.set("utilisation_sample_s", py::float_(utilisation_sample_s));
  if (!requests.empty()) {
    v.set_array("request", requests);
    if (request_memories || target_fidelity || !request.empty())
      throw py::value_error("requests: give either a list of requests or request_memories/target_fidelity/request");
  } else if (traffic.empty() || request_memories || target_fidelity || !request.empty()) {
    // The one request runs between the chain's ends over the whole run unless told otherwise.
    v.set("request.src", py::str("r0"));
    v.set("request.dst", py::str("r" + std::to_string(std::max(routers - 1, 1LL))));
    if (request_memories) v.set("request.memories", py::int_(*request_memories));
    if (target_fidelity) v.set("request.target_fidelity", py::float_(*target_fidelity));
    for (const auto& [k, val] : request) {
      const std::string name = "request." + py::str(k).cast<std::string>();
      if (name == "request.src" || name == "request.dst") {
        v.replace(name, py::reinterpret_borrow<py::object>(val));
      } else {
        v.set(name, py::reinterpret_borrow<py::object>(val));
      }
    }
  }
  return read_keywords(v);
}

// A quantum network bound to a Python Simulator: its requests run from its creation,
// pairs are reported to Python callbacks as they are delivered, and results are read
// whenever the simulator is between events.
class SharedQuantum {
 public:
  SharedQuantum(py::object simulator, mq::ExperimentParams params)
      : sim_object_(std::move(simulator)), sim_(sim_object_.cast<sim::Simulator&>()), params_(std::move(params)),
        start_(sim_.now()), events_before_(sim_.events_executed()) {
    net_ = std::make_unique<mq::EntanglementNetwork>(sim_, params_.topology, params_.network);
    net_->set_pair_listener([this](const mq::DeliveredPair& pair) { on_pair(pair); });
    // The spec's times count from the network's creation.
    for (auto spec : params_.requests) {
      spec.start = spec.start + start_;
      spec.end = spec.end + start_;
      if (spec.start > sim_.now()) {
        sim_.schedule_at(spec.start, [this, spec] { net_->submit(spec); });
      } else {
        net_->submit(spec);
      }
    }
    if (params_.traffic)
      net_->start_random_traffic(*params_.traffic, start_ + sim::Time::from_seconds(params_.duration_s));
  }

  void add_listener(py::object callback) {
    if (!PyCallable_Check(callback.ptr())) throw py::type_error("on_pair: callback is not callable");
    listeners_.push_back(std::make_shared<PyFunction>(callback));
  }

  py::dict results() {
    mq::ExperimentResult out;
    out.results = net_->results();
    out.events = sim_.events_executed() - events_before_;
    out.simulated_s = (sim_.now() - start_).to_seconds();
    out.wall_s = kNoValue;  // the simulator's run is shared with other models
    const auto& graph = params_.topology.graph;
    for (topologies::NodeId r = 0; r < graph.node_count(); ++r)
      out.mean_memory_utilisation.push_back(out.results.memories_busy[r].mean(sim_.now()) / graph.node(r).memories);
    return to_dict(out);
  }

  const py::object& simulator() const { return sim_object_; }
  std::uint64_t pairs_delivered() { return net_->results().pairs_delivered; }

 private:
  void on_pair(const mq::DeliveredPair& pair) {
    if (listeners_.empty()) return;
    const auto& graph = params_.topology.graph;
    const auto listeners = listeners_;  // a callback may add another
    for (const auto& f : listeners) {
      (*f)(graph.node(static_cast<topologies::NodeId>(pair.src)).name,
           graph.node(static_cast<topologies::NodeId>(pair.dst)).name, pair.fidelity);
    }
  }

  py::object sim_object_;
  sim::Simulator& sim_;
  mq::ExperimentParams params_;
  sim::Time start_;
  std::uint64_t events_before_;
  std::unique_ptr<mq::EntanglementNetwork> net_;
  std::vector<std::shared_ptr<PyFunction>> listeners_;
};

// Defines `name` on q with run_chain's keywords (defaults the declared ones).
template <class F>
void def_chain(py::module_& q, const char* name, F then, const char* doc) {
  q.def(
      name,
      [then](long long routers, double link_km, long long memories, std::optional<long long> request_memories,
             double raw_fidelity, double coherence_time_s, double memory_efficiency, double detector_efficiency,
             std::optional<double> target_fidelity, double duration_s, const std::string& formalism,
             const std::string& generation, const std::string& timing, const py::object& seed,
             double utilisation_sample_s, const py::dict& topology, const py::dict& memory, const py::dict& source,
             const py::dict& detector, const py::dict& swap, const py::dict& purify, const py::dict& request,
             const py::list& requests, const py::dict& traffic) {
        return then(chain_params(routers, link_km, memories, request_memories, raw_fidelity, coherence_time_s,
                                 memory_efficiency, detector_efficiency, target_fidelity, duration_s, formalism,
                                 generation, timing, seed, utilisation_sample_s, topology, memory, source, detector,
                                 swap, purify, request, requests, traffic));
      },
      py::arg("routers") = default_integer("topology", "routers"),
      py::arg("link_km") = default_number("topology", "link_km"),
      py::arg("memories") = default_integer("topology", "memories"), py::arg("request_memories") = py::none(),
      py::arg("raw_fidelity") = default_number("memory", "raw_fidelity"),
      py::arg("coherence_time_s") = default_number("memory", "coherence_time_s"),
      py::arg("memory_efficiency") = default_number("memory", "efficiency"),
      py::arg("detector_efficiency") = default_number("detector", "efficiency"),
      py::arg("target_fidelity") = py::none(), py::arg("duration_s") = default_number("", "duration_s"),
      py::arg("formalism") = default_text("", "formalism"), py::arg("generation") = default_text("", "generation"),
      py::arg("timing") = default_text("", "timing"), py::arg("seed") = default_integer("", "seed"),
      py::arg("utilisation_sample_s") = default_number("", "utilisation_sample_s"), py::arg("topology") = py::dict(),
      py::arg("memory") = py::dict(), py::arg("source") = py::dict(), py::arg("detector") = py::dict(),
      py::arg("swap") = py::dict(), py::arg("purify") = py::dict(), py::arg("request") = py::dict(),
      py::arg("requests") = py::list(), py::arg("traffic") = py::dict(), doc);
}

}  // namespace

void bind_quantum(py::module_& m) {
  py::module_ q = m.def_submodule("quantum", "Quantum networks: states, protocols, whole-network runs");

  q.def(
      "bbpssw", [](double f) { return py::make_tuple(mq::bbpssw_success_probability(f), mq::bbpssw_fidelity(f)); },
      py::arg("fidelity"), "BBPSSW on two Werner pairs: (success probability, output fidelity)");
  q.def("swap_werner", &mq::werner_swap_fidelity, py::arg("f1"), py::arg("f2"));
  q.def(
      "purify_bell",
      [](std::array<double, 4> kept, std::array<double, 4> sacrificed, double g, double meas) {
        const auto r = mq::purify_bell(kept, sacrificed, g, meas);
        return py::make_tuple(r.success_probability, r.state);
      },
      py::arg("kept"), py::arg("sacrificed"), py::arg("gate_fidelity") = 1.0, py::arg("measurement_fidelity") = 1.0,
      "Bell-diagonal BBPSSW (order Phi+, Psi+, Phi-, Psi-): (success probability, kept state)");
  q.def(
      "barrett_kok_timing",
      [](double eta, double d_cc_ps, double d_q_ps, double d_cm_ps) {
        const auto t = mq::barrett_kok_timing(eta, d_cc_ps, d_q_ps, d_cm_ps);
        py::dict d;
        d["round1_ps"] = t.round1_ps;
        d["round2_ps"] = t.round2_ps;
        d["p_round1"] = t.p_round1;
        d["p_success"] = t.p_success;
        d["mean_attempt_ps"] = t.mean_attempt_ps;
        return d;
      },
      py::arg("eta"), py::arg("d_cc_ps"), py::arg("d_q_ps"), py::arg("d_cm_ps"));
  q.def(
      "fiber_delay_ps", [](double km) { return mq::fiber_delay(km).ps(); }, py::arg("km"));
  q.def("fiber_transmission", &mq::fiber_transmission, py::arg("km"), py::arg("attenuation_db_per_km") = 0.2);

  def_chain(
      q, "run_chain", [](const mq::ExperimentParams& p) { return to_dict(run_released(p)); },
      "Requests over a linear chain r0..r(N-1); returns a dict of metrics and numpy arrays\n"
      "(memory_busy: routers x samples when utilisation_sample_s > 0; requests: one dict per\n"
      "request with its pairs_per_s over its own window, mean true and believed fidelity and\n"
      "whether its target is reachable).\n"
      "Keywords are the scenario keys topology.routers, topology.link_km, topology.memories,\n"
      "request.memories, memory.raw_fidelity, memory.coherence_time_s (0: never decays),\n"
      "memory.efficiency, detector.efficiency, request.target_fidelity, duration_s, formalism,\n"
      "generation, timing, seed and utilisation_sample_s, with the same defaults and ranges\n"
      "(models/quantum/README.md). Every other key goes in a dict named after its table:\n"
      "topology, memory, source, detector, swap, purify, request (e.g. start_s, end_s, pairs,\n"
      "src, dst: by default the chain's ends over the whole run), traffic; requests: a list of\n"
      "request dicts (scenario [[request]]), each with src and dst. Bad values and unknown\n"
      "keys raise ValueError naming the scenario key (request[2].dst for the second of a list).");
  py::class_<mq::ExperimentParams>(q, "ChainSpec", "A checked quantum run (chain_spec), for QuantumNetwork")
      .def_property_readonly("duration_s", [](const mq::ExperimentParams& p) { return p.duration_s; });
  def_chain(
      q, "chain_spec", [](mq::ExperimentParams p) { return p; },
      "The keywords of run_chain, checked, for a QuantumNetwork on a shared Simulator.");

  q.def(
      "run_topology_file",
      [](const std::filesystem::path& file, const std::string& src, const std::string& dst, long long memories,
         double target_fidelity, std::optional<double> duration_s, std::optional<std::string> formalism,
         const py::object& seed, std::optional<std::string> timing, const py::dict& topology, const py::dict& memory,
         const py::dict& source, const py::dict& detector, const py::dict& swap, const py::dict& purify,
         const py::dict& request) {
        KeywordValues v;
        v.set("topology.type", py::str(file.extension() == ".graphml" ? "graphml" : "json"));
        v.set("topology.file", py::str(file.string()));
        v.set("request.src", py::str(src));
        v.set("request.dst", py::str(dst));
        v.set("request.memories", py::int_(memories));
        v.set("request.target_fidelity", py::float_(target_fidelity));
        if (duration_s) v.set("duration_s", py::float_(*duration_s));
        if (formalism) v.set("formalism", py::str(*formalism));
        if (timing) v.set("timing", py::str(*timing));
        v.set_table("topology", topology);
        v.set_table("memory", memory);
        v.set_table("source", source);
        v.set_table("detector", detector);
        v.set_table("swap", swap);
        v.set_table("purify", purify);
        v.set_table("request", request);
        v.set("seed", py::int_(seed_from(seed, "seed")));
        return to_dict(run_released(read_keywords(v)));
      },
      py::arg("file"), py::arg("src"), py::arg("dst"), py::arg("memories") = default_integer("request", "memories"),
      py::arg("target_fidelity") = default_number("request", "target_fidelity"), py::arg("duration_s") = py::none(),
      py::arg("formalism") = py::none(), py::arg("seed") = default_integer("", "seed"), py::arg("timing") = py::none(),
      py::arg("topology") = py::dict(), py::arg("memory") = py::dict(), py::arg("source") = py::dict(),
      py::arg("detector") = py::dict(), py::arg("swap") = py::dict(), py::arg("purify") = py::dict(),
      py::arg("request") = py::dict(),
      "One request over a router-network JSON or GraphML topology. duration_s and formalism\n"
      "default to the file's stop_time and formalism, else 1 s and bell-diagonal; timing to\n"
      "reference. The dicts carry the other keys of their scenario tables (topology: link_km,\n"
      "attenuation_db_per_km, classical_delay_us replace the file's; request: start_s, end_s,\n"
      "pairs).");

  py::class_<SharedQuantum>(q, "SharedQuantum", R"doc(
A quantum network (a chain_spec) bound to a Simulator. Its requests and traffic run from
its creation on (request start_s/end_s count from there); on_pair(callback) calls
callback(src, dst, fidelity) at each delivered end-to-end pair; results() reads the run so
far with run_chain's keys (simulated_s from the creation, wall_s NaN).)doc")
      // The simulator keeps the network alive: its pending events point into it.
      .def(py::init<py::object, mq::ExperimentParams>(), py::keep_alive<2, 1>(), py::arg("sim"), py::arg("spec"))
      .def("on_pair", &SharedQuantum::add_listener, py::arg("callback"))
      .def("results", &SharedQuantum::results)
      .def_property_readonly("pairs_delivered", &SharedQuantum::pairs_delivered)
      .def_property_readonly("sim", &SharedQuantum::simulator);
}

}  // namespace bindings
