#include "models/accelerator/device.hpp"

#include <cmath>
#include <deque>
#include <stdexcept>

namespace models::accelerator {

namespace {

constexpr std::array<std::uint32_t, kDataTypeCount> kTypeBytes = {4, 4, 2, 2, 1, 1};

void require(bool ok, const Device& device, const std::string& what) {
  if (!ok) throw std::invalid_argument("device \"" + device.name + "\": " + what);
}

bool positive_finite(double x) { return std::isfinite(x) && x > 0.0; }
bool non_negative_finite(double x) { return std::isfinite(x) && x >= 0.0; }

bool fraction(double x) { return std::isfinite(x) && x > 0.0 && x <= 1.0; }

void validate_kernel_and_runtime(const Device& device) {
  const KernelSpec& k = device.kernel;
  require(fraction(k.matrix_efficiency), device, "kernel.matrix_efficiency must be in (0, 1]");
  require(fraction(k.vector_efficiency), device, "kernel.vector_efficiency must be in (0, 1]");
  require(fraction(k.memory_efficiency), device, "kernel.memory_efficiency must be in (0, 1]");
  for (const auto& [value, key] :
       {std::pair{k.mma_m, "kernel.mma_m"}, {k.mma_n, "kernel.mma_n"}, {k.mma_k, "kernel.mma_k"}}) {
    require(value >= 1 && value <= 4096, device, std::string(key) + " must be in 1..4096");
  }
  require((k.block_m == 0) == (k.block_n == 0), device, "kernel.block_m and kernel.block_n are set together");
  require(k.block_m == 0 || (k.block_m >= k.mma_m && k.block_n >= k.mma_n), device,
          "kernel.block_m x block_n must hold at least one mma_m x mma_n instruction tile");
  require(k.block_m <= 65536 && k.block_n <= 65536, device, "kernel.block_m and block_n must be <= 65536");
  require((k.min_block_m == 0 || (k.min_block_m >= k.mma_m && k.min_block_m <= k.block_m)) &&
              (k.min_block_n == 0 || (k.min_block_n >= k.mma_n && k.min_block_n <= k.block_n)),
          device, "kernel.min_block_m/n must lie between the mma shape and block_m/n");
  require(k.simd_bits % 8 == 0 && k.simd_bits <= 4096, device, "kernel.simd_bits must be a multiple of 8, <= 4096");
  const RuntimeSpec& r = device.runtime;
  require(non_negative_finite(r.dispatch_ns), device, "runtime.dispatch_ns must be >= 0");
  require(non_negative_finite(r.library_call_ns), device, "runtime.library_call_ns must be >= 0");
  require(non_negative_finite(r.group_call_ns), device, "runtime.group_call_ns must be >= 0");
  require(std::isfinite(r.activations_on_chip) && r.activations_on_chip >= 0.0 && r.activations_on_chip <= 1.0, device,
          "runtime.activations_on_chip must be in [0, 1]");
}

}  // namespace

std::string_view data_type_name(DataType type) { return sim::name_of(type); }

std::optional<DataType> parse_data_type(std::string_view name) { return sim::find_enum<DataType>(name); }

std::uint32_t element_bytes(DataType type) { return kTypeBytes[static_cast<std::size_t>(type)]; }

std::string_view dataflow_name(Dataflow dataflow) { return sim::name_of(dataflow); }

std::optional<Dataflow> parse_dataflow(std::string_view name) { return sim::find_enum<Dataflow>(name); }

std::vector<std::string> dataflow_names() { return sim::accepted_spellings<Dataflow>(); }

std::optional<std::size_t> Device::tier_index(std::string_view tier_name) const {
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    if (tiers[i].name == tier_name) return i;
  }
  return std::nullopt;
}

void validate(const Device& device) {
  require(!device.name.empty(), device, "name must not be empty");
  bool any_peak = false;
  for (std::size_t i = 0; i < kDataTypeCount; ++i) {
    const double peak = device.compute.matrix_ops_per_s[i];
    require(non_negative_finite(peak), device,
            "compute peak for " + std::string(data_type_name(static_cast<DataType>(i))) + " must be >= 0 ops/s");
    any_peak = any_peak || peak > 0.0;
  }
  require(any_peak, device, "compute needs a positive matrix peak for at least one data type");
  require(positive_finite(device.compute.vector_ops_per_s), device, "compute.vector_ops_per_s must be > 0");
  require(device.compute.cores > 0, device, "compute.cores must be > 0");
  require(positive_finite(device.compute.clock_ghz), device, "compute.clock_ghz must be > 0");
  require(non_negative_finite(device.compute.op_overhead_ns), device, "compute.op_overhead_ns must be >= 0");
  require(non_negative_finite(device.compute.energy_pj_per_op), device, "compute.energy_pj_per_op must be >= 0");
  validate_kernel_and_runtime(device);
  require(device.tiers.size() >= 2, device, "needs an on-chip tier and at least one memory tier behind it");
  for (std::size_t i = 0; i < device.tiers.size(); ++i) {
    const MemoryTier& t = device.tiers[i];
    const std::string where = "tier \"" + t.name + "\": ";
    require(!t.name.empty(), device, "tier " + std::to_string(i) + " needs a name");
    require(device.tier_index(t.name) == i, device, where + "name used twice");
    require(t.capacity_bytes > 0, device, where + "capacity_bytes must be > 0");
    require(positive_finite(t.bandwidth_gb_per_s), device,
            where + "bandwidth_gb_per_s must be > 0, got " + std::to_string(t.bandwidth_gb_per_s));
    require(non_negative_finite(t.latency_ns), device, where + "latency_ns must be >= 0");
    require(non_negative_finite(t.energy_pj_per_byte), device, where + "energy_pj_per_byte must be >= 0");
  }
  // The smallest tile (8 x 8 x 8 fp32 operands, double buffered) must fit on chip.
  require(device.tiers[0].capacity_bytes >= 4096, device,
          "on-chip tier \"" + device.tiers[0].name + "\" capacity " + std::to_string(device.tiers[0].capacity_bytes) +
              " B is too small for one tile (needs >= 4096 B)");
  for (const Link& l : device.links) {
    const std::string where = "link \"" + l.name + "\": ";
    require(device.tier_index(l.from).has_value(), device, where + "unknown tier \"" + l.from + "\" in from");
    require(device.tier_index(l.to).has_value(), device, where + "unknown tier \"" + l.to + "\" in to");
    require(l.from != l.to, device, where + "joins a tier to itself");
    require(positive_finite(l.bandwidth_gb_per_s), device,
            where + "bandwidth_gb_per_s must be > 0, got " + std::to_string(l.bandwidth_gb_per_s));
    require(non_negative_finite(l.latency_ns), device, where + "latency_ns must be >= 0");
    require(non_negative_finite(l.energy_pj_per_byte), device, where + "energy_pj_per_byte must be >= 0");
  }
  require(device.dma_engines > 0, device, "dma_engines must be > 0");
  require(device.home_tier > 0 && device.home_tier < device.tiers.size(), device,
          "home tier must be an off-chip tier (index 1.." + std::to_string(device.tiers.size() - 1) + ")");
  for (std::size_t i = 1; i < device.tiers.size(); ++i) {
    require(!path_to_onchip(device, i).empty(), device,
            "tier \"" + device.tiers[i].name + "\" has no path of links to \"" + device.tiers[0].name + "\"");
  }
  const SystolicSpec& s = device.systolic;
  if (s.rows > 0 || s.cols > 0) {
    require(s.rows > 0 && s.cols > 0, device, "systolic array needs rows > 0 and cols > 0");
    require(s.ifmap_sram_bytes > 0 && s.filter_sram_bytes > 0 && s.ofmap_sram_bytes > 0, device,
            "systolic SRAM sizes must be > 0");
  }
}

std::vector<std::size_t> path_between(const Device& device, std::size_t from, std::size_t to) {
  // Breadth-first search from `to`; the parent links then lead from `from` to `to`.
  const std::size_t n = device.tiers.size();
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> parent_link(n, kNone);
  std::vector<std::size_t> parent_tier(n, kNone);
  std::vector<bool> seen(n, false);
  if (to >= n) return {};
  std::deque<std::size_t> frontier{to};
  seen[to] = true;
  while (!frontier.empty()) {
    const std::size_t t = frontier.front();
    frontier.pop_front();
    for (std::size_t li = 0; li < device.links.size(); ++li) {
      const auto a = device.tier_index(device.links[li].from);
      const auto b = device.tier_index(device.links[li].to);
      if (!a || !b) continue;
      std::size_t other = kNone;
      if (*a == t) other = *b;
      if (*b == t) other = *a;
      if (other == kNone || seen[other]) continue;
      seen[other] = true;
      parent_link[other] = li;
      parent_tier[other] = t;
      frontier.push_back(other);
    }
  }
  std::vector<std::size_t> path;
  if (from >= n || !seen[from]) return path;
  for (std::size_t t = from; t != to; t = parent_tier[t]) path.push_back(parent_link[t]);
  return path;
}

std::uint64_t wire_bytes(const Link& link, std::uint64_t payload_bytes, std::uint64_t offset_bytes) {
  if (payload_bytes == 0) return 0;
  if (link.request_bytes == 0) return payload_bytes;
  const std::uint64_t g = link.request_bytes;
  const std::uint64_t granules = (offset_bytes % g + payload_bytes + g - 1) / g;
  return granules * (g + link.request_overhead_bytes);
}

}  // namespace models::accelerator
