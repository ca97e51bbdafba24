#include "models/cost/latency_table.hpp"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "sim/output_file.hpp"

namespace models::cost {

namespace {

struct Collector {
  std::vector<std::string> fields;
  std::vector<std::vector<std::string>> records;
};

void on_field(void* text, std::size_t length, void* data) {
  auto* c = static_cast<Collector*>(data);
  c->fields.emplace_back(text ? static_cast<const char*>(text) : "", text ? length : 0);
}

void on_record(int, void* data) {
  auto* c = static_cast<Collector*>(data);
  c->records.push_back(std::move(c->fields));
  c->fields.clear();
}

constexpr std::size_t kMaxListed = 20;  // problems listed in one error

std::string trim(std::string s) {
  const auto a = s.find_first_not_of(" \t\r");
  const auto b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string{} : s.substr(a, b - a + 1);
}

const std::vector<std::string>& non_device_columns() {
  static const std::vector<std::string> names{"nb201_index", "sample",  "index", "arch_str", "op_idx_22", "op_str_22",
                                              "resolution",  "depth_5", "ks_20", "e_20",     "arch",      "space"};
  return names;
}

bool is_predicted(const std::string& name) { return name.rfind("predicted_", 0) == 0; }

}  // namespace

CsvTable read_csv(const std::filesystem::path& path, std::uint64_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw std::invalid_argument(path.string() + ": no such file");
  if (!std::filesystem::is_regular_file(status)) throw std::invalid_argument(path.string() + ": not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw std::invalid_argument(path.string() + ": cannot read its size");
  if (size > max_bytes) {
    throw std::invalid_argument(path.string() + ": " + std::to_string(size) + " bytes, more than the limit of " +
                                std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path.string() + ": cannot open");
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));

  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0)
    throw std::runtime_error("csv_init failed");
  Collector collector;
  std::vector<std::size_t> record_lines;
  // Parse line by line so that errors and rows know their line.
  std::size_t line = 1, start = 0;
  bool failed = false;
  std::string message;
  while (start < text.size() && !failed) {
    std::size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::size_t before = collector.records.size();
    if (csv_parse(&parser, text.data() + start, end - start, on_field, on_record, &collector) != end - start) {
      failed = true;
      message = path.string() + ":" + std::to_string(line) + ": " + csv_strerror(csv_error(&parser));
    }
    for (std::size_t r = before; r < collector.records.size(); ++r) record_lines.push_back(line);
    start = end;
    ++line;
  }
  if (!failed && csv_fini(&parser, on_field, on_record, &collector) != 0) {
    failed = true;
    message = path.string() + ":" + std::to_string(line - 1) + ": " + csv_strerror(csv_error(&parser));
  }
  while (record_lines.size() < collector.records.size()) record_lines.push_back(line - 1);
  csv_free(&parser);
  if (failed) throw std::invalid_argument(message);

  CsvTable table;
  table.file = path.string();
  auto& records = collector.records;
  // Blank lines come back as one empty field: skip them.
  std::size_t first = 0;
  while (first < records.size() && records[first].size() == 1 && trim(records[first][0]).empty()) ++first;
  if (first == records.size()) throw std::invalid_argument(table.file + ": empty file (expected a header row)");
  for (auto& h : records[first]) table.header.push_back(trim(h));
  std::string problems;
  std::size_t problem_count = 0;
  for (std::size_t r = first + 1; r < records.size(); ++r) {
    if (records[r].size() == 1 && trim(records[r][0]).empty()) continue;
    if (records[r].size() != table.header.size()) {
      if (problem_count++ < kMaxListed) {
        problems += "\n  " + table.file + ":" + std::to_string(record_lines[r]) + ": " +
                    std::to_string(records[r].size()) + " fields, the header has " +
                    std::to_string(table.header.size());
      }
      continue;
    }
    table.rows.push_back(std::move(records[r]));
    table.lines.push_back(record_lines[r]);
  }
  if (problem_count > 0) {
    throw std::invalid_argument(table.file + ": " + std::to_string(problem_count) + " malformed rows:" + problems);
  }
  return table;
}

void write_csv(const std::filesystem::path& path, const CsvTable& table) {
  std::string out;
  const auto write_row = [&out](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      std::vector<char> quoted(2 * row[i].size() + 3);
      const std::size_t n = csv_write(quoted.data(), quoted.size(), row[i].data(), row[i].size());
      const bool needs_quotes = row[i].find_first_of(",\"\n\r") != std::string::npos;
      out += needs_quotes ? std::string_view(quoted.data(), n) : std::string_view(row[i]);
    }
    out += '\n';
  };
  write_row(table.header);
  for (const auto& row : table.rows) write_row(row);
  sim::write_file_atomically(path, out, "CSV file");
}

std::optional<Space> detect_space(const std::vector<std::string>& header) {
  const auto has = [&header](std::string_view name) {
    return std::find(header.begin(), header.end(), name) != header.end();
  };
  if (has("arch_str")) return Space::nb201;
  if (has("op_str_22") || has("op_idx_22")) return Space::fbnet;
  if (has("resolution") && has("depth_5") && has("ks_20") && has("e_20")) return Space::ofa_mbv3;
  return std::nullopt;
}

std::uint64_t column_batch(const std::string& column) {
  const auto underscore = column.rfind('_');
  if (underscore == std::string::npos) return 1;
  // Xeon columns end in their model number (gold_6240), not a batch size.
  const std::string family = column.substr(0, underscore);
  if (family == "gold" || family == "silver" || family == "platinum") return 1;
  std::uint64_t batch = 0;
  const char* first = column.data() + underscore + 1;
  const char* last = column.data() + column.size();
  const auto [end, ec] = std::from_chars(first, last, batch);
  return ec == std::errc() && end == last && batch > 0 ? batch : 1;
}

std::optional<std::size_t> LatencyTable::column_index(const std::string& name) const {
  const auto it = std::find(csv.header.begin(), csv.header.end(), name);
  if (it == csv.header.end()) return std::nullopt;
  return static_cast<std::size_t>(it - csv.header.begin());
}

std::vector<double> LatencyTable::column_ms(const std::string& name) const {
  const auto index = column_index(name);
  if (!index || std::find(device_columns.begin(), device_columns.end(), name) == device_columns.end()) {
    std::string known;
    for (const auto& c : device_columns) known += (known.empty() ? "" : ", ") + c;
    throw std::invalid_argument(csv.file + ": no device column \"" + name + "\" (columns: " + known + ")");
  }
  std::vector<double> out(csv.rows.size());
  std::string problems;
  std::size_t problem_count = 0;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string cell = trim(csv.rows[r][*index]);
    if (cell.empty()) {
      out[r] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    double v = 0;
    const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec != std::errc() || end != cell.data() + cell.size() || !(v > 0) || !std::isfinite(v)) {
      if (problem_count++ < kMaxListed) {
        problems += "\n  " + csv.file + ":" + std::to_string(csv.lines[r]) + ": column " + name +
                    ": expected a positive number of milliseconds, got \"" + cell.substr(0, 40) + "\"";
      }
      continue;
    }
    out[r] = v;
  }
  if (problem_count > 0) {
    throw std::invalid_argument(csv.file + ": " + std::to_string(problem_count) + " bad latency cells:" + problems);
  }
  return out;
}

LatencyTable read_latency_table(const std::filesystem::path& path, std::optional<Space> space) {
  LatencyTable t;
  t.csv = read_csv(path);
  const auto& h = t.csv.header;
  const auto detected = detect_space(h);
  const auto col = [&](std::string_view name) -> std::optional<std::size_t> {
    const auto it = std::find(h.begin(), h.end(), name);
    return it == h.end() ? std::nullopt : std::optional<std::size_t>(it - h.begin());
  };
  const bool generic = col("arch").has_value();
  if (!space) space = detected;
  if (!space) {
    throw std::invalid_argument(t.csv.file +
                                ": cannot tell the space from the columns (expected arch_str for nb201, op_str_22 or "
                                "op_idx_22 for fbnet, resolution/depth_5/ks_20/e_20 for ofa-mbv3, or an `arch` column "
                                "with the space given)");
  }
  if (detected && *detected != *space && !generic) {
    throw std::invalid_argument(t.csv.file + ": columns are those of the " + std::string(space_name(*detected)) +
                                " space, not " + std::string(space_name(*space)));
  }
  if (!detected && !generic) {
    throw std::invalid_argument(t.csv.file +
                                ": no architecture column (arch_str, op_str_22 or op_idx_22, "
                                "resolution/depth_5/ks_20/e_20, or arch)");
  }
  t.space = *space;
  std::string problems;
  std::size_t problem_count = 0;
  t.archs.resize(t.csv.rows.size());
  for (std::size_t r = 0; r < t.csv.rows.size(); ++r) {
    const auto& row = t.csv.rows[r];
    std::string column;
    try {
      if (detected == t.space) {
        switch (t.space) {
          case Space::nb201:
            column = "arch_str";
            t.archs[r] = parse_arch(t.space, trim(row[*col("arch_str")]));
            break;
          case Space::fbnet:
            column = col("op_str_22") ? "op_str_22" : "op_idx_22";
            t.archs[r] = parse_arch(t.space, trim(row[*col(column)]));
            break;
          case Space::ofa_mbv3: {
            column = "resolution";
            const std::string res = trim(row[*col("resolution")]);
            std::uint64_t r_px = 0;
            const auto [end, ec] = std::from_chars(res.data(), res.data() + res.size(), r_px);
            if (ec != std::errc() || end != res.data() + res.size()) {
              throw std::invalid_argument("expected an integer resolution, got \"" + res.substr(0, 40) + "\"");
            }
            column = "depth_5/ks_20/e_20";
            t.archs[r] = parse_ofa(r_px, trim(row[*col("depth_5")]), trim(row[*col("ks_20")]), trim(row[*col("e_20")]));
            break;
          }
        }
      } else {
        column = "arch";
        t.archs[r] = parse_arch(t.space, trim(row[*col("arch")]));
      }
    } catch (const std::invalid_argument& e) {
      if (problem_count++ < kMaxListed) {
        problems += "\n  " + t.csv.file + ":" + std::to_string(t.csv.lines[r]) + ": column " + column + ": " + e.what();
      }
    }
  }
  if (problem_count > 0) {
    throw std::invalid_argument(t.csv.file + ": " + std::to_string(problem_count) +
                                " rows with a bad architecture:" + problems);
  }
  for (const auto& name : h) {
    const auto& skip = non_device_columns();
    if (std::find(skip.begin(), skip.end(), name) == skip.end() && !is_predicted(name))
      t.device_columns.push_back(name);
  }
  return t;
}

}  // namespace models::cost
