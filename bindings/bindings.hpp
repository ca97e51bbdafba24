#pragma once
// One function per layer adds that layer's types to the module.

#include <pybind11/pybind11.h>

namespace bindings {

void bind_sim(pybind11::module_& m);      // bindings/sim.cpp
void bind_quantum(pybind11::module_& m);  // bindings/quantum.cpp

}  // namespace bindings
