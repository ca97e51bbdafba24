#include "scenarios/sweep.hpp"

#include "scenarios/sweep_points.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <sstream>

#include "sim/input_file.hpp"
#include "sim/random.hpp"

namespace scenarios {

namespace {

std::string toml_text(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& value) { out << value; });
  return out.str();
}

ParameterValue parameter_value(const toml::node& node) {
  ParameterValue v;
  if (node.is_integer()) {
    v.type = ParameterValue::Type::integer;
    v.integer = node.value<std::int64_t>().value();
  } else if (node.is_floating_point()) {
    v.type = ParameterValue::Type::real;
    v.real = node.value<double>().value();
  } else {
    v.type = ParameterValue::Type::text;
    v.text = node.is_string() ? node.value<std::string>().value() : toml_text(node);
  }
  return v;
}

// A list parameter's column: integers if every value is one, numbers if every value is a
// number (integers widened), text otherwise.
ParameterValue::Type column_type(const std::vector<ParameterValue>& values) {
  bool all_integer = true;
  bool all_number = true;
  for (const auto& v : values) {
    all_integer = all_integer && v.type == ParameterValue::Type::integer;
    all_number = all_number && v.type != ParameterValue::Type::text;
  }
  if (all_integer) return ParameterValue::Type::integer;
  return all_number ? ParameterValue::Type::real : ParameterValue::Type::text;
}

ParameterValue as_column(ParameterValue v, ParameterValue::Type type) {
  if (type == ParameterValue::Type::real && v.type == ParameterValue::Type::integer) {
    v.real = static_cast<double>(v.integer);
    v.type = type;
  }
  return v;
}

constexpr const char* kReservedColumns[] = {"point", "replica", "seed", "status", "error", "wall_s"};

SweepParameter read_parameter(Section& parameters, const std::string& key) {
  SweepParameter p;
  p.key = key;
  if (std::find(std::begin(kReservedColumns), std::end(kReservedColumns), key) != std::end(kReservedColumns)) {
    parameters.error(key, "is a column of the results table and cannot be swept (use --seed or replicas)");
  }
  const toml::node* node = parameters.raw(key);
  if (const toml::array* list = node->as_array()) {
    if (list->empty()) parameters.error(key, "expected a non-empty list of values");
    for (const auto& element : *list) {
      p.toml_values.push_back(element.is_floating_point() ? toml_float(element.value<double>().value())
                                                          : toml_text(element));
      p.values.push_back(parameter_value(element));
    }
    p.type = column_type(p.values);
    for (auto& v : p.values) v = as_column(v, p.type);
    return p;
  }
  if (!node->is_table()) {
    parameters.error(key, "expected a list of values [a, b, ...] or a range { min = a, max = b }");
    return p;
  }
  Section range(parameters, key);
  p.sampled = true;
  const bool integer = range.boolean("integer", false);
  p.log = range.boolean("log", false);
  p.min = range.number("min");
  p.max = range.number("max");
  p.type = integer ? ParameterValue::Type::integer : ParameterValue::Type::real;
  if (p.max < p.min) range.error("max", "expected max >= min");
  if (p.log && p.min <= 0) range.error("min", "a log range needs min > 0");
  if (p.log && integer) range.error("log", "integer ranges are sampled uniformly; drop log or integer");
  range.reject_unread();
  return p;
}

std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) {
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;
  return (hash ^ 0xff) * 0x100000001b3ULL;  // separator, so "ab","c" differs from "a","bc"
}

std::string read_file(const std::filesystem::path& path, const std::string& from_file, std::int64_t line,
                      const std::string& key) {
  try {
    return sim::read_input_file(path, sim::kMaxTextInputBytes, "base scenario");
  } catch (const sim::InputFileError& e) {
    throw ScenarioError({{from_file, line, key, "cannot open " + path.string() + ": " + e.problem()}});
  }
}

std::string join_overrides(const Sweep& sweep) {
  std::string text;
  for (const auto& o : sweep.fixed_overrides) text += (text.empty() ? "" : " ") + o;
  for (const auto& o : sweep.points.front().overrides) text += (text.empty() ? "" : " ") + o;
  return text.empty() ? "no overrides" : text;
}

}  // namespace

Sweep Sweep::load(const std::filesystem::path& path, const std::vector<std::string>& overrides,
                  std::int64_t max_points) {
  return from_file(Scenario::load(path, overrides), max_points);
}

Sweep Sweep::parse(std::string_view text, std::string file_name, std::int64_t max_points) {
  return from_file(Scenario::parse(text, std::move(file_name)), max_points);
}

Sweep Sweep::from_file(const Scenario& file, std::int64_t max_points) {
  if (file.kind() != "sweep") {
    const toml::node* kind = file.root().get("kind");
    throw ScenarioError({{file.file(), kind ? static_cast<std::int64_t>(kind->source().begin.line) : 0, "kind",
                          "a sweep file has kind = \"sweep\", got \"" + file.kind() + "\""}});
  }
  Sweep sweep;
  sweep.file = file.file();
  sweep.text = file.effective_text();

  Section root(file, "");
  Section spec(root, "sweep");
  const std::string scenario = spec.text("scenario");
  sweep.seed = static_cast<std::uint64_t>(spec.integer("seed", 1, 0));
  sweep.replicas = spec.integer("replicas", 1, 1, 1'000'000);
  const std::int64_t samples = spec.integer("samples", 1, 1, 10'000'000);
  const bool latin = spec.text("sampling", "lhs", {"lhs", "random"}) == "lhs";
  sweep.details = spec.boolean("details", false);
  if (const toml::node* set = spec.raw("set")) {
    const toml::array* list = set->as_array();
    if (list == nullptr || !list->is_homogeneous(toml::node_type::string)) {
      spec.error("set", "expected a list of \"key.path=value\" strings");
    } else {
      for (const auto& element : *list) sweep.fixed_overrides.push_back(element.value<std::string>().value());
    }
  }
  Section parameters(root, "parameters");
  for (const auto& key : parameters.keys()) sweep.parameters.push_back(read_parameter(parameters, key));
  const bool any_sampled =
      std::any_of(sweep.parameters.begin(), sweep.parameters.end(), [](const SweepParameter& p) { return p.sampled; });
  if (any_sampled && !spec.has("samples")) {
    spec.error("samples", "missing: range parameters need samples = N (how many draws)");
  }
  if (spec.has("samples") && !any_sampled) {
    spec.error("samples", "only range parameters { min = .., max = .. } are sampled; there are none");
  }
  parameters.reject_unread();
  spec.reject_unread();
  root.finish();

  const toml::node* scenario_node = file.root().at_path("sweep.scenario").node();
  const std::int64_t scenario_line = scenario_node ? static_cast<std::int64_t>(scenario_node->source().begin.line) : 0;
  sweep.scenario_file = (std::filesystem::path(sweep.file).parent_path() / scenario).lexically_normal().string();
  sweep.scenario_text = read_file(sweep.scenario_file, sweep.file, scenario_line, "sweep.scenario");
  // Count before expanding: a typo like replicas = 1_000_000 must not exhaust memory.
  std::int64_t count = sweep.replicas * (any_sampled ? samples : 1);
  for (const auto& p : sweep.parameters) {
    if (!p.sampled) count = count > max_points ? count : count * static_cast<std::int64_t>(p.values.size());
  }
  if (count > max_points) {
    throw ScenarioError({{sweep.file, 0, "",
                          "the sweep has at least " + std::to_string(count) + " points; at most " +
                              std::to_string(max_points) + " fit one sweep (split it)"}});
  }
  expand_points(sweep, any_sampled ? samples : 1, latin);
  if (sweep.points.empty()) throw ScenarioError({{sweep.file, 0, "parameters", "the sweep has no points"}});

  // The base as merged with its includes, so a change in an included file counts too.
  std::uint64_t hash = fnv1a(0xcbf29ce484222325ULL, Scenario::load(sweep.scenario_file).effective_text());
  for (const auto& o : sweep.fixed_overrides) hash = fnv1a(hash, o);
  hash = fnv1a(hash, sweep.details ? "details" : "");
  for (const auto& point : sweep.points) {
    hash = fnv1a(hash, std::to_string(point.seed));
    for (const auto& o : point.overrides) hash = fnv1a(hash, o);
  }
  sweep.fingerprint = hash;

  // A misspelt key or a wrong type in the base or the overrides is bad input for the whole
  // sweep; a combination that only some points reject is recorded as their failure.
  try {
    validate_scenario(sweep.scenario(sweep.points.front()));
  } catch (const ScenarioError& e) {
    std::vector<Diagnostic> problems{{sweep.file, 0, "",
                                      "the base scenario with the overrides of point 0 is invalid (" +
                                          sweep.scenario_file + " with " + join_overrides(sweep) + "):"}};
    problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    throw ScenarioError(std::move(problems));
  }
  return sweep;
}

Scenario Sweep::scenario(const SweepPoint& point) const {
  std::vector<std::string> all = fixed_overrides;
  all.insert(all.end(), point.overrides.begin(), point.overrides.end());
  return Scenario::parse(scenario_text, scenario_file, all);
}

std::filesystem::path point_details_path(const std::filesystem::path& details_dir, std::int64_t index) {
  return details_dir / (std::to_string(index) + ".h5");
}

PointResult run_point(const Sweep& sweep, std::int64_t index, const std::filesystem::path& details_dir) {
  const SweepPoint& point = sweep.points.at(static_cast<std::size_t>(index));
  PointResult result;
  result.index = index;
  result.seed = point.seed;
  const auto start = std::chrono::steady_clock::now();
  try {
    RunOptions options;
    options.seed = point.seed;
    if (sweep.details && !details_dir.empty()) options.output = point_details_path(details_dir, index);
    RunSummary summary = run_scenario(sweep.scenario(point), options);
    result.metrics = std::move(summary.metrics);
    result.ok = true;
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace scenarios
