#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "scenarios/memory_check.hpp"
#include "scenarios/runner.hpp"
#include "sim/memory.hpp"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

struct Fixture {
  fs::path root = fs::temp_directory_path() / ("simfabric_memory_" + std::to_string(::getpid()));
  Fixture() { fs::remove_all(root); }
  ~Fixture() { fs::remove_all(root); }
  fs::path proc() const { return root / "proc"; }
  fs::path cgroup() const { return root / "cgroup"; }
};

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

// Sets SIMFABRIC_MEMORY_LIMIT for one scope.
struct LimitVariable {
  explicit LimitVariable(const char* value) { ::setenv(scenarios::kMemoryLimitVariable, value, 1); }
  ~LimitVariable() { ::unsetenv(scenarios::kMemoryLimitVariable); }
};

const char* kBigFabric = R"(kind = "fabric"
[topology]
type = "leaf_spine"
leaves = 1024
spines = 16
hosts_per_leaf = 1000
[workload]
type = "permutation"
)";

}  // namespace

TEST_CASE("available memory: MemAvailable, less what a cgroup v2 limit up the hierarchy leaves") {
  Fixture f;
  write(f.proc() / "meminfo", "MemTotal:       32000000 kB\nMemAvailable:   16777216 kB\n");
  write(f.proc() / "self/cgroup", "0::/jobs/run1\n");
  auto m = sim::available_memory(f.proc(), f.cgroup());
  CHECK(m.bytes == 16 * kGiB);
  CHECK(m.source.find("MemAvailable") != std::string::npos);

  write(f.cgroup() / "jobs/run1/memory.max", "max\n");
  write(f.cgroup() / "jobs/run1/memory.current", "1000\n");
  write(f.cgroup() / "jobs/memory.max", std::to_string(4 * kGiB) + "\n");
  write(f.cgroup() / "jobs/memory.current", std::to_string(kGiB) + "\n");
  m = sim::available_memory(f.proc(), f.cgroup());
  CHECK(m.bytes == 3 * kGiB);  // the parent's limit binds the child
  CHECK(m.source.find("memory.max") != std::string::npos);
}

TEST_CASE("available memory: cgroup v1, an unlimited v1 group, and nothing readable") {
  Fixture f;
  write(f.proc() / "meminfo", "MemAvailable:   8388608 kB\n");
  write(f.proc() / "self/cgroup", "4:memory:/box\n0::/\n");
  write(f.cgroup() / "memory/box/memory.limit_in_bytes", std::to_string(2 * kGiB) + "\n");
  write(f.cgroup() / "memory/box/memory.usage_in_bytes", std::to_string(kGiB / 2) + "\n");
  CHECK(sim::available_memory(f.proc(), f.cgroup()).bytes == 3 * kGiB / 2);

  write(f.cgroup() / "memory/box/memory.limit_in_bytes", "9223372036854771712\n");
  CHECK(sim::available_memory(f.proc(), f.cgroup()).bytes == 8 * kGiB);

  // No meminfo: the free physical pages the C library reports, still a figure.
  fs::remove(f.proc() / "meminfo");
  const auto fallback = sim::available_memory(f.proc(), f.root / "none");
  CHECK(fallback.source == "free physical memory");
}

TEST_CASE("memory limits parse as sizes; a bad SIMFABRIC_MEMORY_LIMIT is bad input naming it") {
  CHECK(scenarios::parse_memory_limit("2 GiB") == 2 * kGiB);
  CHECK_FALSE(scenarios::parse_memory_limit("unlimited").has_value());
  CHECK_THROWS_AS(scenarios::parse_memory_limit("lots"), std::invalid_argument);
  CHECK_THROWS_AS(scenarios::parse_memory_limit("0"), std::invalid_argument);
  LimitVariable bad("12 parsecs");
  CHECK_THROWS_WITH_AS(scenarios::memory_limit(), doctest::Contains("SIMFABRIC_MEMORY_LIMIT"),
                       scenarios::ScenarioError);
}

TEST_CASE("a run whose estimate exceeds the limit is refused before anything is built") {
  const auto scenario = scenarios::Scenario::parse(kBigFabric, "big.toml");
  const auto estimate = scenarios::estimate_scenario_memory(scenario);
  REQUIRE(estimate.has_value());
  // 1,024 leaves' routing tables over ~1M nodes alone are 4 GiB.
  CHECK(estimate->bytes > 4 * kGiB);
  CHECK(estimate->keys.find("hosts_per_leaf") != std::string::npos);

  LimitVariable small("1 GiB");
  try {
    scenarios::run_scenario(scenario, {});
    FAIL("expected a ScenarioError");
  } catch (const scenarios::ScenarioError& e) {
    const std::string text = e.what();
    CHECK(text.rfind("big.toml: this run needs about ", 0) == 0);
    CHECK(text.find("1 GiB available (SIMFABRIC_MEMORY_LIMIT)") != std::string::npos);
    CHECK(text.find("reduce [topology] leaves, hosts_per_leaf") != std::string::npos);
  }
}

TEST_CASE("check_scenario reports the estimate and whether it fits, without refusing") {
  const auto scenario = scenarios::Scenario::parse(
      "kind = \"mm1\"\n[queue]\narrival_rate_per_s = 1\nservice_rate_per_s = 2\ncustomers = 10\n", "q.toml");
  LimitVariable tiny("1 KiB");
  const auto check = scenarios::check_scenario(scenario);
  CHECK(check.kind == "mm1");
  CHECK(check.memory.bytes > 1024);
  CHECK_FALSE(check.fits());
  CHECK_THROWS_AS(scenarios::run_scenario(scenario, {}), scenarios::ScenarioError);
}
