#include "apps/serve/service.hpp"

#include <chrono>

#include "apps/serve/request_error.hpp"
#include "sim/log.hpp"

namespace serve {

namespace {

Response method_not_allowed(std::string_view allowed) {
  Response r = Service::error(405, "method not allowed; use " + std::string(allowed));
  r.allow = allowed;
  return r;
}

}  // namespace

Service::Service(std::shared_ptr<const ModelSet> models, EstimateLimits limits)
    : models_(std::move(models)), limits_(limits) {}

void Service::replace_models(std::shared_ptr<const ModelSet> models) {
  models_.store(std::move(models), std::memory_order_release);
  metrics_.add_reload(true);
  const std::lock_guard lock(reload_mutex_);
  last_reload_error_.clear();
}

void Service::reload_failed(const std::string& message) {
  metrics_.add_reload(false);
  const std::lock_guard lock(reload_mutex_);
  last_reload_error_ = message;
}

Response Service::error(int status, std::string_view message) {
  const nlohmann::ordered_json body{{"error", {{"status", status}, {"message", message}}}};
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

std::string Service::models_body() const {
  const auto set = models();
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (const auto& m : set->models) models.push_back(m.describe());
  nlohmann::ordered_json reloads{{"ok", metrics_.reloads_ok()}, {"failed", metrics_.reloads_failed()}};
  {
    const std::lock_guard lock(reload_mutex_);
    reloads["last_error"] =
        last_reload_error_.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(last_reload_error_);
  }
  const nlohmann::ordered_json out{
      {"generation", set->generation}, {"loaded_at", set->loaded_at}, {"reloads", reloads}, {"models", models}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response Service::route(const Request& r, Endpoint& endpoint) {
  const std::string_view path = r.target.substr(0, r.target.find('?'));
  if (path == "/v1/estimate") {
    endpoint = Endpoint::estimate;
    if (r.method != "POST") return method_not_allowed("POST");
    const auto set = models();  // this request's set, whatever a reload does meanwhile
    EstimateResult out = estimate(r.body, *set, limits_);
    metrics_.add_estimates(out.priced);
    return {200, std::move(out.body)};
  }
  const bool get = r.method == "GET";
  if (path == "/v1/models") {
    endpoint = Endpoint::models;
    if (!get) return method_not_allowed("GET");
    return {200, models_body()};
  }
  if (path == "/healthz") {
    endpoint = Endpoint::healthz;
    if (!get) return method_not_allowed("GET");
    const auto set = models();
    const bool ok = !draining();
    const nlohmann::ordered_json body{
        {"status", ok ? "ok" : "draining"}, {"models", set->models.size()}, {"generation", set->generation}};
    return {ok ? 200 : 503, body.dump()};
  }
  if (path == "/metrics") {
    endpoint = Endpoint::metrics;
    if (!get) return method_not_allowed("GET");
    const auto set = models();
    return {200, metrics_.prometheus(set->models.size(), set->generation, draining()), "text/plain; version=0.0.4"};
  }
  endpoint = Endpoint::other;
  return error(404,
               "no such endpoint; the service answers POST /v1/estimate, GET /v1/models, GET /healthz, GET /metrics");
}

Response Service::handle(const Request& request) noexcept {
  const auto start = std::chrono::steady_clock::now();
  Endpoint endpoint = Endpoint::other;
  Response response;
  try {
    try {
      response = route(request, endpoint);
    } catch (const RequestError& e) {
      response = error(e.status, e.what());
    } catch (const std::exception& e) {
      response = error(500, std::string("internal error: ") + e.what());
      sim::logger().error("serve: {} {}: internal error: {}", request.method, request.target.substr(0, 200), e.what());
    } catch (...) {
      response = error(500, "internal error");
    }
  } catch (...) {  // building the error itself failed (out of memory)
    response.status = 500;
    response.body = R"({"error":{"status":500,"message":"internal error"}})";
  }
  metrics_.record(endpoint, response.status,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return response;
}

}  // namespace serve
