// libFuzzer target for the topology readers: the same bytes as a fabric GraphML file, a
// quantum-network GraphML file and a router-network JSON file (SeQUeNCe's format). Any
// bytes must give a topology or an invalid_argument naming the problem, never a crash,
// hang, sanitizer report or undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "models/quantum/hardware_graph.hpp"
#include "topologies/graphml.hpp"

namespace {

template <typename Read>
void expect_refusal_or_result(Read&& read) {
  try {
    (void)read();
  } catch (const std::invalid_argument&) {  // TopologyError and the JSON reader's errors
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  expect_refusal_or_result([&] {
    std::istringstream in(text);
    return topologies::read_graphml(in, "fuzz.graphml");
  });
  expect_refusal_or_result([&] {
    std::istringstream in(text);
    return topologies::read_quantum_graphml(in, "fuzz.graphml");
  });
  // The JSON reader takes a path (it reads through the input-file gate); run_fuzz.sh runs
  // this in a scratch directory.
  { std::ofstream("fuzz.json", std::ios::binary | std::ios::trunc) << text; }
  expect_refusal_or_result([] { return models::quantum::load_router_json("fuzz.json"); });
  return 0;
}
