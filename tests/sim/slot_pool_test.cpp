#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "sim/slot_pool.hpp"

namespace {

struct Payload {
  int value = 0;
  std::vector<int> scratch;
};

// Keeps the pool's free list in a field that is meaningless while the slot is free.
struct Linked {
  std::uint64_t key = 0;
  std::uint32_t free_link() const { return static_cast<std::uint32_t>(key); }
  void set_free_link(std::uint32_t next) { key = (std::uint64_t{1} << 63) | next; }
};

}  // namespace

TEST_CASE("slot pool reuses the last released slot first and grows only when none is free") {
  sim::SlotPool<Payload> pool;
  const auto a = pool.acquire();
  const auto b = pool.acquire();
  const auto c = pool.acquire();
  CHECK(a == 0);
  CHECK(b == 1);
  CHECK(c == 2);
  pool.release(a);
  pool.release(c);
  CHECK(pool.live_count() == 1);
  CHECK(pool.acquire() == c);
  CHECK(pool.acquire() == a);
  CHECK(pool.acquire() == 3);
  CHECK(pool.size() == 4);
  CHECK(pool.live_count() == 4);
}

TEST_CASE("a reused element keeps what its previous occupant left") {
  sim::SlotPool<Payload> pool;
  const auto i = pool.acquire();
  pool[i].value = 7;
  pool[i].scratch.assign(100, 1);
  pool.release(i);
  REQUIRE(pool.acquire() == i);
  CHECK(pool[i].value == 7);
  CHECK(pool[i].scratch.capacity() >= 100);
}

TEST_CASE("handles go stale on release and stay stale after the slot is reused") {
  sim::SlotPool<Payload> pool;
  const auto i = pool.acquire();
  pool[i].value = 1;
  const auto first = pool.handle(i);
  CHECK(pool.live(i));
  CHECK(pool.holds(first));
  CHECK(pool.find(first) == &pool[i]);

  pool.release(i);
  CHECK_FALSE(pool.live(i));
  CHECK_FALSE(pool.holds(first));
  CHECK(pool.find(first) == nullptr);

  REQUIRE(pool.acquire() == i);
  const auto second = pool.handle(i);
  CHECK(second.index == first.index);
  CHECK(second.generation != first.generation);
  CHECK_FALSE(pool.holds(first));
  CHECK(pool.holds(second));
  // Generations are odd while live, even while free: acquire and release each add one.
  CHECK(first.generation % 2 == 1);
  CHECK(second.generation == first.generation + 2);

  CHECK_FALSE(pool.holds(sim::SlotPool<Payload>::Handle{}));       // default handle names nothing
  CHECK_FALSE(pool.holds(sim::SlotPool<Payload>::Handle{57, 1}));  // index never made
}

TEST_CASE("a handle survives packing into 64 bits") {
  sim::SlotPool<Payload> pool;
  for (int k = 0; k < 5; ++k) pool.release(pool.acquire());
  const auto h = pool.handle(pool.acquire());
  CHECK(h.generation == 11);
  const std::uint64_t key = h.packed();
  CHECK(key == ((std::uint64_t{11} << 32) | 0));
  CHECK(sim::SlotPool<Payload>::Handle::unpack(key) == h);
}

TEST_CASE("live slots are visited in index order whatever the order of release") {
  sim::SlotPool<Payload> pool;
  for (int k = 0; k < 6; ++k) pool[pool.acquire()].value = k * 10;
  pool.release(4);
  pool.release(1);
  pool.release(2);
  (void)pool.acquire();  // takes 2 back
  std::vector<std::uint32_t> seen;
  std::vector<int> values;
  pool.for_each_live([&](std::uint32_t i, Payload& p) {
    seen.push_back(i);
    values.push_back(p.value);
  });
  CHECK(seen == std::vector<std::uint32_t>{0, 2, 3, 5});
  CHECK(values == std::vector<int>{0, 20, 30, 50});
  CHECK(pool.live_count() == seen.size());
}

TEST_CASE("clear drops every slot") {
  sim::SlotPool<Payload> pool;
  pool.acquire();
  pool.release(pool.acquire());
  pool.clear();
  CHECK(pool.size() == 0);
  CHECK(pool.live_count() == 0);
  CHECK(pool.acquire() == 0);
}

TEST_CASE("an element hosting the free list adds no bytes and keeps the same reuse order") {
  sim::SlotPool<Linked> pool;
  static_assert(sizeof(Linked) == 8);
  for (int k = 0; k < 4; ++k) pool[pool.acquire()].key = 100 + k;
  pool.release(1);
  pool.release(3);
  // The link lives in the element: the released slots carry the tag and their successor.
  CHECK(pool[3].key == ((std::uint64_t{1} << 63) | 1));
  CHECK(pool[1].key == ((std::uint64_t{1} << 63) | sim::SlotPool<Linked>::npos));
  CHECK(pool.acquire() == 3);
  CHECK(pool.acquire() == 1);
  CHECK(pool.acquire() == 4);
  CHECK(pool.size() == 5);
  // Reserved storage is the elements alone; a counted pool of 8-byte elements pays for a
  // generation and a link besides.
  sim::SlotPool<std::uint64_t> counted;
  pool.reserve(64);
  counted.reserve(64);
  CHECK(pool.memory_bytes() == 64 * sizeof(Linked));
  CHECK(counted.memory_bytes() == 64 * 16);
}
