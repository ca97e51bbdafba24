#include "sim/memory.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace sim {

namespace {

// The first whole number in a small pseudo-file; empty when absent or "max".
std::optional<std::uint64_t> read_number(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word.empty() || word.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  try {
    return std::stoull(word);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::uint64_t> meminfo_available(const std::filesystem::path& proc) {
  std::ifstream in(proc / "meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    std::uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  return std::nullopt;
}

// This process's cgroup v2 path ("0::/a/b") or v1 memory controller path ("N:memory:/a").
std::pair<std::string, std::string> own_cgroups(const std::filesystem::path& proc) {
  std::ifstream in(proc / "self/cgroup");
  std::string line, v2, v1;
  while (std::getline(in, line)) {
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (line.rfind("0::", 0) == 0) v2 = path;
    std::istringstream list(controllers);
    for (std::string c; std::getline(list, c, ',');) {
      if (c == "memory") v1 = path;
    }
  }
  return {v2, v1};
}

// Headroom left by the limits of `dir` and its ancestors up to `root`: a limit set on a
// parent binds its children too. Inside a cgroup namespace the path reads "/", and the
// files are at the root itself.
std::optional<std::uint64_t> headroom(const std::filesystem::path& root, const std::string& path,
                                      const char* limit_file, const char* usage_file) {
  std::optional<std::uint64_t> least;
  std::filesystem::path dir = root / std::filesystem::path(path).relative_path();
  for (int depth = 0; depth < 64; ++depth) {
    const auto limit = read_number(dir / limit_file);
    const auto usage = read_number(dir / usage_file);
    // cgroup v1 writes "no limit" as a number near 2^63.
    if (limit && usage && *limit < (std::uint64_t{1} << 60)) {
      const std::uint64_t left = *limit > *usage ? *limit - *usage : 0;
      least = least ? std::min(*least, left) : left;
    }
    if (dir == root || !dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return least;
}

}  // namespace

AvailableMemory available_memory(const std::filesystem::path& proc, const std::filesystem::path& cgroup_root) {
  AvailableMemory out;
  if (const auto kernel = meminfo_available(proc)) {
    out = {kernel, "MemAvailable in " + (proc / "meminfo").string()};
  } else {
    const long pages = sysconf(_SC_AVPHYS_PAGES);
    const long page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
      out = {static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page), "free physical memory"};
    }
  }
  const auto [v2, v1] = own_cgroups(proc);
  std::optional<std::uint64_t> group;
  std::string group_source;
  if (!v2.empty()) {
    group = headroom(cgroup_root, v2, "memory.max", "memory.current");
    group_source = "the cgroup's memory.max - memory.current";
  }
  if (!group && !v1.empty()) {
    group = headroom(cgroup_root / "memory", v1, "memory.limit_in_bytes", "memory.usage_in_bytes");
    group_source = "the cgroup's memory.limit_in_bytes - memory.usage_in_bytes";
  }
  if (group && (!out.bytes || *group < *out.bytes)) out = {group, group_source};
  return out;
}

}  // namespace sim
