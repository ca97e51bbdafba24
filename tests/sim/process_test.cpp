#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/fifo_queue.hpp"
#include "sim/resource.hpp"
#include "sim/signal.hpp"
#include "sim/simulator.hpp"
#include "sim/task.hpp"

using namespace sim::literals;

namespace {

sim::Task<> ticker(sim::Simulator& sim, std::vector<std::int64_t>& log, int count, sim::Time period) {
  for (int i = 0; i < count; ++i) {
    co_await sim.delay(period);
    log.push_back(sim.now().ps());
  }
}

sim::Task<int> add_later(sim::Simulator& sim, int a, int b) {
  co_await sim.delay(3_ns);
  co_return a + b;
}

sim::Task<> caller(sim::Simulator& sim, int& out) {
  const int x = co_await add_later(sim, 2, 3);
  const int y = co_await add_later(sim, x, 10);
  out = y;
}

sim::Task<> failing(sim::Simulator& sim) {
  co_await sim.delay(1_ns);
  throw std::runtime_error("process failed");
}

}  // namespace

TEST_CASE("a coroutine process advances with co_await delay") {
  sim::Simulator sim;
  std::vector<std::int64_t> log;
  sim.spawn(ticker(sim, log, 3, 5_ns));
  CHECK(sim.processes_alive() == 1);
  sim.run();
  CHECK(log == std::vector<std::int64_t>{5'000, 10'000, 15'000});
  CHECK(sim.processes_alive() == 0);
}

TEST_CASE("tasks await tasks and receive their values") {
  sim::Simulator sim;
  int out = 0;
  sim.spawn(caller(sim, out));
  sim.run();
  CHECK(out == 15);
  CHECK(sim.now() == 6_ns);
}

TEST_CASE("processes interleave deterministically with callbacks") {
  sim::Simulator sim;
  std::vector<std::string> order;
  auto proc = [](sim::Simulator& s, std::vector<std::string>& o) -> sim::Task<> {
    o.push_back("p0");
    co_await s.delay(2_ns);
    o.push_back("p2");
  };
  sim.schedule(2_ns, [&] { order.push_back("cb2"); });
  sim.spawn(proc(sim, order));
  sim.schedule(1_ns, [&] { order.push_back("cb1"); });
  sim.run();
  // The callback at 2 ns was scheduled before the process' resume at 2 ns.
  CHECK(order == std::vector<std::string>{"p0", "cb1", "cb2", "p2"});
}

TEST_CASE("an exception in a process ends run() with that exception") {
  sim::Simulator sim;
  sim.spawn(failing(sim));
  CHECK_THROWS_WITH(sim.run(), "process failed");
  CHECK(sim.processes_alive() == 0);
}

TEST_CASE("suspended processes are destroyed with the simulator") {
  static int destroyed = 0;
  struct Guard {
    ~Guard() { ++destroyed; }
  };
  auto waiter = [](sim::Signal& signal) -> sim::Task<> {
    Guard guard;
    co_await signal.wait();
  };
  {
    sim::Simulator sim;
    sim::Signal never(sim);
    sim.spawn(waiter(never));
    sim.spawn(waiter(never));
    sim.run();
    CHECK(sim.processes_alive() == 2);
    CHECK(destroyed == 0);
  }
  CHECK(destroyed == 2);
}

TEST_CASE("signal wakes waiters in the order they waited") {
  sim::Simulator sim;
  sim::Signal signal(sim);
  std::vector<std::string> order;
  auto waiter = [](sim::Signal& s, std::vector<std::string>& o, std::string name) -> sim::Task<> {
    co_await s.wait();
    o.push_back(name);
  };
  sim.spawn(waiter(signal, order, "a"));
  sim.spawn(waiter(signal, order, "b"));
  sim.spawn(waiter(signal, order, "c"));
  sim.schedule(1_ns, [&] { CHECK(signal.notify_one()); });
  sim.schedule(2_ns, [&] { CHECK(signal.notify_all() == 2); });
  sim.run();
  CHECK(order == std::vector<std::string>{"a", "b", "c"});
  CHECK_FALSE(signal.notify_one());
}

TEST_CASE("resource grants units first come, first served") {
  sim::Simulator sim;
  sim::Resource servers(sim, 2);
  std::vector<std::pair<std::string, std::int64_t>> starts;
  auto job = [](sim::Simulator& s, sim::Resource& r, std::vector<std::pair<std::string, std::int64_t>>& log,
                std::string name, std::uint64_t units, sim::Time hold) -> sim::Task<> {
    co_await r.acquire(units);
    log.emplace_back(name, s.now().ps());
    co_await s.delay(hold);
    r.release(units);
  };
  sim.spawn(job(sim, servers, starts, "a", 1, 10_ns));
  sim.spawn(job(sim, servers, starts, "b", 1, 20_ns));
  sim.spawn(job(sim, servers, starts, "big", 2, 5_ns));    // waits for both
  sim.spawn(job(sim, servers, starts, "small", 1, 1_ns));  // no overtaking the big one
  sim.run();
  REQUIRE(starts.size() == 4);
  CHECK(starts[0] == std::make_pair(std::string("a"), std::int64_t{0}));
  CHECK(starts[1] == std::make_pair(std::string("b"), std::int64_t{0}));
  CHECK(starts[2] == std::make_pair(std::string("big"), std::int64_t{20'000}));
  CHECK(starts[3] == std::make_pair(std::string("small"), std::int64_t{25'000}));
  CHECK(servers.available() == 2);
  CHECK_THROWS_AS(servers.release(1), std::logic_error);
  CHECK_THROWS_AS(servers.acquire(3), std::invalid_argument);
}

TEST_CASE("try_acquire takes free units at once and never overtakes a waiting process") {
  sim::Simulator sim;
  sim::Resource engines(sim, 2);
  CHECK(engines.try_acquire());
  CHECK(engines.try_acquire());
  CHECK_FALSE(engines.try_acquire());
  std::int64_t granted_ps = -1;
  auto waiter = [](sim::Simulator& s, sim::Resource& r, std::int64_t& at) -> sim::Task<> {
    co_await r.acquire(2);
    at = s.now().ps();
  };
  sim.spawn(waiter(sim, engines, granted_ps));
  sim.schedule(3_ns, [&] {
    engines.release();
    CHECK_FALSE(engines.try_acquire());  // one free, but the process waiting for two is first
    engines.release();
  });
  sim.run();
  CHECK(granted_ps == 3'000);
  CHECK(engines.available() == 0);
  CHECK_THROWS_AS(engines.try_acquire(3), std::invalid_argument);
}

TEST_CASE("fifo queue hands items over in order and blocks a full producer") {
  sim::Simulator sim;
  sim::FifoQueue<int> queue(sim, 2);
  std::vector<std::pair<int, std::int64_t>> got;
  std::vector<std::int64_t> put_done;
  auto producer = [](sim::Simulator& s, sim::FifoQueue<int>& q, std::vector<std::int64_t>& done) -> sim::Task<> {
    for (int i = 0; i < 4; ++i) {
      co_await q.put(i);
      done.push_back(s.now().ps());
    }
  };
  auto consumer = [](sim::Simulator& s, sim::FifoQueue<int>& q,
                     std::vector<std::pair<int, std::int64_t>>& out) -> sim::Task<> {
    co_await s.delay(10_ns);
    for (int i = 0; i < 4; ++i) {
      const int item = co_await q.get();
      out.emplace_back(item, s.now().ps());
      co_await s.delay(1_ns);
    }
  };
  sim.spawn(producer(sim, queue, put_done));
  sim.spawn(consumer(sim, queue, got));
  sim.run();
  REQUIRE(got.size() == 4);
  for (int i = 0; i < 4; ++i) CHECK(got[i].first == i);
  // Two puts complete at once; the third waits until the consumer frees room at 10 ns.
  CHECK(put_done == std::vector<std::int64_t>{0, 0, 10'000, 11'000});
}
