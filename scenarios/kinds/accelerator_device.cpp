#include "scenarios/kinds/accelerator_device.hpp"

#include <algorithm>
#include <stdexcept>

namespace scenarios {

namespace acc = models::accelerator;

namespace {

// Ranges of the device's numbers, far beyond any real chip yet small enough that an
// operator's time (bytes / bandwidth + latencies) stays inside 63-bit picoseconds and
// products of counts and energies stay finite. A value outside is refused by key and
// line instead of failing, or wrapping, in the middle of a run.
constexpr double kMaxTeraOpsPerS = 1e9;       // 10^21 operations per second
constexpr double kMinBandwidthGbPerS = 1e-3;  // 1 MB/s: a TB takes 12 days, not 30,000 years
constexpr double kMaxBandwidthGbPerS = 1e9;   // 1 EB/s
constexpr double kMaxLatencyNs = 1e9;         // 1 s per access or per operator
constexpr double kMaxEnergyPj = 1e9;          // 1 mJ per operation or per byte
constexpr double kMaxClockGhz = 1e3;
constexpr std::uint64_t kMaxCapacityBytes = std::uint64_t{1} << 60;  // 1 EiB per tier or buffer

std::uint64_t capacity_bytes(Section& section, std::string_view key) {
  const std::uint64_t bytes = section.size_bytes(key);
  if (bytes > kMaxCapacityBytes) section.error(key, "expected at most 1 EiB (2^60 bytes)");
  return bytes;
}

}  // namespace

std::vector<std::string> keys_in_file_order(const Scenario& scenario, std::string_view path) {
  const toml::node* node = path.empty() ? &scenario.root() : scenario.root().at_path(path).node();
  std::vector<std::pair<std::int64_t, std::string>> keyed;
  if (node != nullptr && node->is_table()) {
    for (const auto& [key, value] : *node->as_table()) {
      keyed.emplace_back(static_cast<std::int64_t>(value.source().begin.line), std::string(key.str()));
    }
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> keys;
  for (auto& [line, key] : keyed) keys.push_back(std::move(key));
  return keys;
}

acc::Device read_device(const Scenario& scenario, Section& root) {
  acc::Device d;
  d.name = root.text("name");
  d.dma_engines = static_cast<std::uint32_t>(root.integer("dma_engines", 1, 1, 1024));
  const std::string home = root.text("home_tier");

  Section compute(root, "compute");
  {
    Section peaks(compute, "matrix_tera_ops_per_s");
    for (std::size_t i = 0; i < acc::kDataTypeCount; ++i) {
      const auto type = static_cast<acc::DataType>(i);
      d.compute.matrix_ops_per_s[i] = peaks.number(acc::data_type_name(type), 0.0, 0.0, kMaxTeraOpsPerS) * 1e12;
    }
    peaks.reject_unread();
  }
  d.compute.vector_ops_per_s = compute.number("vector_tera_ops_per_s", std::nullopt, 1e-6, kMaxTeraOpsPerS) * 1e12;
  d.compute.cores = static_cast<std::uint32_t>(compute.integer("cores", 1, 1, 1'000'000'000));
  d.compute.clock_ghz = compute.number("clock_ghz", 1.0, 1e-6, kMaxClockGhz);
  d.compute.op_overhead_ns = compute.number("op_overhead_ns", 0.0, 0.0, kMaxLatencyNs);
  d.compute.energy_pj_per_op = compute.number("energy_pj_per_op", 0.0, 0.0, kMaxEnergyPj);
  compute.reject_unread();

  if (root.has("kernel")) {
    Section k(root, "kernel");
    acc::KernelSpec& ks = d.kernel;
    ks.matrix_efficiency = k.number("matrix_efficiency", 1.0, 1e-6, 1.0);
    ks.vector_efficiency = k.number("vector_efficiency", 1.0, 1e-6, 1.0);
    ks.memory_efficiency = k.number("memory_efficiency", 1.0, 1e-6, 1.0);
    ks.mma_m = static_cast<std::uint32_t>(k.integer("mma_m", 1, 1, 4096));
    ks.mma_n = static_cast<std::uint32_t>(k.integer("mma_n", 1, 1, 4096));
    ks.mma_k = static_cast<std::uint32_t>(k.integer("mma_k", 1, 1, 4096));
    ks.block_m = static_cast<std::uint32_t>(k.integer("block_m", 0, 0, 65536));
    ks.block_n = static_cast<std::uint32_t>(k.integer("block_n", 0, 0, 65536));
    if ((ks.block_m == 0) != (ks.block_n == 0))
      k.error("block_n", "block_m and block_n are set together (0 = no waves)");
    ks.min_block_m = static_cast<std::uint32_t>(k.integer("min_block_m", 0, 0, 65536));
    ks.min_block_n = static_cast<std::uint32_t>(k.integer("min_block_n", 0, 0, 65536));
    ks.simd_bits = static_cast<std::uint32_t>(k.integer("simd_bits", 0, 0, 4096));
    if (ks.simd_bits % 8 != 0) k.error("simd_bits", "must be a whole number of bytes (a multiple of 8)");
    k.reject_unread();
  }
  if (root.has("runtime")) {
    Section r(root, "runtime");
    acc::RuntimeSpec& rt = d.runtime;
    rt.dispatch_ns = r.number("dispatch_ns", 0.0, 0.0, kMaxLatencyNs);
    rt.library_call_ns = r.number("library_call_ns", 0.0, 0.0, kMaxLatencyNs);
    rt.group_call_ns = r.number("group_call_ns", 0.0, 0.0, kMaxLatencyNs);
    rt.depthwise_by_group = r.boolean("depthwise_by_group", true);
    rt.async_launch = r.boolean("async_launch", false);
    rt.fold_batch_norm = r.boolean("fold_batch_norm", true);
    rt.fuse_elementwise = r.boolean("fuse_elementwise", false);
    rt.threads = static_cast<std::uint32_t>(r.integer("threads", 0, 0, 1'000'000));
    rt.activations_on_chip = r.number("activations_on_chip", 0.0, 0.0, 1.0);
    r.reject_unread();
  }

  // Tiers in file order; the first is the on-chip tier operators are tiled for.
  Section tiers(root, "tiers");
  for (const std::string& name : keys_in_file_order(scenario, "tiers")) {
    Section t(tiers, name);
    acc::MemoryTier tier;
    tier.name = name;
    tier.capacity_bytes = capacity_bytes(t, "capacity");
    if (tier.capacity_bytes == 0) t.error("capacity", "must be > 0 bytes");
    tier.bandwidth_gb_per_s = t.number("bandwidth_gb_per_s", std::nullopt, kMinBandwidthGbPerS, kMaxBandwidthGbPerS);
    tier.latency_ns = t.number("latency_ns", 0.0, 0.0, kMaxLatencyNs);
    tier.energy_pj_per_byte = t.number("energy_pj_per_byte", 0.0, 0.0, kMaxEnergyPj);
    t.reject_unread();
    d.tiers.push_back(std::move(tier));
  }
  if (d.tiers.size() < 2) tiers.error("", "needs at least two tiers: on-chip first, then memory behind it");
  tiers.reject_unread();

  Section links(root, "links");
  std::vector<std::string> tier_names;
  for (const auto& t : d.tiers) tier_names.push_back(t.name);
  for (const std::string& name : keys_in_file_order(scenario, "links")) {
    Section l(links, name);
    acc::Link link;
    link.name = name;
    link.from = l.text("from", std::nullopt, tier_names);
    link.to = l.text("to", std::nullopt, tier_names);
    link.bandwidth_gb_per_s = l.number("bandwidth_gb_per_s", std::nullopt, kMinBandwidthGbPerS, kMaxBandwidthGbPerS);
    link.latency_ns = l.number("latency_ns", 0.0, 0.0, kMaxLatencyNs);
    link.energy_pj_per_byte = l.number("energy_pj_per_byte", 0.0, 0.0, kMaxEnergyPj);
    link.request_bytes = static_cast<std::uint32_t>(l.integer("request_bytes", 0, 0, 1 << 20));
    link.request_overhead_bytes = static_cast<std::uint32_t>(l.integer("request_overhead_bytes", 0, 0, 1 << 20));
    l.reject_unread();
    d.links.push_back(std::move(link));
  }
  links.reject_unread();

  if (root.has("systolic")) {
    Section s(root, "systolic");
    d.systolic.rows = static_cast<std::uint32_t>(s.integer("rows", std::nullopt, 1, 1 << 16));
    d.systolic.cols = static_cast<std::uint32_t>(s.integer("cols", std::nullopt, 1, 1 << 16));
    d.systolic.dataflow = *acc::parse_dataflow(s.text("dataflow", "os", acc::dataflow_names()));
    d.systolic.ifmap_sram_bytes = capacity_bytes(s, "ifmap_sram");
    d.systolic.filter_sram_bytes = capacity_bytes(s, "filter_sram");
    d.systolic.ofmap_sram_bytes = capacity_bytes(s, "ofmap_sram");
    s.reject_unread();
  }
  root.throw_if_errors();

  const auto home_index = d.tier_index(home);
  if (!home_index) {
    root.error("home_tier", "unknown tier \"" + home + "\"");
  } else {
    d.home_tier = *home_index;
  }
  root.throw_if_errors();
  try {
    acc::validate(d);
  } catch (const std::invalid_argument& e) {
    root.error("", e.what());
  }
  root.throw_if_errors();
  return d;
}

acc::Device load_device_file(const std::filesystem::path& path) {
  const Scenario file = Scenario::load(path);
  Section root(file, "");
  if (file.kind() != "device") root.error("kind", "expected kind = \"device\" in a device file");
  acc::Device d = read_device(file, root);
  root.finish();
  return d;
}

models::accelerator::Device device_from_spec(const std::string& spec, const std::string& option) {
  namespace acc = models::accelerator;
  for (const auto& name : acc::preset_names()) {
    if (name == spec) return acc::preset(spec);
  }
  if (std::filesystem::is_regular_file(spec)) return load_device_file(spec);
  std::string known;
  for (const auto& name : acc::preset_names()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument(option + ": no preset or device file '" + spec + "'; presets: " + known);
}

}  // namespace scenarios
