// Python face of the cost models: calibrate from measured tables, load and save model
// files, price architectures in batches (numpy in, numpy out), error reports.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <map>

#include "bindings/bindings.hpp"
#include "bindings/seed.hpp"
#include "models/cost/calibrate.hpp"
#include "models/cost/fit_plan.hpp"
#include "models/cost/model_file.hpp"
#include "models/cost/space_model.hpp"
#include "scenarios/device_columns.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "sim/version.hpp"

namespace py = pybind11;

namespace bindings {

namespace {

namespace acc = models::accelerator;
namespace cost = models::cost;

// Encoded architectures: one row per architecture, 22 choice columns then the resolution.
constexpr py::ssize_t kEncodedColumns = 23;

py::object to_python(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

cost::Space space_of(const std::string& name) {
  if (const auto s = cost::parse_space(name)) return *s;
  throw py::value_error("unknown space \"" + name + "\" (expected nb201, fbnet or ofa-mbv3)");
}

std::vector<cost::Arch> parse_all(cost::Space space, const std::vector<std::string>& archs) {
  std::vector<cost::Arch> out;
  out.reserve(archs.size());
  for (std::size_t i = 0; i < archs.size(); ++i) {
    try {
      out.push_back(cost::parse_arch(space, archs[i]));
    } catch (const std::invalid_argument& e) {
      throw py::value_error("architecture " + std::to_string(i) + ": " + e.what());
    }
  }
  return out;
}

py::array_t<std::uint16_t> encode(cost::Space space, const std::vector<std::string>& archs) {
  const auto parsed = parse_all(space, archs);
  py::array_t<std::uint16_t> out({static_cast<py::ssize_t>(parsed.size()), kEncodedColumns});
  auto view = out.mutable_unchecked<2>();
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const auto row = static_cast<py::ssize_t>(i);
    for (py::ssize_t c = 0; c < 22; ++c) view(row, c) = parsed[i].choice[static_cast<std::size_t>(c)];
    view(row, 22) = parsed[i].resolution;
  }
  return out;
}

std::vector<cost::Arch> decode(cost::Space space,
                               const py::array_t<std::uint16_t, py::array::c_style | py::array::forcecast>& a) {
  if (a.ndim() != 2 || a.shape(1) != kEncodedColumns) {
    throw py::value_error("encoded architectures: expected an array of shape (n, 23) from encode()");
  }
  const auto view = a.unchecked<2>();
  std::vector<cost::Arch> out(static_cast<std::size_t>(a.shape(0)));
  const std::size_t slots = cost::slot_count(space), choices = cost::choice_count(space);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto row = static_cast<py::ssize_t>(i);
    out[i].space = space;
    for (std::size_t c = 0; c < 22; ++c) {
      const auto v = view(row, static_cast<py::ssize_t>(c));
      if (c < slots ? v >= choices : v != 0) {
        throw py::value_error("encoded architecture " + std::to_string(i) + ": column " + std::to_string(c) +
                              " holds " + std::to_string(v) + ", not a choice of the " +
                              std::string(cost::space_name(space)) + " space");
      }
      out[i].choice[c] = static_cast<std::uint8_t>(v);
    }
    out[i].resolution = view(row, 22);
    if (space == cost::Space::ofa_mbv3 && (out[i].resolution < 32 || out[i].resolution > 1024)) {
      throw py::value_error("encoded architecture " + std::to_string(i) + ": resolution must be 32..1024");
    }
  }
  return out;
}

const cost::SpaceModel& space_model(const cost::CostModel& m) {
  if (const auto* s = std::get_if<cost::SpaceModel>(&m.model)) return *s;
  throw py::value_error("this is an operator model (from fit); price networks with predict_network_s");
}

py::array_t<double> predict(const cost::CostModel& m, const py::object& archs) {
  const auto& model = space_model(m);
  std::vector<cost::Arch> parsed;
  if (py::isinstance<py::array>(archs)) {
    parsed = decode(model.space, archs.cast<py::array_t<std::uint16_t, py::array::c_style | py::array::forcecast>>());
  } else if (py::isinstance<py::str>(archs)) {
    parsed = parse_all(model.space, {archs.cast<std::string>()});
  } else {
    parsed = parse_all(model.space, archs.cast<std::vector<std::string>>());
  }
  py::array_t<double> out(static_cast<py::ssize_t>(parsed.size()));
  std::span<double> values(out.mutable_data(), parsed.size());
  {
    py::gil_scoped_release release;
    cost::predict_ms(model, parsed, values);
  }
  return out;
}

acc::Device device_of(const py::object& device) {
  if (py::isinstance<acc::Device>(device)) return device.cast<acc::Device>();
  try {
    return scenarios::device_from_spec(device.cast<std::string>(), "device");
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

}  // namespace

void bind_cost(py::module_& m) {
  py::module_ c = m.def_submodule("cost", "fitted cost models: calibration, model files, estimators");

  py::class_<cost::CostModel>(c, "CostModel", "A cost model file's content: a space model or an operator model")
      .def_property_readonly("type",
                             [](const cost::CostModel& cm) {
                               return std::holds_alternative<cost::SpaceModel>(cm.model) ? "space" : "operator";
                             })
      .def_property_readonly(
          "space", [](const cost::CostModel& cm) { return std::string(cost::space_name(space_model(cm).space)); })
      .def_property_readonly("target", [](const cost::CostModel& cm) { return space_model(cm).target; })
      .def_property_readonly("batch", [](const cost::CostModel& cm) { return space_model(cm).batch; })
      .def_property_readonly("method", [](const cost::CostModel& cm) { return to_python(space_model(cm).method); })
      .def_property_readonly("report", [](const cost::CostModel& cm) { return to_python(cost::to_json(cm.report)); })
      .def_property_readonly("provenance", [](const cost::CostModel& cm) { return to_python(cm.provenance); })
      .def("predict_ms", &predict, py::arg("archs"),
           "Latency (ms) of architectures: a string, a list of strings, or an array from encode(); numpy array back")
      .def(
          "predict_network_ms",
          [](const cost::CostModel& cm, const std::string& space, const std::vector<std::string>& archs,
             std::uint64_t batch, const std::string& dtype) {
            const auto* m = std::get_if<cost::OperatorModel>(&cm.model);
            if (!m)
              throw py::value_error("predict_network_ms prices with an operator model (from fit); use predict_ms");
            const auto type = sim::parse_enum<acc::DataType>(dtype, "dtype");
            const auto parsed = parse_all(space_of(space), archs);
            py::array_t<double> out(static_cast<py::ssize_t>(parsed.size()));
            auto* values = out.mutable_data();
            py::gil_scoped_release release;
            for (std::size_t i = 0; i < parsed.size(); ++i) {
              values[i] = 1e3 * cost::predict_network_s(*m, cost::to_network(parsed[i], batch, type));
            }
            return out;
          },
          py::arg("space"), py::arg("archs"), py::arg("batch") = 1, py::arg("dtype") = "fp32",
          "Latency (ms) of architectures of a space, each priced as the sum of its operators (operator models)")
      .def_property_readonly(
          "classes",
          [](const cost::CostModel& cm) {
            const auto* m = std::get_if<cost::OperatorModel>(&cm.model);
            if (!m) throw py::value_error("a space model has no operator classes");
            py::dict d;
            for (const auto& c : m->classes) d[py::str(c.op_class)] = to_python(cost::to_json(c.holdout));
            return d;
          },
          "Held-out report of each operator class (operator models)")
      .def("to_json", [](const cost::CostModel& cm) { return to_python(cost::to_json(cm)); })
      .def("__repr__", [](const cost::CostModel& cm) {
        if (const auto* s = std::get_if<cost::SpaceModel>(&cm.model)) {
          return "<CostModel " + std::string(cost::space_name(s->space)) + " " + s->target + ">";
        }
        return std::string("<CostModel operator>");
      });

  c.def("space_names", &cost::space_names);
  c.def(
      "encode",
      [](const std::string& space, const std::vector<std::string>& archs) { return encode(space_of(space), archs); },
      py::arg("space"), py::arg("archs"),
      "Architecture strings -> uint16 array (n, 23): 22 choice columns, then the resolution");
  c.def("feature_count", [](const std::string& space) { return cost::feature_count(space_of(space)); });
  c.def("feature_names", [](const std::string& space) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < cost::feature_count(space_of(space)); ++i)
      names.push_back(cost::feature_name(space_of(space), i));
    return names;
  });
  c.def(
      "random_archs",
      [](const std::string& space, std::size_t count, const py::object& seed) {
        std::vector<std::string> out;
        for (const auto& a : cost::random_archs(space_of(space), count, seed_from(seed, "seed")))
          out.push_back(cost::format_arch(a));
        return out;
      },
      py::arg("space"), py::arg("count"), py::arg("seed") = 1);
  c.def(
      "network_stats",
      [](const std::string& space, const std::string& arch, std::uint64_t batch) {
        const auto s = cost::network_stats(cost::to_network(cost::parse_arch(space_of(space), arch), batch));
        py::dict d;
        d["macs"] = s.macs;
        d["ops"] = s.ops;
        d["params"] = s.params;
        d["operators"] = s.operators;
        d["peak_activation_bytes"] = s.peak_activation_bytes;
        return d;
      },
      py::arg("space"), py::arg("arch"), py::arg("batch") = 1);

  c.def(
      "load",
      [](const std::filesystem::path& path) {
        try {
          return cost::load_cost_model(path);
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("path"));
  c.def("save", &cost::save_cost_model, py::arg("path"), py::arg("model"));

  c.def(
      "report",
      [](const std::vector<double>& predicted, const std::vector<double>& measured) {
        try {
          return to_python(cost::to_json(cost::error_report(predicted, measured)));
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("predicted"), py::arg("measured"),
      "Error report: rows, r2, mape, rmspe, within_10pct, spearman, kendall, budget_accuracy");

  c.def(
      "fit",
      [](const py::object& device, const std::filesystem::path& plan, const py::object& seed, std::size_t threads,
         bool lookup_table) {
        try {
          const acc::Device d = device_of(device);
          const cost::SamplingPlan p = cost::load_plan(plan);
          cost::PlanFitOptions o;
          if (!seed.is_none()) o.seed = seed_from(seed, "seed");
          o.threads = threads;
          o.lookup_table = lookup_table;
          py::gil_scoped_release release;
          return cost::fit_plan(d, p, o).file;
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("device"), py::arg("plan"), py::arg("seed") = py::none(), py::arg("threads") = 0,
      py::arg("lookup_table") = true,
      "Fit an operator model to simulations of a sampling plan on a device (preset, file or Device)");

  c.def(
      "calibrate_columns",
      [](const std::filesystem::path& measured, std::size_t train, std::optional<std::vector<std::string>> columns,
         std::optional<std::size_t> test_from, std::optional<std::string> space) {
        try {
          const auto table = cost::read_latency_table(measured, space ? std::optional(space_of(*space)) : std::nullopt);
          const auto targets = columns ? *columns : table.device_columns;
          std::map<std::string, cost::CostModel> out;
          py::gil_scoped_release release;
          // The other columns' models are fitted once and shared by every target.
          const auto shared = cost::fit_columns(table, test_from);
          for (const auto& column : targets) {
            cost::CalibrationOptions o;
            o.column = column;
            o.train = train;
            o.test_from = test_from;
            o.column_models = &shared;
            const auto cal = cost::calibrate(table, o);
            cost::CostModel model;
            model.model = cal.model;
            model.report = cal.report;
            model.provenance = {{"simfabric_version", sim::kVersion},
                                {"command", "simfabric.cost.calibrate_columns"},
                                {"measured", measured.string()},
                                {"column", column},
                                {"train", train},
                                {"prior_device", "none"}};
            out.emplace(column, std::move(model));
          }
          return out;
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("measured"), py::arg("train") = 100, py::arg("columns") = py::none(), py::arg("test_from") = py::none(),
      py::arg("space") = py::none(),
      "calibrate() for many columns of one table at once (every other column a prior); a dict column -> CostModel");

  c.def(
      "calibrate",
      [](const std::filesystem::path& measured, const std::string& column, std::size_t train,
         std::optional<std::string> space, const py::object& shuffle, std::optional<std::size_t> test_from,
         std::optional<std::vector<std::string>> other_columns, std::optional<py::object> prior_device,
         std::size_t prior_archs, const std::filesystem::path& devices_map) {
        try {
          const auto table = cost::read_latency_table(measured, space ? std::optional(space_of(*space)) : std::nullopt);
          cost::CalibrationOptions o;
          o.column = column;
          o.train = train;
          if (!shuffle.is_none()) o.shuffle_seed = seed_from(shuffle, "shuffle");
          o.test_from = test_from;
          o.use_other_columns = !other_columns || !other_columns->empty();
          if (other_columns) o.other_columns = *other_columns;
          std::string prior_name = "none";
          if (prior_device && !prior_device->is_none()) {
            acc::DataType dtype = acc::DataType::fp32;
            py::object spec = *prior_device;
            if (py::isinstance<py::str>(spec) && spec.cast<std::string>() == "auto") {
              const auto entry = scenarios::device_for_column(devices_map, column);
              if (!entry) throw py::value_error(devices_map.string() + " maps no device to column " + column);
              spec = py::str(entry->device_file.string());
              dtype = entry->dtype;
            }
            const acc::Device device = device_of(spec);
            prior_name = device.name;
            py::gil_scoped_release release;
            o.prior = cost::simulated_prior(device, table.space, cost::column_batch(column),
                                            prior_archs ? prior_archs : 3 * cost::feature_count(table.space), 1, dtype);
          }
          cost::Calibration cal;
          {
            py::gil_scoped_release release;
            cal = cost::calibrate(table, o);
          }
          cost::CostModel model;
          model.model = cal.model;
          model.report = cal.report;
          model.provenance = {{"simfabric_version", sim::kVersion},
                              {"command", "simfabric.cost.calibrate"},
                              {"measured", measured.string()},
                              {"column", column},
                              {"train", train},
                              {"prior_device", prior_name}};
          return model;
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("measured"), py::arg("column"), py::arg("train") = 100, py::arg("space") = py::none(),
      py::arg("shuffle") = py::none(), py::arg("test_from") = py::none(), py::arg("other_columns") = py::none(),
      py::arg("prior_device") = py::none(), py::arg("prior_archs") = 0,
      py::arg("devices_map") = std::filesystem::path("scenarios/devices/columns.toml"),
      "Fit a space model on `train` rows of a latency table (the first ones, or a seeded sample with `shuffle`); "
      "other_columns=[] uses no other device as a prior; prior_device (preset, file, Device, or 'auto': the column's "
      "device in devices_map) adds the simulator's.");
}

}  // namespace bindings
