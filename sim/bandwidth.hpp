#pragma once
// A bandwidth server: transfers are served one at a time, first come first served, each
// taking bytes / rate. `co_await link.transfer(bytes)` resumes when the last byte is
// through; the callback form runs a handler then. Used for serial links, DMA engines and
// any single-server queue whose service time is proportional to size.

#include <coroutine>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/simulator.hpp"

namespace sim {

class Bandwidth {
 public:
  Bandwidth(Simulator& sim, double gbps) : sim_(sim), gbps_(gbps) {
    if (!(gbps > 0.0)) {
      throw std::invalid_argument("sim::Bandwidth: rate must be positive, got " +
                                  std::to_string(gbps) + " Gb/s");
    }
  }

  double gbps() const { return gbps_; }

  // Service time of `bytes` alone on this server, rounded to the nearest picosecond.
  Time service_time(std::uint64_t bytes) const {
    return Time::from_seconds(static_cast<double>(bytes) * 8.0 / (gbps_ * 1e9));
  }

  // Reserves the server for `bytes` and returns when they will be through.
  Time enqueue(std::uint64_t bytes) {
    const Time start = busy_until_ > sim_.now() ? busy_until_ : sim_.now();
    const Time service = service_time(bytes);
    busy_until_ = start + service;
    busy_time_ += service;
    bytes_served_ += bytes;
    ++transfers_;
    return busy_until_;
  }

  EventHandle transfer(std::uint64_t bytes, Handler on_done) {
    return sim_.schedule_at(enqueue(bytes), std::move(on_done));
  }

  struct Awaiter {
    Bandwidth& link;
    std::uint64_t bytes;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      link.sim_.schedule_at(link.enqueue(bytes), [h] { h.resume(); });
    }
    void await_resume() const noexcept {}
  };
  Awaiter transfer(std::uint64_t bytes) { return Awaiter{*this, bytes}; }

  Time busy_until() const { return busy_until_; }
  Time busy_time() const { return busy_time_; }
  std::uint64_t bytes_served() const { return bytes_served_; }
  std::uint64_t transfers() const { return transfers_; }

 private:
  Simulator& sim_;
  double gbps_;
  Time busy_until_ = Time::zero();
  Time busy_time_ = Time::zero();
  std::uint64_t bytes_served_ = 0;
  std::uint64_t transfers_ = 0;
};

}  // namespace sim
