#pragma once
// The HTTP service without the network: a request (method, target, body) in, a response
// (status, content type, body) out. The server (server.hpp) only moves bytes; everything a
// client can send reaches this class, which the unit tests and the fuzz target call
// directly. handle() never throws: bad requests get a 4xx JSON error, anything unexpected
// a 500.
//
// Model reads take no lock: the set is an immutable object behind an atomic shared_ptr,
// loaded by value per request, so a reload swaps it while requests in flight finish on
// the set they started with.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "apps/serve/estimate.hpp"
#include "apps/serve/metrics.hpp"
#include "apps/serve/model_set.hpp"

namespace serve {

struct Request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // "/v1/estimate", with any query string
  std::string_view body;
};

struct Response {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
  std::string_view allow;  // the Allow header of a 405
};

class Service {
 public:
  Service(std::shared_ptr<const ModelSet> models, EstimateLimits limits);

  Response handle(const Request& request) noexcept;

  std::shared_ptr<const ModelSet> models() const { return models_.load(std::memory_order_acquire); }
  void replace_models(std::shared_ptr<const ModelSet> models);
  void reload_failed(const std::string& message);
  void set_draining() { draining_.store(true, std::memory_order_relaxed); }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  Metrics& metrics() { return metrics_; }
  const EstimateLimits& limits() const { return limits_; }

  // {"error": {"status": 400, "message": "..."}}
  static Response error(int status, std::string_view message);

 private:
  Response route(const Request& request, Endpoint& endpoint);
  std::string models_body() const;

  std::atomic<std::shared_ptr<const ModelSet>> models_;
  EstimateLimits limits_;
  std::atomic<bool> draining_{false};
  Metrics metrics_;
  mutable std::mutex reload_mutex_;  // last_reload_error_ only; never taken by estimates
  std::string last_reload_error_;
};

}  // namespace serve
