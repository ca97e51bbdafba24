#pragma once
// Size figures of an architecture without building its network: MACs and parameters of
// the CNN spaces are sums over slots (every slot's operators have shapes fixed by its
// position, its own choice and, for ofa-mbv3, the resolution), so one table per space,
// filled once from a few built networks, prices them in a few dozen additions. The
// definitions are network_stats' (models/cost/space.hpp): MACs of convolutions and
// linear layers, their weight elements as parameters.

#include <array>
#include <cstdint>
#include <vector>

#include "models/accelerator/networks.hpp"
#include "models/cost/space.hpp"

namespace models::search {

struct Sizes {
  double macs = 0.0;    // of one input (the network's MACs over its batch)
  double params = 0.0;  // weight elements
};

// MACs and weight elements of one operator (zero for operators without weights).
Sizes operator_sizes(const accelerator::Operator& op);

class SizeTable {
 public:
  explicit SizeTable(cost::Space space);
  Sizes operator()(const cost::Arch& arch) const;

 private:
  // [resolution][slot][choice] for slot operators, [resolution] for the rest; nb201 and
  // fbnet have one resolution.
  cost::Space space_;
  std::vector<Sizes> fixed_;
  std::vector<std::array<std::array<Sizes, 10>, 22>> slot_;
};

// The slot (edge, layer or block) an operator of a CNN space belongs to, from its name;
// nullopt for the stem, head and the other fixed operators.
std::optional<std::size_t> arch_slot(cost::Space space, std::string_view op_name);

}  // namespace models::search
