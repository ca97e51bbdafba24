#pragma once
// The network side of the service: HTTP/1.1 with keep-alive on Boost.Beast, a fixed pool
// of threads running one io_context. It moves bytes and enforces the limits a client
// could abuse -- header size and count, body size, a deadline for reading a whole request
// (so a client trickling bytes cannot hold a connection), for writing a response and for
// an idle kept-alive connection, a cap on open connections -- and hands each complete
// request to the Service.
//
// Signals: SIGHUP reloads the models on a thread of its own (a bad file keeps the old set
// and is logged); SIGTERM or SIGINT stops accepting, closes idle connections, lets
// requests in flight finish and answer (with Connection: close), then run() returns. A
// second SIGTERM stops at once.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "apps/serve/service.hpp"

namespace serve {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (port() tells which)
  unsigned threads = 2;
  std::size_t max_body_bytes = std::size_t{4} << 20;
  std::size_t max_header_bytes = std::size_t{16} << 10;
  std::size_t max_header_fields = 64;
  std::size_t max_connections = 1024;
  std::chrono::milliseconds read_timeout{10'000};   // a whole request, from its first byte
  std::chrono::milliseconds idle_timeout{60'000};   // between requests of a kept-alive connection
  std::chrono::milliseconds write_timeout{10'000};  // a whole response
  std::chrono::milliseconds drain_timeout{30'000};  // SIGTERM: longest wait for requests in flight
};

// Loads the model set anew (SIGHUP); throws std::exception on a bad file.
using Reloader = std::function<std::shared_ptr<const ModelSet>()>;

class Server {
 public:
  // Binds and listens, and installs the signal handlers. Throws std::invalid_argument for
  // an address that is not one, std::runtime_error when the port cannot be bound.
  Server(Service& service, Reloader reload, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  // Serves until SIGTERM or SIGINT has drained the connections (or drain_timeout passed).
  void run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace serve
