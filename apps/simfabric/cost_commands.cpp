// `simfabric calibrate`, `simfabric estimate` and `simfabric bench estimate`: cost models
// of architecture spaces from measured latency tables, and latency without hardware.

#include <fmt/format.h>
#include <tbb/global_control.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "apps/simfabric/commands.hpp"
#include "apps/simfabric/file_options.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/cost/calibrate.hpp"
#include "models/cost/model_file.hpp"
#include "models/cost/space_model.hpp"
#include "scenarios/device_columns.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "scenarios/sweep_progress.hpp"
#include "sim/random.hpp"
#include "sim/version.hpp"

namespace app {

namespace {

namespace acc = models::accelerator;
namespace cost = models::cost;

acc::Device device_from(const std::string& option, const std::string& spec) {
  for (const auto& name : acc::preset_names()) {
    if (name == spec) return acc::preset(spec);
  }
  if (std::filesystem::is_regular_file(spec)) return scenarios::load_device_file(spec);
  std::string known;
  for (const auto& name : acc::preset_names()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument(option + ": no preset or device file '" + spec + "'; presets: " + known);
}

std::optional<cost::Space> space_option(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const auto space = cost::parse_space(text);
  if (!space) throw std::invalid_argument("--space: expected nb201, fbnet or ofa-mbv3, got '" + text + "'");
  return space;
}

nlohmann::json report_json(const cost::ErrorReport& r) { return cost::to_json(r); }

void print_report(const cost::ErrorReport& r) {
  if (r.rows == 0) {
    fmt::print("  no held-out rows\n");
    return;
  }
  fmt::print(
      "  held-out rows {}: Spearman {:.4f}, Kendall {:.4f}, R^2 {:.4f}, MAPE {:.2f}%, RMSPE {:.2f}%, "
      "within 10% {:.1f}%, budget {:.1f}%\n",
      r.rows, r.spearman, r.kendall, r.r2, 100 * r.mape, 100 * r.rmspe, 100 * r.within_10pct, 100 * r.budget_accuracy);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct CalibrateArgs {
  std::string space, measured, column, output, prior_device = "none";
  std::string devices_map = "scenarios/devices/columns.toml";
  std::vector<std::string> other_columns;
  std::size_t train = 100;
  std::string shuffle;
  std::optional<std::size_t> test_from;
  std::size_t prior_archs = 0;
  bool no_other_columns = false, json = false, quiet = false, output_given = false;
};

int run_calibrate(const CalibrateArgs& a) {
  const auto table = cost::read_latency_table(a.measured, space_option(a.space));
  (void)table.column_ms(a.column);  // an unknown column fails before any simulation
  const std::string output = a.output_given ? checked_output(a.output, {a.measured, a.devices_map}) : "";
  const std::optional<std::uint64_t> shuffle = seed_value(a.shuffle);
  cost::CalibrationOptions o;
  o.column = a.column;
  o.train = a.train;
  o.shuffle_seed = shuffle;
  o.test_from = a.test_from;
  o.use_other_columns = !a.no_other_columns;
  o.other_columns = a.other_columns;
  for (const auto& c : o.other_columns) (void)table.column_ms(c);
  const std::uint64_t batch = cost::column_batch(a.column);
  std::string prior_device = a.prior_device;
  acc::DataType prior_dtype = acc::DataType::fp32;
  if (prior_device == "auto") {
    const auto entry = scenarios::device_for_column(a.devices_map, a.column);
    if (!entry) {
      throw std::invalid_argument("--prior-device auto: " + a.devices_map + " maps no device to column " + a.column);
    }
    prior_device = entry->device_file.string();
    prior_dtype = entry->dtype;
  }
  if (prior_device != "none") {
    const acc::Device device = device_from("--prior-device", prior_device);
    const std::size_t count = a.prior_archs ? a.prior_archs : 3 * cost::feature_count(table.space);
    scenarios::SweepProgress progress(count, 0, !a.quiet && !a.json);
    o.prior = cost::simulated_prior(device, table.space, batch, count, /*seed=*/1, prior_dtype,
                                    [&progress](std::size_t, std::size_t) { progress.point_done(true); });
    progress.finish();
  }
  const auto cal = cost::calibrate(table, o);
  cost::CostModel model;
  model.model = cal.model;
  model.report = cal.report;
  model.provenance =
      nlohmann::ordered_json{{"simfabric_version", sim::kVersion},
                             {"command", "calibrate"},
                             {"measured", a.measured},
                             {"column", a.column},
                             {"space", cost::space_name(table.space)},
                             {"train", a.train},
                             {"shuffle_seed", shuffle ? nlohmann::json(*shuffle) : nlohmann::json()},
                             {"test_from", a.test_from ? nlohmann::json(*a.test_from) : nlohmann::json()},
                             {"prior_device", prior_device}};
  if (!output.empty()) cost::save_cost_model(output, model);
  if (a.json) {
    nlohmann::ordered_json out{{"command", "calibrate"},
                               {"space", cost::space_name(table.space)},
                               {"column", a.column},
                               {"train", cal.train_rows.size()},
                               {"test", cal.test_rows.size()},
                               {"method", cal.model.method["chosen"]},
                               {"report", report_json(cal.report)}};
    if (!a.output.empty()) out["output"] = a.output;
    std::cout << out.dump() << "\n";
  } else {
    fmt::print("calibrated {} on {} ({} space): {} training rows, model: {}\n", a.column, a.measured,
               cost::space_name(table.space), cal.train_rows.size(), cal.model.method["chosen"].get<std::string>());
    print_report(cal.report);
    if (!a.output.empty()) fmt::print("model written to {}\n", a.output);
  }
  return kExitOk;
}

struct EstimateArgs {
  std::string model, input, output, space, arch, dtype = "fp32";
  std::uint64_t batch = 0;  // 0: the model's own batch (space models), else 1
  bool stats = false, json = false, output_given = false;
};

// Latency (ms) of architectures under either kind of model.
std::vector<double> price(const cost::CostModel& model, std::span<const cost::Arch> archs, std::uint64_t batch,
                          acc::DataType dtype) {
  std::vector<double> out(archs.size());
  if (const auto* m = std::get_if<cost::SpaceModel>(&model.model)) {
    if (batch != 0 && batch != m->batch) {
      throw std::invalid_argument("--batch " + std::to_string(batch) + ": the model prices batch " +
                                  std::to_string(m->batch) + " only");
    }
    cost::predict_ms(*m, archs, out);
    return out;
  }
  const auto& m = std::get<cost::OperatorModel>(model.model);
  for (std::size_t i = 0; i < archs.size(); ++i) {
    out[i] = 1e3 * cost::predict_network_s(m, cost::to_network(archs[i], batch ? batch : 1, dtype));
  }
  return out;
}

int run_estimate(const EstimateArgs& a) {
  std::string output;
  if (!a.input.empty()) {
    if (!a.output_given) throw std::invalid_argument("-o OUT.csv is needed with --input");
    output = checked_output(a.output, {a.input, a.model});
  }
  const cost::CostModel model = cost::load_cost_model(a.model);
  auto space = space_option(a.space);
  if (const auto* m = std::get_if<cost::SpaceModel>(&model.model)) {
    if (space && *space != m->space) {
      throw std::invalid_argument("--space " + a.space + ": the model prices the " +
                                  std::string(cost::space_name(m->space)) + " space");
    }
    space = m->space;
  }
  const auto dtype = sim::parse_enum<acc::DataType>(a.dtype, "data type (--dtype)");
  if (a.arch.empty() == a.input.empty()) throw std::invalid_argument("give exactly one of --arch STR or --input CSV");

  if (!a.arch.empty()) {
    if (!space) throw std::invalid_argument("--space is needed with --arch and an operator model");
    const cost::Arch arch = cost::parse_arch(*space, a.arch);
    const double ms = price(model, std::span(&arch, 1), a.batch, dtype)[0];
    nlohmann::ordered_json out{{"space", cost::space_name(*space)}, {"arch", a.arch}, {"predicted_ms", ms}};
    if (a.stats) {
      const auto s = cost::network_stats(cost::to_network(arch, a.batch ? a.batch : 1, dtype));
      out["macs"] = s.macs;
      out["params"] = s.params;
      out["peak_activation_bytes"] = s.peak_activation_bytes;
    }
    if (a.json) {
      std::cout << out.dump() << "\n";
    } else {
      fmt::print("{:.6g} ms\n", ms);
    }
    return kExitOk;
  }

  auto table = cost::read_latency_table(a.input, space);
  const auto predicted = price(model, table.archs, a.batch, dtype);
  auto& csv = table.csv;
  const auto add_column = [&csv](const std::string& name) {
    const auto it = std::find(csv.header.begin(), csv.header.end(), name);
    if (it != csv.header.end()) return static_cast<std::size_t>(it - csv.header.begin());
    csv.header.push_back(name);
    for (auto& row : csv.rows) row.emplace_back();
    return csv.header.size() - 1;
  };
  const std::size_t col = add_column("predicted_ms");
  for (std::size_t r = 0; r < csv.rows.size(); ++r) csv.rows[r][col] = fmt::format("{:.6g}", predicted[r]);
  if (a.stats) {
    const std::size_t macs = add_column("macs"), params = add_column("params"),
                      peak = add_column("peak_activation_bytes");
    for (std::size_t r = 0; r < csv.rows.size(); ++r) {
      const auto s = cost::network_stats(cost::to_network(table.archs[r], a.batch ? a.batch : 1, dtype));
      csv.rows[r][macs] = std::to_string(s.macs);
      csv.rows[r][params] = std::to_string(s.params);
      csv.rows[r][peak] = std::to_string(s.peak_activation_bytes);
    }
  }
  cost::write_csv(output, csv);
  if (a.json) {
    std::cout << nlohmann::ordered_json{{"rows", csv.rows.size()}, {"output", a.output}}.dump() << "\n";
  } else {
    fmt::print("{} architectures priced, written to {}\n", csv.rows.size(), a.output);
  }
  return kExitOk;
}

struct BenchEstimateArgs {
  std::string space = "nb201", model;
  std::size_t count = 1'000'000;
  int repeat = 5;
  bool json = false;
};

int run_bench_estimate(const BenchEstimateArgs& a) {
  const auto space = *space_option(a.space);
  cost::SpaceModel model;
  std::string source = "lookup table with random weights";
  if (!a.model.empty()) {
    const auto file = cost::load_cost_model(a.model);
    const auto* m = std::get_if<cost::SpaceModel>(&file.model);
    if (!m) throw std::invalid_argument("--model: bench estimate measures space models (from calibrate)");
    if (m->space != space) throw std::invalid_argument("--model: the model prices another space");
    model = *m;
    source = a.model;
  } else {
    // Speed does not depend on the weights' values.
    sim::RandomStream rng(1, 0xbe9c);
    model.space = space;
    for (std::size_t i = 0; i < cost::feature_count(space); ++i) model.weights_ms.push_back(rng.uniform(0.0, 1.0));
  }
  const auto archs = cost::random_archs(space, a.count, /*seed=*/1);
  std::vector<double> out(archs.size());
  double best = 1e300;
  const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  for (int i = 0; i < a.repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    cost::predict_ms(model, archs, out);
    best = std::min(best, seconds_since(start));
  }
  double checksum = 0;
  for (double v : out) checksum += v;
  const double rate = static_cast<double>(a.count) / best;
  if (a.json) {
    std::cout << nlohmann::ordered_json{{"benchmark", "estimate"},
                                        {"space", cost::space_name(space)},
                                        {"model", source},
                                        {"count", a.count},
                                        {"threads", 1},
                                        {"wall_s", best},
                                        {"estimates_per_second", rate},
                                        {"checksum_ms", checksum}}
                     .dump()
              << "\n";
  } else {
    fmt::print("{} estimates of {} architectures on one thread: {:.3f} s, {:.3g} estimates/s\n", a.count,
               cost::space_name(space), best, rate);
  }
  return kExitOk;
}

}  // namespace

void add_cost_commands(CLI::App& app, Action& action) {
  auto cal = std::make_shared<CalibrateArgs>();
  CLI::App* c = app.add_subcommand("calibrate", "Fit a space cost model on measured latencies (few rows suffice)");
  c->add_option("--space", cal->space, "nb201, fbnet or ofa-mbv3 (default: told by the table's columns)");
  c->add_option("--measured", cal->measured, "latency table CSV (data/latency/ format)")->required();
  c->add_option("--column", cal->column, "the device column to model, e.g. titan_rtx_1")->required();
  c->add_option("--train", cal->train, "training rows (the first N, or a seeded sample with --shuffle)")
      ->check(CLI::PositiveNumber);
  c->add_option("--shuffle", cal->shuffle, "draw the training rows at random with this seed (0 to 2^63-1)")
      ->check(seed_number());
  c->add_option("--test-from", cal->test_from, "hold out rows from this index on (0-based); report on them only");
  c->add_option("--other-columns", cal->other_columns, "device columns used as priors (default: all others)")
      ->delimiter(',');
  c->add_flag("--no-other-columns", cal->no_other_columns, "use no other device column as a prior");
  c->add_option("--prior-device", cal->prior_device,
                "simulate this preset or device file as a prior; 'auto': the column's device in --devices-map; "
                "'none' (default): no simulation");
  c->add_option("--devices-map", cal->devices_map, "column -> device file mapping for --prior-device auto")
      ->capture_default_str();
  c->add_option("--prior-archs", cal->prior_archs, "architectures simulated for the prior (default 3 per feature)");
  CLI::Option* cal_output = c->add_option("-o,--output", cal->output, "model file to write (JSON)");
  c->add_flag("--quiet", cal->quiet, "no progress bar");
  c->add_flag("--json", cal->json, "print one JSON object");
  c->callback([cal, cal_output, &action] {
    cal->output_given = cal_output->count() > 0;
    action = [cal] { return run_calibrate(*cal); };
  });

  auto est = std::make_shared<EstimateArgs>();
  CLI::App* e = app.add_subcommand("estimate", "Latency of architectures from a cost model, without hardware");
  e->add_option("--model", est->model, "cost model file (from calibrate or fit)")->required();
  e->add_option("--input", est->input, "CSV of architectures (data/latency/ formats, or an `arch` column)");
  CLI::Option* est_output =
      e->add_option("-o,--output", est->output, "CSV to write: the input rows with predicted_ms added");
  e->add_option("--arch", est->arch, "one architecture string instead of --input");
  e->add_option("--space", est->space, "nb201, fbnet or ofa-mbv3 (default: the model's, or the columns')");
  e->add_option("--batch", est->batch, "batch size (operator models; space models price their own)");
  e->add_option("--dtype", est->dtype, "data type of the network (operator models)");
  e->add_flag("--stats", est->stats, "add macs, params and peak_activation_bytes");
  e->add_flag("--json", est->json, "print one JSON object");
  e->callback([est, est_output, &action] {
    est->output_given = est_output->count() > 0;
    action = [est] { return run_estimate(*est); };
  });

  auto be = std::make_shared<BenchEstimateArgs>();
  CLI::App* bench = app.get_subcommand("bench");
  CLI::App* b = bench->add_subcommand("estimate", "Estimates per second of a space model on one thread");
  b->add_option("--space", be->space, "nb201, fbnet or ofa-mbv3");
  b->add_option("--model", be->model, "space model file (default: a lookup table with random weights)");
  b->add_option("--count", be->count, "architectures priced per run")->check(CLI::PositiveNumber);
  b->add_option("--repeat", be->repeat, "runs; the fastest counts")->check(CLI::PositiveNumber);
  b->add_flag("--json", be->json, "print one JSON object");
  b->callback([be, &action] { action = [be] { return run_bench_estimate(*be); }; });
}

}  // namespace app
