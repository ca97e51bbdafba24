#include <doctest/doctest.h>

#include "sim/time.hpp"

using namespace sim::literals;

TEST_CASE("time literals are exact picosecond counts") {
  CHECK((1_ns).ps() == 1'000);
  CHECK((1_us).ps() == 1'000'000);
  CHECK((1_ms).ps() == 1'000'000'000);
  CHECK((1_s).ps() == 1'000'000'000'000);
  CHECK(1_ns + 500_ps == sim::ps(1'500));
}
