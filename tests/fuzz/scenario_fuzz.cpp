// libFuzzer target for the scenario and sweep loaders: any bytes must give a scenario (or
// sweep) or a ScenarioError, never a crash, hang or sanitizer report. The same bytes also
// drive the core's time conversions and distributions.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sweep.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace {

// The first bytes as an int64 and two doubles: the core's conversions and distributions
// take any value a file or a Python call can hand them, and refuse or answer.
void fuzz_core_numbers(const std::uint8_t* data, std::size_t size) {
  if (size < 24) return;
  std::int64_t ps = 0;
  double a = 0, b = 0;
  std::memcpy(&ps, data, 8);
  std::memcpy(&a, data + 8, 8);
  std::memcpy(&b, data + 16, 8);
  (void)sim::to_string(sim::Time::from_ps(ps));
  (void)sim::format_compact(a);
  try {
    (void)sim::to_string(sim::Time::from_seconds(a) - sim::Time::from_ns(b));
  } catch (const sim::TimeOverflow&) {
  }
  sim::RandomStream rng(static_cast<std::uint64_t>(ps), 7);
  const auto draw = [](auto&& f) {
    try {
      (void)f();
    } catch (const std::invalid_argument&) {
    }
  };
  draw([&] { return rng.uniform(a, b); });
  draw([&] { return rng.exponential(a); });
  draw([&] { return rng.normal(a, b); });
  draw([&] { return rng.bernoulli(b); });
}

}  // namespace

// A base scenario that fuzzed sweeps can name (`scenario = "base.toml"`), in the working
// directory, which tests/fuzz/run_fuzz.sh makes a scratch one.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::ofstream("base.toml") << "kind = \"mm1\"\n[queue]\narrival_rate_per_s = 1e5\nservice_rate_per_s = 1e6\n"
                                "customers = 10\n";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto scenario = scenarios::Scenario::parse(text, "fuzz.toml", {"queue.customers=10"});
    // Validation only: running would make the fuzzer measure the model, not the loader.
    scenarios::validate_scenario(scenario);
    (void)scenario.effective_text();
  } catch (const scenarios::ScenarioError&) {
  }
  try {
    // Few points, so expansion stays fast; the point cap itself is part of what is tested.
    const auto sweep = scenarios::Sweep::parse(text, "fuzz-sweep.toml", 1000);
    (void)sweep.scenario(sweep.points.back());
  } catch (const scenarios::ScenarioError&) {
  }
  fuzz_core_numbers(data, size);
  try {
    (void)scenarios::parse_size_bytes(text.substr(0, 64));
    (void)scenarios::parse_duration_ps(text.substr(0, 64));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
