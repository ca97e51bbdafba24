// The training keys are declared once: docs/training.md's key tables are the
// declarations', and every default lies in its declared range.

#include "models/training/parameters.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace mt = models::training;

TEST_CASE("every training key is declared once, with a default inside its range") {
  std::map<std::string, int> seen;
  for (const auto& p : mt::parameters()) {
    CHECK_MESSAGE(++seen[p.name()] == 1, p.name());
    if (p.default_number && p.type != sim::ParamType::boolean) {
      CHECK_MESSAGE(sim::range_problem(p, *p.default_number).empty(), p.name());
    }
    if (p.type == sim::ParamType::text && !p.choices.empty()) {
      CHECK_MESSAGE(sim::choice_problem(p, std::string(p.default_text)).empty(), p.name());
    }
  }
}

TEST_CASE("docs/training.md lists the declared keys") {
  std::ifstream in(std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "docs/training.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const char* table : {"model", "parallelism", "cluster", "faults", "output"}) {
    CHECK_MESSAGE(text.str().find(mt::parameters_markdown(table)) != std::string::npos,
                  "regenerate the [" << table << "] key table of docs/training.md from parameters_markdown():\n"
                                     << mt::parameters_markdown(table));
  }
}
