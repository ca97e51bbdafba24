#pragma once
// Steady-state extrapolation, one facility for every model that repeats itself.
//
// A model describes its dynamic state at a moment as a StateDigest: words that must be
// equal (flags, counts, tags and time offsets relative to the moment), values that must
// agree within floating-point residue, and progress counters (operations done per agent,
// repetitions started). If the state now equals an earlier one, later in time, with every
// counter the same d > 0 further, then -- the model's next steps depending only on that
// state -- the run repeats the interval between them exactly. A PeriodDetector keeps the
// last few digests and finds that earlier one; the model then skips whole periods, either
// in the simulator (Simulator::jump_ahead moves the clock and the pending events, the
// model multiplies its totals) or in arithmetic (Period::time_for).
//
// Where digests are taken is the model's choice; between timestamps
// (Simulator::at_end_of_timestamp) every change of the timestamp has settled.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "sim/time.hpp"

namespace sim {

struct StateDigest {
  Time at;
  std::vector<std::uint64_t> words;
  std::vector<double> values;
  std::vector<std::uint64_t> progress;

  void clear() {
    words.clear();
    values.clear();
    progress.clear();
  }
  void put(std::uint64_t word) { words.push_back(word); }
  void put_signed(std::int64_t word) { words.push_back(static_cast<std::uint64_t>(word)); }
  void put_value(double value) { values.push_back(value); }
};

// How far two values may differ and still describe the same state:
// |a - b| <= relative * max(|a|, |b|) + absolute. Zero: bit for bit.
struct Tolerance {
  double relative = 0.0;
  double absolute = 0.0;
};

// Words and values equal (progress and time aside).
bool same_state(const StateDigest& a, const StateDigest& b, Tolerance tolerance);

struct Period {
  Time length;                 // from the earlier state to the later one
  std::uint64_t progress = 0;  // d: how far every counter moved
  // Time `steps` more steps take in whole periods (steps / d of them; the remainder is
  // left to simulate or to account separately).
  Time time_for(std::uint64_t steps) const {
    return Time::from_ps(static_cast<Time::rep>(steps / progress) * length.ps());
  }
};

class PeriodDetector {
 public:
  explicit PeriodDetector(std::size_t depth = 4, Tolerance tolerance = {}) : depth_(depth), tolerance_(tolerance) {}

  // The newest kept digest that `now` repeats (same state, not later in time, every
  // counter the same d > 0 behind), as its index in kept order (oldest first), or -1.
  // Only the newest such digest is returned: an older one would prove nothing more.
  std::ptrdiff_t find(const StateDigest& now) const;
  const StateDigest& operator[](std::size_t i) const { return kept_[i]; }
  static Period period(const StateDigest& earlier, const StateDigest& later) {
    return {later.at - earlier.at, later.progress.empty() ? 0 : later.progress[0] - earlier.progress[0]};
  }
  // Keeps `digest` as the newest, dropping the oldest beyond the depth.
  void keep(StateDigest digest);
  // After a skip: the kept states are no longer comparable with what follows.
  void forget() { kept_.clear(); }
  std::size_t kept() const { return kept_.size(); }

 private:
  std::size_t depth_;
  Tolerance tolerance_;
  std::deque<StateDigest> kept_;  // oldest first
};

}  // namespace sim
