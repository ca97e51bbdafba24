#include "models/cost/operator_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <Eigen/Dense>

#include "models/accelerator/executor.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/accelerator/tiling.hpp"
#include "models/cost/operator_terms.hpp"

namespace models::cost {

namespace acc = models::accelerator;

namespace {

constexpr std::size_t kCoefficients = 6;
const std::array<const char*, kCoefficients> kNames = {"overhead",     "kernel_overhead", "compute_scale",
                                                       "memory_scale", "request_scale",   "fill_scale"};
const std::array<const char*, kCoefficients> kUnits = {"s", "s", "1", "1", "1", "1"};
// Weight per row of the pull of log(scale) towards 0: a scale 10x off nominal costs as much
// as a 0.2% error on every row, so only terms the rows hardly see are held by it.
constexpr double kScalePrior = 1e-6;
// Candidate overlaps of compute and memory: 1 (none) to 16 (within 5% of the larger).
constexpr std::array<double, 4> kNormP = {1.0, 2.0, 4.0, 16.0};

double norm_p(double a, double b, double p) {
  const double m = std::max(a, b);
  if (m <= 0.0) return 0.0;
  if (p == 1.0) return a + b;
  return m * std::pow(std::pow(a / m, p) + std::pow(b / m, p), 1.0 / p);
}

// The prediction and its derivatives by each coefficient.
double evaluate(const std::array<double, kCoefficients>& c, double p, const OperatorTerms& t,
                std::array<double, kCoefficients>* grad) {
  double total = c[0] + c[1] * t.extra_kernels + c[5] * t.fill_s;
  std::array<double, kCoefficients> g{1.0, t.extra_kernels, 0.0, 0.0, 0.0, t.fill_s};
  for (const StepTerms& s : t.steps) {
    const double a = c[2] * s.compute_s, b = c[3] * s.memory_s + c[4] * s.request_s;
    const double n = norm_p(a, b, p);
    total += s.times * n;
    if (grad != nullptr && n > 0.0) {
      // d norm / d a = (a / n)^(p - 1)
      const double da = p == 1.0 ? 1.0 : std::pow(a / n, p - 1.0), db = p == 1.0 ? 1.0 : std::pow(b / n, p - 1.0);
      g[2] += s.times * da * s.compute_s;
      g[3] += s.times * db * s.memory_s;
      g[4] += s.times * db * s.request_s;
    }
  }
  if (grad != nullptr) *grad = g;
  return total;
}

struct Row {
  OperatorTerms terms;
  double latency_s;
};

double mean_abs_rel(const std::array<double, kCoefficients>& c, double p, const std::vector<const Row*>& rows) {
  double sum = 0.0;
  for (const Row* r : rows) sum += std::abs(evaluate(c, p, r->terms, nullptr) - r->latency_s) / r->latency_s;
  return rows.empty() ? 0.0 : sum / static_cast<double>(rows.size());
}

// Coefficients whose term is zero on every row: the rows say nothing about them.
std::array<bool, kCoefficients> unused_terms(const std::vector<const Row*>& rows) {
  std::array<bool, kCoefficients> unused{};
  unused.fill(true);
  const std::array<double, kCoefficients> ones{1, 1, 1, 1, 1, 1};
  for (const Row* r : rows) {
    std::array<double, kCoefficients> g{};
    evaluate(ones, 1.0, r->terms, &g);
    for (std::size_t j = 0; j < kCoefficients; ++j) unused[j] = unused[j] && g[j] == 0.0;
  }
  return unused;
}

// Levenberg-Marquardt on relative residuals (p - y) / y, over log coefficients so that
// every coefficient stays positive; unused ones end at 0.
std::array<double, kCoefficients> fit_coefficients(std::array<double, kCoefficients> start, double p,
                                                   const std::vector<const Row*>& rows) {
  const auto unused = unused_terms(rows);
  const auto n = static_cast<Eigen::Index>(rows.size());
  Eigen::Vector<double, kCoefficients> u;
  for (std::size_t j = 0; j < kCoefficients; ++j) u[static_cast<Eigen::Index>(j)] = std::log(start[j]);
  const auto coeffs = [](const Eigen::Vector<double, kCoefficients>& v) {
    std::array<double, kCoefficients> c{};
    for (std::size_t j = 0; j < kCoefficients; ++j) c[j] = std::exp(v[static_cast<Eigen::Index>(j)]);
    return c;
  };
  // A weak pull of each scale towards 1 (the device description's own figure), so that a
  // term the rows barely see keeps its nominal value instead of wandering off.
  const double prior = kScalePrior * static_cast<double>(rows.size());
  const auto pulled = [&](std::size_t j) { return j >= 2 && !unused[j]; };
  const auto cost_of = [&](const std::array<double, kCoefficients>& c) {
    double s = 0.0;
    for (const Row* r : rows) {
      const double e = (evaluate(c, p, r->terms, nullptr) - r->latency_s) / r->latency_s;
      s += e * e;
    }
    for (std::size_t j = 0; j < kCoefficients; ++j) {
      if (pulled(j)) s += prior * std::log(c[j]) * std::log(c[j]);
    }
    return s;
  };
  double cost = cost_of(coeffs(u)), lambda = 1e-3;
  Eigen::MatrixXd jac(n, kCoefficients);
  Eigen::VectorXd res(n);
  for (int iter = 0; iter < 200; ++iter) {
    const auto c = coeffs(u);
    for (Eigen::Index i = 0; i < n; ++i) {
      const Row& r = *rows[static_cast<std::size_t>(i)];
      std::array<double, kCoefficients> g{};
      res[i] = (evaluate(c, p, r.terms, &g) - r.latency_s) / r.latency_s;
      for (std::size_t j = 0; j < kCoefficients; ++j) jac(i, static_cast<Eigen::Index>(j)) = g[j] * c[j] / r.latency_s;
    }
    Eigen::Matrix<double, kCoefficients, kCoefficients> jtj = jac.transpose() * jac;
    Eigen::Vector<double, kCoefficients> jtr = jac.transpose() * res;
    for (std::size_t j = 0; j < kCoefficients; ++j) {
      if (!pulled(j)) continue;
      const auto i = static_cast<Eigen::Index>(j);
      jtj(i, i) += prior;
      jtr[i] += prior * u[i];
    }
    bool improved = false;
    while (lambda < 1e12) {
      Eigen::Matrix<double, kCoefficients, kCoefficients> a = jtj;
      for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(kCoefficients); ++j)
        a(j, j) += lambda * (jtj(j, j) + 1e-12);
      Eigen::Vector<double, kCoefficients> next = u - a.ldlt().solve(jtr);
      // A coefficient the rows cannot see drifts without bound; keep it within physical sense.
      next = next.cwiseMax(std::log(1e-15)).cwiseMin(std::log(1e6));
      const double next_cost = cost_of(coeffs(next));
      if (std::isfinite(next_cost) && next_cost < cost) {
        const double gain = cost - next_cost;
        u = next;
        cost = next_cost;
        lambda = std::max(lambda / 3.0, 1e-12);
        improved = gain > 1e-12 * (cost + 1e-30);
        break;
      }
      lambda *= 4.0;
    }
    if (!improved) break;
  }
  auto c = coeffs(u);
  for (std::size_t j = 0; j < kCoefficients; ++j) {
    if (unused[j]) c[j] = 0.0;
  }
  return c;
}

ClassModel fit_class(const acc::Device& device, const std::string& op_class, const std::vector<const Sample*>& fit,
                     const std::vector<const Sample*>& held_out) {
  if (fit.size() < kCoefficients) {
    throw std::invalid_argument("operator class \"" + op_class + "\": " + std::to_string(fit.size()) +
                                " fit rows for " + std::to_string(kCoefficients) + " coefficients");
  }
  const TermContext context(device);
  double least = INFINITY;
  for (const Sample* s : fit) least = std::min(least, s->latency_s);
  const double launch = device.compute.op_overhead_ns * 1e-9;
  const double first = launch > 0.0 ? launch : 0.5 * least;
  const std::vector<std::array<double, kCoefficients>> starts = {{first, first, 1.0, 1.0, 1.0, 1.0},
                                                                 {0.9 * least, first, 1.0, 1.0, 0.1, 0.1}};

  std::vector<Row> rows;
  rows.reserve(fit.size());
  for (const Sample* s : fit) rows.push_back({operator_terms(context, s->op), s->latency_s});
  // Every fourth row validates the choice of overlap; all rows fit the final coefficients.
  std::vector<const Row*> train, validate, all;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    all.push_back(&rows[i]);
    (rows.size() >= 12 && i % 4 == 3 ? validate : train).push_back(&rows[i]);
  }
  if (validate.empty()) validate = train;
  double best_p = 1.0, best_score = INFINITY;
  std::array<double, kCoefficients> best{};
  for (double p : kNormP) {
    for (const auto& start : starts) {
      const auto c = fit_coefficients(start, p, train);
      const double score = mean_abs_rel(c, p, validate);
      if (score < best_score) {
        best_score = score;
        best_p = p;
        best = c;
      }
    }
  }
  // Restart from the chosen fit: a coefficient fixed at 0 by the subset gets a start again.
  auto start = best;
  for (std::size_t j = 0; j < kCoefficients; ++j) start[j] = start[j] > 0.0 ? start[j] : starts[0][j];
  best = fit_coefficients(start, best_p, all);

  ClassModel m;
  m.op_class = op_class;
  m.norm_p = best_p;
  for (std::size_t j = 0; j < kCoefficients; ++j) m.coefficients.push_back({kNames[j], kUnits[j], best[j]});
  m.fit_rows = fit.size();
  std::vector<double> predicted, measured;
  for (const Sample* s : held_out) {
    predicted.push_back(evaluate(best, best_p, operator_terms(context, s->op), nullptr));
    measured.push_back(s->latency_s);
  }
  m.holdout = error_report(predicted, measured);
  return m;
}

const ClassModel& class_model(const OperatorModel& model, const std::string& op_class) {
  for (const auto& c : model.classes) {
    if (c.op_class == op_class) return c;
  }
  std::string fitted;
  for (const auto& c : model.classes) fitted += (fitted.empty() ? "" : ", ") + c.op_class;
  throw std::invalid_argument("operator model of device \"" + model.device.name + "\" has no fit for class \"" +
                              op_class + "\" (fitted: " + (fitted.empty() ? "none" : fitted) + ")");
}

}  // namespace

std::string operator_class(const acc::Operator& op) {
  if (std::holds_alternative<acc::GemmShape>(op.shape)) return "gemm";
  if (const auto* c = std::get_if<acc::Conv2dShape>(&op.shape)) {
    return c->groups > 1 && c->in_channels == c->groups ? "depthwise_conv2d" : "conv2d";
  }
  if (std::holds_alternative<acc::PoolShape>(op.shape)) return "pool";
  if (std::holds_alternative<acc::ElementwiseShape>(op.shape)) return "elementwise";
  if (std::holds_alternative<acc::RowNormShape>(op.shape)) return "rownorm";
  if (std::holds_alternative<acc::AttentionShape>(op.shape)) return "attention";
  if (std::holds_alternative<acc::GatherShape>(op.shape)) return "gather";
  return "copy";
}

std::vector<std::string> operator_classes() {
  return {"gemm", "conv2d", "depthwise_conv2d", "pool", "elementwise", "rownorm", "attention", "gather", "copy"};
}

std::string shape_key(const acc::Operator& op) {
  std::ostringstream k;
  k << operator_class(op);
  std::visit(
      [&](const auto& s) {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, acc::GemmShape>) {
          k << " b" << s.batch << " m" << s.m << " n" << s.n << " k" << s.k << (s.shared_weights ? " shared" : "");
        } else if constexpr (std::is_same_v<S, acc::Conv2dShape>) {
          k << " b" << s.batch << " c" << s.in_channels << "x" << s.out_channels << " hw" << s.height << "x" << s.width
            << " k" << s.kernel_h << "x" << s.kernel_w << " s" << s.stride << " p" << s.padding << " g" << s.groups;
        } else if constexpr (std::is_same_v<S, acc::PoolShape>) {
          k << " b" << s.batch << " c" << s.channels << " hw" << s.height << "x" << s.width << " k" << s.kernel << " s"
            << s.stride << " p" << s.padding;
        } else if constexpr (std::is_same_v<S, acc::ElementwiseShape>) {
          k << " e" << s.elements << " i" << s.inputs << " o" << s.ops_per_element;
        } else if constexpr (std::is_same_v<S, acc::RowNormShape>) {
          k << (s.kind == acc::RowNormShape::Kind::softmax ? " softmax" : " layernorm") << " r" << s.rows << " c"
            << s.cols;
        } else if constexpr (std::is_same_v<S, acc::AttentionShape>) {
          k << " b" << s.batch << " h" << s.heads << " q" << s.q_len << " kv" << s.kv_len << " d" << s.head_dim;
        } else if constexpr (std::is_same_v<S, acc::GatherShape>) {
          k << " r" << s.rows << " rb" << s.row_bytes << " t" << s.table_rows << " o" << s.offset_bytes;
        } else {
          k << " B" << s.bytes << " " << s.from << "->" << s.to;
        }
      },
      op.shape);
  k << " " << acc::data_type_name(op.dtype);
  const auto tier = [](const std::optional<std::size_t>& t) { return t ? std::to_string(*t) : std::string("-"); };
  if (op.placement.input || op.placement.weight || op.placement.output) {
    k << " @" << tier(op.placement.input) << "," << tier(op.placement.weight) << "," << tier(op.placement.output);
  }
  return k.str();
}

double predict_fitted_s(const OperatorModel& model, const acc::Operator& op) {
  const ClassModel& m = class_model(model, operator_class(op));
  std::array<double, kCoefficients> c{};
  for (std::size_t j = 0; j < kCoefficients && j < m.coefficients.size(); ++j) c[j] = m.coefficients[j].value;
  return evaluate(c, m.norm_p, operator_terms(TermContext(model.device), op), nullptr);
}

double predict_s(const OperatorModel& model, const acc::Operator& op) {
  if (!model.table_s.empty()) {
    if (auto it = model.table_s.find(shape_key(op)); it != model.table_s.end()) return it->second;
  }
  return predict_fitted_s(model, op);
}

double predict_network_s(const OperatorModel& model, const acc::OperatorList& network) {
  // As execute_network composes it: the runtime's steps (batch norms that are not folded,
  // fused elementwise operators), each issued by the host after its host time and run
  // once the device is free; the host waits for each kernel unless it launches ahead.
  const acc::Device& d = model.device;
  double host = 0.0, end = 0.0;
  for (const acc::RuntimeStep& step : acc::runtime_steps(d, network)) {
    double issue_s = 0.0, kernel_s = 0.0;
    if (step.fused) {
      kernel_s = acc::fused_elementwise(d, step.op).kernel.to_seconds();
    } else {
      issue_s = acc::host_time(d, step.op).to_seconds();
      kernel_s = std::max(0.0, predict_s(model, step.op) - issue_s);
    }
    const double issued = (d.runtime.async_launch ? host : end) + issue_s;
    host = issued;
    end = std::max(issued, end) + kernel_s;
  }
  return end;
}

OperatorModel fit_operator_model(const acc::Device& device, std::span<const Sample> fit,
                                 std::span<const Sample> held_out, const Provenance& provenance,
                                 const FitOptions& options) {
  acc::validate(device);
  OperatorModel model;
  model.provenance = provenance;
  model.device = device;
  for (const auto& op_class : operator_classes()) {
    std::vector<const Sample*> f, h;
    for (const auto& s : fit) {
      if (operator_class(s.op) == op_class) f.push_back(&s);
    }
    if (f.empty()) continue;
    for (const auto& s : held_out) {
      if (operator_class(s.op) == op_class) h.push_back(&s);
    }
    model.classes.push_back(fit_class(device, op_class, f, h));
  }
  for (const auto& s : held_out) {
    bool fitted = false;
    for (const auto& c : model.classes) fitted = fitted || c.op_class == operator_class(s.op);
    if (!fitted) {
      throw std::invalid_argument("held-out operator \"" + s.op.name + "\" is of class \"" + operator_class(s.op) +
                                  "\", which has no fit rows");
    }
  }
  std::vector<double> predicted, measured;
  for (const auto& s : held_out) {
    predicted.push_back(predict_fitted_s(model, s.op));
    measured.push_back(s.latency_s);
  }
  model.holdout = error_report(predicted, measured);
  if (options.lookup_table) {
    for (const auto* rows : {&fit, &held_out}) {
      for (const auto& s : *rows) model.table_s[shape_key(s.op)] = s.latency_s;
    }
  }
  return model;
}

}  // namespace models::cost
