#include "scenarios/kinds/accelerator_device.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/accelerator/device_parameters.hpp"
#include "scenarios/declared.hpp"

namespace scenarios {

namespace acc = models::accelerator;

namespace {

const sim::Parameter& key(std::string_view table, std::string_view name) { return acc::device_parameter(table, name); }

// A size by its declaration; the upper bound is reported in the words of the range.
std::uint64_t declared_bytes(Section& section, const sim::Parameter& p) {
  const std::uint64_t bytes = section.size_bytes(p.key);
  if (bytes > static_cast<std::uint64_t>(p.max)) section.error(p.key, "expected at most 1 EiB (2^60 bytes)");
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
  d.name = declared_text(root, key("", "name"));
  d.dma_engines = static_cast<std::uint32_t>(declared_integer(root, key("", "dma_engines")));
  const std::string home = declared_text(root, key("", "home_tier"));

  Section compute(root, "compute");
  {
    Section peaks(compute, "matrix_tera_ops_per_s");
    const sim::Parameter& peak = key("compute", "matrix_tera_ops_per_s.<dtype>");
    for (std::size_t i = 0; i < acc::kDataTypeCount; ++i) {
      const auto type = static_cast<acc::DataType>(i);
      d.compute.matrix_ops_per_s[i] =
          peaks.number(acc::data_type_name(type), peak.default_number, peak.min, peak.max) * 1e12;
    }
    peaks.reject_unread();
  }
  d.compute.vector_ops_per_s = declared_number(compute, key("compute", "vector_tera_ops_per_s")) * 1e12;
  d.compute.cores = static_cast<std::uint32_t>(declared_integer(compute, key("compute", "cores")));
  d.compute.clock_ghz = declared_number(compute, key("compute", "clock_ghz"));
  d.compute.op_overhead_ns = declared_number(compute, key("compute", "op_overhead_ns"));
  d.compute.energy_pj_per_op = declared_number(compute, key("compute", "energy_pj_per_op"));
  compute.reject_unread();

  if (root.has("kernel")) {
    Section k(root, "kernel");
    acc::KernelSpec& ks = d.kernel;
    ks.matrix_efficiency = declared_number(k, key("kernel", "matrix_efficiency"));
    ks.vector_efficiency = declared_number(k, key("kernel", "vector_efficiency"));
    ks.memory_efficiency = declared_number(k, key("kernel", "memory_efficiency"));
    ks.mma_m = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "mma_m")));
    ks.mma_n = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "mma_n")));
    ks.mma_k = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "mma_k")));
    ks.block_m = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "block_m")));
    ks.block_n = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "block_n")));
    if ((ks.block_m == 0) != (ks.block_n == 0))
      k.error("block_n", "block_m and block_n are set together (0 = no waves)");
    ks.min_block_m = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "min_block_m")));
    ks.min_block_n = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "min_block_n")));
    ks.simd_bits = static_cast<std::uint32_t>(declared_integer(k, key("kernel", "simd_bits")));
    if (ks.simd_bits % 8 != 0) k.error("simd_bits", "must be a whole number of bytes (a multiple of 8)");
    k.reject_unread();
  }
  if (root.has("runtime")) {
    Section r(root, "runtime");
    acc::RuntimeSpec& rt = d.runtime;
    rt.dispatch_ns = declared_number(r, key("runtime", "dispatch_ns"));
    rt.library_call_ns = declared_number(r, key("runtime", "library_call_ns"));
    rt.group_call_ns = declared_number(r, key("runtime", "group_call_ns"));
    rt.depthwise_by_group = declared_boolean(r, key("runtime", "depthwise_by_group"));
    rt.async_launch = declared_boolean(r, key("runtime", "async_launch"));
    rt.fold_batch_norm = declared_boolean(r, key("runtime", "fold_batch_norm"));
    rt.fuse_elementwise = declared_boolean(r, key("runtime", "fuse_elementwise"));
    rt.threads = static_cast<std::uint32_t>(declared_integer(r, key("runtime", "threads")));
    rt.activations_on_chip = declared_number(r, key("runtime", "activations_on_chip"));
    r.reject_unread();
  }

  // Tiers in file order; the first is the on-chip tier operators are tiled for.
  Section tiers(root, "tiers");
  for (const std::string& name : keys_in_file_order(scenario, "tiers")) {
    Section t(tiers, name);
    acc::MemoryTier tier;
    tier.name = name;
    tier.capacity_bytes = declared_bytes(t, key("tiers.<name>", "capacity"));
    if (tier.capacity_bytes == 0) t.error("capacity", "must be > 0 bytes");
    tier.bandwidth_gb_per_s = declared_number(t, key("tiers.<name>", "bandwidth_gb_per_s"));
    tier.latency_ns = declared_number(t, key("tiers.<name>", "latency_ns"));
    tier.energy_pj_per_byte = declared_number(t, key("tiers.<name>", "energy_pj_per_byte"));
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
    link.from = l.text(key("links.<name>", "from").key, std::nullopt, tier_names);
    link.to = l.text(key("links.<name>", "to").key, std::nullopt, tier_names);
    link.bandwidth_gb_per_s = declared_number(l, key("links.<name>", "bandwidth_gb_per_s"));
    link.latency_ns = declared_number(l, key("links.<name>", "latency_ns"));
    link.energy_pj_per_byte = declared_number(l, key("links.<name>", "energy_pj_per_byte"));
    link.request_bytes = static_cast<std::uint32_t>(declared_integer(l, key("links.<name>", "request_bytes")));
    link.request_overhead_bytes =
        static_cast<std::uint32_t>(declared_integer(l, key("links.<name>", "request_overhead_bytes")));
    l.reject_unread();
    d.links.push_back(std::move(link));
  }
  links.reject_unread();

  if (root.has("systolic")) {
    Section s(root, "systolic");
    d.systolic.rows = static_cast<std::uint32_t>(declared_integer(s, key("systolic", "rows")));
    d.systolic.cols = static_cast<std::uint32_t>(declared_integer(s, key("systolic", "cols")));
    d.systolic.dataflow = declared_enum<acc::Dataflow>(s, key("systolic", "dataflow"));
    d.systolic.ifmap_sram_bytes = declared_bytes(s, key("systolic", "ifmap_sram"));
    d.systolic.filter_sram_bytes = declared_bytes(s, key("systolic", "filter_sram"));
    d.systolic.ofmap_sram_bytes = declared_bytes(s, key("systolic", "ofmap_sram"));
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
