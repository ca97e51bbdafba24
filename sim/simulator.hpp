#pragma once
// The discrete-event simulator: a clock, the pending-event set and run control.
//
// Ordering contract: events run in increasing time; events at the same time run in
// increasing priority (lower first), then in the order they were scheduled. That order
// depends only on what the model did, so the same seed reproduces a run bit for bit.

#include <coroutine>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/handler.hpp"
#include "sim/ladder_event_queue.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace sim {

class SchedulingError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

template <class T>
class Task;

using EntityId = std::uint32_t;

// Links the simulator to each running detached process, so that processes still
// suspended when the simulator is destroyed are destroyed with it.
struct ProcessLink {
  ProcessLink* prev = nullptr;
  ProcessLink* next = nullptr;
  std::coroutine_handle<> frame;
};

class Simulator {
 public:
  // A 4-ary heap up to 8,192 pending events, a heap over time buckets beyond: the
  // fastest at 1e3..1e7 pending events in the hold benchmark (bench/README.md).
  using Queue = LadderEventQueue;

  explicit Simulator(std::uint64_t seed = 0);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  Time now() const { return now_; }
  std::uint64_t seed() const { return seed_; }

  // Runs `handler` at now() + delay. A negative delay is an error.
  EventHandle schedule(Time delay, Handler&& handler, Priority priority = 0) {
    if (delay < Time::zero()) throw_negative_delay(delay);
    return queue_.push(now_ + delay, priority, std::move(handler));
  }

  // Runs `handler` at absolute time `at`, which must not be in the past.
  EventHandle schedule_at(Time at, Handler&& handler, Priority priority = 0) {
    if (at < now_) throw_in_past(at);
    return queue_.push(at, priority, std::move(handler));
  }

  // True if the event was still pending; false if it already ran or was cancelled.
  bool cancel(EventHandle handle) { return queue_.cancel(handle); }

  // Runs until no event is pending or stop() is called. Calling run() or run_until()
  // from inside an event of the same simulator is an error (SchedulingError).
  void run() { run_loop(Time::max()); }

  // Runs `hook` once at the end of the current timestamp: after every event at now(),
  // those scheduled meanwhile included, and before the clock moves on. Pending hooks run
  // one at a time, lowest `order` first, then in request order; events a hook schedules
  // at now() run before the next hook, so a later hook sees the timestamp settled by the
  // earlier ones. This is where models settle what a timestamp changed (the fabric
  // re-shares bandwidth once) and look at the whole state between timestamps (steady-
  // state extrapolation, which may jump_ahead() from a hook). Hooks are not events:
  // events_executed() does not count them. A run ended by stop() leaves them pending.
  void at_end_of_timestamp(Handler&& hook, int order = 0);
  // Orders of the hooks the models use: fluid models re-share bandwidth first, then
  // steady-state checks look at the settled state.
  static constexpr int kSettleHook = 0;
  static constexpr int kObserveHook = 1;
  std::size_t end_of_timestamp_pending() const { return hooks_.size(); }

  // Runs every event with time <= until, then advances the clock to `until`
  // (unless stop() ended the run earlier).
  void run_until(Time until);

  // Ends run()/run_until() after the event in progress.
  void stop() { stop_requested_ = true; }
  bool stopped() const { return stop_requested_; }
  bool running() const { return running_; }

  std::uint64_t events_executed() const { return executed_; }

  // Jumps the clock `delta` ahead and moves every pending event with it (keeping their
  // order), counting `events_accounted` as executed: for models that prove the skipped
  // interval repeats what they already simulated (steady-state extrapolation).
  void jump_ahead(Time delta, std::uint64_t events_accounted);
  std::size_t events_pending() const { return queue_.size(); }
  std::size_t queue_memory_bytes() const { return queue_.memory_bytes(); }
  // Pre-sizes the event storage when the number of pending events is known.
  void reserve_events(std::size_t events) { queue_.reserve(events); }

  // Entities register here to get a stable id; ids are dense and follow creation order.
  EntityId register_entity(std::string name);
  const std::string& entity_name(EntityId id) const { return entity_names_.at(id); }
  std::size_t entity_count() const { return entity_names_.size(); }

  // The random stream of one component: a pure function of (seed, stream_id).
  RandomStream stream(std::uint64_t stream_id) const { return RandomStream(seed_, stream_id); }

  // --- processes ---------------------------------------------------------------------
  // Starts a coroutine process at the current time. The simulator owns it until it ends;
  // an exception escaping a process ends the run and is rethrown from run().
  void spawn(Task<void> process);

  // `co_await sim.delay(d)` resumes the process d later.
  struct DelayAwaiter {
    Simulator& sim;
    Time delay;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const {
      sim.schedule(delay, [h] { h.resume(); });
    }
    void await_resume() const noexcept {}
  };
  DelayAwaiter delay(Time d) {
    if (d < Time::zero()) throw_negative_delay(d);
    return DelayAwaiter{*this, d};
  }

  // Used by detached processes; not part of the modelling API.
  void process_started(ProcessLink& link);
  void process_finished(ProcessLink& link, std::exception_ptr error);
  std::size_t processes_alive() const { return processes_alive_; }

 private:
  void run_loop(Time limit);
  [[noreturn]] void throw_negative_delay(Time delay) const;
  [[noreturn]] void throw_in_past(Time at) const;
  [[noreturn]] void throw_nested_run() const;

  Queue queue_;
  Time now_ = Time::zero();
  std::uint64_t seed_;
  std::uint64_t executed_ = 0;
  bool stop_requested_ = false;
  bool running_ = false;
  std::vector<std::string> entity_names_;
  ProcessLink processes_;  // sentinel of a circular list
  std::size_t processes_alive_ = 0;
  std::exception_ptr process_error_;
  struct Hook {
    int order;
    Handler run;
  };
  std::vector<Hook> hooks_;  // pending hooks, the next to run last; few at a time
};

}  // namespace sim
