#include "models/cost/space.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "sim/random.hpp"

namespace models::cost {

namespace acc = models::accelerator;

namespace {

constexpr std::array<std::string_view, 5> kNb201Ops{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                                    "avg_pool_3x3"};
constexpr std::array<std::string_view, 9> kFbnetBlocks{"k3_e1",    "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1",
                                                       "k5_e1_g2", "k5_e3",    "k5_e6", "skip"};
constexpr std::array<std::uint32_t, 3> kOfaKernels{3, 5, 7};
constexpr std::array<std::uint32_t, 3> kOfaExpansions{3, 4, 6};

std::vector<std::string_view> split(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || separators.find(text[i]) != std::string_view::npos) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::optional<std::uint64_t> to_uint(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 120;  // hostile input can be long
  return "\"" + std::string(s.substr(0, kShown)) + (s.size() > kShown ? "...\"" : "\"");
}

Arch parse_nb201(std::string_view text) {
  Arch a;
  a.space = Space::nb201;
  const auto nodes = split(text, "+");
  if (nodes.size() != 3) {
    throw std::invalid_argument("nb201 arch " + quoted(text) + ": expected 3 nodes separated by '+'");
  }
  std::size_t edge = 0;
  for (std::size_t j = 0; j < 3; ++j) {
    std::vector<std::string_view> edges;
    for (auto part : split(nodes[j], "|")) {
      if (!part.empty()) edges.push_back(part);
    }
    if (edges.size() != j + 1) {
      throw std::invalid_argument("nb201 arch " + quoted(text) + ": node " + std::to_string(j + 1) + " needs " +
                                  std::to_string(j + 1) + " edges \"|op~i|\"");
    }
    for (std::size_t i = 0; i < edges.size(); ++i) {
      const auto tilde = edges[i].find('~');
      const auto input = tilde == std::string_view::npos ? std::nullopt : to_uint(edges[i].substr(tilde + 1));
      if (!input || *input != i) {
        throw std::invalid_argument("nb201 arch " + quoted(text) + ": edge " + quoted(edges[i]) + " should read \"op~" +
                                    std::to_string(i) + "\"");
      }
      const auto op = std::find(kNb201Ops.begin(), kNb201Ops.end(), edges[i].substr(0, tilde));
      if (op == kNb201Ops.end()) {
        throw std::invalid_argument("nb201 arch: unknown op " + quoted(edges[i].substr(0, tilde)) +
                                    " (expected none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3)");
      }
      a.choice[edge++] = static_cast<std::uint8_t>(op - kNb201Ops.begin());
    }
  }
  return a;
}

Arch parse_fbnet(std::string_view text) {
  Arch a;
  a.space = Space::fbnet;
  const auto parts = split(text, "|-");
  if (parts.size() != 22) {
    throw std::invalid_argument("fbnet arch " + quoted(text) + ": expected 22 blocks separated by '|' or '-', got " +
                                std::to_string(parts.size()));
  }
  for (std::size_t l = 0; l < 22; ++l) {
    if (const auto index = to_uint(parts[l])) {
      if (*index > 8) throw std::invalid_argument("fbnet arch: block index " + quoted(parts[l]) + " is not 0..8");
      a.choice[l] = static_cast<std::uint8_t>(*index);
      continue;
    }
    const auto block = std::find(kFbnetBlocks.begin(), kFbnetBlocks.end(), parts[l]);
    if (block == kFbnetBlocks.end()) {
      throw std::invalid_argument("fbnet arch: unknown block " + quoted(parts[l]) +
                                  " (expected k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6, skip)");
    }
    a.choice[l] = static_cast<std::uint8_t>(block - kFbnetBlocks.begin());
  }
  return a;
}

std::vector<std::uint64_t> numbers(std::string_view what, std::string_view text, std::size_t count) {
  const auto parts = split(text, "-");
  if (parts.size() != count) {
    throw std::invalid_argument("ofa-mbv3 " + std::string(what) + " " + quoted(text) + ": expected " +
                                std::to_string(count) + " numbers separated by '-'");
  }
  std::vector<std::uint64_t> out;
  for (auto p : parts) {
    const auto v = to_uint(p);
    if (!v) throw std::invalid_argument("ofa-mbv3 " + std::string(what) + ": " + quoted(p) + " is not a number");
    out.push_back(*v);
  }
  return out;
}

}  // namespace

std::string_view space_name(Space space) { return sim::name_of(space); }

std::optional<Space> parse_space(std::string_view name) { return sim::find_enum<Space>(name); }

std::vector<std::string> space_names() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kSpaceCount; ++i) out.emplace_back(space_name(static_cast<Space>(i)));
  return out;
}

std::size_t slot_count(Space space) {
  switch (space) {
    case Space::nb201: return 6;
    case Space::fbnet: return 22;
    case Space::ofa_mbv3: return 20;
  }
  return 0;
}

std::size_t choice_count(Space space) {
  switch (space) {
    case Space::nb201: return 5;
    case Space::fbnet: return 9;
    case Space::ofa_mbv3: return 10;
  }
  return 0;
}

Arch parse_ofa(std::uint64_t resolution, std::string_view depths, std::string_view kernels,
               std::string_view expansions) {
  if (resolution < 32 || resolution > 1024) {
    throw std::invalid_argument("ofa-mbv3 resolution " + std::to_string(resolution) + ": expected 32..1024");
  }
  const auto d = numbers("depths", depths, 5), k = numbers("kernels", kernels, 20),
             e = numbers("expansions", expansions, 20);
  Arch a;
  a.space = Space::ofa_mbv3;
  a.resolution = static_cast<std::uint16_t>(resolution);
  for (std::size_t s = 0; s < 5; ++s) {
    if (d[s] < 1 || d[s] > 4) throw std::invalid_argument("ofa-mbv3 depths: stage depth must be 1..4");
    for (std::size_t i = 0; i < 4; ++i) {
      const std::size_t b = 4 * s + i;
      if (i >= d[s]) {
        a.choice[b] = kOfaUnused;  // the table keeps a value here that no block uses
        continue;
      }
      const auto ki = std::find(kOfaKernels.begin(), kOfaKernels.end(), k[b]);
      const auto ei = std::find(kOfaExpansions.begin(), kOfaExpansions.end(), e[b]);
      if (ki == kOfaKernels.end()) throw std::invalid_argument("ofa-mbv3 kernels: block kernel must be 3, 5 or 7");
      if (ei == kOfaExpansions.end()) throw std::invalid_argument("ofa-mbv3 expansions: expansion must be 3, 4 or 6");
      a.choice[b] = static_cast<std::uint8_t>(3 * (ki - kOfaKernels.begin()) + (ei - kOfaExpansions.begin()));
    }
  }
  return a;
}

Arch parse_arch(Space space, std::string_view text) {
  switch (space) {
    case Space::nb201: return parse_nb201(text);
    case Space::fbnet: return parse_fbnet(text);
    case Space::ofa_mbv3: break;
  }
  std::optional<std::uint64_t> r;
  std::string_view d, k, e;
  for (auto field : split(text, ",")) {
    const auto eq = field.find('=');
    const auto key = field.substr(0, eq),
               value = eq == std::string_view::npos ? std::string_view{} : field.substr(eq + 1);
    if (key == "r") {
      r = to_uint(value);
    } else if (key == "d") {
      d = value;
    } else if (key == "k") {
      k = value;
    } else if (key == "e") {
      e = value;
    } else {
      throw std::invalid_argument("ofa-mbv3 arch " + quoted(text) +
                                  ": expected \"r=RES,d=D1-..-D5,k=K1-..-K20,e=E1-..-E20\"");
    }
  }
  if (!r || d.empty() || k.empty() || e.empty()) {
    throw std::invalid_argument("ofa-mbv3 arch " + quoted(text) +
                                ": expected \"r=RES,d=D1-..-D5,k=K1-..-K20,e=E1-..-E20\"");
  }
  return parse_ofa(*r, d, k, e);
}

std::string format_arch(const Arch& a) {
  std::string out;
  switch (a.space) {
    case Space::nb201: {
      std::size_t edge = 0;
      for (std::size_t j = 0; j < 3; ++j) {
        if (j > 0) out += "+";
        out += "|";
        for (std::size_t i = 0; i <= j; ++i) {
          out += kNb201Ops[a.choice[edge++]];
          out += '~';
          out += std::to_string(i);
          out += '|';
        }
      }
      return out;
    }
    case Space::fbnet:
      for (std::size_t l = 0; l < 22; ++l) {
        if (l) out += '|';
        out += kFbnetBlocks[a.choice[l]];
      }
      return out;
    case Space::ofa_mbv3: {
      std::string d, k, e;
      for (std::size_t s = 0; s < 5; ++s) {
        int depth = 0;
        for (std::size_t i = 0; i < 4; ++i) depth += a.choice[4 * s + i] != kOfaUnused;
        if (s) d += '-';
        d += std::to_string(depth);
      }
      for (std::size_t b = 0; b < 20; ++b) {
        const auto c = a.choice[b];
        // Unused blocks print the smallest choice, which parse_arch ignores there.
        if (b) {
          k += '-';
          e += '-';
        }
        k += std::to_string(c == kOfaUnused ? 3 : kOfaKernels[c / 3]);
        e += std::to_string(c == kOfaUnused ? 3 : kOfaExpansions[c % 3]);
      }
      return "r=" + std::to_string(a.resolution) + ",d=" + d + ",k=" + k + ",e=" + e;
    }
  }
  return out;
}

acc::OperatorList to_network(const Arch& a, std::uint64_t batch, acc::DataType dtype) {
  switch (a.space) {
    case Space::nb201: return acc::nas_bench_201(format_arch(a), batch, dtype);
    case Space::fbnet: return acc::fbnet(format_arch(a), batch, dtype);
    case Space::ofa_mbv3: break;
  }
  acc::OfaMbv3Config cfg;
  cfg.resolution = a.resolution;
  for (std::size_t s = 0; s < 5; ++s) {
    cfg.depths[s] = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const auto c = a.choice[4 * s + i];
      if (c == kOfaUnused) {
        cfg.kernels[4 * s + i] = 3;
        cfg.expansions[4 * s + i] = 3;
        continue;
      }
      ++cfg.depths[s];
      cfg.kernels[4 * s + i] = kOfaKernels[c / 3];
      cfg.expansions[4 * s + i] = kOfaExpansions[c % 3];
    }
  }
  return acc::ofa_mobilenet_v3(cfg, batch, dtype);
}

NetworkStats network_stats(const acc::OperatorList& network) {
  NetworkStats s;
  for (const auto& op : network) {
    const auto bytes = acc::operand_bytes(op);
    const auto elem = acc::element_bytes(op.dtype);
    const std::uint64_t ops = acc::op_count(op);
    s.ops += ops;
    if (std::holds_alternative<acc::GemmShape>(op.shape) || std::holds_alternative<acc::Conv2dShape>(op.shape)) {
      s.macs += ops / 2;
      s.params += bytes.weight / elem;
    }
    s.operators += 1;
    s.peak_activation_bytes = std::max(s.peak_activation_bytes, bytes.input + bytes.output);
  }
  return s;
}

std::vector<Arch> random_archs(Space space, std::size_t count, std::uint64_t seed) {
  std::vector<Arch> out(count);
  sim::RandomStream rng(seed, 0x5ace + static_cast<std::uint64_t>(space));
  for (auto& a : out) {
    a.space = space;
    if (space == Space::ofa_mbv3) {
      a.resolution = static_cast<std::uint16_t>(128 + 4 * rng.below(25));
      for (std::size_t s = 0; s < 5; ++s) {
        const auto depth = 2 + rng.below(3);
        for (std::size_t i = 0; i < 4; ++i) {
          a.choice[4 * s + i] = i < depth ? static_cast<std::uint8_t>(rng.below(9)) : kOfaUnused;
        }
      }
      continue;
    }
    for (std::size_t i = 0; i < slot_count(space); ++i)
      a.choice[i] = static_cast<std::uint8_t>(rng.below(choice_count(space)));
  }
  return out;
}

}  // namespace models::cost
