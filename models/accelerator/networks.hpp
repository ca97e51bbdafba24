#pragma once
// Whole networks as sequences of operators in execution order (a DAG flattened
// topologically; residual sums are elementwise operators), inference with batch norm
// folded into the convolutions.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/accelerator/operators.hpp"

namespace models::accelerator {

using Network = std::vector<Operator>;

Network resnet50(std::uint64_t batch, DataType dtype = DataType::bf16);
Network mobilenet_v2(std::uint64_t batch, DataType dtype = DataType::bf16);

// Once-for-All MobileNetV3 space: 5 stages of depth 2..4; kernel 3/5/7 and expansion
// 3/4/6 for each of up to 4 blocks per stage (20 entries, unused past a stage's depth).
// Squeeze-excite in stages 2, 4 and 5 and h-swish from stage 3 on, as in OFA.
struct OfaMbv3Config {
  std::uint64_t resolution = 224;
  std::array<std::uint32_t, 5> depths{4, 4, 4, 4, 4};
  std::array<std::uint32_t, 20> kernels{};
  std::array<std::uint32_t, 20> expansions{};
};
Network ofa_mobilenet_v3(const OfaMbv3Config& config, std::uint64_t batch, DataType dtype = DataType::bf16);
Network mobilenet_v3(std::uint64_t batch, DataType dtype = DataType::bf16);  // all-max OFA network

// One pre-norm transformer block over `seq` tokens (attention with kv_len = seq).
struct TransformerConfig {
  std::uint64_t d_model = 4096, heads = 32, d_ff = 11008, layers = 1;
};
Network transformer_block(const TransformerConfig& config, std::uint64_t batch, std::uint64_t seq,
                          DataType dtype = DataType::bf16);
// One decode step: every layer sees one new token per sequence and a KV cache of kv_len.
Network llm_decode_step(const TransformerConfig& config, std::uint64_t batch, std::uint64_t kv_len,
                        DataType dtype = DataType::bf16);

// NAS-Bench-201 on CIFAR-10 from its cell string "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|".
// Throws std::invalid_argument for a malformed string or unknown op.
Network nas_bench_201(const std::string& arch, std::uint64_t batch, DataType dtype = DataType::bf16);

// FBNet on ImageNet from its 22 block names ("k3_e6", "k5_e1_g2", "skip", ...), given as
// one string separated by '|' or '-'.
Network fbnet(const std::string& blocks, std::uint64_t batch, DataType dtype = DataType::bf16);

// By name: resnet50, mobilenet_v2, mobilenet_v3, transformer_block, llm_decode.
std::vector<std::string> network_names();
Network network_by_name(const std::string& name, std::uint64_t batch, DataType dtype = DataType::bf16);

}  // namespace models::accelerator
