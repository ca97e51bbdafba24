#pragma once
// Links partitioned into bundles: two links share a bundle while every path seen so far
// crosses both with the same weight or neither. Links of one bundle then carry the same
// flows with the same weights, so they are one constraint for the max-min solver (the
// tightest capacity binds) and have the same load, flow counts and byte totals. Under
// packet spraying the 32 uplinks of a leaf form one bundle, which turns a sprayed flow's
// 66 weighted hops into 3 bundles.
//
// Bundles only split (partition refinement): a new path that crosses part of a bundle
// separates that part into a new bundle, and the caller gives the new bundle a copy of
// the old one's state. Splits are rare after the first paths of a workload.

#include <cstdint>
#include <span>
#include <vector>

#include "topologies/topology.hpp"

namespace models::network {

class LinkBundles {
 public:
  struct Split {
    std::uint32_t from;  // the bundle that kept the links outside the separated set
    std::uint32_t to;    // the new bundle, made of the links moved out of `from`
  };

  // Starts with one bundle holding every link.
  explicit LinkBundles(std::size_t links);

  std::uint32_t bundle_of(topologies::LinkId link) const { return bundle_of_[link]; }
  const std::vector<topologies::LinkId>& links(std::uint32_t bundle) const { return links_[bundle]; }
  std::size_t count() const { return links_.size(); }
  // Changes with every split.
  std::uint64_t generation() const { return generation_; }

  // Splits bundles so that `links` (distinct) is a union of whole bundles; appends the
  // splits made, in order, to `splits`.
  void separate(std::span<const topologies::LinkId> links, std::vector<Split>& splits);

 private:
  std::vector<std::uint32_t> bundle_of_;
  std::vector<std::uint32_t> position_;  // a link's index in its bundle's list
  std::vector<std::vector<topologies::LinkId>> links_;
  std::uint64_t generation_ = 0;
  // separate() scratch: links of the set counted per bundle, and where they move.
  std::vector<std::uint32_t> hits_;
  std::vector<std::uint32_t> moved_to_;
  std::vector<std::uint32_t> touched_;
};

}  // namespace models::network
