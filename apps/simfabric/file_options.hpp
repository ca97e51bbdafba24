#pragma once
// Options every command reads the same way: output files (-o) and seeds.

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/output_file.hpp"
#include "sim/random.hpp"

namespace app {

// The file -o names, checked before any work (sim/output_file.hpp: not a directory,
// device or input file, links followed, the directory takes a new file); its partial is
// removed if SIGINT, SIGTERM or SIGHUP ends the program. Returns the file to write.
// `remove_stale`: see sim::prepare_output_path (false where other machines share the target).
inline std::string checked_output(const std::string& path, const std::vector<std::filesystem::path>& inputs = {},
                                  bool remove_stale = true) {
  sim::remove_partials_on_signal();
  return sim::prepare_output_path(path, "-o", inputs, remove_stale).string();
}

// A seed: decimal digits, 0 to 2^63 - 1 (sim::kMaxSeed); nullopt otherwise. Parsed here,
// not by CLI11, whose conversion clamps out-of-range numbers and reads "010" as octal.
inline std::optional<std::uint64_t> parse_seed(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end || value > sim::kMaxSeed) return std::nullopt;
  return value;
}

inline CLI::Validator seed_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (parse_seed(text)) return {};
        return "expected an integer from 0 to " + std::to_string(sim::kMaxSeed) + " (2^63 - 1), got '" +
               (text.size() > 40 ? text.substr(0, 40) + "...'" : text + "'");
      },
      "SEED");
}

// The value of a seed option checked by seed_number(); nullopt when not given.
inline std::optional<std::uint64_t> seed_value(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const auto seed = parse_seed(text);
  if (!seed) throw std::invalid_argument("invalid seed '" + text + "'");
  return seed;
}

}  // namespace app
