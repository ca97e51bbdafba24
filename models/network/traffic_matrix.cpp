// The two CSV inputs of the traffic workloads: traffic matrices (src, dst, bytes, start)
// and flow-size CDFs (bytes, cdf). Both go through sim::read_input_file and name
// file:line:column in every error.

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "models/network/traffic_sources.hpp"
#include "sim/input_file.hpp"

namespace models::network {

namespace {

struct Field {
  std::string_view text;
  std::size_t column = 1;  // 1-based, of the field's first character
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<Field> split(std::string_view line) {
  std::vector<Field> out;
  for (std::size_t start = 0;;) {
    const auto comma = line.find(',', start);
    const auto raw = line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    const auto lead = raw.find_first_not_of(" \t");
    out.push_back({trim(raw), start + 1 + (lead == std::string_view::npos ? 0 : lead)});
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

// Quotes what a field held, cut short: a hostile file may put megabytes in one field.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out + (s.size() > 40 ? "...\"" : "\"");
}

class Reader {
 public:
  Reader(const std::filesystem::path& file, std::uint64_t max_bytes, std::string_view what)
      : file_(file), text_(sim::read_input_file(file, max_bytes, what)) {
    if (text_.size() >= 3 && text_.compare(0, 3, "\xef\xbb\xbf") == 0) pos_ = 3;  // a UTF-8 byte-order mark
  }

  // The next line that is neither blank nor a comment; false at the end.
  bool next(std::string_view& line) {
    while (pos_ < text_.size()) {
      const auto end = text_.find('\n', pos_);
      line = std::string_view(text_).substr(pos_, end == std::string::npos ? std::string::npos : end - pos_);
      pos_ = end == std::string::npos ? text_.size() : end + 1;
      ++line_;
      const auto t = trim(line);
      if (!t.empty() && t.front() != '#') return true;
    }
    return false;
  }

  [[noreturn]] void fail(std::size_t column, const std::string& problem) const {
    throw std::invalid_argument(file_.string() + ":" + std::to_string(line_) + ":" + std::to_string(column) + ": " +
                                problem);
  }

  double number(const Field& f, std::string_view name) const {
    double v = 0;
    const auto* end = f.text.data() + f.text.size();
    const auto [stop, ec] = std::from_chars(f.text.data(), end, v);
    if (f.text.empty() || ec != std::errc() || stop != end || !std::isfinite(v)) {
      fail(f.column, "expected " + std::string(name) + " as a finite number, got " + quoted(f.text));
    }
    return v;
  }

  std::size_t line() const { return line_; }

 private:
  std::filesystem::path file_;
  std::string text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
};

constexpr std::array<std::pair<std::string_view, double>, 5> kStartUnits = {
    {{"start_ps", 1e-12}, {"start_ns", 1e-9}, {"start_us", 1e-6}, {"start_ms", 1e-3}, {"start_s", 1.0}}};

}  // namespace

std::vector<TimedTransfer> read_traffic_matrix(const std::filesystem::path& file,
                                               const std::vector<std::string>& endpoint_names) {
  Reader in(file, kMaxTrafficFileBytes, "traffic matrix file");
  std::string_view line;
  if (!in.next(line)) {
    throw std::invalid_argument(file.string() +
                                ": expected a header line naming src, dst, bytes and start_us "
                                "(or start_ps, start_ns, start_ms, start_s); the file has none");
  }
  // Column of each field: 0 src, 1 dst, 2 bytes, 3 start.
  std::array<std::optional<std::size_t>, 4> at;
  double start_unit_s = 0;
  const auto header = split(line);
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto name = header[i].text;
    std::optional<std::size_t> which;
    if (name == "src") which = 0;
    if (name == "dst") which = 1;
    if (name == "bytes") which = 2;
    for (const auto& [unit, factor] : kStartUnits) {
      if (name == unit) {
        which = 3;
        start_unit_s = factor;
      }
    }
    if (!which) {
      in.fail(header[i].column,
              "expected a column name src, dst, bytes or start_us (start_ps, start_ns, start_ms, "
              "start_s), got " +
                  quoted(name));
    }
    if (at[*which]) in.fail(header[i].column, "column " + quoted(name) + " given twice");
    at[*which] = i;
  }
  constexpr std::array<std::string_view, 4> kNames = {"src", "dst", "bytes", "start_us"};
  for (std::size_t c = 0; c < 4; ++c) {
    if (!at[c]) in.fail(1, "expected a column " + std::string(kNames[c]) + " in the header");
  }

  std::unordered_map<std::string_view, std::uint32_t> by_name;
  for (std::uint32_t i = 0; i < endpoint_names.size(); ++i) by_name.emplace(endpoint_names[i], i);
  const auto host = [&](const Field& f, std::string_view column) {
    std::uint64_t index = 0;
    const auto* end = f.text.data() + f.text.size();
    const auto [stop, ec] = std::from_chars(f.text.data(), end, index);
    if (!f.text.empty() && ec == std::errc() && stop == end) {
      if (index < endpoint_names.size()) return static_cast<std::uint32_t>(index);
      in.fail(f.column, std::string(column) + ": no endpoint " + std::to_string(index) + " (the topology has " +
                            std::to_string(endpoint_names.size()) + " endpoints, 0.." +
                            std::to_string(endpoint_names.size() - 1) + ")");
    }
    const auto found = by_name.find(f.text);
    if (found == by_name.end()) {
      in.fail(f.column, "expected " + std::string(column) + " as an endpoint index or name (\"" +
                            (endpoint_names.empty() ? std::string() : endpoint_names.front()) + "\"), got " +
                            quoted(f.text));
    }
    return found->second;
  };

  std::vector<TimedTransfer> out;
  while (in.next(line)) {
    const auto fields = split(line);
    if (fields.size() != header.size()) {
      in.fail(fields.back().column, "expected " + std::to_string(header.size()) + " comma-separated fields, got " +
                                        std::to_string(fields.size()));
    }
    if (out.size() == kMaxTrafficTransfers) {
      in.fail(1, "more than " + std::to_string(kMaxTrafficTransfers) + " transfers");
    }
    TimedTransfer t;
    t.src = host(fields[*at[0]], "src");
    t.dst = host(fields[*at[1]], "dst");
    if (t.src == t.dst) in.fail(fields[*at[1]].column, "expected dst to differ from src");
    const Field& b = fields[*at[2]];
    const double bytes = in.number(b, "bytes");
    if (!(bytes >= 1 && bytes <= static_cast<double>(kMaxTransferBytes) && bytes == std::floor(bytes))) {
      in.fail(b.column, "expected bytes as a whole number from 1 to 2^40, got " + quoted(b.text));
    }
    t.bytes = static_cast<std::uint64_t>(bytes);
    const Field& s = fields[*at[3]];
    const double start_s = in.number(s, header[*at[3]].text) * start_unit_s;
    if (!(start_s >= 0 && start_s <= kMaxTrafficStartS)) {
      in.fail(s.column, "expected " + std::string(header[*at[3]].text) + " from 0 to 1 hour, got " + quoted(s.text));
    }
    t.start = sim::Time::from_seconds(start_s);
    out.push_back(t);
  }
  if (out.empty()) throw std::invalid_argument(file.string() + ": expected transfers after the header line, got none");
  return out;
}

FlowSizes read_size_cdf(const std::filesystem::path& file) {
  Reader in(file, sim::kMaxTextInputBytes, "flow-size CDF file");
  FlowSizes sizes;
  sizes.kind = FlowSizes::Kind::cdf;
  std::string_view line;
  bool first = true;
  while (in.next(line)) {
    const auto fields = split(line);
    if (first && fields.size() == 2 && fields[0].text == "bytes" && fields[1].text == "cdf") {
      first = false;
      continue;
    }
    first = false;
    if (fields.size() != 2) {
      in.fail(fields.back().column,
              "expected 2 comma-separated fields (bytes, cdf), got " + std::to_string(fields.size()));
    }
    const double bytes = in.number(fields[0], "bytes");
    const double p = in.number(fields[1], "cdf");
    if (!(bytes >= 0 && bytes <= static_cast<double>(kMaxTransferBytes))) {
      in.fail(fields[0].column, "expected bytes from 0 to 2^40, got " + quoted(fields[0].text));
    }
    if (!sizes.cdf.empty() && !(bytes > sizes.cdf.back().first)) {
      in.fail(fields[0].column, "expected bytes above the previous row's, got " + quoted(fields[0].text));
    }
    if (!(p >= 0 && p <= 1) || (!sizes.cdf.empty() && p < sizes.cdf.back().second)) {
      in.fail(fields[1].column,
              "expected cdf from 0 to 1, not below the previous row's, got " + quoted(fields[1].text));
    }
    if (sizes.cdf.size() == 100'000) in.fail(1, "more than 100000 points");
    sizes.cdf.emplace_back(bytes, p);
  }
  if (sizes.cdf.empty() || sizes.cdf.back().second != 1.0) {
    throw std::invalid_argument(file.string() + ":" + std::to_string(in.line()) +
                                ": expected the last row's cdf to be 1");
  }
  if (sizes.cdf.back().first < 1) {
    throw std::invalid_argument(file.string() + ": expected some size of at least 1 byte");
  }
  return sizes;
}

}  // namespace models::network
