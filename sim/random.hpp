#pragma once
// Random streams: xoshiro256++ (Blackman & Vigna, 2019), seeded through SplitMix64 from
// (run seed, stream id).
//
// Distributions are implemented here rather than taken from <random> because the
// standard library leaves their algorithms unspecified: a result must not change when
// the compiler or standard library does.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace sim {

// Seeds given by users (command line, scenario files, Python) are integers in
// [0, 2^63 - 1]: the range of TOML integers and of the signed HDF5 columns that record
// them, so a seed accepted anywhere can be written back and rerun anywhere.
constexpr std::uint64_t kMaxSeed = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class RandomStream {
 public:
  using result_type = std::uint64_t;

  RandomStream(std::uint64_t run_seed, std::uint64_t stream_id) {
    // Two rounds keep nearby (seed, id) pairs far apart; SplitMix64 then fills the
    // state, which it can never make all-zero.
    std::uint64_t x = mix64(mix64(run_seed) ^ (stream_id * 0xd1342543de82ef95ULL + 1));
    for (auto& word : state_) {
      x += 0x9e3779b97f4a7c15ULL;
      word = mix64(x);
    }
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() { return next_u64(); }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // Uniform on [lo, hi); lo <= hi, both finite.
  double uniform(double lo, double hi) {
    if (!(lo <= hi && std::isfinite(hi - lo))) [[unlikely]] {
      invalid("uniform(lo, hi) needs finite lo <= hi", lo, hi);
    }
    return lo + (hi - lo) * uniform();
  }

  // Uniform integer on [0, n), unbiased (Lemire's multiply-and-reject).
  std::uint64_t below(std::uint64_t n) {
    if (n == 0) throw std::invalid_argument("RandomStream::below: n must be positive");
    unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // Exponential with the given positive, finite mean (inverse transform; 1 - u is never 0).
  double exponential(double mean) {
    if (!(mean > 0 && mean <= std::numeric_limits<double>::max())) [[unlikely]] {
      invalid("exponential(mean) needs a positive, finite mean", mean);
    }
    return -mean * std::log1p(-uniform());
  }

  // Normal by the Marsaglia polar method; the spare value is kept for the next call.
  double normal(double mean, double stddev) {
    if (!(std::isfinite(mean) && stddev >= 0 && stddev <= std::numeric_limits<double>::max())) [[unlikely]] {
      invalid("normal(mean, stddev) needs a finite mean and a finite stddev >= 0", mean, stddev);
    }
    if (has_spare_) {
      has_spare_ = false;
      return mean + stddev * spare_;
    }
    double u = 0;
    double v = 0;
    double s = 0;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return mean + stddev * u * factor;
  }

  // True with probability p, 0 <= p <= 1.
  bool bernoulli(double p) {
    if (!(p >= 0.0 && p <= 1.0)) [[unlikely]]
      invalid("bernoulli(p) needs a probability 0 <= p <= 1", p);
    return uniform() < p;
  }

 private:
  // Out of line and cold: the draws stay a compare and a branch on the hot path.
  [[noreturn, gnu::noinline, gnu::cold]] static void invalid(const char* what, double a) {
    char text[160];
    std::snprintf(text, sizeof text, "RandomStream::%s, got %.6g", what, a);
    throw std::invalid_argument(text);
  }
  [[noreturn, gnu::noinline, gnu::cold]] static void invalid(const char* what, double a, double b) {
    char text[192];
    std::snprintf(text, sizeof text, "RandomStream::%s, got %.6g and %.6g", what, a, b);
    throw std::invalid_argument(text);
  }

  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace sim
