#pragma once
// A broadcast condition: processes `co_await signal.wait()`; notify_all() wakes every
// waiter, notify_one() the longest waiting. Wake-ups are scheduled at the current time
// (never resumed inline), so a notifier finishes its own step first.

#include <coroutine>
#include <deque>

#include "sim/simulator.hpp"

namespace sim {

class Signal {
 public:
  explicit Signal(Simulator& sim) : sim_(sim) {}

  struct Awaiter {
    Signal& signal;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { signal.waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  Awaiter wait() { return Awaiter{*this}; }

  // Returns how many processes were woken.
  std::size_t notify_all() {
    const std::size_t woken = waiters_.size();
    for (auto h : waiters_) sim_.schedule(Time::zero(), [h] { h.resume(); });
    waiters_.clear();
    return woken;
  }
  bool notify_one() {
    if (waiters_.empty()) return false;
    auto h = waiters_.front();
    waiters_.pop_front();
    sim_.schedule(Time::zero(), [h] { h.resume(); });
    return true;
  }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  Simulator& sim_;
  std::deque<std::coroutine_handle<>> waiters_;
};

}  // namespace sim
