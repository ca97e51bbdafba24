#pragma once
// An accelerator as the simulator sees it: a compute unit fed through memory tiers that
// are joined by links. Tier 0 is the on-chip buffer the compute unit reads; operators are
// tiled to fit it. Other tiers (HBM, DDR, host DRAM) hold operands and reach tier 0 over
// a path of links.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace models::accelerator {

enum class DataType : std::uint8_t { fp32, tf32, bf16, fp16, fp8, int8 };
inline constexpr std::size_t kDataTypeCount = 6;

std::string_view data_type_name(DataType type);
std::optional<DataType> parse_data_type(std::string_view name);
// Storage size of one element (tf32 is stored as 4 bytes).
std::uint32_t element_bytes(DataType type);

struct ComputeSpec {
  // Dense matrix-unit peak per data type, ops/s (one MAC = 2 ops); 0 = not supported.
  std::array<double, kDataTypeCount> matrix_ops_per_s{};
  // Elementwise / reduction throughput, ops/s (vector units, any data type).
  double vector_ops_per_s = 0.0;
  std::uint32_t cores = 1;  // SMs, PCUs or PEs
  double clock_ghz = 1.0;
  // Fixed cost of starting one operator (kernel launch, configuration), ns.
  double op_overhead_ns = 0.0;
  double energy_pj_per_op = 0.0;  // per arithmetic op (half a MAC)
};

struct MemoryTier {
  std::string name;
  std::uint64_t capacity_bytes = 0;
  double bandwidth_gb_per_s = 0.0;  // 1 GB/s = 1e9 bytes/s, reads and writes together
  double latency_ns = 0.0;          // from request to first byte
  double energy_pj_per_byte = 0.0;
};

struct Link {
  std::string name;
  std::string from;  // tier names; links carry data both ways
  std::string to;
  double bandwidth_gb_per_s = 0.0;
  double latency_ns = 0.0;
  double energy_pj_per_byte = 0.0;
  // Requests are whole aligned granules of this size (e.g. 128 B for zero-copy PCIe
  // reads); 0 = byte-granular. A request touching part of a granule moves all of it.
  std::uint32_t request_bytes = 0;
  // Protocol bytes added per granule (packet headers); lowers the payload rate.
  std::uint32_t request_overhead_bytes = 0;
};

// os, ws, is: SCALE-Sim's GEMM dataflows; rs: Eyeriss's row stationary (systolic.hpp).
enum class Dataflow : std::uint8_t { output_stationary, weight_stationary, input_stationary, row_stationary };
std::string_view dataflow_name(Dataflow dataflow);  // "os", "ws", "is", "rs"
std::optional<Dataflow> parse_dataflow(std::string_view name);
std::vector<std::string> dataflow_names();

// A PE array for systolic-mode analysis; rows == 0 means the device has none. Row
// stationary reads rows as PE rows (filter rows) and cols as PE columns (output rows).
struct SystolicSpec {
  std::uint32_t rows = 0;
  std::uint32_t cols = 0;
  Dataflow dataflow = Dataflow::output_stationary;
  std::uint64_t ifmap_sram_bytes = 0;
  std::uint64_t filter_sram_bytes = 0;
  std::uint64_t ofmap_sram_bytes = 0;
};

struct Device {
  std::string name;
  ComputeSpec compute;
  std::vector<MemoryTier> tiers;  // tiers[0] is the on-chip buffer
  std::vector<Link> links;
  std::uint32_t dma_engines = 1;  // transfers in flight at once
  std::size_t home_tier = 1;      // where operands live unless placed elsewhere
  SystolicSpec systolic;

  std::optional<std::size_t> tier_index(std::string_view name) const;
  double peak_matrix_ops_per_s(DataType type) const {
    return compute.matrix_ops_per_s[static_cast<std::size_t>(type)];
  }
};

// Throws std::invalid_argument naming the first impossible value found (non-positive
// bandwidth or capacity, unknown tier in a link, a tier unreachable from tier 0, ...).
void validate(const Device& device);

// Link indices from tier `from` to tier `to`, fewest hops first; empty when from == to
// or when no path exists.
std::vector<std::size_t> path_between(const Device& device, std::size_t from, std::size_t to);
inline std::vector<std::size_t> path_to_onchip(const Device& device, std::size_t tier) {
  return path_between(device, tier, 0);
}

// Bytes a link carries for `payload_bytes` starting `offset_bytes` into a granule.
std::uint64_t wire_bytes(const Link& link, std::uint64_t payload_bytes, std::uint64_t offset_bytes = 0);

// Built-in presets: "a100", "h100", "sn40l", "eyeriss", "systolic" (128 x 128).
std::vector<std::string> preset_names();
Device preset(std::string_view name);  // throws std::invalid_argument for unknown names
Device a100_sxm();
Device h100_sxm();
Device sn40l_like();
Device eyeriss_like();
struct SystolicPresetParams {
  std::uint32_t rows = 128;
  std::uint32_t cols = 128;
  Dataflow dataflow = Dataflow::output_stationary;
  std::uint64_t sram_bytes_per_operand = 1 << 20;
  double dram_bandwidth_gb_per_s = 100.0;
  double clock_ghz = 1.0;
};
Device generic_systolic(const SystolicPresetParams& params = {});

}  // namespace models::accelerator
