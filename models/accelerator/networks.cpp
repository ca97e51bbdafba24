#include "models/accelerator/networks.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace models::accelerator {

namespace {

// Feature map being built: channels x height x width per sample.
struct Shape {
  std::uint64_t c = 0, h = 0, w = 0;
};

class Builder {
 public:
  Builder(std::uint64_t batch, DataType dtype) : batch_(batch), dtype_(dtype) {}

  Shape conv(const std::string& name, Shape in, std::uint64_t out_c, std::uint64_t k, std::uint64_t stride,
             std::uint64_t groups = 1) {
    Conv2dShape s{batch_, in.c, out_c, in.h, in.w, k, k, stride, k / 2, groups};
    ops_.push_back(conv2d(name, s, dtype_));
    return {out_c, s.out_height(), s.out_width()};
  }
  void act(const std::string& name, Shape s, std::uint64_t ops_per_element = 1) {
    ops_.push_back(elementwise(name, elements(s), 1, ops_per_element, dtype_));
  }
  void add(const std::string& name, Shape s, std::uint64_t inputs = 2) {
    ops_.push_back(elementwise(name, elements(s), inputs, inputs - 1, dtype_));
  }
  Shape pool(const std::string& name, Shape in, std::uint64_t k, std::uint64_t stride, std::uint64_t pad) {
    PoolShape p{batch_, in.c, in.h, in.w, k, stride, pad};
    ops_.push_back(Operator{name, p, dtype_, {}});
    return {in.c, p.out_height(), p.out_width()};
  }
  Shape global_pool(const std::string& name, Shape in) { return pool(name, in, 0, 1, 0); }
  void fc(const std::string& name, std::uint64_t in, std::uint64_t out) {
    ops_.push_back(gemm(name, batch_, out, in, 1, true, dtype_));
  }
  void push(Operator op) { ops_.push_back(std::move(op)); }
  std::uint64_t elements(Shape s) const { return batch_ * s.c * s.h * s.w; }
  std::uint64_t batch() const { return batch_; }
  DataType dtype() const { return dtype_; }
  Network take() { return std::move(ops_); }

 private:
  std::uint64_t batch_;
  DataType dtype_;
  Network ops_;
};

void require_batch(std::uint64_t batch) {
  if (batch == 0) throw std::invalid_argument("network batch must be > 0");
}

// MobileNet inverted residual: 1x1 expand, k x k depthwise, 1x1 project (+ residual).
// Optional squeeze-excite (MobileNetV3): global pool, two small FCs, channel scaling.
// `act_ops` is the cost per element of the activation (1 for ReLU, 4 for h-swish).
Shape inverted_residual(Builder& b, const std::string& name, Shape in, std::uint64_t out_c, std::uint64_t k,
                        std::uint64_t stride, std::uint64_t expand, std::uint64_t groups = 1, bool se = false,
                        std::uint64_t act_ops = 1) {
  Shape x = in;
  const std::uint64_t mid = in.c * expand;
  if (expand != 1 || groups != 1) {
    x = b.conv(name + ".expand", x, mid, 1, 1, groups);
    b.act(name + ".expand_act", x, act_ops);
  }
  x = b.conv(name + ".dw", x, x.c, k, stride, x.c);
  b.act(name + ".dw_act", x, act_ops);
  if (se) {
    // OFA's SE reduction: channels / 4 rounded to a multiple of 8.
    const std::uint64_t squeezed = std::max<std::uint64_t>(8, (x.c / 4 + 4) / 8 * 8);
    b.global_pool(name + ".se_pool", x);
    b.fc(name + ".se_reduce", x.c, squeezed);
    b.fc(name + ".se_expand", squeezed, x.c);
    b.add(name + ".se_scale", x);
  }
  x = b.conv(name + ".project", x, out_c, 1, 1, groups);
  if (stride == 1 && in.c == out_c) b.add(name + ".residual", x);
  return x;
}

}  // namespace

Network resnet50(std::uint64_t batch, DataType dtype) {
  require_batch(batch);
  Builder b(batch, dtype);
  Shape x{3, 224, 224};
  x = b.conv("conv1", x, 64, 7, 2);
  b.act("conv1.relu", x);
  x = b.pool("maxpool", x, 3, 2, 1);
  const std::array<std::uint64_t, 4> blocks{3, 4, 6, 3};
  const std::array<std::uint64_t, 4> widths{64, 128, 256, 512};
  for (std::size_t s = 0; s < 4; ++s) {
    for (std::uint64_t i = 0; i < blocks[s]; ++i) {
      const std::string name = "layer" + std::to_string(s + 1) + "." + std::to_string(i);
      const std::uint64_t stride = (i == 0 && s > 0) ? 2 : 1;
      const std::uint64_t out_c = widths[s] * 4;
      Shape y = b.conv(name + ".conv1", x, widths[s], 1, 1);
      b.act(name + ".relu1", y);
      y = b.conv(name + ".conv2", y, widths[s], 3, stride);
      b.act(name + ".relu2", y);
      y = b.conv(name + ".conv3", y, out_c, 1, 1);
      if (i == 0) b.conv(name + ".downsample", x, out_c, 1, stride);
      b.add(name + ".add_relu", y);
      x = y;
    }
  }
  x = b.global_pool("avgpool", x);
  b.fc("fc", x.c, 1000);
  return b.take();
}

Network mobilenet_v2(std::uint64_t batch, DataType dtype) {
  require_batch(batch);
  Builder b(batch, dtype);
  Shape x = b.conv("stem", {3, 224, 224}, 32, 3, 2);
  b.act("stem.act", x);
  // (expansion, channels, repeats, stride) from the MobileNetV2 paper, Table 2.
  const std::array<std::array<std::uint64_t, 4>, 7> settings{
      {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}};
  int block = 0;
  for (const auto& [t, c, n, s] : settings) {
    for (std::uint64_t i = 0; i < n; ++i) {
      x = inverted_residual(b, "block" + std::to_string(block++), x, c, 3, i == 0 ? s : 1, t);
    }
  }
  x = b.conv("head", x, 1280, 1, 1);
  b.act("head.act", x);
  x = b.global_pool("avgpool", x);
  b.fc("classifier", x.c, 1000);
  return b.take();
}

Network ofa_mobilenet_v3(const OfaMbv3Config& cfg, std::uint64_t batch, DataType dtype) {
  require_batch(batch);
  if (cfg.resolution < 32) throw std::invalid_argument("OFA MobileNetV3: resolution must be >= 32");
  Builder b(batch, dtype);
  Shape x = b.conv("stem", {3, cfg.resolution, cfg.resolution}, 16, 3, 2);
  b.act("stem.act", x);
  x = inverted_residual(b, "first", x, 16, 3, 1, 1);
  // OFA-MBv3 stage widths and strides (Once-for-All, MobileNetV3 search space).
  const std::array<std::uint64_t, 5> widths{24, 40, 80, 112, 160};
  const std::array<std::uint64_t, 5> strides{2, 2, 2, 1, 2};
  const std::array<bool, 5> squeeze_excite{false, true, false, true, true};
  const std::array<std::uint64_t, 5> act_ops{1, 1, 4, 4, 4};  // ReLU, then h-swish
  for (std::size_t s = 0; s < 5; ++s) {
    if (cfg.depths[s] < 1 || cfg.depths[s] > 4) throw std::invalid_argument("OFA MobileNetV3: depth must be 1..4");
    for (std::uint32_t i = 0; i < cfg.depths[s]; ++i) {
      const std::uint32_t k = cfg.kernels[s * 4 + i], e = cfg.expansions[s * 4 + i];
      if (k != 3 && k != 5 && k != 7) throw std::invalid_argument("OFA MobileNetV3: kernel must be 3, 5 or 7");
      if (e != 3 && e != 4 && e != 6) throw std::invalid_argument("OFA MobileNetV3: expansion must be 3, 4 or 6");
      x = inverted_residual(b, "stage" + std::to_string(s + 1) + "." + std::to_string(i), x, widths[s], k,
                            i == 0 ? strides[s] : 1, e, 1, squeeze_excite[s], act_ops[s]);
    }
  }
  x = b.conv("final_expand", x, 960, 1, 1);
  b.act("final_expand.act", x, 4);
  x = b.global_pool("avgpool", x);
  b.fc("feature_mix", 960, 1280);
  b.fc("classifier", 1280, 1000);
  return b.take();
}

Network mobilenet_v3(std::uint64_t batch, DataType dtype) {
  OfaMbv3Config cfg;
  cfg.kernels.fill(7);
  cfg.expansions.fill(6);
  return ofa_mobilenet_v3(cfg, batch, dtype);
}

namespace {

void transformer_layer(Builder& b, const TransformerConfig& c, const std::string& name, std::uint64_t tokens,
                       std::uint64_t q_len, std::uint64_t kv_len) {
  const std::uint64_t rows = b.batch() * tokens;
  const DataType dt = b.dtype();
  b.push(Operator{name + ".ln1", RowNormShape{RowNormShape::Kind::layernorm, rows, c.d_model}, dt, {}});
  b.push(gemm(name + ".qkv", rows, 3 * c.d_model, c.d_model, 1, true, dt));
  b.push(Operator{name + ".attention", AttentionShape{b.batch(), c.heads, q_len, kv_len, c.d_model / c.heads}, dt, {}});
  b.push(gemm(name + ".out_proj", rows, c.d_model, c.d_model, 1, true, dt));
  b.push(elementwise(name + ".residual1", rows * c.d_model, 2, 1, dt));
  b.push(Operator{name + ".ln2", RowNormShape{RowNormShape::Kind::layernorm, rows, c.d_model}, dt, {}});
  b.push(gemm(name + ".ffn_up", rows, c.d_ff, c.d_model, 1, true, dt));
  b.push(elementwise(name + ".gelu", rows * c.d_ff, 1, 8, dt));
  b.push(gemm(name + ".ffn_down", rows, c.d_model, c.d_ff, 1, true, dt));
  b.push(elementwise(name + ".residual2", rows * c.d_model, 2, 1, dt));
}

void check(const TransformerConfig& c) {
  if (c.d_model == 0 || c.heads == 0 || c.d_ff == 0 || c.layers == 0 || c.d_model % c.heads != 0) {
    throw std::invalid_argument("transformer: d_model, heads, d_ff, layers must be > 0 and heads must divide d_model");
  }
}

}  // namespace

Network transformer_block(const TransformerConfig& c, std::uint64_t batch, std::uint64_t seq, DataType dtype) {
  require_batch(batch);
  check(c);
  if (seq == 0) throw std::invalid_argument("transformer: seq must be > 0");
  Builder b(batch, dtype);
  for (std::uint64_t l = 0; l < c.layers; ++l) transformer_layer(b, c, "layer" + std::to_string(l), seq, seq, seq);
  return b.take();
}

Network llm_decode_step(const TransformerConfig& c, std::uint64_t batch, std::uint64_t kv_len, DataType dtype) {
  require_batch(batch);
  check(c);
  if (kv_len == 0) throw std::invalid_argument("decode: kv_len must be > 0");
  Builder b(batch, dtype);
  for (std::uint64_t l = 0; l < c.layers; ++l) transformer_layer(b, c, "layer" + std::to_string(l), 1, 1, kv_len);
  return b.take();
}

Network nas_bench_201(const std::string& arch, std::uint64_t batch, DataType dtype) {
  require_batch(batch);
  // Parse "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|" into edges[node][input] = op.
  std::vector<std::vector<std::string>> nodes;
  std::stringstream groups(arch);
  std::string group;
  while (std::getline(groups, group, '+')) {
    std::vector<std::string> edges;
    std::stringstream parts(group);
    std::string part;
    while (std::getline(parts, part, '|')) {
      if (part.empty()) continue;
      const auto tilde = part.find('~');
      if (tilde == std::string::npos || std::stoul(part.substr(tilde + 1)) != edges.size()) {
        throw std::invalid_argument("NAS-Bench-201 arch \"" + arch + "\": malformed edge \"" + part + "\"");
      }
      const std::string op = part.substr(0, tilde);
      if (op != "none" && op != "skip_connect" && op != "nor_conv_1x1" && op != "nor_conv_3x3" &&
          op != "avg_pool_3x3") {
        throw std::invalid_argument("NAS-Bench-201 arch: unknown op \"" + op + "\"");
      }
      edges.push_back(op);
    }
    if (edges.size() != nodes.size() + 1) {
      throw std::invalid_argument("NAS-Bench-201 arch \"" + arch + "\": node " + std::to_string(nodes.size() + 1) +
                                  " needs " + std::to_string(nodes.size() + 1) + " edges");
    }
    nodes.push_back(std::move(edges));
  }
  if (nodes.size() != 3) throw std::invalid_argument("NAS-Bench-201 arch \"" + arch + "\": expected 3 nodes");

  Builder b(batch, dtype);
  Shape x = b.conv("stem", {3, 32, 32}, 16, 3, 1);
  const std::array<std::uint64_t, 3> widths{16, 32, 64};
  for (std::size_t s = 0; s < 3; ++s) {
    if (s > 0) {
      const std::string name = "reduction" + std::to_string(s);
      b.act(name + ".relu_a", x);
      Shape y = b.conv(name + ".conv_a", x, widths[s], 3, 2);
      b.act(name + ".relu_b", y);
      y = b.conv(name + ".conv_b", y, widths[s], 3, 1);
      Shape sc = b.pool(name + ".shortcut_pool", x, 2, 2, 0);
      b.conv(name + ".shortcut_conv", sc, widths[s], 1, 1);
      b.add(name + ".add", y);
      x = y;
    }
    for (int c = 0; c < 5; ++c) {
      const std::string cell = "stage" + std::to_string(s + 1) + ".cell" + std::to_string(c);
      for (std::size_t j = 0; j < nodes.size(); ++j) {
        std::uint64_t terms = 0;
        for (std::size_t i = 0; i < nodes[j].size(); ++i) {
          const std::string& op = nodes[j][i];
          const std::string name = cell + ".n" + std::to_string(j + 1) + "_" + std::to_string(i) + "." + op;
          if (op == "none") continue;
          ++terms;
          if (op == "nor_conv_1x1" || op == "nor_conv_3x3") {
            b.act(name + ".relu", x);
            b.conv(name, x, x.c, op == "nor_conv_1x1" ? 1 : 3, 1);
          } else if (op == "avg_pool_3x3") {
            b.pool(name, x, 3, 1, 1);
          }
        }
        if (terms > 1) b.add(cell + ".n" + std::to_string(j + 1) + ".sum", x, terms);
      }
    }
  }
  b.act("head.relu", x);
  x = b.global_pool("avgpool", x);
  b.fc("classifier", x.c, 10);
  return b.take();
}

Network fbnet(const std::string& blocks, std::uint64_t batch, DataType dtype) {
  require_batch(batch);
  std::vector<std::string> names;
  std::string cur;
  for (char ch : blocks + "|") {
    if (ch == '|' || ch == '-') {
      if (!cur.empty()) names.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (names.size() != 22) {
    throw std::invalid_argument("FBNet: expected 22 block names, got " + std::to_string(names.size()));
  }
  Builder b(batch, dtype);
  Shape x = b.conv("stem", {3, 224, 224}, 16, 3, 2);
  b.act("stem.act", x);
  // FBNet paper, Table 1: output channels, searchable layers and first stride per stage.
  const std::array<std::uint64_t, 7> widths{16, 24, 32, 64, 112, 184, 352};
  const std::array<std::uint64_t, 7> counts{1, 4, 4, 4, 4, 4, 1};
  const std::array<std::uint64_t, 7> strides{1, 2, 2, 2, 1, 2, 1};
  std::size_t layer = 0;
  for (std::size_t s = 0; s < 7; ++s) {
    for (std::uint64_t i = 0; i < counts[s]; ++i, ++layer) {
      const std::string& block = names[layer];
      const std::string name = "layer" + std::to_string(layer) + "." + block;
      const std::uint64_t stride = i == 0 ? strides[s] : 1;
      if (block == "skip") {
        // An identity where shapes agree, else the projection needed to change them.
        if (stride != 1 || x.c != widths[s]) x = b.conv(name + ".proj", x, widths[s], 1, stride);
        continue;
      }
      unsigned k = 0, e = 0;
      char g[4] = {0};
      if (std::sscanf(block.c_str(), "k%u_e%u_%3s", &k, &e, g) < 2 || (k != 3 && k != 5) ||
          (e != 1 && e != 3 && e != 6) || (g[0] != 0 && std::string(g) != "g2")) {
        throw std::invalid_argument("FBNet: unknown block \"" + block + "\"");
      }
      x = inverted_residual(b, name, x, widths[s], k, stride, e, g[0] ? 2 : 1);
    }
  }
  x = b.conv("head", x, 1984, 1, 1);
  b.act("head.act", x);
  x = b.global_pool("avgpool", x);
  b.fc("classifier", x.c, 1000);
  return b.take();
}

std::vector<std::string> network_names() {
  return {"resnet50", "mobilenet_v2", "mobilenet_v3", "transformer_block", "llm_decode"};
}

Network network_by_name(const std::string& name, std::uint64_t batch, DataType dtype) {
  if (name == "resnet50") return resnet50(batch, dtype);
  if (name == "mobilenet_v2") return mobilenet_v2(batch, dtype);
  if (name == "mobilenet_v3") return mobilenet_v3(batch, dtype);
  if (name == "transformer_block") return transformer_block({}, batch, 2048, dtype);
  if (name == "llm_decode") return llm_decode_step({}, batch, 4096, dtype);
  std::string known;
  for (const auto& n : network_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown network \"" + name + "\" (expected one of " + known + ")");
}

}  // namespace models::accelerator
