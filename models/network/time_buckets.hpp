#pragma once
// Flows due at the same picosecond for the same reason (activation after the path
// latency, or the last byte drained) share one bucket and one simulator event, so a
// collective step whose flows run in lockstep costs one event, not one per flow.
//
// Entries name a flow slot and its generation; an entry whose flow has since finished
// or been rescheduled is skipped when the bucket runs. The owner schedules one event per
// new bucket and runs it.

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/slot_pool.hpp"

namespace models::network {

class TimeBuckets {
 public:
  struct Entry {
    std::uint32_t flow;
    std::uint32_t gen;  // the flow slot's generation when queued
  };
  struct Bucket {
    std::int64_t time_ps = 0;
    bool activation = false;
    std::uint64_t order = 0;  // its event's tie-break order: which of two same-time buckets runs first
    std::vector<Entry> entries;
  };

  // Adds an entry to the bucket of (time, kind); returns the bucket and whether it is new
  // (the caller then schedules its event and records the event's order).
  std::pair<std::uint32_t, bool> add(std::int64_t time_ps, bool activation, Entry entry) {
    if (key(time_ps, activation) == last_key_) {
      buckets_[last_].entries.push_back(entry);
      return {last_, false};
    }
    return add_slow(time_ps, activation, entry);
  }
  Bucket& operator[](std::uint32_t b) { return buckets_[b]; }
  const Bucket& operator[](std::uint32_t b) const { return buckets_[b]; }
  // Called as bucket b's event starts: later entries for its time and kind open a new bucket.
  void close(std::uint32_t b);
  // Called once bucket b's entries have run.
  void release(std::uint32_t b);

  // Buckets whose events are pending, in the order they will run (time, then order).
  std::vector<std::uint32_t> pending_in_order() const;
  std::size_t pending() const { return index_.size(); }
  // Moves every pending bucket `delta_ps` later (their events are moved by the caller).
  void shift(std::int64_t delta_ps);

 private:
  static std::int64_t key(std::int64_t time_ps, bool activation) { return time_ps * 2 + (activation ? 1 : 0); }
  std::pair<std::uint32_t, bool> add_slow(std::int64_t time_ps, bool activation, Entry entry);

  std::unordered_map<std::int64_t, std::uint32_t> index_;  // pending buckets by key
  sim::SlotPool<Bucket> buckets_;
  std::int64_t last_key_ = -1;  // the bucket added to last: most additions go there
  std::uint32_t last_ = 0;
};

}  // namespace models::network
