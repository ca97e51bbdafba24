// The fabric's [topology], [network] and [packet] keys are declared once: the key tables of
// docs/fabric.md and docs/packet.md are the declarations', and every default lies in its
// range and is the model's own.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "models/network/flow_network.hpp"
#include "models/network/parameters.hpp"
#include "models/packet/parameters.hpp"
#include "models/packet/params.hpp"
#include "topologies/builders.hpp"
#include "topologies/parameters.hpp"

TEST_CASE("every [topology] key is declared once, with a default inside its range") {
  std::map<std::string, int> seen;
  for (const auto& p : topologies::fabric_parameters()) {
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && p.type != sim::ParamType::boolean) {
      CHECK_MESSAGE(sim::range_problem(p, *p.default_number).empty(), p.name());
    }
  }
  // The declared defaults are the builders' own.
  const topologies::LeafSpineParams leaf_spine;
  CHECK(topologies::fabric_parameter("topology", "host_latency_ns").default_number == leaf_spine.host_latency.to_ns());
  CHECK(topologies::fabric_parameter("topology", "leaves").default_number == leaf_spine.leaves);
}

TEST_CASE("docs/fabric.md lists the declared [topology] keys") {
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "docs/fabric.md");
  std::stringstream text;
  text << in.rdbuf();
  CHECK_MESSAGE(text.str().find(topologies::fabric_parameters_markdown("topology")) != std::string::npos,
                "regenerate the [topology] key table of docs/fabric.md from fabric_parameters_markdown():\n"
                    << topologies::fabric_parameters_markdown("topology"));
}

TEST_CASE("every [network] key is declared once, with a default inside its range") {
  std::map<std::string, int> seen;
  for (const auto& p : models::network::network_parameters()) {
    CHECK_MESSAGE(p.table == "network", p.name());
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && p.type != sim::ParamType::boolean) {
      CHECK_MESSAGE(sim::range_problem(p, *p.default_number).empty(), p.name());
    }
  }
  // The declared defaults are NetworkParams' own.
  const models::network::NetworkParams params;
  CHECK(models::network::network_parameter("subflows").default_number == params.subflows);
  CHECK(models::network::network_parameter("extrapolate").default_number == (params.extrapolate ? 1.0 : 0.0));
  CHECK(models::network::network_parameter("policy").default_text == sim::name_of(params.policy));
  CHECK(sim::range_problem(models::network::network_parameter("subflows"), models::network::kSplitSubflows).empty());
  CHECK_THROWS_AS(models::network::network_parameter("paths"), std::logic_error);
}

TEST_CASE("docs/fabric.md lists the declared [network] keys") {
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "docs/fabric.md");
  std::stringstream text;
  text << in.rdbuf();
  CHECK_MESSAGE(text.str().find(models::network::network_parameters_markdown()) != std::string::npos,
                "regenerate the [network] key table of docs/fabric.md from network_parameters_markdown():\n"
                    << models::network::network_parameters_markdown());
}

TEST_CASE("every [packet] key is declared once, with PacketParams' default inside its range") {
  std::map<std::string, int> seen;
  for (const auto& p : models::packet::packet_parameters()) {
    CHECK_MESSAGE(p.table == "packet", p.name());
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && p.type != sim::ParamType::boolean) {
      CHECK_MESSAGE(sim::range_problem(p, *p.default_number).empty(), p.name());
    }
  }
  const models::packet::PacketParams params;
  const auto given = [](std::string_view key) { return *models::packet::packet_parameter(key).default_number; };
  CHECK(given("mtu_bytes") == params.mtu_bytes);
  CHECK(given("port_buffer_bytes") == static_cast<double>(params.port_buffer_bytes));
  CHECK(given("rto_us") * 1e6 == static_cast<double>(params.rto_ps));
  CHECK(given("flowlet_gap_us") * 1e6 == static_cast<double>(params.flowlet_gap_ps));
  CHECK(given("dcqcn_g") == params.dcqcn_g);
  CHECK(models::packet::packet_parameter("transport").default_text == sim::name_of(params.transport));
}

TEST_CASE("docs/packet.md lists the declared [packet] keys") {
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "docs/packet.md");
  std::stringstream text;
  text << in.rdbuf();
  CHECK_MESSAGE(text.str().find(models::packet::packet_parameters_markdown()) != std::string::npos,
                "regenerate the [packet] key table of docs/packet.md from packet_parameters_markdown():\n"
                    << models::packet::packet_parameters_markdown());
}
