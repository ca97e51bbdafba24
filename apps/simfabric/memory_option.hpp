#pragma once
// --memory-limit SIZE: the memory a run may use, in place of what the machine has
// available. It sets SIMFABRIC_MEMORY_LIMIT, which the runs of this command read
// (scenarios/memory_check.hpp) and the processes it starts (Slurm tasks) inherit.

#include <stdlib.h>
#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>

#include "scenarios/memory_check.hpp"

namespace app {

inline void add_memory_limit_option(CLI::App* command) {
  command
      ->add_option_function<std::string>(
          "--memory-limit",
          [](const std::string& value) { ::setenv(scenarios::kMemoryLimitVariable, value.c_str(), 1); },
          "memory a run may use, e.g. \"8 GiB\", or \"unlimited\" (default: $SIMFABRIC_MEMORY_LIMIT, else what the "
          "machine and its cgroup have available)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            try {
              scenarios::parse_memory_limit(text);
              return {};
            } catch (const std::invalid_argument& e) {
              return e.what();
            }
          },
          "SIZE"));
}

}  // namespace app
