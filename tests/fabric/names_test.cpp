#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "models/collective/algorithms.hpp"
#include "models/network/path_policy.hpp"
#include "topologies/topology.hpp"

// Every value of the fabric's enums has a name in its table (a value added without one
// would print as "?"), and every name parses back to its value.
template <class E>
void check_table_covers(int count) {
  for (int i = 0; i < count; ++i) {
    const auto value = static_cast<E>(i);
    const std::string_view name = sim::name_of(value);
    CAPTURE(i);
    CHECK(name != "?");
    CHECK(sim::parse_enum<E>(name, "value") == value);
  }
}

TEST_CASE("fabric enums: every value named, names round-trip") {
  check_table_covers<models::network::PathPolicy>(4);
  check_table_covers<models::collective::Algorithm>(9);
  check_table_covers<topologies::NodeKind>(7);
  check_table_covers<topologies::LinkState>(3);
  CHECK(topologies::to_string(topologies::NodeKind::switch_) == "switch");
  CHECK(models::collective::algorithm_from("hd") == models::collective::Algorithm::halving_doubling);
}

TEST_CASE("fabric enums: errors list what is accepted") {
  CHECK_THROWS_WITH_AS(models::network::path_policy_from("random"),
                       "unknown path policy \"random\" (expected ecmp, spray, split or planned)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(models::collective::algorithm_from("butterfly"),
                       "unknown collective \"butterfly\" (expected ring_allreduce (ring), tree_allreduce (tree), "
                       "halving_doubling (hd), hierarchical_allreduce, ring_allgather, ring_reduce_scatter, broadcast, "
                       "alltoall or sendrecv)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(topologies::node_kind_from("router"),
                       "unknown node kind \"router\" (expected host, gpu, nic, leaf, spine, core or switch)",
                       std::invalid_argument);
}
