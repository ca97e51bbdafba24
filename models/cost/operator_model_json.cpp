// JSON form of the operator model. Reading is strict: a damaged file (missing keys, wrong
// types, NaN, negative or out-of-range values, unknown names) is refused with the path of
// the offending field, never half-read.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/cost/operator_model.hpp"

namespace models::cost {

namespace acc = models::accelerator;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

const json& field(const json& j, const std::string& where, const char* key) {
  if (!j.is_object()) fail(where, "expected an object");
  const auto it = j.find(key);
  if (it == j.end()) fail(where + "." + key, "missing");
  return *it;
}

const json& object_at(const json& j, const std::string& where, const char* key) {
  const json& v = field(j, where, key);
  if (!v.is_object()) fail(where + "." + key, "expected an object");
  return v;
}

const json& array_at(const json& j, const std::string& where, const char* key) {
  const json& v = field(j, where, key);
  if (!v.is_array()) fail(where + "." + key, "expected an array");
  return v;
}

std::string text(const json& j, const std::string& where, const char* key) {
  const json& v = field(j, where, key);
  if (!v.is_string()) fail(where + "." + key, "expected a string");
  return v.get<std::string>();
}

// A finite number within [min, max] (JSON NaN arrives as null and is refused here).
double number(const json& j, const std::string& where, const char* key, double min = 0.0,
              double max = std::numeric_limits<double>::max()) {
  const json& v = field(j, where, key);
  if (!v.is_number()) fail(where + "." + key, "expected a number");
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < min || x > max) {
    fail(where + "." + key, "expected a finite number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return x;
}

std::uint64_t whole(const json& j, const std::string& where, const char* key, std::uint64_t min = 0,
                    std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
  const json& v = field(j, where, key);
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() < min || v.get<std::uint64_t>() > max) {
    fail(where + "." + key, "expected a whole number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v.get<std::uint64_t>();
}

bool flag(const json& j, const std::string& where, const char* key) {
  const json& v = field(j, where, key);
  if (!v.is_boolean()) fail(where + "." + key, "expected true or false");
  return v.get<bool>();
}

json device_to_json(const acc::Device& d) {
  json peaks = json::object();
  for (std::size_t t = 0; t < acc::kDataTypeCount; ++t) {
    peaks[std::string(acc::data_type_name(static_cast<acc::DataType>(t)))] = d.compute.matrix_ops_per_s[t];
  }
  json tiers = json::array(), links = json::array();
  for (const auto& t : d.tiers) {
    tiers.push_back({{"name", t.name},
                     {"capacity_bytes", t.capacity_bytes},
                     {"bandwidth_gb_per_s", t.bandwidth_gb_per_s},
                     {"latency_ns", t.latency_ns},
                     {"energy_pj_per_byte", t.energy_pj_per_byte}});
  }
  for (const auto& l : d.links) {
    links.push_back({{"name", l.name},
                     {"from", l.from},
                     {"to", l.to},
                     {"bandwidth_gb_per_s", l.bandwidth_gb_per_s},
                     {"latency_ns", l.latency_ns},
                     {"energy_pj_per_byte", l.energy_pj_per_byte},
                     {"request_bytes", l.request_bytes},
                     {"request_overhead_bytes", l.request_overhead_bytes}});
  }
  const acc::KernelSpec& k = d.kernel;
  const acc::RuntimeSpec& r = d.runtime;
  return {{"name", d.name},
          {"kernel",
           {{"matrix_efficiency", k.matrix_efficiency},
            {"vector_efficiency", k.vector_efficiency},
            {"memory_efficiency", k.memory_efficiency},
            {"mma_m", k.mma_m},
            {"mma_n", k.mma_n},
            {"mma_k", k.mma_k},
            {"block_m", k.block_m},
            {"block_n", k.block_n},
            {"min_block_m", k.min_block_m},
            {"min_block_n", k.min_block_n},
            {"simd_bits", k.simd_bits}}},
          {"runtime",
           {{"dispatch_ns", r.dispatch_ns},
            {"library_call_ns", r.library_call_ns},
            {"group_call_ns", r.group_call_ns},
            {"async_launch", r.async_launch},
            {"fold_batch_norm", r.fold_batch_norm},
            {"fuse_elementwise", r.fuse_elementwise},
            {"threads", r.threads}}},
          {"compute",
           {{"matrix_ops_per_s", peaks},
            {"vector_ops_per_s", d.compute.vector_ops_per_s},
            {"cores", d.compute.cores},
            {"clock_ghz", d.compute.clock_ghz},
            {"op_overhead_ns", d.compute.op_overhead_ns},
            {"energy_pj_per_op", d.compute.energy_pj_per_op}}},
          {"tiers", tiers},
          {"links", links},
          {"dma_engines", d.dma_engines},
          {"home_tier", d.home_tier},
          {"systolic",
           {{"rows", d.systolic.rows},
            {"cols", d.systolic.cols},
            {"dataflow", std::string(acc::dataflow_name(d.systolic.dataflow))},
            {"ifmap_sram_bytes", d.systolic.ifmap_sram_bytes},
            {"filter_sram_bytes", d.systolic.filter_sram_bytes},
            {"ofmap_sram_bytes", d.systolic.ofmap_sram_bytes}}}};
}

acc::Device device_from_json(const json& j, const std::string& where) {
  acc::Device d;
  d.name = text(j, where, "name");
  const std::string cw = where + ".compute";
  const json& c = object_at(j, where, "compute");
  const json& peaks = object_at(c, cw, "matrix_ops_per_s");
  for (std::size_t t = 0; t < acc::kDataTypeCount; ++t) {
    const std::string name(acc::data_type_name(static_cast<acc::DataType>(t)));
    d.compute.matrix_ops_per_s[t] = number(peaks, cw + ".matrix_ops_per_s", name.c_str());
  }
  d.compute.vector_ops_per_s = number(c, cw, "vector_ops_per_s");
  d.compute.cores = static_cast<std::uint32_t>(whole(c, cw, "cores", 1, UINT32_MAX));
  d.compute.clock_ghz = number(c, cw, "clock_ghz");
  d.compute.op_overhead_ns = number(c, cw, "op_overhead_ns");
  d.compute.energy_pj_per_op = number(c, cw, "energy_pj_per_op");
  const std::string kw = where + ".kernel";
  const json& k = object_at(j, where, "kernel");
  d.kernel.matrix_efficiency = number(k, kw, "matrix_efficiency", 1e-6, 1.0);
  d.kernel.vector_efficiency = number(k, kw, "vector_efficiency", 1e-6, 1.0);
  d.kernel.memory_efficiency = number(k, kw, "memory_efficiency", 1e-6, 1.0);
  const auto u32 = [&](const json& o, const std::string& w, const char* key, std::uint64_t min) {
    return static_cast<std::uint32_t>(whole(o, w, key, min, 1u << 20));
  };
  d.kernel.mma_m = u32(k, kw, "mma_m", 1);
  d.kernel.mma_n = u32(k, kw, "mma_n", 1);
  d.kernel.mma_k = u32(k, kw, "mma_k", 1);
  d.kernel.block_m = u32(k, kw, "block_m", 0);
  d.kernel.block_n = u32(k, kw, "block_n", 0);
  d.kernel.min_block_m = u32(k, kw, "min_block_m", 0);
  d.kernel.min_block_n = u32(k, kw, "min_block_n", 0);
  d.kernel.simd_bits = u32(k, kw, "simd_bits", 0);
  const std::string rw = where + ".runtime";
  const json& r = object_at(j, where, "runtime");
  d.runtime.dispatch_ns = number(r, rw, "dispatch_ns");
  d.runtime.library_call_ns = number(r, rw, "library_call_ns");
  d.runtime.group_call_ns = number(r, rw, "group_call_ns");
  d.runtime.async_launch = flag(r, rw, "async_launch");
  d.runtime.fold_batch_norm = flag(r, rw, "fold_batch_norm");
  d.runtime.fuse_elementwise = flag(r, rw, "fuse_elementwise");
  d.runtime.threads = u32(r, rw, "threads", 0);
  const json& tiers = array_at(j, where, "tiers");
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const std::string tw = where + ".tiers[" + std::to_string(i) + "]";
    const json& t = tiers[i];
    d.tiers.push_back({text(t, tw, "name"), whole(t, tw, "capacity_bytes", 1), number(t, tw, "bandwidth_gb_per_s"),
                       number(t, tw, "latency_ns"), number(t, tw, "energy_pj_per_byte")});
  }
  const json& links = array_at(j, where, "links");
  for (std::size_t i = 0; i < links.size(); ++i) {
    const std::string lw = where + ".links[" + std::to_string(i) + "]";
    const json& l = links[i];
    d.links.push_back({text(l, lw, "name"), text(l, lw, "from"), text(l, lw, "to"), number(l, lw, "bandwidth_gb_per_s"),
                       number(l, lw, "latency_ns"), number(l, lw, "energy_pj_per_byte"),
                       static_cast<std::uint32_t>(whole(l, lw, "request_bytes", 0, UINT32_MAX)),
                       static_cast<std::uint32_t>(whole(l, lw, "request_overhead_bytes", 0, UINT32_MAX))});
  }
  d.dma_engines = static_cast<std::uint32_t>(whole(j, where, "dma_engines", 1, UINT32_MAX));
  d.home_tier = static_cast<std::size_t>(whole(j, where, "home_tier"));
  const std::string sw = where + ".systolic";
  const json& sy = object_at(j, where, "systolic");
  d.systolic.rows = u32(sy, sw, "rows", 0);
  d.systolic.cols = u32(sy, sw, "cols", 0);
  const auto dataflow = acc::parse_dataflow(text(sy, sw, "dataflow"));
  if (!dataflow) fail(sw + ".dataflow", "unknown dataflow (expected " + sim::accepted_names<acc::Dataflow>() + ")");
  d.systolic.dataflow = *dataflow;
  d.systolic.ifmap_sram_bytes = whole(sy, sw, "ifmap_sram_bytes");
  d.systolic.filter_sram_bytes = whole(sy, sw, "filter_sram_bytes");
  d.systolic.ofmap_sram_bytes = whole(sy, sw, "ofmap_sram_bytes");
  try {
    acc::validate(d);
  } catch (const std::invalid_argument& e) {
    fail(where, e.what());
  }
  if (d.home_tier >= d.tiers.size()) fail(where + ".home_tier", "no such tier");
  return d;
}

ClassModel class_from_json(const json& j, const std::string& where) {
  ClassModel m;
  m.op_class = text(j, where, "class");
  const auto known = operator_classes();
  if (std::find(known.begin(), known.end(), m.op_class) == known.end())
    fail(where + ".class", "unknown operator class");
  m.norm_p = number(j, where, "norm_p", 1.0, 1e3);
  const json& coefficients = array_at(j, where, "coefficients");
  const std::array<const char*, 6> names = {"overhead",     "kernel_overhead", "compute_scale",
                                            "memory_scale", "request_scale",   "fill_scale"};
  if (coefficients.size() != names.size()) fail(where + ".coefficients", "expected 6 coefficients");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string cw = where + ".coefficients[" + std::to_string(i) + "]";
    Coefficient c{text(coefficients[i], cw, "name"), text(coefficients[i], cw, "unit"),
                  number(coefficients[i], cw, "value")};
    if (c.name != names[i]) fail(cw + ".name", std::string("expected \"") + names[i] + "\"");
    m.coefficients.push_back(std::move(c));
  }
  m.fit_rows = static_cast<std::size_t>(whole(j, where, "fit_rows"));
  m.holdout = error_report_from_json(field(j, where, "report"), where + ".report");
  return m;
}

}  // namespace

json to_json(const Provenance& p) {
  return {{"device", p.device},       {"plan_file", p.plan_file}, {"plan_sha256", p.plan_sha256},
          {"plan_text", p.plan_text}, {"seed", p.seed},           {"simfabric_version", p.simfabric_version}};
}

Provenance provenance_from_json(const json& j, const std::string& where) {
  Provenance p;
  p.device = text(j, where, "device");
  p.plan_file = text(j, where, "plan_file");
  p.plan_sha256 = text(j, where, "plan_sha256");
  p.plan_text = text(j, where, "plan_text");
  p.seed = whole(j, where, "seed");
  p.simfabric_version = text(j, where, "simfabric_version");
  return p;
}

json to_json(const OperatorModel& model) {
  json classes = json::array();
  for (const auto& c : model.classes) {
    json coefficients = json::array();
    for (const auto& k : c.coefficients)
      coefficients.push_back({{"name", k.name}, {"unit", k.unit}, {"value", k.value}});
    classes.push_back({{"class", c.op_class},
                       {"norm_p", c.norm_p},
                       {"coefficients", coefficients},
                       {"fit_rows", c.fit_rows},
                       {"report", to_json(c.holdout)}});
  }
  json table = json::object();
  for (const auto& [key, seconds] : model.table_s) table[key] = seconds;
  return {{"provenance", to_json(model.provenance)},
          {"report", to_json(model.holdout)},
          {"device", device_to_json(model.device)},
          {"classes", classes},
          {"table_s", table}};
}

OperatorModel operator_model_from_json(const json& body, const std::string& where) {
  OperatorModel m;
  m.provenance = provenance_from_json(object_at(body, where, "provenance"), where + ".provenance");
  m.holdout = error_report_from_json(field(body, where, "report"), where + ".report");
  m.device = device_from_json(object_at(body, where, "device"), where + ".device");
  const json& classes = array_at(body, where, "classes");
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const std::string cw = where + ".classes[" + std::to_string(i) + "]";
    ClassModel c = class_from_json(classes[i], cw);
    for (const auto& other : m.classes) {
      if (other.op_class == c.op_class) fail(cw + ".class", "\"" + c.op_class + "\" appears twice");
    }
    m.classes.push_back(std::move(c));
  }
  const json& table = object_at(body, where, "table_s");
  for (const auto& [key, value] : table.items()) {
    if (!value.is_number() || !std::isfinite(value.get<double>()) || !(value.get<double>() > 0.0)) {
      fail(where + ".table_s[\"" + key + "\"]", "expected a positive finite number of seconds");
    }
    m.table_s[key] = value.get<double>();
  }
  return m;
}

}  // namespace models::cost
