#pragma once
// POST /v1/estimate: the request body in, the response body out, no I/O (docs/serve.md
// has the format). Architectures of any space, one ("arch") or a batch ("archs"), or a
// list of operators, priced by every loaded model that can (or the ones the request
// names): latency, and on request energy and memory.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "apps/serve/model_set.hpp"

namespace serve {

struct EstimateLimits {
  std::size_t max_batch = 10'000;                // architectures per request
  std::size_t max_network_batch = 256;           // ... when networks are built (operator models, memory)
  std::size_t max_operators = 1'000;             // operators per request
  std::uint64_t max_network_batch_size = 4'096;  // the "batch" key: images per inference
  std::size_t max_json_depth = 32;
};

struct EstimateResult {
  std::string body;        // JSON
  std::size_t priced = 0;  // estimates made: architectures (or operator lists) x models
};

// Throws RequestError: 400 for malformed JSON, unknown keys, spaces, models, operators
// or values out of range (the message names the key and what was expected), 413 for a
// batch over the limits.
EstimateResult estimate(std::string_view body, const ModelSet& models, const EstimateLimits& limits);

// The deepest nesting of arrays and objects in `text` (strings skipped), stopping once
// past `limit`; JSON nested deeper is refused before it is parsed.
std::size_t json_depth(std::string_view text, std::size_t limit);

}  // namespace serve
