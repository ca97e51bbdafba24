#include <doctest/doctest.h>

#include <limits>

#include "sim/time.hpp"

using namespace sim::literals;

TEST_CASE("time literals are exact picosecond counts") {
  CHECK((1_ps).ps() == 1);
  CHECK((1_ns).ps() == 1'000);
  CHECK((1_us).ps() == 1'000'000);
  CHECK((1_ms).ps() == 1'000'000'000);
  CHECK((1_s).ps() == 1'000'000'000'000);
  CHECK(1_ns + 500_ps == sim::ps(1'500));
  CHECK(2_us - 1_us == 1'000_ns);
  CHECK(1_ms < 1_s);
}

TEST_CASE("conversions from floating point round to the nearest picosecond") {
  CHECK(sim::Time::from_seconds(1.5e-12).ps() == 2);
  CHECK(sim::Time::from_seconds(1.4e-12).ps() == 1);
  CHECK(sim::Time::from_ns(2.5).ps() == 2'500);
  CHECK(sim::Time::from_us(1.0).ps() == 1'000'000);
  CHECK(sim::Time::from_seconds(3.0).to_seconds() == doctest::Approx(3.0));
}

TEST_CASE("overflow is an error, not a wrap") {
  const sim::Time big = sim::Time::max();
  CHECK_THROWS_AS(big + 1_ps, sim::TimeOverflow);
  CHECK_THROWS_AS(sim::Time::from_ps(std::numeric_limits<std::int64_t>::min()) - 1_ps, sim::TimeOverflow);
  CHECK_THROWS_AS(big * 2, sim::TimeOverflow);
  CHECK_THROWS_AS(sim::Time::from_seconds(1e8), sim::TimeOverflow);  // ~1e20 ps > 2^63
  CHECK_THROWS_AS(sim::Time::from_seconds(std::numeric_limits<double>::quiet_NaN()), sim::TimeOverflow);
  CHECK_THROWS_AS(sim::Time::from_seconds(std::numeric_limits<double>::infinity()), sim::TimeOverflow);
  CHECK_NOTHROW(sim::Time::from_seconds(9e6));  // 9e18 ps still fits
}

TEST_CASE("human formatting picks the largest unit") {
  CHECK(sim::to_string(1500_ps) == "1.5 ns");
  CHECK(sim::to_string(2_s) == "2 s");
  CHECK(sim::to_string(999_ps) == "999 ps");
  CHECK(sim::to_string(sim::Time::from_us(12.5)) == "12.5 us");
}

TEST_CASE("the extremes of the range format without overflow") {
  const auto lowest = sim::Time::from_ps(std::numeric_limits<std::int64_t>::min());
  CHECK(sim::to_string(lowest) == "-9.22337e+06 s");
  CHECK(sim::to_string(sim::Time::max()) == "9.22337e+06 s");
  CHECK(sim::to_string(sim::Time::from_ps(-1'500)) == "-1.5 ns");
  CHECK(sim::to_string(sim::Time::from_ps(-7)) == "-7 ps");
}

TEST_CASE("out-of-range conversions name the value compactly") {
  try {
    (void)sim::Time::from_seconds(1e300);
    FAIL("expected TimeOverflow");
  } catch (const sim::TimeOverflow& e) {
    const std::string message = e.what();
    CHECK(message.find("1e+300 seconds") != std::string::npos);
    CHECK(message.size() < 120);  // not the 301 digits of std::to_string
  }
  CHECK(sim::format_compact(-1e308) == "-1e+308");
  CHECK(sim::format_compact(0.1) == "0.1");
}
