// The declarations of parameters.hpp.

#include "models/quantum/parameters.hpp"

#include <limits>

namespace models::quantum {
namespace {

constexpr std::optional<double> kNone = std::nullopt;
using sim::declare::boolean;
using sim::declare::integer;
using sim::declare::number;
using sim::declare::text;

std::vector<Parameter> declare() {
  const double max_int = static_cast<double>(std::numeric_limits<std::int64_t>::max());
  return {
      integer("", "seed", 1, 0, max_int, "run seed (`--seed` overrides it)"),
      number("", "duration_s", "s", 1.0, 0, 1e6, "simulated time; default: the topology file's `stop_time`, else 1",
             true),
      text("", "formalism", "bell_diagonal", sim::declare::choices_of<FormalismKind>(),
           "state formalism; default: the topology file's, else bell_diagonal"),
      text("", "generation", "barrett_kok", sim::declare::choices_of<GenerationProtocol>(),
           "entanglement generation protocol"),
      number("", "utilisation_sample_s", "s", 0.0, 0, 1e6, "interval of busy-memory samples per router (0: none)"),
      text("", "timing", "reference", sim::declare::choices_of<ProtocolTiming>(),
           "classical message sequence: reference (SeQUeNCe's: pairing handshakes before swapping and "
           "purification) or eager (rules agreed in advance: swap at once)"),

      text("topology", "type", "chain", {"chain", "star", "grid", "json", "graphml"},
           "built (chain, star, grid) or loaded from `file` (json: SeQUeNCe router network; graphml)"),
      text("topology", "file", "", {}, "json, graphml: the file, relative to the scenario (required)"),
      integer("topology", "routers", 2, 2, 1e6, "chain: routers r0..r(N-1)"),
      integer("topology", "leaves", 4, 1, 1e5, "star: leaves r1..rN around \"center\""),
      integer("topology", "rows", 3, 1, 1e4, "grid: rows"),
      integer("topology", "cols", 3, 1, 1e4, "grid: columns"),
      number("topology", "link_km", "km", 10.0, 1e-6, 1e5,
             "fiber length of every link (json, graphml: replaces the file's when given)"),
      integer("topology", "memories", 20, 1, 1e5, "chain, star, grid: memories per router"),
      number("topology", "attenuation_db_per_km", "dB/km", 0.2, 0, 100,
             "fiber attenuation (json, graphml: replaces the file's when given)"),
      number("topology", "classical_delay_us", "us", kNone, 0, 1e9,
             "given: every link's router-router classical delay (else the fiber's, or the file's)"),

      number("memory", "efficiency", "", 1.0, 0, 1, "probability an excitation emits a photon"),
      number("memory", "raw_fidelity", "", 0.95, 0.25, 1, "Werner fidelity of freshly heralded pairs"),
      number("memory", "frequency_hz", "Hz", 80e6, 1, 1e15, "maximum excitation rate"),
      number("memory", "coherence_time_s", "s", 0.0, 0, 1e9, "coherence time (T2); 0: never decays"),
      number("memory", "t1_s", "s", kNone, 0, 1e9, "given: the T1/T2 model with T2 = coherence_time_s", true),
      number("memory", "cutoff_ratio", "", 1.0, 1e-6, 1e9,
             "pairs are dropped this many coherence times after heralding"),

      number("source", "efficiency", "", 1.0, 0, 1, "collection and fiber-coupling efficiency per photon"),
      number("source", "frequency_hz", "Hz", kNone, 1, 1e15, "pulse repetition rate; absent: only the memory limits"),
      number("source", "multi_photon_probability", "", 0.0, 0, 1, "probability an emission carries a second photon"),
      number("source", "indistinguishability", "", 1.0, 0, 1, "two-photon interference visibility"),

      number("detector", "efficiency", "", 0.9, 0, 1, "click probability per arriving photon"),
      number("detector", "dark_count_rate_hz", "Hz", 0.0, 0, 1e12, "dark counts (Poisson)"),
      number("detector", "time_resolution_ps", "ps", 150.0, 0, 1e12,
             "click jitter (Gaussian sigma), shortest time bin"),
      number("detector", "count_rate_hz", "Hz", 50e6, 1, 1e15, "dead time = 1 / count rate"),
      number("detector", "herald_window_ps", "ps", 0.0, 0, 1e12, "half-width of the heralding window (0: none)"),
      boolean("detector", "free_running", false, "dark counts at all times, every click blinds (else gated)"),

      number("swap", "success_probability", "", 1.0, 0, 1, "Bell-state measurement success"),
      number("swap", "gate_fidelity", "", 1.0, 0, 1, "two-qubit gate fidelity (Pauli-frame model)"),
      number("swap", "degradation", "", kNone, 0, 1, "given: the empirical model F = F1 F2 degradation"),

      boolean("purify", "enabled", true, "false: pairs below their threshold are discarded instead"),
      number("purify", "gate_fidelity", "", 1.0, 0, 1, "bilateral CNOT fidelity"),
      number("purify", "measurement_fidelity", "", 1.0, 0, 1, "measurement fidelity"),
      number("purify", "link_below", "", 0.0, 0, 1, "link pairs below this fidelity are purified before swapping"),
      text("purify", "protocol", "dejmps", sim::declare::choices_of<PurifyProtocol>(),
           "round: dejmps (rotations between rounds, converges) or bbpssw (bilateral CNOT only)"),
      boolean("purify", "twirl", false, "twirl both pairs into Werner states first (original BBPSSW)"),

      text("request", "src", "", {}, "router at one end (required)"),
      text("request", "dst", "", {}, "router at the other end (required)"),
      number("request", "start_s", "s", 0.0, 0, 1e6, "start of the window"),
      number("request", "end_s", "s", kNone, 0, 1e6, "end of the window; default: duration_s"),
      integer("request", "memories", 10, 1, 1e5, "memories at each end (routers in between reserve twice this)"),
      number("request", "target_fidelity", "", 0.8, 0.25, 1, "delivered pairs meet it (purified if need be)", true),
      integer("request", "pairs", 0, 0, max_int, "the request ends after this many pairs (0: no limit)"),

      number("traffic", "requests_per_s", "1/s", kNone, 1e-9, 1e9, "Poisson request rate (required)"),
      number("traffic", "window_s", "s", 0.01, 1e-12, 1e6, "window of each request"),
      integer("traffic", "memories", 5, 1, 1e5, "memories at each end of each request"),
      number("traffic", "target_fidelity", "", 0.8, 0.25, 1, "target fidelity of each request", true),
      integer("traffic", "pairs", 0, 0, max_int, "pairs per request (0: no limit)"),
  };
}

}  // namespace

const std::vector<Parameter>& parameters() {
  static const std::vector<Parameter> all = declare();
  return all;
}

const Parameter& parameter(std::string_view table, std::string_view key) {
  return sim::find_parameter(parameters(), table, key, "quantum");
}

std::string parameters_markdown() { return sim::parameters_markdown(parameters()); }

}  // namespace models::quantum
