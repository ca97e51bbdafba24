#pragma once
// A counted resource (servers, slots, credits, DMA engines) granted first come, first
// served. `co_await res.acquire(n)` suspends until n units are free; release(n) returns
// them. A large request at the head blocks smaller ones behind it: strict FIFO, no
// overtaking. Event-driven models that keep their own queue of work use try_acquire().

#include <coroutine>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>

#include "sim/simulator.hpp"

namespace sim {

class Resource {
 public:
  Resource(Simulator& sim, std::uint64_t capacity) : sim_(sim), capacity_(capacity), free_(capacity) {
    if (capacity == 0) throw std::invalid_argument("sim::Resource: capacity must be positive");
  }

  struct Awaiter {
    Resource& resource;
    std::uint64_t units;
    bool granted;  // units were free when acquire() was called and are already taken
    bool await_ready() const noexcept { return granted; }
    void await_suspend(std::coroutine_handle<> h) { resource.waiters_.push_back({h, units}); }
    void await_resume() const noexcept {}
  };

  Awaiter acquire(std::uint64_t units = 1) { return Awaiter{*this, units, try_acquire(units)}; }

  // Takes `units` now and returns true if they are free and no process waits; otherwise
  // takes nothing and returns false.
  bool try_acquire(std::uint64_t units = 1) {
    if (units == 0 || units > capacity_) {
      throw std::invalid_argument("sim::Resource::acquire: " + std::to_string(units) +
                                  " units requested from a resource of capacity " + std::to_string(capacity_));
    }
    const bool granted = waiters_.empty() && free_ >= units;
    if (granted) free_ -= units;
    return granted;
  }

  void release(std::uint64_t units = 1) {
    if (units > capacity_ - free_) {
      throw std::logic_error("sim::Resource::release: releasing " + std::to_string(units) + " units but only " +
                             std::to_string(capacity_ - free_) + " are held");
    }
    free_ += units;
    grant();
  }

  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t available() const { return free_; }
  std::size_t queued() const { return waiters_.size(); }

 private:
  struct Waiter {
    std::coroutine_handle<> handle;
    std::uint64_t units;
  };

  void grant() {
    while (!waiters_.empty() && waiters_.front().units <= free_) {
      const Waiter w = waiters_.front();
      waiters_.pop_front();
      free_ -= w.units;
      sim_.schedule(Time::zero(), [h = w.handle] { h.resume(); });
    }
  }

  Simulator& sim_;
  std::uint64_t capacity_;
  std::uint64_t free_;
  std::deque<Waiter> waiters_;
};

}  // namespace sim
