// `simfabric bench network` and `simfabric bench operators`: accelerator simulation speed.

#include <fmt/format.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "apps/simfabric/commands.hpp"
#include "models/accelerator/batch.hpp"
#include "models/accelerator/parameters.hpp"
#include "models/accelerator/sweep.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "sim/input_file.hpp"
#include "sim/peak_rss.hpp"

namespace app {

namespace {

namespace acc = models::accelerator;

// Architectures of an --arch-file: one a line; blank lines and lines starting with '#' skipped.
std::vector<std::string> read_archs(const std::string& path) {
  std::istringstream in(sim::read_input_file(path, std::uint64_t{256} << 20, "--arch-file"));
  std::vector<std::string> archs;
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    archs.push_back(line.substr(first, line.find_last_not_of(" \t\r") + 1 - first));
  }
  if (archs.empty()) throw std::invalid_argument("--arch-file: '" + path + "' holds no architecture");
  return archs;
}

std::vector<std::string> dtype_names() { return sim::accepted_spellings<acc::DataType>(); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Common {
  std::string device = "h100";
  int threads = 0;  // 0 = all cores
  bool json = false;
};

void add_common(CLI::App* cmd, Common& c) {
  cmd->add_option("--device", c.device, "preset (a100, h100, sn40l, eyeriss, systolic) or device TOML file");
  cmd->add_option("--threads", c.threads, "worker threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", c.json, "print one JSON object");
}

std::unique_ptr<tbb::global_control> limit_threads(int threads) {
  if (threads <= 0) return nullptr;
  return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                               static_cast<std::size_t>(threads));
}

}  // namespace

void add_accelerator_commands(CLI::App& app, Action& action) {
  CLI::App* bench = app.get_subcommand("bench");

  struct NetworkArgs : Common {
    std::string model = "resnet50";
    std::uint64_t batch = acc::default_count("workload", "batch");
    int repeat = 5;
    std::string dtype = std::string(acc::parameter("workload", "dtype").default_text);
    std::optional<std::string> arch, arch_file;
    std::optional<std::uint64_t> seq, kv_len, layers;
  };
  auto net = std::make_shared<NetworkArgs>();
  std::string models;
  for (const auto& name : acc::network_names()) models += (models.empty() ? "" : ", ") + name;
  CLI::App* network = bench->add_subcommand("network", "Simulate a whole network on an accelerator");
  network->add_option("--model", net->model, models + " (nb201 = nas_bench_201)");
  network->add_option("--arch", net->arch,
                      "architecture of nas_bench_201 (NB201 arch_str), fbnet (op_str_22 or op_idx_22) or ofa_mbv3 "
                      "(\"r=160,d=4-3-2-4-4,k=<20 kernels>,e=<20 expansions>\")");
  network
      ->add_option("--arch-file", net->arch_file,
                   "run every architecture of this file (one a line, '#' comments) in parallel; JSON arrays")
      ->excludes(network->get_option("--arch"));
  // Defaults are the scenario keys' (models/accelerator/parameters.cpp).
  const auto transformer_default = [](std::string_view key) {
    return std::to_string(acc::default_count("workload.transformer", key));
  };
  network->add_option("--batch", net->batch, "batch size")->check(CLI::PositiveNumber)->capture_default_str();
  network->add_option("--dtype", net->dtype, "data type")->check(CLI::IsMember(dtype_names()))->capture_default_str();
  network->add_option("--seq", net->seq, "tokens of transformer_block")
      ->check(CLI::PositiveNumber)
      ->default_str(transformer_default("seq"));
  network->add_option("--kv-len", net->kv_len, "KV-cache entries of llm_decode")
      ->check(CLI::PositiveNumber)
      ->default_str(transformer_default("kv_len"));
  network->add_option("--layers", net->layers, "layers of transformer_block or llm_decode")
      ->check(CLI::PositiveNumber)
      ->default_str(transformer_default("layers"));
  network->add_option("--repeat", net->repeat, "runs timed; wall_s is the fastest")->check(CLI::PositiveNumber);
  add_common(network, *net);
  network->callback([net, &action] {
    action = [net] {
      const auto guard = limit_threads(net->threads);
      const acc::Device device = scenarios::device_from_spec(net->device);
      acc::NetworkSpec spec;
      spec.name = acc::canonical_network_name(net->model);
      spec.batch = net->batch;
      spec.dtype = sim::parse_enum<acc::DataType>(net->dtype, "data type (--dtype)");
      spec.seq = net->seq;
      spec.kv_len = net->kv_len;
      if (net->layers) {
        spec.transformer = acc::TransformerConfig{};
        spec.transformer->layers = *net->layers;
      }
      if (!acc::network_takes_arch(spec.name) && (net->arch || net->arch_file)) {
        throw std::invalid_argument("--arch: network \"" + spec.name +
                                    "\" takes no architecture (nas_bench_201, fbnet and ofa_mbv3 do)");
      }
      if (acc::network_takes_arch(spec.name) && !net->arch && !net->arch_file) {
        throw std::invalid_argument("--arch: network \"" + spec.name + "\" needs an architecture: expected " +
                                    acc::arch_syntax(spec.name));
      }
      if (net->arch_file) {
        const auto specs = acc::specs_for_archs(spec, read_archs(*net->arch_file));
        const auto start_build = std::chrono::steady_clock::now();
        std::vector<acc::OperatorList> networks;
        try {
          networks = acc::build_networks(device, specs);
        } catch (const std::invalid_argument& e) {
          throw std::invalid_argument("--arch-file " + *net->arch_file + " (networks[i] is its i-th architecture):\n" +
                                      e.what());
        }
        const double build_s = seconds_since(start_build);
        double best = 1e300;
        std::vector<acc::BatchResult> results;
        for (int i = 0; i < net->repeat; ++i) {
          const auto start = std::chrono::steady_clock::now();
          results = acc::run_networks(device, networks);
          best = std::min(best, seconds_since(start));
        }
        nlohmann::ordered_json latency = nlohmann::json::array(), energy = nlohmann::json::array(),
                               ops = nlohmann::json::array(), events = nlohmann::json::array(),
                               weights = nlohmann::json::array(), kv_cache = nlohmann::json::array();
        double lo = 1e300, hi = 0;
        for (const auto& r : results) {
          latency.push_back(r.latency.to_seconds());
          energy.push_back(r.energy_pj * 1e-12);
          ops.push_back(r.ops);
          events.push_back(r.events);
          weights.push_back(r.footprint.weight_bytes);
          kv_cache.push_back(r.footprint.kv_cache_bytes);
          lo = std::min(lo, r.latency.to_seconds());
          hi = std::max(hi, r.latency.to_seconds());
        }
        if (net->json) {
          nlohmann::ordered_json out{{"benchmark", "network"},
                                     {"model", spec.name},
                                     {"device", device.name},
                                     {"batch", net->batch},
                                     {"dtype", net->dtype},
                                     {"archs", results.size()},
                                     {"wall_s", best},
                                     {"build_s", build_s},
                                     {"simulated_s", latency},
                                     {"ops", ops},
                                     {"energy_j", energy},
                                     {"weight_bytes", weights},
                                     {"kv_cache_bytes", kv_cache},
                                     {"events", events},
                                     {"peak_rss_bytes", sim::peak_rss_bytes()}};
          std::cout << out.dump() << "\n";
        } else {
          fmt::print("{} architectures of {} batch {} on {}: simulated {:.6g} to {:.6g} s, wall {:.4f} s\n",
                     results.size(), spec.name, net->batch, device.name, lo, hi, best);
        }
        return kExitOk;
      }
      spec.arch = net->arch;
      const auto start_build = std::chrono::steady_clock::now();
      const acc::OperatorList ops = acc::network_by_name(spec);
      const double build_s = seconds_since(start_build);
      const acc::Footprint resident = acc::footprint(ops);
      double best = 1e300;
      acc::NetworkResult result;
      for (int i = 0; i < net->repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        result = acc::execute_network(device, ops);
        best = std::min(best, seconds_since(start));
      }
      if (net->json) {
        nlohmann::ordered_json out{{"benchmark", "network"},
                                   {"model", spec.name},
                                   {"device", device.name},
                                   {"batch", net->batch},
                                   {"dtype", net->dtype},
                                   {"operators", ops.size()},
                                   {"wall_s", best},
                                   {"build_s", build_s},
                                   {"simulated_s", result.latency.to_seconds()},
                                   {"ops", result.ops},
                                   {"energy_j", result.energy_pj * 1e-12},
                                   {"weight_bytes", resident.weight_bytes},
                                   {"kv_cache_bytes", resident.kv_cache_bytes},
                                   {"events", result.events},
                                   {"exact", result.exact},
                                   {"peak_rss_bytes", sim::peak_rss_bytes()}};
        if (spec.arch) out["arch"] = *spec.arch;
        std::cout << out.dump() << "\n";
      } else {
        fmt::print(
            "{} batch {} on {}: {} operators, simulated {:.6g} s, {:.3g} J, weights {} B, KV cache {} B, "
            "{} events, wall {:.4f} s\n",
            spec.name, net->batch, device.name, ops.size(), result.latency.to_seconds(), result.energy_pj * 1e-12,
            resident.weight_bytes, resident.kv_cache_bytes, result.events, best);
      }
      return kExitOk;
    };
  });

  struct OperatorArgs : Common {
    std::size_t count = 10'000;
    std::uint64_t seed = 1;
  };
  auto opa = std::make_shared<OperatorArgs>();
  CLI::App* operators = bench->add_subcommand("operators", "Simulate random conv/GEMM operators in parallel");
  operators->add_option("--count", opa->count, "operators")->check(CLI::PositiveNumber);
  operators->add_option("--seed", opa->seed, "random seed");
  add_common(operators, *opa);
  operators->callback([opa, &action] {
    action = [opa] {
      const auto guard = limit_threads(opa->threads);
      const acc::Device device = scenarios::device_from_spec(opa->device);
      const auto ops = acc::random_operators(opa->count, opa->seed);
      const auto start = std::chrono::steady_clock::now();
      const auto results = acc::execute_all(device, ops);
      const double wall = seconds_since(start);
      sim::Time total;
      std::uint64_t events = 0, inexact = 0;
      for (const auto& r : results) {
        total += r.latency;
        events += r.events;
        inexact += r.exact ? 0 : 1;
      }
      if (opa->json) {
        nlohmann::ordered_json out{{"benchmark", "operators"},
                                   {"device", device.name},
                                   {"count", opa->count},
                                   {"seed", opa->seed},
                                   {"wall_s", wall},
                                   {"simulated_s", total.to_seconds()},
                                   {"operators_per_s", static_cast<double>(opa->count) / wall},
                                   {"events", events},
                                   {"inexact", inexact},
                                   {"peak_rss_bytes", sim::peak_rss_bytes()}};
        std::cout << out.dump() << "\n";
      } else {
        fmt::print("{} random operators on {}: simulated {:.6g} s in total, {} events, wall {:.3f} s\n", opa->count,
                   device.name, total.to_seconds(), events, wall);
      }
      return kExitOk;
    };
  });
}

}  // namespace app
