#include <doctest/doctest.h>

#include "scenarios/scenario.hpp"

TEST_CASE("durations need a unit and become whole picoseconds") {
  CHECK(scenarios::parse_duration_ps("250 ps") == 250);
  CHECK(scenarios::parse_duration_ps("10us") == 10'000'000);
  CHECK(scenarios::parse_duration_ps("1.5 ms") == 1'500'000'000);
  CHECK(scenarios::parse_duration_ps("2 s") == 2'000'000'000'000);
  CHECK_THROWS_WITH_AS(scenarios::parse_duration_ps("10"), doctest::Contains("has no unit"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(scenarios::parse_duration_ps("10 min"), doctest::Contains("unknown time unit \"min\""),
                       std::invalid_argument);
  CHECK_THROWS_AS(scenarios::parse_duration_ps("-1 us"), std::invalid_argument);
  CHECK_THROWS_AS(scenarios::parse_duration_ps("0.5 ps"), std::invalid_argument);
}

TEST_CASE("Section reports unit mistakes with file, line and the expected form, all together") {
  const auto scenario = scenarios::Scenario::parse(
      "kind = \"x\"\n[link]\nlatency = 5\ndelay = \"3 parsecs\"\nbuffer = \"64 KB\"\ncapacity = \"12 furlongs\"\n"
      "timeout = \"20 us\"\n",
      "units.toml");
  scenarios::Section root(scenario, "");
  scenarios::Section link(root, "link");
  link.duration_ps("latency");
  link.duration_ps("delay");
  CHECK(link.size_bytes("buffer") == 64'000);
  link.size_bytes("capacity");
  CHECK(link.duration_ps("timeout") == 20'000'000);
  link.duration_ps("jitter");
  try {
    root.finish();
    FAIL("expected a ScenarioError");
  } catch (const scenarios::ScenarioError& e) {
    const std::string text = e.what();
    CHECK(text.find("units.toml:3: link.latency: expected a duration with a unit, like \"10 us\"") !=
          std::string::npos);
    CHECK(text.find("units.toml:4: link.delay: unknown time unit \"parsecs\"") != std::string::npos);
    CHECK(text.find("units.toml:6: link.capacity: unknown size unit \"furlongs\"") != std::string::npos);
    CHECK(text.find("link.jitter: missing: expected a duration") != std::string::npos);
    CHECK(e.diagnostics().size() == 4);
  }
}

TEST_CASE("a key named with its unit takes a plain number in that unit or a string with any unit") {
  const auto scenario = scenarios::Scenario::parse(
      "kind = \"x\"\n[f]\nat_us = 10\nlat_ns = 0.5\nfrac_us = 1.0000004\nstr_us = \"1.5 ms\"\nneg_ms = -1\n"
      "word_s = \"soon\"\nflag_ns = true\nbare = 3\n",
      "keys.toml");
  scenarios::Section root(scenario, "");
  scenarios::Section f(root, "f");
  CHECK(f.duration("at_us") == sim::Time::from_ps(10'000'000));
  CHECK(f.duration_ps("lat_ns") == 500);
  CHECK(f.duration_ps("frac_us") == 1'000'000);  // plain numbers round to the picosecond
  CHECK(f.duration("str_us") == sim::Time::from_ps(1'500'000'000));
  CHECK(f.duration("absent_us", sim::Time::from_ps(7)) == sim::Time::from_ps(7));
  f.duration("neg_ms");
  f.duration("word_s");
  f.duration("flag_ns");
  f.duration("bare");
  try {
    root.finish();
    FAIL("expected a ScenarioError");
  } catch (const scenarios::ScenarioError& e) {
    const std::string text = e.what();
    CHECK(text.find("keys.toml:7: f.neg_ms: expected a non-negative duration, got -1") != std::string::npos);
    CHECK(text.find("keys.toml:8: f.word_s: expected a duration like \"10 us\", got \"soon\"") != std::string::npos);
    CHECK(text.find("keys.toml:9: f.flag_ns: expected a duration: a number in the key's unit or a string") !=
          std::string::npos);
    CHECK(text.find("keys.toml:10: f.bare: expected a duration with a unit") != std::string::npos);
    CHECK(e.diagnostics().size() == 4);
  }
}
