#pragma once
// A FIFO queue between processes: `co_await q.get()` waits for an item; put() adds one,
// waiting while a bounded queue is full. Items are handed over in arrival order and
// getters are served in the order they started waiting.

#include <coroutine>
#include <cstddef>
#include <deque>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "sim/simulator.hpp"

namespace sim {

template <class T>
class FifoQueue {
 public:
  explicit FifoQueue(Simulator& sim, std::size_t capacity = std::numeric_limits<std::size_t>::max())
      : sim_(sim), capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("sim::FifoQueue: capacity must be positive");
  }

  struct GetAwaiter {
    FifoQueue& queue;
    std::optional<T> item;
    bool await_ready() {
      if (!queue.items_.empty() && queue.getters_.empty()) {
        item.emplace(queue.take_front());
        return true;
      }
      return false;
    }
    void await_suspend(std::coroutine_handle<> h) { queue.getters_.push_back({h, &item}); }
    T await_resume() { return std::move(*item); }
  };
  GetAwaiter get() { return GetAwaiter{*this, std::nullopt}; }

  struct PutAwaiter {
    FifoQueue& queue;
    T item;
    bool await_ready() {
      if (queue.items_.size() < queue.capacity_ && queue.putters_.empty()) {
        queue.deliver(std::move(item));
        return true;
      }
      return false;
    }
    void await_suspend(std::coroutine_handle<> h) { queue.putters_.push_back({h, &item}); }
    void await_resume() const noexcept {}
  };
  PutAwaiter put(T item) { return PutAwaiter{*this, std::move(item)}; }

  // Non-blocking put for callbacks; false (item dropped) when the queue is full.
  bool try_put(T item) {
    if (items_.size() >= capacity_ || !putters_.empty()) return false;
    deliver(std::move(item));
    return true;
  }

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Getter {
    std::coroutine_handle<> handle;
    std::optional<T>* slot;
  };
  struct Putter {
    std::coroutine_handle<> handle;
    T* item;
  };

  void deliver(T item) {
    if (!getters_.empty()) {
      Getter g = getters_.front();
      getters_.pop_front();
      g.slot->emplace(std::move(item));
      sim_.schedule(Time::zero(), [h = g.handle] { h.resume(); });
      return;
    }
    items_.push_back(std::move(item));
  }

  T take_front() {
    T item = std::move(items_.front());
    items_.pop_front();
    if (!putters_.empty()) {  // room freed: admit the longest-waiting putter
      Putter p = putters_.front();
      putters_.pop_front();
      items_.push_back(std::move(*p.item));
      sim_.schedule(Time::zero(), [h = p.handle] { h.resume(); });
    }
    return item;
  }

  Simulator& sim_;
  std::size_t capacity_;
  std::deque<T> items_;
  std::deque<Getter> getters_;
  std::deque<Putter> putters_;
};

}  // namespace sim
