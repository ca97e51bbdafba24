#pragma once
// Models the service tests answer with, built in memory: a space model per space (weights
// drawn from a fixed stream) and an operator model fitted to a small plan on the a100.

#include <memory>

#include "apps/serve/model_set.hpp"

namespace serve_test {

// "nb", "fb", "ofa" (space models, batch 1; "nb32": nb201 at batch 32) and "a100" (operator model).
std::shared_ptr<const serve::ModelSet> test_models(std::uint64_t generation = 1);

}  // namespace serve_test
