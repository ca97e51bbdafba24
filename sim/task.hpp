#pragma once
// sim::Task<T>: a lazily started coroutine. A process is a Task<void> handed to
// Simulator::spawn; a Task can also be co_awaited from another task (`co_await
// link.transmit(4096)`), which runs it to completion and yields its value.

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "sim/simulator.hpp"

namespace sim {

namespace detail {

struct PromiseBase : ProcessLink {
  std::coroutine_handle<> continuation;
  Simulator* detached_in = nullptr;
  std::exception_ptr error;

  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      PromiseBase& p = h.promise();
      if (p.continuation) return p.continuation;
      if (p.detached_in != nullptr) {
        p.detached_in->process_finished(p, p.error);
        h.destroy();
      }
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct Promise<void> : PromiseBase {
  void return_void() noexcept {}
  void take() {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::Promise<T> {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  struct Awaiter {
    Handle handle;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
      handle.promise().continuation = awaiting;
      return handle;
    }
    T await_resume() { return handle.promise().take(); }
  };
  Awaiter operator co_await() && { return Awaiter{handle_}; }

  // Gives up ownership of the coroutine frame (used by Simulator::spawn).
  Handle release() { return std::exchange(handle_, {}); }

 private:
  explicit Task(Handle handle) : handle_(handle) {}
  Handle handle_;
};

inline void Simulator::spawn(Task<void> process) {
  auto handle = process.release();
  if (!handle) throw SchedulingError("Simulator::spawn: the task is empty (moved from?)");
  auto& promise = handle.promise();
  promise.detached_in = this;
  promise.frame = handle;
  process_started(promise);
  std::coroutine_handle<> start = handle;
  schedule(Time::zero(), [start] { start.resume(); });
}

}  // namespace sim
