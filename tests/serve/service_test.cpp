#include <doctest/doctest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/serve/model_set.hpp"
#include "apps/serve/service.hpp"
#include "fixtures.hpp"
#include "models/cost/space.hpp"

namespace cost = models::cost;
using nlohmann::json;

namespace {

serve::Response get(serve::Service& s, std::string_view target) { return s.handle({"GET", target, ""}); }

std::string one_nb201() { return cost::format_arch(cost::random_archs(cost::Space::nb201, 1, 1)[0]); }

// The value of a Prometheus sample line `name{labels} value`.
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  REQUIRE_MESSAGE(at != std::string::npos, series);
  return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("routes: the four endpoints, 404 elsewhere, 405 with Allow for other methods") {
  serve::Service s(serve_test::test_models(), {});
  const auto health = get(s, "/healthz");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body) == json{{"status", "ok"}, {"models", 5}, {"generation", 1}});
  CHECK(get(s, "/v1/models").status == 200);
  CHECK(get(s, "/metrics").content_type.starts_with("text/plain"));
  CHECK(s.handle({"POST", "/v1/estimate?verbose=1", json{{"space", "nb201"}, {"arch", one_nb201()}}.dump()}).status ==
        200);

  const auto missing = get(s, "/v2/estimate");
  CHECK(missing.status == 404);
  CHECK(json::parse(missing.body)["error"]["status"] == 404);
  const auto wrong = get(s, "/v1/estimate");
  CHECK(wrong.status == 405);
  CHECK(wrong.allow == "POST");
  CHECK(s.handle({"DELETE", "/v1/models", ""}).allow == "GET");
  CHECK(s.handle({"POST", "/healthz", "{}"}).status == 405);
}

TEST_CASE("errors are JSON with the status and a message") {
  serve::Service s(serve_test::test_models(), {});
  const auto r = s.handle({"POST", "/v1/estimate", R"({"space": "nb999", "arch": "x"})"});
  CHECK(r.status == 400);
  CHECK(r.content_type == "application/json");
  const json body = json::parse(r.body);
  CHECK(body["error"]["status"] == 400);
  CHECK(body["error"]["message"].get<std::string>().starts_with("space: expected"));
  // Invalid UTF-8 in what the message quotes does not break the JSON.
  const auto bad = s.handle({"POST", "/v1/estimate", "{\"space\": \"nb201\", \"arch\": \"\xc3\x28\"}"});
  CHECK(bad.status == 400);
  CHECK(json::accept(bad.body));
}

TEST_CASE("/v1/models: names, kinds, what each prices, provenance and reports") {
  serve::Service s(serve_test::test_models(7), {});
  const json out = json::parse(get(s, "/v1/models").body);
  CHECK(out["generation"] == 7);
  CHECK(out["reloads"] == json{{"ok", 0}, {"failed", 0}, {"last_error", nullptr}});
  REQUIRE(out["models"].size() == 5);
  const auto& nb32 = out["models"][1];
  CHECK(nb32["name"] == "nb32");
  CHECK(nb32["type"] == "space");
  CHECK(nb32["spaces"] == json{"nb201"});
  CHECK(nb32["batch"] == 32);
  CHECK(nb32["energy"] == false);
  CHECK(nb32["provenance"]["command"] == "test");
  const auto& a100 = out["models"][4];
  CHECK(a100["type"] == "operator");
  CHECK(a100["spaces"] == json{"nb201", "fbnet", "ofa-mbv3"});
  CHECK(a100["target"] == "a100");
  CHECK(a100["report"]["rows"].get<int>() > 0);
  CHECK(a100["classes"].contains("conv2d"));
}

TEST_CASE("a reload swaps the set for new requests; a request holding the old set keeps it") {
  serve::Service s(serve_test::test_models(1), {});
  const auto before = s.models();
  s.replace_models(serve_test::test_models(2));
  CHECK(before->generation == 1);  // still whole and usable
  CHECK(before->find("nb") != nullptr);
  CHECK(json::parse(get(s, "/healthz").body)["generation"] == 2);
  s.reload_failed("m.json: not valid JSON (byte 3)");
  const json models = json::parse(get(s, "/v1/models").body);
  CHECK(models["generation"] == 2);
  CHECK(models["reloads"] == json{{"ok", 1}, {"failed", 1}, {"last_error", "m.json: not valid JSON (byte 3)"}});
  s.replace_models(serve_test::test_models(3));
  CHECK(json::parse(get(s, "/v1/models").body)["reloads"]["last_error"].is_null());
}

TEST_CASE("draining: /healthz answers 503 so that load balancers stop sending") {
  serve::Service s(serve_test::test_models(), {});
  s.set_draining();
  const auto r = get(s, "/healthz");
  CHECK(r.status == 503);
  CHECK(json::parse(r.body)["status"] == "draining");
  CHECK(s.handle({"POST", "/v1/estimate", json{{"space", "nb201"}, {"arch", one_nb201()}}.dump()}).status == 200);
}

TEST_CASE("metrics count requests by endpoint and code, errors, estimates and durations") {
  serve::Service s(serve_test::test_models(), {});
  const std::string body = json{{"space", "nb201"}, {"archs", {one_nb201(), one_nb201()}}}.dump();
  for (int i = 0; i < 3; ++i) CHECK(s.handle({"POST", "/v1/estimate", body}).status == 200);
  CHECK(s.handle({"POST", "/v1/estimate", "{"}).status == 400);
  CHECK(get(s, "/nowhere").status == 404);
  s.metrics().record(serve::Endpoint::other, 431, 0.0);  // as the server counts refusals it answers itself
  const std::string text = get(s, "/metrics").body;
  CHECK(sample(text, R"(simfabric_serve_requests_total{endpoint="estimate",code="200"})") == 3);
  CHECK(sample(text, R"(simfabric_serve_requests_total{endpoint="estimate",code="400"})") == 1);
  CHECK(sample(text, R"(simfabric_serve_requests_total{endpoint="other",code="404"})") == 1);
  CHECK(sample(text, R"(simfabric_serve_requests_total{endpoint="other",code="431"})") == 1);
  CHECK(sample(text, R"(simfabric_serve_errors_total{endpoint="estimate"})") == 1);
  CHECK(sample(text, R"(simfabric_serve_errors_total{endpoint="other"})") == 2);
  // Two architectures, three models pricing nb201 at batch 1 or 32, three requests.
  CHECK(sample(text, "simfabric_serve_estimates_total") == 2 * 3 * 3);
  CHECK(sample(text, R"(simfabric_serve_request_duration_seconds_count{endpoint="estimate"})") == 4);
  CHECK(sample(text, R"(simfabric_serve_request_duration_seconds_bucket{endpoint="estimate",le="+Inf"})") == 4);
  CHECK(sample(text, R"(simfabric_serve_request_duration_seconds_sum{endpoint="estimate"})") > 0);
  CHECK(sample(text, "simfabric_serve_models_loaded") == 5);
  // Buckets are cumulative.
  double previous = 0;
  for (double le : serve::Metrics::kBuckets) {
    const double n = sample(text, R"(simfabric_serve_request_duration_seconds_bucket{endpoint="estimate",le=")" +
                                      fmt::format("{}", le) + "\"}");
    CHECK(n >= previous);
    previous = n;
  }
}

TEST_CASE("model sources and sets: names from NAME=PATH or the file stem, checked and unique") {
  CHECK(serve::parse_model_source("models/pixel3.json").name == "pixel3");
  const auto named = serve::parse_model_source("fast=a/b=c.json");
  CHECK(named.name == "fast");
  CHECK(named.path == "a/b=c.json");
  CHECK_THROWS_WITH_AS(serve::parse_model_source("bad name=x.json"), doctest::Contains("must be 1-64 characters"),
                       std::invalid_argument);
  CHECK_THROWS_AS(serve::parse_model_source("x="), std::invalid_argument);
  CHECK_THROWS_WITH_AS(serve::load_model_set({{"m", "/nonexistent/m.json"}}, 1),
                       doctest::Contains("/nonexistent/m.json"), std::invalid_argument);
  auto models = serve_test::test_models();
  std::vector<serve::LoadedModel> twice{models->models[0], models->models[0]};
  CHECK_THROWS_WITH_AS(serve::make_model_set(twice, 1), doctest::Contains("two models are named 'nb'"),
                       std::invalid_argument);
}
