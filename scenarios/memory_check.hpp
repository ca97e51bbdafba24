#pragma once
// The check that refuses a run the machine cannot hold. Each kind estimates its run's
// peak memory from its validated parameters (scenarios/memory_estimate.hpp) and calls
// require_memory() before it builds its model; the caller decides what happens then
// (MemoryGate): `run` and sweeps refuse an estimate above the memory available
// (ScenarioError, exit 2, naming the size keys that drive it), `validate` records it to
// print, a sweep's pre-check stops right after the estimate.

#include <cstdint>
#include <optional>
#include <string>

#include "scenarios/scenario.hpp"

namespace scenarios {

struct MemoryEstimate {
  std::uint64_t bytes = 0;  // peak resident memory above the process's fixed footprint
  std::string drivers;      // the counts it is made of, for messages
  std::string keys;         // the size keys that drive it ("[topology] hosts_per_leaf, leaves")
};

// ---- the check -------------------------------------------------------------------------

// The environment variable that sets the memory a run may use ("2 GiB"; "unlimited"
// turns the check off); `--memory-limit` sets it for the command and its children.
inline constexpr const char* kMemoryLimitVariable = "SIMFABRIC_MEMORY_LIMIT";

struct MemoryLimit {
  std::optional<std::uint64_t> bytes;  // empty: no limit known or wanted
  std::string source;                  // "SIMFABRIC_MEMORY_LIMIT", "MemAvailable in /proc/meminfo", ...
};

// SIMFABRIC_MEMORY_LIMIT when set, else what the machine has available now (sim/memory).
// Throws ScenarioError for a variable that is not a size.
MemoryLimit memory_limit();
// Parses a --memory-limit / SIMFABRIC_MEMORY_LIMIT value; throws std::invalid_argument.
std::optional<std::uint64_t> parse_memory_limit(const std::string& text);

// "41.2 GiB".
std::string format_memory(std::uint64_t bytes);

// How require_memory() behaves on this thread while the gate exists (gates nest; the
// innermost wins). Without a gate, require_memory() enforces memory_limit().
class MemoryGate {
 public:
  enum class Mode {
    enforce,        // refuse an estimate above the limit (ScenarioError)
    record,         // keep the estimate only
    estimate_only,  // keep it and stop the preparation there (throws EstimateTaken)
  };
  MemoryGate(Mode mode, MemoryLimit limit = {}, std::uint64_t concurrent_runs = 1);
  ~MemoryGate();
  MemoryGate(const MemoryGate&) = delete;
  MemoryGate& operator=(const MemoryGate&) = delete;

  const std::optional<MemoryEstimate>& estimate() const { return estimate_; }

 private:
  friend void require_memory(const Scenario& scenario, const MemoryEstimate& estimate);
  Mode mode_;
  MemoryLimit limit_;
  std::uint64_t concurrent_runs_;
  std::optional<MemoryEstimate> estimate_;
  MemoryGate* outer_;
};

// Thrown under Mode::estimate_only once the estimate is in; not a std::exception, so
// that no handler of bad input mistakes it for one.
struct EstimateTaken {};

// Called by each kind with its estimate, before it allocates its model.
void require_memory(const Scenario& scenario, const MemoryEstimate& estimate);

// The refusal, for a diagnostic of the scenario file: "this run needs about X (the
// counts) [x N runs at once]; Y available (source); reduce KEYS or set --memory-limit".
std::string memory_refusal(const MemoryEstimate& estimate, const MemoryLimit& limit, std::uint64_t concurrent_runs = 1);

}  // namespace scenarios
