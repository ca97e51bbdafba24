#include "sim/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <stdexcept>
#include <string>

namespace sim {

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto made = spdlog::stderr_color_mt("simfabric");
    made->set_pattern("[%l] %v");
    made->set_level(spdlog::level::warn);
    return made;
  }();
  return *instance;
}

void set_log_level(std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only accept "off" when it was asked for.
  if (parsed == spdlog::level::off && level != "off") {
    throw std::invalid_argument("unknown log level '" + std::string(level) +
                                "' (expected trace, debug, info, warn, error, critical or off)");
  }
  logger().set_level(parsed);
}

}  // namespace sim
