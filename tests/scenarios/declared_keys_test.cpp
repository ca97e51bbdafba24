// The fabric's [topology], [network], [packet], [faults], [workload] and [[job]] keys are
// declared once: the key tables of docs/fabric.md and docs/packet.md are the declarations',
// and every default lies in its range and is the model's own.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "models/collective/experiment.hpp"
#include "models/collective/parameters.hpp"
#include "models/network/flow_network.hpp"
#include "models/network/parameters.hpp"
#include "models/packet/parameters.hpp"
#include "models/packet/params.hpp"
#include "scenarios/kinds/fabric_traffic.hpp"
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

TEST_CASE("every [faults], [workload] and [[job]] key is declared once, with a default inside its range") {
  namespace mc = models::collective;
  std::map<std::string, int> seen;
  for (const auto& p : mc::experiment_parameters()) {
    CHECK_MESSAGE((p.table == "faults" || p.table == "workload" || p.table == "job"), p.name());
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && p.type != sim::ParamType::boolean) {
      CHECK_MESSAGE(sim::range_problem(p, *p.default_number).empty(), p.name());
    }
    if (p.type == sim::ParamType::text && !p.choices.empty()) {
      CHECK_MESSAGE(sim::choice_problem(p, std::string(p.default_text)).empty(), p.name());
    }
  }
  CHECK_THROWS_AS(mc::workload_parameter("policy"), std::logic_error);
  // The declared defaults are the workloads' own.
  const auto given = [](std::string_view key) { return *mc::workload_parameter(key).default_number; };
  const mc::CollectiveParams collective;
  CHECK(mc::workload_parameter("algorithm").default_text == sim::name_of(collective.algorithm));
  CHECK(given("chunks") == collective.chunks);
  CHECK(given("ranks_per_host") == collective.ranks_per_host);
  CHECK(mc::workload_parameter("placement").default_text == "contiguous");
  CHECK(mc::Placement{}.kind == mc::Placement::Kind::contiguous);
  CHECK(given("micro_batches") == mc::PipelineParams{}.micro_batches);
  const mc::MoeParams moe;
  CHECK(given("experts") == moe.experts);
  CHECK(given("tokens_per_rank") == static_cast<double>(moe.tokens_per_rank));
  CHECK(given("bytes_per_token") == moe.bytes_per_token);
  CHECK(given("skew") == moe.skew);
  const models::network::PoissonTraffic poisson;
  CHECK(given("load") == poisson.load);
  CHECK(given("flows") == static_cast<double>(poisson.max_flows));
  CHECK(mc::workload_parameter("sizes").default_text == "fixed");
  CHECK(poisson.sizes.kind == models::network::FlowSizes::Kind::fixed);
  CHECK(given("min_bytes") == poisson.sizes.min_bytes);
  CHECK(given("median_bytes") == poisson.sizes.median_bytes);
  CHECK(given("sigma") == poisson.sizes.sigma);
  const scenarios::TrafficWorkload incast;
  CHECK(given("senders") == incast.senders);
  CHECK(given("receiver") == incast.receiver);
  CHECK(mc::job_parameter("start_us").default_number == mc::JobWorkload{}.start.to_us());
  CHECK(mc::fault_parameter("link_down_at_us").default_number == mc::LinkFault{}.at.to_us());

  // `bytes`: the declared default is the collective's; the note names every type's.
  const auto& bytes = mc::workload_parameter("bytes");
  CHECK(given("bytes") == static_cast<double>(mc::workload_bytes_default("collective")));
  CHECK(mc::workload_bytes_default("collective") == std::uint64_t{1} << 30);
  CHECK(mc::workload_bytes_default("permutation") == std::uint64_t{2} << 20);
  CHECK(mc::workload_bytes_default("incast") == incast.bytes);
  CHECK(mc::workload_bytes_default("poisson") == static_cast<std::uint64_t>(poisson.sizes.bytes));
  CHECK(incast.bytes == std::uint64_t{1} << 20);
  for (const char* words : {"1 GiB (`collective`)", "2 MiB (`permutation`)", "1 MiB (`incast`, `poisson`)"}) {
    CHECK_MESSAGE(bytes.default_note.find(words) != std::string_view::npos, words);
  }
  CHECK_THROWS_AS(mc::workload_bytes_default("gpipe"), std::logic_error);
}

TEST_CASE("docs/fabric.md lists the declared [faults], [workload] and [[job]] keys") {
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "docs/fabric.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const std::string table : {"faults", "workload", "job"}) {
    const std::string markdown = models::collective::experiment_parameters_markdown(table);
    CHECK_MESSAGE(text.str().find(markdown) != std::string::npos,
                  "regenerate the [" << table
                                     << "] key table of docs/fabric.md from experiment_parameters_markdown():\n"
                                     << markdown);
  }
}
