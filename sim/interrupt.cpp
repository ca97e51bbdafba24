#include "sim/interrupt.hpp"

#include <atomic>

namespace sim {

namespace {
std::atomic<InterruptPoll> g_poll{nullptr};
}

void set_interrupt_poll(InterruptPoll poll) { g_poll.store(poll, std::memory_order_release); }

void check_interrupt() {
  const InterruptPoll poll = g_poll.load(std::memory_order_acquire);
  if (poll != nullptr && poll()) throw Interrupted{};
}

}  // namespace sim
