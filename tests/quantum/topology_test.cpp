// HardwareGraph builders, loaders (router-network JSON files run unchanged, GraphML through
// Boost's reader) and routing; bad input is reported with the file and key or line.

#include "models/quantum/hardware_graph.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/quantum/network.hpp"
#include "topologies/builders.hpp"
#include "topologies/graphml.hpp"
#include "topologies/graphml_document.hpp"
#include "topologies/routing.hpp"

using namespace models::quantum;
using topologies::NodeId;

namespace {
const std::filesystem::path kScenarios = std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "scenarios" / "quantum";

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / name;
  std::ofstream(p) << text;
  return p;
}

std::vector<NodeId> nodes(std::initializer_list<NodeId> n) { return n; }

NodeId id(const topologies::QuantumGraph& g, const char* name) {
  const auto n = g.find(name);
  REQUIRE(n.has_value());
  return *n;
}

// <graphml> with `depth` levels of elements inside one <data>.
std::string deeply_nested_graphml(int depth) {
  std::string text = R"(<?xml version="1.0"?><graphml><graph edgedefault="undirected"><node id="a"><data key="x">)";
  text.reserve(text.size() + 8 * static_cast<std::size_t>(depth));
  for (int i = 0; i < depth; ++i) text += "<a>";
  for (int i = 0; i < depth; ++i) text += "</a>";
  return text + "</data></node></graph></graphml>";
}
}  // namespace

TEST_CASE("builders and shortest paths") {
  const auto chain = topologies::quantum_chain(5, 10, 4);
  CHECK(chain.shortest_path(0, 4) == nodes({0, 1, 2, 3, 4}));
  const auto star = topologies::quantum_star(4, 5, 4);
  CHECK(star.shortest_path(1, 3) == nodes({1, 0, 3}));
  const auto grid = topologies::quantum_grid(3, 3, 1, 4);
  CHECK(grid.shortest_path(0, 8).size() == 5);
  CHECK(grid.classical_delay(0, 1) == fiber_delay(1));
}

TEST_CASE("the 9-router StarLight network file loads and runs unchanged") {
  const auto t = load_router_json(kScenarios / "starlight.json");
  CHECK(t.routers() == 9);
  CHECK(t.graph.node(0).memories == 50);
  const NodeId nu = id(t.graph, "NU");
  const NodeId sl = id(t.graph, "StarLight");
  const auto q = t.graph.link_between(nu, sl);
  REQUIRE(q.has_value());
  CHECK(t.graph.link(*q).length_km == doctest::Approx(20.0));
  CHECK(t.graph.link(*q).attenuation_db_per_km == doctest::Approx(0.01));
  REQUIRE(t.stop_time_s.has_value());
  sim::Simulator sim(1);
  EntanglementNetwork net(sim, t, {});
  RequestSpec r;
  r.src = static_cast<int>(nu);
  r.dst = static_cast<int>(id(t.graph, "Argonne_3"));
  r.memories = 5;
  r.target_fidelity = 0.8;
  r.end = sim::Time::from_seconds(0.05);
  net.submit(r);
  sim.run_until(sim::Time::from_seconds(0.05));
  CHECK(net.results().pairs_delivered > 0);
}

TEST_CASE("the star network file loads with its classical delays") {
  const auto t = load_router_json(kScenarios / "star_network.json");
  CHECK(t.routers() == 5);
  CHECK(t.graph.link_count() == 4);
  CHECK(t.graph.classical_delay(id(t.graph, "center"), id(t.graph, "router1")).ps() == 500'000'000);
  CHECK(t.graph.classical_delay(id(t.graph, "router1"), id(t.graph, "router2")).ps() == 1'000'000'000);
}

TEST_CASE("bad topology files name the file and key") {
  const auto bad = write_temp("q_bad.json", R"({"nodes":[{"name":"a","type":"QuantumRouter","memo_size":4}],
    "qconnections":[{"node1":"a","node2":"b","distance":1000,"attenuation":0.0002,"type":"meet_in_the_middle"}]})");
  CHECK_THROWS_WITH_AS(load_router_json(bad), doctest::Contains("qconnections[0].node2"), std::invalid_argument);
  const auto bad2 = write_temp("q_bad2.json", R"({"nodes":[{"name":"a","memo_size":4},{"name":"b"}],
    "qconnections":[{"node1":"a","node2":"b","distance":-5,"attenuation":0.0002}]})");
  CHECK_THROWS_WITH_AS(load_router_json(bad2), doctest::Contains("distance"), std::invalid_argument);
  CHECK_THROWS_AS(load_router_json("/nonexistent.json"), std::invalid_argument);
  // A number past a double's range is bad input, not a crash (found by topology_fuzz).
  const auto huge = write_temp("q_huge.json", R"({"nodes":[{"name":"a","memo_size":1e999}],"qconnections":[]})");
  CHECK_THROWS_WITH_AS(load_router_json(huge), doctest::Contains("number overflow"), std::invalid_argument);
  // Hardware templates obey the rules of the scenario keys they stand for.
  const auto bad3 = write_temp("q_bad3.json", R"({"templates":{"t":{"MemoryArray":{"fidelity":1.5}}},
    "nodes":[{"name":"a","template":"t"}]})");
  CHECK_THROWS_WITH_AS(load_router_json(bad3),
                       doctest::Contains("templates.t.MemoryArray.fidelity: expected a number in [0.25, 1], got 1.5 "
                                         "(as memory.raw_fidelity)"),
                       std::invalid_argument);
  const auto twice = write_temp("q_twice.json", R"({"nodes":[{"name":"a"},{"name":"b"}],
    "qconnections":[{"node1":"a","node2":"b","distance":5,"attenuation":0},{"node1":"b","node2":"a","distance":5,"attenuation":0}]})");
  CHECK_THROWS_WITH_AS(load_router_json(twice),
                       doctest::Contains("qconnections[1]: quantum link b - a: the two routers are already linked"),
                       std::invalid_argument);
}

TEST_CASE("a deeply nested router-network JSON file is refused or read without exhausting the stack") {
  std::string text = R"({"nodes":[{"name":"a","extra":)";
  for (int i = 0; i < 200'000; ++i) text += '[';
  for (int i = 0; i < 200'000; ++i) text += ']';
  text += "}]}";
  const auto t = load_router_json(write_temp("q_deep.json", text));
  CHECK(t.routers() == 1);
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
  const auto t = topologies::load_quantum_graphml(g);
  REQUIRE(t.node_count() == 3);
  CHECK(t.node(id(t, "b")).memories == 16);
  CHECK(t.link(*t.link_between(id(t, "a"), id(t, "b"))).length_km == doctest::Approx(12.5));
  CHECK(t.shortest_path(id(t, "a"), id(t, "c")).size() == 3);
  const auto bad =
      write_temp("q_bad.graphml", R"(<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <graph edgedefault="undirected"><node id="a"/><node id="b"/><edge source="a" target="b"/></graph></graphml>)");
  CHECK_THROWS_WITH_AS(topologies::load_quantum_graphml(bad), doctest::Contains("distance_km"), std::invalid_argument);
}

TEST_CASE("the ring GraphML of the examples: defaults, attenuation and the shorter side of the ring") {
  const auto t = topologies::load_quantum_graphml(kScenarios / "ring.graphml");
  REQUIRE(t.node_count() == 6);
  CHECK(t.node(id(t, "A")).memories == 30);
  CHECK(t.node(id(t, "B")).memories == 20);  // <default> of the key
  CHECK(t.link(*t.link_between(id(t, "B"), id(t, "E"))).attenuation_db_per_km == doctest::Approx(0.25));
  CHECK(t.link(*t.link_between(id(t, "A"), id(t, "B"))).attenuation_db_per_km == doctest::Approx(0.2));
  // A-B-C-D is 30 km, A-F-E-D 35 km.
  CHECK(t.shortest_path(id(t, "A"), id(t, "D")) == nodes({id(t, "A"), id(t, "B"), id(t, "C"), id(t, "D")}));
}

TEST_CASE("GraphML problems name the file, the line and the element") {
  auto read = [](const std::string& body) {
    std::istringstream in(R"(<?xml version="1.0"?>
<graphml>
  <key id="d" for="edge" attr.name="distance_km" attr.type="double"/>
  <key id="x" for="node" attr.name="colour" attr.type="string"/>
  <graph edgedefault="undirected">
)" + body + "\n  </graph>\n</graphml>\n");
    return topologies::read_quantum_graphml(in, "net.graphml");
  };
  CHECK_THROWS_WITH_AS(
      read("<node id=\"a\"/>\n<node id=\"b\"/>\n<edge source=\"a\" target=\"b\"><data key=\"d\">-3</data></edge>"),
      "net.graphml:8: edge a - b: distance_km must be positive", topologies::TopologyError);
  CHECK_THROWS_WITH_AS(read("<node id=\"a\"/>\n<edge source=\"a\" target=\"z\"><data key=\"d\">3</data></edge>"),
                       "net.graphml:7: edge a - z: unknown node \"z\" (edges must join declared <node>s)",
                       topologies::TopologyError);
  CHECK_THROWS_WITH_AS(read("<node id=\"a\"><data key=\"x\">red</data></node>"),
                       "net.graphml:6: node \"a\": unknown attribute \"colour\" (expected memories)",
                       topologies::TopologyError);
  CHECK_THROWS_WITH_AS(
      read("<node id=\"a\"/>\n<node id=\"b\"/>\n<edge source=\"a\" target=\"b\"><data key=\"d\">far</data></edge>"),
      "net.graphml:8: edge a - b: distance_km must be a number, got \"far\"", topologies::TopologyError);
  CHECK_THROWS_WITH_AS(read("<node id=\"a\"/>\n<node id=\"a\"/>"), "net.graphml:7: duplicate node id \"a\"",
                       topologies::TopologyError);
  CHECK_THROWS_WITH_AS(read("<node id=\"a\">"), doctest::Contains("net.graphml:7: expected </node>, found </graph>"),
                       topologies::TopologyError);
}

TEST_CASE("GraphML nested 200,000 levels deep is refused before Boost's recursive reader sees it") {
  const std::string deep = deeply_nested_graphml(200'000);
  std::istringstream quantum(deep);
  CHECK_THROWS_WITH_AS(topologies::read_quantum_graphml(quantum, "deep.graphml"),
                       doctest::Contains("deep.graphml:1: elements nested more than 64 deep"),
                       topologies::TopologyError);
  std::istringstream fabric(deep);
  CHECK_THROWS_WITH_AS(topologies::read_graphml(fabric, "deep.graphml"),
                       doctest::Contains("elements nested more than 64 deep"), topologies::TopologyError);
  // Depth as such is fine up to the limit: this one reaches the reader and fails on the
  // undeclared key of its <data>, not on the nesting.
  std::istringstream shallow(deeply_nested_graphml(topologies::kMaxGraphmlDepth - 5));
  CHECK_THROWS_WITH_AS(topologies::read_quantum_graphml(shallow, "ok.graphml"), doctest::Contains("unknown attribute"),
                       topologies::TopologyError);
}

TEST_CASE("one Dijkstra: fiber km for quantum networks, hops over up links for fabrics") {
  // A triangle whose direct side is longer than the detour.
  topologies::QuantumGraph g;
  const NodeId a = g.add_node("a", 2), b = g.add_node("b", 2), c = g.add_node("c", 2);
  g.add_link(a, c, 30.0, 0.2);
  g.add_link(a, b, 10.0, 0.2);
  g.add_link(b, c, 15.0, 0.2);
  const auto km = topologies::fiber_km_from(g, a);
  CHECK(km.distance[c] == doctest::Approx(25.0));
  CHECK(g.shortest_path(a, c) == nodes({a, b, c}));
  CHECK(g.classical_delay(a, c) == fiber_delay(30.0));  // a direct link: its own fiber
  const NodeId d = g.add_node("d", 2);
  CHECK(g.shortest_path(a, d).empty());
  CHECK_THROWS_AS(g.classical_delay(a, d), topologies::TopologyError);

  topologies::Topology fabric = topologies::ring(6, 100.0, sim::Time::from_ps(1000));
  auto hops = topologies::hops_to(fabric, 0);
  CHECK(hops.distance[3] == 3.0);
  CHECK(hops.distance[5] == 1.0);
  fabric.set_link_down(fabric.find_link(5, 0));
  hops = topologies::hops_to(fabric, 0);
  CHECK(hops.distance[5] == 5.0);  // the long way round
  topologies::Router router(fabric);
  CHECK(router.hops(5, 0) == 5);
}
