#pragma once

namespace sim {

// A process-wide way to abandon a long run from outside it: the Python bindings poll
// Ctrl-C through it while the GIL is released. Run loops call check_interrupt() between
// events, so an abandoned simulator is left between two events, consistent.
using InterruptPoll = bool (*)();

// nullptr: no polling (the default; the command-line program never sets one).
void set_interrupt_poll(InterruptPoll poll);

// Thrown by check_interrupt(). Deliberately not a std::exception: code that catches
// std::exception to add context must let it through unchanged.
struct Interrupted {};

// Throws Interrupted when the poll says the run should end.
void check_interrupt();

// Events between two polls of a run loop: cheap enough to ignore, frequent enough that
// a run ends within a second of the request.
inline constexpr unsigned kEventsPerInterruptCheck = 1u << 14;

}  // namespace sim
