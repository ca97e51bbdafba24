#include "apps/serve/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <csignal>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sim/log.hpp"
#include "sim/version.hpp"

namespace serve {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class Session;

// After an error response or Connection: close, the client may still be sending (a body
// over the limit): read and drop it for this long before closing, so that closing with
// unread bytes does not reset the connection before the client has read the response.
constexpr std::chrono::milliseconds kLinger{1000};

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

struct Server::Impl {
  Impl(Service& s, Reloader r, ServerOptions o)
      : service(s), reload(std::move(r)), options(std::move(o)), ioc(static_cast<int>(options.threads)),
        acceptor(net::make_strand(ioc)), accept_retry(acceptor.get_executor()),
        signals(net::make_strand(ioc), SIGTERM, SIGINT, SIGHUP), drain_poll(signals.get_executor()) {}

  void listen();
  void accept();
  void wait_signal();
  void start_drain();
  void poll_drain();
  void reload_loop();
  void request_reload();

  std::list<std::weak_ptr<Session>>::iterator add(const std::shared_ptr<Session>& s) {
    const std::lock_guard lock(sessions_mutex);
    sessions.push_front(s);
    return sessions.begin();
  }
  void remove(std::list<std::weak_ptr<Session>>::iterator it) {
    const std::lock_guard lock(sessions_mutex);
    sessions.erase(it);
  }
  std::size_t session_count() {
    const std::lock_guard lock(sessions_mutex);
    return sessions.size();
  }

  Service& service;
  Reloader reload;
  ServerOptions options;
  // Before the io_context: handlers it destroys at the end release sessions, which
  // unregister themselves here.
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<Session>> sessions;

  net::io_context ioc;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  net::signal_set signals;
  net::steady_timer drain_poll;
  std::chrono::steady_clock::time_point drain_deadline;
  std::atomic<bool> draining{false};

  std::mutex reload_mutex;
  std::condition_variable reload_cv;
  bool reload_pending = false, reload_stop = false;
};

namespace {

// One connection. Every handler runs on the connection's strand, so its state needs no
// lock; the server reaches it only by posting to that strand (drain).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    server_.service.metrics().connection_opened();
  }
  ~Session() {
    server_.remove(self_);
    server_.service.metrics().connection_closed();
  }

  void start(std::list<std::weak_ptr<Session>>::iterator self) {
    self_ = self;
    net::dispatch(stream_.get_executor(), [s = shared_from_this()] { s->wait_request(); });
  }

  // SIGTERM: an idle connection closes now; one reading or answering a request finishes
  // it first (and then closes, as draining_ is set).
  void post_drain() {
    net::post(stream_.get_executor(), [s = shared_from_this()] {
      if (s->state_ == State::idle) s->stream_.cancel();
    });
  }

 private:
  enum class State : std::uint8_t { idle, reading, busy, closing };

  // Waits for the first bytes of the next request; only this wait is cut by a drain.
  void wait_request() {
    if (server_.draining.load()) return close_now();
    if (buffer_.size() > 0) return read_header();  // pipelined bytes already here
    state_ = State::idle;
    stream_.expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [s = shared_from_this()](beast::error_code ec, std::size_t n) {
      s->buffer_.commit(n);
      if (ec) return s->on_read_error(ec);
      s->read_header();
    });
  }

  void read_header() {
    state_ = State::reading;
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    stream_.expires_after(server_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [s = shared_from_this()](beast::error_code ec, std::size_t) { s->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    const auto fields = static_cast<std::size_t>(std::distance(req.begin(), req.end()));
    if (fields > server_.options.max_header_fields) {
      return fail(431, "too many header fields: " + std::to_string(fields) + ", at most " +
                           std::to_string(server_.options.max_header_fields));
    }
    if (parser_->content_length() && *parser_->content_length() > server_.options.max_body_bytes) {
      return fail(413, body_too_large());
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      continue_ = http::response<http::empty_body>(http::status::continue_, req.version());
      stream_.expires_after(server_.options.write_timeout);
      return http::async_write(stream_, continue_, [s = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return s->on_write_error(ec);
        s->stream_.expires_after(s->server_.options.read_timeout);
        s->read_body();
      });
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [s = shared_from_this()](beast::error_code ec, std::size_t) { s->on_request(ec); });
  }

  void on_request(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    state_ = State::busy;
    auto& req = parser_->get();
    const Request request{view(req.method_string()), view(req.target()), req.body()};
    Response response = server_.service.handle(request);
    send(std::move(response), req.keep_alive() && !server_.draining.load(), req.version());
  }

  std::string body_too_large() const {
    return "request body larger than " + std::to_string(server_.options.max_body_bytes) + " bytes";
  }

  void on_read_error(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      server_.service.metrics().timeout();
      if (state_ == State::reading) server_.service.metrics().record(Endpoint::other, 408, 0.0);
      return close_now();  // the stream has closed the socket already
    }
    if (ec == http::error::body_limit) return fail(413, body_too_large());
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return fail(431, "request header larger than " + std::to_string(server_.options.max_header_bytes) + " bytes");
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return fail(400, "malformed HTTP request: " + ec.message());
    }
    close_now();  // the client closed, reset, or a drain cancelled an idle wait
  }

  void on_write_error(beast::error_code ec) {
    if (ec == beast::error::timeout) server_.service.metrics().timeout();
    close_now();
  }

  // An error the server answers itself, before the Service sees a request.
  void fail(int status, const std::string& message) {
    state_ = State::busy;
    server_.service.metrics().record(Endpoint::other, status, 0.0);
    send(Service::error(status, message), false, 11);
  }

  void send(Response response, bool keep_alive, unsigned version) {
    response_ = {};
    response_.version(version == 10 ? 10 : 11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::server, std::string("simfabric/") + sim::kVersion);
    response_.set(http::field::content_type,
                  beast::string_view(response.content_type.data(), response.content_type.size()));
    if (!response.allow.empty())
      response_.set(http::field::allow, beast::string_view(response.allow.data(), response.allow.size()));
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(server_.options.write_timeout);
    http::async_write(stream_, response_, [s = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec) return s->on_write_error(ec);
      if (keep_alive) return s->wait_request();
      s->linger();
    });
  }

  // Half-close, then drop what the client still sends until it closes or kLinger passes.
  void linger() {
    state_ = State::closing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLinger);
    drop_input();
  }
  void drop_input() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16384), [s = shared_from_this()](beast::error_code ec, std::size_t n) {
      s->buffer_.commit(n);
      if (ec) return s->close_now();
      s->drop_input();
    });
  }

  void close_now() {
    state_ = State::closing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  http::response<http::empty_body> continue_;
  State state_ = State::idle;
  std::list<std::weak_ptr<Session>>::iterator self_;
};

}  // namespace

void Server::Impl::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(options.bind, ec);
  if (ec) throw std::invalid_argument("--bind: '" + options.bind + "' is not an IPv4 or IPv6 address");
  const tcp::endpoint endpoint(address, options.port);
  const auto check = [&](const char* what) {
    if (ec) {
      throw std::runtime_error("cannot " + std::string(what) + " " + options.bind + ":" + std::to_string(options.port) +
                               ": " + ec.message());
    }
  };
  acceptor.open(endpoint.protocol(), ec);
  check("open a socket for");
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  check("set SO_REUSEADDR on");
  acceptor.bind(endpoint, ec);
  check("bind");
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  check("listen on");
}

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors (EMFILE) and the like: retry shortly instead of spinning.
      sim::logger().warn("serve: accept failed: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](beast::error_code) { accept(); });
      return;
    }
    auto& metrics = service.metrics();
    if (draining.load() || static_cast<std::size_t>(metrics.connections_open()) >= options.max_connections) {
      metrics.connection_refused();
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto session = std::make_shared<Session>(*this, std::move(socket));
      session->start(add(session));
    }
    accept();
  });
}

void Server::Impl::wait_signal() {
  signals.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;  // cancelled: drained
    wait_signal();   // first, so that a drain finishing at once cancels this wait
    if (signal == SIGHUP) {
      request_reload();
    } else {
      start_drain();
    }
  });
}

void Server::Impl::start_drain() {
  if (draining.exchange(true)) {
    sim::logger().warn("serve: second stop signal, stopping without waiting for requests in flight");
    ioc.stop();
    return;
  }
  service.set_draining();
  sim::logger().info("serve: draining {} connections", session_count());
  net::post(acceptor.get_executor(), [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    const std::lock_guard lock(sessions_mutex);
    for (const auto& w : sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (const auto& s : live) s->post_drain();
  drain_deadline = std::chrono::steady_clock::now() + options.drain_timeout;
  poll_drain();
}

// Runs on the signals' strand until the last connection has closed; cancelling the signal
// wait then leaves the io_context without work, and run() returns.
void Server::Impl::poll_drain() {
  if (session_count() == 0) {
    signals.cancel();
    return;
  }
  if (std::chrono::steady_clock::now() >= drain_deadline) {
    sim::logger().warn("serve: {} connections still open after the drain timeout; stopping", session_count());
    ioc.stop();
    return;
  }
  drain_poll.expires_after(std::chrono::milliseconds(10));
  drain_poll.async_wait([this](beast::error_code ec) {
    if (!ec) poll_drain();
  });
}

void Server::Impl::request_reload() {
  const std::lock_guard lock(reload_mutex);
  reload_pending = true;
  reload_cv.notify_one();
}

// Loading may read large files: on this thread, never on one that answers requests.
void Server::Impl::reload_loop() {
  std::unique_lock lock(reload_mutex);
  for (;;) {
    reload_cv.wait(lock, [this] { return reload_pending || reload_stop; });
    if (reload_stop) return;
    reload_pending = false;
    lock.unlock();
    try {
      auto set = reload();
      const std::size_t count = set->models.size();
      const std::uint64_t generation = set->generation;
      service.replace_models(std::move(set));
      sim::logger().info("serve: reloaded {} models (generation {})", count, generation);
    } catch (const std::exception& e) {
      service.reload_failed(e.what());
      sim::logger().error("serve: reload failed, still serving the models loaded before: {}", e.what());
    }
    lock.lock();
  }
}

Server::Server(Service& service, Reloader reload, ServerOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(reload), std::move(options))) {
  if (impl_->options.threads == 0) throw std::invalid_argument("--threads: expected at least 1");
  impl_->listen();
}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  Impl& s = *impl_;
  s.wait_signal();
  s.accept();
  std::thread reloader([&s] { s.reload_loop(); });
  const auto work = [&s] {
    for (;;) {
      try {
        s.ioc.run();
        return;
      } catch (const std::exception& e) {  // a handler that threw: log it, keep serving
        sim::logger().error("serve: {}", e.what());
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < s.options.threads; ++i) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  {
    const std::lock_guard lock(s.reload_mutex);
    s.reload_stop = true;
    s.reload_cv.notify_one();
  }
  reloader.join();
}

}  // namespace serve
