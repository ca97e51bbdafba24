#pragma once
// Whole networks as sequences of operators in execution order (a DAG flattened
// topologically; residual sums are elementwise operators), inference with batch norm
// folded into the convolutions.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/accelerator/operators.hpp"

namespace models::accelerator {

using OperatorList = std::vector<Operator>;

OperatorList resnet50(std::uint64_t batch, DataType dtype = DataType::bf16);
OperatorList mobilenet_v2(std::uint64_t batch, DataType dtype = DataType::bf16);

// Once-for-All MobileNetV3 space: 5 stages of depth 2..4; kernel 3/5/7 and expansion
// 3/4/6 for each of up to 4 blocks per stage (20 entries, unused past a stage's depth).
// Squeeze-excite in stages 2, 4 and 5 and h-swish from stage 3 on, as in OFA.
struct OfaMbv3Config {
  std::uint64_t resolution = 224;
  std::array<std::uint32_t, 5> depths{4, 4, 4, 4, 4};
  std::array<std::uint32_t, 20> kernels{};
  std::array<std::uint32_t, 20> expansions{};
};
OperatorList ofa_mobilenet_v3(const OfaMbv3Config& config, std::uint64_t batch, DataType dtype = DataType::bf16);
OperatorList mobilenet_v3(std::uint64_t batch, DataType dtype = DataType::bf16);  // all-max OFA network

// One pre-norm transformer block over `seq` tokens (attention with kv_len = seq).
struct TransformerConfig {
  std::uint64_t d_model = 4096, heads = 32, d_ff = 11008, layers = 1;
};
OperatorList transformer_block(const TransformerConfig& config, std::uint64_t batch, std::uint64_t seq,
                               DataType dtype = DataType::bf16);
// One decode step: every layer sees one new token per sequence and a KV cache of kv_len.
OperatorList llm_decode_step(const TransformerConfig& config, std::uint64_t batch, std::uint64_t kv_len,
                             DataType dtype = DataType::bf16);

// NAS-Bench-201 on CIFAR-10 from its cell string "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|";
// a `none` edge is the x * 0 kernel the measured networks run. Throws
// std::invalid_argument for a malformed string or unknown op.
OperatorList nas_bench_201(const std::string& arch, std::uint64_t batch, DataType dtype = DataType::bf16);

// FBNet on ImageNet from its 22 blocks: names ("k3_e6", "k5_e1_g2", "skip", ...) separated
// by '|' (or '-'), or their indices 0-8 (k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2,
// k5_e3, k5_e6, skip) separated by '-', as op_str_22 / op_idx_22 of the FBNet tables.
// Built as HW-NAS-Bench's per-layer tables price it (docs/accelerator.md, "Search-space
// conventions"): layer 0 at 56x56, every block at its output resolution.
OperatorList fbnet(const std::string& blocks, std::uint64_t batch, DataType dtype = DataType::bf16);

// OFA MobileNetV3 architecture strings: "r=160,d=4-3-2-4-4,k=<20 kernels>,e=<20 expansions>"
// (keys in any order, each once; lists separated by '-'; all 20 kernel and expansion
// entries given, as ks_20 / e_20 of the OFA table, entries past a stage's depth unused).
OfaMbv3Config parse_ofa_arch(const std::string& arch);
std::string ofa_arch_string(const OfaMbv3Config& config);

// Every network by name. nas_bench_201 (alias nb201), fbnet and ofa_mbv3 take an
// architecture string; transformer_block takes seq, llm_decode kv_len, both take the
// transformer's dimensions. Setting what a network does not take is an error, so a
// misdirected option never goes unnoticed.
struct NetworkSpec {
  std::string name;
  std::uint64_t batch = 1;
  DataType dtype = DataType::bf16;
  std::optional<std::string> arch;
  std::optional<std::uint64_t> seq;     // transformer_block; 2048 when unset
  std::optional<std::uint64_t> kv_len;  // llm_decode; 4096 when unset
  std::optional<TransformerConfig> transformer;
};

std::vector<std::string> network_names();
// The name network_names() uses for `name` or an alias of it; throws std::invalid_argument
// listing the names for anything else.
std::string canonical_network_name(const std::string& name);
bool network_takes_arch(const std::string& name);
// The architecture syntax a network expects, with an example (for messages and help).
std::string arch_syntax(const std::string& name);
// Throws std::invalid_argument saying what was expected for a bad name, arch or option.
OperatorList network_by_name(const NetworkSpec& spec);
OperatorList network_by_name(const std::string& name, std::uint64_t batch, DataType dtype = DataType::bf16);

// What a network keeps resident while it runs, apart from activations: its parameters
// (convolution and linear weights, gathered tables) and the K/V cache its attention
// operators read (kv_len entries of keys and values, d_model wide, per sequence and layer).
struct Footprint {
  std::uint64_t weight_bytes = 0, kv_cache_bytes = 0;
};
Footprint footprint(const OperatorList& network);

}  // namespace models::accelerator
