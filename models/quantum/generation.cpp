// Entanglement generation on one hop, one slot (memory pair) at a time.
//
// Barrett-Kok, meet in the middle: each round the routers negotiate over the classical
// channel (round 1: REQUEST, NEGOTIATE, NEGOTIATE_ACK = 3 one-way delays, round 2: 2),
// both memories emit into their fiber half, the BSM node decides on photon arrival and
// heralds back. Under reference timing a round 1 after the downstream memory was the one
// still busy starts at the upstream router's next polling REQUEST (start_slot). A round succeeds on
// exactly one detector click. The memories' Z-basis populations are sampled in round 1
// (|1> emits) and flipped for round 2, which reproduces the click statistics exactly:
// P(round 1) = eta - 3/8 eta^2 and P(success) = eta^2 / 2.
// Single-heralded: one round; both memories emit; success on clicks in both detectors.
//
// Each excitation goes through the memory's single-photon source (collection efficiency,
// an occasional second photon, imperfect indistinguishability) and the BSM detectors
// (efficiency, timing jitter against the heralding window, dark counts, dead time); see
// SourceParams and DetectorParams. Jitter and free-running dark counts are drawn from the
// detectors' own stream, so turning them on leaves the link's other draws unchanged.

#include <algorithm>
#include <bit>
#include <cmath>

#include "models/quantum/network.hpp"

namespace models::quantum {

void EntanglementNetwork::start_slot(std::uint32_t s) {
  Slot& slot = slots_[s];
  if (!slots_.live(s) || memories_[slot.mem_a].state != MemState::Raw || memories_[slot.mem_b].state != MemState::Raw)
    return;
  const LinkRt& link = links_[slot.link];
  const sim::Time up = memories_[slot.mem_a].raw_since;    // requests the pairing
  const sim::Time down = memories_[slot.mem_b].raw_since;  // waits for a request, then negotiates
  // REQUEST, then NEGOTIATE and NEGOTIATE_ACK before both emit.
  sim::Time wanted = sim_.now() + link.d_cc * 3;
  const std::int64_t d = link.d_cc.ps();
  if (params_.timing == ProtocolTiming::Reference && down > up && d > 0) {
    // The upstream router sent its REQUEST when its memory became RAW and, refused, again
    // every round trip; the first to arrive once the partner is RAW pairs them.
    const std::int64_t late = (down - up).ps() - d;
    const std::int64_t k = late <= 0 ? 0 : (late + 2 * d - 1) / (2 * d);
    wanted = up + sim::Time::from_ps(d + 2 * k * d + 2 * d);
  }
  set_state(slot.mem_a, MemState::Occupied);
  set_state(slot.mem_b, MemState::Occupied);
  slot.round = 1;
  slot.genuine = true;
  launch_round(s, wanted);
}

void EntanglementNetwork::launch_round(std::uint32_t s, sim::Time wanted) {
  Slot& slot = slots_[s];
  LinkRt& link = links_[slot.link];
  if (slot.round == 1) ++results_.links[slot.link].attempts;
  Memory& ma = memories_[slot.mem_a];
  Memory& mb = memories_[slot.mem_b];
  // Each memory is excited at most once per period of its own frequency; the fiber
  // carries one photon per time bin: the first free bin after both allow it. Reference
  // timing: the router answering NEGOTIATE waits for its memory before it sets the
  // emission time one delay ahead (for NEGOTIATE_ACK).
  const sim::Time ready = std::max(ma.next_excite, mb.next_excite);
  const sim::Time earliest = std::max(
      wanted, params_.timing == ProtocolTiming::Reference && ready > sim::Time::zero() ? ready + link.d_cc : ready);
  const std::int64_t bin_ps = link.bin.ps();
  const std::int64_t now_bin = sim_.now().ps() / bin_ps;
  std::erase_if(link.taken_bins, [now_bin](std::int64_t b) { return b < now_bin; });
  std::int64_t bin = earliest.ps() / bin_ps + 1;
  while (std::find(link.taken_bins.begin(), link.taken_bins.end(), bin) != link.taken_bins.end()) ++bin;
  link.taken_bins.push_back(bin);
  const sim::Time emit = sim::Time::from_ps(bin * bin_ps);
  ma.next_excite = emit + excite_period_[ma.router];
  mb.next_excite = emit + excite_period_[mb.router];
  slot.emitted = emit;
  sim_.schedule_at(emit + link.d_q, [this, key = pack(s, slots_.generation(s))] { on_bsm(key); });
}

void EntanglementNetwork::on_bsm(std::uint64_t key) {
  if (slots_.generation(index_of(key)) != epoch_of(key)) return;
  Slot& slot = slots_[index_of(key)];
  LinkRt& link = links_[slot.link];
  auto& rng = link.rng;
  const sim::Time now = sim_.now();
  const bool barrett_kok = params_.generation == GenerationProtocol::BarrettKok;

  std::uint8_t emitting = 0b11;  // single-heralded: both memories always emit
  if (barrett_kok) {
    if (slot.round == 1) {
      slot.excited = static_cast<std::uint8_t>((rng.bernoulli(0.5) ? 1 : 0) | (rng.bernoulli(0.5) ? 2 : 0));
      emitting = slot.excited;
    } else {
      emitting = static_cast<std::uint8_t>(~slot.excited & 0b11);
    }
  }
  // Photons absorbed by each detector. The beam splitter sends each photon to either
  // detector with probability 1/2.
  int absorbed[2] = {0, 0};
  bool multi_photon = false;
  const double eta[2] = {link.eta_a, link.eta_b};
  for (int side = 0; side < 2; ++side) {
    if (!(emitting & (1u << side))) continue;
    const double p_multi = link.multi_photon[side];
    if (p_multi > 0 && rng.bernoulli(p_multi)) {
      if (!rng.bernoulli(link.emit_eff[side])) continue;
      // The second photon reveals the emitter wherever it ends up (fiber, detector, lost).
      multi_photon = true;
      for (int k = 0; k < 2; ++k)
        if (rng.bernoulli(link.photon_eff[side])) ++absorbed[rng.bernoulli(0.5) ? 1 : 0];
      continue;
    }
    if (!rng.bernoulli(eta[side])) continue;
    ++absorbed[rng.bernoulli(0.5) ? 1 : 0];
  }
  const auto& det = topology_.detector;
  LinkStats& stats = results_.links[slot.link];
  stats.photons_absorbed += static_cast<std::uint64_t>(absorbed[0] + absorbed[1]);
  unsigned clicks = 0;  // detectors whose click counts for this round's herald
  int photons_detected = 0;
  bool dark = false;
  if (det.free_running) {
    // Events of each detector in time order: dark counts before the window (they only
    // blind), dark counts in the window's first half, the photons at `now`, dark counts in
    // the window's second half. A detector fires at most once per dead time.
    const double t = static_cast<double>(now.ps());
    const double h = det.dark_window_ps() / 2.0;
    for (int d = 0; d < 2; ++d) {
      const unsigned bit = 1u << d;
      advance_dark_counts(link, d, t - h, stats);
      bool dark_here = advance_dark_counts(link, d, t, stats);
      if (absorbed[d] > 0 && link.dead_until[d] <= now) {
        link.dead_until[d] = now + det.dead_time();
        stats.photons_registered += static_cast<std::uint64_t>(absorbed[d]);
        if (click_in_window(link)) {
          clicks |= bit;
          photons_detected += absorbed[d];
          stats.photons_in_window += static_cast<std::uint64_t>(absorbed[d]);
        }
      }
      dark_here = advance_dark_counts(link, d, t + h, stats) || dark_here;
      if (dark_here) {
        dark = dark || !(clicks & bit);
        clicks |= bit;
      }
    }
  } else {
    unsigned fired = 0;
    for (int d = 0; d < 2; ++d) {
      if (absorbed[d] == 0 || link.dead_until[d] > now) continue;
      fired |= 1u << d;
      stats.photons_registered += static_cast<std::uint64_t>(absorbed[d]);
      // Photons absorbed together make one click with one timestamp.
      if (!click_in_window(link)) continue;
      clicks |= 1u << d;
      photons_detected += absorbed[d];
      stats.photons_in_window += static_cast<std::uint64_t>(absorbed[d]);
    }
    // Gated detectors: dark counts only while armed, i.e. within the window.
    const double p_dark = det.dark_click_probability();
    if (p_dark > 0) {
      for (int d = 0; d < 2; ++d)
        if (rng.bernoulli(p_dark)) {
          ++stats.dark_clicks;
          dark = dark || !(clicks & (1u << d));
          clicks |= 1u << d;
          fired |= 1u << d;
        }
    }
    for (int d = 0; d < 2; ++d)
      if (fired & (1u << d)) link.dead_until[d] = now + det.dead_time();
  }

  if (barrett_kok) {
    slot.herald_ok = std::popcount(clicks) == 1;
    // A herald is genuine when it came from the single photon of a one-emitter round.
    slot.genuine = slot.genuine && !dark && !multi_photon && photons_detected == 1 && std::popcount(emitting) == 1;
  } else {
    slot.herald_ok = clicks == 0b11;
    slot.genuine = !dark && !multi_photon && photons_detected == 2;
  }
  sim_.schedule(link.d_cm, [this, key] { on_herald(key); });
}

bool EntanglementNetwork::click_in_window(LinkRt& link) {
  const auto& det = topology_.detector;
  if (!(det.herald_window_ps > 0) || !(det.time_resolution_ps > 0)) return true;
  return std::abs(link.detector_rng.normal(0.0, det.time_resolution_ps)) <= det.herald_window_ps;
}

bool EntanglementNetwork::advance_dark_counts(LinkRt& link, int d, double until_ps, LinkStats& stats) {
  const auto& det = topology_.detector;
  if (!(det.dark_count_rate_hz > 0)) return false;
  const double mean_gap_ps = 1e12 / det.dark_count_rate_hz;
  const double dead_ps = static_cast<double>(det.dead_time().ps());
  bool registered = false;
  double& next = link.next_dark_ps[d];
  while (next < until_ps) {
    // Non-paralysable: a dark count while dead is not seen and does not extend the dead time.
    if (next >= static_cast<double>(link.dead_until[d].ps())) {
      link.dead_until[d] = sim::Time::from_ps(static_cast<std::int64_t>(std::ceil(next + dead_ps)));
      ++stats.dark_clicks;
      registered = true;
    }
    next += link.detector_rng.exponential(mean_gap_ps);
  }
  return registered;
}

void EntanglementNetwork::on_herald(std::uint64_t key) {
  const std::uint32_t s = index_of(key);
  if (slots_.generation(s) != epoch_of(key)) return;
  Slot& slot = slots_[s];
  const bool last_round = params_.generation == GenerationProtocol::SingleHeralded || slot.round == 2;
  const sim::Time d_cc = links_[slot.link].d_cc;
  if (!slot.herald_ok) {
    // Both ends learn the failure together; the memories are reset and paired again.
    slot.round = 1;
    slot.genuine = true;
    launch_round(s, sim_.now() + d_cc * 3);
    return;
  }
  if (!last_round) {
    slot.round = 2;
    launch_round(s, sim_.now() + d_cc * 2);  // NEGOTIATE, NEGOTIATE_ACK
    return;
  }
  ++results_.links[slot.link].successes;
  if (!slot.genuine) ++results_.links[slot.link].false_heralds;
  const LinkRt& link = links_[slot.link];
  const Memory& ma = memories_[slot.mem_a];
  const Memory& mb = memories_[slot.mem_b];
  const auto& spec_a = topology_.memory[ma.router];
  const auto& spec_b = topology_.memory[mb.router];
  // The qubits are entangled from the emission on; a false herald leaves no entanglement.
  const BellVector state = slot.genuine ? link.genuine_state : maximally_mixed();
  const std::uint32_t p = new_pair();
  PairRec& rec = pairs_[p];
  rec.state = formalism_->create(state, slot.emitted, spec_a.decay(), spec_b.decay());
  rec.belief = {link.genuine_state, slot.emitted, spec_a.decay(), spec_b.decay()};
  rec.mem[0] = slot.mem_a;
  rec.mem[1] = slot.mem_b;
  rec.pos[0] = ma.pos;
  rec.pos[1] = mb.pos;
  rec.session = slot.session;
  rec.ready = 0b11;
  const double cutoff_s =
      std::min(spec_a.cutoff_ratio * spec_a.coherence_time_s, spec_b.cutoff_ratio * spec_b.coherence_time_s);
  if (std::isfinite(cutoff_s) && cutoff_s < 1e6) {  // beyond ~11 days: never
    rec.expires = slot.emitted + sim::Time::from_seconds(cutoff_s);
    schedule_expiry(p);
  }
  memories_[slot.mem_a].pair = p;
  memories_[slot.mem_b].pair = p;
  set_state(slot.mem_a, MemState::Entangled);
  set_state(slot.mem_b, MemState::Entangled);
  on_pair_ready(p);
}

}  // namespace models::quantum
