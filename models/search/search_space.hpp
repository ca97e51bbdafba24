#pragma once
// What a hardware-aware search explores: an architecture as an array of genes (one small
// choice index each), so that evolution can cross and mutate any space the same way.
//
//   nb201     6 genes: the op of each cell edge (models/cost/space.hpp's order), all
//             15,625 cells enumerable;
//   fbnet     22 genes: the block of each searchable layer;
//   ofa-mbv3  46 genes: resolution (128..224 in steps of 4), the depth of each of 5 stages
//             (2, 3, 4), the kernel (3, 5, 7) and the expansion (3, 4, 6) of each of 20
//             blocks; the kernel and expansion of a block past its stage's depth are inactive;
//   llm       6 genes: layers, heads, hidden width (d_model), FFN width (d_ff), sequence
//             length and KV-cache length, each from a list of values; the network is a
//             prefill of `seq` tokens, one decode step over a cache of `kv_len` tokens, or
//             both (serve: time to the first token plus one output token).
//
// Mixed precision appends one gene per layer that can run in its own data type (APQ's
// per-layer quantisation): the 15 cells of nb201, the 22 layers of fbnet, the 20 blocks
// of ofa-mbv3, each transformer layer of llm (up to the largest layer count). Operators
// outside those layers (stems, heads, classifiers) keep the base data type.
//
// Inactive genes do not change the architecture; canonicalize() zeroes them so that one
// architecture has one genome.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/accelerator/networks.hpp"
#include "models/cost/space.hpp"
#include "sim/enum_names.hpp"
#include "sim/random.hpp"

namespace models::search {

using Genome = std::vector<std::uint8_t>;

enum class SpaceKind : std::uint8_t { nb201, fbnet, ofa_mbv3, llm };
inline constexpr sim::EnumName<SpaceKind> kSpaceKindNames[] = {
    {SpaceKind::nb201, "nb201"},       {SpaceKind::fbnet, "fbnet"},         {SpaceKind::ofa_mbv3, "ofa-mbv3"},
    {SpaceKind::llm, "llm"},           {SpaceKind::nb201, "nas-bench-201"}, {SpaceKind::nb201, "nas_bench_201"},
    {SpaceKind::ofa_mbv3, "ofa_mbv3"}, {SpaceKind::llm, "transformer"}};
constexpr std::span<const sim::EnumName<SpaceKind>> enum_names(SpaceKind) { return kSpaceKindNames; }

// What an llm network prices: a prefill of `seq` tokens, one decode step over a KV cache
// of `kv_len`, or both one after the other.
enum class Workload : std::uint8_t { serve, prefill, decode };
inline constexpr sim::EnumName<Workload> kWorkloadNames[] = {
    {Workload::serve, "serve"}, {Workload::prefill, "prefill"}, {Workload::decode, "decode"}};
constexpr std::span<const sim::EnumName<Workload>> enum_names(Workload) { return kWorkloadNames; }

// The values each llm gene takes. Every heads value must divide every d_model value.
struct LlmChoices {
  std::vector<std::uint64_t> layers{12, 16, 24, 32};
  std::vector<std::uint64_t> heads{8, 16, 32};
  std::vector<std::uint64_t> d_model{1024, 2048, 3072, 4096};
  std::vector<std::uint64_t> d_ff{2816, 5632, 8192, 11008, 14336};
  std::vector<std::uint64_t> seq{512, 1024, 2048, 4096};
  std::vector<std::uint64_t> kv_len{1024, 2048, 4096, 8192};
  Workload workload = Workload::serve;
};

struct Gene {
  std::string name;                 // "edge0", "layer3", "resolution", "precision7", ...
  std::vector<std::string> labels;  // one per choice: "nor_conv_3x3", "160", "int8", ...
};

class SearchSpace {
 public:
  // Throws std::invalid_argument for an empty or oversized choice list, a heads value that
  // does not divide a d_model value, or more than 255 choices in a gene.
  static SearchSpace cnn(cost::Space space);
  static SearchSpace llm(const LlmChoices& choices = {});
  // Adds one precision gene per layer choosing among `types` (at least one, no repeats);
  // network() gives every other operator its `base` type. Throws std::invalid_argument.
  SearchSpace with_precision(std::vector<accelerator::DataType> types) const;

  SpaceKind kind() const { return kind_; }
  std::string_view name() const { return sim::name_of(kind_); }
  std::optional<cost::Space> cost_space() const;  // the cost layer's space (CNN spaces)
  const LlmChoices& llm_choices() const { return llm_; }

  const std::vector<Gene>& genes() const { return genes_; }
  std::size_t gene_count() const { return genes_.size(); }
  std::size_t choice_count(std::size_t gene) const { return genes_[gene].labels.size(); }
  std::size_t arch_gene_count() const { return arch_genes_; }  // genes before the precision genes
  std::size_t precision_layers() const { return genes_.size() - arch_genes_; }
  const std::vector<accelerator::DataType>& precision_types() const { return types_; }

  // Whether a gene changes the architecture of this genome (see the header comment).
  bool active(const Genome& g, std::size_t gene) const;
  void canonicalize(Genome& g) const;
  // Throws std::invalid_argument naming the gene when a value is out of range or the length is wrong.
  void check(const Genome& g) const;

  // Distinct canonical genomes (a double: the spaces are astronomically large).
  double cardinality() const;
  // Every canonical genome in lexicographic order; throws std::invalid_argument when
  // there are more than `limit`.
  void enumerate(const std::function<void(const Genome&)>& visit, double limit = 1e7) const;
  // Each gene uniform over its choices (then canonical).
  Genome random(sim::RandomStream& rng) const;

  // CNN spaces: the cost layer's architecture, and back (precision genes from `precision`,
  // or the first type). Throws std::invalid_argument for an architecture outside the space
  // (an ofa-mbv3 resolution off the 128..224 grid or a stage depth of 1).
  cost::Arch arch(const Genome& g) const;
  Genome from_arch(const cost::Arch& arch) const;

  // The architecture string (the table formats of cost::format_arch; for llm
  // "layers=24,heads=16,d_model=2048,d_ff=8192,seq=2048,kv_len=4096", inactive keys left
  // out) and the precision string: the type of each active precision layer, '-'-separated
  // ("int8-bf16-..."), empty without precision genes.
  std::string format(const Genome& g) const;
  std::string format_precision(const Genome& g) const;
  // Reads both back; throws std::invalid_argument saying what was expected.
  Genome parse(std::string_view arch, std::string_view precision = {}) const;

  // The operator list, each operator in its layer's data type (`base` elsewhere).
  accelerator::OperatorList network(const Genome& g, std::uint64_t batch, accelerator::DataType base) const;
  // llm: the configuration and the lengths a genome denotes.
  accelerator::TransformerConfig transformer(const Genome& g) const;

 private:
  SpaceKind kind_ = SpaceKind::nb201;
  LlmChoices llm_;
  std::vector<Gene> genes_;
  std::size_t arch_genes_ = 0;
  std::vector<accelerator::DataType> types_;
};

// The precision layer an operator of a network of `kind` belongs to, from its name
// (nb201 "stage2.cell3.*" -> 8, fbnet "layer5.*" -> 5, ofa-mbv3 "stage2.1.*" -> 5, llm
// "prefill.layer7.*" -> 7); nullopt for operators outside the layers.
std::optional<std::size_t> precision_layer(SpaceKind kind, std::string_view op_name);
std::size_t precision_layer_count(SpaceKind kind, const LlmChoices& llm = {});

}  // namespace models::search
