#include "scenarios/memory_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "sim/memory.hpp"

namespace scenarios {

// ---- the check ------------------------------------------------------------------------

std::string format_memory(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  auto value = static_cast<double>(bytes);
  int u = 0;
  while (value >= 1024.0 && u < 6) {
    value /= 1024.0;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.3g} {}", value, units[u]);
}

std::optional<std::uint64_t> parse_memory_limit(const std::string& text) {
  if (text == "unlimited") return std::nullopt;
  const std::uint64_t bytes = parse_size_bytes(text);
  if (bytes == 0) throw std::invalid_argument("expected a size above zero, or \"unlimited\"");
  return bytes;
}

MemoryLimit memory_limit() {
  if (const char* value = std::getenv(kMemoryLimitVariable); value != nullptr && *value != '\0') {
    try {
      return {parse_memory_limit(value), kMemoryLimitVariable};
    } catch (const std::invalid_argument& e) {
      throw ScenarioError({{kMemoryLimitVariable, 0, "", e.what()}});
    }
  }
  const auto machine = sim::available_memory();
  return {machine.bytes, machine.source};
}

namespace {
thread_local MemoryGate* current_gate = nullptr;
}

MemoryGate::MemoryGate(Mode mode, MemoryLimit limit, std::uint64_t concurrent_runs)
    : mode_(mode), limit_(std::move(limit)), concurrent_runs_(std::max<std::uint64_t>(1, concurrent_runs)),
      outer_(current_gate) {
  current_gate = this;
}

MemoryGate::~MemoryGate() { current_gate = outer_; }

std::string memory_refusal(const MemoryEstimate& estimate, const MemoryLimit& limit, std::uint64_t concurrent_runs) {
  const std::string runs = concurrent_runs > 1 ? fmt::format(" x {} runs at once", concurrent_runs) : "";
  return fmt::format("this run needs about {} ({}){}; {} available ({}); reduce {} or set --memory-limit",
                     format_memory(estimate.bytes), estimate.drivers, runs,
                     limit.bytes ? format_memory(*limit.bytes) : "unknown", limit.source, estimate.keys);
}

void require_memory(const Scenario& scenario, const MemoryEstimate& estimate) {
  MemoryGate* gate = current_gate;
  if (gate != nullptr) gate->estimate_ = estimate;
  if (gate != nullptr && gate->mode_ == MemoryGate::Mode::estimate_only) throw EstimateTaken{};
  if (gate != nullptr && gate->mode_ == MemoryGate::Mode::record) return;
  const MemoryLimit limit = gate != nullptr ? gate->limit_ : memory_limit();
  const std::uint64_t runs = gate != nullptr ? gate->concurrent_runs_ : 1;
  if (!limit.bytes) return;
  const double needed = static_cast<double>(estimate.bytes) * static_cast<double>(runs);
  if (needed > static_cast<double>(*limit.bytes)) {
    throw ScenarioError({{scenario.file(), 0, "", memory_refusal(estimate, limit, runs)}});
  }
}

}  // namespace scenarios
