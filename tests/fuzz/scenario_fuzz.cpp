// libFuzzer target for the scenario loader: any bytes must give a scenario or a
// ScenarioError, never a crash, hang or sanitizer report. Also feeds the bytes to the
// sweep loader's scenario reader and the size parser.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"

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
    (void)scenarios::parse_size_bytes(text.substr(0, 64));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
