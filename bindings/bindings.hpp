#pragma once
// One function per layer adds that layer's types to the module.

#include <pybind11/pybind11.h>

namespace bindings {

void bind_interrupt(pybind11::module_& m);      // bindings/interrupt.cpp: Ctrl-C during C++ runs
void bind_sim(pybind11::module_& m);            // bindings/sim.cpp
void bind_bench(pybind11::module_& m);          // bindings/bench.cpp
void bind_accelerator(pybind11::module_& m);    // bindings/accelerator.cpp
void bind_fabric(pybind11::module_& m);         // bindings/fabric.cpp: topologies, network, collective
void bind_traffic(pybind11::module_& m);        // bindings/traffic.cpp: traffic workloads, PacketParams (network)
void bind_shared_fabric(pybind11::module_& m);  // bindings/shared_fabric.cpp: a fabric on a Python Simulator
void bind_quantum(pybind11::module_& m);        // bindings/quantum.cpp
void bind_cost(pybind11::module_& m);           // bindings/cost.cpp
void bind_search(pybind11::module_& m);         // bindings/search.cpp
void bind_training(pybind11::module_& m);       // bindings/training.cpp

}  // namespace bindings
