#pragma once
// Reusable slots addressed by a 32-bit index, for objects made and dropped by the million
// in one run (pending events, flows, transfers, entangled pairs): storage grows to the
// peak number alive at once and nothing is allocated per object after that.
//
// - acquire() takes the most recently released slot (last in, first out: the reuse order
//   is deterministic and the slot is likely still in cache) or appends a default-made one.
//   A reused element keeps what its previous occupant left (a vector's capacity, say), so
//   callers set every field they read.
// - Each slot has a 32-bit generation: acquire() and release() each add one, so it is odd
//   while the slot is live and even while it is free. A Handle (index, generation) taken
//   while live stops matching once the slot is released, so an event of an object that
//   has gone can tell it is stale without being cancelled. A stale handle is mistaken for
//   a live one only if its slot is reused exactly 2^31 times while the handle is held.
// - Iteration (for_each_live) is in index order, whatever the order of releases.
// - An element with a field that means nothing while its slot is free may keep the free
//   list in it by defining `std::uint32_t free_link() const` and
//   `void set_free_link(std::uint32_t)`. The pool then stores nothing beside the
//   elements and keeps no generations or liveness: the element's own contents must tell
//   stale handles apart. The event queue does this (its 64-bit ordering key is unique per
//   scheduled event), which keeps a pending event at 48 bytes.

#include <concepts>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace sim {

template <class T>
concept HostsFreeLink = requires(T& t, const T& c, std::uint32_t next) {
  { c.free_link() } -> std::convertible_to<std::uint32_t>;
  t.set_free_link(next);
};

template <class T>
class SlotPool {
  static constexpr bool kGenerations = !HostsFreeLink<T>;

 public:
  using Index = std::uint32_t;
  static constexpr Index npos = std::numeric_limits<Index>::max();

  // Names one occupancy of a slot. packed() fits it in 8 bytes, so an event handler can
  // capture [this, handle.packed()] and still be stored inline in the event queue.
  struct Handle {
    Index index = npos;
    std::uint32_t generation = 0;
    std::uint64_t packed() const { return (std::uint64_t{generation} << 32) | index; }
    static Handle unpack(std::uint64_t key) {
      return Handle{static_cast<Index>(key), static_cast<std::uint32_t>(key >> 32)};
    }
    bool operator==(const Handle&) const = default;
  };

  // A free slot (the last released first) or a new default-made one at index size().
  Index acquire() {
    Index i;
    if (free_head_ != npos) {
      i = free_head_;
      free_head_ = link(i);
    } else {
      if (slots_.size() >= npos) throw std::length_error("sim: a slot pool outgrew 2^32 - 1 slots");
      i = static_cast<Index>(slots_.size());
      slots_.emplace_back();
    }
    if constexpr (kGenerations) {
      ++slots_[i].generation;
      ++live_;
    }
    return i;
  }

  // Returns a live slot to the pool; handles to it become stale. The element is kept as it is.
  void release(Index i) {
    if constexpr (kGenerations) {
      ++slots_[i].generation;
      slots_[i].next_free = free_head_;
      --live_;
    } else {
      slots_[i].value.set_free_link(free_head_);
    }
    free_head_ = i;
  }

  T& operator[](Index i) { return slots_[i].value; }
  const T& operator[](Index i) const { return slots_[i].value; }

  // Slots made so far, live or free: every index below it is valid to read.
  Index size() const { return static_cast<Index>(slots_.size()); }
  std::size_t live_count() const requires kGenerations { return live_; }

  std::uint32_t generation(Index i) const requires kGenerations { return slots_[i].generation; }
  bool live(Index i) const requires kGenerations { return (slots_[i].generation & 1U) != 0; }
  Handle handle(Index i) const requires kGenerations { return Handle{i, slots_[i].generation}; }
  // Whether `h` still names the occupancy it was taken from (false after release).
  bool holds(Handle h) const requires kGenerations {
    return h.index < slots_.size() && slots_[h.index].generation == h.generation && (h.generation & 1U) != 0;
  }
  // The element `h` names, or nullptr when the handle is stale.
  T* find(Handle h) requires kGenerations { return holds(h) ? &slots_[h.index].value : nullptr; }

  // Calls f(index, element) for every live slot, in index order.
  template <class F>
  void for_each_live(F&& f) requires kGenerations {
    for (Index i = 0; i < slots_.size(); ++i) {
      if (live(i)) f(i, slots_[i].value);
    }
  }

  void reserve(std::size_t slots) { slots_.reserve(slots); }
  // Drops every slot; handles taken before must not be used again.
  void clear() {
    slots_.clear();
    free_head_ = npos;
    live_ = {};
  }
  // Bytes of the pool's own storage (capacity, not just size).
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct CountedSlot {
    T value{};
    std::uint32_t generation = 0;
    Index next_free = npos;
  };
  struct BareSlot {
    T value{};
  };
  using Slot = std::conditional_t<kGenerations, CountedSlot, BareSlot>;

  Index link(Index i) const {
    if constexpr (kGenerations) {
      return slots_[i].next_free;
    } else {
      return static_cast<Index>(slots_[i].value.free_link());
    }
  }

  struct NotCounted {};
  std::vector<Slot> slots_;
  Index free_head_ = npos;
  // Element-linked pools count nothing: the event queue keeps its own count.
  [[no_unique_address]] std::conditional_t<kGenerations, std::size_t, NotCounted> live_{};
};

}  // namespace sim
