// The compiled half of the `simfabric` Python package; the pure-Python half (processes,
// analysis) lives in bindings/python/simfabric.

#include <pybind11/pybind11.h>

#include "bindings/bindings.hpp"
#include "sim/version.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "simfabric core (compiled)";
  m.attr("__version__") = sim::kVersion;
  bindings::bind_interrupt(m);
  bindings::bind_sim(m);
  bindings::bind_bench(m);
  bindings::bind_accelerator(m);
  bindings::bind_fabric(m);
  bindings::bind_traffic(m);
  bindings::bind_shared_fabric(m);
  bindings::bind_quantum(m);
  bindings::bind_cost(m);
  bindings::bind_search(m);
  bindings::bind_training(m);
}
