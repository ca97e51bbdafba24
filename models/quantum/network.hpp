#pragma once
// A quantum network running on the simulator: memories in routers, per-link entanglement
// generation, rule-based resource management (purify / swap / deliver / discard, in
// priority order), reservations of memories over time windows along statically routed
// paths, and request applications. Members are split over:
//   network.cpp     construction, sessions (reservation protocol, activation), results
//   generation.cpp  Barrett-Kok and single-heralded generation on each link
//   rules.cpp       the resource-management rules and the life of a pair
//
// Hot-path events capture [this, 64-bit key]: 16 bytes, stored inline in the event queue.
// The key packs an index with its sim::SlotPool generation, so events of a slot or pair
// that was released meanwhile recognise themselves as stale and do nothing (no cancellation).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "models/quantum/formalism.hpp"
#include "models/quantum/hardware.hpp"
#include "models/quantum/hardware_graph.hpp"
#include "sim/enum_names.hpp"
#include "sim/simulator.hpp"
#include "sim/slot_pool.hpp"
#include "sim/stats.hpp"

namespace models::quantum {

// Resource-management rules. Each router runs them, lowest priority value first, on a
// pair that both its ends know; the first whose condition holds decides (see rules.cpp).
enum class RuleAction : std::uint8_t {
  Discard,  // a pair below its span's threshold that purification cannot lift (F <= 1/2)
  Purify,   // a pair below its span's threshold, with a second such pair (lower end acts)
  Swap,     // at an intermediate router holding pairs to both nested-doubling partners
  Deliver,  // an end-to-end pair at or above the request's target fidelity
};
struct Rule {
  RuleAction action;
  int priority;
};
inline std::vector<Rule> default_rules() {
  return {{RuleAction::Discard, 0}, {RuleAction::Purify, 10}, {RuleAction::Swap, 20}, {RuleAction::Deliver, 30}};
}

// How long memories wait on classical messages around each protocol (README: "Protocol
// timing"). Reference: the message sequence of SeQUeNCe's stack -- generation pairs by a
// request from the upstream router (which polls every round trip while its partner is
// busy), swapping and purification first pair with the protocols at the far ends
// (REQUEST / RESPONSE), purification results cross both ways. Eager: the rules are agreed
// in advance, so a router swaps as soon as it holds both pairs and the initiator of a
// purification measures at once; what each end must learn still travels at the path delay.
enum class ProtocolTiming : std::uint8_t { Reference, Eager };
inline constexpr sim::EnumName<ProtocolTiming> kProtocolTimingNames[] = {{ProtocolTiming::Reference, "reference"},
                                                                         {ProtocolTiming::Eager, "eager"}};
constexpr std::span<const sim::EnumName<ProtocolTiming>> enum_names(ProtocolTiming) { return kProtocolTimingNames; }
const char* timing_name(ProtocolTiming timing);  // sim::name_of over kProtocolTimingNames

struct NetworkParams {
  FormalismKind formalism = FormalismKind::BellDiagonal;
  ProtocolTiming timing = ProtocolTiming::Reference;
  GenerationProtocol generation = GenerationProtocol::BarrettKok;
  PurifyParams purify;
  // Without a Purify rule, pairs below their threshold are discarded instead.
  std::vector<Rule> rules = default_rules();
  // Busy memories per router are sampled at this interval (0: only the time average).
  double utilisation_sample_s = 0.0;
  // Link-level pairs below this fidelity are purified before swapping (0: never).
  double link_purify_below = 0.0;
  // Delivered fidelities kept for the result (the tally keeps counting beyond it).
  std::size_t max_recorded_pairs = 1'000'000;
};

struct RequestSpec {
  int src = 0;
  int dst = 1;
  sim::Time start;
  sim::Time end = sim::Time::from_seconds(1.0);
  int memories = 10;             // at each end; intermediate routers reserve twice this
  double target_fidelity = 0.8;  // delivered pairs meet it (purified when raw pairs fall short)
  std::uint64_t pairs = 0;       // the request ends once this many are delivered (0: no limit)
};

// Poisson request traffic between uniformly chosen distinct routers.
struct RandomTraffic {
  double requests_per_s = 0.0;
  double window_s = 0.01;
  int memories = 5;
  double target_fidelity = 0.8;
  std::uint64_t pairs = 0;
};

struct LinkStats {
  std::uint64_t attempts = 0;
  std::uint64_t successes = 0;
  // Successes whose heralds were false (dark counts, multi-photon emission, two emitters):
  // the pair carries no entanglement. The routers cannot tell; this is ground truth.
  std::uint64_t false_heralds = 0;
  // At the link's BSM detectors: photons absorbed (after transmission and detector
  // efficiency), those that found their detector live (it fired), those whose click
  // fell inside the heralding window, and registered dark counts (gated: those in a
  // window; free-running: all of them).
  std::uint64_t photons_absorbed = 0;
  std::uint64_t photons_registered = 0;
  std::uint64_t photons_in_window = 0;
  std::uint64_t dark_clicks = 0;
};

struct RequestResult {
  int src = 0;
  int dst = 0;
  int hops = 0;
  bool accepted = false;
  std::uint64_t delivered = 0;
  double mean_fidelity = 0.0;         // true state of delivered pairs
  double mean_belief_fidelity = 0.0;  // what the routers believed of them
  double window_s = 0.0;              // the request's own window (start to end or to the last pair)
  double pairs_per_s = 0.0;           // delivered / window_s
  // Whether purification from the freshest end-to-end state can reach the target at all
  // (the recurrence's fixed point with the configured gates); best_fidelity is that bound.
  bool target_reachable = true;
  double best_fidelity = 1.0;
};

// An end-to-end pair as it is delivered to its request's ends.
struct DeliveredPair {
  int src = 0;
  int dst = 0;
  double fidelity = 0.0;         // true state
  double belief_fidelity = 0.0;  // what the routers believed
  std::uint32_t purifications = 0;
};

struct NetworkResults {
  std::uint64_t pairs_delivered = 0;
  sim::Tally delivered_fidelity{"fidelity"};
  sim::Tally delivered_belief{"fidelity"};  // the routers' belief about the same pairs
  std::vector<double> delivered_time_s;
  std::vector<double> delivered_fidelities;
  std::vector<double> delivered_beliefs;
  std::vector<std::uint32_t> delivered_purifications;
  std::vector<LinkStats> links;                        // per topology quantum link
  std::vector<sim::TimeWeighted> memories_busy;        // per router: memories not RAW
  std::vector<sim::TimeSeries> memories_busy_samples;  // per router, when sampling is on
  sim::Tally teleport_fidelity{"fidelity"};            // of a qubit teleported over each delivered pair
  std::uint64_t swaps = 0;
  std::uint64_t swaps_failed = 0;
  std::uint64_t purifications = 0;
  std::uint64_t purifications_failed = 0;
  std::uint64_t pairs_expired = 0;
  std::uint64_t pairs_discarded = 0;
  std::uint64_t requests_accepted = 0;
  std::uint64_t requests_rejected = 0;
  std::vector<RequestResult> requests;
};

class EntanglementNetwork {
 public:
  EntanglementNetwork(sim::Simulator& sim, const HardwareGraph& topology, const NetworkParams& params);
  ~EntanglementNetwork();
  EntanglementNetwork(const EntanglementNetwork&) = delete;
  EntanglementNetwork& operator=(const EntanglementNetwork&) = delete;

  // Starts the reservation protocol for `request` at the current simulated time.
  // Throws std::invalid_argument for unknown or unreachable routers.
  int submit(const RequestSpec& request);
  void start_random_traffic(const RandomTraffic& traffic, sim::Time until);

  // Results so far (per-request results are refreshed on each call). Time averages of
  // memories_busy are read with the simulator's now().
  const NetworkResults& results();
  // Called at each delivered pair, after results() counts it; it may submit requests.
  void set_pair_listener(std::function<void(const DeliveredPair&)> listener) { pair_listener_ = std::move(listener); }
  Formalism& formalism() { return *formalism_; }
  const HardwareGraph& topology() const { return topology_; }

 private:
  enum class MemState : std::uint8_t { Raw, Occupied, Entangled };
  static constexpr std::uint32_t kNone = 0xffffffffu;

  struct Memory {
    std::uint32_t router = 0;
    std::uint32_t pair = kNone;  // network pair record
    std::uint32_t session = kNone;
    std::uint32_t slot = kNone;  // generation slot this memory belongs to
    std::uint16_t pos = 0;       // position on the session's path
    MemState state = MemState::Raw;
    sim::Time raw_since;    // when it last became RAW (reference generation pairing)
    sim::Time next_excite;  // earliest next excitation (memory frequency)
  };
  struct RouterState {
    std::uint32_t first_memory = 0;
    std::uint32_t memories = 0;
    std::vector<std::uint32_t> free;  // memories not assigned to a session
    struct Booking {
      sim::Time start, end;
      int count;
      std::uint32_t session;
    };
    std::vector<Booking> bookings;
  };
  // Physical link runtime: shared by all sessions crossing it.
  struct LinkRt {
    double eta_a = 0, eta_b = 0;      // per-excitation click probability from each end (single photon)
    double emit_eff[2] = {1, 1};      // memory efficiency at each end (per excitation)
    double photon_eff[2] = {1, 1};    // per-photon source x fiber x detector efficiency
    double multi_photon[2] = {0, 0};  // source multi-photon probability at each end
    BellVector genuine_state{};       // state left by a genuine herald
    sim::Time d_cc, d_q, d_cm, bin;
    // Emission bins already taken by pending emissions (one per slot at most, so a
    // short vector; bins in the past are dropped when a new one is taken).
    std::vector<std::int64_t> taken_bins;
    sim::Time dead_until[2];
    double next_dark_ps[2] = {0, 0};  // free-running detectors: next dark count (Poisson)
    double raw_fidelity = 1.0;
    sim::RandomStream rng{0, 0};
    sim::RandomStream detector_rng{0, 0};  // jitter and free-running dark counts
  };
  // One pair of memories (one at each end of a hop) that generates entanglement.
  struct Slot {
    std::uint32_t session = kNone;
    std::uint32_t link = 0;
    std::uint32_t mem_a = 0, mem_b = 0;  // mem_a at the lower path position
    std::uint8_t round = 0;
    std::uint8_t excited = 0;  // bit 0: side a in |1> in round 1, bit 1: side b
    bool herald_ok = false;
    bool genuine = false;  // all heralds so far came from the right photons
    sim::Time emitted;
  };
  // What the routers know of a pair: the Bell-diagonal state its history implies (link
  // raw fidelity, idle times, swaps, purification results), without what no detector
  // reveals (a false herald). Rules decide on this; delivered pairs report the true state.
  struct Belief {
    BellVector state{};
    sim::Time at;
    QubitDecay qa, qb;
    double fidelity(sim::Time now) {
      if (now > at) {
        const double dt = (now - at).to_seconds();
        state = apply_pauli_channel(apply_pauli_channel(state, pauli_for_idle(qa, dt)), pauli_for_idle(qb, dt));
        at = now;
      }
      return state[kBellI];
    }
  };
  struct PairRec {
    Belief belief;
    std::uint32_t mem[2] = {kNone, kNone};  // end 0 at the lower path position
    std::uint16_t pos[2] = {0, 0};
    PairId state = 0;
    std::uint32_t session = kNone;
    std::uint32_t purifications = 0;
    sim::Time expires = sim::Time::max();
    sim::EventHandle expiry;
    std::uint8_t ready = 0;  // bit e: end e knows the pair (heralded / result arrived)
    bool doomed = false;     // a failed operation: ends free their memory when told
    bool locked = false;     // paired with a protocol that waits for the far ends' answer
    bool consumed = false;   // an end-to-end pair one end has taken (freed) already
    sim::Time known_by;      // when the last end to be told learns of it
  };
  enum class SessionState : std::uint8_t { Reserving, Approved, Active, Ended, Rejected };
  struct Session {
    RequestSpec request;
    std::vector<int> path;
    std::vector<int> links;                               // quantum link per hop
    std::vector<sim::Time> prefix_delay;                  // classical delay from path[0] along the path
    std::vector<int> left_partner, right_partner;         // nested-doubling swap partners per position
    std::vector<std::vector<std::uint32_t>> left, right;  // memories per position and side
    std::vector<std::uint32_t> slots;
    SessionState state = SessionState::Reserving;
    std::uint32_t epoch = 0;
    std::uint64_t delivered = 0;
    sim::Tally fidelity;
    sim::Tally belief;
    sim::Time closed = sim::Time::max();  // when it ended early (its pairs delivered)
    sim::Time approved;                   // when the destination approved the reservation
    double best_fidelity = 1.0;
    int last() const { return static_cast<int>(path.size()) - 1; }
    sim::Time delay(int u, int v) const {
      return u < v ? prefix_delay[v] - prefix_delay[u] : prefix_delay[u] - prefix_delay[v];
    }
  };

  static std::uint64_t pack(std::uint32_t index, std::uint32_t epoch) {
    return (static_cast<std::uint64_t>(epoch) << 32) | index;
  }
  static std::uint32_t index_of(std::uint64_t key) { return static_cast<std::uint32_t>(key); }
  static std::uint32_t epoch_of(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32); }

  // generation.cpp
  void start_slot(std::uint32_t s);
  // Emits at the first free fiber bin at or after `wanted` (and after both memories may
  // be excited again), with the herald due d_q later.
  void launch_round(std::uint32_t s, sim::Time wanted);
  void on_bsm(std::uint64_t key);
  void on_herald(std::uint64_t key);
  // Free-running detector d of `link`: registers its dark counts before `until_ps` (each
  // blinds the detector for the dead time); returns whether one was registered.
  bool advance_dark_counts(LinkRt& link, int d, double until_ps, LinkStats& stats);
  // Whether a click's jittered timestamp falls inside the heralding window.
  bool click_in_window(LinkRt& link);
  // rules.cpp
  void on_pair_ready(std::uint32_t p);
  void evaluate(std::uint32_t p, int end);
  // Whether `rule` matched (and then acted, or decided the pair waits).
  bool apply_rule(RuleAction rule, Session& s, std::uint32_t p, int u, int v, double f, double thr);
  void sample_utilisation();
  double threshold(const Session& s, int u, int v) const;
  std::uint32_t find_ready_pair(const Session& s, int u, int toward, int other_end, std::uint32_t exclude,
                                bool below_threshold);
  void do_swap(Session& s, int u, std::uint32_t left, std::uint32_t right);
  void do_purify(Session& s, std::uint32_t kept, std::uint32_t sacrificed);
  // Reference timing: both pairs wait `delay` for the far ends' RESPONSE, then `op` runs
  // (or, when one of them expired meanwhile, the other is offered to the rules again).
  void after_pairing(sim::Time delay, std::uint32_t a, std::uint32_t b, int u, bool swap);
  void on_paired(std::uint64_t key_a, std::uint64_t key_b, int u, bool swap);
  // The purification bound of a session's target (RequestResult::best_fidelity).
  double best_reachable_fidelity(const Session& s) const;
  void deliver(Session& s, std::uint32_t p);
  void discard(std::uint32_t p);
  void notify(std::uint32_t p, int end, sim::Time delay);
  void on_notify(std::uint64_t key);
  void on_expiry(std::uint64_t key);
  void schedule_expiry(std::uint32_t p);
  std::uint32_t new_pair();
  void free_pair(std::uint32_t p);
  void free_memory(std::uint32_t m);
  void set_state(std::uint32_t m, MemState st);
  // network.cpp
  void reserve_hop(std::uint32_t session, int hop);
  void activate(std::uint32_t session);
  void end_session(std::uint32_t session);
  void next_random_request();

  sim::Simulator& sim_;
  HardwareGraph topology_;
  NetworkParams params_;
  std::unique_ptr<Formalism> formalism_;
  sim::RandomStream rules_rng_;
  sim::RandomStream traffic_rng_;
  std::vector<Memory> memories_;
  std::vector<RouterState> routers_;
  std::vector<LinkRt> links_;
  std::vector<double> link_raw_fidelity_;
  std::vector<sim::Time> excite_period_;  // per router: 1 / memory frequency
  bool warned_unreachable_traffic_ = false;
  bool submitting_traffic_ = false;
  // Live while a session holds the slot / while the pair exists; events carry the
  // generation (pack) and do nothing once it has moved on.
  sim::SlotPool<Slot> slots_;
  sim::SlotPool<PairRec> pairs_;
  std::vector<Session> sessions_;
  RandomTraffic traffic_;
  sim::Time traffic_until_;
  NetworkResults results_;
  std::vector<Rule> rules_;  // sorted by priority
  bool purify_enabled_ = true;
  std::function<void(const DeliveredPair&)> pair_listener_;
};

}  // namespace models::quantum
