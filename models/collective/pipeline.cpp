#include "models/collective/pipeline.hpp"

#include <stdexcept>

namespace models::collective {

namespace {
class GPipe final : public Program {
 public:
  explicit GPipe(PipelineParams p) : p_(std::move(p)), k_(static_cast<std::uint32_t>(p_.forward.size())) {
    if (p_.gradient_bytes < 0.0) p_.gradient_bytes = p_.activation_bytes;
  }
  std::string name() const override { return "GPipe step"; }
  std::uint32_t ranks() const override { return k_; }
  std::uint64_t op_count(Agent) const override { return 2ull * p_.micro_batches; }
  Op op(Agent s, std::uint64_t k) const override {
    Op o;
    o.overlap = false;
    o.async_sends = true;
    if (k < p_.micro_batches) {
      if (s > 0) o.recv(s - 1);
      o.compute = p_.forward[s];
      if (s + 1 < k_) o.send(s + 1, p_.activation_bytes);
    } else {
      if (s + 1 < k_) o.recv(s + 1);
      o.compute = p_.backward[s];
      if (s > 0) o.send(s - 1, p_.gradient_bytes);
    }
    return o;
  }
  double data_bytes() const override { return p_.activation_bytes * p_.micro_batches; }
  double bus_factor() const override { return 1.0; }

 private:
  PipelineParams p_;
  std::uint32_t k_;
};
}  // namespace

std::unique_ptr<Program> make_gpipe(const PipelineParams& params) {
  if (params.forward.size() < 2) throw std::invalid_argument("gpipe: at least 2 stages");
  if (params.backward.size() != params.forward.size()) {
    throw std::invalid_argument("gpipe: forward and backward times need one entry per stage");
  }
  if (params.micro_batches < 1) throw std::invalid_argument("gpipe: micro_batches must be at least 1");
  for (std::size_t i = 0; i < params.forward.size(); ++i) {
    if (params.forward[i] < sim::Time::zero() || params.backward[i] < sim::Time::zero()) {
      throw std::invalid_argument("gpipe: stage times must not be negative");
    }
  }
  return std::make_unique<GPipe>(params);
}

double gpipe_bubble_fraction(std::uint32_t stages, std::uint32_t micro_batches) {
  return static_cast<double>(stages - 1) / static_cast<double>(micro_batches + stages - 1);
}

double measured_bubble_fraction(const PipelineParams& params, double step_s) {
  if (step_s <= 0.0) return 0.0;
  double idle = 0.0;
  const auto k = params.forward.size();
  for (std::size_t s = 0; s < k; ++s) {
    const double busy =
        static_cast<double>(params.micro_batches) * (params.forward[s] + params.backward[s]).to_seconds();
    idle += 1.0 - busy / step_s;
  }
  return idle / static_cast<double>(k);
}

}  // namespace models::collective
