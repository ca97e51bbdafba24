#include <doctest/doctest.h>

#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"

using scenarios::Scenario;
using scenarios::ScenarioError;

namespace {
std::string errors_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    const auto s = Scenario::parse(text, "test.toml", overrides);
    scenarios::validate_scenario(s);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a valid scenario validates") {
  CHECK(errors_of("kind = \"mm1\"\n[queue]\narrival_rate_per_s = 1.0\nservice_rate_per_s = 2.0\n") == "");
}

TEST_CASE("every problem is reported together with file and line") {
  const std::string text =
      "kind = \"mm1\"\n"
      "seed = 3\n"
      "[queue]\n"
      "arrival_rate_per_s = \"fast\"\n"
      "service_rate_per_s = -2\n"
      "customerz = 10\n";
  const std::string errors = errors_of(text);
  CHECK(errors.find("test.toml:4: queue.arrival_rate_per_s: expected a number, got a string") != std::string::npos);
  CHECK(errors.find("test.toml:5: queue.service_rate_per_s: expected a number in") != std::string::npos);
  CHECK(errors.find("test.toml:6: queue.customerz: unknown key") != std::string::npos);
}

TEST_CASE("missing keys, unknown kinds and bad TOML are reported") {
  CHECK(errors_of("kind = \"mm1\"\n[queue]\nservice_rate_per_s = 2.0\n").find("queue.arrival_rate_per_s: missing") !=
        std::string::npos);
  CHECK(errors_of("kind = \"warp_drive\"\n").find("unknown scenario kind \"warp_drive\"") != std::string::npos);
  CHECK(errors_of("seed = 1\n").find("kind: missing") != std::string::npos);
  CHECK(errors_of("kind = \n").find("test.toml:1: not valid TOML") != std::string::npos);
}

TEST_CASE("--set overrides apply with TOML typing and are validated") {
  const std::string base = "kind = \"mm1\"\n[queue]\narrival_rate_per_s = 1.0\nservice_rate_per_s = 2.0\n";
  CHECK(errors_of(base, {"queue.arrival_rate_per_s=3.0"}).find("must be below queue.service_rate_per_s") !=
        std::string::npos);
  CHECK(errors_of(base, {"queue.customers=500"}) == "");
  CHECK(errors_of(base, {"queue.customers=many"}).find("expected an integer, got a string") != std::string::npos);
  CHECK(errors_of(base, {"no_equals_sign"}).find("--set expects key.path=value") != std::string::npos);
  // A bad overridden value is reported against the option that set it, not the file.
  CHECK(
      errors_of(base, {"queue.customers=0"}).find("--set queue.customers=0: queue.customers: expected an integer in") !=
      std::string::npos);
  CHECK(errors_of(base, {"queue.customers=many"}).find("--set queue.customers=many: queue.customers:") !=
        std::string::npos);
  const auto s = Scenario::parse(base, "t.toml", {"queue.customers=500"});
  CHECK(s.effective_text().find("customers = 500") != std::string::npos);
}

TEST_CASE("an override value that is neither TOML nor a literal string is taken as text") {
  const std::string base = "kind = \"mm1\"\n[queue]\narrival_rate_per_s = 1.0\nservice_rate_per_s = 2.0\n";
  // A control character may not stand in a TOML literal string: the value is still just
  // the text, which the reader judges like any string (here: not an integer).
  CHECK(errors_of(base, {"queue.customers=\bten"}).find("queue.customers: expected an integer, got a string") !=
        std::string::npos);
  CHECK(errors_of(base, {"queue.customers=it's"}).find("expected an integer, got a string") != std::string::npos);
  CHECK(errors_of(base, {"name=a\x01b"}) == "");  // a name may hold any text
}

TEST_CASE("sizes accept bytes and binary or decimal units") {
  CHECK(scenarios::parse_size_bytes("4096") == 4096);
  CHECK(scenarios::parse_size_bytes("64 KiB") == 65536);
  CHECK(scenarios::parse_size_bytes("1 GiB") == 1073741824ULL);
  CHECK(scenarios::parse_size_bytes("1.5 GB") == 1500000000ULL);
  CHECK_THROWS_AS(scenarios::parse_size_bytes("1 parsec"), std::invalid_argument);
  CHECK_THROWS_AS(scenarios::parse_size_bytes("0.5 B"), std::invalid_argument);
  CHECK_THROWS_AS(scenarios::parse_size_bytes("lots"), std::invalid_argument);
}
