#include "models/accelerator/scalesim_topology.hpp"

#include <array>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "sim/input_file.hpp"

namespace models::accelerator {

namespace {

constexpr std::array<std::string_view, 8> kColumns = {"IFMAP height", "IFMAP width", "filter height", "filter width",
                                                      "channels",     "num filters", "stride height", "stride width"};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (std::size_t start = 0;;) {
    const auto comma = line.find(',', start);
    fields.push_back(
        trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  while (!fields.empty() && fields.back().empty()) fields.pop_back();  // the trailing comma
  return fields;
}

}  // namespace

std::vector<TopologyLayer> read_scalesim_topology(const std::filesystem::path& file) {
  std::istringstream in(sim::read_input_file(file, sim::kMaxTextInputBytes, "SCALE-Sim topology file"));
  std::vector<TopologyLayer> layers;
  std::string text;
  for (std::size_t line_no = 1; std::getline(in, text); ++line_no) {
    const auto where = [&](const std::string& what) {
      return std::invalid_argument(file.string() + ":" + std::to_string(line_no) + ": " + what);
    };
    if (line_no == 1 || trim(text).empty()) continue;  // the header, as SCALE-Sim skips it
    const auto fields = split_fields(text);
    if (fields.size() != 8 && fields.size() != 9) {
      throw where(
          "expected 8 or 9 comma-separated fields (name, IFMAP height, IFMAP width, filter height, filter "
          "width, channels, num filters, stride height[, stride width]), got " +
          std::to_string(fields.size()));
    }
    if (fields[0].empty()) throw where("the layer name is empty");
    std::array<std::uint64_t, 8> v{};
    for (std::size_t i = 1; i < fields.size(); ++i) {
      const std::string_view f = fields[i];
      std::uint64_t x = 0;
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), x);
      if (ec != std::errc() || end != f.data() + f.size() || x == 0) {
        throw where(std::string(kColumns[i - 1]) + " must be a positive integer, got \"" + std::string(f) + "\"");
      }
      v[i - 1] = x;
    }
    if (fields.size() == 8) v[7] = v[6];  // one stride for both directions
    if (v[2] > v[0] || v[3] > v[1]) throw where("the filter is larger than the IFMAP");
    if (v[6] != v[7]) throw where("different stride height and width are not supported");
    TopologyLayer layer;
    layer.name = std::string(fields[0]);
    Conv2dShape& c = layer.conv;
    c.height = v[0];
    c.width = v[1];
    c.kernel_h = v[2];
    c.kernel_w = v[3];
    c.in_channels = v[4];
    c.out_channels = v[5];
    c.stride = v[6];
    c.padding = 0;
    if (layer.name.find("DP") != std::string::npos) {
      c.groups = v[4];
      c.out_channels = v[4] * v[5];
    }
    layers.push_back(std::move(layer));
  }
  if (layers.empty()) throw std::invalid_argument(file.string() + ": no layers after the header line");
  return layers;
}

}  // namespace models::accelerator
