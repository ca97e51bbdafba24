#include "models/cost/plan.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include <toml++/toml.h>

#include "models/cost/operator_model.hpp"
#include "sim/input_file.hpp"
#include "sim/random.hpp"

namespace models::cost {

namespace acc = models::accelerator;

namespace {

// A parameter's declaration: its default and the bounds any plan must respect.
struct Declared {
  const char* name;
  bool is_range;
  double lo, hi;                    // default range (ranges)
  std::vector<double> choices;      // default choices (choice keys)
  double min, max;                  // allowed values
  std::vector<std::string> labels;  // non-empty: an enumeration written as strings
};

struct ClassDecl {
  const char* op_class;
  std::vector<Declared> params;
};

const std::vector<ClassDecl>& declarations() {
  static const std::vector<ClassDecl> decls = {
      {"gemm",
       {{"batch", true, 1, 16, {}, 1, 1 << 20, {}},
        {"m", true, 1, 8192, {}, 1, 1 << 24, {}},
        {"n", true, 1, 8192, {}, 1, 1 << 24, {}},
        {"k", true, 1, 8192, {}, 1, 1 << 24, {}},
        {"shared_weights", false, 0, 0, {1, 0}, 0, 1, {"false", "true"}}}},
      {"conv2d",
       {{"batch", true, 1, 8, {}, 1, 1 << 16, {}},
        {"in_channels", true, 3, 1024, {}, 1, 1 << 16, {}},
        {"out_channels", true, 8, 1024, {}, 1, 1 << 16, {}},
        {"size", true, 7, 224, {}, 1, 1 << 14, {}},
        {"kernel", false, 0, 0, {1, 3, 5, 7}, 1, 15, {}},
        {"stride", false, 0, 0, {1, 2}, 1, 4, {}},
        {"groups", false, 0, 0, {1}, 1, 1 << 12, {}}}},
      {"depthwise_conv2d",
       {{"batch", true, 1, 8, {}, 1, 1 << 16, {}},
        {"channels", true, 8, 1024, {}, 1, 1 << 16, {}},
        {"size", true, 7, 112, {}, 1, 1 << 14, {}},
        {"kernel", false, 0, 0, {3, 5, 7}, 1, 15, {}},
        {"stride", false, 0, 0, {1, 2}, 1, 4, {}}}},
      {"pool",
       {{"batch", true, 1, 8, {}, 1, 1 << 16, {}},
        {"channels", true, 8, 1024, {}, 1, 1 << 16, {}},
        {"size", true, 7, 112, {}, 1, 1 << 14, {}},
        {"kernel", false, 0, 0, {0, 2, 3}, 0, 15, {}},
        {"stride", false, 0, 0, {1, 2}, 1, 4, {}}}},
      {"elementwise",
       {{"elements", true, 1024, 1 << 26, {}, 1, 1e12, {}},
        {"inputs", false, 0, 0, {1, 2, 3}, 1, 8, {}},
        {"ops_per_element", false, 0, 0, {1, 2, 4, 8}, 1, 1000, {}}}},
      {"rownorm",
       {{"rows", true, 1, 16384, {}, 1, 1e9, {}},
        {"cols", true, 64, 8192, {}, 1, 1 << 20, {}},
        {"kind", false, 0, 0, {0, 1}, 0, 1, {"softmax", "layernorm"}}}},
      {"attention",
       {{"batch", true, 1, 8, {}, 1, 1 << 16, {}},
        {"heads", true, 1, 64, {}, 1, 1024, {}},
        {"q_len", true, 1, 4096, {}, 1, 1 << 20, {}},
        {"kv_len", true, 1, 8192, {}, 1, 1 << 22, {}},
        {"head_dim", false, 0, 0, {64, 128}, 1, 1024, {}}}},
  };
  return decls;
}

const ClassDecl* find_class(std::string_view name) {
  for (const auto& d : declarations()) {
    if (name == d.op_class) return &d;
  }
  return nullptr;
}

ParameterSpec default_spec(const Declared& d) {
  ParameterSpec p;
  p.name = d.name;
  p.is_range = d.is_range;
  p.lo = d.lo;
  p.hi = d.hi;
  p.choices = d.choices;
  return p;
}

std::string fmt_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Strict reading of a parsed plan: every problem is collected with its line.
class Reader {
 public:
  Reader(std::string file) : file_(std::move(file)) {}

  void problem(const toml::node* node, const std::string& key, const std::string& message) {
    std::string where = file_;
    if (node != nullptr && node->source().begin.line > 0) where += ":" + std::to_string(node->source().begin.line);
    problems_.push_back(where + ": " + key + ": " + message);
  }
  const std::vector<std::string>& problems() const { return problems_; }

  // A number (integer or float) within [min, max].
  std::optional<double> number(const toml::node& node, const std::string& key, double min, double max) {
    std::optional<double> v;
    if (auto i = node.value_exact<std::int64_t>()) v = static_cast<double>(*i);
    if (auto f = node.value_exact<double>()) v = *f;
    if (!v) {
      problem(&node, key, "expected a number");
      return std::nullopt;
    }
    if (!std::isfinite(*v) || *v < min || *v > max) {
      problem(&node, key,
              "expected a value in [" + fmt_number(min) + ", " + fmt_number(max) + "], got " + fmt_number(*v));
      return std::nullopt;
    }
    return v;
  }

  std::optional<double> whole(const toml::node& node, const std::string& key, double min, double max) {
    auto v = number(node, key, min, max);
    if (v && *v != std::floor(*v)) {
      problem(&node, key, "expected a whole number, got " + fmt_number(*v));
      return std::nullopt;
    }
    return v;
  }

  // One value of a parameter: a whole number, or a label of an enumeration.
  std::optional<double> value(const toml::node& node, const std::string& key, const Declared& d) {
    if (d.labels.empty()) return whole(node, key, d.min, d.max);
    if (auto b = node.value_exact<bool>(); b && d.labels.size() == 2 && d.labels[0] == "false") return *b ? 1.0 : 0.0;
    if (auto s = node.value_exact<std::string>()) {
      for (std::size_t i = 0; i < d.labels.size(); ++i) {
        if (*s == d.labels[i]) return static_cast<double>(i);
      }
    }
    std::string expected;
    for (const auto& l : d.labels) expected += (expected.empty() ? "" : ", ") + ("\"" + l + "\"");
    if (d.labels.size() == 2 && d.labels[0] == "false") expected = "true or false";
    problem(&node, key, "expected one of " + expected);
    return std::nullopt;
  }

  ParameterSpec parameter(const toml::node& node, const std::string& key, const Declared& d) {
    ParameterSpec p = default_spec(d);
    const toml::array* list = node.as_array();
    if (list == nullptr) {  // one fixed value
      if (auto v = value(node, key, d)) {
        p.is_range = false;
        p.choices = {*v};
      }
      return p;
    }
    if (list->empty()) {
      problem(&node, key, "expected a non-empty list");
      return p;
    }
    std::vector<double> values;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto v = value(*list->get(i), key + "[" + std::to_string(i) + "]", d)) values.push_back(*v);
    }
    if (values.size() != list->size()) return p;
    if (d.is_range) {
      if (values.size() != 2 || values[0] > values[1]) {
        problem(&node, key, "expected a range [low, high] with low <= high");
        return p;
      }
      p.lo = values[0];
      p.hi = values[1];
    } else {
      p.choices = values;
    }
    return p;
  }

 private:
  std::string file_;
  std::vector<std::string> problems_;
};

std::string join_keys(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// --- drawing -------------------------------------------------------------------------

// Points in [0, 1)^dims, `n` of them (random and Latin hypercube designs).
std::vector<std::vector<double>> unit_points(Design design, std::size_t n, std::size_t dims, sim::RandomStream& rng) {
  std::vector<std::vector<double>> pts(n, std::vector<double>(dims));
  for (std::size_t d = 0; d < dims; ++d) {
    std::vector<std::size_t> strata(n);
    std::iota(strata.begin(), strata.end(), 0);
    if (design == Design::lhs) {
      for (std::size_t i = n; i > 1; --i) std::swap(strata[i - 1], strata[rng.below(i)]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      pts[i][d] = design == Design::lhs ? (static_cast<double>(strata[i]) + rng.uniform()) / static_cast<double>(n)
                                        : rng.uniform();
    }
  }
  return pts;
}

double from_unit(const ParameterSpec& p, double u) {
  if (!p.is_range) {
    const auto i = std::min(p.choices.size() - 1, static_cast<std::size_t>(u * static_cast<double>(p.choices.size())));
    return p.choices[i];
  }
  if (p.lo == p.hi) return p.lo;
  // Whole numbers over [lo, hi]: spread over [lo, hi + 1) and floored, so hi is as likely
  // as its neighbours.
  const double hi = p.hi + 1.0;
  const double v =
      p.log_scale ? std::exp(std::log(p.lo) + u * (std::log(hi) - std::log(p.lo))) : p.lo + u * (hi - p.lo);
  return std::clamp(std::floor(v), p.lo, p.hi);
}

// Grid levels of one parameter: its choices, or `levels` points spread (log-)evenly.
std::vector<double> grid_levels(const ParameterSpec& p, std::size_t levels) {
  if (!p.is_range) return p.choices;
  std::vector<double> out;
  for (std::size_t i = 0; i < levels; ++i) {
    const double t = levels == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(levels - 1);
    const double v =
        p.log_scale ? std::exp(std::log(p.lo) + t * (std::log(p.hi) - std::log(p.lo))) : p.lo + t * (p.hi - p.lo);
    const double r = std::clamp(std::round(v), p.lo, p.hi);
    if (out.empty() || out.back() != r) out.push_back(r);
  }
  return out;
}

std::vector<std::vector<double>> grid_points(const OperatorSpec& spec, std::size_t share) {
  std::size_t fixed = 1, ranges = 0;
  for (const auto& p : spec.parameters) {
    if (p.is_range && p.lo != p.hi) {
      ++ranges;
    } else {
      fixed *= p.is_range ? 1 : p.choices.size();
    }
  }
  std::size_t levels = 1;
  if (ranges > 0) {
    const double per = static_cast<double>(share) / static_cast<double>(fixed);
    levels = std::max<std::size_t>(2, static_cast<std::size_t>(std::floor(std::pow(per, 1.0 / ranges) + 1e-9)));
  }
  std::vector<std::vector<double>> axes;
  for (const auto& p : spec.parameters) axes.push_back(grid_levels(p, levels));
  std::vector<std::vector<double>> pts{{}};
  for (const auto& axis : axes) {
    std::vector<std::vector<double>> next;
    for (const auto& pt : pts) {
      for (double v : axis) {
        next.push_back(pt);
        next.back().push_back(v);
      }
    }
    pts = std::move(next);
  }
  return pts;
}

std::uint64_t u64(double v) { return static_cast<std::uint64_t>(v); }

std::uint64_t round_up(std::uint64_t v, std::uint64_t multiple) { return (v + multiple - 1) / multiple * multiple; }

// The operator a point of a class's parameters stands for; adjusted to be valid
// (channels a multiple of the groups, the kernel no larger than the padded input).
acc::Operator make_operator(const OperatorSpec& spec, const std::vector<double>& v, acc::DataType dtype,
                            const std::string& name) {
  const std::string& c = spec.op_class;
  if (c == "gemm") return acc::gemm(name, u64(v[1]), u64(v[2]), u64(v[3]), u64(v[0]), v[4] != 0.0, dtype);
  if (c == "conv2d" || c == "depthwise_conv2d") {
    acc::Conv2dShape s;
    s.batch = u64(v[0]);
    const bool depthwise = c == "depthwise_conv2d";
    const std::uint64_t size = u64(v[depthwise ? 2 : 3]);
    s.kernel_h = s.kernel_w = u64(v[depthwise ? 3 : 4]);
    s.stride = u64(v[depthwise ? 4 : 5]);
    s.padding = s.kernel_h / 2;
    s.height = s.width = std::max(size, s.kernel_h);
    if (depthwise) {
      s.in_channels = s.out_channels = s.groups = u64(v[1]);
    } else {
      s.groups = u64(v[6]);
      s.in_channels = round_up(u64(v[1]), s.groups);
      s.out_channels = round_up(u64(v[2]), s.groups);
    }
    return acc::conv2d(name, s, dtype);
  }
  if (c == "pool") {
    acc::PoolShape p;
    p.batch = u64(v[0]);
    p.channels = u64(v[1]);
    p.kernel = u64(v[3]);
    p.height = p.width = std::max(u64(v[2]), p.kernel);
    p.stride = p.kernel == 0 ? 1 : u64(v[4]);
    p.padding = p.kernel / 2 > 0 && p.kernel % 2 == 1 ? p.kernel / 2 : 0;
    return acc::Operator{name, p, dtype, {}};
  }
  if (c == "elementwise") return acc::elementwise(name, u64(v[0]), u64(v[1]), u64(v[2]), dtype);
  if (c == "rownorm") {
    acc::RowNormShape r;
    r.kind = v[2] != 0.0 ? acc::RowNormShape::Kind::layernorm : acc::RowNormShape::Kind::softmax;
    r.rows = u64(v[0]);
    r.cols = u64(v[1]);
    return acc::Operator{name, r, dtype, {}};
  }
  acc::AttentionShape a{u64(v[0]), u64(v[1]), u64(v[2]), u64(v[3]), u64(v[4])};
  return acc::Operator{name, a, dtype, {}};
}

}  // namespace

std::string_view design_name(Design design) { return sim::name_of(design); }

PlanError::PlanError(const std::vector<std::string>& problems)
    : std::invalid_argument([&] {
        std::string s;
        for (const auto& p : problems) s += (s.empty() ? "" : "\n") + p;
        return s;
      }()),
      problems_(problems) {}

std::vector<OperatorSpec> plan_defaults() {
  std::vector<OperatorSpec> out;
  for (const auto& d : declarations()) {
    OperatorSpec spec;
    spec.op_class = d.op_class;
    for (const auto& p : d.params) spec.parameters.push_back(default_spec(p));
    out.push_back(std::move(spec));
  }
  return out;
}

SamplingPlan parse_plan(std::string_view text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    throw PlanError({file_name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description())});
  }
  Reader r(file_name);
  SamplingPlan plan;
  plan.file = file_name;
  plan.text = std::string(text);

  for (const auto& [key, node] : root) {
    if (key != "plan" && key != "operators") {
      r.problem(&node, std::string(key.str()), "unknown key (expected [plan] and [operators.<class>] tables)");
    }
  }
  const toml::table* head = root["plan"].as_table();
  if (head == nullptr) {
    r.problem(root.get("plan"), "plan", "expected a [plan] table");
  } else {
    for (const auto& [key, node] : *head) {
      const std::string k = "plan." + std::string(key.str());
      if (key == "design") {
        const auto s = node.value_exact<std::string>();
        if (const auto design = s ? sim::find_enum<Design>(*s) : std::nullopt) {
          plan.design = *design;
        } else {
          r.problem(&node, k, "expected \"grid\", \"random\" or \"lhs\"");
        }
      } else if (key == "samples") {
        if (auto v = r.whole(node, k, 1, 10'000'000)) plan.samples = static_cast<std::size_t>(*v);
      } else if (key == "seed") {
        if (auto v = r.whole(node, k, 0, 9.0e15)) plan.seed = static_cast<std::uint64_t>(*v);
      } else if (key == "holdout") {
        if (auto v = r.number(node, k, 0.0, 0.9)) plan.holdout = *v;
      } else if (key == "dtype") {
        const auto s = node.value_exact<std::string>();
        const auto t = s ? acc::parse_data_type(*s) : std::nullopt;
        if (t) {
          plan.dtype = *t;
        } else {
          r.problem(&node, k, "expected a data type (fp32, tf32, bf16, fp16, fp8, int8)");
        }
      } else {
        r.problem(&node, k, "unknown key (expected design, samples, seed, holdout, dtype)");
      }
    }
  }

  const toml::node* ops_node = root.get("operators");
  const toml::table* ops = ops_node != nullptr ? ops_node->as_table() : nullptr;
  if (ops == nullptr || ops->empty()) {
    r.problem(ops_node, "operators", "expected at least one [operators.<class>] table");
  } else {
    std::vector<std::string> classes;
    for (const auto& d : declarations()) classes.push_back(d.op_class);
    for (const auto& [name, node] : *ops) {
      const std::string base = "operators." + std::string(name.str());
      const ClassDecl* decl = find_class(name.str());
      const toml::table* t = node.as_table();
      if (decl == nullptr) {
        r.problem(&node, base, "unknown operator class (expected one of " + join_keys(classes) + ")");
        continue;
      }
      if (t == nullptr) {
        r.problem(&node, base, "expected a table");
        continue;
      }
      OperatorSpec spec;
      spec.op_class = decl->op_class;
      for (const auto& d : decl->params) spec.parameters.push_back(default_spec(d));
      std::vector<std::string> known{"weight"};
      for (const auto& d : decl->params) known.push_back(d.name);
      for (const auto& [key, value] : *t) {
        const std::string k = base + "." + std::string(key.str());
        if (key == "weight") {
          if (auto w = r.number(value, k, 0.0, 1e6)) spec.weight = *w;
          continue;
        }
        const auto& name = key;  // a structured binding cannot be captured before C++20 in clang 14
        const auto it = std::find_if(decl->params.begin(), decl->params.end(),
                                     [&name](const Declared& d) { return name == d.name; });
        if (it == decl->params.end()) {
          r.problem(&value, k, "unknown key (expected " + join_keys(known) + ")");
          continue;
        }
        spec.parameters[static_cast<std::size_t>(it - decl->params.begin())] = r.parameter(value, k, *it);
      }
      plan.operators.push_back(std::move(spec));
    }
    double total = 0.0;
    for (const auto& s : plan.operators) total += s.weight;
    if (r.problems().empty() && !(total > 0.0)) r.problem(ops_node, "operators", "every class has weight 0");
  }
  if (!r.problems().empty()) throw PlanError(r.problems());
  return plan;
}

SamplingPlan load_plan(const std::filesystem::path& path) {
  std::string text;
  try {
    text = sim::read_input_file(path, sim::kMaxTextInputBytes, "plan file");
  } catch (const sim::InputFileError& e) {
    throw PlanError({path.string() + ": cannot read the plan file: " + e.problem()});
  }
  return parse_plan(text, path.string());
}

PlannedOperators draw_operators(const SamplingPlan& plan, std::optional<std::uint64_t> seed_override) {
  const std::uint64_t seed = seed_override.value_or(plan.seed);
  double total = 0.0;
  for (const auto& s : plan.operators) total += s.weight;
  PlannedOperators out;
  for (std::size_t c = 0; c < plan.operators.size(); ++c) {
    const OperatorSpec& spec = plan.operators[c];
    if (spec.weight <= 0.0) continue;
    const auto share = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(static_cast<double>(plan.samples) * spec.weight / total)));
    // Each class draws from its own streams, so adding a class leaves the others' rows
    // as they were.
    sim::RandomStream rng(seed, 2 * c);
    std::vector<std::vector<double>> values;
    if (plan.design == Design::grid) {
      values = grid_points(spec, share);
    } else {
      for (const auto& u : unit_points(plan.design, share, spec.parameters.size(), rng)) {
        std::vector<double> v;
        for (std::size_t d = 0; d < u.size(); ++d) v.push_back(from_unit(spec.parameters[d], u[d]));
        values.push_back(std::move(v));
      }
    }
    // The held-out rows: a seeded shuffle of the class's rows.
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    sim::RandomStream split(seed, 2 * c + 1);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[split.below(i)]);
    const auto held = static_cast<std::size_t>(std::llround(plan.holdout * static_cast<double>(values.size())));
    std::vector<bool> is_held(values.size(), false);
    for (std::size_t i = 0; i < held; ++i) is_held[order[i]] = true;
    for (std::size_t i = 0; i < values.size(); ++i) {
      out.ops.push_back(make_operator(spec, values[i], plan.dtype, spec.op_class + "." + std::to_string(i)));
      out.held_out.push_back(is_held[i]);
    }
  }
  return out;
}

// FIPS 180-4.
std::string sha256_hex(std::string_view text) {
  static constexpr std::array<std::uint32_t, 64> k = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg(text);
  const std::uint64_t bits = static_cast<std::uint64_t>(msg.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  const auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (std::size_t block = 0; block < msg.size(); block += 64) {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t i = 0; i < 16; ++i) {
      for (std::size_t b = 0; b < 4; ++b) {
        w[i] = (w[i] << 8) | static_cast<unsigned char>(msg[block + 4 * i + b]);
      }
    }
    for (std::size_t i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, hh] = h;
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    const std::array<std::uint32_t, 8> add = {a, b, c, d, e, f, g, hh};
    for (std::size_t i = 0; i < 8; ++i) h[i] += add[i];
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (std::uint32_t word : h) {
    for (int s = 28; s >= 0; s -= 4) out.push_back(hex[(word >> s) & 0xf]);
  }
  return out;
}

}  // namespace models::cost
