#pragma once
// Architecture spaces of hardware-aware NAS, in the string formats of the public latency
// tables (data/latency/README.md): NAS-Bench-201 cells, FBNet's 22 layers and the
// Once-for-All MobileNetV3 space. An architecture is a compact array of choices, so
// estimators can price millions of them; `to_network` turns one into the operator list
// the simulator runs.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/accelerator/networks.hpp"
#include "sim/enum_names.hpp"

namespace models::cost {

enum class Space : std::uint8_t { nb201, fbnet, ofa_mbv3 };
inline constexpr std::size_t kSpaceCount = 3;
// "ofa-mbv3" is the name model files and the service have always written; the snake_case
// spelling of the networks' names is accepted as an alias.
inline constexpr sim::EnumName<Space> kSpaceNames[] = {{Space::nb201, "nb201"},         {Space::fbnet, "fbnet"},
                                                       {Space::ofa_mbv3, "ofa-mbv3"},   {Space::nb201, "nas_bench_201"},
                                                       {Space::nb201, "nas-bench-201"}, {Space::ofa_mbv3, "ofa_mbv3"}};
constexpr std::span<const sim::EnumName<Space>> enum_names(Space) { return kSpaceNames; }

std::string_view space_name(Space space);  // "nb201", "fbnet", "ofa-mbv3"
// A name or an alias of kSpaceNames.
std::optional<Space> parse_space(std::string_view name);
std::vector<std::string> space_names();  // the names, without aliases

// Slots and the choices each takes:
//   nb201: 6 edges (0-1, 0-2, 1-2, 0-3, 1-3, 2-3), ops none, skip_connect, nor_conv_1x1,
//          nor_conv_3x3, avg_pool_3x3 (0..4, the NAS-Bench-201 order);
//   fbnet: 22 layers, blocks k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6,
//          skip (0..8, the op_idx_22 order);
//   ofa-mbv3: 20 blocks (5 stages x 4), (kernel 3/5/7) x (expansion 3/4/6) as
//          3 * kernel_index + expansion_index (0..8), or 9 for a block past its stage's
//          depth; plus the input resolution.
struct Arch {
  Space space = Space::nb201;
  std::array<std::uint8_t, 22> choice{};
  std::uint16_t resolution = 0;  // ofa-mbv3 only (input side, pixels)
};

std::size_t slot_count(Space space);
std::size_t choice_count(Space space);  // per slot, including ofa's "unused" (9)
inline constexpr std::uint8_t kOfaUnused = 9;

// Parses the table string formats; throws std::invalid_argument saying what was expected.
//   nb201:    "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...~0|...~1|...~2|"
//   fbnet:    "k3_e6|skip|..." (22 names, '|' or '-' separated) or "3-8-..." (22 indices)
//   ofa-mbv3: "r=160,d=4-3-2-4-4,k=3-7-...(20),e=4-6-...(20)"
Arch parse_arch(Space space, std::string_view text);
// OFA from the table's separate columns (resolution, depth_5, ks_20, e_20).
Arch parse_ofa(std::uint64_t resolution, std::string_view depths, std::string_view kernels,
               std::string_view expansions);
std::string format_arch(const Arch& arch);  // parse_arch(format_arch(a)) == a

// The network the architecture denotes (CIFAR-10 32x32 for nb201, ImageNet for the others).
accelerator::OperatorList to_network(const Arch& arch, std::uint64_t batch = 1,
                                     accelerator::DataType dtype = accelerator::DataType::fp32);

// Size figures of a network, exact from its operator list.
struct NetworkStats {
  std::uint64_t macs = 0;                   // multiply-accumulates (ops / 2 of matrix operators)
  std::uint64_t ops = 0;                    // arithmetic ops, as accelerator::op_count
  std::uint64_t params = 0;                 // weight elements
  std::uint64_t operators = 0;              // operators (kernels before fusion)
  std::uint64_t peak_activation_bytes = 0;  // largest input + output of one operator
};
NetworkStats network_stats(const accelerator::OperatorList& network);

// Uniformly random architectures of a space (ofa: resolution 128..224 in steps of 4),
// drawn from the project's own generator: the same seed gives the same list everywhere.
std::vector<Arch> random_archs(Space space, std::size_t count, std::uint64_t seed);

}  // namespace models::cost
