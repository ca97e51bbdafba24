// `simfabric bench network` and `simfabric bench operators`: accelerator simulation speed.

#include <fmt/format.h>
#include <tbb/global_control.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/simfabric/commands.hpp"
#include "bench/hold.hpp"
#include "models/accelerator/sweep.hpp"
#include "scenarios/kinds/accelerator_device.hpp"

namespace app {

namespace {

namespace acc = models::accelerator;

// A preset name, or the path of a device file.
acc::Device device_from(const std::string& spec) {
  for (const auto& name : acc::preset_names()) {
    if (name == spec) return acc::preset(spec);
  }
  if (std::filesystem::exists(spec)) return scenarios::load_device_file(spec);
  std::string known;
  for (const auto& name : acc::preset_names()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument("--device: \"" + spec + "\" is neither a preset (" + known + ") nor a device file");
}

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
    std::uint64_t batch = 1;
    int repeat = 5;
  };
  auto net = std::make_shared<NetworkArgs>();
  CLI::App* network = bench->add_subcommand("network", "Simulate a whole network on an accelerator");
  network->add_option("--model", net->model, "resnet50, mobilenet_v2, mobilenet_v3, transformer_block, llm_decode");
  network->add_option("--batch", net->batch, "batch size")->check(CLI::PositiveNumber);
  network->add_option("--repeat", net->repeat, "runs timed; wall_s is the fastest")->check(CLI::PositiveNumber);
  add_common(network, *net);
  network->callback([net, &action] {
    action = [net] {
      const auto guard = limit_threads(net->threads);
      const acc::Device device = device_from(net->device);
      const auto start_build = std::chrono::steady_clock::now();
      const acc::Network ops = acc::network_by_name(net->model, net->batch);
      const double build_s = seconds_since(start_build);
      double best = 1e300;
      acc::NetworkResult result;
      for (int i = 0; i < net->repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        result = acc::execute_network(device, ops);
        best = std::min(best, seconds_since(start));
      }
      if (net->json) {
        nlohmann::ordered_json out{{"benchmark", "network"},
                                   {"model", net->model},
                                   {"device", device.name},
                                   {"batch", net->batch},
                                   {"operators", ops.size()},
                                   {"wall_s", best},
                                   {"build_s", build_s},
                                   {"simulated_s", result.latency.to_seconds()},
                                   {"ops", result.ops},
                                   {"energy_j", result.energy_pj * 1e-12},
                                   {"events", result.events},
                                   {"exact", result.exact},
                                   {"peak_rss_bytes", bench::peak_rss_bytes()}};
        std::cout << out.dump() << "\n";
      } else {
        fmt::print("{} batch {} on {}: {} operators, simulated {:.6g} s, {:.3g} J, {} events, wall {:.4f} s\n",
                   net->model, net->batch, device.name, ops.size(), result.latency.to_seconds(),
                   result.energy_pj * 1e-12, result.events, best);
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
      const acc::Device device = device_from(opa->device);
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
                                   {"peak_rss_bytes", bench::peak_rss_bytes()}};
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
