// The accelerator run's and the device file's keys are declared once: the key tables of
// docs/accelerator.md and docs/devices.md are the declarations', and every default lies
// in its declared range.

#include "models/accelerator/parameters.hpp"
#include "models/accelerator/device_parameters.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace acc = models::accelerator;

TEST_CASE("every accelerator key is declared once, with a default inside its range") {
  std::map<std::string, int> seen;
  for (const auto& p : acc::parameters()) {
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && p.type != sim::ParamType::boolean) {
      CHECK_MESSAGE(sim::range_problem(p, *p.default_number).empty(), p.name());
    }
    if (p.type == sim::ParamType::text && !p.choices.empty() && !p.required) {
      CHECK_MESSAGE(sim::choice_problem(p, std::string(p.default_text)).empty(), p.name());
    }
  }
}

TEST_CASE("docs/accelerator.md lists the declared keys") {
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "docs/accelerator.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const char* table : {"", "workload", "workload.transformer", "workload.ofa", "execution"}) {
    CHECK_MESSAGE(text.str().find(acc::parameters_markdown(table)) != std::string::npos,
                  "regenerate the [" << table << "] key table of docs/accelerator.md from parameters_markdown():\n"
                                     << acc::parameters_markdown(table));
  }
}

TEST_CASE("every device-file key is declared once, and docs/devices.md lists them") {
  std::map<std::string, int> seen;
  for (const auto& p : acc::device_parameters()) {
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && p.type != sim::ParamType::boolean) {
      CHECK_MESSAGE(sim::range_problem(p, *p.default_number).empty(), p.name());
    }
  }
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "docs/devices.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const char* table : {"", "compute", "kernel", "runtime", "tiers.<name>", "links.<name>", "systolic"}) {
    CHECK_MESSAGE(text.str().find(acc::device_parameters_markdown(table)) != std::string::npos,
                  "regenerate the [" << table << "] key table of docs/devices.md from device_parameters_markdown():\n"
                                     << acc::device_parameters_markdown(table));
  }
}
