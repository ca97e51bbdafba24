#pragma once
// Simulated time: an integer count of picoseconds.
//
// Integer time keeps event order exact and results bit-identical across platforms;
// 63 bits of picoseconds cover about 106 days of simulated time. Arithmetic that would
// leave that range throws sim::TimeOverflow instead of wrapping.

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace sim {

// A number for messages: at most 6 significant digits ("1e+300", not 301 digits).
std::string format_compact(double value);

class TimeOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

class Time {
 public:
  using rep = std::int64_t;

  constexpr Time() = default;
  static constexpr Time from_ps(rep ps) { return Time(ps); }
  static constexpr Time max() { return Time(std::numeric_limits<rep>::max()); }
  static constexpr Time zero() { return Time(0); }

  // Rounds to the nearest picosecond; throws for NaN, infinities and out-of-range values.
  static Time from_seconds(double seconds) { return from_scaled(seconds, 1e12, "seconds"); }
  static Time from_ns(double ns) { return from_scaled(ns, 1e3, "nanoseconds"); }
  static Time from_us(double us) { return from_scaled(us, 1e6, "microseconds"); }

  constexpr rep ps() const { return ps_; }
  constexpr double to_seconds() const { return static_cast<double>(ps_) * 1e-12; }
  constexpr double to_ns() const { return static_cast<double>(ps_) * 1e-3; }
  constexpr double to_us() const { return static_cast<double>(ps_) * 1e-6; }

  constexpr auto operator<=>(const Time&) const = default;

  constexpr Time operator+(Time other) const {
    rep result = 0;
    if (__builtin_add_overflow(ps_, other.ps_, &result)) {
      throw TimeOverflow("sim::Time overflow: " + std::to_string(ps_) + " ps + " + std::to_string(other.ps_) +
                         " ps exceeds the 63-bit picosecond range");
    }
    return Time(result);
  }
  constexpr Time operator-(Time other) const {
    rep result = 0;
    if (__builtin_sub_overflow(ps_, other.ps_, &result)) {
      throw TimeOverflow("sim::Time overflow: " + std::to_string(ps_) + " ps - " + std::to_string(other.ps_) +
                         " ps exceeds the 63-bit picosecond range");
    }
    return Time(result);
  }
  constexpr Time operator*(rep factor) const {
    rep result = 0;
    if (__builtin_mul_overflow(ps_, factor, &result)) {
      throw TimeOverflow("sim::Time overflow: " + std::to_string(ps_) + " ps * " + std::to_string(factor) +
                         " exceeds the 63-bit picosecond range");
    }
    return Time(result);
  }
  constexpr Time& operator+=(Time other) { return *this = *this + other; }
  constexpr Time& operator-=(Time other) { return *this = *this - other; }

 private:
  constexpr explicit Time(rep ps) : ps_(ps) {}

  static Time from_scaled(double value, double ps_per_unit, const char* unit) {
    const double ps = std::nearbyint(value * ps_per_unit);
    // 2^63 is exactly representable as a double; anything at or above it does not fit.
    if (!std::isfinite(ps) || ps >= 9.223372036854775807e18 || ps < -9.223372036854775807e18) {
      throw TimeOverflow("sim::Time: " + format_compact(value) + " " + unit +
                         " is not a finite time within the 63-bit picosecond range");
    }
    return Time(static_cast<rep>(ps));
  }

  rep ps_ = 0;
};

constexpr Time ps(std::int64_t n) { return Time::from_ps(n); }
constexpr Time ns(std::int64_t n) { return Time::from_ps(n) * 1'000; }
constexpr Time us(std::int64_t n) { return Time::from_ps(n) * 1'000'000; }
constexpr Time ms(std::int64_t n) { return Time::from_ps(n) * 1'000'000'000; }
constexpr Time s(std::int64_t n) { return Time::from_ps(n) * 1'000'000'000'000; }

namespace literals {
constexpr Time operator""_ps(unsigned long long n) { return ps(static_cast<std::int64_t>(n)); }
constexpr Time operator""_ns(unsigned long long n) { return ns(static_cast<std::int64_t>(n)); }
constexpr Time operator""_us(unsigned long long n) { return us(static_cast<std::int64_t>(n)); }
constexpr Time operator""_ms(unsigned long long n) { return ms(static_cast<std::int64_t>(n)); }
constexpr Time operator""_s(unsigned long long n) { return s(static_cast<std::int64_t>(n)); }
}  // namespace literals

// Human form with the largest unit that keeps the value >= 1, e.g. "1.5 us".
std::string to_string(Time t);

}  // namespace sim
