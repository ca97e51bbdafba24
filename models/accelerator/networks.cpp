#include "models/accelerator/networks.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string_view>

#include "models/accelerator/parameters.hpp"

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
  OperatorList take() { return std::move(ops_); }

 private:
  std::uint64_t batch_;
  DataType dtype_;
  OperatorList ops_;
};

void require_batch(std::uint64_t batch) {
  if (batch == 0) throw std::invalid_argument("network batch must be > 0");
}

[[noreturn]] void bad_arch(const std::string& network, const std::string& arch, const std::string& problem) {
  throw std::invalid_argument(network + " arch \"" + arch + "\": " + problem + "; expected " + arch_syntax(network));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits on any of `separators`, keeping empty pieces so that "a||b" can be refused.
std::vector<std::string> split(std::string_view s, std::string_view separators) {
  std::vector<std::string> out(1);
  for (char ch : s) {
    if (separators.find(ch) != std::string_view::npos) {
      out.emplace_back();
    } else {
      out.back() += ch;
    }
  }
  return out;
}

// A whole unsigned decimal number, or nothing.
std::optional<std::uint64_t> parse_count(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
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

OperatorList resnet50(std::uint64_t batch, DataType dtype) {
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

OperatorList mobilenet_v2(std::uint64_t batch, DataType dtype) {
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

OperatorList ofa_mobilenet_v3(const OfaMbv3Config& cfg, std::uint64_t batch, DataType dtype) {
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

OperatorList mobilenet_v3(std::uint64_t batch, DataType dtype) {
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

OperatorList transformer_block(const TransformerConfig& c, std::uint64_t batch, std::uint64_t seq, DataType dtype) {
  require_batch(batch);
  check(c);
  if (seq == 0) throw std::invalid_argument("transformer: seq must be > 0");
  Builder b(batch, dtype);
  for (std::uint64_t l = 0; l < c.layers; ++l) transformer_layer(b, c, "layer" + std::to_string(l), seq, seq, seq);
  return b.take();
}

OperatorList llm_decode_step(const TransformerConfig& c, std::uint64_t batch, std::uint64_t kv_len, DataType dtype) {
  require_batch(batch);
  check(c);
  if (kv_len == 0) throw std::invalid_argument("decode: kv_len must be > 0");
  Builder b(batch, dtype);
  for (std::uint64_t l = 0; l < c.layers; ++l) transformer_layer(b, c, "layer" + std::to_string(l), 1, 1, kv_len);
  return b.take();
}

OperatorList nas_bench_201(const std::string& arch_text, std::uint64_t batch, DataType dtype) {
  require_batch(batch);
  static const char* const kName = "nas_bench_201";
  const std::string arch(trim(arch_text));
  // "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|" -> nodes[j][i] = op on the edge from node i.
  std::vector<std::vector<std::string>> nodes;
  for (const std::string& group : split(arch, "+")) {
    if (nodes.size() == 3) bad_arch(kName, arch, "more than 3 nodes");
    std::vector<std::string> edges;
    if (group.size() < 2 || group.front() != '|' || group.back() != '|') {
      bad_arch(kName, arch, "node " + std::to_string(nodes.size() + 1) + " \"" + group + "\" is not enclosed in '|'");
    }
    for (const std::string& part : split(std::string_view(group).substr(1, group.size() - 2), "|")) {
      const auto tilde = part.find('~');
      const auto input =
          tilde == std::string::npos ? std::nullopt : parse_count(std::string_view(part).substr(tilde + 1));
      if (!input || *input != edges.size()) {
        bad_arch(kName, arch,
                 "edge \"" + part + "\" of node " + std::to_string(nodes.size() + 1) + " should read op~" +
                     std::to_string(edges.size()));
      }
      const std::string op = part.substr(0, tilde);
      if (op != "none" && op != "skip_connect" && op != "nor_conv_1x1" && op != "nor_conv_3x3" &&
          op != "avg_pool_3x3") {
        bad_arch(kName, arch, "unknown op \"" + op + "\"");
      }
      edges.push_back(op);
    }
    if (edges.size() != nodes.size() + 1) {
      bad_arch(kName, arch,
               "node " + std::to_string(nodes.size() + 1) + " needs " + std::to_string(nodes.size() + 1) +
                   " edges, got " + std::to_string(edges.size()));
    }
    nodes.push_back(std::move(edges));
  }
  if (nodes.size() != 3) bad_arch(kName, arch, std::to_string(nodes.size()) + " nodes, not 3");

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
          ++terms;
          if (op == "none") {
            // NAS-Bench-201's Zero op is x * 0, a kernel of its own whose output joins the sum.
            b.act(name, x);
          } else if (op == "nor_conv_1x1" || op == "nor_conv_3x3") {
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

namespace {

// FBNet's block set in the order of its op indices (op_idx_22 of the FBNet tables).
const std::array<const char*, 9> kFbnetBlocks{"k3_e1",    "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1",
                                              "k5_e1_g2", "k5_e3",    "k5_e6", "skip"};

std::vector<std::string> parse_fbnet(const std::string& arch) {
  std::vector<std::string> names = split(arch, "|-");
  const auto given = std::count_if(names.begin(), names.end(), [](const std::string& n) { return !n.empty(); });
  if (names.size() != 22 || given != 22) {
    bad_arch("fbnet", arch,
             std::to_string(given) + " blocks, not 22" +
                 (given == static_cast<std::ptrdiff_t>(names.size()) ? "" : ", and empty ones"));
  }
  std::size_t indices = 0;
  for (std::string& block : names) {
    if (block.size() == 1 && block[0] >= '0' && block[0] <= '8') {
      block = kFbnetBlocks[static_cast<std::size_t>(block[0] - '0')];
      ++indices;
    } else if (std::find_if(kFbnetBlocks.begin(), kFbnetBlocks.end(), [&](const char* b) { return block == b; }) ==
               kFbnetBlocks.end()) {
      bad_arch("fbnet", arch, "unknown block \"" + block + "\"");
    }
  }
  if (indices != 0 && indices != names.size()) bad_arch("fbnet", arch, "mixes block names and indices");
  return names;
}

// One FBNet block as HW-NAS-Bench prices it (docs/accelerator.md, "Search-space conventions"):
// 1x1 expand (kept at expansion 1), channel shuffle after it in grouped blocks, k x k
// depthwise, 1x1 project, residual where shapes agree. Every convolution runs at the
// block's output resolution: the stride is taken by the 1x1 expand convolution.
Shape fbnet_block(Builder& b, const std::string& name, Shape in, std::uint64_t out_c, std::uint64_t k,
                  std::uint64_t stride, std::uint64_t expand, std::uint64_t groups) {
  Shape x = b.conv(name + ".expand", in, in.c * expand, 1, stride, groups);
  b.act(name + ".expand_relu", x);
  // PyTorch's view-permute-contiguous: one copy of the tensor, no arithmetic.
  if (groups > 1) b.act(name + ".shuffle", x, 0);
  x = b.conv(name + ".dw", x, x.c, k, 1, x.c);
  b.act(name + ".dw_relu", x);
  x = b.conv(name + ".project", x, out_c, 1, 1, groups);
  if (stride == 1 && in.c == out_c) b.add(name + ".residual", x);
  return x;
}

}  // namespace

OperatorList fbnet(const std::string& blocks, std::uint64_t batch, DataType dtype) {
  require_batch(batch);
  const std::vector<std::string> names = parse_fbnet(std::string(trim(blocks)));
  Builder b(batch, dtype);
  const Shape stem = b.conv("stem", {3, 224, 224}, 16, 3, 2);
  b.act("stem.relu", stem);
  // FBNet paper, Table 1 (as HW-NAS-Bench builds it): output channels, searchable layers
  // and first stride per stage.
  const std::array<std::uint64_t, 7> widths{16, 24, 32, 64, 112, 184, 352};
  const std::array<std::uint64_t, 7> counts{1, 4, 4, 4, 4, 4, 1};
  const std::array<std::uint64_t, 7> strides{1, 2, 2, 2, 1, 2, 1};
  Shape x = stem;
  std::size_t layer = 0;
  for (std::size_t s = 0; s < 7; ++s) {
    for (std::uint64_t i = 0; i < counts[s]; ++i, ++layer) {
      const std::string& block = names[layer];
      const std::string name = "layer" + std::to_string(layer) + "." + block;
      const std::uint64_t stride = i == 0 ? strides[s] : 1;
      // HW-NAS-Bench's tables key layer 0 on the stem's 112x112 output but price it at
      // 56x56, and key and price layer 1 from 112x112 again: layer 0 is built at 56x56
      // and leaves the resolution the stem made.
      const Shape in = layer == 0 ? Shape{stem.c, stem.h / 2, stem.w / 2} : x;
      Shape out;
      if (block == "skip") {
        // An identity where shapes agree, else a 1x1 projection with batch norm and ReLU.
        out = in;
        if (stride != 1 || in.c != widths[s]) {
          out = b.conv(name + ".proj", in, widths[s], 1, stride);
          b.act(name + ".proj_relu", out);
        }
      } else {
        // "k<kernel>_e<expansion>[_g2]", one of kFbnetBlocks.
        const std::uint64_t k = static_cast<std::uint64_t>(block[1] - '0');
        const std::uint64_t e = static_cast<std::uint64_t>(block[4] - '0');
        out = fbnet_block(b, name, in, widths[s], k, stride, e, block.size() > 5 ? 2 : 1);
      }
      x = layer == 0 ? Shape{out.c, stem.h, stem.w} : out;
    }
  }
  x = b.conv("head", x, 1984, 1, 1);
  b.act("head.relu", x);
  x = b.global_pool("avgpool", x);
  b.fc("classifier", x.c, 1000);
  return b.take();
}

OfaMbv3Config parse_ofa_arch(const std::string& arch_text) {
  static const char* const kName = "ofa_mbv3";
  const std::string arch(trim(arch_text));
  OfaMbv3Config c;
  std::string seen;
  for (const std::string& field : split(arch, ",")) {
    const std::string_view f = trim(field);
    const auto eq = f.find('=');
    const std::string key(trim(f.substr(0, eq)));
    if (eq == std::string_view::npos || (key != "r" && key != "d" && key != "k" && key != "e")) {
      bad_arch(kName, arch, "\"" + std::string(f) + "\" is not r=..., d=..., k=... or e=...");
    }
    if (seen.find(key) != std::string::npos) bad_arch(kName, arch, key + " given twice");
    seen += key;
    std::vector<std::uint64_t> values;
    for (const std::string& item : split(trim(f.substr(eq + 1)), "-")) {
      const auto v = parse_count(trim(item));
      if (!v) bad_arch(kName, arch, key + ": \"" + item + "\" is not a whole number");
      values.push_back(*v);
    }
    const auto expect = [&](std::size_t count, const std::string& what, auto allowed) {
      if (values.size() != count) {
        bad_arch(kName, arch,
                 key + ": " + std::to_string(values.size()) + " " + what + ", not " + std::to_string(count));
      }
      for (std::uint64_t v : values) {
        if (!allowed(v)) bad_arch(kName, arch, key + ": " + std::to_string(v) + " is not a valid " + what);
      }
    };
    if (key == "r") {
      expect(1, "resolution", [](std::uint64_t v) { return v >= 32 && v <= 4096; });
      c.resolution = values[0];
    } else if (key == "d") {
      expect(5, "depths", [](std::uint64_t v) { return v >= 1 && v <= 4; });
      std::copy(values.begin(), values.end(), c.depths.begin());
    } else if (key == "k") {
      expect(20, "kernels", [](std::uint64_t v) { return v == 3 || v == 5 || v == 7; });
      std::copy(values.begin(), values.end(), c.kernels.begin());
    } else {
      expect(20, "expansions", [](std::uint64_t v) { return v == 3 || v == 4 || v == 6; });
      std::copy(values.begin(), values.end(), c.expansions.begin());
    }
  }
  for (const char* key : {"r", "d", "k", "e"}) {
    if (seen.find(key) == std::string::npos) bad_arch(kName, arch, std::string(key) + "=... is missing");
  }
  return c;
}

std::string ofa_arch_string(const OfaMbv3Config& c) {
  const auto join = [](const auto& values) {
    std::string out;
    for (auto v : values) {
      if (!out.empty()) out += '-';
      out += std::to_string(v);
    }
    return out;
  };
  return "r=" + std::to_string(c.resolution) + ",d=" + join(c.depths) + ",k=" + join(c.kernels) +
         ",e=" + join(c.expansions);
}

std::vector<std::string> network_names() {
  return {"resnet50",      "mobilenet_v2", "mobilenet_v3",      "ofa_mbv3",
          "nas_bench_201", "fbnet",        "transformer_block", "llm_decode"};
}

std::string canonical_network_name(const std::string& name) {
  if (name == "nb201") return "nas_bench_201";
  for (const auto& n : network_names()) {
    if (n == name) return n;
  }
  std::string known;
  for (const auto& n : network_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown network \"" + name + "\" (expected one of " + known +
                              "; nb201 = nas_bench_201)");
}

bool network_takes_arch(const std::string& name) {
  return name == "nas_bench_201" || name == "nb201" || name == "fbnet" || name == "ofa_mbv3";
}

std::string arch_syntax(const std::string& name) {
  if (name == "nas_bench_201" || name == "nb201") {
    return "a NAS-Bench-201 cell \"|op~0|+|op~0|op~1|+|op~0|op~1|op~2|\" with each op one of none, skip_connect, "
           "nor_conv_1x1, nor_conv_3x3, avg_pool_3x3 (e.g. "
           "\"|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|\")";
  }
  if (name == "fbnet") {
    return "22 FBNet blocks separated by '|', each one of k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, "
           "k5_e6, skip, or their indices 0-8 separated by '-' (e.g. \"8-2-1-5-1-8-4-6-6-2-5-2-5-1-2-5-2-8-2-3-5-0\")";
  }
  if (name == "ofa_mbv3") {
    return "\"r=R,d=D-D-D-D-D,k=K-...-K,e=E-...-E\": resolution R >= 32, 5 stage depths 1-4, 20 kernels 3/5/7 and "
           "20 expansions 3/4/6 (e.g. \"r=160,d=4-3-2-4-4,k=3-7-3-3-7-7-5-5-3-5-7-5-3-7-3-7-5-7-5-5,"
           "e=4-6-3-6-3-4-6-6-6-4-3-6-4-6-4-3-3-4-3-6\")";
  }
  return "no architecture string";
}

OperatorList network_by_name(const NetworkSpec& spec) {
  const std::string name = canonical_network_name(spec.name);
  const bool transformer = name == "transformer_block" || name == "llm_decode";
  const auto refuse = [&](bool set, const std::string& what) {
    if (set) throw std::invalid_argument("network \"" + name + "\" takes no " + what);
  };
  refuse(spec.arch.has_value() && !network_takes_arch(name),
         "architecture string (nas_bench_201, fbnet and ofa_mbv3 do)");
  refuse(spec.seq.has_value() && name != "transformer_block", "seq (transformer_block does)");
  refuse(spec.kv_len.has_value() && name != "llm_decode", "kv_len (llm_decode does)");
  refuse(spec.transformer.has_value() && !transformer, "transformer dimensions (transformer_block and llm_decode do)");
  if (network_takes_arch(name) && !spec.arch) {
    throw std::invalid_argument("network \"" + name + "\" needs an architecture string: expected " + arch_syntax(name));
  }
  const TransformerConfig t = spec.transformer.value_or(TransformerConfig{});
  if (name == "resnet50") return resnet50(spec.batch, spec.dtype);
  if (name == "mobilenet_v2") return mobilenet_v2(spec.batch, spec.dtype);
  if (name == "mobilenet_v3") return mobilenet_v3(spec.batch, spec.dtype);
  if (name == "ofa_mbv3") return ofa_mobilenet_v3(parse_ofa_arch(*spec.arch), spec.batch, spec.dtype);
  if (name == "nas_bench_201") return nas_bench_201(*spec.arch, spec.batch, spec.dtype);
  if (name == "fbnet") return fbnet(*spec.arch, spec.batch, spec.dtype);
  if (name == "transformer_block") {
    return transformer_block(t, spec.batch, spec.seq.value_or(default_count("workload.transformer", "seq")),
                             spec.dtype);
  }
  return llm_decode_step(t, spec.batch, spec.kv_len.value_or(default_count("workload.transformer", "kv_len")),
                         spec.dtype);
}

OperatorList network_by_name(const std::string& name, std::uint64_t batch, DataType dtype) {
  NetworkSpec spec;
  spec.name = name;
  spec.batch = batch;
  spec.dtype = dtype;
  return network_by_name(spec);
}

Footprint footprint(const OperatorList& network) {
  Footprint f;
  for (const Operator& op : network) {
    if (std::holds_alternative<AttentionShape>(op.shape)) {
      f.kv_cache_bytes += operand_bytes(op).weight;  // K and V
    } else if (const auto* g = std::get_if<GatherShape>(&op.shape)) {
      f.weight_bytes += g->table_rows * g->row_bytes;  // the whole table, not the rows read
    } else if (const auto* m = std::get_if<GemmShape>(&op.shape); m != nullptr && !m->shared_weights) {
      // Per-entry operands (activation x activation) are not parameters.
    } else {
      f.weight_bytes += operand_bytes(op).weight;
    }
  }
  return f;
}

}  // namespace models::accelerator
