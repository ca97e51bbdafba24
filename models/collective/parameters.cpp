// The declarations of parameters.hpp; defaults are the workloads' own where their structs
// have one (CollectiveParams, PipelineParams, MoeParams, PoissonTraffic, FlowSizes).

#include "models/collective/parameters.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "models/collective/experiment.hpp"
#include "models/network/traffic_sources.hpp"

namespace models::collective {
namespace {

using namespace sim::declare;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxIndex = 4294967295.0;  // an endpoint index or count: 32 bits
constexpr double kMaxRanks = 1 << 24;
constexpr double kMaxTransfer = static_cast<double>(network::kMaxTransferBytes);

constexpr std::uint64_t kCollectiveBytes = std::uint64_t{1} << 30;
constexpr std::uint64_t kPermutationBytes = std::uint64_t{2} << 20;

// A byte count ("64 KiB" or a plain number of bytes).
sim::Parameter size(std::string_view key, double fallback, double min, double max, std::string_view doc) {
  sim::Parameter p;
  p.table = "workload";
  p.key = key;
  p.type = sim::ParamType::size;
  p.unit = "bytes";
  p.default_number = fallback;
  p.min = min;
  p.max = max;
  p.doc = doc;
  return p;
}

sim::Parameter at_us(std::string_view table, std::string_view key, std::string_view doc) {
  return duration(table, key, "us", 0.0, kInf, doc);
}

sim::Parameter link_list(std::string_view key, std::string_view doc) {
  return with_notes(text("faults", key, "", {}, doc), "(none)", "link names, comma-separated");
}

std::vector<sim::Parameter> faults() {
  return {
      link_list("link_down",
                "links that go down, `\"leaf0-spine0, leaf3->spine1\"` (a cable goes down both ways, a direction "
                "only that way)"),
      at_us("faults", "link_down_at_us", "when they go down"),
      link_list("degraded_links", "links that keep `degraded_fraction` of their capacity"),
      number("faults", "degraded_fraction", "", 0.5, 1e-9, 1.0, "capacity a degraded link keeps"),
      at_us("faults", "degraded_at_us", "when they degrade"),
      with_notes(numbers("faults", "slow_nic_hosts", "",
                         "endpoints whose NIC (both directions) keeps `slow_nic_fraction` of its capacity"),
                 "(none)", "endpoint indices (whole numbers >= 0)"),
      integer("faults", "slow_nic_every", 0, 0, kMaxIndex, "or every n-th endpoint's NIC, from endpoint 0 (0: none)",
              "endpoints"),
      number("faults", "slow_nic_fraction", "", 0.5, 1e-9, 1.0, "capacity a slow NIC keeps"),
      at_us("faults", "slow_nic_at_us", "when they slow down"),
  };
}

std::vector<sim::Parameter> workload() {
  const CollectiveParams collective;
  const PipelineParams pipeline;
  const MoeParams moe;
  const network::PoissonTraffic poisson;
  const network::FlowSizes sizes = poisson.sizes;
  sim::Parameter backward =
      duration("workload", "backward_us", "us", 0.0, kInf, "`gpipe`: a stage's backward time for one micro-batch");
  backward.default_number.reset();
  sim::Parameter duration_us = duration("workload", "duration_us", "us", 0.0, kInf,
                                        "`poisson`: arrivals stop at this time (`duration_us` and/or `flows`)");
  duration_us.default_number.reset();
  return {
      text("workload", "type", "collective",
           {"collective", "permutation", "gpipe", "moe", "incast", "traffic_matrix", "poisson"},
           "the workload; each key below names the types that read it"),
      text("workload", "algorithm", sim::name_of(collective.algorithm), choices_of<Algorithm>(),
           "`collective`: the algorithm (`tree_allreduce` is the double binary tree; `ring`, `tree` and `hd` "
           "are short names)"),
      with_notes(size("bytes", static_cast<double>(kCollectiveBytes), 0.0, kInf,
                      "`collective`: per rank; `permutation`: per flow; `incast`: per sender; `poisson` with "
                      "`sizes = \"fixed\"`: per flow"),
                 "1 GiB (`collective`), 2 MiB (`permutation`), 1 MiB (`incast`, `poisson`)",
                 "a size; `incast`, `poisson`: 1 byte to 1 TiB"),
      with_notes(integer("workload", "ranks", 0, 0, kMaxRanks, "`collective`: how many ranks take part", "ranks"),
                 "0 (every host, or every host of the job)"),
      integer("workload", "chunks", collective.chunks, 1, 1 << 20,
              "`collective`: pipeline depth of the tree and broadcast", "chunks"),
      integer("workload", "ranks_per_host", collective.ranks_per_host, 1, 64,
              "`collective`: ranks (GPUs) sharing a host, for `hierarchical_allreduce`", "ranks"),
      text("workload", "placement", "contiguous", {"contiguous", "strided"},
           "`collective`: rank r on endpoint r (`contiguous`) or consecutive ranks under different leaves "
           "(`strided`)"),
      integer("workload", "stages", 4, 2, 4096, "`gpipe`: pipeline stages", "stages"),
      integer("workload", "micro_batches", pipeline.micro_batches, 1, 1 << 20, "`gpipe`: micro-batches per step",
              "micro-batches"),
      duration("workload", "forward_us", "us", 1000.0, kInf, "`gpipe`: a stage's forward time for one micro-batch"),
      with_notes(backward, "2 x forward_us"),
      size("activation_bytes", 16 << 20, 0.0, kInf, "`gpipe`: per micro-batch between adjacent stages"),
      integer("workload", "experts", moe.experts, 2, 4096, "`moe`: experts, one per rank", "experts"),
      with_notes(integer("workload", "tokens_per_rank", static_cast<double>(moe.tokens_per_rank), 1,
                         static_cast<double>(kMaxMoeTokens / 2), "`moe`: tokens each rank routes", "tokens"),
                 "", "in [1, 134217728]; experts x tokens_per_rank at most 2^28"),
      number("workload", "bytes_per_token", "bytes", moe.bytes_per_token, 1.0, kMaxMoeBytesPerToken,
             "`moe`: hidden size x element size"),
      number("workload", "skew", "", moe.skew, 0.0, 10.0, "`moe`: Zipf exponent of the experts' popularity"),
      integer("workload", "receiver", 0, 0, kMaxRanks, "`incast`: the receiving endpoint (in a job: host index)",
              "endpoint"),
      with_notes(integer("workload", "senders", 0, 0, kMaxRanks,
                         "`incast`: how many send, the endpoints after the receiver in index order (0: every other "
                         "one)",
                         "endpoints"),
                 "0 (every other endpoint)"),
      with_notes(required(text("workload", "file", "", {}, "`traffic_matrix`: a CSV traffic matrix (below)")),
                 "(required for `traffic_matrix`)", "a path relative to the scenario"),
      number("workload", "load", "", poisson.load, 1e-6, 1.0, "`poisson`: offered payload over each host's capacity"),
      text("workload", "sizes", "fixed", {"fixed", "uniform", "lognormal", "cdf"},
           "`poisson`: flow sizes, `fixed` (`bytes`), `uniform` (`min_bytes`, `max_bytes`), `lognormal` "
           "(`median_bytes`, `sigma`) or `cdf` (`cdf_file`)"),
      size("min_bytes", sizes.min_bytes, 1.0, kMaxTransfer, "`poisson`, `uniform`: smallest flow"),
      with_notes(size("max_bytes", 1 << 20, 1.0, kMaxTransfer, "`poisson`, `uniform`: largest flow"), "",
                 ">= min_bytes, in [1, 1099511627776]"),
      size("median_bytes", sizes.median_bytes, 1.0, kMaxTransfer, "`poisson`, `lognormal`: median flow"),
      number("workload", "sigma", "", sizes.sigma, 0.0, 4.0, "`poisson`, `lognormal`: sigma of ln(size)"),
      with_notes(required(text("workload", "cdf_file", "", {}, "`poisson`, `cdf`: rows `bytes,cdf` (below)")),
                 "(required for `cdf`)", "a path relative to the scenario"),
      with_notes(duration_us, "(none)", "> 0"),
      integer("workload", "flows", static_cast<double>(poisson.max_flows), 0,
              static_cast<double>(network::kMaxTrafficTransfers),
              "`poisson`: keep the first n flows in start order (0: no count limit)", "flows"),
  };
}

std::vector<sim::Parameter> job() {
  return {
      with_notes(text("job", "name", "", {}, "prefixes the job's summary keys"), "`job1`, `job2`, ...",
                 "lower-case letters, digits, `_`; unique"),
      with_notes(numbers("job", "hosts", "", "the job's hosts"), "every endpoint",
                 "endpoint indices, e.g. `[0, 1, 2, 3]`"),
      integer("job", "first_host", 0, 0, kMaxIndex, "or a range of endpoints from this one", "endpoint"),
      with_notes(required(integer("job", "host_count", std::nullopt, 1, kMaxRanks, "and this many", "endpoints")),
                 "(required with `first_host`)"),
      at_us("job", "start_us", "when the job starts"),
  };
}

std::vector<sim::Parameter> declare_all() {
  std::vector<sim::Parameter> all = faults();
  for (auto& p : workload()) all.push_back(std::move(p));
  for (auto& p : job()) all.push_back(std::move(p));
  return all;
}

}  // namespace

const std::vector<sim::Parameter>& experiment_parameters() {
  static const std::vector<sim::Parameter> all = declare_all();
  return all;
}

const sim::Parameter& experiment_parameter(std::string_view table, std::string_view key) {
  return sim::find_parameter(experiment_parameters(), table, key, "fabric");
}

std::string experiment_parameters_markdown(std::string_view table) {
  return sim::parameters_markdown(experiment_parameters(), table);
}

std::uint64_t workload_bytes_default(std::string_view type) {
  if (type == "collective") return kCollectiveBytes;
  if (type == "permutation") return kPermutationBytes;
  if (type == "incast" || type == "poisson") return static_cast<std::uint64_t>(network::FlowSizes{}.bytes);
  throw std::logic_error("workload type " + std::string(type) + " has no bytes");
}

}  // namespace models::collective
