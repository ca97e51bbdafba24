#include "models/accelerator/device.hpp"

#include <cmath>
#include <deque>
#include <stdexcept>

namespace models::accelerator {

namespace {

constexpr std::array<std::string_view, kDataTypeCount> kTypeNames = {"fp32", "tf32", "bf16", "fp16", "fp8", "int8"};
constexpr std::array<std::uint32_t, kDataTypeCount> kTypeBytes = {4, 4, 2, 2, 1, 1};
constexpr std::array<std::string_view, 3> kDataflowNames = {"os", "ws", "is"};

void require(bool ok, const Device& device, const std::string& what) {
  if (!ok) throw std::invalid_argument("device \"" + device.name + "\": " + what);
}

bool positive_finite(double x) { return std::isfinite(x) && x > 0.0; }
bool non_negative_finite(double x) { return std::isfinite(x) && x >= 0.0; }

std::array<double, kDataTypeCount> matrix_peaks(double fp32, double tf32, double bf16, double fp8, double int8) {
  return {fp32, tf32, bf16, bf16, fp8, int8};
}

}  // namespace

std::string_view data_type_name(DataType type) { return kTypeNames[static_cast<std::size_t>(type)]; }

std::optional<DataType> parse_data_type(std::string_view name) {
  for (std::size_t i = 0; i < kDataTypeCount; ++i) {
    if (kTypeNames[i] == name) return static_cast<DataType>(i);
  }
  return std::nullopt;
}

std::uint32_t element_bytes(DataType type) { return kTypeBytes[static_cast<std::size_t>(type)]; }

std::string_view dataflow_name(Dataflow dataflow) { return kDataflowNames[static_cast<std::size_t>(dataflow)]; }

std::optional<Dataflow> parse_dataflow(std::string_view name) {
  for (std::size_t i = 0; i < kDataflowNames.size(); ++i) {
    if (kDataflowNames[i] == name) return static_cast<Dataflow>(i);
  }
  return std::nullopt;
}

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
            "compute peak for " + std::string(kTypeNames[i]) + " must be >= 0 ops/s");
    any_peak = any_peak || peak > 0.0;
  }
  require(any_peak, device, "compute needs a positive matrix peak for at least one data type");
  require(positive_finite(device.compute.vector_ops_per_s), device, "compute.vector_ops_per_s must be > 0");
  require(device.compute.cores > 0, device, "compute.cores must be > 0");
  require(positive_finite(device.compute.clock_ghz), device, "compute.clock_ghz must be > 0");
  require(non_negative_finite(device.compute.op_overhead_ns), device, "compute.op_overhead_ns must be >= 0");
  require(non_negative_finite(device.compute.energy_pj_per_op), device, "compute.energy_pj_per_op must be >= 0");
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

std::vector<std::string> preset_names() { return {"a100", "h100", "sn40l", "eyeriss", "systolic"}; }

Device preset(std::string_view name) {
  if (name == "a100") return a100_sxm();
  if (name == "h100") return h100_sxm();
  if (name == "sn40l") return sn40l_like();
  if (name == "eyeriss") return eyeriss_like();
  if (name == "systolic") return generic_systolic();
  std::string known;
  for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown device preset \"" + std::string(name) + "\" (expected one of " + known + ")");
}

// Energy figures are illustrative, in the Accelergy/Eyeriss proportions of
// shared/refs/accelerators.md: DRAM ~100-200x a MAC, SRAM ~1-10x.

Device a100_sxm() {
  Device d;
  d.name = "a100";
  // NVIDIA A100 SXM 80GB datasheet: 312 TFLOP/s dense BF16/FP16, 156 TF32, 624 INT8,
  // 19.5 TFLOP/s FP32 on the CUDA cores; 108 SMs at 1.41 GHz.
  d.compute.matrix_ops_per_s = matrix_peaks(19.5e12, 156e12, 312e12, 0.0, 624e12);
  d.compute.vector_ops_per_s = 19.5e12;
  d.compute.cores = 108;
  d.compute.clock_ghz = 1.41;
  d.compute.op_overhead_ns = 3000.0;  // kernel launch and tail, a few microseconds
  d.compute.energy_pj_per_op = 0.4;
  // On-chip: L2 40 MB (108 SMs x 192 KB L1/shared sit above it); L2 bandwidth assumed ~3x HBM.
  d.tiers.push_back({"l2", 40'000'000, 6'000.0, 200.0, 5.0});
  d.tiers.push_back({"hbm", 80'000'000'000ULL, 2'039.0, 500.0, 60.0});  // HBM2e 2,039 GB/s
  d.tiers.push_back({"host", 1'000'000'000'000ULL, 200.0, 1000.0, 80.0});
  d.links.push_back({"noc", "hbm", "l2", 2'039.0, 0.0, 0.0, 0, 0});
  // PCIe Gen4 x16 ~31.5 GB/s per direction; zero-copy reads in 128 B requests with
  // ~24 B of TLP header each.
  d.links.push_back({"pcie", "host", "hbm", 31.5, 1000.0, 10.0, 128, 24});
  d.dma_engines = 4;
  return d;
}

Device h100_sxm() {
  Device d;
  d.name = "h100";
  // NVIDIA H100 SXM5 datasheet: 989 TFLOP/s dense BF16/FP16, 494.5 TF32, 1,979 FP8/INT8,
  // 67 TFLOP/s FP32 on the CUDA cores; 132 SMs at 1.83 GHz.
  d.compute.matrix_ops_per_s = matrix_peaks(67e12, 494.5e12, 989e12, 1979e12, 1979e12);
  d.compute.vector_ops_per_s = 67e12;
  d.compute.cores = 132;
  d.compute.clock_ghz = 1.83;
  d.compute.op_overhead_ns = 2500.0;
  d.compute.energy_pj_per_op = 0.3;
  // On-chip: L2 50 MB (132 SMs x 228 KB shared above it); L2 bandwidth assumed ~3x HBM.
  d.tiers.push_back({"l2", 50'000'000, 10'000.0, 200.0, 4.0});
  d.tiers.push_back({"hbm", 80'000'000'000ULL, 3'350.0, 500.0, 50.0});  // HBM3 3,350 GB/s
  d.tiers.push_back({"host", 2'000'000'000'000ULL, 300.0, 1000.0, 80.0});
  d.links.push_back({"noc", "hbm", "l2", 3'350.0, 0.0, 0.0, 0, 0});
  // PCIe Gen5 x16 ~63 GB/s per direction, 128 B zero-copy requests.
  d.links.push_back({"pcie", "host", "hbm", 63.0, 1000.0, 10.0, 128, 24});
  d.dma_engines = 4;
  return d;
}

Device sn40l_like() {
  Device d;
  d.name = "sn40l";
  // SambaNova SN40L per socket: 638 TFLOP/s BF16, 520 MB distributed SRAM, 64 GB HBM
  // at ~1.6 TB/s, up to 1.5 TB DDR at ~100 GB/s; 1,040 pattern compute units.
  d.compute.matrix_ops_per_s = matrix_peaks(0.0, 0.0, 638e12, 0.0, 0.0);
  d.compute.vector_ops_per_s = 100e12;
  d.compute.cores = 1040;
  d.compute.clock_ghz = 1.6;
  d.compute.op_overhead_ns = 500.0;
  d.compute.energy_pj_per_op = 0.3;
  d.tiers.push_back({"sram", 520'000'000, 50'000.0, 50.0, 2.0});  // SRAM bandwidth assumed
  d.tiers.push_back({"hbm", 64'000'000'000ULL, 1'600.0, 500.0, 50.0});
  d.tiers.push_back({"ddr", 1'500'000'000'000ULL, 100.0, 800.0, 100.0});
  d.links.push_back({"hbm_port", "hbm", "sram", 1'600.0, 0.0, 0.0, 0, 0});
  d.links.push_back({"ddr_channels", "ddr", "hbm", 100.0, 0.0, 5.0, 64, 0});
  d.links.push_back({"ddr_direct", "ddr", "sram", 100.0, 0.0, 5.0, 64, 0});
  d.dma_engines = 8;
  return d;
}

Device eyeriss_like() {
  Device d;
  d.name = "eyeriss";
  // Eyeriss (Chen et al., ISSCC 2016): 12 x 14 = 168 PEs, 16-bit MACs at 200 MHz,
  // 108 KB global buffer. Peak = 168 MAC x 2 ops x 200 MHz = 67.2 GOP/s.
  const double peak = 168.0 * 2.0 * 200e6;
  d.compute.matrix_ops_per_s = matrix_peaks(0.0, 0.0, peak, 0.0, peak);
  d.compute.vector_ops_per_s = peak;
  d.compute.cores = 168;
  d.compute.clock_ghz = 0.2;
  d.compute.op_overhead_ns = 0.0;
  d.compute.energy_pj_per_op = 1.0;  // the unit of the Eyeriss energy ratios (one MAC ~ 2 pJ)
  d.tiers.push_back({"glb", 108 * 1024, 4.8, 5.0, 6.0});  // ~6x a MAC per byte
  d.tiers.push_back({"dram", 1ULL << 30, 1.6, 100.0, 200.0});  // ~200x a MAC per byte
  d.links.push_back({"dram_bus", "dram", "glb", 1.6, 0.0, 0.0, 0, 0});
  d.dma_engines = 1;
  d.systolic = {12, 14, Dataflow::weight_stationary, 36 * 1024, 36 * 1024, 36 * 1024};
  return d;
}

Device generic_systolic(const SystolicPresetParams& p) {
  Device d;
  d.name = "systolic";
  const double peak = static_cast<double>(p.rows) * p.cols * 2.0 * p.clock_ghz * 1e9;
  d.compute.matrix_ops_per_s = matrix_peaks(0.0, 0.0, peak, 0.0, peak);
  d.compute.vector_ops_per_s = static_cast<double>(p.cols) * 2.0 * p.clock_ghz * 1e9;
  d.compute.cores = p.rows * p.cols;
  d.compute.clock_ghz = p.clock_ghz;
  d.compute.energy_pj_per_op = 0.5;
  // One read or write per PE row and column each cycle, 2-byte words.
  const double sram_gb_per_s = 2.0 * (p.rows + 2.0 * p.cols) * p.clock_ghz;
  d.tiers.push_back({"sram", 3 * p.sram_bytes_per_operand, sram_gb_per_s, 1.0, 3.0});
  d.tiers.push_back({"dram", 16ULL << 30, p.dram_bandwidth_gb_per_s, 100.0, 100.0});
  d.links.push_back({"dram_bus", "dram", "sram", p.dram_bandwidth_gb_per_s, 0.0, 0.0, 0, 0});
  d.dma_engines = 2;
  d.systolic = {p.rows, p.cols, p.dataflow, p.sram_bytes_per_operand, p.sram_bytes_per_operand,
                p.sram_bytes_per_operand};
  return d;
}

}  // namespace models::accelerator
