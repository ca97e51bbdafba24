// The declarations of device_parameters.hpp.
//
// The ranges reach far beyond any real chip yet stay small enough that an operator's
// time (bytes / bandwidth + latencies) fits 63-bit picoseconds and products of counts and
// energies stay finite: a value outside is refused by key and line instead of failing, or
// wrapping, in the middle of a run.

#include "models/accelerator/device_parameters.hpp"

#include "models/accelerator/device.hpp"

namespace models::accelerator {
namespace {

using namespace sim::declare;

constexpr double kMaxTeraOpsPerS = 1e9;       // 10^21 operations per second
constexpr double kMinBandwidthGbPerS = 1e-3;  // 1 MB/s: a TB takes 12 days, not 30,000 years
constexpr double kMaxBandwidthGbPerS = 1e9;   // 1 EB/s
constexpr double kMaxLatencyNs = 1e9;         // 1 s per access or per operator
constexpr double kMaxEnergyPj = 1e9;          // 1 mJ per operation or per byte
constexpr double kMaxClockGhz = 1e3;
constexpr double kMaxBytes = 1152921504606846976.0;  // 2^60: 1 EiB per tier or buffer

sim::Parameter size(std::string_view table, std::string_view key, double min, std::string_view doc) {
  return {table, key, sim::ParamType::size, "B", std::nullopt, "", min, kMaxBytes, false, {}, doc};
}

sim::Parameter latency_ns(std::string_view table, std::string_view doc) {
  return number(table, "latency_ns", "ns", 0.0, 0.0, kMaxLatencyNs, doc);
}

sim::Parameter energy_pj(std::string_view table, std::string_view key, std::string_view doc) {
  return number(table, key, "pJ", 0.0, 0.0, kMaxEnergyPj, doc);
}

sim::Parameter efficiency(std::string_view key, std::string_view doc) {
  return number("kernel", key, "fraction", 1.0, 1e-6, 1.0, doc);
}

std::vector<sim::Parameter> declare_all() {
  const KernelSpec kernel;
  const RuntimeSpec runtime;
  return {
      with_notes(required(text("", "kind", "", {"device"}, "marks the file as a device")), "", "`\"device\"`"),
      required(text("", "name", "", {}, "the device's name, stored with results")),
      with_notes(required(text("", "home_tier", "", {}, "the tier operands live in unless placed elsewhere")), "",
                 "a tier of the file"),
      integer("", "dma_engines", 1, 1, 1024, "transfers in flight at once", "transfers"),

      with_notes(number("compute", "matrix_tera_ops_per_s.<dtype>", "10^12 ops/s", 0.0, 0.0, kMaxTeraOpsPerS,
                        "dense matrix-unit peak for `fp32`, `tf32`, `bf16`, `fp16`, `fp8`, `int8` (a MAC is 2 ops), "
                        "in the table `[compute.matrix_tera_ops_per_s]`"),
                 "0 (unsupported)"),
      required(number("compute", "vector_tera_ops_per_s", "10^12 ops/s", std::nullopt, 1e-6, kMaxTeraOpsPerS,
                      "elementwise, depthwise, pooling, reductions")),
      integer("compute", "cores", 1, 1, 1e9, "SMs, CPU cores or PEs: what tiles are spread over in waves", "count"),
      number("compute", "clock_ghz", "GHz", 1.0, 1e-6, kMaxClockGhz, "PE-array cycles -> seconds (`[systolic]`)"),
      number("compute", "op_overhead_ns", "ns", 0.0, 0.0, kMaxLatencyNs,
             "device-side cost of each kernel launched: launch latency, ramp-up and tail"),
      energy_pj("compute", "energy_pj_per_op", "per arithmetic op"),

      efficiency("matrix_efficiency", "of the matrix peak a well-shaped kernel reaches"),
      efficiency("vector_efficiency", "of the vector peak (depthwise, pooling, elementwise arithmetic)"),
      efficiency("memory_efficiency",
                 "of every tier's bandwidth streaming kernels reach (links keep theirs: their losses are modelled by "
                 "request granules and headers)"),
      integer("kernel", "mma_m", kernel.mma_m, 1, 4096,
              "matrix instruction shape (with `mma_n`, `mma_k`); GEMM M, N, K (a convolution's lowered GEMM) are "
              "padded to multiples (tensor-core tile quantisation; on a CPU 1 x SIMD lanes x 1)",
              "elements"),
      integer("kernel", "mma_n", kernel.mma_n, 1, 4096, "see `mma_m`", "elements"),
      integer("kernel", "mma_k", kernel.mma_k, 1, 4096, "see `mma_m`", "elements"),
      with_notes(integer("kernel", "block_m", kernel.block_m, 0, 65536,
                         "largest output tile one core computes (a thread block, with `block_n`); 0 = work spreads "
                         "evenly",
                         "elements"),
                 "", "0, or the mma shape to 65536; set with `block_n`"),
      with_notes(integer("kernel", "block_n", kernel.block_n, 0, 65536, "see `block_m`", "elements"), "",
                 "0, or the mma shape to 65536; set with `block_m`"),
      with_notes(integer("kernel", "min_block_m", kernel.min_block_m, 0, 65536,
                         "smallest tile (with `min_block_n`); the library has every power-of-two multiple in between",
                         "elements"),
                 "0 (= mma shape)", "mma shape to block"),
      with_notes(integer("kernel", "min_block_n", kernel.min_block_n, 0, 65536, "see `min_block_m`", "elements"),
                 "0 (= mma shape)", "mma shape to block"),
      with_notes(integer("kernel", "simd_bits", kernel.simd_bits, 0, 4096,
                         "CPU SIMD register width: depthwise and pooling channels are padded to whole registers of "
                         "`simd_bits / 8 / element bytes` lanes",
                         "bits"),
                 "", "a multiple of 8 in [0, 4096]"),

      number("runtime", "dispatch_ns", "ns", runtime.dispatch_ns, 0.0, kMaxLatencyNs,
             "host time per operator: framework, interpreter, launch call"),
      number("runtime", "library_call_ns", "ns", runtime.library_call_ns, 0.0, kMaxLatencyNs,
             "extra host time per convolution, GEMM or attention call (descriptors, algorithm choice, primitive "
             "creation)"),
      number("runtime", "group_call_ns", "ns", runtime.group_call_ns, 0.0, kMaxLatencyNs,
             "> 0: a grouped convolution runs one library call (and kernel) per group, each costing this"),
      boolean("runtime", "depthwise_by_group", runtime.depthwise_by_group,
              "with `group_call_ns`: depthwise convolutions too (PyTorch's CPU fallback); false: one native depthwise "
              "kernel (TFLite)"),
      boolean("runtime", "async_launch", runtime.async_launch,
              "the host queues kernels ahead of the device (CUDA streams); else each operator waits for the one "
              "before"),
      boolean("runtime", "fold_batch_norm", runtime.fold_batch_norm,
              "false: a batch-norm kernel (scale and shift, in place) follows every convolution"),
      boolean("runtime", "fuse_elementwise", runtime.fuse_elementwise,
              "an elementwise operator right after a convolution, GEMM or elementwise operator runs inside that "
              "kernel: no launch, no dispatch, no round trip of its main input and output; it still reads its other "
              "inputs"),
      with_notes(integer("runtime", "threads", runtime.threads, 0, 1e6, "cores one operator runs on", "count"),
                 "0 (all)"),
      number("runtime", "activations_on_chip", "fraction", runtime.activations_on_chip, 0.0, 1.0,
             "an output of at most this fraction of the on-chip tier stays there for the next operator (layer "
             "pipelines, GPU L2)"),

      with_notes(required(size("tiers.<name>", "capacity", 1.0, "bytes, or a string such as \"64 KiB\"")), "",
                 "> 0, at most 1 EiB"),
      required(number("tiers.<name>", "bandwidth_gb_per_s", "GB/s", std::nullopt, kMinBandwidthGbPerS,
                      kMaxBandwidthGbPerS, "reads and writes together")),
      latency_ns("tiers.<name>", "from request to first byte"),
      energy_pj("tiers.<name>", "energy_pj_per_byte", "per byte moved"),

      with_notes(required(text("links.<name>", "from", "", {}, "the tier the link reads")), "", "a tier of the file"),
      with_notes(required(text("links.<name>", "to", "", {}, "the tier the link writes")), "", "a tier of the file"),
      required(number("links.<name>", "bandwidth_gb_per_s", "GB/s", std::nullopt, kMinBandwidthGbPerS,
                      kMaxBandwidthGbPerS, "the link's rate")),
      latency_ns("links.<name>", "from request to first byte"),
      energy_pj("links.<name>", "energy_pj_per_byte", "per byte moved"),
      integer("links.<name>", "request_bytes", 0, 0, 1 << 20, "request granule; 0 = byte granular", "B"),
      integer("links.<name>", "request_overhead_bytes", 0, 0, 1 << 20, "header bytes per granule", "B"),

      required(integer("systolic", "rows", std::nullopt, 1, 65536, "PE array rows", "PEs")),
      required(integer("systolic", "cols", std::nullopt, 1, 65536, "PE array columns", "PEs")),
      text("systolic", "dataflow", "os", choices_of<Dataflow>(), "output, weight, input or row stationary (Eyeriss)"),
      with_notes(required(size("systolic", "ifmap_sram", 0.0, "input feature-map buffer")), "", "at most 1 EiB"),
      with_notes(required(size("systolic", "filter_sram", 0.0, "filter buffer")), "", "at most 1 EiB"),
      with_notes(required(size("systolic", "ofmap_sram", 0.0, "output feature-map buffer")), "", "at most 1 EiB"),
  };
}

}  // namespace

const std::vector<sim::Parameter>& device_parameters() {
  static const std::vector<sim::Parameter> all = declare_all();
  return all;
}

const sim::Parameter& device_parameter(std::string_view table, std::string_view key) {
  return sim::find_parameter(device_parameters(), table, key, "device");
}

std::string device_parameters_markdown(std::string_view table) {
  return sim::parameters_markdown(device_parameters(), table);
}

}  // namespace models::accelerator
