// libFuzzer target for the scenario and sweep loaders: any bytes must give a scenario (or
// sweep) or a ScenarioError, never a crash, hang or sanitizer report.

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string_view>

#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sweep.hpp"

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
  try {
    (void)scenarios::parse_size_bytes(text.substr(0, 64));
    (void)scenarios::parse_duration_ps(text.substr(0, 64));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
