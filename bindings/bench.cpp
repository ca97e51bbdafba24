// Python face of the benchmarks: lets scripts time the C++ event loop without the CLI.

#include <pybind11/pybind11.h>

#include "bindings/bindings.hpp"
#include "bindings/seed.hpp"
#include "models/queueing/hold.hpp"

namespace py = pybind11;

namespace bindings {

void bind_bench(py::module_& m) {
  auto bench = m.def_submodule("bench", "Benchmarks of the compiled core");
  bench.def(
      "hold",
      [](std::uint64_t pending, std::uint64_t events, double mean_delay_ns, const py::object& seed, std::string queue) {
        models::queueing::HoldParams params;
        params.pending = pending;
        params.events = events;
        params.mean_delay_ns = mean_delay_ns;
        params.seed = seed_from(seed, "seed");
        params.queue = std::move(queue);
        models::queueing::HoldResult r;
        {
          py::gil_scoped_release release;  // pure C++: other Python threads run meanwhile
          r = models::queueing::run_hold(params);
        }
        py::dict out;
        out["queue"] = r.queue;
        out["pending"] = r.pending;
        out["events"] = r.events;
        out["wall_s"] = r.wall_s;
        out["events_per_second"] = r.events_per_second;
        out["queue_bytes_per_pending"] = r.queue_bytes_per_pending;
        out["peak_rss_bytes"] = r.peak_rss_bytes;
        out["final_time_ps"] = r.final_time_ps;
        return out;
      },
      py::kw_only(), py::arg("pending") = 1000, py::arg("events") = 1'000'000, py::arg("mean_delay_ns") = 1000.0,
      py::arg("seed") = 1, py::arg("queue") = "simulator",
      "Hold model on the C++ event loop (see bench/README.md); returns the measurements as a dict.");
}

}  // namespace bindings
