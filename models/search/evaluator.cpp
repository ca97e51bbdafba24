#include "models/search/evaluator.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "models/accelerator/sweep.hpp"
#include "models/cost/operator_model.hpp"
#include "models/search/energy.hpp"

namespace models::search {

namespace acc = models::accelerator;

namespace {

// Share of a layer's MACs (or parameters) the proxy counts: a 16-bit type or wider keeps
// them all, an 8-bit type half.
double precision_weight(acc::DataType type) { return std::min(8.0 * acc::element_bytes(type), 16.0) / 16.0; }

constexpr double kPjPerMj = 1e9;

}  // namespace

Objective parse_objective(std::string_view text, const SearchSpace& space) {
  Objective o;
  const bool llm = space.kind() == SpaceKind::llm;
  if (text == "proxy") {
    o.kind = ObjectiveKind::proxy;
    o.name = "proxy";
    o.unit = llm ? "params" : "MACs";
    return o;
  }
  if (text == "macs") {
    o.kind = ObjectiveKind::macs;
    o.name = "macs";
    o.unit = "MACs";
    return o;
  }
  if (text == "params") {
    o.kind = ObjectiveKind::params;
    o.name = "params";
    o.unit = "params";
    return o;
  }
  if (text.substr(0, 4) == "csv:") {
    const auto rest = text.substr(4);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
      throw std::invalid_argument("objective \"" + std::string(text) + "\": expected csv:FILE:COLUMN");
    }
    o.kind = ObjectiveKind::table;
    o.name = std::string(rest.substr(colon + 1));
    o.table =
        std::make_shared<const AccuracyTable>(read_accuracy_table(std::string(rest.substr(0, colon)), o.name, space));
    return o;
  }
  throw std::invalid_argument("objective \"" + std::string(text) +
                              "\": expected proxy, macs, params or csv:FILE:COLUMN");
}

double memory_bytes(const acc::OperatorList& network) {
  // The parts of an llm network ("prefill.", "decode.") hold the same weights; a CNN is one part.
  struct Part {
    acc::OperatorList ops;
    std::uint64_t peak = 0;
  };
  std::vector<std::pair<std::string, Part>> parts;
  for (const auto& op : network) {
    const auto dot = op.name.find('.');
    std::string prefix = dot == std::string::npos ? std::string{} : op.name.substr(0, dot);
    if (prefix != "prefill" && prefix != "decode") prefix.clear();
    auto it = std::find_if(parts.begin(), parts.end(), [&](const auto& p) { return p.first == prefix; });
    if (it == parts.end()) it = parts.insert(parts.end(), {prefix, Part{}});
    it->second.ops.push_back(op);
    const auto b = acc::operand_bytes(op);
    it->second.peak = std::max(it->second.peak, b.input + b.output);
  }
  double out = 0.0;
  for (const auto& [name, part] : parts) {
    const auto f = acc::footprint(part.ops);
    out = std::max(out, static_cast<double>(f.weight_bytes + f.kv_cache_bytes + part.peak));
  }
  return out;
}

// Networks of a space repeat operator shapes (a transformer's layers, a block at one
// position): each thread keeps what it has priced, by shape (cost::shape_key). A price
// depends on the shape alone, so the cache changes no result.
struct Evaluator::Caches {
  tbb::enumerable_thread_specific<std::unordered_map<std::string, double>> latency_s, energy_pj;
};

double Evaluator::network_latency_s(const acc::OperatorList& network) const {
  // cost::predict_network_s, with the operators' predictions cached.
  const acc::Device& d = operator_model_->device;
  auto& cache = caches_->latency_s.local();
  double host = 0.0, end = 0.0;
  for (const acc::RuntimeStep& step : acc::runtime_steps(d, network)) {
    double issue_s = 0.0, kernel_s = 0.0;
    if (step.fused) {
      kernel_s = acc::fused_elementwise(d, step.op).kernel.to_seconds();
    } else {
      issue_s = acc::host_time(d, step.op).to_seconds();
      const std::string key = cost::shape_key(step.op);
      auto it = cache.find(key);
      if (it == cache.end()) it = cache.emplace(key, cost::predict_s(*operator_model_, step.op)).first;
      kernel_s = std::max(0.0, it->second - issue_s);
    }
    const double issued = (d.runtime.async_launch ? host : end) + issue_s;
    host = issued;
    end = std::max(issued, end) + kernel_s;
  }
  return end;
}

double Evaluator::network_energy_pj(const acc::OperatorList& network) const {
  const acc::Device& d = *options_.device;
  auto& cache = caches_->energy_pj.local();
  double pj = 0.0;
  for (const acc::RuntimeStep& step : acc::runtime_steps(d, network)) {
    if (step.fused) {
      pj += acc::fused_elementwise(d, step.op).energy_pj;
      continue;
    }
    const std::string key = cost::shape_key(step.op);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, operator_energy_pj(d, step.op)).first;
    pj += it->second;
  }
  return pj;
}

Evaluator::Evaluator(SearchSpace space, const cost::CostModel& model, Objective objective, EvaluatorOptions options)
    : space_(std::move(space)), model_(std::make_shared<const cost::CostModel>(model)),
      objective_(std::move(objective)), options_(std::move(options)), caches_(std::make_shared<Caches>()) {
  if (objective_.kind == ObjectiveKind::table && !objective_.table)
    throw std::invalid_argument("objective: a table objective without its table");
  if (objective_.kind == ObjectiveKind::callback && !objective_.callback)
    throw std::invalid_argument("objective: a callable objective without its callable");
  space_model_ = std::get_if<cost::SpaceModel>(&model_->model);
  operator_model_ = std::get_if<cost::OperatorModel>(&model_->model);
  if (space_model_) {
    const auto s = space_.cost_space();
    if (!s) {
      throw std::invalid_argument(
          "the " + std::string(space_.name()) +
          " space is priced from its operators: give an operator model (simfabric fit), not a space model");
    }
    if (*s != space_model_->space) {
      throw std::invalid_argument("the model prices the " + std::string(cost::space_name(space_model_->space)) +
                                  " space, not " + std::string(space_.name()));
    }
    if (space_.precision_layers() > 0) {
      throw std::invalid_argument(
          "mixed precision needs an operator model (simfabric fit): a space model's lookup table "
          "prices one data type");
    }
    if (options_.batch != 0 && options_.batch != space_model_->batch) {
      throw std::invalid_argument("batch " + std::to_string(options_.batch) + ": the space model prices batch " +
                                  std::to_string(space_model_->batch) + " only");
    }
    batch_ = space_model_->batch;
    if (options_.energy && !options_.device) {
      throw std::invalid_argument("energy needs a device: an operator model carries its own, a space model does not");
    }
  } else {
    batch_ = options_.batch ? options_.batch : 1;
    if (!options_.device) options_.device = operator_model_->device;
  }
  build_network_ = !space_model_ || options_.energy || options_.memory;
  if (!build_network_ && (objective_.kind == ObjectiveKind::proxy || objective_.kind == ObjectiveKind::macs ||
                          objective_.kind == ObjectiveKind::params)) {
    sizes_.emplace(*space_.cost_space());
  }
  // A model that cannot price some operator, or a device without a data type, fails here
  // rather than mid-search: one genome per searched type, the other genes drawn at random.
  sim::RandomStream rng(1, 0x5e4c);
  const std::size_t types = std::max<std::size_t>(1, space_.precision_types().size());
  for (std::size_t t = 0; t < types; ++t) {
    Genome g = space_.random(rng);
    for (std::size_t i = space_.arch_gene_count(); i < g.size(); ++i) g[i] = static_cast<std::uint8_t>(t);
    space_.canonicalize(g);
    try {
      Metrics m;
      evaluate_one(g, m);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(
          "the model cannot price the " + std::string(space_.name()) + " space (" + space_.format(g) +
          (space_.precision_layers() ? ", precision " + space_.format_precision(g) : "") + "): " + e.what());
    }
  }
}

void Evaluator::evaluate_one(const Genome& g, Metrics& m) const {
  m = Metrics{};
  if (!build_network_) {
    const cost::Arch a = space_.arch(g);
    m.latency_ms = cost::predict_ms(*space_model_, a);
    if (sizes_) {
      const Sizes z = (*sizes_)(a);
      m.accuracy = objective_.kind == ObjectiveKind::params ? z.params : z.macs;
    }
  } else {
    const acc::OperatorList net = space_.network(g, batch_, options_.dtype);
    m.latency_ms = space_model_ ? cost::predict_ms(*space_model_, space_.arch(g)) : 1e3 * network_latency_s(net);
    double macs = 0.0, params = 0.0, weighted_macs = 0.0, weighted_params = 0.0;
    // A served llm runs its layers twice (prefill, decode): their work twice, their weights once.
    const bool shared_weights = space_.kind() == SpaceKind::llm && space_.llm_choices().workload == Workload::serve;
    for (const auto& op : net) {
      const Sizes z = operator_sizes(op);
      const double w = precision_weight(op.dtype);
      macs += z.macs;
      weighted_macs += w * z.macs;
      if (shared_weights && op.name.rfind("decode.", 0) == 0) continue;
      params += z.params;
      weighted_params += w * z.params;
    }
    const auto per_input = static_cast<double>(batch_);
    switch (objective_.kind) {
      case ObjectiveKind::proxy:
        m.accuracy = space_.kind() == SpaceKind::llm ? weighted_params : weighted_macs / per_input;
        break;
      case ObjectiveKind::macs: m.accuracy = macs / per_input; break;
      case ObjectiveKind::params: m.accuracy = params; break;
      default: break;
    }
    if (options_.energy) m.energy_mj = network_energy_pj(net) / kPjPerMj;
    if (options_.memory) m.memory_bytes = memory_bytes(net);
  }
  if (objective_.kind == ObjectiveKind::table) m.accuracy = objective_.table->find(space_, g).value_or(std::nan(""));
}

void Evaluator::evaluate(std::span<const Genome> genomes, std::span<Metrics> out) const {
  if (genomes.size() != out.size())
    throw std::invalid_argument("Evaluator::evaluate: output size differs from input size");
  for (const auto& g : genomes) space_.check(g);
  if (build_network_ && genomes.size() > 1) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, genomes.size()),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t i = r.begin(); i != r.end(); ++i) evaluate_one(genomes[i], out[i]);
                      });
  } else {
    for (std::size_t i = 0; i < genomes.size(); ++i) evaluate_one(genomes[i], out[i]);
  }
  if (objective_.kind == ObjectiveKind::callback && !genomes.empty()) {
    std::vector<double> values(genomes.size(), std::nan(""));
    objective_.callback(genomes, values);
    for (std::size_t i = 0; i < genomes.size(); ++i) out[i].accuracy = values[i];
  }
}

Metrics Evaluator::evaluate(const Genome& genome) const {
  Metrics m;
  evaluate(std::span(&genome, 1), std::span(&m, 1));
  return m;
}

}  // namespace models::search
