// Built-in device presets with the public figures of shared/refs/accelerators.md;
// values marked assumed are not published and only set plausible proportions.

#include <stdexcept>

#include "models/accelerator/device.hpp"

namespace models::accelerator {

namespace {

// fp16 shares the bf16 peak on every device modelled here.
std::array<double, kDataTypeCount> matrix_peaks(double fp32, double tf32, double bf16, double fp8, double int8) {
  return {fp32, tf32, bf16, bf16, fp8, int8};
}

// Tensor-core GPUs: cuBLAS/cuDNN reach ~80% of the dense peak on large GEMMs (assumed from
// vendor GEMM benchmarks); mma.sync m16n8k16 is the BF16/FP16 instruction shape; thread
// blocks tile the output in 64x64 up to 256x128; streaming kernels reach ~90% of HBM.
// No framework overhead: kernels are issued back to back (CUDA Graphs); device files
// describe measured software stacks with a [runtime] table.
KernelSpec tensor_core_kernels() {
  KernelSpec k;
  k.matrix_efficiency = 0.8;
  k.vector_efficiency = 0.5;
  k.memory_efficiency = 0.9;
  k.mma_m = 16;
  k.mma_n = 8;
  k.mma_k = 16;
  k.block_m = 256;
  k.block_n = 128;
  k.min_block_m = 64;
  k.min_block_n = 64;
  return k;
}

}  // namespace

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
  d.kernel = tensor_core_kernels();
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
  d.kernel = tensor_core_kernels();
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
  // Global buffer: 16 words per cycle read and 16 written (Timeloop/Accelergy's Eyeriss-like
  // shared_glb), 16-bit words at 200 MHz: 6.4 GB/s each way, 12.8 GB/s as one rate.
  d.tiers.push_back({"glb", 108 * 1024, 12.8, 5.0, 6.0});  // ~6x a MAC per byte
  // DRAM: a 64-bit LPDDR4-3200 interface, 25.6 GB/s (scenarios/devices/eyeriss.toml says why).
  d.tiers.push_back({"dram", 1ULL << 30, 25.6, 100.0, 200.0});  // ~200x a MAC per byte
  d.links.push_back({"dram_bus", "dram", "glb", 25.6, 0.0, 0.0, 0, 0});
  d.dma_engines = 1;
  d.runtime.fuse_elementwise = true;  // ReLU on the PE array's output path
  // Row stationary on the 12 x 14 PE array (Chen et al., ISCA 2016); the global buffer is
  // split evenly between inputs, filters and partial sums (an assumption).
  d.systolic = {12, 14, Dataflow::row_stationary, 36 * 1024, 36 * 1024, 36 * 1024};
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
  d.systolic = {
      p.rows, p.cols, p.dataflow, p.sram_bytes_per_operand, p.sram_bytes_per_operand, p.sram_bytes_per_operand};
  return d;
}

}  // namespace models::accelerator
