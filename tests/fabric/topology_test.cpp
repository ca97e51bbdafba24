#include <doctest/doctest.h>

#include <sstream>

#include "topologies/builders.hpp"
#include "topologies/graphml.hpp"
#include "topologies/routing.hpp"

using namespace topologies;

TEST_CASE("leaf-spine has the documented shape and S equal-cost paths across leaves") {
  LeafSpineParams p;
  p.leaves = 4;
  p.spines = 3;
  p.hosts_per_leaf = 5;
  Topology t = leaf_spine(p);
  CHECK(t.endpoints().size() == 20);
  CHECK(t.node_count() == 20 + 4 + 3);
  CHECK(t.link_count() == 2 * (20 + 4 * 3));
  t.validate();
  Router r(t);
  CHECK(r.count_equal_cost_paths(t.endpoints()[0], t.endpoints()[19]) == 3);
  CHECK(r.count_equal_cost_paths(t.endpoints()[0], t.endpoints()[4]) == 1);
  CHECK(r.hops(t.endpoints()[0], t.endpoints()[19]) == 4);
  CHECK(r.equal_cost_paths(t.endpoints()[0], t.endpoints()[19]).size() == 3);
  // Oversubscription sets the uplink speed: 5 * 400 / (3 * 2).
  p.oversubscription = 2.0;
  CHECK(leaf_spine_uplink_gbps(p) == doctest::Approx(5 * 400.0 / 6.0));
}

TEST_CASE("a spine link down leaves S-1 paths and spraying splits evenly") {
  LeafSpineParams p;
  p.leaves = 2;
  p.spines = 4;
  p.hosts_per_leaf = 2;
  Topology t = leaf_spine(p);
  Router r(t);
  const NodeId a = t.endpoints()[0], b = t.endpoints()[3];
  std::vector<WeightedLink> w;
  REQUIRE(r.spray_weights(a, b, w));
  double total = 0.0;
  for (auto& x : w) total += x.weight;
  CHECK(total == doctest::Approx(4.0));  // four layers, each carrying the whole flow
  CHECK(w.size() == 1 + 4 + 4 + 1);
  t.set_link_down(t.find_link(t.node_by_name("leaf0"), t.node_by_name("spine2")));
  CHECK(r.count_equal_cost_paths(a, b) == 3);
  REQUIRE(r.spray_weights(a, b, w));
  CHECK(w.size() == 1 + 3 + 3 + 1);
  CHECK(w[1].weight == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("fat tree k=4 has 16 hosts and 20 switches and (k/2)^2 paths between pods") {
  Topology t = fat_tree(FatTreeParams{4, 100.0, sim::Time::from_ps(1000)});
  CHECK(t.endpoints().size() == 16);
  CHECK(t.node_count() == 36);
  Router r(t);
  const auto& e = t.endpoints();
  CHECK(r.count_equal_cost_paths(e[0], e[15]) == 4);  // other pod
  CHECK(r.count_equal_cost_paths(e[0], e[2]) == 2);   // same pod, other edge switch
  CHECK(r.count_equal_cost_paths(e[0], e[1]) == 1);   // same edge switch
  CHECK(r.hops(e[0], e[15]) == 6);
}

TEST_CASE("ring and torus: hop counts and path multiplicity") {
  Topology ring8 = ring(8, 100.0, sim::Time::zero());
  Router r(ring8);
  CHECK(r.hops(0, 4) == 4);
  CHECK(r.count_equal_cost_paths(0, 4) == 2);
  CHECK(r.count_equal_cost_paths(0, 3) == 1);
  Topology torus = torus2d(4, 4, 100.0, sim::Time::zero());
  Router rt(torus);
  // (0,0) -> (2,2): two hops each way in both dimensions, C(4,2) interleavings, 2 x 2 directions.
  CHECK(rt.hops(0, 10) == 4);
  CHECK(rt.count_equal_cost_paths(0, 10) == 24);
}

TEST_CASE("invalid topologies get clear errors") {
  Topology t;
  const NodeId a = t.add_node("a", NodeKind::host);
  const NodeId b = t.add_node("b", NodeKind::host);
  CHECK_THROWS_WITH_AS(t.add_link(a, b, 0.0, sim::Time::zero()), doctest::Contains("bandwidth_gbps must be positive"),
                       TopologyError);
  CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("disconnected"), TopologyError);
  CHECK_THROWS_AS(leaf_spine(LeafSpineParams{.leaves = 0}), TopologyError);
}

namespace {
const char* kHeader = R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k" for="node" attr.name="kind" attr.type="string"/>
  <key id="n" for="node" attr.name="name" attr.type="string"/>
  <key id="b" for="edge" attr.name="bandwidth_gbps" attr.type="double"/>
  <key id="l" for="edge" attr.name="latency_ns" attr.type="double"/>
)";
}

TEST_CASE("GraphML: documented attributes load and unknown ones or bad values are errors") {
  std::string good = std::string(kHeader) + R"(
  <graph edgedefault="undirected">
    <node id="h0"><data key="k">host</data><data key="n">h0</data></node>
    <node id="s"><data key="k">switch</data></node>
    <node id="h1"><data key="k">host</data></node>
    <edge source="h0" target="s"><data key="b">100</data><data key="l">250</data></edge>
    <edge source="s" target="h1"><data key="b">50</data></edge>
  </graph></graphml>)";
  std::istringstream in(good);
  Topology t = read_graphml(in, "good.graphml");
  CHECK(t.endpoints().size() == 2);
  CHECK(t.link_count() == 4);
  CHECK(t.node(0).name == "h0");
  CHECK(t.node(2).name == "n2");
  CHECK(t.link(0).latency.ps() == 250'000);
  CHECK(t.link(2).bandwidth_gbps == 50.0);

  std::string unknown = std::string(kHeader) + R"(
  <key id="x" for="edge" attr.name="colour" attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="k">host</data></node><node id="b"><data key="k">host</data></node>
    <edge source="a" target="b"><data key="b">10</data><data key="x">red</data></edge>
  </graph></graphml>)";
  std::istringstream in2(unknown);
  CHECK_THROWS_WITH_AS(read_graphml(in2, "bad.graphml"), doctest::Contains("colour"), TopologyError);

  std::string zero = std::string(kHeader) + R"(
  <graph edgedefault="undirected">
    <node id="a"><data key="k">host</data></node><node id="b"><data key="k">host</data></node>
    <edge source="a" target="b"><data key="b">0</data></edge>
  </graph></graphml>)";
  std::istringstream in3(zero);
  CHECK_THROWS_WITH_AS(read_graphml(in3, "zero.graphml"), doctest::Contains("bandwidth_gbps"), TopologyError);

  std::string lonely = std::string(kHeader) + R"(
  <graph edgedefault="undirected">
    <node id="a"><data key="k">host</data></node><node id="b"><data key="k">host</data></node>
    <node id="c"><data key="k">host</data></node>
    <edge source="a" target="b"><data key="b">10</data></edge>
  </graph></graphml>)";
  std::istringstream in4(lonely);
  CHECK_THROWS_WITH_AS(read_graphml(in4, "lonely.graphml"), doctest::Contains("disconnected"), TopologyError);

  std::string kind = std::string(kHeader) + R"(
  <graph edgedefault="undirected">
    <node id="a"><data key="k">router</data></node>
  </graph></graphml>)";
  std::istringstream in5(kind);
  CHECK_THROWS_WITH_AS(read_graphml(in5, "kind.graphml"), doctest::Contains("unknown node kind"), TopologyError);
}

TEST_CASE("a copied topology is independent of the original") {
  Topology a = leaf_spine(LeafSpineParams{});
  Topology b = a;
  b.set_link_down(0);
  CHECK(a.link_up(0));
  CHECK_FALSE(b.link_up(0));
  CHECK(b.link(3).id == 3);
  CHECK(b.capacity_bytes_per_s(3) == a.capacity_bytes_per_s(3));
}

TEST_CASE("a moved topology keeps its link states and stays independent of its source") {
  topologies::LeafSpineParams p;
  auto t = topologies::leaf_spine(p);
  const topologies::LinkId l = 8;
  t.set_link_down(l);
  topologies::Topology moved(std::move(t));
  CHECK_FALSE(moved.link_up(l));
  moved.set_link_degraded(l + 1, 0.25);
  topologies::Topology assigned;
  assigned = std::move(moved);
  const topologies::Topology copy = assigned;  // copies read the graph itself, not the link index
  CHECK_FALSE(copy.link_up(l));
  CHECK(copy.link(l + 1).capacity_fraction == 0.25);
}
