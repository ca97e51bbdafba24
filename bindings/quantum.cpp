// Python face of the quantum-network layer: closed forms, topologies and whole runs.
// Runs release the GIL; results come back as dicts of numbers and numpy arrays.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bindings/bindings.hpp"
#include "models/quantum/experiment.hpp"

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

py::dict to_dict(const mq::ExperimentResult& r) {
  const auto& res = r.results;
  py::dict d;
  d["events"] = r.events;
  d["simulated_s"] = r.simulated_s;
  d["wall_s"] = r.wall_s;
  d["pairs_delivered"] = res.pairs_delivered;
  d["pairs_per_s"] = static_cast<double>(res.pairs_delivered) / r.simulated_s;
  d["mean_fidelity"] = res.pairs_delivered ? res.delivered_fidelity.mean() : 0.0;
  d["delivered_fidelity"] = to_array(res.delivered_fidelities);
  d["delivered_time_s"] = to_array(res.delivered_time_s);
  d["delivered_purifications"] = to_array(res.delivered_purifications);
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
    py::array_t<double> busy({static_cast<py::ssize_t>(res.memories_busy_samples.size()),
                              static_cast<py::ssize_t>(times.size())});
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

mq::MemoryParams memory_params(double raw_fidelity, double coherence_time_s, double efficiency) {
  mq::MemoryParams m;
  m.raw_fidelity = raw_fidelity;
  m.coherence_time_s = coherence_time_s > 0 ? coherence_time_s : std::numeric_limits<double>::infinity();
  m.efficiency = efficiency;
  return m;
}

// Typed parameters from a dict of keyword values; an unknown key is an error, not ignored.
class DictReader {
 public:
  DictReader(const py::dict& d, const char* what) : d_(d), what_(what) {}
  template <class T>
  void read(const char* key, T& out) {
    if (d_.contains(key)) out = d_[key].cast<T>();
    known_.emplace_back(key);
  }
  void finish() const {
    for (const auto& [k, v] : d_) {
      const auto key = py::str(k).cast<std::string>();
      if (std::find(known_.begin(), known_.end(), key) == known_.end())
        throw std::invalid_argument(std::string(what_) + ": unknown key \"" + key + "\"");
    }
  }

 private:
  const py::dict& d_;
  const char* what_;
  std::vector<std::string> known_;
};

void check_range(const char* what, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi))
    throw std::invalid_argument(std::string(what) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

mq::SourceParams source_params(const py::dict& d) {
  mq::SourceParams s;
  DictReader r(d, "source");
  r.read("efficiency", s.efficiency);
  r.read("frequency_hz", s.frequency_hz);
  r.read("multi_photon_probability", s.multi_photon_probability);
  r.read("indistinguishability", s.indistinguishability);
  r.finish();
  check_range("source efficiency", s.efficiency, 0.0, 1.0);
  check_range("source multi_photon_probability", s.multi_photon_probability, 0.0, 1.0);
  check_range("source indistinguishability", s.indistinguishability, 0.0, 1.0);
  if (!(s.frequency_hz > 0)) throw std::invalid_argument("source frequency_hz must be positive");
  return s;
}

void apply_detector(const py::dict& d, mq::DetectorParams& det) {
  DictReader r(d, "detector");
  r.read("dark_count_rate_hz", det.dark_count_rate_hz);
  r.read("time_resolution_ps", det.time_resolution_ps);
  r.read("count_rate_hz", det.count_rate_hz);
  r.read("herald_window_ps", det.herald_window_ps);
  r.read("free_running", det.free_running);
  r.finish();
  if (!(det.dark_count_rate_hz >= 0)) throw std::invalid_argument("detector dark_count_rate_hz must be >= 0");
  if (!(det.time_resolution_ps >= 0)) throw std::invalid_argument("detector time_resolution_ps must be >= 0");
  if (!(det.count_rate_hz > 0)) throw std::invalid_argument("detector count_rate_hz must be positive");
  if (!(det.herald_window_ps >= 0)) throw std::invalid_argument("detector herald_window_ps must be >= 0");
}

}  // namespace

void bind_quantum(py::module_& m) {
  py::module_ q = m.def_submodule("quantum", "Quantum networks: states, protocols, whole-network runs");

  q.def("bbpssw", [](double f) { return py::make_tuple(mq::bbpssw_success_probability(f), mq::bbpssw_fidelity(f)); },
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
  q.def("fiber_delay_ps", [](double km) { return mq::fiber_delay(km).ps(); }, py::arg("km"));
  q.def("fiber_transmission", &mq::fiber_transmission, py::arg("km"), py::arg("attenuation_db_per_km") = 0.2);

  q.def(
      "run_chain",
      [](int routers, double link_km, int memories, int request_memories, double raw_fidelity,
         double coherence_time_s, double memory_efficiency, double detector_efficiency, double target_fidelity,
         double seconds, const std::string& formalism, const std::string& generation, std::uint64_t seed,
         double utilisation_sample_s, const py::dict& source, const py::dict& detector) {
        mq::ExperimentParams p;
        p.topology = mq::chain_topology(routers, link_km, memories,
                                        memory_params(raw_fidelity, coherence_time_s, memory_efficiency));
        p.topology.detector.efficiency = detector_efficiency;
        const mq::SourceParams src = source_params(source);
        for (auto& r : p.topology.routers) r.source = src;
        apply_detector(detector, p.topology.detector);
        p.network.formalism = mq::parse_formalism(formalism);
        if (generation != "barrett-kok" && generation != "single-heralded")
          throw std::invalid_argument("generation must be barrett-kok or single-heralded");
        p.network.generation =
            generation == "barrett-kok" ? mq::GenerationProtocol::BarrettKok : mq::GenerationProtocol::SingleHeralded;
        p.duration_s = seconds;
        p.seed = seed;
        p.network.utilisation_sample_s = utilisation_sample_s;
        mq::RequestSpec r;
        r.src = 0;
        r.dst = routers - 1;
        r.memories = request_memories;
        r.target_fidelity = target_fidelity;
        r.end = sim::Time::from_seconds(seconds);
        p.requests.push_back(r);
        return to_dict(run_released(p));
      },
      py::arg("routers") = 2, py::arg("link_km") = 10.0, py::arg("memories") = 20, py::arg("request_memories") = 10,
      py::arg("raw_fidelity") = 0.95, py::arg("coherence_time_s") = 1.0, py::arg("memory_efficiency") = 1.0,
      py::arg("detector_efficiency") = 0.9, py::arg("target_fidelity") = 0.8, py::arg("seconds") = 1.0,
      py::arg("formalism") = "bell-diagonal", py::arg("generation") = "barrett-kok", py::arg("seed") = 1,
      py::arg("utilisation_sample_s") = 0.0, py::arg("source") = py::dict(), py::arg("detector") = py::dict(),
      "One end-to-end request over a linear chain; returns a dict of metrics and numpy arrays\n"
      "(memory_busy: routers x samples when utilisation_sample_s > 0).\n"
      "source: single-photon source of every router (efficiency, frequency_hz,\n"
      "multi_photon_probability, indistinguishability); detector: dark_count_rate_hz,\n"
      "time_resolution_ps, count_rate_hz, herald_window_ps, free_running (detector_efficiency\n"
      "sets the efficiency). Unknown keys raise ValueError.");

  q.def(
      "run_topology_file",
      [](const std::filesystem::path& file, const std::string& src, const std::string& dst, int memories,
         double target_fidelity, double seconds, const std::string& formalism, std::uint64_t seed) {
        mq::ExperimentParams p;
        p.topology = file.extension() == ".graphml" ? mq::load_graphml(file) : mq::load_router_json(file);
        p.network.formalism = mq::parse_formalism(formalism);
        p.duration_s = seconds;
        p.seed = seed;
        mq::RequestSpec r;
        r.src = p.topology.find(src);
        r.dst = p.topology.find(dst);
        if (r.src < 0 || r.dst < 0) throw std::invalid_argument("unknown router in " + file.string());
        r.memories = memories;
        r.target_fidelity = target_fidelity;
        r.end = sim::Time::from_seconds(seconds);
        p.requests.push_back(r);
        return to_dict(run_released(p));
      },
      py::arg("file"), py::arg("src"), py::arg("dst"), py::arg("memories") = 10, py::arg("target_fidelity") = 0.8,
      py::arg("seconds") = 0.1, py::arg("formalism") = "bell-diagonal", py::arg("seed") = 1,
      "One request over a router-network JSON or GraphML topology.");
}

}  // namespace bindings
