#pragma once
// An accelerator as the simulator sees it: a compute unit fed through memory tiers that
// are joined by links. Tier 0 is the on-chip buffer the compute unit reads; operators are
// tiled to fit it. Other tiers (HBM, DDR, host DRAM) hold operands and reach tier 0 over
// a path of links.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/enum_names.hpp"

namespace models::accelerator {

enum class DataType : std::uint8_t { fp32, tf32, bf16, fp16, fp8, int8 };
inline constexpr std::size_t kDataTypeCount = 6;
inline constexpr sim::EnumName<DataType> kDataTypeNames[] = {{DataType::fp32, "fp32"}, {DataType::tf32, "tf32"},
                                                             {DataType::bf16, "bf16"}, {DataType::fp16, "fp16"},
                                                             {DataType::fp8, "fp8"},   {DataType::int8, "int8"}};
constexpr std::span<const sim::EnumName<DataType>> enum_names(DataType) { return kDataTypeNames; }

// sim::name_of / find_enum over kDataTypeNames.
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
  // Device-side cost of each kernel (launch latency, ramp-up and tail), ns.
  double op_overhead_ns = 0.0;
  double energy_pj_per_op = 0.0;  // per arithmetic op (half a MAC)
};

// How library kernels use the compute units. The defaults (efficiency 1, no granules)
// are the ideal roofline; docs/devices.md gives each key's range and meaning.
struct KernelSpec {
  // Fractions of the peaks a well-shaped kernel reaches, in (0, 1].
  double matrix_efficiency = 1.0;
  double vector_efficiency = 1.0;
  double memory_efficiency = 1.0;  // of every tier's bandwidth (links model their own losses)
  // Matrix instruction shape (tensor-core MMA, or 1 x SIMD lanes x 1 on a CPU): GEMM
  // M, N and K are padded to multiples of it.
  std::uint32_t mma_m = 1, mma_n = 1, mma_k = 1;
  // Output tiles (M x N) one core computes at a time: the library has every power-of-two
  // multiple of the smallest up to the largest, and a kernel's tiles run in
  // ceil(tiles / cores) waves. block_m = block_n = 0: work spreads evenly over the cores.
  std::uint32_t block_m = 0, block_n = 0;          // largest tile
  std::uint32_t min_block_m = 0, min_block_n = 0;  // smallest; 0 = the instruction shape
  // SIMD register width of a CPU core: vector work over channels is padded to whole
  // registers. 0 = no padding (GPUs).
  std::uint32_t simd_bits = 0;
};

// The software that issues the kernels (framework and libraries).
struct RuntimeSpec {
  double dispatch_ns = 0.0;      // host time per operator: framework dispatch, launch call
  double library_call_ns = 0.0;  // extra host time per convolution or GEMM library call
  // > 0: a grouped convolution runs as one library call per group, each costing this
  // much host time and one kernel (the per-group fallback of some CPU libraries, or a
  // converter splitting groups into separate convolutions).
  double group_call_ns = 0.0;
  bool depthwise_by_group = true;  // depthwise convolutions too (else they are one kernel)
  bool async_launch = false;       // the host queues kernels ahead of the device (streams)
  bool fold_batch_norm = true;     // false: a batch-norm kernel follows every convolution
  bool fuse_elementwise = false;   // elementwise operators run inside the preceding kernel
  // > 0: an operator's output of at most this fraction of the on-chip tier stays there
  // for the next operator (keep_activations_on_chip), as in a layer-pipelined
  // accelerator or a GPU whose L2 holds the tensor one kernel writes and the next reads.
  double activations_on_chip = 0.0;
  std::uint32_t threads = 0;  // cores one operator uses; 0 = all
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
// SCALE-Sim's and Eyeriss's short names.
inline constexpr sim::EnumName<Dataflow> kDataflowNames[] = {{Dataflow::output_stationary, "os"},
                                                             {Dataflow::weight_stationary, "ws"},
                                                             {Dataflow::input_stationary, "is"},
                                                             {Dataflow::row_stationary, "rs"}};
constexpr std::span<const sim::EnumName<Dataflow>> enum_names(Dataflow) { return kDataflowNames; }
std::string_view dataflow_name(Dataflow dataflow);  // "os", "ws", "is", "rs"
std::optional<Dataflow> parse_dataflow(std::string_view name);
std::vector<std::string> dataflow_names();  // every accepted spelling

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
  KernelSpec kernel;
  RuntimeSpec runtime;
  std::vector<MemoryTier> tiers;  // tiers[0] is the on-chip buffer
  std::vector<Link> links;
  std::uint32_t dma_engines = 1;  // transfers in flight at once
  std::size_t home_tier = 1;      // where operands live unless placed elsewhere
  SystolicSpec systolic;

  std::optional<std::size_t> tier_index(std::string_view name) const;
  double peak_matrix_ops_per_s(DataType type) const { return compute.matrix_ops_per_s[static_cast<std::size_t>(type)]; }
  // Cores one operator runs on (runtime.threads, at most compute.cores).
  std::uint32_t cores_used() const {
    return runtime.threads == 0 ? compute.cores : std::min(runtime.threads, compute.cores);
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
