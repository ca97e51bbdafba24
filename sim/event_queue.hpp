#pragma once
// A pending-event set as a d-ary min-heap of 16-byte keys over a pool of handler slots.
// The simulator's queue, sim/ladder_event_queue.hpp, keeps its near future in the same
// 4-ary layout, sifted by the same code (detail::DaryHeap); these heaps are the bare
// queues `simfabric bench hold` compares it with.
//
// Layout was chosen by measurement (bench/README.md): heap entries carry only the time
// and a slot index, and the array is offset so that the four children of a node share
// one 64-byte cache line (a sift-down touches one line per level); the tie-break
// order (priority, then insertion sequence) lives in the slot and is read only when two
// times are equal. Pending events cost 16 (heap) + 32 (slot) = 48 bytes.
//
// Cancellation is lazy: the slot's handler is dropped (its ordering key is left alone, so
// the heap stays valid) and the heap entry is discarded when it surfaces; the heap is
// compacted when dead entries outnumber live ones. The slots are a sim::SlotPool whose
// free list runs through the ordering key, so the pool adds no bytes per event.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/handler.hpp"
#include "sim/slot_pool.hpp"
#include "sim/time.hpp"

namespace sim {

// Lower values run first among events at the same time.
using Priority = std::int8_t;

// Identifies one scheduled event; stays safe to use after the event ran or was cancelled.
struct EventHandle {
  std::uint32_t slot = std::numeric_limits<std::uint32_t>::max();
  std::uint64_t order = 0;
  bool valid() const { return order != 0; }
};

namespace detail {

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  // clang-format 14 writes `::operator new (`.
  // clang-format off
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{64}); }
  // clang-format on
  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const {
    return true;
  }
};

// Over-aligned storage for heap arrays: element i lives at physical position i + Offset,
// so that with 16-byte entries each group of children starts on a cache line.
template <class T, std::size_t Offset>
class AlignedHeapArray {
  using Allocator = CacheLineAllocator<T>;

 public:
  AlignedHeapArray() : items_(Offset) {}
  T& operator[](std::size_t i) { return items_[i + Offset]; }
  const T& operator[](std::size_t i) const { return items_[i + Offset]; }
  std::size_t size() const { return items_.size() - Offset; }
  bool empty() const { return size() == 0; }
  T& front() { return items_[Offset]; }
  T* data() { return items_.data() + Offset; }
  T& back() { return items_.back(); }
  void push_back(const T& item) { items_.push_back(item); }
  void pop_back() { items_.pop_back(); }
  void resize(std::size_t n) { items_.resize(n + Offset); }
  void reserve(std::size_t n) { items_.reserve(n + Offset); }
  std::size_t capacity() const { return items_.capacity() - Offset; }
  void clear() { items_.resize(Offset); }
  void release_memory() { std::vector<T, Allocator>(Offset).swap(items_); }

 private:
  std::vector<T, Allocator> items_;
};

// A pending event in a heap: its time and its handler slot, whose `order` (priority and
// insertion sequence) breaks ties between equal times.
struct HeapEntry {
  std::int64_t time_ps;
  std::uint32_t slot;
};

// The sift routines of the d-ary min-heaps of DaryEventQueue and LadderEventQueue, over
// the heap's array `h` (children of i at Arity i + 1 ..) and the slots the entries name.
// They index a local pointer: through the array object the compiler reloads its address
// after every store (measured: 9% more instructions at 1,000 pending).
template <unsigned Arity>
struct DaryHeap {
  template <class Slots>
  static bool before(const HeapEntry& a, const HeapEntry& b, const Slots& slots) {
    if (a.time_ps != b.time_ps) return a.time_ps < b.time_ps;
    return slots[a.slot].order < slots[b.slot].order;
  }

  // The smallest of the children first..end-1 (end > first). Equal times are rare and
  // kept off the main path, so that a full group of children compiles to conditional
  // moves (measured: a quarter of the branch mispredictions at 1,000 pending).
  template <class Slots>
  static std::size_t smallest_child(const HeapEntry* h, std::size_t first, std::size_t end, const Slots& slots) {
    std::size_t best = first;
    auto consider = [&](std::size_t c) {
      bool less = h[c].time_ps < h[best].time_ps;
      if (h[c].time_ps == h[best].time_ps) [[unlikely]]
        less = slots[h[c].slot].order < slots[h[best].slot].order;
      best = less ? c : best;
    };
    if (end == first + Arity) [[likely]] {
      for (unsigned k = 1; k < Arity; ++k) consider(first + k);
    } else {
      for (std::size_t c = first + 1; c < end; ++c) consider(c);
    }
    return best;
  }

  template <class Slots>
  static void sift_up(HeapEntry* h, std::size_t i, const Slots& slots) {
    const HeapEntry moving = h[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / Arity;
      if (!before(moving, h[parent], slots)) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = moving;
  }

  template <class Slots>
  static void sift_down(HeapEntry* h, std::size_t n, std::size_t i, const Slots& slots) {
    const HeapEntry moving = h[i];
    for (;;) {
      const std::size_t first = Arity * i + 1;
      if (first >= n) break;
      const std::size_t best = smallest_child(h, first, std::min<std::size_t>(first + Arity, n), slots);
      if (!before(h[best], moving, slots)) break;
      h[i] = h[best];
      i = best;
    }
    h[i] = moving;
  }

  // Orders h[0..n) as a heap.
  template <class Slots>
  static void heapify(HeapEntry* h, std::size_t n, const Slots& slots) {
    if (n < 2) return;
    for (std::size_t i = (n - 2) / Arity + 1; i-- > 0;) sift_down(h, n, i, slots);
  }

  // Removes the root of a heap of n + 1 entries whose last one, `last`, the caller has
  // already taken off the end (n > 0). Bottom-up: the hole walks from the root to a leaf
  // along the smallest children (no comparison against the moving entry), then `last` is
  // sifted up from there. It is usually among the latest events, so the sift-up is
  // short; this saves a third of the comparisons of a classic sift-down, the
  // unpredictable ones.
  template <class Slots>
  static void remove_root(HeapEntry* h, std::size_t n, HeapEntry last, const Slots& slots) {
    std::size_t hole = 0;
    for (;;) {
      const std::size_t first = hole * Arity + 1;
      if (first >= n) break;
      const std::size_t best = smallest_child(h, first, std::min<std::size_t>(first + Arity, n), slots);
      h[hole] = h[best];
      hole = best;
    }
    h[hole] = last;
    sift_up(h, hole, slots);
  }
};

}  // namespace detail

template <unsigned Arity>
class DaryEventQueue {
  static_assert(Arity >= 2, "a heap needs at least two children per node");

 public:
  struct Top {
    Time time;
    std::uint32_t slot;
  };

  DaryEventQueue() = default;
  DaryEventQueue(const DaryEventQueue&) = delete;
  DaryEventQueue& operator=(const DaryEventQueue&) = delete;

  // Inlined into every schedule call: about 5% of the hold benchmark at 100,000 pending.
  [[gnu::always_inline]] EventHandle push(Time time, Priority priority, Handler&& handler) {
    if (!handler) throw std::invalid_argument("sim: cannot schedule an empty handler");
    const std::uint64_t seq = next_seq_++;
    if (seq >= kSeqLimit) throw std::length_error("sim: more than 2^55 events scheduled in one run");
    const std::uint64_t order = (static_cast<std::uint64_t>(static_cast<int>(priority) + 128) << kSeqBits) | seq;
    const std::uint32_t slot = slots_.acquire();
    slots_[slot].handler = std::move(handler);
    slots_[slot].order = order;
    heap_.push_back(Entry{time.ps(), slot});
    Heap::sift_up(heap_.data(), heap_.size() - 1, slots_);
    ++live_;
    return EventHandle{slot, order};
  }

  // True if the event was pending and is now cancelled.
  bool cancel(EventHandle handle) {
    if (!handle.valid() || handle.slot >= slots_.size()) return false;
    Slot& s = slots_[handle.slot];
    if (s.order != handle.order || !s.handler) return false;
    s.handler.reset();
    --live_;
    if (heap_.size() > 64 && heap_.size() > 2 * live_) compact();
    return true;
  }

  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // Earliest live event; discards cancelled entries on the way. Requires !empty().
  Top top() {
    discard_cancelled_top();
    return Top{Time::from_ps(heap_.front().time_ps), heap_.front().slot};
  }

  // Removes the earliest live event and returns its handler. Requires !empty().
  Handler pop() {
    discard_cancelled_top();
    return pop_live_front();
  }

  // If the earliest live event is at or before `limit`, removes it, sets `time` to its
  // time and returns its handler; otherwise returns an empty handler. Requires !empty().
  Handler pop_until(Time limit, Time& time) {
    discard_cancelled_top();
    if (heap_.front().time_ps > limit.ps()) return Handler{};
    time = Time::from_ps(heap_.front().time_ps);
    return pop_live_front();
  }

 private:
  Handler pop_live_front() {
    const std::uint32_t slot = heap_.front().slot;
    remove_front();
    Handler handler = std::move(slots_[slot].handler);
    slots_.release(slot);
    --live_;
    return handler;
  }

 public:
  // Pre-sizes storage for `events` pending events (avoids growth slack).
  void reserve(std::size_t events) {
    heap_.reserve(events);
    slots_.reserve(events);
  }

  // Bytes held by the queue's own storage (capacity, not just size).
  std::size_t memory_bytes() const { return heap_.capacity() * sizeof(Entry) + slots_.memory_bytes(); }

  // Moves every pending event `delta` later. A uniform shift keeps the heap order and
  // the tie-break order, so the run continues as if the skipped time had been simulated.
  // Throws TimeOverflow, changing nothing, if any event would leave the time range.
  void shift_all(Time delta) {
    std::int64_t latest = 0;
    for (std::size_t i = 0; i < heap_.size(); ++i) latest = std::max(latest, heap_[i].time_ps);
    (void)(Time::from_ps(latest) + delta);  // the checked addition throws before anything moves
    for (std::size_t i = 0; i < heap_.size(); ++i) heap_[i].time_ps += delta.ps();
  }

  void clear() {
    heap_.clear();
    slots_.clear();
    live_ = 0;
  }

 private:
  static constexpr unsigned kSeqBits = 55;
  static constexpr std::uint64_t kSeqLimit = std::uint64_t{1} << kSeqBits;
  static constexpr std::uint64_t kFreeTag = std::uint64_t{1} << 63;

  using Entry = detail::HeapEntry;
  using Heap = detail::DaryHeap<Arity>;
  struct Slot {
    Handler handler;
    // Tie-break order while in the heap (cancelled or not); kFreeTag | next free slot
    // while on the free list. A slot in the heap with an empty handler was cancelled.
    std::uint64_t order;
    std::uint32_t free_link() const { return static_cast<std::uint32_t>(order & ~kFreeTag); }
    void set_free_link(std::uint32_t next) { order = kFreeTag | next; }
  };
  static_assert(sizeof(Entry) == 16 && sizeof(Slot) == 32, "event storage grew: re-measure");

  void remove_front() {
    const std::size_t n = heap_.size() - 1;  // size after removal
    const Entry last = heap_[n];
    heap_.pop_back();
    if (n > 0) Heap::remove_root(heap_.data(), n, last, slots_);
  }

  void discard_cancelled_top() {
    while (!slots_[heap_.front().slot].handler) {
      const std::uint32_t slot = heap_.front().slot;
      remove_front();
      slots_.release(slot);
    }
  }

  void compact() {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < heap_.size(); ++i) {
      const Entry e = heap_[i];
      if (!slots_[e.slot].handler) {
        slots_.release(e.slot);
      } else {
        heap_[kept++] = e;
      }
    }
    heap_.resize(kept);
    // Rebuild by inserting each entry in turn; compaction is rare, O(n log n) is fine.
    for (std::size_t i = 1; i < kept; ++i) Heap::sift_up(heap_.data(), i, slots_);
  }

  // Children of node i are 4i+1..4i+4; offsetting by Arity-1 puts them at physical
  // positions 4(i+1)..4(i+1)+3, one aligned group.
  detail::AlignedHeapArray<Entry, Arity - 1> heap_;
  SlotPool<Slot> slots_;
  std::size_t live_ = 0;
  std::uint64_t next_seq_ = 1;  // 0 marks an invalid handle
};

}  // namespace sim
