// Link faults: down (flows move to a surviving path or fail), up, degraded. Faults are
// kept in faults_ as well as in the event queue so that an extrapolation can leave them
// at their absolute times (checkpoint.cpp).
#include "models/network/flow_network.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace models::network {

void FlowNetwork::schedule_fault(sim::Time at, std::function<void()> action) {
  const std::size_t i = faults_.size();
  faults_.push_back(PendingFault{at.ps(), {}, std::move(action), true});
  ++faults_pending_;
  arm_fault(i);
}

void FlowNetwork::arm_fault(std::size_t i) {
  faults_[i].handle = sim_->schedule_at(sim::Time::from_ps(faults_[i].at_ps), [this, i] {
    faults_[i].pending = false;
    --faults_pending_;
    const auto action = faults_[i].action;  // a copy: the action may schedule more faults
    action();
  });
}

std::optional<sim::Time> FlowNetwork::next_fault() const {
  std::optional<sim::Time> next;
  for (const auto& f : faults_) {
    if (f.pending && (!next || f.at_ps < next->ps())) next = sim::Time::from_ps(f.at_ps);
  }
  return next;
}

void FlowNetwork::update_capacity(LinkId link, double capacity) {
  link_capacity_[link] = capacity;
  const std::uint32_t b = bundles_.bundle_of(link);
  refresh_capacity(b);
  mark_dirty(b, 0.0);
}

void FlowNetwork::reroute_link(LinkId link) {
  // Flows on a link that went down move to a surviving equal-cost path, keeping the
  // bytes already sent; with no path left they fail and are reported. Every flow of the
  // link's bundle crosses the link.
  std::vector<std::uint32_t> affected;
  for (const Member& m : bundle_state_[bundles_.bundle_of(link)].members) {
    const auto& flows = routes_[m.route].flows;
    affected.insert(affected.end(), flows.begin(), flows.end());
  }
  for (std::uint32_t id : affected) {
    Flow& f = flows_[id];
    advance(f, now_ps());
    detach(id);
    f.rate = 0.0;
    f.finish_ps = -1;
    set_route(f, f.explicit_path ? RouteTable::kUnreachable : connection_route(f.src, f.dst, f.subflow, f.hash));
    if (f.route == RouteTable::kUnreachable) {
      finish_flow(id, false);
      continue;
    }
    attach(id);
  }
}

void FlowNetwork::link_down_at(sim::Time at, LinkId link) {
  if (link >= link_capacity_.size()) throw std::invalid_argument("link_down: no link " + std::to_string(link));
  schedule_fault(at, [this, link] {
    topology_->set_link_down(link);
    update_capacity(link, 0.0);
    reroute_link(link);
  });
}

void FlowNetwork::link_up_at(sim::Time at, LinkId link) {
  if (link >= link_capacity_.size()) throw std::invalid_argument("link_up: no link " + std::to_string(link));
  schedule_fault(at, [this, link] {
    topology_->set_link_up(link);
    update_capacity(link, topology_->capacity_bytes_per_s(link));
  });
}

void FlowNetwork::link_degraded_at(sim::Time at, LinkId link, double fraction) {
  if (link >= link_capacity_.size()) throw std::invalid_argument("link_degraded: no link " + std::to_string(link));
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    throw std::invalid_argument("link_degraded: fraction must be in (0, 1]");
  }
  auto apply = [this, link, fraction] {
    topology_->set_link_degraded(link, fraction);
    update_capacity(link, topology_->capacity_bytes_per_s(link));
  };
  if (at == sim_->now()) {
    apply();
  } else {
    schedule_fault(at, apply);
  }
}

}  // namespace models::network
