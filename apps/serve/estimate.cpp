#include "apps/serve/estimate.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "apps/serve/energy.hpp"
#include "apps/serve/operator_json.hpp"
#include "apps/serve/request_error.hpp"
#include "models/cost/space.hpp"

namespace serve {

namespace acc = models::accelerator;
namespace cost = models::cost;
using ojson = nlohmann::ordered_json;

namespace {

constexpr std::array<std::string_view, 9> kKeys{"space",  "arch",  "archs", "operators", "model",
                                                "models", "batch", "dtype", "fields"};

std::string shown(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

struct Fields {
  bool latency = false, energy = false, memory = false;
};

Fields read_fields(const nlohmann::json& req) {
  const auto it = req.find("fields");
  if (it == req.end()) return {true, false, false};
  constexpr const char* expected = "fields: expected a non-empty list of \"latency_ms\", \"energy_mj\", \"memory\"";
  if (!it->is_array() || it->empty() || it->size() > 3) bad_request(expected);
  Fields f;
  for (const auto& v : *it) {
    if (v == "latency_ms") {
      f.latency = true;
    } else if (v == "energy_mj") {
      f.energy = true;
    } else if (v == "memory") {
      f.memory = true;
    } else {
      bad_request(std::string(expected) + ", got " + shown(v));
    }
  }
  return f;
}

// Which models answer: the ones named ("model" or "models"), each of which must price the
// request, or else every loaded model that does.
std::vector<const LoadedModel*> select_models(const nlohmann::json& req, const ModelSet& set,
                                              std::optional<cost::Space> space, std::optional<std::uint64_t> batch) {
  const auto fits = [&](const LoadedModel& m) -> std::string {
    if (!space) return m.operator_model() ? "" : "is a space model: it prices architectures, not operators";
    if (!m.prices(*space)) {
      return "prices the " + std::string(cost::space_name(m.space_model()->space)) + " space, not " +
             std::string(cost::space_name(*space));
    }
    if (batch && m.space_model() && m.space_model()->batch != *batch) {
      return "prices batch " + std::to_string(m.space_model()->batch) + " only, not " + std::to_string(*batch);
    }
    return "";
  };
  std::vector<const LoadedModel*> chosen;
  const bool one = req.contains("model"), many = req.contains("models");
  if (one && many) bad_request("give \"model\" or \"models\", not both");
  if (one || many) {
    const nlohmann::json& names = req.at(one ? "model" : "models");
    const char* key = one ? "model" : "models";
    if (one && !names.is_string()) bad_request("model: expected a model name (GET /v1/models lists them)");
    if (many && (!names.is_array() || names.empty() || names.size() > set.models.size())) {
      bad_request("models: expected a non-empty list of distinct loaded model names");
    }
    for (const auto& n : one ? nlohmann::json::array({names}) : names) {
      const LoadedModel* m = n.is_string() ? set.find(n.get_ref<const std::string&>()) : nullptr;
      if (m == nullptr) bad_request(std::string(key) + ": no loaded model " + shown(n) + "; loaded: " + set.names());
      if (std::find(chosen.begin(), chosen.end(), m) != chosen.end())
        bad_request(std::string(key) + ": " + m->name + " twice");
      if (const std::string why = fits(*m); !why.empty()) bad_request(std::string(key) + ": " + m->name + " " + why);
      chosen.push_back(m);
    }
    return chosen;
  }
  for (const auto& m : set.models) {
    if (fits(m).empty()) chosen.push_back(&m);
  }
  if (chosen.empty()) {
    std::string what = space ? "the " + std::string(cost::space_name(*space)) + " space" : "operators";
    if (batch) what += " at batch " + std::to_string(*batch);
    bad_request("no loaded model prices " + what + "; loaded: " + set.names());
  }
  return chosen;
}

// A value per architecture: the number itself for one ("arch"), a list for a batch.
template <typename T>
ojson values(const std::vector<T>& v, bool single) {
  if (single) return v.empty() ? ojson() : ojson(v.front());
  return ojson(v);
}

ojson memory_json(const std::vector<cost::NetworkStats>& stats, acc::DataType dtype, bool single) {
  std::vector<std::uint64_t> params, weight_bytes, peak;
  for (const auto& s : stats) {
    params.push_back(s.params);
    weight_bytes.push_back(s.params * acc::element_bytes(dtype));
    peak.push_back(s.peak_activation_bytes);
  }
  return ojson{{"params", values(params, single)},
               {"weight_bytes", values(weight_bytes, single)},
               {"peak_activation_bytes", values(peak, single)}};
}

// Networks and their size figures, built once per batch size and shared by the models.
class Networks {
 public:
  Networks(const std::vector<cost::Arch>& archs, acc::DataType dtype) : archs_(archs), dtype_(dtype) {}
  const std::vector<acc::OperatorList>& at(std::uint64_t batch) {
    auto& nets = built_[batch];
    if (nets.empty() && !archs_.empty()) {
      nets.reserve(archs_.size());
      for (const auto& a : archs_) nets.push_back(cost::to_network(a, batch, dtype_));
    }
    return nets;
  }
  const std::vector<cost::NetworkStats>& stats(std::uint64_t batch) {
    auto& s = stats_[batch];
    if (s.empty()) {
      for (const auto& n : at(batch)) s.push_back(cost::network_stats(n));
    }
    return s;
  }

 private:
  const std::vector<cost::Arch>& archs_;
  acc::DataType dtype_;
  std::map<std::uint64_t, std::vector<acc::OperatorList>> built_;
  std::map<std::uint64_t, std::vector<cost::NetworkStats>> stats_;
};

std::vector<cost::Arch> read_archs(const nlohmann::json& req, cost::Space space, const EstimateLimits& limits) {
  std::vector<cost::Arch> archs;
  const auto parse = [&](const nlohmann::json& text, const std::string& where) {
    if (!text.is_string()) bad_request(where + ": expected an architecture string");
    try {
      archs.push_back(cost::parse_arch(space, text.get_ref<const std::string&>()));
    } catch (const std::invalid_argument& e) {
      std::string message = e.what();
      if (message.size() > 400) message = message.substr(0, 397) + "...";
      bad_request(where + ": " + message);
    }
  };
  if (const auto it = req.find("arch"); it != req.end()) {
    parse(*it, "arch");
    return archs;
  }
  const auto& list = req.at("archs");
  if (!list.is_array()) bad_request("archs: expected a list of architecture strings");
  if (list.size() > limits.max_batch) {
    throw RequestError(413, "archs: " + std::to_string(list.size()) + " architectures; at most " +
                                std::to_string(limits.max_batch) + " per request");
  }
  archs.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) parse(list[i], "archs[" + std::to_string(i) + "]");
  return archs;
}

// Runs `f`, naming the model in any error its pricing raises (an operator the device
// cannot run, a data type it has no peak for).
template <typename F>
auto for_model(const LoadedModel& m, F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    bad_request("model " + m.name + ": " + e.what());
  }
}

EstimateResult estimate_archs(const nlohmann::json& req, const ModelSet& set, const EstimateLimits& limits,
                              const Fields& fields, acc::DataType dtype, std::optional<std::uint64_t> batch) {
  const auto sj = req.find("space");
  if (sj == req.end()) bad_request("space: missing; expected \"nb201\", \"fbnet\" or \"ofa-mbv3\"");
  const auto space = sj->is_string() ? cost::parse_space(sj->get_ref<const std::string&>()) : std::nullopt;
  if (!space) bad_request("space: expected \"nb201\", \"fbnet\" or \"ofa-mbv3\", got " + shown(*sj));
  const bool single = req.contains("arch");
  const auto chosen = select_models(req, set, space, batch);
  const auto archs = read_archs(req, *space, limits);
  const bool builds = fields.memory || std::any_of(chosen.begin(), chosen.end(),
                                                   [](const LoadedModel* m) { return m->operator_model() != nullptr; });
  if (builds && archs.size() > limits.max_network_batch) {
    throw RequestError(413, "archs: " + std::to_string(archs.size()) + " architectures; at most " +
                                std::to_string(limits.max_network_batch) +
                                " per request when networks are built (operator models, memory)");
  }
  Networks networks(archs, dtype);
  ojson estimates = ojson::object();
  for (const LoadedModel* m : chosen) {
    ojson e;
    if (const auto* sm = m->space_model()) {
      e["type"] = "space";
      e["batch"] = sm->batch;
      if (fields.latency) {
        std::vector<double> ms(archs.size());
        cost::predict_ms(*sm, archs, ms);
        e["latency_ms"] = values(ms, single);
      }
      if (fields.energy) e["energy_mj"] = nullptr;  // measured latency tables carry no energy
      if (fields.memory) e["memory"] = memory_json(networks.stats(sm->batch), dtype, single);
    } else {
      const auto& om = *m->operator_model();
      const std::uint64_t b = batch.value_or(1);
      e["type"] = "operator";
      e["batch"] = b;
      e["dtype"] = acc::data_type_name(dtype);
      const auto& nets = for_model(*m, [&]() -> const std::vector<acc::OperatorList>& { return networks.at(b); });
      if (fields.latency) {
        std::vector<double> ms;
        for (const auto& n : nets) ms.push_back(for_model(*m, [&] { return 1e3 * cost::predict_network_s(om, n); }));
        e["latency_ms"] = values(ms, single);
      }
      if (fields.energy && !has_energy(om.device)) {
        e["energy_mj"] = nullptr;  // the device description gives no energy figures
      } else if (fields.energy) {
        std::vector<double> mj;
        for (const auto& n : nets) mj.push_back(for_model(*m, [&] { return 1e-9 * network_energy_pj(om.device, n); }));
        e["energy_mj"] = values(mj, single);
      }
      if (fields.memory) e["memory"] = memory_json(networks.stats(b), dtype, single);
    }
    estimates[m->name] = std::move(e);
  }
  ojson out{{"space", cost::space_name(*space)}, {"count", archs.size()}, {"estimates", std::move(estimates)}};
  return {out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), archs.size() * chosen.size()};
}

EstimateResult estimate_operators(const nlohmann::json& req, const ModelSet& set, const EstimateLimits& limits,
                                  const Fields& fields, acc::DataType dtype) {
  if (req.contains("space")) bad_request("space: not used with operators");
  if (req.contains("batch")) bad_request("batch: not used with operators (each operator has its own \"batch\")");
  const auto& list = req.at("operators");
  if (!list.is_array() || list.empty()) bad_request("operators: expected a non-empty list of operators");
  if (list.size() > limits.max_operators) {
    throw RequestError(413, "operators: " + std::to_string(list.size()) + " operators; at most " +
                                std::to_string(limits.max_operators) + " per request");
  }
  const auto chosen = select_models(req, set, std::nullopt, std::nullopt);
  acc::OperatorList network;
  network.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i)
    network.push_back(operator_from_json(list[i], "operators[" + std::to_string(i) + "]", dtype));
  ojson estimates = ojson::object();
  for (const LoadedModel* m : chosen) {
    const auto& om = *m->operator_model();
    ojson e{{"type", "operator"}};
    if (fields.latency) {
      std::vector<double> each;
      for (const auto& op : network) each.push_back(for_model(*m, [&] { return 1e3 * cost::predict_s(om, op); }));
      e["latency_ms"] = for_model(*m, [&] { return 1e3 * cost::predict_network_s(om, network); });
      e["operator_latency_ms"] = each;
    }
    if (fields.energy) {
      e["energy_mj"] = has_energy(om.device)
                           ? ojson(for_model(*m, [&] { return 1e-9 * network_energy_pj(om.device, network); }))
                           : ojson();
    }
    if (fields.memory) {
      const auto s = cost::network_stats(network);
      std::uint64_t weight_bytes = 0;
      for (const auto& op : network) weight_bytes += acc::operand_bytes(op).weight;
      e["memory"] = ojson{
          {"params", s.params}, {"weight_bytes", weight_bytes}, {"peak_activation_bytes", s.peak_activation_bytes}};
    }
    estimates[m->name] = std::move(e);
  }
  ojson out{{"operators", network.size()}, {"estimates", std::move(estimates)}};
  return {out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), chosen.size()};
}

}  // namespace

std::size_t json_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

EstimateResult estimate(std::string_view body, const ModelSet& set, const EstimateLimits& limits) {
  if (json_depth(body, limits.max_json_depth) > limits.max_json_depth) {
    bad_request("request body: JSON nested deeper than " + std::to_string(limits.max_json_depth) + " levels");
  }
  nlohmann::json req;
  try {
    req = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    bad_request("request body: not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception&) {  // out_of_range: a number too large for a double
    bad_request("request body: a number out of the range of a double");
  }
  if (!req.is_object())
    bad_request("request body: expected a JSON object such as {\"space\": \"nb201\", \"arch\": \"...\"}");
  for (const auto& [key, value] : req.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      std::string known;
      for (auto k : kKeys) known += (known.empty() ? "" : ", ") + std::string(k);
      bad_request("unknown key " + shown(key) + "; expected " + known);
    }
  }
  const int given = static_cast<int>(req.contains("arch")) + static_cast<int>(req.contains("archs")) +
                    static_cast<int>(req.contains("operators"));
  if (given != 1) bad_request("give exactly one of \"arch\" (one architecture), \"archs\" (a list) or \"operators\"");
  const Fields fields = read_fields(req);
  acc::DataType dtype = acc::DataType::fp32;
  if (const auto it = req.find("dtype"); it != req.end()) {
    const auto parsed = it->is_string() ? acc::parse_data_type(it->get_ref<const std::string&>()) : std::nullopt;
    if (!parsed) bad_request("dtype: expected " + sim::accepted_names<acc::DataType>() + ", got " + shown(*it));
    dtype = *parsed;
  }
  if (req.contains("operators")) return estimate_operators(req, set, limits, fields, dtype);
  std::optional<std::uint64_t> batch;
  if (const auto it = req.find("batch"); it != req.end()) {
    batch = json_count(*it);
    if (!batch || *batch == 0 || *batch > limits.max_network_batch_size) {
      bad_request("batch: expected an integer 1.." + std::to_string(limits.max_network_batch_size) + ", got " +
                  shown(*it));
    }
  }
  return estimate_archs(req, set, limits, fields, dtype, batch);
}

}  // namespace serve
