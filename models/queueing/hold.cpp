#include "models/queueing/hold.hpp"

#include <chrono>
#include <stdexcept>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/ladder_event_queue.hpp"
#include "sim/peak_rss.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"

namespace models::queueing {

namespace {

double mean_delay_ps(const HoldParams& p) { return p.mean_delay_ns * 1e3; }

// The model on the real simulator.
struct SimulatorHold {
  sim::Simulator sim;
  sim::RandomStream rng;
  std::vector<std::uint64_t> hits;
  std::uint64_t target_events;
  double mean_ps;

  explicit SimulatorHold(const HoldParams& p)
      : sim(p.seed), rng(sim.stream(0)), hits(p.entities, 0), target_events(p.events), mean_ps(mean_delay_ps(p)) {}

  void schedule_one() {
    const auto entity = static_cast<std::uint32_t>(rng.below(hits.size()));
    const auto delay = sim::Time::from_ps(static_cast<std::int64_t>(rng.exponential(mean_ps)));
    sim.schedule(delay, [this, entity] { fire(entity); });
  }
  void fire(std::uint32_t entity) {
    ++hits[entity];
    if (sim.events_executed() >= target_events) {
      sim.stop();
      return;
    }
    schedule_one();
  }
};

// The same model on a bare queue, to compare queue structures without the simulator.
template <class Queue>
struct QueueHold {
  Queue queue;
  sim::RandomStream rng;
  std::vector<std::uint64_t> hits;
  sim::Time now = sim::Time::zero();
  double mean_ps;

  explicit QueueHold(const HoldParams& p) : rng(p.seed, 0), hits(p.entities, 0), mean_ps(mean_delay_ps(p)) {}

  void schedule_one() {
    const auto entity = static_cast<std::uint32_t>(rng.below(hits.size()));
    const auto delay = sim::Time::from_ps(static_cast<std::int64_t>(rng.exponential(mean_ps)));
    queue.push(now + delay, 0, [this, entity] { ++hits[entity]; });
  }
  void run(std::uint64_t events) {
    for (std::uint64_t i = 0; i < events; ++i) {
      now = queue.top().time;
      sim::Handler h = queue.pop();
      h();
      if (i + 1 < events) schedule_one();
    }
  }
};

template <class Queue>
HoldResult run_queue(const HoldParams& p) {
  QueueHold<Queue> model(p);
  model.queue.reserve(p.pending);
  for (std::uint64_t i = 0; i < p.pending; ++i) model.schedule_one();
  const auto start = std::chrono::steady_clock::now();
  model.run(p.events);
  HoldResult r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.queue_bytes_per_pending = static_cast<double>(model.queue.memory_bytes()) / static_cast<double>(p.pending);
  r.final_time_ps = model.now.ps();
  return r;
}

HoldResult run_simulator(const HoldParams& p) {
  SimulatorHold model(p);
  model.sim.reserve_events(p.pending);
  for (std::uint64_t i = 0; i < p.pending; ++i) model.schedule_one();
  const auto start = std::chrono::steady_clock::now();
  model.sim.run();
  HoldResult r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.queue_bytes_per_pending = static_cast<double>(model.sim.queue_memory_bytes()) / static_cast<double>(p.pending);
  r.final_time_ps = model.sim.now().ps();
  return r;
}

}  // namespace

HoldResult run_hold(const HoldParams& p) {
  if (p.pending == 0 || p.events == 0 || p.entities == 0) {
    throw std::invalid_argument("hold: pending, events and entities must be positive");
  }
  if (!(p.mean_delay_ns > 0)) throw std::invalid_argument("hold: mean delay must be positive");
  HoldResult r;
  if (p.queue == "simulator") {
    r = run_simulator(p);
  } else if (p.queue == "binary") {
    r = run_queue<sim::DaryEventQueue<2>>(p);
  } else if (p.queue == "4-ary") {
    r = run_queue<sim::DaryEventQueue<4>>(p);
  } else if (p.queue == "8-ary") {
    r = run_queue<sim::DaryEventQueue<8>>(p);
  } else if (p.queue == "ladder") {
    r = run_queue<sim::LadderEventQueue>(p);
  } else {
    throw std::invalid_argument("hold: unknown queue '" + p.queue +
                                "' (expected simulator, binary, 4-ary, 8-ary or ladder)");
  }
  r.queue = p.queue;
  r.pending = p.pending;
  r.events = p.events;
  r.events_per_second = static_cast<double>(p.events) / r.wall_s;
  r.peak_rss_bytes = sim::peak_rss_bytes();
  return r;
}

}  // namespace models::queueing
