#include "models/cost/space_model.hpp"

#include <cmath>
#include <stdexcept>

namespace models::cost {

void predict_ms(const SpaceModel& m, std::span<const Arch> archs, std::span<double> out) {
  if (archs.size() != out.size()) throw std::invalid_argument("predict_ms: output size differs from input size");
  for (std::size_t i = 0; i < archs.size(); ++i) {
    if (archs[i].space != m.space) {
      throw std::invalid_argument("architecture " + std::to_string(i) + " is of the " +
                                  std::string(space_name(archs[i].space)) + " space; the model prices " +
                                  std::string(space_name(m.space)));
    }
    out[i] = predict_ms(m, archs[i]);
  }
}

nlohmann::json to_json(const SpaceModel& m) {
  return nlohmann::ordered_json{{"space", space_name(m.space)},
                                {"target", m.target},
                                {"batch", m.batch},
                                {"unit", "ms"},
                                {"floor_ms", m.floor_ms},
                                {"features", feature_count(m.space)},
                                {"weights_ms", m.weights_ms},
                                {"method", m.method}};
}

SpaceModel space_model_from_json(const nlohmann::json& j, const std::string& where) {
  const auto need = [&](const char* key) -> const nlohmann::json& {
    if (!j.is_object() || !j.contains(key)) throw std::invalid_argument(where + "." + key + ": missing");
    return j[key];
  };
  SpaceModel m;
  const auto& space = need("space");
  const auto parsed = space.is_string() ? parse_space(space.get<std::string>()) : std::nullopt;
  if (!parsed) throw std::invalid_argument(where + ".space: expected one of nb201, fbnet, ofa-mbv3");
  m.space = *parsed;
  if (!need("target").is_string()) throw std::invalid_argument(where + ".target: expected a string");
  m.target = j["target"].get<std::string>();
  if (!need("batch").is_number_unsigned() || j["batch"].get<std::uint64_t>() == 0) {
    throw std::invalid_argument(where + ".batch: expected a positive integer");
  }
  m.batch = j["batch"].get<std::uint64_t>();
  if (!need("unit").is_string() || j["unit"].get<std::string>() != "ms") {
    throw std::invalid_argument(where + ".unit: expected \"ms\"");
  }
  if (!need("floor_ms").is_number() || !std::isfinite(j["floor_ms"].get<double>()) || j["floor_ms"].get<double>() < 0) {
    throw std::invalid_argument(where + ".floor_ms: expected a non-negative number");
  }
  m.floor_ms = j["floor_ms"].get<double>();
  const auto& w = need("weights_ms");
  if (!w.is_array() || w.size() != feature_count(m.space)) {
    throw std::invalid_argument(where + ".weights_ms: expected " + std::to_string(feature_count(m.space)) +
                                " numbers for the " + std::string(space_name(m.space)) + " space");
  }
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (!w[i].is_number() || !std::isfinite(w[i].get<double>())) {
      throw std::invalid_argument(where + ".weights_ms[" + std::to_string(i) + "]: expected a finite number");
    }
    m.weights_ms.push_back(w[i].get<double>());
  }
  m.method = j.value("method", nlohmann::json::object());
  return m;
}

}  // namespace models::cost
