#include "apps/serve/model_set.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "apps/serve/energy.hpp"

namespace serve {

namespace cost = models::cost;

namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string utc_now() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

}  // namespace

ModelSource parse_model_source(std::string_view text) {
  ModelSource s;
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    s.path = std::string(text);
    s.name = s.path.stem().string();
  } else {
    s.name = std::string(text.substr(0, eq));
    s.path = std::string(text.substr(eq + 1));
  }
  if (s.path.empty()) throw std::invalid_argument("--model '" + std::string(text) + "': expected PATH or NAME=PATH");
  if (!valid_name(s.name)) {
    throw std::invalid_argument("--model '" + std::string(text) + "': the name '" + s.name +
                                "' must be 1-64 characters of A-Z a-z 0-9 _ - . (give NAME=PATH)");
  }
  return s;
}

bool LoadedModel::prices(cost::Space space) const {
  const auto* m = space_model();
  return m == nullptr || m->space == space;
}

nlohmann::ordered_json LoadedModel::describe() const {
  nlohmann::ordered_json j{{"name", name}, {"path", path}};
  if (const auto* m = space_model()) {
    j["type"] = "space";
    j["spaces"] = {cost::space_name(m->space)};
    j["operators"] = false;
    j["target"] = m->target;
    j["batch"] = m->batch;
    j["energy"] = false;
    j["method"] = m->method.is_object() && m->method.contains("chosen") ? m->method["chosen"] : nlohmann::json();
  } else {
    const auto& om = *operator_model();
    j["type"] = "operator";
    j["spaces"] = cost::space_names();
    j["operators"] = true;
    j["target"] = om.device.name;
    j["batch"] = nullptr;  // any: networks are built at the request's batch
    j["energy"] = has_energy(om.device);
    nlohmann::ordered_json classes = nlohmann::ordered_json::object();
    for (const auto& c : om.classes) {
      classes[c.op_class] = nlohmann::ordered_json{{"fit_rows", c.fit_rows}, {"report", cost::to_json(c.holdout)}};
    }
    j["classes"] = classes;
  }
  j["provenance"] = file.provenance;
  j["report"] = cost::to_json(file.report);
  return j;
}

const LoadedModel* ModelSet::find(std::string_view name) const {
  for (const auto& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string ModelSet::names() const {
  std::string out;
  for (const auto& m : models) out += (out.empty() ? "" : ", ") + m.name;
  return out.empty() ? "(none)" : out;
}

std::shared_ptr<const ModelSet> make_model_set(std::vector<LoadedModel> models, std::uint64_t generation) {
  auto set = std::make_shared<ModelSet>();
  for (auto& m : models) {
    if (!valid_name(m.name)) throw std::invalid_argument("model name '" + m.name + "': expected [A-Za-z0-9_.-]{1,64}");
    if (set->find(m.name) != nullptr) {
      throw std::invalid_argument("two models are named '" + m.name + "' (" + set->find(m.name)->path + " and " +
                                  m.path + "); name them with --model NAME=PATH");
    }
    set->models.push_back(std::move(m));
  }
  set->generation = generation;
  set->loaded_at = utc_now();
  return set;
}

std::shared_ptr<const ModelSet> load_model_set(const std::vector<ModelSource>& sources, std::uint64_t generation) {
  std::vector<LoadedModel> models;
  models.reserve(sources.size());
  for (const auto& s : sources) models.push_back({s.name, s.path.string(), cost::load_cost_model(s.path)});
  return make_model_set(std::move(models), generation);
}

}  // namespace serve
