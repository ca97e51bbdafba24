// Python face of the search layer: spaces (genomes as numpy uint8 arrays), evaluation,
// NSGA-II and random search with a pluggable accuracy objective (a Python callable among
// them), expected latency and its gradient, Pareto utilities, HDF5 results.

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <optional>

#include "bindings/bindings.hpp"
#include "bindings/seed.hpp"
#include "models/search/expected_latency.hpp"
#include "models/search/pareto.hpp"
#include "models/search/results.hpp"
#include "models/search/search.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "sim/version.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

namespace acc = models::accelerator;
namespace cost = models::cost;
namespace ms = models::search;

using U64List = std::optional<std::vector<std::uint64_t>>;
using GenomeArray = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Library errors are bad arguments on the Python side.
template <class F>
auto checked(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

acc::DataType dtype_of(const std::string& name) { return sim::parse_enum<acc::DataType>(name, "dtype"); }

acc::Device device_of(const py::object& device) {
  if (py::isinstance<acc::Device>(device)) return device.cast<acc::Device>();
  try {
    return scenarios::device_from_spec(device.cast<std::string>(), "device");
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

ms::SearchSpace make_space(const std::string& name, const std::optional<std::vector<std::string>>& precision,
                           U64List layers, U64List heads, U64List d_model, U64List d_ff, U64List seq, U64List kv_len,
                           const std::optional<std::string>& workload) {
  return checked([&] {
    const auto kind = sim::parse_enum<ms::SpaceKind>(name, "space");
    ms::SearchSpace space;
    if (kind == ms::SpaceKind::llm) {
      ms::LlmChoices c;
      for (auto [to, from] : {std::pair{&c.layers, &layers},
                              {&c.heads, &heads},
                              {&c.d_model, &d_model},
                              {&c.d_ff, &d_ff},
                              {&c.seq, &seq},
                              {&c.kv_len, &kv_len}}) {
        if (*from) *to = **from;
      }
      if (workload) c.workload = sim::parse_enum<ms::Workload>(*workload, "workload");
      space = ms::SearchSpace::llm(c);
    } else {
      if (layers || heads || d_model || d_ff || seq || kv_len || workload) {
        throw std::invalid_argument(
            "layers, heads, d_model, d_ff, seq, kv_len and workload apply to the llm space only");
      }
      space = ms::SearchSpace::cnn(*cost::parse_space(name));
    }
    if (precision) {
      std::vector<acc::DataType> types;
      for (const auto& t : *precision) types.push_back(dtype_of(t));
      space = space.with_precision(types);
    }
    return space;
  });
}

py::array_t<std::uint8_t> to_array(const ms::SearchSpace& space, const std::vector<ms::Genome>& genomes) {
  const auto n = static_cast<py::ssize_t>(genomes.size()), m = static_cast<py::ssize_t>(space.gene_count());
  py::array_t<std::uint8_t> out({n, m});
  auto* data = out.mutable_data();
  for (std::size_t i = 0; i < genomes.size(); ++i)
    std::copy(genomes[i].begin(), genomes[i].end(), data + i * space.gene_count());
  return out;
}

std::vector<ms::Genome> from_array(const ms::SearchSpace& space, const GenomeArray& a) {
  if (a.ndim() != 2 || static_cast<std::size_t>(a.shape(1)) != space.gene_count()) {
    throw py::value_error("genomes: expected a uint8 array of shape (n, " + std::to_string(space.gene_count()) + ")");
  }
  std::vector<ms::Genome> out(static_cast<std::size_t>(a.shape(0)));
  const auto* data = a.data();
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].assign(data + i * space.gene_count(), data + (i + 1) * space.gene_count());
    checked([&] {
      space.check(out[i]);
      return 0;
    });
    space.canonicalize(out[i]);
  }
  return out;
}

// The objective: a name ("proxy", "macs", "params", "csv:FILE:COLUMN") or a callable taking
// the batch's architecture strings (and precision strings when precision is searched).
ms::Objective objective_of(const ms::SearchSpace& space, const py::object& objective, const std::string& name) {
  if (py::isinstance<py::str>(objective))
    return checked([&] { return ms::parse_objective(objective.cast<std::string>(), space); });
  if (!PyCallable_Check(objective.ptr())) throw py::type_error("objective: expected a name or a callable");
  ms::Objective o;
  o.kind = ms::ObjectiveKind::callback;
  o.name = name;
  const bool precision = space.precision_layers() > 0;
  py::function f = objective;
  o.callback = [f, space, precision](std::span<const ms::Genome> genomes, std::span<double> out) {
    py::gil_scoped_acquire gil;
    py::list archs, precisions;
    for (const auto& g : genomes) {
      archs.append(space.format(g));
      if (precision) precisions.append(space.format_precision(g));
    }
    const py::object result = precision ? f(archs, precisions) : f(archs);
    const auto values = result.cast<std::vector<double>>();
    if (values.size() != out.size()) {
      throw py::value_error("objective: the callable returned " + std::to_string(values.size()) + " values for " +
                            std::to_string(out.size()) + " architectures");
    }
    std::copy(values.begin(), values.end(), out.begin());
  };
  return o;
}

struct PyEvaluator {
  std::shared_ptr<ms::Evaluator> evaluator;
};

PyEvaluator make_evaluator(const ms::SearchSpace& space, const cost::CostModel& model, const py::object& objective,
                           const std::string& objective_name, std::optional<std::uint64_t> batch,
                           const std::string& dtype, bool energy, bool memory, const py::object& device) {
  ms::EvaluatorOptions o;
  o.batch = batch.value_or(0);
  o.dtype = dtype_of(dtype);
  o.energy = energy;
  o.memory = memory;
  if (!device.is_none()) o.device = device_of(device);
  auto obj = objective_of(space, objective, objective_name);
  return {checked([&] { return std::make_shared<ms::Evaluator>(space, model, std::move(obj), o); })};
}

py::dict columns(const ms::Evaluator& ev, const ms::SearchResult& r, const std::vector<std::size_t>& rows,
                 bool everything) {
  const auto& space = ev.space();
  py::list arch, precision;
  const auto n = static_cast<py::ssize_t>(rows.size());
  py::array_t<double> latency(n), value(n), energy(n), memory(n), violation(n);
  py::array_t<std::int64_t> index(n), feasible(n), on_front(n), generation(n);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& p = r.evaluated[rows[k]];
    arch.append(space.format(p.genome));
    if (space.precision_layers()) precision.append(space.format_precision(p.genome));
    latency.mutable_data()[k] = p.metrics.latency_ms;
    value.mutable_data()[k] = p.metrics.accuracy;
    energy.mutable_data()[k] = p.metrics.energy_mj;
    memory.mutable_data()[k] = p.metrics.memory_bytes;
    violation.mutable_data()[k] = p.violation;
    index.mutable_data()[k] = static_cast<std::int64_t>(rows[k]);
    feasible.mutable_data()[k] = p.violation > 0 ? 0 : 1;
    on_front.mutable_data()[k] = p.on_front;
    generation.mutable_data()[k] = p.generation;
  }
  py::dict d;
  d["arch"] = arch;
  if (space.precision_layers()) d["precision"] = precision;
  d["latency_ms"] = latency;
  d[py::str(ms::objective_column(ev.objective()))] = value;
  if (ev.options().energy) d["energy_mj"] = energy;
  if (ev.options().memory) d["memory_bytes"] = memory;
  if (!everything) {
    d["evaluation"] = index;
    return d;
  }
  d["violation"] = violation;
  d["feasible"] = feasible;
  d["on_front"] = on_front;
  d["generation"] = generation;
  return d;
}

struct PyResult {
  std::shared_ptr<ms::Evaluator> evaluator;
  ms::SearchOptions options;
  ms::SearchResult result;
  py::dict provenance;
};

}  // namespace

void bind_search(py::module_& m) {
  py::module_ s = m.def_submodule("search", "hardware-aware architecture search on the cost models");

  py::class_<ms::SearchSpace>(s, "Space", "A search space: genes, their choices, strings and operator lists")
      .def(py::init(&make_space), py::arg("name"), py::arg("precision") = py::none(), py::arg("layers") = py::none(),
           py::arg("heads") = py::none(), py::arg("d_model") = py::none(), py::arg("d_ff") = py::none(),
           py::arg("seq") = py::none(), py::arg("kv_len") = py::none(), py::arg("workload") = py::none(),
           "nb201, fbnet, ofa-mbv3 or llm (its value lists: layers, heads, d_model, d_ff, seq, kv_len; workload serve, "
           "prefill or decode); precision: data types searched per layer, e.g. ['int8', 'fp16', 'bf16']")
      .def_property_readonly("name", [](const ms::SearchSpace& sp) { return std::string(sp.name()); })
      .def_property_readonly("gene_count", &ms::SearchSpace::gene_count)
      .def_property_readonly("arch_gene_count", &ms::SearchSpace::arch_gene_count)
      .def_property_readonly("precision_layers", &ms::SearchSpace::precision_layers)
      .def_property_readonly("cardinality", &ms::SearchSpace::cardinality, "distinct architectures (a float)")
      .def_property_readonly(
          "genes",
          [](const ms::SearchSpace& sp) {
            py::list out;
            for (const auto& g : sp.genes()) out.append(py::make_tuple(g.name, g.labels));
            return out;
          },
          "(name, choice labels) of each gene")
      .def(
          "enumerate",
          [](const ms::SearchSpace& sp, double limit) {
            std::vector<ms::Genome> all;
            checked([&] {
              sp.enumerate([&](const ms::Genome& g) { all.push_back(g); }, limit);
              return 0;
            });
            return to_array(sp, all);
          },
          py::arg("limit") = 1e7, "every architecture as a uint8 array (n, gene_count), if there are at most `limit`")
      .def(
          "sample",
          [](const ms::SearchSpace& sp, std::size_t count, const py::object& seed) {
            sim::RandomStream rng(seed_from(seed, "seed"), 0x5a3b1e);
            std::vector<ms::Genome> out;
            for (std::size_t i = 0; i < count; ++i) out.push_back(sp.random(rng));
            return to_array(sp, out);
          },
          py::arg("count"), py::arg("seed") = 1, "uniformly random architectures (each gene uniform), seeded")
      .def(
          "encode",
          [](const ms::SearchSpace& sp, const std::vector<std::string>& archs,
             std::optional<std::vector<std::string>> precisions) {
            if (precisions && precisions->size() != archs.size())
              throw py::value_error("encode: one precision string per architecture");
            std::vector<ms::Genome> out;
            for (std::size_t i = 0; i < archs.size(); ++i) {
              try {
                out.push_back(sp.parse(archs[i], precisions ? (*precisions)[i] : std::string{}));
              } catch (const std::invalid_argument& e) {
                throw py::value_error("architecture " + std::to_string(i) + ": " + e.what());
              }
            }
            return to_array(sp, out);
          },
          py::arg("archs"), py::arg("precisions") = py::none(), "architecture (and precision) strings -> genomes")
      .def(
          "decode",
          [](const ms::SearchSpace& sp, const GenomeArray& a) {
            std::vector<std::string> out;
            for (const auto& g : from_array(sp, a)) out.push_back(sp.format(g));
            return out;
          },
          py::arg("genomes"), "genomes -> architecture strings")
      .def(
          "decode_precision",
          [](const ms::SearchSpace& sp, const GenomeArray& a) {
            std::vector<std::string> out;
            for (const auto& g : from_array(sp, a)) out.push_back(sp.format_precision(g));
            return out;
          },
          py::arg("genomes"), "genomes -> precision strings (empty without precision genes)")
      .def(
          "operators",
          [](const ms::SearchSpace& sp, const std::string& arch, const std::string& precision, std::uint64_t batch,
             const std::string& dtype) {
            const auto net = checked([&] { return sp.network(sp.parse(arch, precision), batch, dtype_of(dtype)); });
            py::list out;
            for (const auto& op : net) {
              const auto b = acc::operand_bytes(op);
              py::dict d;
              d["name"] = op.name;
              d["kind"] = std::string(acc::kind_name(op));
              d["dtype"] = std::string(acc::data_type_name(op.dtype));
              d["ops"] = acc::op_count(op);
              d["input_bytes"] = b.input;
              d["weight_bytes"] = b.weight;
              d["output_bytes"] = b.output;
              out.append(d);
            }
            return out;
          },
          py::arg("arch"), py::arg("precision") = "", py::arg("batch") = 1, py::arg("dtype") = "bf16",
          "the operator list of an architecture, each in its layer's data type (dtype elsewhere)")
      .def("__repr__", [](const ms::SearchSpace& sp) {
        return "<search.Space " + std::string(sp.name()) + ", " + std::to_string(sp.gene_count()) + " genes>";
      });

  py::class_<PyEvaluator>(s, "Evaluator", "Prices genomes: latency, the objective, energy and memory")
      .def(py::init(&make_evaluator), py::arg("space"), py::arg("model"), py::arg("objective") = "proxy",
           py::arg("objective_name") = "accuracy", py::arg("batch") = py::none(), py::arg("dtype") = "bf16",
           py::arg("energy") = false, py::arg("memory") = false, py::arg("device") = py::none())
      .def_property_readonly("batch", [](const PyEvaluator& e) { return e.evaluator->batch(); })
      .def_property_readonly("objective",
                             [](const PyEvaluator& e) { return ms::objective_column(e.evaluator->objective()); })
      .def(
          "evaluate",
          [](const PyEvaluator& e, const GenomeArray& a) {
            const auto genomes = from_array(e.evaluator->space(), a);
            std::vector<ms::Metrics> metrics(genomes.size());
            {
              std::optional<py::gil_scoped_release> release;
              if (e.evaluator->objective().kind != ms::ObjectiveKind::callback) release.emplace();
              checked([&] {
                e.evaluator->evaluate(genomes, metrics);
                return 0;
              });
            }
            const auto n = static_cast<py::ssize_t>(genomes.size());
            py::array_t<double> latency(n), value(n), energy(n), memory(n);
            for (std::size_t i = 0; i < genomes.size(); ++i) {
              latency.mutable_data()[i] = metrics[i].latency_ms;
              value.mutable_data()[i] = metrics[i].accuracy;
              energy.mutable_data()[i] = metrics[i].energy_mj;
              memory.mutable_data()[i] = metrics[i].memory_bytes;
            }
            py::dict d;
            d["latency_ms"] = latency;
            d[py::str(ms::objective_column(e.evaluator->objective()))] = value;
            if (e.evaluator->options().energy) d["energy_mj"] = energy;
            if (e.evaluator->options().memory) d["memory_bytes"] = memory;
            return d;
          },
          py::arg("genomes"), "a dict of numpy arrays: latency_ms, the objective's column, energy_mj, memory_bytes");

  py::class_<PyResult>(s, "SearchResult", "Every evaluated architecture and the Pareto front")
      .def_property_readonly("front",
                             [](const PyResult& r) { return columns(*r.evaluator, r.result, r.result.front, false); })
      .def_property_readonly("evaluated",
                             [](const PyResult& r) {
                               std::vector<std::size_t> all(r.result.evaluated.size());
                               for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
                               return columns(*r.evaluator, r.result, all, true);
                             })
      .def_property_readonly(
          "genomes",
          [](const PyResult& r) {
            std::vector<ms::Genome> g;
            for (const auto& p : r.result.evaluated) g.push_back(p.genome);
            return to_array(r.evaluator->space(), g);
          },
          "the evaluated genomes, in evaluation order")
      .def_property_readonly("front_indices", [](const PyResult& r) { return r.result.front; })
      .def_property_readonly("generations", [](const PyResult& r) { return r.result.generations; })
      .def_property_readonly("exhausted", [](const PyResult& r) { return r.result.exhausted; })
      .def(
          "check_measured",
          [](const PyResult& r, const std::filesystem::path& table, const std::string& column) {
            const double budget = r.options.constraints.latency_ms.value_or(std::numeric_limits<double>::infinity());
            const auto c =
                checked([&] { return ms::check_measured(r.evaluator->space(), r.result, table, column, budget); });
            py::dict d;
            d["front_rows"] = c.front_rows;
            d["front_under_budget"] = c.front_under;
            d["feasible_rows"] = c.feasible_rows;
            d["feasible_under_budget"] = c.feasible_under;
            return d;
          },
          py::arg("table"), py::arg("column"),
          "how many front and feasible architectures a measured table holds, and how many it measures under the budget")
      .def(
          "save",
          [](const PyResult& r, const std::filesystem::path& path, std::optional<std::filesystem::path> measured,
             std::optional<std::string> column) {
            std::optional<ms::MeasuredCheck> check;
            const double budget = r.options.constraints.latency_ms.value_or(std::numeric_limits<double>::infinity());
            if (measured && column) {
              check = checked(
                  [&] { return ms::check_measured(r.evaluator->space(), r.result, *measured, *column, budget); });
            } else if (measured || column) {
              throw py::value_error("save: give both measured and column, or neither");
            }
            const auto provenance =
                nlohmann::json::parse(py::module_::import("json").attr("dumps")(r.provenance).cast<std::string>());
            checked([&] {
              ms::write_results(path, *r.evaluator, r.options, r.result, provenance, check);
              return 0;
            });
          },
          py::arg("path"), py::arg("measured") = py::none(), py::arg("column") = py::none(),
          "HDF5 results in the layout of `simfabric search -o` (simfabric.analysis reads them)");

  s.def(
      "run",
      [](const PyEvaluator& e, std::optional<double> budget_ms, const std::string& algorithm, std::size_t evaluations,
         std::size_t population, const py::object& seed, double crossover, double mutation,
         std::optional<double> energy_mj, std::optional<double> memory_bytes, const std::vector<std::string>& minimize,
         const py::object& progress, const py::dict& provenance) {
        PyResult r;
        r.evaluator = e.evaluator;
        r.provenance = provenance;
        auto& o = r.options;
        checked([&] {
          o.algorithm = sim::parse_enum<ms::Algorithm>(algorithm, "algorithm");
          for (const auto& g : minimize) {
            const auto goal = sim::parse_enum<ms::Goal>(g, "goal");
            if (goal != ms::Goal::energy && goal != ms::Goal::memory)
              throw std::invalid_argument("minimize: expected energy or memory");
            o.goals.push_back(goal);
          }
          return 0;
        });
        o.evaluations = evaluations;
        o.population = population;
        o.seed = seed_from(seed, "seed");
        o.crossover = crossover;
        o.mutation = mutation;
        o.constraints.latency_ms = budget_ms;
        o.constraints.energy_mj = energy_mj;
        o.constraints.memory_bytes = memory_bytes;
        if (!progress.is_none()) {
          py::function f = progress;
          o.progress = [f](std::size_t done, std::size_t total) {
            py::gil_scoped_acquire gil;
            f(done, total);
          };
        }
        // Python is only called back from this thread; without callbacks the GIL is let go.
        const bool calls_python = e.evaluator->objective().kind == ms::ObjectiveKind::callback || !progress.is_none();
        std::optional<py::gil_scoped_release> release;
        if (!calls_python) release.emplace();
        r.result = checked([&] { return ms::run_search(*e.evaluator, o); });
        return r;
      },
      py::arg("evaluator"), py::arg("budget_ms") = py::none(), py::arg("algorithm") = "nsga2",
      py::arg("evaluations") = 1000, py::arg("population") = 50, py::arg("seed") = 1, py::arg("crossover") = 0.9,
      py::arg("mutation") = 0.0, py::arg("energy_mj") = py::none(), py::arg("memory_bytes") = py::none(),
      py::arg("minimize") = std::vector<std::string>{}, py::arg("progress") = py::none(),
      py::arg("provenance") = py::dict(),
      "NSGA-II or random search; every architecture on the front is under every limit by the estimator");

  s.def(
      "expected_latency",
      [](const cost::CostModel& model, const DoubleArray& probs, const std::optional<DoubleArray>& resolution,
         bool gradient) {
        const auto* sm = std::get_if<cost::SpaceModel>(&model.model);
        if (!sm) throw py::value_error("expected_latency needs a space model (a lookup table, from calibrate)");
        const auto slots = static_cast<py::ssize_t>(cost::slot_count(sm->space));
        const auto choices = static_cast<py::ssize_t>(cost::choice_count(sm->space));
        const bool single = probs.ndim() == 2;
        if (!(probs.ndim() == 3 || single) || probs.shape(probs.ndim() - 2) != slots ||
            probs.shape(probs.ndim() - 1) != choices) {
          throw py::value_error("probs: expected shape (n, " + std::to_string(slots) + ", " + std::to_string(choices) +
                                ") or (" + std::to_string(slots) + ", " + std::to_string(choices) + ") for the " +
                                std::string(cost::space_name(sm->space)) + " space");
        }
        const py::ssize_t n = single ? 1 : probs.shape(0);
        std::vector<double> res;
        if (resolution) res.assign(resolution->data(), resolution->data() + resolution->size());
        if (res.size() == 1 && n > 1) res.assign(static_cast<std::size_t>(n), res[0]);
        py::array_t<double> value(n);
        py::array_t<double> grad(std::vector<py::ssize_t>(probs.shape(), probs.shape() + probs.ndim()));
        {
          py::gil_scoped_release release;
          checked([&] {
            ms::expected_latency(
                *sm, std::span(probs.data(), static_cast<std::size_t>(probs.size())), res,
                std::span(value.mutable_data(), static_cast<std::size_t>(n)),
                gradient ? std::span(grad.mutable_data(), static_cast<std::size_t>(grad.size())) : std::span<double>{});
            return 0;
          });
        }
        py::object v = single ? py::object(py::float_(value.data()[0])) : py::object(value);
        if (!gradient) return v;
        return py::object(py::make_tuple(v, grad));
      },
      py::arg("model"), py::arg("probs"), py::arg("resolution") = py::none(), py::arg("gradient") = true,
      "E[latency] (ms) of per-slot choice distributions and its gradient with respect to them");

  s.def(
      "pareto_front",
      [](const DoubleArray& values) {
        if (values.ndim() != 2) throw py::value_error("values: expected an array (n, m) of minimised objectives");
        return checked([&] {
          return ms::pareto_front(std::span(values.data(), static_cast<std::size_t>(values.size())),
                                  static_cast<std::size_t>(values.shape(1)));
        });
      },
      py::arg("values"), "indices of the non-dominated rows (every objective minimised)");
  s.def(
      "coverage",
      [](const DoubleArray& found, const DoubleArray& reference, double tolerance) {
        if (found.ndim() != 2 || reference.ndim() != 2 || found.shape(1) != reference.shape(1)) {
          throw py::value_error("coverage: expected two arrays (n, m) with the same m");
        }
        return checked([&] {
          return ms::coverage(std::span(found.data(), static_cast<std::size_t>(found.size())),
                              std::span(reference.data(), static_cast<std::size_t>(reference.size())),
                              static_cast<std::size_t>(reference.shape(1)), tolerance);
        });
      },
      py::arg("found"), py::arg("reference"), py::arg("tolerance") = 0.0,
      "share of the reference points some found point equals or dominates, within tolerance x each objective's range");
  s.def(
      "hypervolume",
      [](const DoubleArray& values, std::array<double, 2> reference) {
        if (values.ndim() != 2 || values.shape(1) != 2) throw py::value_error("hypervolume: expected an array (n, 2)");
        return checked([&] {
          return ms::hypervolume_2d(std::span(values.data(), static_cast<std::size_t>(values.size())),
                                    std::span<const double, 2>(reference));
        });
      },
      py::arg("values"), py::arg("reference"),
      "area dominated by two-objective points (minimised) up to the reference point");
}

}  // namespace bindings
