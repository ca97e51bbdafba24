// The value checks every reader shares (sim/value_checks.hpp), and a scenario file and a
// keyword source refusing the same values in the same words.

#include "sim/value_checks.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "scenarios/declared.hpp"
#include "scenarios/scenario.hpp"
#include "sim/parameter_reader.hpp"

namespace {

// Keywords as Python hands them, one table; problems kept as "table.key: message".
class Keywords : public sim::ValueSource {
 public:
  std::map<std::string, sim::Value, std::less<>> values;
  std::vector<std::string> problems;
  bool has_table(std::string_view) override { return true; }
  std::optional<sim::Value> get(std::string_view, std::string_view key) override {
    const auto it = values.find(key);
    return it == values.end() ? std::nullopt : std::optional<sim::Value>(it->second);
  }
  void report(std::string_view table, std::string_view key, std::string message) override {
    problems.push_back(std::string(table) + "." + std::string(key) + ": " + message);
  }
};

// The one problem the scenario reader reports for `t.<key> = value_toml`, read by `read`.
template <class Read>
std::string file_problem(const std::string& key, const std::string& value_toml, Read read) {
  const auto scenario = scenarios::Scenario::parse("kind = \"mm1\"\n[t]\n" + key + " = " + value_toml + "\n", "f.toml");
  scenarios::Section t(scenario, "t");
  read(t);
  try {
    t.finish();
  } catch (const scenarios::ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    return e.diagnostics()[0].key + ": " + e.diagnostics()[0].message;
  }
  return "";
}

// The problem a keyword source reports for `value` of `declared`, read by `read`; "" for none.
template <class Read>
std::string keyword_problem(const sim::Parameter& declared, const sim::Value& value, Read read) {
  Keywords keywords;
  keywords.values[std::string(declared.key)] = value;
  const sim::Parameter all[] = {declared};
  sim::ParameterReader reader(keywords, all, "test");
  read(reader);
  REQUIRE(keywords.problems.size() <= 1);
  return keywords.problems.empty() ? "" : keywords.problems[0];
}

}  // namespace

TEST_CASE("numbers: integers convert, a unit written into the value is refused with where it belongs") {
  CHECK(*sim::checked_number(std::int64_t{3}).value == 3.0);
  CHECK(*sim::checked_number(2.5).value == 2.5);
  const auto refused = sim::checked_number(std::string("800 kHz"));
  CHECK_FALSE(refused.value);
  CHECK(refused.problem ==
        "expected a number, got a string (\"800 kHz\"); write a plain number in the unit the key's name gives");
  CHECK(sim::checked_number(true).problem == "expected a number, got a boolean");
}

TEST_CASE("sizes: bytes or a string with a unit, never negative") {
  CHECK(*sim::checked_size_bytes(std::int64_t{4096}).value == 4096);
  CHECK(*sim::checked_size_bytes(std::string("64 KiB")).value == 65536);
  CHECK(sim::checked_size_bytes(std::int64_t{-1}).problem == "expected a non-negative size, got -1");
  CHECK(sim::checked_size_bytes(1.5).problem == "expected a size (bytes, or a string like \"64 KiB\"), got a number");
  CHECK_FALSE(sim::checked_size_bytes(std::string("1 parsec")).value);
}

TEST_CASE("durations: a number in the key's unit or text with a unit, within the clock's range") {
  CHECK(sim::ps_per_unit("us") == 1e6);
  CHECK(sim::ps_per_unit("min") == 0.0);
  CHECK(sim::checked_duration(2.5, 1e6).value->ps() == 2'500'000);
  CHECK(sim::checked_duration(std::string("10 ns"), 0.0).value->ps() == 10'000);
  CHECK(sim::checked_duration(std::int64_t{5}, 0.0).problem ==
        "expected a duration with a unit, like \"10 us\" (ps, ns, us, ms or s), got an integer");
  CHECK(sim::checked_duration(-1.0, 1e3).problem == "expected a non-negative duration, got -1");
  CHECK(sim::checked_duration(1e300, 1e6).problem ==
        "expected a duration shorter than 9.2e+18 ps (about 106 days), got 1e+300 in the key's unit");
}

TEST_CASE("a huge string is echoed short in every refusal") {
  const std::string huge(100'000, 'x');
  CHECK(sim::checked_number(huge).problem.size() < 200);
  CHECK(sim::value_type_name(huge).size() < 120);
  CHECK(sim::checked_size_bytes(huge).problem.size() < 200);
}

TEST_CASE("a scenario file and keywords refuse the same value in the same words") {
  sim::Parameter size;
  size.table = "t";
  size.key = "buffer_bytes";
  size.type = sim::ParamType::size;
  size.default_number = 1024;
  size.min = 0;
  size.max = 1e12;
  const auto duration = sim::declare::duration("t", "wait_us", "us", 1.0, 1e6, "a duration");
  const std::vector<std::pair<std::string, sim::Value>> bad = {
      {"-3", std::int64_t{-3}}, {"\"3 parsecs\"", std::string("3 parsecs")}, {"true", true}, {"1.5", 1.5}};
  for (const auto& [toml_text, value] : bad) {
    CAPTURE(toml_text);
    const std::string size_problem =
        keyword_problem(size, value, [](sim::ParameterReader& r) { (void)r.size_bytes("t", "buffer_bytes"); });
    CHECK_FALSE(size_problem.empty());  // none of them is a size
    CHECK(size_problem == file_problem("buffer_bytes", toml_text,
                                       [&](scenarios::Section& t) { (void)scenarios::declared_size(t, size); }));
    // 1.5 us is a duration in both; the others are refused in both.
    CHECK(keyword_problem(duration, value, [](sim::ParameterReader& r) { (void)r.duration("t", "wait_us"); }) ==
          file_problem("wait_us", toml_text,
                       [&](scenarios::Section& t) { (void)scenarios::declared_duration(t, duration); }));
  }
}
