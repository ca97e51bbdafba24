#pragma once
// The process's peak resident memory, reported by every benchmark and long command.

#include <cstdint>

namespace sim {

// High-water mark of this process's resident set, in bytes (0 where the OS gives none).
std::uint64_t peak_rss_bytes();

}  // namespace sim
