#include "sim/simulator.hpp"

#include <stdexcept>
#include <utility>

#include "sim/interrupt.hpp"

namespace sim {

Simulator::Simulator(std::uint64_t seed) : seed_(seed) {
  processes_.prev = &processes_;
  processes_.next = &processes_;
}

Simulator::~Simulator() {
  // Processes still suspended own their frames through this list; destroying a frame
  // destroys the tasks it awaits with it.
  while (processes_.next != &processes_) {
    ProcessLink* link = processes_.next;
    link->prev->next = link->next;
    link->next->prev = link->prev;
    link->frame.destroy();
  }
}

void Simulator::run_until(Time until) {
  if (running_) throw_nested_run();
  if (until < now_) throw_in_past(until);
  run_loop(until);
  if (!stop_requested_ && now_ < until) now_ = until;
}

void Simulator::run_loop(Time limit) {
  // A nested run would execute later events inside an earlier one and return to it with
  // the clock moved on: the outer event would see time go backwards.
  if (running_) throw_nested_run();
  struct Running {
    bool& flag;
    explicit Running(bool& f) : flag(f) { flag = true; }
    ~Running() { flag = false; }
  } running(running_);
  stop_requested_ = false;
  while (!stop_requested_) {
    if (!hooks_.empty() && (queue_.empty() || queue_.top().time > now_)) {
      // The timestamp is over: its next hook (kept last).
      Handler hook = std::move(hooks_.back().run);
      hooks_.pop_back();
      hook();
    } else {
      if (queue_.empty()) break;
      Handler handler = queue_.pop_until(limit, now_);
      if (!handler) break;
      ++executed_;
      handler();
      if (executed_ % kEventsPerInterruptCheck == 0) [[unlikely]]
        check_interrupt();
    }
    if (process_error_) {
      std::exception_ptr error = std::exchange(process_error_, nullptr);
      std::rethrow_exception(error);
    }
  }
}

void Simulator::at_end_of_timestamp(Handler&& hook, int order) {
  if (!hook) throw std::invalid_argument("sim: cannot request an empty end-of-timestamp hook");
  // Kept in reverse running order: a new hook runs after those of its order and below.
  hooks_.push_back(Hook{order, std::move(hook)});
  for (std::size_t i = hooks_.size() - 1; i > 0 && hooks_[i - 1].order <= order; --i)
    std::swap(hooks_[i - 1], hooks_[i]);
}

void Simulator::jump_ahead(Time delta, std::uint64_t events_accounted) {
  if (delta < Time::zero()) throw_negative_delay(delta);
  const Time new_now = now_ + delta;  // may throw; nothing has moved yet
  queue_.shift_all(delta);
  now_ = new_now;
  executed_ += events_accounted;
}

EntityId Simulator::register_entity(std::string name) {
  entity_names_.push_back(std::move(name));
  return static_cast<EntityId>(entity_names_.size() - 1);
}

void Simulator::process_started(ProcessLink& link) {
  link.next = &processes_;
  link.prev = processes_.prev;
  processes_.prev->next = &link;
  processes_.prev = &link;
  ++processes_alive_;
}

void Simulator::process_finished(ProcessLink& link, std::exception_ptr error) {
  link.prev->next = link.next;
  link.next->prev = link.prev;
  link.prev = link.next = nullptr;
  --processes_alive_;
  if (error && !process_error_) process_error_ = error;
}

void Simulator::throw_negative_delay(Time delay) const {
  throw SchedulingError("sim: cannot schedule with negative delay " + to_string(delay) + " at t=" + to_string(now_));
}

void Simulator::throw_nested_run() const {
  throw SchedulingError("sim: run() called from inside an event at t=" + to_string(now_) +
                        "; schedule the work as an event, or call stop() and run again after run() returns");
}

void Simulator::throw_in_past(Time at) const {
  throw SchedulingError("sim: cannot schedule at " + to_string(at) + ", which is before the current time " +
                        to_string(now_));
}

}  // namespace sim
