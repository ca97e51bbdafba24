#include "models/search/search_space.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace models::search {

namespace acc = models::accelerator;

namespace {

constexpr std::array<const char*, 5> kNb201Ops{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"};
constexpr std::array<const char*, 9> kFbnetBlocks{"k3_e1",    "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1",
                                                  "k5_e1_g2", "k5_e3",    "k5_e6", "skip"};
// ofa-mbv3 gene layout: resolution, 5 depths, 20 kernels, 20 expansions.
constexpr std::size_t kOfaDepth = 1, kOfaKernel = 6, kOfaExpansion = 26, kOfaGenes = 46;
constexpr std::uint16_t kOfaMinResolution = 128, kOfaResolutionStep = 4, kOfaResolutions = 25;
constexpr std::uint8_t kOfaMinDepth = 2;
// llm gene layout.
enum LlmGene : std::size_t { kLayers, kHeads, kDModel, kDff, kSeq, kKvLen, kLlmGenes };
constexpr std::array<const char*, kLlmGenes> kLlmKeys{"layers", "heads", "d_model", "d_ff", "seq", "kv_len"};

Gene numbered(std::string name, const std::vector<std::uint64_t>& values) {
  Gene g{std::move(name), {}};
  for (auto v : values) g.labels.push_back(std::to_string(v));
  return g;
}

const std::vector<std::uint64_t>& llm_values(const LlmChoices& c, std::size_t gene) {
  switch (gene) {
    case kLayers: return c.layers;
    case kHeads: return c.heads;
    case kDModel: return c.d_model;
    case kDff: return c.d_ff;
    case kSeq: return c.seq;
    default: return c.kv_len;
  }
}

bool ofa_block_used(const Genome& g, std::size_t block) {
  return block % 4 < static_cast<std::size_t>(kOfaMinDepth + g[kOfaDepth + block / 4]);
}

std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 120;
  return "\"" + std::string(s.substr(0, kShown)) + (s.size() > kShown ? "...\"" : "\"");
}

std::optional<std::uint64_t> to_uint(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// Reads `prefix` then a decimal number then '.', advancing `s`; nullopt if it is not there.
std::optional<std::size_t> numbered_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::size_t i = prefix.size(), value = 0;
  const std::size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 6)
    value = 10 * value + static_cast<std::size_t>(s[i++] - '0');
  if (i == start || i >= s.size() || s[i] != '.') return std::nullopt;
  s.remove_prefix(i + 1);
  return value;
}

}  // namespace

std::optional<std::size_t> precision_layer(SpaceKind kind, std::string_view name) {
  switch (kind) {
    case SpaceKind::nb201: {
      const auto stage = numbered_prefix(name, "stage");
      const auto cell = stage ? numbered_prefix(name, "cell") : std::nullopt;
      if (!cell || *stage < 1 || *stage > 3 || *cell > 4) return std::nullopt;
      return 5 * (*stage - 1) + *cell;
    }
    case SpaceKind::fbnet: {
      const auto layer = numbered_prefix(name, "layer");
      return layer && *layer < 22 ? layer : std::nullopt;
    }
    case SpaceKind::ofa_mbv3: {
      const auto stage = numbered_prefix(name, "stage");
      const auto block = stage ? numbered_prefix(name, "") : std::nullopt;
      if (!block || *stage < 1 || *stage > 5 || *block > 3) return std::nullopt;
      return 4 * (*stage - 1) + *block;
    }
    case SpaceKind::llm:
      for (std::string_view part : {"prefill.", "decode."}) {
        if (name.substr(0, part.size()) == part) name.remove_prefix(part.size());
      }
      return numbered_prefix(name, "layer");
  }
  return std::nullopt;
}

std::size_t precision_layer_count(SpaceKind kind, const LlmChoices& llm) {
  switch (kind) {
    case SpaceKind::nb201: return 15;
    case SpaceKind::fbnet: return 22;
    case SpaceKind::ofa_mbv3: return 20;
    case SpaceKind::llm: return llm.layers.empty() ? 0 : *std::max_element(llm.layers.begin(), llm.layers.end());
  }
  return 0;
}

SearchSpace SearchSpace::cnn(cost::Space space) {
  SearchSpace s;
  switch (space) {
    case cost::Space::nb201:
      s.kind_ = SpaceKind::nb201;
      for (std::size_t e = 0; e < 6; ++e)
        s.genes_.push_back({"edge" + std::to_string(e), {kNb201Ops.begin(), kNb201Ops.end()}});
      break;
    case cost::Space::fbnet:
      s.kind_ = SpaceKind::fbnet;
      for (std::size_t l = 0; l < 22; ++l) {
        s.genes_.push_back({"layer" + std::to_string(l), {kFbnetBlocks.begin(), kFbnetBlocks.end()}});
      }
      break;
    case cost::Space::ofa_mbv3: {
      s.kind_ = SpaceKind::ofa_mbv3;
      Gene r{"resolution", {}};
      for (std::uint16_t i = 0; i < kOfaResolutions; ++i)
        r.labels.push_back(std::to_string(kOfaMinResolution + kOfaResolutionStep * i));
      s.genes_.push_back(std::move(r));
      for (std::size_t st = 0; st < 5; ++st) s.genes_.push_back(numbered("depth" + std::to_string(st + 1), {2, 3, 4}));
      for (std::size_t b = 0; b < 20; ++b) s.genes_.push_back(numbered("kernel" + std::to_string(b), {3, 5, 7}));
      for (std::size_t b = 0; b < 20; ++b) s.genes_.push_back(numbered("expansion" + std::to_string(b), {3, 4, 6}));
      break;
    }
  }
  s.arch_genes_ = s.genes_.size();
  return s;
}

SearchSpace SearchSpace::llm(const LlmChoices& choices) {
  SearchSpace s;
  s.kind_ = SpaceKind::llm;
  s.llm_ = choices;
  for (std::size_t gene = 0; gene < kLlmGenes; ++gene) {
    const auto& values = llm_values(choices, gene);
    const std::string key = kLlmKeys[gene];
    if (values.empty() || values.size() > 255)
      throw std::invalid_argument("llm space: " + key + " needs 1 to 255 values");
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i] == 0) throw std::invalid_argument("llm space: " + key + " values must be positive");
      if (std::count(values.begin(), values.end(), values[i]) > 1) {
        throw std::invalid_argument("llm space: " + key + " lists " + std::to_string(values[i]) + " twice");
      }
    }
    s.genes_.push_back(numbered(key, values));
  }
  if (precision_layer_count(SpaceKind::llm, choices) > 1024)
    throw std::invalid_argument("llm space: at most 1024 layers");
  for (auto d : choices.d_model) {
    for (auto h : choices.heads) {
      if (d % h != 0) {
        throw std::invalid_argument("llm space: heads " + std::to_string(h) + " does not divide d_model " +
                                    std::to_string(d) + " (every heads value must divide every d_model value)");
      }
    }
  }
  s.arch_genes_ = s.genes_.size();
  return s;
}

SearchSpace SearchSpace::with_precision(std::vector<acc::DataType> types) const {
  if (!types_.empty()) throw std::invalid_argument("the space already searches precision");
  if (types.empty()) throw std::invalid_argument("precision: give at least one data type");
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (std::count(types.begin(), types.end(), types[i]) > 1) {
      throw std::invalid_argument("precision: " + std::string(acc::data_type_name(types[i])) + " listed twice");
    }
  }
  SearchSpace s = *this;
  s.types_ = std::move(types);
  Gene proto{"", {}};
  for (auto t : s.types_) proto.labels.emplace_back(acc::data_type_name(t));
  const std::size_t layers = precision_layer_count(kind_, llm_);
  for (std::size_t l = 0; l < layers; ++l) {
    proto.name = "precision" + std::to_string(l);
    s.genes_.push_back(proto);
  }
  return s;
}

std::optional<cost::Space> SearchSpace::cost_space() const {
  switch (kind_) {
    case SpaceKind::nb201: return cost::Space::nb201;
    case SpaceKind::fbnet: return cost::Space::fbnet;
    case SpaceKind::ofa_mbv3: return cost::Space::ofa_mbv3;
    case SpaceKind::llm: break;
  }
  return std::nullopt;
}

bool SearchSpace::active(const Genome& g, std::size_t gene) const {
  const bool precision = gene >= arch_genes_;
  const std::size_t layer = gene - arch_genes_;
  switch (kind_) {
    case SpaceKind::nb201:
    case SpaceKind::fbnet: return true;
    case SpaceKind::ofa_mbv3:
      if (precision) return ofa_block_used(g, layer);
      if (gene >= kOfaExpansion) return ofa_block_used(g, gene - kOfaExpansion);
      if (gene >= kOfaKernel) return ofa_block_used(g, gene - kOfaKernel);
      return true;
    case SpaceKind::llm:
      if (precision) return layer < llm_.layers[g[kLayers]];
      if (gene == kSeq) return llm_.workload != Workload::decode;
      if (gene == kKvLen) return llm_.workload != Workload::prefill;
      return true;
  }
  return true;
}

void SearchSpace::canonicalize(Genome& g) const {
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!active(g, i)) g[i] = 0;
  }
}

void SearchSpace::check(const Genome& g) const {
  if (g.size() != genes_.size()) {
    throw std::invalid_argument(std::string(name()) + " genome: expected " + std::to_string(genes_.size()) +
                                " genes, got " + std::to_string(g.size()));
  }
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i] >= genes_[i].labels.size()) {
      throw std::invalid_argument(std::string(name()) + " genome: gene " + genes_[i].name + " holds " +
                                  std::to_string(g[i]) + ", expected 0.." +
                                  std::to_string(genes_[i].labels.size() - 1));
    }
  }
}

double SearchSpace::cardinality() const {
  const double p = types_.empty() ? 1.0 : static_cast<double>(types_.size());
  switch (kind_) {
    case SpaceKind::nb201: return std::pow(5.0, 6) * std::pow(p, 15);
    case SpaceKind::fbnet: return std::pow(9.0, 22) * std::pow(p, 22);
    case SpaceKind::ofa_mbv3: {
      double stage = 0.0;
      for (int d = 2; d <= 4; ++d) stage += std::pow(9.0 * p, d);
      return kOfaResolutions * std::pow(stage, 5);
    }
    case SpaceKind::llm: {
      double total = 0.0;
      for (auto layers : llm_.layers) total += std::pow(p, static_cast<double>(layers));
      total *= static_cast<double>(llm_.heads.size() * llm_.d_model.size() * llm_.d_ff.size());
      if (llm_.workload != Workload::decode) total *= static_cast<double>(llm_.seq.size());
      if (llm_.workload != Workload::prefill) total *= static_cast<double>(llm_.kv_len.size());
      return total;
    }
  }
  return 0.0;
}

void SearchSpace::enumerate(const std::function<void(const Genome&)>& visit, double limit) const {
  const double count = cardinality();
  if (count > limit) {
    throw std::invalid_argument("the " + std::string(name()) + " space has " + std::to_string(count) +
                                " architectures, more than can be enumerated (" + std::to_string(limit) + ")");
  }
  Genome g(genes_.size(), 0);
  while (true) {
    bool canonical = true;
    for (std::size_t i = 0; i < g.size() && canonical; ++i) canonical = g[i] == 0 || active(g, i);
    if (canonical) visit(g);
    std::size_t i = g.size();
    while (i > 0) {  // odometer, last gene fastest
      --i;
      if (++g[i] < genes_[i].labels.size()) break;
      g[i] = 0;
      if (i == 0) return;
    }
    if (g.empty()) return;
  }
}

Genome SearchSpace::random(sim::RandomStream& rng) const {
  Genome g(genes_.size());
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<std::uint8_t>(rng.below(genes_[i].labels.size()));
  canonicalize(g);
  return g;
}

cost::Arch SearchSpace::arch(const Genome& g) const {
  if (kind_ == SpaceKind::llm) throw std::invalid_argument("the llm space has no cost-layer architecture");
  cost::Arch a;
  a.space = *cost_space();
  if (kind_ != SpaceKind::ofa_mbv3) {
    std::copy(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(arch_genes_), a.choice.begin());
    return a;
  }
  a.resolution = static_cast<std::uint16_t>(kOfaMinResolution + kOfaResolutionStep * g[0]);
  for (std::size_t b = 0; b < 20; ++b) {
    a.choice[b] = ofa_block_used(g, b) ? static_cast<std::uint8_t>(3 * g[kOfaKernel + b] + g[kOfaExpansion + b])
                                       : cost::kOfaUnused;
  }
  return a;
}

Genome SearchSpace::from_arch(const cost::Arch& a) const {
  if (kind_ == SpaceKind::llm || a.space != *cost_space()) {
    throw std::invalid_argument("an architecture of the " + std::string(cost::space_name(a.space)) +
                                " space is not in the " + std::string(name()) + " space");
  }
  Genome g(genes_.size(), 0);
  if (kind_ != SpaceKind::ofa_mbv3) {
    std::copy(a.choice.begin(), a.choice.begin() + static_cast<std::ptrdiff_t>(arch_genes_), g.begin());
    check(g);
    return g;
  }
  const int r = a.resolution - kOfaMinResolution;
  if (r < 0 || r % kOfaResolutionStep != 0 || r / kOfaResolutionStep >= kOfaResolutions) {
    throw std::invalid_argument("ofa-mbv3 resolution " + std::to_string(a.resolution) +
                                " is not searched (128 to 224 in steps of 4)");
  }
  g[0] = static_cast<std::uint8_t>(r / kOfaResolutionStep);
  for (std::size_t st = 0; st < 5; ++st) {
    std::size_t depth = 0;
    while (depth < 4 && a.choice[4 * st + depth] != cost::kOfaUnused) ++depth;
    for (std::size_t i = depth; i < 4; ++i) {
      if (a.choice[4 * st + i] != cost::kOfaUnused)
        throw std::invalid_argument("ofa-mbv3: a used block after an unused one");
    }
    if (depth < kOfaMinDepth)
      throw std::invalid_argument("ofa-mbv3 stage depth " + std::to_string(depth) + " is not searched (2 to 4)");
    g[kOfaDepth + st] = static_cast<std::uint8_t>(depth - kOfaMinDepth);
    for (std::size_t i = 0; i < depth; ++i) {
      g[kOfaKernel + 4 * st + i] = a.choice[4 * st + i] / 3;
      g[kOfaExpansion + 4 * st + i] = a.choice[4 * st + i] % 3;
    }
  }
  return g;
}

std::string SearchSpace::format(const Genome& g) const {
  if (kind_ != SpaceKind::llm) return cost::format_arch(arch(g));
  std::string out;
  for (std::size_t gene = 0; gene < kLlmGenes; ++gene) {
    if (!active(g, gene)) continue;
    out += (out.empty() ? "" : ",") + std::string(kLlmKeys[gene]) + "=" + genes_[gene].labels[g[gene]];
  }
  return out;
}

std::string SearchSpace::format_precision(const Genome& g) const {
  std::string out;
  for (std::size_t gene = arch_genes_; gene < genes_.size(); ++gene) {
    if (!active(g, gene)) continue;
    if (!out.empty()) out += '-';
    out += genes_[gene].labels[g[gene]];
  }
  return out;
}

Genome SearchSpace::parse(std::string_view arch_text, std::string_view precision) const {
  Genome g;
  if (kind_ != SpaceKind::llm) {
    g = from_arch(cost::parse_arch(*cost_space(), arch_text));
  } else {
    g.assign(genes_.size(), 0);
    std::array<bool, kLlmGenes> seen{};
    for (auto field : split(arch_text, ',')) {
      const auto eq = field.find('=');
      const auto key = field.substr(0, eq);
      const auto gene = std::find(kLlmKeys.begin(), kLlmKeys.end(), key) - kLlmKeys.begin();
      if (eq == std::string_view::npos || gene == kLlmGenes) {
        throw std::invalid_argument("llm arch " + quoted(arch_text) + ": " + quoted(field) +
                                    " is not key=value with a key among layers, heads, d_model, d_ff, seq, kv_len");
      }
      const auto value = to_uint(field.substr(eq + 1));
      const auto& labels = genes_[static_cast<std::size_t>(gene)].labels;
      const auto at = value ? std::find(labels.begin(), labels.end(), std::to_string(*value)) : labels.end();
      if (at == labels.end()) {
        std::string known;
        for (const auto& l : labels) known += (known.empty() ? "" : ", ") + l;
        throw std::invalid_argument("llm arch " + quoted(arch_text) + ": " + std::string(key) + " " +
                                    quoted(field.substr(eq + 1)) + " is not searched (expected one of " + known + ")");
      }
      if (seen[static_cast<std::size_t>(gene)])
        throw std::invalid_argument("llm arch " + quoted(arch_text) + ": " + std::string(key) + " given twice");
      seen[static_cast<std::size_t>(gene)] = true;
      g[static_cast<std::size_t>(gene)] = static_cast<std::uint8_t>(at - labels.begin());
    }
    for (std::size_t gene = 0; gene < kLlmGenes; ++gene) {
      if (!seen[gene] && active(g, gene)) {
        throw std::invalid_argument("llm arch " + quoted(arch_text) + ": " + kLlmKeys[gene] + " missing");
      }
    }
  }
  if (types_.empty()) {
    if (!precision.empty())
      throw std::invalid_argument("precision " + quoted(precision) + ": the space searches no precision");
    canonicalize(g);
    return g;
  }
  std::vector<std::size_t> layers;
  for (std::size_t gene = arch_genes_; gene < genes_.size(); ++gene) {
    if (active(g, gene)) layers.push_back(gene);
  }
  if (precision.empty()) {  // every layer in the first type
    canonicalize(g);
    return g;
  }
  const auto parts = split(precision, '-');
  if (parts.size() != layers.size()) {
    throw std::invalid_argument("precision " + quoted(precision) + ": expected " + std::to_string(layers.size()) +
                                " data types separated by '-', one per layer of " + quoted(arch_text));
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& labels = genes_[layers[i]].labels;
    const auto at = std::find(labels.begin(), labels.end(), parts[i]);
    if (at == labels.end()) {
      std::string known;
      for (const auto& l : labels) known += (known.empty() ? "" : ", ") + l;
      throw std::invalid_argument("precision " + quoted(precision) + ": " + quoted(parts[i]) +
                                  " is not searched (expected " + known + ")");
    }
    g[layers[i]] = static_cast<std::uint8_t>(at - labels.begin());
  }
  canonicalize(g);
  return g;
}

acc::TransformerConfig SearchSpace::transformer(const Genome& g) const {
  if (kind_ != SpaceKind::llm) throw std::invalid_argument("only the llm space has a transformer configuration");
  return acc::TransformerConfig{llm_.d_model[g[kDModel]], llm_.heads[g[kHeads]], llm_.d_ff[g[kDff]],
                                llm_.layers[g[kLayers]]};
}

acc::OperatorList SearchSpace::network(const Genome& g, std::uint64_t batch, acc::DataType base) const {
  acc::OperatorList net;
  if (kind_ != SpaceKind::llm) {
    net = cost::to_network(arch(g), batch, base);
  } else {
    const auto config = transformer(g);
    const auto append = [&net](acc::OperatorList part, const std::string& prefix) {
      for (auto& op : part) {
        op.name = prefix + op.name;
        net.push_back(std::move(op));
      }
    };
    if (llm_.workload != Workload::decode)
      append(acc::transformer_block(config, batch, llm_.seq[g[kSeq]], base), "prefill.");
    if (llm_.workload != Workload::prefill)
      append(acc::llm_decode_step(config, batch, llm_.kv_len[g[kKvLen]], base), "decode.");
  }
  if (!types_.empty()) {
    for (auto& op : net) {
      if (const auto layer = precision_layer(kind_, op.name); layer && *layer < precision_layers()) {
        op.dtype = types_[g[arch_genes_ + *layer]];
      }
    }
  }
  return net;
}

}  // namespace models::search
