// The declarations of parameters.hpp; defaults are NetworkParams' own.

#include "models/network/parameters.hpp"

#include "models/network/flow_network.hpp"
#include "models/network/path_policy.hpp"

namespace models::network {
namespace {

using namespace sim::declare;

std::vector<sim::Parameter> declare_all() {
  const NetworkParams params;
  return {
      text("network", "policy", sim::name_of(params.policy), choices_of<PathPolicy>(),
           "`ecmp` (one hashed path per connection), `spray` (ideal packet spraying: even split over every "
           "equal-cost next hop), `split` (k subflows, each hashed), `planned` (collision-free paths: an edge "
           "colouring for permutations, least-loaded greedy per connection for collectives)"),
      with_notes(
          integer("network", "subflows", params.subflows, 1, 1024, "`split`: subflows per transfer (k)", "flows"),
          "4 with `split`, else 1"),
      boolean("network", "record_flows", params.record_flows,
              "write one row per flow (start, end, bytes, path) to the result file"),
      boolean("network", "extrapolate", params.extrapolate,
              "skip exactly repeating collective steps (snapshot equality; see DESIGN)"),
      with_notes(
          text("network", "series_links", "", {}, "links whose utilisation over time is written to the result file"),
          "(none)", "link names, comma-separated (see above)"),
      text("network", "model", "flow", {"flow", "packet"},
           "`flow` or `packet`: the packet-level fabric (docs/packet.md) with its `[packet]` keys; every workload, "
           "fault and `[[job]]` runs on either and reports the same keys, the packet model adding its own. Under "
           "`packet`, `policy` stays `ecmp` (paths are `[packet] paths`), endpoints need one NIC link (leaf-spine, "
           "fat-tree) and `extrapolate` has no effect"),
  };
}

}  // namespace

const std::vector<sim::Parameter>& network_parameters() {
  static const std::vector<sim::Parameter> all = declare_all();
  return all;
}

const sim::Parameter& network_parameter(std::string_view key) {
  return sim::find_parameter(network_parameters(), "network", key, "network");
}

std::string network_parameters_markdown() { return sim::parameters_markdown(network_parameters(), "network"); }

}  // namespace models::network
