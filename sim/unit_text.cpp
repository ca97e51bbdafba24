// The unit parsers of unit_text.hpp.

#include "sim/unit_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/echo.hpp"

namespace sim {

std::uint64_t parse_size_bytes(std::string_view text) {
  std::string s(text);
  std::size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(s, &pos);
  } catch (const std::exception&) {
    throw std::invalid_argument("expected a size like \"64 KiB\" or \"1.5 GB\", got \"" + shorten_text(s, kEchoChars) +
                                "\"");
  }
  std::string unit = s.substr(pos);
  unit.erase(std::remove_if(unit.begin(), unit.end(), [](unsigned char c) { return std::isspace(c); }), unit.end());
  struct Unit {
    const char* name;
    double bytes;
  };
  static constexpr Unit units[] = {
      {"", 1},      {"B", 1},        {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
      {"TB", 1e12}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
  for (const auto& u : units) {
    if (unit == u.name) {
      const double bytes = value * u.bytes;
      if (!(bytes >= 0) || bytes > 1.8e19 || std::floor(bytes) != bytes) {
        throw std::invalid_argument("size \"" + shorten_text(s, kEchoChars) +
                                    "\" is not a whole, non-negative number of bytes");
      }
      return static_cast<std::uint64_t>(bytes);
    }
  }
  throw std::invalid_argument("unknown size unit \"" + shorten_text(unit, kEchoChars) + "\" in \"" +
                              shorten_text(s, kEchoChars) + "\" (expected B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
}

std::int64_t parse_duration_ps(std::string_view text) {
  const std::string s(text);
  std::size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(s, &pos);
  } catch (const std::exception&) {
    throw std::invalid_argument("expected a duration like \"10 us\", got \"" + shorten_text(s, kEchoChars) + "\"");
  }
  std::string unit = s.substr(pos);
  unit.erase(std::remove_if(unit.begin(), unit.end(), [](unsigned char c) { return std::isspace(c); }), unit.end());
  struct Unit {
    const char* name;
    double ps;
  };
  static constexpr Unit units[] = {{"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}, {"s", 1e12}};
  for (const auto& u : units) {
    if (unit == u.name) {
      const double ps = std::round(value * u.ps);
      if (!(value >= 0) || ps > 9.2e18 || std::abs(ps - value * u.ps) > 1e-6 * std::max(1.0, ps)) {
        throw std::invalid_argument("duration \"" + shorten_text(s, kEchoChars) +
                                    "\" is not a whole, non-negative number of picoseconds");
      }
      return static_cast<std::int64_t>(ps);
    }
  }
  throw std::invalid_argument(unit.empty() ? "duration \"" + shorten_text(s, kEchoChars) +
                                                 "\" has no unit (expected ps, ns, us, ms or s)"
                                           : "unknown time unit \"" + shorten_text(unit, kEchoChars) + "\" in \"" +
                                                 shorten_text(s, kEchoChars) + "\" (expected ps, ns, us, ms or s)");
}

}  // namespace sim
