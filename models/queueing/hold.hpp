#pragma once
// The hold model, the classic event-set benchmark: `pending` events are kept in the
// queue; each executed event schedules one new event at now + Exp(mean) for a random
// entity. Measures the event loop and queue, nothing else; `simfabric bench hold` and
// `simfabric._core.bench.hold` run it, bench/ compares it with other engines.

#include <cstdint>
#include <string>

namespace models::queueing {

struct HoldParams {
  std::uint64_t pending = 1000;
  std::uint64_t events = 1'000'000;
  double mean_delay_ns = 1000.0;
  std::uint32_t entities = 1024;
  std::uint64_t seed = 1;
  // "simulator" (the real sim::Simulator), or a bare queue: "binary", "4-ary", "8-ary",
  // "ladder" (sim::LadderEventQueue, the simulator's queue).
  std::string queue = "simulator";
};

struct HoldResult {
  std::string queue;
  std::uint64_t pending = 0;
  std::uint64_t events = 0;
  double wall_s = 0.0;
  double events_per_second = 0.0;
  double queue_bytes_per_pending = 0.0;  // event storage capacity / pending events
  std::uint64_t peak_rss_bytes = 0;
  std::int64_t final_time_ps = 0;  // identical for every queue: a correctness check
};

// Throws std::invalid_argument for zero pending/events/entities, a non-positive mean or
// an unknown queue name.
HoldResult run_hold(const HoldParams& params);

}  // namespace models::queueing
