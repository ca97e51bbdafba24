#include "models/search/accuracy_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "models/cost/latency_table.hpp"

namespace models::search {

namespace {

constexpr std::size_t kMaxListed = 20;  // problems listed in one error

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  const auto b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string{} : s.substr(a, b - a + 1);
}

std::string key_of(const SearchSpace& space, const Genome& g, bool by_precision) {
  return by_precision ? space.format(g) + "|" + space.format_precision(g) : space.format(g);
}

}  // namespace

std::optional<double> AccuracyTable::find(const SearchSpace& space, const Genome& g) const {
  const auto it = values.find(key_of(space, g, by_precision));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

AccuracyTable read_accuracy_table(const std::filesystem::path& path, const std::string& column,
                                  const SearchSpace& space) {
  AccuracyTable t;
  t.file = path.string();
  t.column = column;
  // CNN tables: the cost layer's reader knows every column format and names bad rows.
  std::optional<cost::LatencyTable> cnn;
  if (const auto s = space.cost_space()) cnn = cost::read_latency_table(path, *s);
  const cost::CsvTable csv = cnn ? cnn->csv : cost::read_csv(path);
  const auto col = [&csv](const std::string& name) -> std::optional<std::size_t> {
    const auto it = std::find(csv.header.begin(), csv.header.end(), name);
    if (it == csv.header.end()) return std::nullopt;
    return static_cast<std::size_t>(it - csv.header.begin());
  };
  const auto value_col = col(column);
  if (!value_col) {
    std::string known;
    for (const auto& h : csv.header) known += (known.empty() ? "" : ", ") + h;
    throw std::invalid_argument(t.file + ": no column \"" + column + "\" (columns: " + known + ")");
  }
  const auto arch_col = col("arch");
  if (!cnn && !arch_col)
    throw std::invalid_argument(t.file + ": an `arch` column is needed for the " + std::string(space.name()) +
                                " space");
  const auto precision_col = col("precision");
  t.by_precision = precision_col.has_value();
  if (t.by_precision && space.precision_layers() == 0) {
    throw std::invalid_argument(t.file +
                                ": the table has a precision column but the search has no precision dimension");
  }
  std::vector<std::string> problems;
  std::unordered_map<std::string, std::size_t> line_of;
  const auto problem = [&](std::size_t r, const std::string& what) {
    if (problems.size() < kMaxListed) problems.push_back(t.file + ":" + std::to_string(csv.lines[r]) + ": " + what);
  };
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string cell = trim(csv.rows[r][*value_col]);
    if (cell.empty()) continue;
    char* end = nullptr;
    const double v = std::strtod(cell.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v)) {
      problem(r, "column " + column + ": \"" + cell.substr(0, 40) + "\" is not a finite number");
      continue;
    }
    Genome g;
    try {
      const std::string precision = precision_col ? trim(csv.rows[r][*precision_col]) : std::string{};
      if (cnn) {
        g = space.from_arch(cnn->archs[r]);
        if (!precision.empty()) g = space.parse(space.format(g), precision);
      } else {
        g = space.parse(trim(csv.rows[r][*arch_col]), precision);
      }
    } catch (const std::invalid_argument& e) {
      problem(r, std::string("architecture outside the searched space: ") + e.what());
      continue;
    }
    const std::string key = key_of(space, g, t.by_precision);
    const auto [it, fresh] = line_of.emplace(key, csv.lines[r]);
    if (!fresh) {
      problem(r, "the architecture of line " + std::to_string(it->second) + " again");
      continue;
    }
    t.values.emplace(key, v);
  }
  if (!problems.empty()) {
    std::string text =
        std::to_string(problems.size()) + (problems.size() == kMaxListed ? "+" : "") + " bad rows in " + t.file + ":";
    for (const auto& p : problems) text += "\n  " + p;
    throw std::invalid_argument(text);
  }
  if (t.values.empty()) throw std::invalid_argument(t.file + ": column " + column + " holds no values");
  return t;
}

}  // namespace models::search
