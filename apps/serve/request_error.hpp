#pragma once
// A request the service refuses: the HTTP status and a message that says which field is
// wrong and what was expected. Becomes {"error": {"status", "message"}}.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace serve {

struct RequestError : std::runtime_error {
  int status;
  RequestError(int status_code, const std::string& message) : std::runtime_error(message), status(status_code) {}
};

// A JSON integer >= 0 (parsed text gives unsigned numbers, JSON built in C++ signed ones).
inline std::optional<std::uint64_t> json_count(const nlohmann::json& j) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(j.get<std::int64_t>());
  return std::nullopt;
}

[[noreturn]] inline void bad_request(const std::string& message) { throw RequestError(400, message); }

}  // namespace serve
