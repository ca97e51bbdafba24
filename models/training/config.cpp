#include "models/training/config.hpp"

#include <stdexcept>
#include <string>

namespace models::training {

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("training: " + what);
}
std::string str(std::uint64_t v) { return std::to_string(v); }
}  // namespace

std::string_view schedule_name(Schedule s) { return sim::name_of(s); }

Schedule parse_schedule(std::string_view text) { return sim::parse_enum<Schedule>(text, "training schedule"); }

void validate(const TrainingJob& job) {
  const ModelConfig& m = job.model;
  const ParallelPlan& p = job.plan;
  const ClusterConfig& c = job.cluster;
  require(m.layers > 0 && m.hidden > 0 && m.heads > 0 && m.seq > 0, "layers, hidden, heads and seq must be positive");
  require(m.hidden % m.heads == 0, "heads (" + str(m.heads) + ") must divide hidden (" + str(m.hidden) + ")");
  require(m.micro_batch > 0 && m.global_batch > 0, "micro_batch and global_batch must be positive");
  require(p.dp > 0 && p.tp > 0 && p.pp > 0, "dp, tp and pp must be at least 1");
  require(m.heads % p.tp == 0, "tp (" + str(p.tp) + ") must divide heads (" + str(m.heads) + ")");
  require(m.ffn_width() % p.tp == 0, "tp (" + str(p.tp) + ") must divide ffn (" + str(m.ffn_width()) + ")");
  require(m.vocab % p.tp == 0, "tp (" + str(p.tp) + ") must divide vocab (" + str(m.vocab) + ")");
  require(m.layers % p.pp == 0, "pp (" + str(p.pp) + ") must divide layers (" + str(m.layers) + ")");
  require(m.global_batch % (m.micro_batch * p.dp) == 0, "global_batch (" + str(m.global_batch) +
                                                            ") must be a multiple of micro_batch x dp (" +
                                                            str(m.micro_batch * p.dp) + ")");
  if (m.experts == 0) {
    require(p.ep == 1, "ep (" + str(p.ep) + ") needs experts > 0");
  } else {
    require(m.moe_every >= 1 && m.top_k >= 1 && m.top_k <= m.experts, "moe_every >= 1 and 1 <= top_k <= experts");
    require(m.moe_skew >= 0.0, "moe_skew must not be negative");
    require(p.ep >= 1 && m.experts % p.ep == 0, "ep (" + str(p.ep) + ") must divide experts (" + str(m.experts) + ")");
    require(p.dp % p.ep == 0, "ep (" + str(p.ep) + ") must divide dp (" + str(p.dp) + ")");
  }
  require(p.zero <= 3, "zero must be 0, 1, 2 or 3, got " + str(p.zero));
  require(p.dp_buckets >= 1 && p.dp_buckets <= m.layers / p.pp,
          "dp_buckets must be between 1 and the layers per stage (" + str(m.layers / p.pp) + ")");
  require(c.gpus_per_host >= 1, "gpus_per_host must be at least 1");
  require(c.intra_host_gbps > 0.0 && c.nic_gbps > 0.0, "intra_host_gbps and nic_gbps must be positive");
  require(c.hosts_per_leaf >= 1 && c.spines >= 1, "hosts_per_leaf and spines must be at least 1");
  require(c.intra_host_latency >= sim::Time::zero() && c.host_latency >= sim::Time::zero() &&
              c.uplink_latency >= sim::Time::zero(),
          "latencies must not be negative");
  for (const auto& f : c.faults) {
    require(f.at_s >= 0.0, "fault on " + f.link + ": at must not be negative");
    require(f.fraction >= 0.0 && f.fraction <= 1.0,
            "fault on " + f.link + ": fraction must be in [0, 1] (0 = down), got " + std::to_string(f.fraction));
  }
  accelerator::validate(job.device);
  require(
      job.device.peak_matrix_ops_per_s(m.precision) > 0.0,
      "device " + job.device.name + " has no matrix peak for " + std::string(accelerator::data_type_name(m.precision)));
}

std::uint64_t micro_batches(const TrainingJob& job) {
  return job.model.global_batch / (job.model.micro_batch * job.plan.dp);
}

std::uint64_t layer_params(const ModelConfig& m) {
  const std::uint64_t h = m.hidden, f = m.ffn_width();
  // QKV and output projections with biases, MLP up and down with biases, two layer norms.
  return (3 * h * h + 3 * h) + (h * h + h) + (2 * h * f + f + h) + 4 * h;
}

std::uint64_t expert_params(const ModelConfig& m) {
  const std::uint64_t h = m.hidden, f = m.ffn_width();
  return 2 * h * f + f + h;
}

std::uint64_t moe_layer_params(const ModelConfig& m) {
  return layer_params(m) - expert_params(m) + m.experts * expert_params(m) + m.hidden * m.experts;
}

std::uint64_t embedding_params(const ModelConfig& m) {
  return m.vocab == 0 ? 0 : m.vocab * m.hidden + m.seq * m.hidden;
}

std::uint64_t total_params(const ModelConfig& m) {
  std::uint64_t n = embedding_params(m);
  for (std::uint64_t l = 0; l < m.layers; ++l) n += m.is_moe(l) ? moe_layer_params(m) : layer_params(m);
  return n;
}

double step_flops(const ModelConfig& m, bool recompute) {
  const double h = static_cast<double>(m.hidden), f = static_cast<double>(m.ffn_width());
  const double s = static_cast<double>(m.seq), l = static_cast<double>(m.layers), v = static_cast<double>(m.vocab);
  const double tokens = static_cast<double>(m.global_batch) * s;
  // Forward per token: QKV, output projection and MLP GEMMs, then Q K^T and P V.
  // An MoE layer runs top_k expert MLPs per token (and its router).
  const double dense = 2.0 * (4.0 * h * h + 2.0 * h * f) + 4.0 * s * h;
  const double moe =
      dense + 2.0 * h * f * 2.0 * (static_cast<double>(m.top_k) - 1.0) + 2.0 * h * static_cast<double>(m.experts);
  double layer_forward = 0.0;
  for (std::uint64_t i = 0; i < m.layers; ++i) layer_forward += m.is_moe(i) ? moe : dense;
  (void)l;
  const double passes = recompute ? 4.0 : 3.0;
  return tokens * (passes * layer_forward + 3.0 * 2.0 * h * v);
}

}  // namespace models::training
