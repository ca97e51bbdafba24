#pragma once
// The double-buffered pipeline of one operator's steps on the event core: loads and
// stores are flows in a FluidNetwork (tier ports and links), each holding one of the
// `dma_engines` DMA engines (a sim::Resource) from its request to its last byte, queued
// in issue order while none is free; compute is one server. Load i waits for compute i-2 and compute i for load i
// and store i-2 (two buffers on each side). Used by the executor.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/accelerator/fluid.hpp"
#include "models/accelerator/operators.hpp"
#include "models/accelerator/tiling.hpp"
#include "sim/resource.hpp"
#include "sim/simulator.hpp"
#include "sim/steady_state.hpp"

namespace models::accelerator::detail {

using Paths = std::vector<std::vector<std::vector<std::size_t>>>;  // [from][to] -> links

Paths all_paths(const Device& device);
std::uint64_t transfer_wire_bytes(const Link& link, const TileTransfer& t);
// Seconds one step computes at the device's peak; throws for an unsupported data type.
double compute_seconds(const Device& device, const Operator& op, const Step& step);

// digest(step) is the pipeline's state (a sim::StateDigest) at the end of the timestamp
// in which that step's compute starts, relative to that step and time
// (sim/steady_state.hpp): if two repetitions of a run start in the same state,
// everything between them repeats. Words: step flags and counts, flow tags, time
// offsets (ps); values: remaining bytes and rates of active flows, equal within this
// tolerance, the floating-point residue of the fluid updates (far below a picosecond of
// transfer).
inline constexpr sim::Tolerance kDigestTolerance{1e-9, 1e-6};

// The double-buffered pipeline over a flat list of steps.
class StepPipeline {
 public:
  StepPipeline(sim::Simulator& sim, const Device& device, const Operator& op, const Paths& paths,
               const std::vector<const Step*>& steps)
      : sim_(sim), device_(device), paths_(paths), steps_(steps),
        net_(sim, capacities(device), [this](std::uint64_t tag) { on_transfer_done(tag); }),
        engines_(sim, device.dma_engines) {
    const std::size_t n = steps.size();
    loads_left_.assign(n, 0);
    stores_left_.assign(n, 0);
    load_done_.assign(n, 0);
    compute_done_.assign(n, 0);
    store_done_.assign(n, 0);
    compute_start_.assign(n, sim::Time::zero());
    compute_ps_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      compute_ps_[i] = static_cast<sim::Time::rep>(std::ceil(compute_seconds(device, op, *steps[i]) * 1e12));
    }
  }

  void start() { pump(); }
  void watch(std::size_t step) { digests_.emplace(step, sim::StateDigest{}); }
  const sim::StateDigest* digest(std::size_t step) const {
    auto it = digests_.find(step);
    return it == digests_.end() ? nullptr : &it->second;
  }
  const std::vector<sim::Time>& compute_start() const { return compute_start_; }
  const std::vector<double>& carried() const { return net_.carried_bytes(); }

 private:
  static std::vector<double> capacities(const Device& device) {
    std::vector<double> c;
    for (const auto& t : device.tiers) c.push_back(t.bandwidth_gb_per_s * 1e9);
    for (const auto& l : device.links) c.push_back(l.bandwidth_gb_per_s * 1e9);
    return c;
  }

  struct Pending {
    const TileTransfer* transfer;
    std::uint64_t tag;  // step * 2 + (store ? 1 : 0)
    sim::Time begins;   // when its first byte moves (after the request latency)
  };

  void take_digest(std::size_t i) {
    sim::StateDigest& s = digests_[i];
    s.at = sim_.now();
    s.progress.assign(1, i);
    const auto rel = [i](std::size_t j) { return static_cast<std::int64_t>(j) - static_cast<std::int64_t>(i); };
    s.put_signed(rel(next_load_));
    s.put(engines_.available());
    for (std::size_t j = i >= 2 ? i - 2 : 0; j < next_load_; ++j) {
      s.put_signed(rel(j));
      s.put(reinterpret_cast<std::uintptr_t>(steps_[j]));
      s.put(load_done_[j] | (compute_done_[j] << 1) | (store_done_[j] << 2));
      s.put(loads_left_[j]);
      s.put(stores_left_[j]);
    }
    const auto rel_tag = [i](std::uint64_t tag) {
      return static_cast<std::int64_t>(tag) - 2 * static_cast<std::int64_t>(i);
    };
    for (const Pending& p : waiting_) s.put_signed(rel_tag(p.tag));
    s.put_signed(-1);
    for (std::uint32_t index : unbegun_) {
      s.put_signed(rel_tag(started_[index].tag));
      s.put_signed((started_[index].begins - sim_.now()).ps());
    }
    s.put_signed(-1);
    net_.for_each_flow([&](std::uint64_t tag, double remaining, double rate) {
      s.put_signed(rel_tag(tag));
      s.put_value(remaining);
      s.put_value(rate);
    });
  }

  void issue(const TileTransfer& t, std::uint64_t tag) {
    waiting_.push_back({&t, tag, sim::Time::zero()});
    dispatch();
  }

  void dispatch() {
    while (!waiting_.empty() && engines_.try_acquire()) {
      const Pending p = waiting_.front();
      waiting_.pop_front();
      const TileTransfer& t = *p.transfer;
      double latency_ns = device_.tiers[t.src].latency_ns;
      for (std::size_t l : paths_[t.src][t.dst]) latency_ns += device_.links[l].latency_ns;
      const auto index = static_cast<std::uint32_t>(started_.size());
      const sim::Time delay = sim::Time::from_ns(latency_ns);
      started_.push_back({p.transfer, p.tag, sim_.now() + delay});
      unbegun_.push_back(index);
      sim_.schedule(delay, [this, index] { begin_flow(index); });
    }
  }

  void begin_flow(std::uint32_t index) {
    unbegun_.erase(std::find(unbegun_.begin(), unbegun_.end(), index));
    const Pending& p = started_[index];
    const TileTransfer& t = *p.transfer;
    const double payload = static_cast<double>(t.payload_bytes());
    const std::size_t tiers = device_.tiers.size();
    std::vector<FluidNetwork::Use> uses;
    uses.push_back({static_cast<std::uint32_t>(t.src), 1.0});
    if (!t.past_dst) uses.push_back({static_cast<std::uint32_t>(t.dst), 1.0});
    for (std::size_t l : paths_[t.src][t.dst]) {
      uses.push_back({static_cast<std::uint32_t>(tiers + l),
                      static_cast<double>(transfer_wire_bytes(device_.links[l], t)) / payload});
    }
    net_.start(payload, std::move(uses), p.tag);
  }

  void on_transfer_done(std::uint64_t tag) {
    engines_.release();
    const std::size_t step = tag / 2;
    if (tag % 2 == 0) {
      if (--loads_left_[step] == 0) load_done_[step] = 1;
    } else {
      if (--stores_left_[step] == 0) store_done_[step] = 1;
    }
    dispatch();
    pump();
  }

  void pump() {
    const std::size_t n = steps_.size();
    while (next_load_ < n && (next_load_ < 2 || compute_done_[next_load_ - 2])) {
      const std::size_t i = next_load_++;
      const Step& s = *steps_[i];
      for (const TileTransfer& t : s.loads) {
        if (t.payload_bytes() == 0 || t.src == t.dst) continue;
        ++loads_left_[i];
      }
      if (loads_left_[i] == 0) load_done_[i] = 1;
      for (const TileTransfer& t : s.loads) {
        if (t.payload_bytes() == 0 || t.src == t.dst) continue;
        issue(t, 2 * i);
      }
    }
    if (!computing_ && next_compute_ < n && load_done_[next_compute_] &&
        (next_compute_ < 2 || store_done_[next_compute_ - 2])) {
      const std::size_t i = next_compute_;
      computing_ = true;
      compute_start_[i] = sim_.now();
      if (!digests_.empty() && digests_.count(i) != 0) {
        sim_.at_end_of_timestamp([this, i] { take_digest(i); }, sim::Simulator::kObserveHook);
      }
      sim_.schedule(sim::Time::from_ps(compute_ps_[i]), [this] { on_compute_done(); });
    }
  }

  void on_compute_done() {
    const std::size_t i = next_compute_++;
    computing_ = false;
    compute_done_[i] = 1;
    const Step& s = *steps_[i];
    for (const TileTransfer& t : s.stores) {
      if (t.payload_bytes() == 0 || t.src == t.dst) continue;
      ++stores_left_[i];
    }
    if (stores_left_[i] == 0) store_done_[i] = 1;
    for (const TileTransfer& t : s.stores) {
      if (t.payload_bytes() == 0 || t.src == t.dst) continue;
      issue(t, 2 * i + 1);
    }
    pump();
  }

  sim::Simulator& sim_;
  const Device& device_;
  const Paths& paths_;
  const std::vector<const Step*>& steps_;
  FluidNetwork net_;
  std::vector<std::uint32_t> loads_left_, stores_left_;
  std::vector<char> load_done_, compute_done_, store_done_;
  std::vector<sim::Time> compute_start_;
  std::vector<sim::Time::rep> compute_ps_;
  std::deque<Pending> waiting_;
  std::vector<Pending> started_;
  std::vector<std::uint32_t> unbegun_;
  std::map<std::size_t, sim::StateDigest> digests_;
  sim::Resource engines_;  // DMA engines; transfers wait in waiting_ (issue order)
  std::size_t next_load_ = 0, next_compute_ = 0;
  bool computing_ = false;
};

}  // namespace models::accelerator::detail
