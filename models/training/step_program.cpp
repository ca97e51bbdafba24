#include "models/training/step_program.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/collective/algorithms.hpp"

namespace models::training {

using collective::Agent;
using collective::Op;

std::vector<Pass> stage_passes(Schedule schedule, std::uint32_t stages, std::uint32_t stage, std::uint64_t m) {
  std::vector<Pass> out;
  out.reserve(2 * m);
  if (schedule == Schedule::gpipe) {
    for (std::uint64_t i = 0; i < m; ++i) out.push_back({true, i});
    for (std::uint64_t i = 0; i < m; ++i) out.push_back({false, i});
    return out;
  }
  // 1F1B (PipeDream-Flush): p - s - 1 warm-up forwards, then one forward and one backward
  // alternately, then the remaining backwards.
  const std::uint64_t warmup = std::min<std::uint64_t>(stages - stage - 1, m);
  std::uint64_t f = 0, b = 0;
  for (; f < warmup; ++f) out.push_back({true, f});
  while (f < m) {
    out.push_back({true, f++});
    out.push_back({false, b++});
  }
  while (b < m) out.push_back({false, b++});
  return out;
}

namespace {

class StepProgram final : public collective::Program {
 public:
  explicit StepProgram(StepProgramParams p) : p_(std::move(p)), pairs_(p_.dp * p_.pp) {
    for (std::uint32_t s = 0; s < p_.pp; ++s) {
      passes_.push_back(stage_passes(p_.schedule, p_.pp, s, p_.micro_batches));
      std::vector<std::unique_ptr<collective::Program>> rings;
      if (p_.dp > 1) {
        for (double bytes : p_.bucket_bytes[s]) {
          rings.push_back(collective::make_program({collective::Algorithm::ring_allreduce, p_.dp, bytes}));
        }
      }
      rings_.push_back(std::move(rings));
    }
    ring_ops_ = p_.dp > 1 ? 2ull * (p_.dp - 1) : 0;
  }

  std::string name() const override { return "training step"; }
  std::uint32_t ranks() const override { return 2 * pairs_; }
  std::uint64_t op_count(Agent a) const override {
    const std::uint32_t s = a % p_.pp;
    const std::uint64_t buckets = p_.bucket_bytes[s].size();
    // The last backward runs as one piece per bucket.
    if (a < pairs_) return passes_[s].size() + buckets - 1;
    return buckets * (1 + ring_ops_) + 1;
  }
  Op op(Agent a, std::uint64_t k) const override { return a < pairs_ ? compute_op(a, k) : gradient_op(a, k); }
  double data_bytes() const override { return p_.activation_bytes * static_cast<double>(p_.micro_batches); }
  double bus_factor() const override { return 1.0; }

 private:
  Op compute_op(Agent a, std::uint64_t k) const {
    const std::uint32_t s = a % p_.pp;
    const auto& passes = passes_[s];
    const std::uint64_t last = passes.size() - 1;
    Op o;
    o.overlap = false;
    o.async_sends = true;
    if (k < last) {
      const Pass& pass = passes[k];
      if (pass.forward) {
        if (s > 0) o.recv(a - 1);
        o.compute = p_.forward[a];
        if (s + 1 < p_.pp) o.send(a + 1, p_.activation_bytes);
      } else {
        if (s + 1 < p_.pp) o.recv(a + 1);
        o.compute = p_.backward[a];
        if (s > 0) o.send(a - 1, p_.activation_bytes);
      }
      return o;
    }
    // The last backward, piece j ending when bucket j is ready.
    const std::uint64_t j = k - last;
    const auto& share = p_.bucket_share[s];
    if (j == 0 && s + 1 < p_.pp) o.recv(a + 1);
    // Cumulative rounding: the pieces add up to the whole backward to the picosecond.
    double before = 0.0;
    for (std::uint64_t i = 0; i < j; ++i) before += share[i];
    const double b = static_cast<double>(p_.backward[a].ps());
    const auto until = [&](double f) { return static_cast<std::int64_t>(b * std::min(f, 1.0) + 0.5); };
    o.compute = sim::Time::from_ps(j + 1 == share.size() ? p_.backward[a].ps() - until(before)
                                                         : until(before + share[j]) - until(before));
    o.send(a + pairs_, 0.0);
    if (j + 1 == share.size() && s > 0) o.send(a - 1, p_.activation_bytes);
    return o;
  }

  Op gradient_op(Agent a, std::uint64_t k) const {
    const Agent c = a - pairs_;
    const std::uint32_t s = c % p_.pp, dp = c / p_.pp;
    const std::uint64_t per_bucket = 1 + ring_ops_;
    const std::uint64_t bucket = k / per_bucket;
    Op o;
    if (bucket == p_.bucket_bytes[s].size()) {
      o.overlap = false;
      o.compute = p_.optimizer;
      return o;
    }
    const std::uint64_t i = k % per_bucket;
    if (i == 0) {
      o.overlap = false;
      o.recv(c);
      return o;
    }
    // The ring's step, its ranks mapped onto this stage's gradient agents.
    Op r = rings_[s][bucket]->op(dp, i - 1);
    auto agent = [&](Agent ring_rank) { return pairs_ + ring_rank * p_.pp + s; };
    for (std::uint8_t n = 0; n < r.n_recv; ++n) r.recv_from[n] = agent(r.recv_from[n]);
    for (std::uint8_t n = 0; n < r.n_send; ++n) r.sends[n].to = agent(r.sends[n].to);
    return r;
  }

  StepProgramParams p_;
  std::uint32_t pairs_;
  std::vector<std::vector<Pass>> passes_;
  std::vector<std::vector<std::unique_ptr<collective::Program>>> rings_;
  std::uint64_t ring_ops_ = 0;
};

}  // namespace

std::unique_ptr<collective::Program> make_step_program(StepProgramParams p) {
  const std::size_t pairs = static_cast<std::size_t>(p.dp) * p.pp;
  if (p.dp == 0 || p.pp == 0 || p.micro_batches == 0) throw std::invalid_argument("training step: empty plan");
  if (p.forward.size() != pairs || p.backward.size() != pairs) {
    throw std::invalid_argument("training step: one forward and backward time per (replica, stage)");
  }
  if (p.bucket_bytes.size() != p.pp || p.bucket_share.size() != p.pp) {
    throw std::invalid_argument("training step: gradient buckets for every stage");
  }
  for (std::uint32_t s = 0; s < p.pp; ++s) {
    if (p.bucket_bytes[s].empty() || p.bucket_bytes[s].size() != p.bucket_share[s].size()) {
      throw std::invalid_argument("training step: every stage needs at least one bucket with its share");
    }
  }
  return std::make_unique<StepProgram>(std::move(p));
}

}  // namespace models::training
