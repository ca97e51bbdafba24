#pragma once
// The one logger of the process. Models never print: they log through here (to stderr)
// or record results. Level checks are a compare against an atomic; nothing in the event
// loop logs.

#include <spdlog/spdlog.h>

#include <string_view>

namespace sim {

spdlog::logger& logger();

// Accepts trace, debug, info, warn, error, critical, off; throws std::invalid_argument
// for anything else.
void set_log_level(std::string_view level);

}  // namespace sim
