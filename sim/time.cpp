#include "sim/time.hpp"

#include <cstdio>
#include <cstdlib>

namespace sim {

std::string to_string(Time t) {
  struct Unit {
    std::int64_t ps;
    const char* name;
  };
  static constexpr Unit units[] = {{1'000'000'000'000, "s"}, {1'000'000'000, "ms"}, {1'000'000, "us"}, {1'000, "ns"}};
  // Unsigned: the magnitude of INT64_MIN does not fit an int64.
  const std::uint64_t magnitude =
      t.ps() < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(t.ps()) : static_cast<std::uint64_t>(t.ps());
  for (const auto& unit : units) {
    if (magnitude >= static_cast<std::uint64_t>(unit.ps)) {
      char buffer[64];
      std::snprintf(buffer, sizeof(buffer), "%.6g %s", static_cast<double>(t.ps()) / static_cast<double>(unit.ps),
                    unit.name);
      return buffer;
    }
  }
  return std::to_string(t.ps()) + " ps";
}

std::string format_compact(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

}  // namespace sim
