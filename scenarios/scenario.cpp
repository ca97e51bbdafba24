#include "scenarios/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "scenarios/scenario_values.hpp"
#include "sim/echo.hpp"
#include "sim/input_file.hpp"
#include "sim/value_checks.hpp"

namespace scenarios {

namespace {
// What one message may echo of the input: a 10 MB key or value is shown by its start.
constexpr std::size_t kMessageChars = 1000;
constexpr std::size_t kMaxDiagnosticsShown = 100;

// Limits of one load (docs: README "Scenario files"): a scenario and each included file
// at most 16 MiB, at most 64 includes in all (repeats count: a fan-out of includes
// grows exponentially), 64 MiB of included text.
constexpr std::uint64_t kMaxScenarioBytes = sim::kMaxTextInputBytes;
constexpr int kMaxIncludes = 64;
constexpr std::uint64_t kMaxIncludedBytes = std::uint64_t{64} << 20;

}  // namespace

std::string Diagnostic::to_string() const {
  std::string where = sim::shorten_text(file, 4 * sim::kEchoChars);
  const bool from_option = file.rfind("--set ", 0) == 0;
  if (line > 0 && !from_option) where += ":" + std::to_string(line);
  return where + ": " + (key.empty() ? "" : sim::shorten_text(key, sim::kEchoChars) + ": ") +
         sim::shorten_text(message, kMessageChars);
}

namespace {
std::string join(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  std::size_t shown = 0;
  for (const auto& d : diagnostics) {
    if (shown == kMaxDiagnosticsShown) {
      text += "\n... and " + std::to_string(diagnostics.size() - shown) + " more problems";
      break;
    }
    if (!text.empty()) text += '\n';
    text += d.to_string();
    ++shown;
  }
  return text;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

// Splits "a.b.c" into its parts; empty parts are an error.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? path.size() : dot;
    parts.emplace_back(path.substr(start, end - start));
    if (parts.back().empty()) throw std::invalid_argument("empty component in key path");
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

void apply_override(toml::table& root, const std::string& assignment, const std::string& file,
                    std::vector<Diagnostic>& problems) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    problems.push_back({file, 0, assignment, "--set expects key.path=value"});
    return;
  }
  const std::string path = assignment.substr(0, eq);
  const std::string value_text = assignment.substr(eq + 1);
  std::vector<std::string> parts;
  try {
    parts = split_path(path);
  } catch (const std::invalid_argument&) {
    problems.push_back({file, 0, path, "--set key path has an empty component"});
    return;
  }
  // Values use TOML syntax (numbers, booleans, "strings", [arrays]); a bare word that is
  // not valid TOML is taken as a string, so --set routing.kind=spray works unquoted.
  toml::table parsed;
  try {
    // The source name makes problems with this value point at the option, not the file.
    parsed = toml::parse("v = " + value_text, "--set " + assignment);
  } catch (const toml::parse_error&) {
    // As a literal string where TOML allows one (it keeps the option as the value's
    // source); otherwise (quotes, newlines, control characters) the text itself, which the
    // readers then judge like any other string.
    parsed = toml::table{};
    if (value_text.find_first_of("'\n") == std::string::npos) {
      try {
        parsed = toml::parse("v = '" + value_text + "'", "--set " + assignment);
      } catch (const toml::parse_error&) {
      }
    }
    if (!parsed.contains("v")) parsed.insert("v", value_text);
  }
  toml::table* table = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    toml::node* child = table->get(parts[i]);
    if (child == nullptr) {
      table->insert(parts[i], toml::table{});
      child = table->get(parts[i]);
    }
    if (!child->is_table()) {
      problems.push_back({file, 0, path, "--set: " + parts[i] + " is not a table"});
      return;
    }
    table = child->as_table();
  }
  table->insert_or_assign(parts.back(), std::move(*parsed.get("v")));
}
}  // namespace

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}

Scenario::Scenario(Scenario&&) noexcept = default;
Scenario& Scenario::operator=(Scenario&&) noexcept = default;
Scenario::~Scenario() = default;

Scenario Scenario::load(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  std::string text;
  try {
    text = sim::read_input_file(path, kMaxScenarioBytes, "scenario file");
  } catch (const sim::InputFileError& e) {
    throw ScenarioError({{path.string(), 0, "", "cannot read the scenario file: " + e.problem()}});
  }
  return parse(text, path.string(), overrides);
}

namespace {
constexpr int kMaxIncludeDepth = 16;

struct IncludeBudget {
  int files = 0;
  std::uint64_t bytes = 0;
};

std::int64_t line_of_node(const toml::node& node) { return static_cast<std::int64_t>(node.source().begin.line); }

toml::table parse_toml(const std::string& text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw ScenarioError({{file, static_cast<std::int64_t>(e.source().begin.line), "",
                          "not valid TOML: " + std::string(e.description())}});
  }
}

// Deep merge: tables merge key by key, anything else in `overlay` replaces `base`. Nodes
// are moved, so each keeps the file and line it came from for diagnostics.
void merge_into(toml::table& base, toml::table&& overlay) {
  for (auto&& [key, node] : overlay) {
    toml::node* existing = base.get(key.str());
    if (existing != nullptr && existing->is_table() && node.is_table()) {
      merge_into(*existing->as_table(), std::move(*node.as_table()));
    } else {
      base.insert_or_assign(key, std::move(node));
    }
  }
}

std::vector<std::string> include_list(const toml::node& node, const std::string& file) {
  std::vector<std::string> names;
  if (const auto* name = node.as_string()) {
    names.push_back(name->get());
  } else if (const auto* array = node.as_array()) {
    for (const auto& element : *array) {
      if (!element.is_string()) {
        throw ScenarioError({{file, line_of_node(node), "include",
                              "expected a file name or an array of file names, found " + type_name(element)}});
      }
      names.push_back(element.value<std::string>().value());
    }
  } else {
    throw ScenarioError({{file, line_of_node(node), "include",
                          "expected a file name or an array of file names, got " + type_name(node)}});
  }
  return names;
}

// Replaces a top-level `include = "base.toml"` (or a list) by the included files' tables,
// merged in order, with this file's own keys on top. Paths are relative to this file.
void resolve_includes(toml::table& root, const std::string& file, std::vector<std::string>& chain,
                      IncludeBudget& budget) {
  const toml::node* include = root.get("include");
  if (include == nullptr) return;
  const auto names = include_list(*include, file);
  const std::int64_t include_line = line_of_node(*include);
  root.erase("include");
  if (chain.size() >= kMaxIncludeDepth) {
    throw ScenarioError({{file, include_line, "include", "includes nested too deeply (cycle?)"}});
  }
  toml::table merged;
  const auto dir = std::filesystem::path(file).parent_path();
  for (const auto& name : names) {
    const auto path = (dir / name).lexically_normal().string();
    if (std::find(chain.begin(), chain.end(), path) != chain.end()) {
      throw ScenarioError(
          {{file, include_line, "include", "\"" + sim::shorten_text(name, sim::kEchoChars) + "\" includes itself"}});
    }
    if (++budget.files > kMaxIncludes) {
      throw ScenarioError({{file, include_line, "include",
                            "more than " + std::to_string(kMaxIncludes) +
                                " includes in all (includes of includes and repeats count)"}});
    }
    std::string text;
    try {
      text = sim::read_input_file(path, std::min(kMaxScenarioBytes, kMaxIncludedBytes - budget.bytes), "included file");
    } catch (const sim::InputFileError& e) {
      throw ScenarioError({{file, include_line, "include",
                            "cannot open included file " + sim::shorten_text(path, 4 * sim::kEchoChars) + ": " +
                                e.problem() + (budget.bytes > 0 ? " (64 MiB of included text in all)" : "")}});
    }
    budget.bytes += text.size();
    toml::table included = parse_toml(text, path);
    chain.push_back(path);
    resolve_includes(included, path, chain, budget);
    chain.pop_back();
    merge_into(merged, std::move(included));
  }
  merge_into(merged, std::move(root));
  root = std::move(merged);
}
}  // namespace

Scenario Scenario::parse(std::string_view text, std::string file_name, const std::vector<std::string>& overrides) {
  Scenario scenario;
  scenario.file_ = std::move(file_name);
  scenario.text_ = std::string(text);
  scenario.root_ = std::make_unique<toml::table>(parse_toml(scenario.text_, scenario.file_));
  std::vector<std::string> chain{std::filesystem::path(scenario.file_).lexically_normal().string()};
  IncludeBudget budget;
  resolve_includes(*scenario.root_, scenario.file_, chain, budget);
  std::vector<Diagnostic> problems;
  for (const auto& assignment : overrides) apply_override(*scenario.root_, assignment, scenario.file_, problems);
  if (!problems.empty()) throw ScenarioError(std::move(problems));

  const toml::node* kind = scenario.root_->get("kind");
  if (kind == nullptr) {
    throw ScenarioError({{scenario.file_, 1, "kind", "missing: every scenario starts with kind = \"...\""}});
  }
  if (!kind->is_string()) {
    throw ScenarioError({{scenario.file_, line_of_node(*kind), "kind", "expected a string, got " + type_name(*kind)}});
  }
  scenario.kind_ = kind->value<std::string>().value();
  return scenario;
}

std::string Scenario::effective_text() const {
  std::ostringstream out;
  out << *root_;
  return out.str();
}

Section::Section(const Scenario& scenario, std::string_view path)
    : scenario_(&scenario), path_(path), diagnostics_(std::make_shared<std::vector<Diagnostic>>()) {
  table_ = &scenario.root();
  if (!path.empty()) {
    for (const auto& part : split_path(path)) {
      const toml::node* node = table_->get(part);
      if (node == nullptr || !node->is_table()) {
        table_ = nullptr;
        break;
      }
      table_ = node->as_table();
    }
  }
  if (path_.empty()) read_.push_back("kind");
}

Section::Section(const Section& parent, std::string_view key)
    : scenario_(parent.scenario_), diagnostics_(parent.diagnostics_) {
  path_ = parent.qualified(key);
  const_cast<Section&>(parent).read_.emplace_back(key);
  const toml::node* node = parent.table_ ? parent.table_->get(key) : nullptr;
  if (node != nullptr && !node->is_table()) {
    diagnostics_->push_back({file_of(node), line_of(node), path_, "expected a table, got " + type_name(*node)});
  } else if (node != nullptr) {
    table_ = node->as_table();
  }
}

Section::Section(const Section& parent, std::string_view key, std::size_t index)
    : scenario_(parent.scenario_), diagnostics_(parent.diagnostics_) {
  path_ = parent.qualified(key) + "[" + std::to_string(index + 1) + "]";
  const toml::node* node = parent.table_ ? parent.table_->get(key) : nullptr;
  const toml::array* array = node ? node->as_array() : nullptr;
  if (array != nullptr && index < array->size()) table_ = array->get(index)->as_table();
}

std::size_t Section::table_count(std::string_view key) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return 0;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    diagnostics_->push_back({file_of(node), line_of(node), qualified(key),
                             "expected an array of tables ([[" + std::string(key) + "]]), got " + type_name(*node)});
    return 0;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (!array->get(i)->is_table()) {
      diagnostics_->push_back({file_of(array->get(i)), line_of(array->get(i)),
                               qualified(key) + "[" + std::to_string(i + 1) + "]", "expected a table"});
    }
  }
  return array->size();
}

std::string Section::qualified(std::string_view key) const {
  if (key.empty()) return path_;  // a problem of the whole table
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::int64_t Section::line_of(const toml::node* node) const {
  if (node == nullptr) return table_ ? static_cast<std::int64_t>(table_->source().begin.line) : 0;
  return static_cast<std::int64_t>(node->source().begin.line);
}

// Keys from an included file are reported against that file.
std::string Section::file_of(const toml::node* node) const {
  const toml::node* where = node != nullptr ? node : table_;
  if (where != nullptr && where->source().path) return *where->source().path;
  return scenario_->file();
}

std::vector<std::string> Section::keys() const {
  std::vector<std::pair<std::int64_t, std::string>> lines;
  if (table_ != nullptr) {
    for (const auto& [key, node] : *table_) lines.emplace_back(line_of(&node), std::string(key.str()));
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> keys;
  for (auto& [line, key] : lines) keys.push_back(std::move(key));
  return keys;
}

bool Section::has(std::string_view key) const { return table_ != nullptr && table_->contains(key); }

const toml::node* Section::lookup(std::string_view key) {
  read_.emplace_back(key);
  return table_ ? table_->get(key) : nullptr;
}

void Section::error(std::string_view key, std::string message) {
  const toml::node* node = table_ ? table_->get(key) : nullptr;
  diagnostics_->push_back({file_of(node), line_of(node), qualified(key), std::move(message)});
}

namespace {
std::string format_number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}
}  // namespace

double Section::number(std::string_view key, std::optional<double> fallback, double min, double max) {
  const toml::node* node = lookup(key);
  if (node == nullptr) {
    if (!fallback) error(key, "missing: expected a number");
    return fallback.value_or(0.0);
  }
  const auto value = sim::checked_number(value_of(*node));
  if (!value.value) {
    error(key, value.problem);
    return fallback.value_or(0.0);
  }
  const double x = *value.value;
  if (!std::isfinite(x) || x < min || x > max) {
    error(key,
          "expected a number in [" + format_number(min) + ", " + format_number(max) + "], got " + format_number(x));
  }
  return x;
}

std::int64_t Section::integer(std::string_view key, std::optional<std::int64_t> fallback, std::int64_t min,
                              std::int64_t max) {
  const toml::node* node = lookup(key);
  if (node == nullptr) {
    if (!fallback) error(key, "missing: expected an integer");
    return fallback.value_or(0);
  }
  if (!node->is_integer()) {
    error(key, "expected an integer, got " + type_name(*node));
    return fallback.value_or(0);
  }
  const std::int64_t value = node->value<std::int64_t>().value();
  if (value < min || value > max) {
    error(key, "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                   std::to_string(value));
  }
  return value;
}

std::string Section::text(std::string_view key, std::optional<std::string> fallback,
                          const std::vector<std::string>& choices) {
  const toml::node* node = lookup(key);
  if (node == nullptr) {
    if (!fallback) error(key, "missing: expected a string");
    return fallback.value_or("");
  }
  if (!node->is_string()) {
    error(key, "expected a string, got " + type_name(*node));
    return fallback.value_or("");
  }
  std::string value = node->value<std::string>().value();
  if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    error(key, "expected one of " + list + ", got \"" + sim::shorten_text(value, sim::kEchoChars) + "\"");
  }
  return value;
}

bool Section::boolean(std::string_view key, std::optional<bool> fallback) {
  const toml::node* node = lookup(key);
  if (node == nullptr) {
    if (!fallback) error(key, "missing: expected true or false");
    return fallback.value_or(false);
  }
  if (!node->is_boolean()) {
    error(key, "expected true or false, got " + type_name(*node));
    return fallback.value_or(false);
  }
  return node->value<bool>().value();
}

std::uint64_t Section::size_bytes(std::string_view key, std::optional<std::uint64_t> fallback) {
  const toml::node* node = lookup(key);
  if (node == nullptr) {
    if (!fallback) error(key, "missing: expected " + std::string(sim::kSizeForm));
    return fallback.value_or(0);
  }
  const auto bytes = sim::checked_size_bytes(value_of(*node));
  if (!bytes.value) error(key, bytes.problem);
  return bytes.value.value_or(fallback.value_or(0));
}

std::int64_t Section::duration_ps(std::string_view key, std::optional<std::int64_t> fallback) {
  const toml::node* node = lookup(key);
  // A key named with its time unit ("link_down_at_us") takes plain numbers in that unit.
  const std::size_t underscore = key.rfind('_');
  const double unit_ps = underscore == std::string_view::npos ? 0.0 : sim::ps_per_unit(key.substr(underscore + 1));
  if (node == nullptr) {
    if (!fallback) error(key, "missing: expected " + sim::duration_form(unit_ps));
    return fallback.value_or(0);
  }
  const auto duration = sim::checked_duration(value_of(*node), unit_ps);
  if (!duration.value) {
    error(key, duration.problem);
    return fallback.value_or(0);
  }
  return duration.value->ps();
}

sim::Time Section::duration(std::string_view key, std::optional<sim::Time> fallback) {
  const auto ps = duration_ps(key, fallback ? std::optional<std::int64_t>(fallback->ps()) : std::nullopt);
  return sim::Time::from_ps(ps);
}

std::vector<double> Section::numbers(std::string_view key, std::optional<std::vector<double>> fallback) {
  const toml::node* node = lookup(key);
  if (node == nullptr) {
    if (!fallback) error(key, "missing: expected an array of numbers");
    return fallback.value_or(std::vector<double>{});
  }
  const toml::array* array = node->as_array();
  std::vector<double> values;
  if (array == nullptr) {
    error(key, "expected an array of numbers, got " + type_name(*node));
    return values;
  }
  for (const auto& element : *array) {
    if (!element.is_number()) {
      error(key, "expected an array of numbers, found " + type_name(element) + " in it");
      return {};
    }
    values.push_back(element.value<double>().value());
  }
  return values;
}

void Section::reject_unread() {
  if (table_ == nullptr) return;
  for (const auto& [key, node] : *table_) {
    if (std::find(read_.begin(), read_.end(), key.str()) == read_.end()) {
      diagnostics_->push_back(
          {file_of(&node), static_cast<std::int64_t>(node.source().begin.line), qualified(key.str()), "unknown key"});
    }
  }
}

void Section::throw_if_errors() const {
  if (diagnostics_->empty()) return;
  auto sorted = *diagnostics_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  throw ScenarioError(std::move(sorted));
}

void Section::finish() {
  reject_unread();
  throw_if_errors();
}

}  // namespace scenarios
