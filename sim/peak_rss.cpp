#include "sim/peak_rss.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <cstring>

namespace sim {

std::uint64_t peak_rss_bytes() {
  // VmHWM belongs to this process image; getrusage's ru_maxrss also keeps the high-water
  // mark of the image this process was exec'd from (a large Python parent, say).
  if (std::FILE* status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    unsigned long long kib = 0;
    bool found = false;
    while (std::fgets(line, sizeof line, status) != nullptr) {
      if (std::strncmp(line, "VmHWM:", 6) == 0) {
        found = std::sscanf(line + 6, "%llu", &kib) == 1;
        break;
      }
    }
    std::fclose(status);
    if (found) return static_cast<std::uint64_t>(kib) * 1024;
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace sim
