// `simfabric serve`: cost models answering estimates over HTTP (docs/serve.md).

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "apps/serve/model_set.hpp"
#include "apps/serve/server.hpp"
#include "apps/serve/service.hpp"
#include "apps/simfabric/commands.hpp"

namespace app {

namespace {

struct ServeArgs {
  std::vector<std::string> models;
  serve::ServerOptions server;
  serve::EstimateLimits limits;
  unsigned threads = 0;  // 0: one per hardware thread
  double read_timeout_s = 10, idle_timeout_s = 60, write_timeout_s = 10, drain_timeout_s = 30;
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1e3 + 0.5));
}

int run_serve(const ServeArgs& a) {
  std::vector<serve::ModelSource> sources;
  for (const auto& text : a.models) sources.push_back(serve::parse_model_source(text));
  serve::Service service(serve::load_model_set(sources, 1), a.limits);
  serve::ServerOptions options = a.server;
  options.threads = a.threads ? a.threads : std::max(1u, std::thread::hardware_concurrency());
  options.read_timeout = millis(a.read_timeout_s);
  options.idle_timeout = millis(a.idle_timeout_s);
  options.write_timeout = millis(a.write_timeout_s);
  options.drain_timeout = millis(a.drain_timeout_s);
  // The same files again on SIGHUP, as a new generation; a failure keeps the old set.
  const auto reload = [sources, &service] { return serve::load_model_set(sources, service.models()->generation + 1); };
  serve::Server server(service, reload, options);
  const auto set = service.models();
  fmt::print("simfabric serve: listening on http://{}:{} ({} models: {}; {} threads)\n",
             options.bind.find(':') == std::string::npos ? options.bind : "[" + options.bind + "]", server.port(),
             set->models.size(), set->names(), options.threads);
  std::fflush(stdout);
  server.run();
  fmt::print("simfabric serve: stopped\n");
  return kExitOk;
}

}  // namespace

void add_serve_commands(CLI::App& app, Action& action) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* c = app.add_subcommand("serve", "Answer latency, energy and memory estimates over HTTP (docs/serve.md)");
  c->add_option("--model", a->models, "cost model file (from calibrate or fit), as PATH or NAME=PATH; repeatable")
      ->required();
  c->add_option("--port", a->server.port, "TCP port; 0 picks a free one (printed)")->required();
  c->add_option("--bind", a->server.bind, "address to listen on (default 127.0.0.1: this machine only)");
  c->add_option("--threads", a->threads, "threads answering requests (default: one per hardware thread)")
      ->check(CLI::Range(1u, 256u));
  c->add_option("--max-body-bytes", a->server.max_body_bytes, "largest request body (default 4 MiB)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  c->add_option("--max-header-bytes", a->server.max_header_bytes, "largest request header (default 16 KiB)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20));
  c->add_option("--max-header-fields", a->server.max_header_fields, "most header fields in a request (default 64)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  c->add_option("--max-connections", a->server.max_connections, "most connections open at once (default 1024)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  c->add_option("--max-batch", a->limits.max_batch, "most architectures per request (default 10000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  c->add_option("--max-network-batch", a->limits.max_network_batch,
                "most architectures per request that builds networks: operator models, memory (default 256)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  c->add_option("--max-operators", a->limits.max_operators, "most operators per request (default 1000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  c->add_option("--read-timeout", a->read_timeout_s, "seconds to read a whole request (default 10)")
      ->check(positive_number());
  c->add_option("--idle-timeout", a->idle_timeout_s, "seconds a kept-alive connection may wait (default 60)")
      ->check(positive_number());
  c->add_option("--write-timeout", a->write_timeout_s, "seconds to write a whole response (default 10)")
      ->check(positive_number());
  c->add_option("--drain-timeout", a->drain_timeout_s, "SIGTERM: seconds to wait for requests in flight (default 30)")
      ->check(positive_number());
  c->callback([&action, a] { action = [a] { return run_serve(*a); }; });
}

}  // namespace app
