#include "models/network/link_bundles.hpp"

#include <stdexcept>
#include <string>

namespace models::network {

namespace {
constexpr std::uint32_t kNone = UINT32_MAX;
}

LinkBundles::LinkBundles(std::size_t links) : bundle_of_(links, 0), position_(links), links_(1) {
  links_[0].reserve(links);
  for (std::size_t l = 0; l < links; ++l) {
    position_[l] = static_cast<std::uint32_t>(l);
    links_[0].push_back(static_cast<topologies::LinkId>(l));
  }
  hits_.assign(1, 0);
  moved_to_.assign(1, kNone);
}

void LinkBundles::separate(std::span<const topologies::LinkId> links, std::vector<Split>& splits) {
  touched_.clear();
  for (topologies::LinkId l : links) {
    if (l >= bundle_of_.size()) throw std::out_of_range("link bundles: no link " + std::to_string(l));
    const std::uint32_t b = bundle_of_[l];
    if (hits_[b]++ == 0) touched_.push_back(b);
  }
  // A bundle wholly inside the set stays; one partly inside gives the links inside to a
  // new bundle. New bundles are numbered in the order their first link appears.
  for (topologies::LinkId l : links) {
    const std::uint32_t b = bundle_of_[l];
    if (moved_to_[b] == kNone) {
      if (hits_[b] == links_[b].size()) continue;
      moved_to_[b] = static_cast<std::uint32_t>(links_.size());
      links_.emplace_back();
      hits_.push_back(0);
      moved_to_.push_back(kNone);
      splits.push_back(Split{b, moved_to_[b]});
      ++generation_;
    }
    const std::uint32_t to = moved_to_[b];
    auto& from_links = links_[b];
    const topologies::LinkId last = from_links.back();
    from_links[position_[l]] = last;
    position_[last] = position_[l];
    from_links.pop_back();
    position_[l] = static_cast<std::uint32_t>(links_[to].size());
    links_[to].push_back(l);
    bundle_of_[l] = to;
  }
  for (std::uint32_t b : touched_) {
    hits_[b] = 0;
    moved_to_[b] = kNone;
  }
}

}  // namespace models::network
