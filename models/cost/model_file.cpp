#include "models/cost/model_file.hpp"

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "sim/output_file.hpp"
#include "sim/version.hpp"

namespace models::cost {

namespace {
constexpr std::uintmax_t kMaxModelBytes = std::uintmax_t{256} << 20;
}

nlohmann::json to_json(const CostModel& m) {
  nlohmann::ordered_json j;
  j["format"] = kModelFormat;
  j["version"] = kModelVersion;
  j["type"] = std::holds_alternative<SpaceModel>(m.model) ? "space" : "operator";
  nlohmann::json provenance = m.provenance.is_object() ? m.provenance : nlohmann::json::object();
  if (!provenance.contains("simfabric_version")) provenance["simfabric_version"] = std::string(sim::kVersion);
  j["provenance"] = provenance;
  j["report"] = to_json(m.report);
  j["model"] = std::visit([](const auto& body) { return nlohmann::json(to_json(body)); }, m.model);
  return j;
}

void save_cost_model(const std::filesystem::path& path, const CostModel& model) {
  sim::write_file_atomically(path, to_json(model).dump(1) + "\n", "model file");
}

CostModel cost_model_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(where + ": expected a JSON object");
  if (!j.contains("format") || j["format"] != kModelFormat) {
    throw std::invalid_argument(where + ": not a simfabric cost model (\"format\" is not \"" + kModelFormat + "\")");
  }
  if (!j.contains("version") || !j["version"].is_number_integer()) {
    throw std::invalid_argument(where + ".version: expected an integer");
  }
  if (j["version"].get<long long>() != kModelVersion) {
    throw std::invalid_argument(where + ": model file version " + j["version"].dump() +
                                ", this simfabric reads version " + std::to_string(kModelVersion));
  }
  for (const char* key : {"type", "provenance", "report", "model"}) {
    if (!j.contains(key)) throw std::invalid_argument(where + "." + key + ": missing");
  }
  CostModel m;
  if (!j["provenance"].is_object()) throw std::invalid_argument(where + ".provenance: expected an object");
  m.provenance = j["provenance"];
  m.report = error_report_from_json(j["report"], where + ".report");
  const auto& type = j["type"];
  if (type == "space") {
    m.model = space_model_from_json(j["model"], where + ".model");
  } else if (type == "operator") {
    m.model = operator_model_from_json(j["model"], where + ".model");
  } else {
    throw std::invalid_argument(where + ".type: expected \"space\" or \"operator\"");
  }
  return m;
}

CostModel load_cost_model(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw std::invalid_argument(path.string() + ": no such model file");
  if (!std::filesystem::is_regular_file(status)) throw std::invalid_argument(path.string() + ": not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxModelBytes) {
    throw std::invalid_argument(path.string() + ": larger than the 256 MiB a model file may have");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path.string() + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(path.string() + ": not valid JSON (byte " + std::to_string(e.byte) +
                                "); a damaged or truncated model file?");
  } catch (const nlohmann::json::exception&) {  // out_of_range: a number too large for a double
    throw std::invalid_argument(path.string() + ": a number out of the range of a double; a damaged model file?");
  }
  return cost_model_from_json(j, path.string());
}

}  // namespace models::cost
