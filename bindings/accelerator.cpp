// Python face of the accelerator model: devices, operators, networks, execution and the
// systolic-array model. Results come back as dicts (numpy arrays for per-operator data).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <tbb/task_arena.h>

#include <filesystem>

#include "bindings/bindings.hpp"
#include "bindings/seed.hpp"
#include "models/accelerator/batch.hpp"
#include "models/accelerator/bottleneck.hpp"
#include "models/accelerator/parameters.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/accelerator/systolic.hpp"
#include "scenarios/kinds/accelerator_device.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

namespace acc = models::accelerator;

// An operator whose placement names tiers; resolved against a device when it runs.
struct PyOperator {
  acc::Operator op;
  std::optional<std::string> input_tier, weight_tier, output_tier, copy_from, copy_to;
};

// Keyword defaults of the scenario keys (models/accelerator/parameters.cpp).
std::string declared_text(std::string_view table, std::string_view key) {
  return std::string(acc::parameter(table, key).default_text);
}
double declared_number(std::string_view table, std::string_view key) {
  return acc::parameter(table, key).default_number.value_or(0.0);
}

acc::DataType dtype_of(const std::string& name) { return sim::parse_enum<acc::DataType>(name, "dtype"); }

std::size_t tier_of(const acc::Device& d, const std::string& name) {
  if (auto t = d.tier_index(name)) return *t;
  throw py::value_error("device \"" + d.name + "\" has no tier \"" + name + "\"");
}

acc::Operator resolve(const acc::Device& d, const PyOperator& p) {
  acc::Operator op = p.op;
  if (p.input_tier) op.placement.input = tier_of(d, *p.input_tier);
  if (p.weight_tier) op.placement.weight = tier_of(d, *p.weight_tier);
  if (p.output_tier) op.placement.output = tier_of(d, *p.output_tier);
  if (auto* c = std::get_if<acc::CopyShape>(&op.shape)) {
    c->from = tier_of(d, p.copy_from.value_or(d.tiers[d.home_tier].name));
    c->to = tier_of(d, p.copy_to.value_or(d.tiers[d.home_tier].name));
  }
  return op;
}

std::vector<acc::Operator> resolve_all(const acc::Device& d, const std::vector<PyOperator>& ops,
                                       const std::optional<std::string>& weights_tier) {
  std::vector<acc::Operator> out;
  for (const auto& p : ops) {
    out.push_back(resolve(d, p));
    if (weights_tier && !p.weight_tier) out.back().placement.weight = tier_of(d, *weights_tier);
  }
  return out;
}

py::dict operator_dict(const acc::Device& d, const acc::OperatorResult& r) {
  py::dict tiers, links, tier_energy, link_energy;
  for (std::size_t t = 0; t < d.tiers.size(); ++t) {
    tiers[py::str(d.tiers[t].name)] = r.tier_bytes[t];
    tier_energy[py::str(d.tiers[t].name)] = r.tier_energy_pj[t];
  }
  for (std::size_t l = 0; l < d.links.size(); ++l) {
    links[py::str(d.links[l].name)] = r.link_bytes[l];
    link_energy[py::str(d.links[l].name)] = r.link_energy_pj[l];
  }
  py::dict out;
  out["name"] = r.name;
  out["kind"] = r.kind;
  out["latency_s"] = r.latency.to_seconds();
  out["latency_ps"] = r.latency.ps();
  out["ops"] = r.ops;
  out["tier_bytes"] = tiers;
  out["link_bytes"] = links;
  out["energy_pj"] = r.energy_pj;
  out["compute_energy_pj"] = r.compute_energy_pj;
  out["tier_energy_pj"] = tier_energy;
  out["link_energy_pj"] = link_energy;
  out["compute_bound_s"] = r.compute_bound_s;
  out["bottleneck"] = r.bottleneck;
  out["tiling"] = r.tiling;
  out["steps"] = r.steps;
  out["events"] = r.events;
  out["exact"] = r.exact;
  return out;
}

py::dict network_dict(const acc::Device& d, const acc::NetworkResult& n, const acc::Footprint& resident) {
  const std::size_t count = n.operators.size();
  py::array_t<double> latency(count), ops(count), energy(count);
  std::vector<std::string> names, kinds, bottlenecks;
  py::dict tier_bytes;
  std::vector<py::array_t<double>> per_tier;
  for (std::size_t t = 0; t < d.tiers.size(); ++t) per_tier.emplace_back(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& r = n.operators[i];
    latency.mutable_at(i) = r.latency.to_seconds();
    ops.mutable_at(i) = static_cast<double>(r.ops);
    energy.mutable_at(i) = r.energy_pj;
    for (std::size_t t = 0; t < d.tiers.size(); ++t) per_tier[t].mutable_at(i) = static_cast<double>(r.tier_bytes[t]);
    names.push_back(r.name);
    kinds.push_back(r.kind);
    bottlenecks.push_back(r.bottleneck);
  }
  py::dict totals_tiers, totals_links;
  for (std::size_t t = 0; t < d.tiers.size(); ++t) {
    tier_bytes[py::str(d.tiers[t].name)] = per_tier[t];
    totals_tiers[py::str(d.tiers[t].name)] = n.tier_bytes[t];
  }
  for (std::size_t l = 0; l < d.links.size(); ++l) totals_links[py::str(d.links[l].name)] = n.link_bytes[l];
  py::dict per_op;
  per_op["name"] = names;
  per_op["kind"] = kinds;
  per_op["bottleneck"] = bottlenecks;
  per_op["latency_s"] = latency;
  per_op["ops"] = ops;
  per_op["energy_pj"] = energy;
  per_op["tier_bytes"] = tier_bytes;
  py::dict out;
  out["device"] = d.name;
  out["latency_s"] = n.latency.to_seconds();
  out["latency_ps"] = n.latency.ps();
  out["ops"] = n.ops;
  out["energy_pj"] = n.energy_pj;
  out["weight_bytes"] = resident.weight_bytes;
  out["kv_cache_bytes"] = resident.kv_cache_bytes;
  out["tier_bytes"] = totals_tiers;
  out["link_bytes"] = totals_links;
  out["events"] = n.events;
  out["exact"] = n.exact;
  out["operators"] = per_op;
  py::dict shares;
  for (const auto& [name, share] : acc::bottleneck_shares(n.operators)) shares[py::str(name)] = share;
  out["bottleneck_share"] = shares;
  return out;
}

std::vector<PyOperator> wrap(const acc::OperatorList& net) {
  std::vector<PyOperator> out;
  for (const auto& op : net) out.push_back(PyOperator{op, {}, {}, {}, {}, {}});
  return out;
}

PyOperator make(std::string name, acc::OperatorShape shape, const std::string& dtype, std::optional<std::string> in,
                std::optional<std::string> w, std::optional<std::string> out) {
  PyOperator p{
      acc::Operator{std::move(name), shape, dtype_of(dtype), {}}, std::move(in), std::move(w), std::move(out), {}, {}};
  acc::validate(p.op);
  return p;
}

py::dict tiers_of(const acc::Device& d) {
  py::dict tiers;
  for (const auto& t : d.tiers) {
    py::dict x;
    x["capacity_bytes"] = t.capacity_bytes;
    x["bandwidth_gb_per_s"] = t.bandwidth_gb_per_s;
    x["latency_ns"] = t.latency_ns;
    x["energy_pj_per_byte"] = t.energy_pj_per_byte;
    tiers[py::str(t.name)] = x;
  }
  return tiers;
}

std::string preset_list() {
  std::string known;
  for (const auto& name : acc::preset_names()) known += (known.empty() ? "" : ", ") + name;
  return known;
}

using OptU64 = std::optional<std::uint64_t>;

// A network by name; the transformer's dimensions are set only when one of them is given,
// so that giving one to a network that takes none is an error, not silently ignored.
acc::NetworkSpec spec_of(const std::string& name, std::uint64_t batch, const std::string& dtype,
                         std::optional<std::string> arch, OptU64 seq, OptU64 kv_len, OptU64 d_model, OptU64 heads,
                         OptU64 d_ff, OptU64 layers) {
  acc::NetworkSpec spec;
  spec.name = name;
  spec.batch = batch;
  spec.dtype = dtype_of(dtype);
  spec.arch = std::move(arch);
  spec.seq = seq;
  spec.kv_len = kv_len;
  if (d_model || heads || d_ff || layers) {
    acc::TransformerConfig t;
    t.d_model = d_model.value_or(t.d_model);
    t.heads = heads.value_or(t.heads);
    t.d_ff = d_ff.value_or(t.d_ff);
    t.layers = layers.value_or(t.layers);
    spec.transformer = t;
  }
  return spec;
}

template <typename T>
py::array_t<T> column(const std::vector<acc::BatchResult>& results, T (*get)(const acc::BatchResult&)) {
  py::array_t<T> out(static_cast<py::ssize_t>(results.size()));
  for (std::size_t i = 0; i < results.size(); ++i) out.mutable_at(i) = get(results[i]);
  return out;
}

py::dict batch_dict(const acc::Device& d, const std::vector<std::string>& archs,
                    const std::vector<acc::BatchResult>& results) {
  py::dict out;
  out["device"] = d.name;
  out["arch"] = archs;
  out["latency_s"] = column<double>(results, [](const acc::BatchResult& r) { return r.latency.to_seconds(); });
  out["energy_pj"] = column<double>(results, [](const acc::BatchResult& r) { return r.energy_pj; });
  out["ops"] = column<std::uint64_t>(results, [](const acc::BatchResult& r) { return r.ops; });
  out["weight_bytes"] =
      column<std::uint64_t>(results, [](const acc::BatchResult& r) { return r.footprint.weight_bytes; });
  out["kv_cache_bytes"] =
      column<std::uint64_t>(results, [](const acc::BatchResult& r) { return r.footprint.kv_cache_bytes; });
  out["operators"] =
      column<std::uint64_t>(results, [](const acc::BatchResult& r) { return static_cast<std::uint64_t>(r.operators); });
  out["events"] = column<std::uint64_t>(results, [](const acc::BatchResult& r) { return r.events; });
  out["exact"] = column<bool>(results, [](const acc::BatchResult& r) { return r.exact; });
  py::dict tiers, links;
  for (std::size_t t = 0; t < d.tiers.size(); ++t) {
    py::array_t<std::uint64_t> bytes(static_cast<py::ssize_t>(results.size()));
    for (std::size_t i = 0; i < results.size(); ++i) bytes.mutable_at(i) = results[i].tier_bytes[t];
    tiers[py::str(d.tiers[t].name)] = bytes;
  }
  for (std::size_t l = 0; l < d.links.size(); ++l) {
    py::array_t<std::uint64_t> bytes(static_cast<py::ssize_t>(results.size()));
    for (std::size_t i = 0; i < results.size(); ++i) bytes.mutable_at(i) = results[i].link_bytes[l];
    links[py::str(d.links[l].name)] = bytes;
  }
  out["tier_bytes"] = tiers;
  out["link_bytes"] = links;
  return out;
}

}  // namespace

void bind_accelerator(py::module_& m) {
  py::module_ a = m.def_submodule("accelerator", "accelerator memory hierarchies and operator execution");

  py::class_<acc::Device>(a, "Device")
      .def_readonly("name", &acc::Device::name)
      .def_property_readonly("tiers", &tiers_of)
      .def_property_readonly("home_tier", [](const acc::Device& d) { return d.tiers[d.home_tier].name; })
      .def_property_readonly("links",
                             [](const acc::Device& d) {
                               py::dict links;
                               for (const auto& l : d.links) {
                                 py::dict x;
                                 x["from"] = l.from;
                                 x["to"] = l.to;
                                 x["bandwidth_gb_per_s"] = l.bandwidth_gb_per_s;
                                 x["request_bytes"] = l.request_bytes;
                                 x["request_overhead_bytes"] = l.request_overhead_bytes;
                                 links[py::str(l.name)] = x;
                               }
                               return links;
                             })
      .def(
          "peak_ops_per_s",
          [](const acc::Device& d, const std::string& dtype) { return d.peak_matrix_ops_per_s(dtype_of(dtype)); },
          py::arg("dtype") = declared_text("workload", "dtype"))
      .def("__repr__", [](const acc::Device& d) { return "<Device " + d.name + ">"; });

  a.def("preset_names", &acc::preset_names);
  a.def(
      "preset",
      [](const std::string& name) {
        for (const auto& known : acc::preset_names()) {
          if (known == name) return acc::preset(name);
        }
        throw py::value_error("no preset '" + name + "'; presets: " + preset_list() +
                              " (load_device reads a device file)");
      },
      py::arg("name"));
  a.def(
      "load_device",
      [](const std::filesystem::path& path) {
        if (!std::filesystem::is_regular_file(path)) {
          throw py::value_error("no device file '" + path.string() + "'; presets: " + preset_list() +
                                " (preset(name) returns one)");
        }
        return scenarios::load_device_file(path);
      },
      py::arg("path"), "Reads a device TOML file (kind = \"device\").");

  py::class_<PyOperator>(a, "Operator")
      .def_property_readonly("name", [](const PyOperator& p) { return p.op.name; })
      .def_property_readonly("kind", [](const PyOperator& p) { return std::string(acc::kind_name(p.op)); })
      .def_property_readonly("ops", [](const PyOperator& p) { return acc::op_count(p.op); })
      .def_property_readonly("operand_bytes",
                             [](const PyOperator& p) {
                               const auto b = acc::operand_bytes(p.op);
                               py::dict d;
                               d["input"] = b.input;
                               d["weight"] = b.weight;
                               d["output"] = b.output;
                               return d;
                             })
      .def("__repr__", [](const PyOperator& p) {
        return "<Operator " + p.op.name + " (" + std::string(acc::kind_name(p.op)) + ")>";
      });

  using OptStr = std::optional<std::string>;
  a.def(
      "gemm",
      [](std::uint64_t m, std::uint64_t n, std::uint64_t k, std::uint64_t batch, bool shared_weights,
         const std::string& dtype, std::string name, OptStr in, OptStr w, OptStr out) {
        return make(std::move(name), acc::GemmShape{batch, m, n, k, shared_weights}, dtype, in, w, out);
      },
      py::arg("m"), py::arg("n"), py::arg("k"), py::arg("batch") = 1, py::arg("shared_weights") = true,
      py::arg("dtype") = declared_text("workload", "dtype"), py::arg("name") = "gemm",
      py::arg("input_tier") = py::none(), py::arg("weight_tier") = py::none(), py::arg("output_tier") = py::none());
  a.def(
      "conv2d",
      [](std::uint64_t batch, std::uint64_t in_c, std::uint64_t out_c, std::uint64_t h, std::uint64_t w,
         std::uint64_t kernel, std::uint64_t stride, std::optional<std::uint64_t> padding, std::uint64_t groups,
         const std::string& dtype, std::string name, OptStr it, OptStr wt, OptStr ot) {
        acc::Conv2dShape s{batch, in_c, out_c, h, w, kernel, kernel, stride, padding.value_or(kernel / 2), groups};
        return make(std::move(name), s, dtype, it, wt, ot);
      },
      py::arg("batch"), py::arg("in_channels"), py::arg("out_channels"), py::arg("height"), py::arg("width"),
      py::arg("kernel"), py::arg("stride") = 1, py::arg("padding") = py::none(), py::arg("groups") = 1,
      py::arg("dtype") = declared_text("workload", "dtype"), py::arg("name") = "conv2d",
      py::arg("input_tier") = py::none(), py::arg("weight_tier") = py::none(), py::arg("output_tier") = py::none());
  a.def(
      "attention",
      [](std::uint64_t batch, std::uint64_t heads, std::uint64_t q_len, std::uint64_t kv_len, std::uint64_t head_dim,
         const std::string& dtype, std::string name, OptStr kv_tier) {
        return make(std::move(name), acc::AttentionShape{batch, heads, q_len, kv_len, head_dim}, dtype, {}, kv_tier,
                    {});
      },
      py::arg("batch"), py::arg("heads"), py::arg("q_len"), py::arg("kv_len"), py::arg("head_dim"),
      py::arg("dtype") = declared_text("workload", "dtype"), py::arg("name") = "attention",
      py::arg("kv_tier") = py::none());
  a.def(
      "elementwise",
      [](std::uint64_t elements, std::uint64_t inputs, std::uint64_t ops_per_element, const std::string& dtype,
         std::string name) {
        return make(std::move(name), acc::ElementwiseShape{elements, inputs, ops_per_element}, dtype, {}, {}, {});
      },
      py::arg("elements"), py::arg("inputs") = 1, py::arg("ops_per_element") = 1,
      py::arg("dtype") = declared_text("workload", "dtype"), py::arg("name") = "elementwise");
  a.def(
      "softmax",
      [](std::uint64_t rows, std::uint64_t cols, const std::string& dtype, std::string name) {
        return make(std::move(name), acc::RowNormShape{acc::RowNormShape::Kind::softmax, rows, cols}, dtype, {}, {},
                    {});
      },
      py::arg("rows"), py::arg("cols"), py::arg("dtype") = declared_text("workload", "dtype"),
      py::arg("name") = "softmax");
  a.def(
      "layernorm",
      [](std::uint64_t rows, std::uint64_t cols, const std::string& dtype, std::string name) {
        return make(std::move(name), acc::RowNormShape{acc::RowNormShape::Kind::layernorm, rows, cols}, dtype, {}, {},
                    {});
      },
      py::arg("rows"), py::arg("cols"), py::arg("dtype") = declared_text("workload", "dtype"),
      py::arg("name") = "layernorm");
  a.def(
      "pool",
      [](std::uint64_t batch, std::uint64_t channels, std::uint64_t h, std::uint64_t w, std::uint64_t kernel,
         std::uint64_t stride, std::uint64_t padding, const std::string& dtype, std::string name) {
        return make(std::move(name), acc::PoolShape{batch, channels, h, w, kernel, stride, padding}, dtype, {}, {}, {});
      },
      py::arg("batch"), py::arg("channels"), py::arg("height"), py::arg("width"), py::arg("kernel") = 0,
      py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dtype") = declared_text("workload", "dtype"),
      py::arg("name") = "pool");
  a.def(
      "gather",
      [](std::uint64_t rows, std::uint64_t row_bytes, std::uint64_t table_rows, std::uint64_t offset_bytes,
         std::string name, OptStr table_tier) {
        return make(std::move(name), acc::GatherShape{rows, row_bytes, table_rows, offset_bytes}, "fp32", {},
                    table_tier, {});
      },
      py::arg("rows"), py::arg("row_bytes"), py::arg("table_rows"), py::arg("offset_bytes") = 0,
      py::arg("name") = "gather", py::arg("table_tier") = py::none());
  a.def(
      "copy",
      [](std::uint64_t bytes, const std::string& from, const std::string& to, std::string name) {
        PyOperator p = make(std::move(name), acc::CopyShape{bytes, 1, 2}, "bf16", {}, {}, {});
        p.copy_from = from;
        p.copy_to = to;
        return p;
      },
      py::arg("bytes"), py::arg("from_tier"), py::arg("to_tier"), py::arg("name") = "copy");

  a.def("network_names", &acc::network_names);
  a.def(
      "network",
      [](const std::string& name, std::uint64_t batch, const std::string& dtype, std::optional<std::string> arch,
         OptU64 seq, OptU64 kv_len, OptU64 d_model, OptU64 heads, OptU64 d_ff, OptU64 layers) {
        return wrap(acc::network_by_name(
            spec_of(name, batch, dtype, std::move(arch), seq, kv_len, d_model, heads, d_ff, layers)));
      },
      py::arg("name"), py::arg("batch") = acc::default_count("workload", "batch"),
      py::arg("dtype") = declared_text("workload", "dtype"), py::arg("arch") = py::none(), py::arg("seq") = py::none(),
      py::arg("kv_len") = py::none(), py::arg("d_model") = py::none(), py::arg("heads") = py::none(),
      py::arg("d_ff") = py::none(), py::arg("layers") = py::none(),
      "A network by name (network_names(); nb201 = nas_bench_201). nas_bench_201, fbnet and ofa_mbv3 need\n"
      "arch (see arch_syntax); transformer_block takes seq, llm_decode kv_len, both the transformer's\n"
      "dimensions. An option the network does not take raises ValueError.");
  a.def("arch_syntax", &acc::arch_syntax, py::arg("name"),
        "The architecture string a network expects, with an example.");
  a.def(
      "ofa_arch",
      [](std::uint64_t resolution, std::array<std::uint32_t, 5> depths, std::array<std::uint32_t, 20> kernels,
         std::array<std::uint32_t, 20> expansions) {
        const acc::OfaMbv3Config c{resolution, depths, kernels, expansions};
        return acc::ofa_arch_string(acc::parse_ofa_arch(acc::ofa_arch_string(c)));
      },
      py::arg("resolution"), py::arg("depths"), py::arg("kernels"), py::arg("expansions"),
      "The ofa_mbv3 architecture string of a configuration (checked), e.g. from a row of the OFA table.");
  a.def(
      "footprint",
      [](const std::vector<PyOperator>& ops) {
        acc::OperatorList net;
        for (const auto& p : ops) net.push_back(p.op);
        const auto f = acc::footprint(net);
        py::dict out;
        out["weight_bytes"] = f.weight_bytes;
        out["kv_cache_bytes"] = f.kv_cache_bytes;
        return out;
      },
      py::arg("ops"), "Parameter bytes and K/V-cache bytes of a list of operators.");
  a.def(
      "nas_bench_201",
      [](const std::string& arch, std::uint64_t batch, const std::string& dtype) {
        return wrap(acc::nas_bench_201(arch, batch, dtype_of(dtype)));
      },
      py::arg("arch"), py::arg("batch") = 1, py::arg("dtype") = declared_text("workload", "dtype"));
  a.def(
      "fbnet",
      [](const std::string& blocks, std::uint64_t batch, const std::string& dtype) {
        return wrap(acc::fbnet(blocks, batch, dtype_of(dtype)));
      },
      py::arg("blocks"), py::arg("batch") = 1, py::arg("dtype") = declared_text("workload", "dtype"));
  a.def(
      "ofa_mbv3",
      [](std::uint64_t resolution, std::array<std::uint32_t, 5> depths, std::array<std::uint32_t, 20> kernels,
         std::array<std::uint32_t, 20> expansions, std::uint64_t batch, const std::string& dtype) {
        return wrap(acc::ofa_mobilenet_v3({resolution, depths, kernels, expansions}, batch, dtype_of(dtype)));
      },
      py::arg("resolution"), py::arg("depths"), py::arg("kernels"), py::arg("expansions"), py::arg("batch") = 1,
      py::arg("dtype") = declared_text("workload", "dtype"));
  a.def(
      "transformer_block",
      [](std::uint64_t batch, std::uint64_t seq, std::uint64_t d_model, std::uint64_t heads, std::uint64_t d_ff,
         std::uint64_t layers, const std::string& dtype) {
        return wrap(acc::transformer_block({d_model, heads, d_ff, layers}, batch, seq, dtype_of(dtype)));
      },
      py::arg("batch"), py::arg("seq"), py::arg("d_model") = acc::default_count("workload.transformer", "d_model"),
      py::arg("heads") = acc::default_count("workload.transformer", "heads"),
      py::arg("d_ff") = acc::default_count("workload.transformer", "d_ff"),
      py::arg("layers") = acc::default_count("workload.transformer", "layers"),
      py::arg("dtype") = declared_text("workload", "dtype"));
  a.def(
      "llm_decode_step",
      [](std::uint64_t batch, std::uint64_t kv_len, std::uint64_t d_model, std::uint64_t heads, std::uint64_t d_ff,
         std::uint64_t layers, const std::string& dtype) {
        return wrap(acc::llm_decode_step({d_model, heads, d_ff, layers}, batch, kv_len, dtype_of(dtype)));
      },
      py::arg("batch"), py::arg("kv_len"), py::arg("d_model") = acc::default_count("workload.transformer", "d_model"),
      py::arg("heads") = acc::default_count("workload.transformer", "heads"),
      py::arg("d_ff") = acc::default_count("workload.transformer", "d_ff"),
      py::arg("layers") = acc::default_count("workload.transformer", "layers"),
      py::arg("dtype") = declared_text("workload", "dtype"));
  a.def(
      "random_operators",
      [](std::size_t count, const py::object& seed, const std::string& dtype) {
        return wrap(acc::random_operators(count, seed_from(seed, "seed"), dtype_of(dtype)));
      },
      py::arg("count"), py::arg("seed") = 1, py::arg("dtype") = declared_text("workload", "dtype"));

  a.def(
      "execute",
      [](const acc::Device& d, const PyOperator& p, std::uint64_t simulated_repeats) {
        const acc::Operator op = resolve(d, p);
        acc::OperatorResult r;
        {
          py::gil_scoped_release release;
          acc::ExecOptions o;
          o.simulated_repeats = simulated_repeats;
          r = acc::execute(d, op, o);
        }
        return operator_dict(d, r);
      },
      py::arg("device"), py::arg("op"),
      py::arg("simulated_repeats") = acc::default_count("execution", "simulated_repeats"),
      "Simulates one operator; returns latency, bytes and energy per tier and link, bottleneck.");
  a.def(
      "run_network",
      [](const acc::Device& d, const std::vector<PyOperator>& ops, OptStr weights_tier, double activations_on_chip) {
        auto net = resolve_all(d, ops, weights_tier);
        if (activations_on_chip > 0) net = acc::keep_activations_on_chip(d, std::move(net), activations_on_chip);
        acc::NetworkResult r;
        {
          py::gil_scoped_release release;
          r = acc::execute_network(d, net);
        }
        return network_dict(d, r, acc::footprint(net));
      },
      py::arg("device"), py::arg("ops"), py::arg("weights_tier") = py::none(),
      py::arg("activations_on_chip") = declared_number("execution", "activations_on_chip"),
      "Runs operators one after another (simulated in parallel); activations_on_chip > 0 keeps outputs up to\n"
      "that fraction of the on-chip tier there for the next operator. Totals and per-operator arrays.");
  a.def(
      "run_networks",
      [](const acc::Device& d, const std::string& space, const std::vector<std::string>& archs, std::uint64_t batch,
         const std::string& dtype, OptU64 seq, OptU64 kv_len, OptU64 d_model, OptU64 heads, OptU64 d_ff, OptU64 layers,
         OptStr weights_tier, double activations_on_chip, std::uint64_t simulated_repeats, int threads) {
        const auto base = spec_of(space, batch, dtype, std::nullopt, seq, kv_len, d_model, heads, d_ff, layers);
        acc::BatchOptions options;
        options.exec.simulated_repeats = simulated_repeats;
        if (weights_tier) options.weights_tier = tier_of(d, *weights_tier);
        options.activations_on_chip = activations_on_chip;
        if (threads < 0) throw py::value_error("threads must be >= 0 (0 = all cores)");
        std::vector<acc::BatchResult> results;
        {
          py::gil_scoped_release release;
          const auto specs = acc::specs_for_archs(base, archs);
          const auto run = [&] { results = acc::run_networks(d, specs, options); };
          if (threads > 0) {
            tbb::task_arena arena(threads);
            arena.execute(run);
          } else {
            run();
          }
        }
        return batch_dict(d, archs, results);
      },
      py::arg("device"), py::arg("space"), py::arg("archs"), py::arg("batch") = acc::default_count("workload", "batch"),
      py::arg("dtype") = declared_text("workload", "dtype"), py::arg("seq") = py::none(),
      py::arg("kv_len") = py::none(), py::arg("d_model") = py::none(), py::arg("heads") = py::none(),
      py::arg("d_ff") = py::none(), py::arg("layers") = py::none(), py::arg("weights_tier") = py::none(),
      py::arg("activations_on_chip") = declared_number("execution", "activations_on_chip"),
      py::arg("simulated_repeats") = acc::default_count("execution", "simulated_repeats"), py::arg("threads") = 0,
      "Runs one network of `space` per architecture string, in parallel (threads = 0: all cores); each result\n"
      "equals run_network's for that architecture bit for bit. A dict of numpy arrays, one entry per arch.");

  a.def(
      "systolic",
      [](std::uint32_t rows, std::uint32_t cols, const std::string& dataflow, std::uint64_t sr, std::uint64_t t,
         std::uint64_t sc, std::uint64_t sram_bytes, std::uint32_t element_bytes) {
        const auto df = sim::parse_enum<acc::Dataflow>(dataflow, "dataflow");
        const auto r =
            acc::run_systolic({rows, cols, df, sram_bytes, sram_bytes, sram_bytes}, {sr, t, sc}, element_bytes);
        py::dict out;
        out["cycles"] = r.cycles;
        out["folds"] = r.folds;
        out["macs"] = r.macs;
        out["utilisation"] = r.utilisation;
        out["mapping_efficiency"] = r.mapping_efficiency;
        for (const auto& [tier, traffic] : {std::pair{"sram", r.sram}, std::pair{"dram", r.dram}}) {
          const std::string p = tier;
          out[(p + "_ifmap_read_bytes").c_str()] = traffic.ifmap_read_bytes;
          out[(p + "_filter_read_bytes").c_str()] = traffic.filter_read_bytes;
          out[(p + "_ofmap_write_bytes").c_str()] = traffic.ofmap_write_bytes;
          out[(p + "_ofmap_read_bytes").c_str()] = traffic.ofmap_read_bytes;
        }
        return out;
      },
      py::arg("rows"), py::arg("cols"), py::arg("dataflow"), py::arg("sr"), py::arg("t"), py::arg("sc"),
      py::arg("sram_bytes") = 1 << 20, py::arg("element_bytes") = 2,
      "Systolic-mode analysis of an (sr x t) * (t x sc) GEMM on a rows x cols array (dataflow os, ws, is or rs;\n"
      "sram_bytes per operand): cycles, utilisation and SRAM/DRAM bytes per operand.");
}

}  // namespace bindings
