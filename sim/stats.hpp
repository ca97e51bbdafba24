#pragma once
// Statistics collected during a run. Each keeps its unit so that recorders can label it.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/time.hpp"

namespace sim {

// A running count (events, bytes, drops).
class Counter {
 public:
  explicit Counter(std::string unit = "count") : unit_(std::move(unit)) {}
  void add(std::uint64_t n = 1) { value_ += n; }
  std::uint64_t value() const { return value_; }
  const std::string& unit() const { return unit_; }

 private:
  std::string unit_;
  std::uint64_t value_ = 0;
};

// Mean, variance, min and max of observations (Welford's online algorithm).
class Tally {
 public:
  explicit Tally(std::string unit = "") : unit_(std::move(unit)) {}

  void add(double x) {
    ++count_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (x - mean_);
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }

  std::uint64_t count() const { return count_; }
  double mean() const { return count_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
  // Sample variance (n - 1 denominator).
  double variance() const {
    return count_ > 1 ? m2_ / static_cast<double>(count_ - 1) : std::numeric_limits<double>::quiet_NaN();
  }
  double stddev() const { return std::sqrt(variance()); }
  double min() const { return count_ ? min_ : std::numeric_limits<double>::quiet_NaN(); }
  double max() const { return count_ ? max_ : std::numeric_limits<double>::quiet_NaN(); }
  const std::string& unit() const { return unit_; }

 private:
  std::string unit_;
  std::uint64_t count_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

// The time average of a piecewise-constant quantity (queue length, busy servers).
class TimeWeighted {
 public:
  explicit TimeWeighted(std::string unit = "", Time start = Time::zero(), double initial = 0.0)
      : unit_(std::move(unit)), start_(start), last_change_(start), value_(initial), min_(initial), max_(initial) {}

  void set(Time now, double value) {
    if (now < last_change_) throw std::logic_error("sim::TimeWeighted::set: time went backwards");
    integral_ += value_ * (now - last_change_).to_seconds();
    last_change_ = now;
    value_ = value;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  void add(Time now, double delta) { set(now, value_ + delta); }

  double current() const { return value_; }
  // Average over [start, now].
  double mean(Time now) const {
    const double span = (now - start_).to_seconds();
    if (span <= 0.0) return value_;
    return (integral_ + value_ * (now - last_change_).to_seconds()) / span;
  }
  double min() const { return min_; }
  double max() const { return max_; }
  const std::string& unit() const { return unit_; }

 private:
  std::string unit_;
  Time start_;
  Time last_change_;
  double value_;
  double integral_ = 0.0;
  double min_;
  double max_;
};

// Fixed-width bins over [lo, hi) plus underflow and overflow counts.
class Histogram {
 public:
  Histogram(double lo, double hi, std::size_t bins, std::string unit = "")
      : unit_(std::move(unit)), lo_(lo), hi_(hi), counts_(bins, 0) {
    if (!(hi > lo) || bins == 0) {
      throw std::invalid_argument("sim::Histogram: need hi > lo and at least one bin");
    }
  }

  void add(double x) {
    if (x < lo_) {
      ++underflow_;
    } else if (x >= hi_) {
      ++overflow_;
    } else {
      auto bin = static_cast<std::size_t>((x - lo_) / (hi_ - lo_) * static_cast<double>(counts_.size()));
      counts_[std::min(bin, counts_.size() - 1)] += 1;
    }
  }

  double lo() const { return lo_; }
  double hi() const { return hi_; }
  std::size_t bins() const { return counts_.size(); }
  double bin_width() const { return (hi_ - lo_) / static_cast<double>(counts_.size()); }
  const std::vector<std::uint64_t>& counts() const { return counts_; }
  std::uint64_t underflow() const { return underflow_; }
  std::uint64_t overflow() const { return overflow_; }
  std::uint64_t total() const {
    std::uint64_t sum = underflow_ + overflow_;
    for (auto c : counts_) sum += c;
    return sum;
  }
  const std::string& unit() const { return unit_; }

 private:
  std::string unit_;
  double lo_;
  double hi_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t underflow_ = 0;
  std::uint64_t overflow_ = 0;
};

// (time, value) samples, e.g. a link's utilisation every microsecond.
class TimeSeries {
 public:
  explicit TimeSeries(std::string unit = "") : unit_(std::move(unit)) {}
  void add(Time t, double value) {
    times_.push_back(t);
    values_.push_back(value);
  }
  std::size_t size() const { return times_.size(); }
  const std::vector<Time>& times() const { return times_; }
  const std::vector<double>& values() const { return values_; }
  const std::string& unit() const { return unit_; }

 private:
  std::string unit_;
  std::vector<Time> times_;
  std::vector<double> values_;
};

}  // namespace sim
