#pragma once
// The simulator's pending-event set: a small 4-ary heap holding the near future, fed
// from time buckets of the far future (a two-rung ladder queue).
//
// With millions pending, a heap's deep levels miss the cache on every operation
// (bench/README.md, "Hold model"). Here an event at or after `near_end` is appended, in
// O(1), to the bucket of its time (buckets are 2^shift ps wide and cover
// [base, far_end)), or past far_end to an unsorted overflow list. Only when the heap
// runs dry is the next non-empty bucket moved into it; when the buckets are spent, the
// overflow is redistributed over new buckets sized from a sample of its times. The heap
// holds one bucket (about a thousand events) and stays in cache; bucket storage is
// appended to and read in order. Up to kPlainHeapMax pending, everything lives in the heap (no
// buckets): below about 10,000 pending that is as fast, beyond it the buckets are faster.
//
// Ordering is exactly DaryEventQueue's: (time, priority, insertion sequence), a strict
// total order, since every heap entry precedes every bucket entry and every bucket entry
// precedes every overflow entry. The sequence key lives in the handler slot and is read
// only between equal times. Cancellation is lazy as there; dead entries are dropped when
// they surface, and everything is compacted when dead entries outnumber live ones.
//
// Storage per pending event: 32 bytes of handler slot plus about 12.3 bytes in a bucket
// chunk (times and slot indices in separate arrays, no padding), 16 while in the heap;
// 45-46 bytes in all at 1e5..1e7 pending, 48 in the all-in-heap layout, up to 54 just
// past it (chunks come in blocks of 128, 50 KB).

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/handler.hpp"
#include "sim/slot_pool.hpp"
#include "sim/time.hpp"

namespace sim {

class LadderEventQueue {
 public:
  struct Top {
    Time time;
    std::uint32_t slot;
  };

  // Pending events up to which everything is kept in the heap (measured, bench/README.md).
  static constexpr std::size_t kPlainHeapMax = std::size_t{1} << 13;
  // Mean events per bucket aimed for when the buckets are laid out.
  static constexpr std::uint64_t kEventsPerBucket = 256;
  // The buckets reach no further than this many times the median pending event's distance
  // from the earliest (an exponential population's 63/64 quantile is 6 of them).
  static constexpr std::uint64_t kMedianSpans = 8;

  LadderEventQueue() = default;
  LadderEventQueue(const LadderEventQueue&) = delete;
  LadderEventQueue& operator=(const LadderEventQueue&) = delete;

  [[gnu::always_inline]] EventHandle push(Time time, Priority priority, Handler&& handler) {
    if (!handler) throw std::invalid_argument("sim: cannot schedule an empty handler");
    const std::uint64_t seq = next_seq_++;
    if (seq >= kSeqLimit) throw std::length_error("sim: more than 2^55 events scheduled in one run");
    const std::uint64_t order = (static_cast<std::uint64_t>(static_cast<int>(priority) + 128) << kSeqBits) | seq;
    const std::uint32_t slot = slots_.acquire();
    slots_[slot].handler = std::move(handler);
    slots_[slot].order = order;
    ++live_;
    ++stored_;
    place(time.ps(), slot);
    return EventHandle{slot, order};
  }

  // True if the event was pending and is now cancelled.
  bool cancel(EventHandle handle) {
    if (!handle.valid() || handle.slot >= slots_.size()) return false;
    Slot& s = slots_[handle.slot];
    if (s.order != handle.order || !s.handler) return false;
    s.handler.reset();
    --live_;
    if (stored_ > 64 && stored_ > 2 * live_) compact();
    return true;
  }

  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // Earliest live event; discards cancelled entries on the way. Requires !empty().
  Top top() {
    ensure_front();
    return Top{Time::from_ps(heap_.front().time_ps), heap_.front().slot};
  }

  // Removes the earliest live event and returns its handler. Requires !empty().
  Handler pop() {
    ensure_front();
    return pop_live_front();
  }

  // If the earliest live event is at or before `limit`, removes it, sets `time` to its
  // time and returns its handler; otherwise returns an empty handler. Requires !empty().
  Handler pop_until(Time limit, Time& time) {
    ensure_front();
    if (heap_.front().time_ps > limit.ps()) return Handler{};
    time = Time::from_ps(heap_.front().time_ps);
    return pop_live_front();
  }

  // Pre-sizes storage for `events` pending events.
  void reserve(std::size_t events) {
    slots_.reserve(events);
    heap_.reserve(std::min(events, kPlainHeapMax + 1));
  }

  // Bytes held by the queue's own storage (capacity, not just size).
  std::size_t memory_bytes() const {
    return heap_.capacity() * sizeof(Entry) + slots_.memory_bytes() + chunks_.memory_bytes() +
           buckets_.capacity() * sizeof(Chain);
  }

  // Moves every pending event `delta` later, keeping their order. Throws TimeOverflow,
  // changing nothing, if any event would leave the time range.
  void shift_all(Time delta) {
    std::int64_t latest = 0;
    for_each_stored([&](std::int64_t t, std::uint32_t) { latest = std::max(latest, t); });
    (void)(Time::from_ps(latest) + delta);  // the checked addition throws before anything moves
    gather_into_overflow(delta.ps(), /*drop_cancelled=*/false);
  }

  void clear() {
    heap_.clear();
    slots_.clear();
    chunks_.clear();
    buckets_.clear();
    overflow_ = Chain{};
    near_end_ps_ = far_end_ps_ = kEverything;
    heap_limit_ = kPlainHeapMax;
    next_bucket_ = 0;
    live_ = stored_ = 0;
  }

 private:
  static constexpr unsigned kSeqBits = 55;
  static constexpr std::uint64_t kSeqLimit = std::uint64_t{1} << kSeqBits;
  static constexpr std::uint64_t kFreeTag = std::uint64_t{1} << 63;
  static constexpr std::int64_t kNothing = std::numeric_limits<std::int64_t>::min();
  static constexpr std::int64_t kEverything = std::numeric_limits<std::int64_t>::max();

  using Entry = detail::HeapEntry;
  using Heap = detail::DaryHeap<4>;
  struct Slot {
    Handler handler;
    // Tie-break order while pending (cancelled or not); kFreeTag | next free slot
    // while on the free list. A pending slot with an empty handler was cancelled.
    std::uint64_t order;
    std::uint32_t free_link() const { return static_cast<std::uint32_t>(order & ~kFreeTag); }
    void set_free_link(std::uint32_t next) { order = kFreeTag | next; }
  };
  static_assert(sizeof(Entry) == 16 && sizeof(Slot) == 32, "event storage grew: re-measure");

  // Bucket storage: chains of fixed-size chunks from one pool, so a bucket costs no more
  // than one partly filled chunk beyond its entries, and nothing is allocated per event.
  static constexpr std::uint32_t kChunkEntries = 32;
  static constexpr std::uint32_t kNoChunk = std::numeric_limits<std::uint32_t>::max();
  struct Chunk {
    std::array<std::int64_t, kChunkEntries> time_ps;
    std::array<std::uint32_t, kChunkEntries> slot;
    std::uint32_t next;
  };
  struct Chain {
    std::uint32_t head = kNoChunk;
    std::uint32_t tail = kNoChunk;
    std::uint32_t count = 0;
  };

  class ChunkPool {
   public:
    std::uint32_t acquire() {
      if (free_ != kNoChunk) {
        const std::uint32_t c = free_;
        free_ = (*this)[c].next;
        return c;
      }
      if ((made_ & (kBlockChunks - 1)) == 0) {
        if (made_ >= kNoChunk - kBlockChunks) throw std::length_error("sim: event queue outgrew its chunk index");
        blocks_.push_back(std::make_unique<Chunk[]>(kBlockChunks));
      }
      return made_++;
    }
    void release(std::uint32_t c) {
      (*this)[c].next = free_;
      free_ = c;
    }
    Chunk& operator[](std::uint32_t c) { return blocks_[c / kBlockChunks][c % kBlockChunks]; }
    std::size_t memory_bytes() const { return blocks_.size() * kBlockChunks * sizeof(Chunk); }
    void clear() {
      blocks_.clear();
      made_ = 0;
      free_ = kNoChunk;
    }

   private:
    static constexpr std::uint32_t kBlockChunks = 128;
    std::vector<std::unique_ptr<Chunk[]>> blocks_;
    std::uint32_t made_ = 0;
    std::uint32_t free_ = kNoChunk;
  };

  void append(Chain& chain, std::int64_t time_ps, std::uint32_t slot) {
    const std::uint32_t at = chain.count % kChunkEntries;
    if (at == 0) {
      const std::uint32_t c = chunks_.acquire();
      chunks_[c].next = kNoChunk;
      if (chain.count == 0) {
        chain.head = c;
      } else {
        chunks_[chain.tail].next = c;
      }
      chain.tail = c;
    }
    Chunk& chunk = chunks_[chain.tail];
    chunk.time_ps[at] = time_ps;
    chunk.slot[at] = slot;
    ++chain.count;
  }

  // Calls f(time_ps, slot) for every entry of `chain` in insertion order, returning each
  // chunk to the pool once read (so f may append to other chains meanwhile).
  template <class F>
  void drain(Chain& chain, F&& f) {
    const Chain taken = std::exchange(chain, Chain{});
    std::uint32_t left = taken.count;
    for (std::uint32_t c = taken.head; left > 0;) {
      Chunk& chunk = chunks_[c];
      const std::uint32_t n = std::min(left, kChunkEntries);
      for (std::uint32_t i = 0; i < n; ++i) f(chunk.time_ps[i], chunk.slot[i]);
      left -= n;
      const std::uint32_t next = chunk.next;
      chunks_.release(c);
      c = next;
    }
  }

  template <class F>
  void visit(const Chain& chain, F&& f) {
    std::uint32_t left = chain.count;
    for (std::uint32_t c = chain.head; left > 0; c = chunks_[c].next) {
      Chunk& chunk = chunks_[c];
      const std::uint32_t n = std::min(left, kChunkEntries);
      for (std::uint32_t i = 0; i < n; ++i) f(chunk.time_ps[i], chunk.slot[i]);
      left -= n;
    }
  }

  template <class F>
  void for_each_stored(F&& f) {
    for (std::size_t i = 0; i < heap_.size(); ++i) f(heap_[i].time_ps, heap_[i].slot);
    for (const Chain& b : buckets_) visit(b, f);
    visit(overflow_, f);
  }

  [[gnu::always_inline]] void place(std::int64_t time_ps, std::uint32_t slot) {
    if (time_ps < near_end_ps_) {
      heap_.push_back(Entry{time_ps, slot});
      Heap::sift_up(heap_.data(), heap_.size() - 1, slots_);
      if (heap_.size() > heap_limit_) [[unlikely]]
        spill_heap();
    } else if (time_ps < far_end_ps_) {
      append(buckets_[offset(time_ps, base_ps_) >> shift_], time_ps, slot);
    } else {
      append(overflow_, time_ps, slot);
    }
  }

  // Sifts as DaryEventQueue<4> does (event_queue.hpp); heapify only after a refill.
  void heapify() { Heap::heapify(heap_.data(), heap_.size(), slots_); }

  void remove_front() {
    const std::size_t n = heap_.size() - 1;
    const Entry last = heap_[n];
    heap_.pop_back();
    if (n > 0) Heap::remove_root(heap_.data(), n, last, slots_);
  }

  Handler pop_live_front() {
    const std::uint32_t slot = heap_.front().slot;
    remove_front();
    Handler handler = std::move(slots_[slot].handler);
    slots_.release(slot);
    --live_;
    --stored_;
    return handler;
  }

  // Leaves the earliest live event at the heap's front. Requires live_ > 0.
  void ensure_front() {
    if (!heap_.empty() && slots_[heap_.front().slot].handler) [[likely]]
      return;
    settle_front();
  }

  [[gnu::noinline]] void settle_front() {
    for (;;) {
      while (!heap_.empty()) {
        const std::uint32_t slot = heap_.front().slot;
        if (slots_[slot].handler) return;
        remove_front();
        slots_.release(slot);
        --stored_;
      }
      refill();
    }
  }

  // The heap is empty: move the next non-empty bucket into it, or lay out new buckets.
  [[gnu::noinline]] void refill() {
    while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].count == 0) ++next_bucket_;
    if (next_bucket_ == buckets_.size()) {
      relayout();
      return;
    }
    // The heap reads these slots on equal times and pops them soon: fetching them all now
    // overlaps what would otherwise be one cache miss after another (millions pending).
    drain(buckets_[next_bucket_], [&](std::int64_t t, std::uint32_t s) {
      __builtin_prefetch(&slots_[s]);
      heap_.push_back(Entry{t, s});
    });
    ++next_bucket_;
    near_end_ps_ = bucket_start(next_bucket_);
    heapify();
  }

  // t - from, for t >= from, without signed overflow.
  static std::uint64_t offset(std::int64_t t, std::int64_t from) {
    return static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(from);
  }

  std::int64_t bucket_start(std::size_t b) const {
    const std::uint64_t room = static_cast<std::uint64_t>(kEverything) - static_cast<std::uint64_t>(base_ps_);
    if (b > (room >> shift_)) return kEverything;
    const std::uint64_t step = static_cast<std::uint64_t>(b) << shift_;
    return step >= room ? kEverything : static_cast<std::int64_t>(static_cast<std::uint64_t>(base_ps_) + step);
  }

  // Everything pending is in the overflow list: keep it all in the heap (few events, or
  // all at the end of the time range), or spread it over buckets that cover all but the
  // latest 1/64 of a sample of its times.
  void relayout() {
    const std::uint64_t m = overflow_.count;
    buckets_.clear();
    next_bucket_ = 0;
    std::int64_t earliest = kEverything;
    std::vector<std::int64_t> sample;
    if (m > kPlainHeapMax) {
      const std::uint64_t stride = m / 1024;
      std::uint64_t i = 0;
      visit(overflow_, [&](std::int64_t t, std::uint32_t) {
        earliest = std::min(earliest, t);
        if (i++ % stride == 0) sample.push_back(t);
      });
    }
    if (m <= kPlainHeapMax || earliest == kEverything) {
      near_end_ps_ = far_end_ps_ = kEverything;
      heap_limit_ = kPlainHeapMax;
      drain(overflow_, [&](std::int64_t t, std::uint32_t s) { heap_.push_back(Entry{t, s}); });
      heapify();
      return;
    }
    const std::size_t q = (sample.size() - 1) * 63 / 64;
    const std::size_t half = (sample.size() - 1) / 2;
    std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(q), sample.end());
    std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(half),
                     sample.begin() + static_cast<std::ptrdiff_t>(q));
    // `count` buckets of 2^shift ps covering at least [earliest, last]: up to the 63/64
    // quantile, but no further than 8 times the median's distance, so that a small far
    // population (retransmission timers a millisecond ahead of packets due within
    // microseconds) cannot widen the buckets until one holds the whole near future. The
    // far events wait in the overflow list for a later layout.
    std::uint64_t last = offset(sample[q], earliest);
    const std::uint64_t median = offset(sample[half], earliest);
    if (median <= last / kMedianSpans) last = median * kMedianSpans;
    std::uint64_t count = 1;
    while (count * kEventsPerBucket < m) count *= 2;
    shift_ = 0;
    while ((last >> shift_) >= count) ++shift_;
    buckets_.assign(count, Chain{});
    base_ps_ = earliest;
    near_end_ps_ = earliest;
    far_end_ps_ = bucket_start(count);
    heap_limit_ = std::numeric_limits<std::size_t>::max();
    // Nothing goes to the heap: the first refill takes the first non-empty bucket.
    drain(overflow_, [&](std::int64_t t, std::uint32_t s) {
      if (t < far_end_ps_) {
        append(buckets_[offset(t, base_ps_) >> shift_], t, s);
      } else {
        append(overflow_, t, s);
      }
    });
  }

  // Puts every stored entry (times moved by shift_ps) back in the overflow list, to be
  // laid out again at the next top(); optionally drops cancelled entries.
  void gather_into_overflow(std::int64_t shift_ps, bool drop_cancelled) {
    Chain gathered;
    auto keep = [&](std::int64_t t, std::uint32_t s) {
      if (drop_cancelled && !slots_[s].handler) {
        slots_.release(s);
        --stored_;
      } else {
        append(gathered, t + shift_ps, s);
      }
    };
    for (std::size_t i = 0; i < heap_.size(); ++i) keep(heap_[i].time_ps, heap_[i].slot);
    heap_.clear();
    for (Chain& b : buckets_) drain(b, keep);
    drain(overflow_, keep);
    overflow_ = gathered;
    buckets_.clear();
    next_bucket_ = 0;
    near_end_ps_ = far_end_ps_ = kNothing;
    heap_limit_ = std::numeric_limits<std::size_t>::max();
  }

  [[gnu::noinline]] void compact() { gather_into_overflow(0, /*drop_cancelled=*/true); }

  // The all-in-heap layout outgrew the cache: lay out buckets at the next top().
  [[gnu::noinline]] void spill_heap() {
    gather_into_overflow(0, /*drop_cancelled=*/false);
    heap_.release_memory();  // from here on it holds one bucket at a time
  }

  detail::AlignedHeapArray<Entry, 3> heap_;
  SlotPool<Slot> slots_;
  ChunkPool chunks_;
  std::vector<Chain> buckets_;
  Chain overflow_;
  std::int64_t base_ps_ = 0;
  unsigned shift_ = 0;
  std::size_t next_bucket_ = 0;
  // Events before near_end go to the heap, before far_end to a bucket, the rest to the
  // overflow list. Initially everything goes to the heap, until it outgrows kPlainHeapMax.
  std::int64_t near_end_ps_ = kEverything;
  std::int64_t far_end_ps_ = kEverything;
  std::size_t heap_limit_ = kPlainHeapMax;
  std::size_t live_ = 0;
  std::size_t stored_ = 0;      // live and cancelled entries still held
  std::uint64_t next_seq_ = 1;  // 0 marks an invalid handle
};

}  // namespace sim
