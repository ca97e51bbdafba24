#include "models/search/sizes.hpp"

#include <stdexcept>
#include <string>

namespace models::search {

namespace acc = models::accelerator;

namespace {

std::optional<std::size_t> number_then(std::string_view& s, std::string_view prefix, char end) {
  if (s.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::size_t i = prefix.size(), value = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - prefix.size() < 6)
    value = 10 * value + static_cast<std::size_t>(s[i++] - '0');
  if (i == prefix.size() || i >= s.size() || s[i] != end) return std::nullopt;
  s.remove_prefix(i + 1);
  return value;
}

constexpr std::uint16_t kOfaMinResolution = 128, kOfaResolutionStep = 4, kOfaResolutions = 25;

}  // namespace

Sizes operator_sizes(const acc::Operator& op) {
  if (!std::holds_alternative<acc::GemmShape>(op.shape) && !std::holds_alternative<acc::Conv2dShape>(op.shape))
    return {};
  return {static_cast<double>(acc::op_count(op) / 2),
          static_cast<double>(acc::operand_bytes(op).weight / acc::element_bytes(op.dtype))};
}

std::optional<std::size_t> arch_slot(cost::Space space, std::string_view name) {
  switch (space) {
    case cost::Space::nb201: {  // stage<s>.cell<c>.n<j>_<i>.<op>: the edge from node i to node j
      const auto stage = number_then(name, "stage", '.');
      const auto cell = stage ? number_then(name, "cell", '.') : std::nullopt;
      const auto j = cell ? number_then(name, "n", '_') : std::nullopt;
      const auto i = j ? number_then(name, "", '.') : std::nullopt;
      if (!i || *j < 1 || *j > 3 || *i >= *j) return std::nullopt;
      return *j * (*j - 1) / 2 + *i;
    }
    case cost::Space::fbnet: {
      const auto layer = number_then(name, "layer", '.');
      return layer && *layer < 22 ? layer : std::nullopt;
    }
    case cost::Space::ofa_mbv3: {
      const auto stage = number_then(name, "stage", '.');
      const auto block = stage ? number_then(name, "", '.') : std::nullopt;
      if (!block || *stage < 1 || *stage > 5 || *block > 3) return std::nullopt;
      return 4 * (*stage - 1) + *block;
    }
  }
  return std::nullopt;
}

SizeTable::SizeTable(cost::Space space) : space_(space) {
  const std::size_t resolutions = space == cost::Space::ofa_mbv3 ? kOfaResolutions : 1;
  const std::size_t slots = cost::slot_count(space);
  // Every slot's choice is priced by one network holding that choice in every slot (all
  // blocks used for ofa-mbv3); the fixed operators are the same in all of them.
  const std::size_t choices = space == cost::Space::ofa_mbv3 ? 9 : cost::choice_count(space);
  fixed_.assign(resolutions, Sizes{});
  slot_.assign(resolutions, {});
  for (std::size_t r = 0; r < resolutions; ++r) {
    for (std::size_t c = 0; c < choices; ++c) {
      cost::Arch a;
      a.space = space;
      a.resolution =
          space == cost::Space::ofa_mbv3 ? static_cast<std::uint16_t>(kOfaMinResolution + kOfaResolutionStep * r) : 0;
      for (std::size_t s = 0; s < slots; ++s) a.choice[s] = static_cast<std::uint8_t>(c);
      Sizes fixed;
      for (const auto& op : cost::to_network(a, 1, acc::DataType::fp32)) {
        const Sizes z = operator_sizes(op);
        if (const auto s = arch_slot(space, op.name)) {
          slot_[r][*s][c].macs += z.macs;
          slot_[r][*s][c].params += z.params;
        } else {
          fixed.macs += z.macs;
          fixed.params += z.params;
        }
      }
      if (c == 0) fixed_[r] = fixed;
    }
  }
}

Sizes SizeTable::operator()(const cost::Arch& a) const {
  if (a.space != space_) throw std::invalid_argument("SizeTable: an architecture of another space");
  std::size_t r = 0;
  if (space_ == cost::Space::ofa_mbv3) {
    const int offset = a.resolution - kOfaMinResolution;
    if (offset < 0 || offset % kOfaResolutionStep != 0 || offset / kOfaResolutionStep >= kOfaResolutions) {
      throw std::invalid_argument("SizeTable: ofa-mbv3 resolution " + std::to_string(a.resolution) +
                                  " is off the searched grid (128 to 224 in steps of 4)");
    }
    r = static_cast<std::size_t>(offset / kOfaResolutionStep);
  }
  Sizes out = fixed_.at(r);
  const std::size_t slots = cost::slot_count(space_);
  for (std::size_t s = 0; s < slots; ++s) {
    const Sizes& z = slot_[r][s][a.choice[s]];  // ofa's unused choice (9) is all zeros
    out.macs += z.macs;
    out.params += z.params;
  }
  return out;
}

}  // namespace models::search
