#pragma once
// The memory this process may still take: the least of the kernel's MemAvailable and
// what the process's cgroups leave (v2 memory.max - memory.current up the hierarchy, or
// v1 memory.limit_in_bytes - memory.usage_in_bytes). Runs compare their estimated peak
// with it before they start.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace sim {

struct AvailableMemory {
  std::optional<std::uint64_t> bytes;  // empty: nothing readable (the check is then skipped)
  std::string source;                  // where the figure came from, for messages
};

// Reads /proc/meminfo and the cgroup files under `proc` and `cgroup_root` (the real ones
// by default; tests point them at fixtures).
AvailableMemory available_memory(const std::filesystem::path& proc = "/proc",
                                 const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

}  // namespace sim
