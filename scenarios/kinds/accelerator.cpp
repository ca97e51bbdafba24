// Scenario kind "accelerator": a network or a list of operators on one device, simulated
// on the event core (or analysed in systolic mode); reports latency, bytes per tier,
// energy and the bottleneck of each operator.

#include <algorithm>
#include <filesystem>
#include <map>

#include "models/accelerator/bottleneck.hpp"
#include "models/accelerator/networks.hpp"
#include "models/accelerator/parameters.hpp"
#include "models/accelerator/scalesim_topology.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/accelerator/systolic.hpp"
#include "scenarios/declared.hpp"
#include "scenarios/kinds.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "scenarios/memory_estimate.hpp"

namespace scenarios {

namespace acc = models::accelerator;

namespace {

std::optional<std::size_t> tier_of(Section& s, const acc::Device& d, std::string_view key) {
  if (!s.has(key)) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& t : d.tiers) names.push_back(t.name);
  return d.tier_index(s.text(key, std::nullopt, names));
}

acc::Device read_scenario_device(const Scenario& scenario, Section& root) {
  Section dev(root, "device");
  const bool has_preset = dev.has("preset"), has_file = dev.has("file");
  if (has_preset == has_file) {
    dev.error("", "give exactly one of device.preset (" + std::string("a100, h100, sn40l, eyeriss, systolic") +
                      ") or device.file (a device TOML file)");
    root.throw_if_errors();
  }
  std::string presets;
  for (const auto& name : acc::preset_names()) presets += (presets.empty() ? "" : ", ") + name;
  const auto is_preset = [](const std::string& name) {
    const auto names = acc::preset_names();
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (has_preset) {
    const std::string name = dev.text("preset");
    if (!is_preset(name))
      dev.error("preset", "no preset '" + name + "'; presets: " + presets + " (device.file reads a device file)");
    dev.reject_unread();
    root.throw_if_errors();
    return acc::preset(name);
  }
  const std::string given = dev.text("file");
  std::filesystem::path path = given;
  dev.reject_unread();
  if (path.is_relative()) path = std::filesystem::path(scenario.file()).parent_path() / path;
  if (!std::filesystem::is_regular_file(path)) {
    dev.error("file", "no device file '" + path.string() + "'; presets: " + presets +
                          (is_preset(given) ? " (for the preset, write device.preset = \"" + given + "\")" : ""));
    root.throw_if_errors();
  }
  return load_device_file(path);
}

acc::Operator read_operator(Section& s, const std::string& name, const acc::Device& d, acc::DataType dtype) {
  const std::string kind = s.text("kind", std::nullopt, sim::accepted_spellings<acc::OperatorKind>());
  const std::size_t problems_before = s.diagnostics().size();
  acc::Operator op;
  op.name = name;
  op.dtype = dtype;
  // Dimensions are at least 1 (a stride or group count of 0 would divide by zero);
  // `zero_ok` marks the few where 0 means something (padding, global pooling, offsets).
  const auto dim = [&s](std::string_view key, std::optional<std::int64_t> fallback = std::nullopt,
                        bool zero_ok = false) {
    return static_cast<std::uint64_t>(s.integer(key, fallback, zero_ok ? 0 : 1));
  };
  if (kind == "gemm") {
    op.shape = acc::GemmShape{dim("batch", 1), dim("m"), dim("n"), dim("k"), s.boolean("shared_weights", true)};
  } else if (kind == "conv2d") {
    acc::Conv2dShape c;
    c.batch = dim("batch");
    c.in_channels = dim("in_channels");
    c.out_channels = dim("out_channels");
    c.height = dim("height");
    c.width = dim("width");
    c.kernel_h = c.kernel_w = dim("kernel");
    c.stride = dim("stride", 1);
    c.padding = dim("padding", static_cast<std::int64_t>(c.kernel_h / 2), true);
    c.groups = dim("groups", 1);
    op.shape = c;
  } else if (kind == "pool") {
    op.shape = acc::PoolShape{dim("batch"),           dim("channels"),  dim("height"),          dim("width"),
                              dim("kernel", 0, true), dim("stride", 1), dim("padding", 0, true)};
  } else if (kind == "elementwise") {
    op.shape = acc::ElementwiseShape{dim("elements"), dim("inputs", 1), dim("ops_per_element", 1, true)};
  } else if (kind == "softmax" || kind == "layernorm") {
    op.shape =
        acc::RowNormShape{kind == "softmax" ? acc::RowNormShape::Kind::softmax : acc::RowNormShape::Kind::layernorm,
                          dim("rows"), dim("cols")};
  } else if (kind == "attention") {
    op.shape = acc::AttentionShape{dim("batch"), dim("heads"), dim("q_len"), dim("kv_len"), dim("head_dim")};
  } else if (kind == "gather") {
    op.shape = acc::GatherShape{dim("rows"), dim("row_bytes"), dim("table_rows"), dim("offset_bytes", 0, true)};
  } else if (kind == "copy") {
    acc::CopyShape c;
    c.bytes = s.size_bytes("bytes");
    c.from = tier_of(s, d, "from").value_or(d.home_tier);
    c.to = tier_of(s, d, "to").value_or(d.home_tier);
    if (c.from == c.to) s.error("to", "copy needs different from and to tiers");
    op.shape = c;
  }
  // Shape rules (kernel within the padded input, counts within 2^63 - 1), reported at
  // this operator's table, unless a key of it was already refused.
  if (s.diagnostics().size() == problems_before) {
    try {
      acc::validate(op);
    } catch (const std::invalid_argument& e) {
      s.error("", e.what());
    }
  }
  op.placement.input = tier_of(s, d, "input_tier");
  op.placement.weight = tier_of(s, d, "weight_tier");
  op.placement.output = tier_of(s, d, "output_tier");
  s.reject_unread();
  return op;
}

acc::OperatorList read_network(const Scenario& scenario, Section& w, const acc::Device& d) {
  std::vector<std::string> networks = acc::network_names();
  networks.insert(networks.end(), {"nb201", "operators"});
  const std::string given = w.text("network", std::nullopt, networks);
  const std::string network = given == "operators" ? given : acc::canonical_network_name(given);
  const auto batch = static_cast<std::uint64_t>(declared_integer(w, acc::parameter("workload", "batch")));
  const acc::DataType dtype = declared_enum<acc::DataType>(w, acc::parameter("workload", "dtype"));
  acc::NetworkSpec spec;
  spec.name = network;
  spec.batch = batch;
  spec.dtype = dtype;
  // ofa_mbv3 also takes its architecture as a [workload.ofa] table (exactly one of the two).
  const bool ofa_table = network == "ofa_mbv3" && !w.has("arch") && w.has("ofa");
  bool buildable = true;
  if (acc::network_takes_arch(network) && !ofa_table) {
    if (w.has("arch")) {
      spec.arch = w.text("arch");
      if (network == "ofa_mbv3" && w.has("ofa")) w.error("ofa", "give arch or [workload.ofa], not both");
    } else {
      w.error("arch", "network = \"" + network + "\" needs arch = " + acc::arch_syntax(network) +
                          (network == "ofa_mbv3" ? " (or a [workload.ofa] table)" : ""));
      buildable = false;
    }
  } else if (w.has("arch")) {
    w.text("arch");
    w.error("arch", "network = \"" + network + "\" takes no arch (nas_bench_201, fbnet and ofa_mbv3 do)");
  }
  acc::OperatorList net;
  try {
    if (!buildable) {
      // Reported above.
    } else if (network == "ofa_mbv3" && ofa_table) {
      Section o(w, "ofa");
      acc::OfaMbv3Config c;
      c.resolution = static_cast<std::uint64_t>(declared_integer(o, acc::parameter("workload.ofa", "resolution")));
      const auto copy = [&o](std::string_view key, auto& out) {
        const auto v = o.numbers(key);
        if (v.size() != out.size()) {
          o.error(key, "expected " + std::to_string(out.size()) + " numbers, got " + std::to_string(v.size()));
          return;
        }
        for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<std::uint32_t>(v[i]);
      };
      copy("depths", c.depths);
      copy("kernels", c.kernels);
      copy("expansions", c.expansions);
      o.reject_unread();
      w.throw_if_errors();
      net = acc::ofa_mobilenet_v3(c, batch, dtype);
    } else if (network == "transformer_block" || network == "llm_decode") {
      Section t(w, "transformer");
      const auto count = [&t](std::string_view key) {
        return static_cast<std::uint64_t>(declared_integer(t, acc::parameter("workload.transformer", key)));
      };
      acc::TransformerConfig c;
      c.d_model = count("d_model");
      c.heads = count("heads");
      c.d_ff = count("d_ff");
      c.layers = count("layers");
      spec.transformer = c;
      if (network == "transformer_block") {
        spec.seq = count("seq");
      } else {
        spec.kv_len = count("kv_len");
      }
      t.reject_unread();
      net = acc::network_by_name(spec);
    } else if (network == "operators") {
      Section ops(w, "operators");
      for (const std::string& name : keys_in_file_order(scenario, "workload.operators")) {
        Section s(ops, name);
        net.push_back(read_operator(s, name, d, dtype));
      }
      if (net.empty()) ops.error("", "network = \"operators\" needs at least one [workload.operators.<name>] table");
      ops.reject_unread();
    } else {
      net = acc::network_by_name(spec);
    }
  } catch (const std::invalid_argument& e) {
    w.error(spec.arch ? "arch" : "network", e.what());
  }
  // Placement for the whole network, unless an operator sets its own.
  const auto weights = tier_of(w, d, "weights_tier");
  const auto activations = tier_of(w, d, "activations_tier");
  for (auto& op : net) {
    if (!op.placement.weight) op.placement.weight = weights;
    if (!op.placement.input) op.placement.input = activations;
    if (!op.placement.output) op.placement.output = activations;
  }
  w.reject_unread();
  return net;
}

RunSummary simulate(const acc::Device& device, const acc::OperatorList& net, const acc::ExecOptions& options,
                    sim::Recorder* recorder) {
  const auto result = acc::execute_network(device, net, options);
  const acc::Footprint resident = acc::footprint(net);
  RunSummary summary;
  summary.title = std::to_string(net.size()) + " operators on " + device.name;
  const double latency = result.latency.to_seconds();
  summary.metrics = {
      {"simulated_s", latency, "s"},
      {"operators", static_cast<double>(net.size()), "count"},
      {"ops", static_cast<double>(result.ops), "ops"},
      {"achieved_tera_ops_per_s", latency > 0 ? static_cast<double>(result.ops) / latency * 1e-12 : 0.0, "Tops/s"},
      {"energy_j", result.energy_pj * 1e-12, "J"},
      {"weight_bytes", static_cast<double>(resident.weight_bytes), "B"},
      {"kv_cache_bytes", static_cast<double>(resident.kv_cache_bytes), "B"},
      {"events", static_cast<double>(result.events), "count"},
      {"exact", result.exact ? 1.0 : 0.0, "bool"},
  };
  for (std::size_t t = 0; t < device.tiers.size(); ++t) {
    summary.metrics.push_back({"bytes_" + device.tiers[t].name, static_cast<double>(result.tier_bytes[t]), "B"});
  }
  for (std::size_t l = 0; l < device.links.size(); ++l) {
    summary.metrics.push_back({"link_bytes_" + device.links[l].name, static_cast<double>(result.link_bytes[l]), "B"});
  }
  std::map<std::string, double> bottlenecks;
  for (const auto& r : result.operators) bottlenecks[r.bottleneck] += 1.0;
  for (const auto& [name, count] : bottlenecks) summary.metrics.push_back({"bottleneck_ops_" + name, count, "count"});
  for (const auto& [name, share] : acc::bottleneck_shares(result.operators)) {
    summary.metrics.push_back({"bottleneck_share_" + name, share, "fraction"});
  }

  if (recorder != nullptr) {
    std::vector<std::string> names, kinds, bound, tiling;
    std::vector<double> lat, ops, energy;
    std::vector<std::vector<double>> bytes(device.tiers.size());
    for (const auto& r : result.operators) {
      names.push_back(r.name);
      kinds.push_back(r.kind);
      bound.push_back(r.bottleneck);
      tiling.push_back(r.tiling);
      lat.push_back(r.latency.to_seconds());
      ops.push_back(static_cast<double>(r.ops));
      energy.push_back(r.energy_pj);
      for (std::size_t t = 0; t < device.tiers.size(); ++t) bytes[t].push_back(static_cast<double>(r.tier_bytes[t]));
    }
    recorder->write_column("operators", "name", names);
    recorder->write_column("operators", "kind", kinds);
    recorder->write_column("operators", "bottleneck", bound);
    recorder->write_column("operators", "tiling", tiling);
    recorder->write_column("operators", "latency_s", lat, "s");
    recorder->write_column("operators", "ops", ops, "ops");
    recorder->write_column("operators", "energy_pj", energy, "pJ");
    for (std::size_t t = 0; t < device.tiers.size(); ++t) {
      recorder->write_column("operators", "bytes_" + device.tiers[t].name, bytes[t], "B");
    }
  }
  return summary;
}

// [workload] scalesim_topology = "FILE.csv": the layers of a SCALE-Sim topology file.
acc::OperatorList read_scalesim_workload(const Scenario& scenario, Section& w) {
  std::filesystem::path path = w.text("scalesim_topology");
  if (path.is_relative()) path = std::filesystem::path(scenario.file()).parent_path() / path;
  const acc::DataType dtype = declared_enum<acc::DataType>(w, acc::parameter("workload", "dtype"));
  w.reject_unread();
  acc::OperatorList net;
  try {
    for (const auto& layer : acc::read_scalesim_topology(path))
      net.push_back(acc::conv2d(layer.name, layer.conv, dtype));
  } catch (const std::invalid_argument& e) {
    w.error("scalesim_topology", e.what());
  }
  return net;
}

// Systolic mode: conv and GEMM layers on the device's PE array (models/accelerator/systolic.hpp);
// per-layer cycles and SRAM/DRAM traffic per operand go to the "layers" table.
RunSummary systolic(const acc::Device& device, const acc::OperatorList& net, acc::OutputConvention convention,
                    sim::Recorder* recorder) {
  std::uint64_t cycles = 0, macs = 0, mapped = 0, skipped = 0;
  acc::SystolicTraffic sram, dram;
  const auto add = [](acc::SystolicTraffic& to, const acc::SystolicTraffic& t, std::uint64_t n) {
    to.ifmap_read_bytes += t.ifmap_read_bytes * n;
    to.filter_read_bytes += t.filter_read_bytes * n;
    to.ofmap_write_bytes += t.ofmap_write_bytes * n;
    to.ofmap_read_bytes += t.ofmap_read_bytes * n;
  };
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>> columns;
  for (const auto& op : net) {
    acc::SystolicLayer layer;
    std::uint64_t repeat = 1;
    if (const auto* c = std::get_if<acc::Conv2dShape>(&op.shape)) {
      layer = acc::lower_to_gemm(*c, convention);  // every group
    } else if (const auto* g = std::get_if<acc::GemmShape>(&op.shape)) {
      layer = {g->m, g->k, g->n};
      repeat = g->batch;
    } else {
      ++skipped;
      continue;
    }
    const auto r = acc::run_systolic(device.systolic, layer, acc::element_bytes(op.dtype));
    ++mapped;
    cycles += r.cycles * repeat;
    macs += r.macs * repeat;
    acc::SystolicTraffic layer_sram, layer_dram;
    add(layer_sram, r.sram, repeat);
    add(layer_dram, r.dram, repeat);
    add(sram, layer_sram, 1);
    add(dram, layer_dram, 1);
    names.push_back(op.name);
    columns["cycles"].push_back(static_cast<double>(r.cycles * repeat));
    columns["macs"].push_back(static_cast<double>(r.macs * repeat));
    columns["folds"].push_back(static_cast<double>(r.folds * repeat));
    columns["utilisation"].push_back(r.utilisation);
    columns["mapping_efficiency"].push_back(r.mapping_efficiency);
    for (const auto& [tier, t] : {std::pair{"sram", layer_sram}, std::pair{"dram", layer_dram}}) {
      const std::string p = tier;
      columns[p + "_ifmap_read_bytes"].push_back(static_cast<double>(t.ifmap_read_bytes));
      columns[p + "_filter_read_bytes"].push_back(static_cast<double>(t.filter_read_bytes));
      columns[p + "_ofmap_write_bytes"].push_back(static_cast<double>(t.ofmap_write_bytes));
      columns[p + "_ofmap_read_bytes"].push_back(static_cast<double>(t.ofmap_read_bytes));
    }
  }
  if (recorder != nullptr) {
    recorder->write_column("layers", "name", names);
    for (const auto& [name, values] : columns) {
      const bool bytes = name.ends_with("_bytes");
      const char* unit = bytes              ? "B"
                         : name == "cycles" ? "cycles"
                         : name == "macs"   ? "MAC"
                         : name == "folds"  ? "count"
                                            : "";
      recorder->write_column("layers", name, values, unit);
    }
    recorder->summary("systolic_dataflow", std::string(acc::dataflow_name(device.systolic.dataflow)));
    recorder->summary("systolic_convention", std::string(sim::name_of(convention)));
  }
  const double pes = static_cast<double>(device.systolic.rows) * device.systolic.cols;
  RunSummary summary;
  summary.title = std::to_string(mapped) + " GEMM/conv layers on a " + std::to_string(device.systolic.rows) + "x" +
                  std::to_string(device.systolic.cols) + " " +
                  std::string(acc::dataflow_name(device.systolic.dataflow)) + " array";
  summary.metrics = {
      {"simulated_s", static_cast<double>(cycles) / (device.compute.clock_ghz * 1e9), "s"},
      {"cycles", static_cast<double>(cycles), "cycles"},
      {"macs", static_cast<double>(macs), "MAC"},
      {"utilisation", cycles > 0 ? static_cast<double>(macs) / (pes * static_cast<double>(cycles)) : 0.0, ""},
      {"sram_bytes", static_cast<double>(sram.total_bytes()), "B"},
      {"dram_bytes", static_cast<double>(dram.total_bytes()), "B"},
      {"dram_ifmap_read_bytes", static_cast<double>(dram.ifmap_read_bytes), "B"},
      {"dram_filter_read_bytes", static_cast<double>(dram.filter_read_bytes), "B"},
      {"dram_ofmap_write_bytes", static_cast<double>(dram.ofmap_write_bytes), "B"},
      {"dram_ofmap_read_bytes", static_cast<double>(dram.ofmap_read_bytes), "B"},
      {"layers_mapped", static_cast<double>(mapped), "count"},
      {"layers_skipped", static_cast<double>(skipped), "count"},
  };
  return summary;
}

}  // namespace

ScenarioKind accelerator_kind() {
  return {"accelerator", "neural-network operators on an accelerator's memory hierarchy",
          [](const Scenario& scenario, std::uint64_t) -> PreparedRun {
            Section root(scenario, "");
            declared_integer(root, acc::parameter("", "seed"));
            declared_text(root, acc::parameter("", "name"));
            const acc::Device device = read_scenario_device(scenario, root);
            Section w(root, "workload");
            const bool topology = w.has("scalesim_topology");
            acc::OperatorList net = topology ? read_scalesim_workload(scenario, w) : read_network(scenario, w, device);
            Section e(root, "execution");
            const auto declared = [](std::string_view key) -> const sim::Parameter& {
              return acc::parameter("execution", key);
            };
            const std::string mode = declared_text(e, declared("mode"));
            acc::ExecOptions options;
            options.simulated_repeats = static_cast<std::uint64_t>(declared_integer(e, declared("simulated_repeats")));
            // Fraction of the on-chip tier an activation may occupy to stay there for the
            // next operator; 0 sends every activation through the home tier.
            const double resident = declared_number(e, declared("activations_on_chip"));
            // Systolic mode's output-size convention; a SCALE-Sim topology defaults to SCALE-Sim's.
            const auto convention = *acc::parse_output_convention(e.text(
                "convention", topology ? "scalesim" : "framework", sim::accepted_spellings<acc::OutputConvention>()));
            if (e.has("convention") && mode != "systolic") e.error("convention", "applies to mode = \"systolic\" only");
            e.reject_unread();
            if (mode == "systolic" && device.systolic.rows == 0) {
              e.error("mode", "device \"" + device.name + "\" has no systolic array (add a [systolic] table)");
            }
            root.finish();
            for (const auto& op : net) {
              try {
                acc::plan_operator(device, op);
              } catch (const std::invalid_argument& err) {
                w.error("network", err.what());
              }
            }
            for (const auto& op : net) {
              const auto* conv = std::get_if<acc::Conv2dShape>(&op.shape);
              if (mode != "systolic" || conv == nullptr) continue;
              try {
                acc::lower_to_gemm(*conv, convention);
              } catch (const std::invalid_argument& err) {
                w.error(topology ? "scalesim_topology" : "network", op.name + ": " + err.what());
              }
            }
            try {
              acc::check_weights_fit(device, net);
            } catch (const std::invalid_argument& err) {
              w.error("network", err.what());
            }
            root.throw_if_errors();
            require_memory(scenario, estimate_accelerator(net.size(), mode == "systolic"));
            if (resident > 0.0) net = acc::keep_activations_on_chip(device, std::move(net), resident);
            return [device, net = std::move(net), options, mode, convention](sim::Recorder* recorder) {
              RunSummary s = mode == "systolic" ? systolic(device, net, convention, recorder)
                                                : simulate(device, net, options, recorder);
              if (recorder != nullptr) recorder->summary("device", device.name);
              return s;
            };
          }};
}

}  // namespace scenarios
