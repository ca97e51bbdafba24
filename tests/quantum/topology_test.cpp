// Topology builders, loaders (router-network JSON files run unchanged, GraphML) and
// routing; bad input is reported with the file and key.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "models/quantum/network.hpp"
#include "models/quantum/topology.hpp"

using namespace models::quantum;

namespace {
const std::filesystem::path kScenarios = std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "scenarios" / "quantum";

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / name;
  std::ofstream(p) << text;
  return p;
}
}  // namespace

TEST_CASE("builders and shortest paths") {
  const auto chain = chain_topology(5, 10, 4, {});
  CHECK(shortest_path(chain, 0, 4) == std::vector<int>{0, 1, 2, 3, 4});
  const auto star = star_topology(4, 5, 4, {});
  CHECK(shortest_path(star, 1, 3) == std::vector<int>{1, 0, 3});
  const auto grid = grid_topology(3, 3, 1, 4, {});
  CHECK(shortest_path(grid, 0, 8).size() == 5);
  CHECK(grid.classical_delay(0, 1) == fiber_delay(1));
}

TEST_CASE("the 9-router StarLight network file loads and runs unchanged") {
  const auto t = load_router_json(kScenarios / "starlight.json");
  CHECK(t.routers.size() == 9);
  CHECK(t.routers[0].memories == 50);
  const int nu = t.find("NU");
  const int sl = t.find("StarLight");
  REQUIRE(nu >= 0);
  REQUIRE(sl >= 0);
  const int q = t.qlink_between(nu, sl);
  REQUIRE(q >= 0);
  CHECK(t.qlinks[q].distance_km == doctest::Approx(20.0));
  CHECK(t.qlinks[q].attenuation_db_per_km == doctest::Approx(0.01));
  REQUIRE(t.stop_time_s.has_value());
  sim::Simulator sim(1);
  Network net(sim, t, {});
  RequestSpec r;
  r.src = nu;
  r.dst = t.find("Argonne_3");
  r.memories = 5;
  r.target_fidelity = 0.8;
  r.end = sim::Time::from_seconds(0.05);
  net.submit(r);
  sim.run_until(sim::Time::from_seconds(0.05));
  CHECK(net.results().pairs_delivered > 0);
}

TEST_CASE("the star network file loads with its classical delays") {
  const auto t = load_router_json(kScenarios / "star_network.json");
  CHECK(t.routers.size() == 5);
  CHECK(t.qlinks.size() == 4);
  CHECK(t.classical_delay(t.find("center"), t.find("router1")).ps() == 500'000'000);
  CHECK(t.classical_delay(t.find("router1"), t.find("router2")).ps() == 1'000'000'000);
}

TEST_CASE("bad topology files name the file and key") {
  const auto bad = write_temp("q_bad.json", R"({"nodes":[{"name":"a","type":"QuantumRouter","memo_size":4}],
    "qconnections":[{"node1":"a","node2":"b","distance":1000,"attenuation":0.0002,"type":"meet_in_the_middle"}]})");
  CHECK_THROWS_WITH_AS(load_router_json(bad), doctest::Contains("qconnections[0].node2"), std::invalid_argument);
  const auto bad2 = write_temp("q_bad2.json", R"({"nodes":[{"name":"a","memo_size":4},{"name":"b"}],
    "qconnections":[{"node1":"a","node2":"b","distance":-5,"attenuation":0.0002}]})");
  CHECK_THROWS_WITH_AS(load_router_json(bad2), doctest::Contains("distance"), std::invalid_argument);
  CHECK_THROWS_AS(load_router_json("/nonexistent.json"), std::invalid_argument);
}

TEST_CASE("GraphML topologies") {
  const auto g = write_temp("q_graph.graphml", R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="m" for="node" attr.name="memories" attr.type="int"/>
  <key id="d" for="edge" attr.name="distance_km" attr.type="double"/>
  <graph id="G" edgedefault="undirected">
    <node id="a"><data key="m">8</data></node>
    <node id="b"><data key="m">16</data></node>
    <node id="c"><data key="m">8</data></node>
    <edge source="a" target="b"><data key="d">12.5</data></edge>
    <edge source="b" target="c"><data key="d">7.5</data></edge>
  </graph>
</graphml>)");
  const auto t = load_graphml(g);
  REQUIRE(t.routers.size() == 3);
  CHECK(t.routers[t.find("b")].memories == 16);
  CHECK(t.qlinks[t.qlink_between(t.find("a"), t.find("b"))].distance_km == doctest::Approx(12.5));
  CHECK(shortest_path(t, t.find("a"), t.find("c")).size() == 3);
  const auto bad = write_temp("q_bad.graphml", R"(<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <graph edgedefault="undirected"><node id="a"/><node id="b"/><edge source="a" target="b"/></graph></graphml>)");
  CHECK_THROWS_WITH_AS(load_graphml(bad), doctest::Contains("distance_km"), std::invalid_argument);
}
