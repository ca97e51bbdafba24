#include "scenarios/runner.hpp"

#include <chrono>

#include "scenarios/kinds.hpp"

namespace scenarios {

const std::vector<ScenarioKind>& scenario_kinds() {
  static const std::vector<ScenarioKind> kinds = {
      mm1_kind(), accelerator_kind(), fabric_kind(), quantum_kind(), training_kind(),
  };
  return kinds;
}

namespace {
const ScenarioKind& find_kind(const Scenario& scenario) {
  for (const auto& kind : scenario_kinds()) {
    if (kind.name == scenario.kind()) return kind;
  }
  std::string known;
  for (const auto& kind : scenario_kinds()) known += (known.empty() ? "" : ", ") + kind.name;
  const toml::node* node = scenario.root().get("kind");
  const std::int64_t line = node ? static_cast<std::int64_t>(node->source().begin.line) : 0;
  if (scenario.kind() == "sweep") {
    throw ScenarioError(
        {{scenario.file(), line, "kind", "this is a sweep file: use `simfabric sweep plan` or `simfabric sweep run`"}});
  }
  throw ScenarioError({{scenario.file(), line, "kind",
                        "unknown scenario kind \"" + scenario.kind() + "\" (expected one of " + known + ")"}});
}
}  // namespace

std::uint64_t scenario_seed(const Scenario& scenario, const std::optional<std::uint64_t>& override_seed) {
  if (override_seed) return *override_seed;
  const toml::node* node = scenario.root().get("seed");
  if (node == nullptr) return 1;
  const auto value = node->value<std::int64_t>();
  if (!node->is_integer() || *value < 0) {
    throw ScenarioError({{scenario.file(), static_cast<std::int64_t>(node->source().begin.line), "seed",
                          "expected a non-negative integer"}});
  }
  return static_cast<std::uint64_t>(*value);
}

std::string validate_scenario(const Scenario& scenario) { return check_scenario(scenario).kind; }

ScenarioCheck check_scenario(const Scenario& scenario) {
  const ScenarioKind& kind = find_kind(scenario);
  MemoryGate gate(MemoryGate::Mode::record);
  kind.prepare(scenario, scenario_seed(scenario, std::nullopt));
  return {kind.name, gate.estimate().value_or(MemoryEstimate{}), memory_limit()};
}

std::optional<MemoryEstimate> estimate_scenario_memory(const Scenario& scenario) {
  MemoryGate gate(MemoryGate::Mode::estimate_only);
  try {
    const ScenarioKind& kind = find_kind(scenario);
    kind.prepare(scenario, scenario_seed(scenario, std::nullopt));
  } catch (const EstimateTaken&) {
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return gate.estimate();
}

RunSummary run_scenario(const Scenario& scenario, const RunOptions& options) {
  const ScenarioKind& kind = find_kind(scenario);
  const std::uint64_t seed = scenario_seed(scenario, options.seed);
  PreparedRun run = [&] {
    MemoryGate gate(MemoryGate::Mode::enforce, memory_limit());
    return kind.prepare(scenario, seed);
  }();

  std::optional<sim::Recorder> recorder;
  if (options.output) {
    recorder.emplace(*options.output, sim::RunInfo{seed, scenario.effective_text(), scenario.file()});
  }
  const auto start = std::chrono::steady_clock::now();
  RunSummary summary = run(recorder ? &*recorder : nullptr);
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.kind = kind.name;
  summary.seed = seed;
  if (recorder) {
    for (const auto& metric : summary.metrics) recorder->summary(metric.name, metric.value, metric.unit);
    recorder->summary("kind", kind.name);
    recorder->summary("wall_s", summary.wall_s, "s");
    recorder->commit(summary.complete);
  }
  return summary;
}

}  // namespace scenarios
