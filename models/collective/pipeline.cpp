#include "models/collective/pipeline.hpp"

#include <stdexcept>

namespace models::collective {

namespace {
class GPipe final : public Program {
 public:
  explicit GPipe(PipelineParams p) : p_(std::move(p)), k_(static_cast<std::uint32_t>(p_.forward_ps.size())) {
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
      o.compute_ps = p_.forward_ps[s];
      if (s + 1 < k_) o.send(s + 1, p_.activation_bytes);
    } else {
      if (s + 1 < k_) o.recv(s + 1);
      o.compute_ps = p_.backward_ps[s];
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
  if (params.forward_ps.size() < 2) throw std::invalid_argument("gpipe: at least 2 stages");
  if (params.backward_ps.size() != params.forward_ps.size()) {
    throw std::invalid_argument("gpipe: forward and backward times need one entry per stage");
  }
  if (params.micro_batches < 1) throw std::invalid_argument("gpipe: micro_batches must be at least 1");
  for (std::size_t i = 0; i < params.forward_ps.size(); ++i) {
    if (params.forward_ps[i] < 0 || params.backward_ps[i] < 0) {
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
  const auto k = params.forward_ps.size();
  for (std::size_t s = 0; s < k; ++s) {
    const double busy = static_cast<double>(params.micro_batches) *
                        static_cast<double>(params.forward_ps[s] + params.backward_ps[s]) * 1e-12;
    idle += 1.0 - busy / step_s;
  }
  return idle / static_cast<double>(k);
}

}  // namespace models::collective
