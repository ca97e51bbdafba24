// Resource management: when a pair becomes known at both ends, each end runs the rules
// (RuleAction in network.hpp) in priority order; the first whose condition holds decides.
// Rules read the routers' belief about a pair (EntanglementNetwork::Belief), not its true state.
// A span's threshold is the request's target for end-to-end pairs, the link purification
// threshold for one-hop pairs, and none in between. Delivery consumes the pair as a
// teleportation would.
// Operations whose outcome the far end learns by message clear the pair's ready bits and
// notify each end after the classical delay; the pair keeps decohering meanwhile.

#include <algorithm>

#include "models/quantum/network.hpp"

namespace models::quantum {

double EntanglementNetwork::threshold(const Session& s, int u, int v) const {
  const int lo = std::min(u, v);
  const int hi = std::max(u, v);
  if (lo == 0 && hi == s.last()) return s.request.target_fidelity;
  if (hi - lo == 1) return params_.link_purify_below;
  return 0.0;
}

void EntanglementNetwork::on_pair_ready(std::uint32_t p) {
  const auto handle = pairs_.handle(p);
  evaluate(p, 0);
  if (pairs_.holds(handle) && pairs_[p].ready == 0b11) evaluate(p, 1);
}

std::uint32_t EntanglementNetwork::find_ready_pair(const Session& s, int u, int toward, int other_end,
                                                   std::uint32_t exclude, bool below_threshold) {
  const auto& side = toward < u ? s.left[u] : s.right[u];
  const double thr = threshold(s, u, other_end);
  // Purification pairs two pairs of the same round (symmetric recurrence). Only when no
  // memory of this side is left to bring a partner (all hold waiting pairs) does it pump
  // with another round rather than stall.
  const std::uint32_t rounds = pairs_[exclude].purifications;
  std::uint32_t fallback = kNone;
  bool can_generate = false;
  for (const std::uint32_t m : side) {
    const Memory& mem = memories_[m];
    if (mem.state != MemState::Entangled) can_generate = true;
    if (mem.state != MemState::Entangled || mem.pair == exclude || mem.pair == kNone) continue;
    PairRec& rec = pairs_[mem.pair];
    if (!pairs_.live(mem.pair) || rec.doomed || rec.locked || rec.ready != 0b11) continue;
    const int far = rec.pos[0] == u ? rec.pos[1] : rec.pos[0];
    if (far != other_end) continue;
    if (thr > 0) {
      const double f = rec.belief.fidelity(sim_.now());
      if (below_threshold != (f < thr)) continue;
    }
    if (!below_threshold || rec.purifications == rounds) return mem.pair;
    if (fallback == kNone) fallback = mem.pair;
  }
  return can_generate ? kNone : fallback;
}

void EntanglementNetwork::evaluate(std::uint32_t p, int end) {
  PairRec& rec = pairs_[p];
  Session& s = sessions_[rec.session];
  if (s.state != SessionState::Active) return;
  const int u = rec.pos[end];
  const int v = rec.pos[1 - end];
  const double thr = threshold(s, u, v);
  const double f = thr > 0 ? rec.belief.fidelity(sim_.now()) : 1.0;
  for (const Rule& rule : rules_)
    if (apply_rule(rule.action, s, p, u, v, f, thr)) return;
}

bool EntanglementNetwork::apply_rule(RuleAction rule, Session& s, std::uint32_t p, int u, int v, double f, double thr) {
  const bool below = thr > 0 && f < thr;
  switch (rule) {
    case RuleAction::Discard:
      if (!below || (f > 0.5 && purify_enabled_)) return false;
      ++results_.pairs_discarded;
      discard(p);
      return true;
    case RuleAction::Purify: {
      if (!below) return false;
      if (u > v) return true;  // the lower end initiates; this end waits
      const std::uint32_t q = find_ready_pair(s, u, v, v, p, true);
      if (q == kNone) return true;
      const double fq = pairs_[q].belief.fidelity(sim_.now());
      const std::uint32_t kept = f >= fq ? p : q;
      const std::uint32_t sacrificed = f >= fq ? q : p;
      // Reference: the far end's protocol answers the REQUEST and measures first.
      if (params_.timing == ProtocolTiming::Reference)
        after_pairing(s.delay(u, v) * 2, kept, sacrificed, u, false);
      else
        do_purify(s, kept, sacrificed);
      return true;
    }
    case RuleAction::Swap: {
      if (below || u == 0 || u == s.last()) return false;
      int other = -1;
      if (v == s.left_partner[u])
        other = s.right_partner[u];
      else if (v == s.right_partner[u])
        other = s.left_partner[u];
      if (other < 0) return false;
      const std::uint32_t q = find_ready_pair(s, u, other, other, p, false);
      if (q == kNone) return true;
      const std::uint32_t left = v < u ? p : q;
      const std::uint32_t right = v < u ? q : p;
      if (params_.timing == ProtocolTiming::Reference) {
        // REQUEST to both far ends, whose swapping protocols answer before the measurement.
        const sim::Time rtt = std::max(s.delay(u, pairs_[left].pos[0]), s.delay(u, pairs_[right].pos[1])) * 2;
        after_pairing(rtt, left, right, u, true);
      } else {
        do_swap(s, u, left, right);
      }
      return true;
    }
    case RuleAction::Deliver:
      if (below || std::min(u, v) != 0 || std::max(u, v) != s.last()) return false;
      deliver(s, p);
      return true;
  }
  return false;
}

void EntanglementNetwork::do_swap(Session& s, int u, std::uint32_t left, std::uint32_t right) {
  const sim::Time now = sim_.now();
  const SwapParams& sp = topology_.swap;
  PairRec l = pairs_[left];
  PairRec r = pairs_[right];
  const bool ok = sp.success_probability >= 1.0 || rules_rng_.bernoulli(sp.success_probability);
  const std::uint32_t q = new_pair();
  PairRec& out = pairs_[q];
  out.mem[0] = l.mem[0];
  out.mem[1] = r.mem[1];
  out.pos[0] = l.pos[0];
  out.pos[1] = r.pos[1];
  out.session = l.session;
  out.ready = 0;
  out.expires = std::min(l.expires, r.expires);
  out.purifications = l.purifications + r.purifications;
  if (ok) {
    ++results_.swaps;
    double f_empirical = 0.0;
    l.belief.fidelity(now);  // brings both beliefs to now
    r.belief.fidelity(now);
    out.belief = {swap_bell(l.belief.state, r.belief.state, sp.gate_fidelity), now, l.belief.qa, r.belief.qb};
    if (sp.empirical) {
      f_empirical = formalism_->fidelity(l.state, now) * formalism_->fidelity(r.state, now) * sp.degradation;
      out.belief.state = werner(l.belief.fidelity(now) * r.belief.fidelity(now) * sp.degradation);
    }
    out.state = formalism_->swap(l.state, r.state, now, sp.gate_fidelity, rules_rng_);
    if (sp.empirical) formalism_->set_werner(out.state, f_empirical, now);
  } else {
    ++results_.swaps_failed;
    formalism_->release(l.state);
    formalism_->release(r.state);
    out.doomed = true;
  }
  memories_[out.mem[0]].pair = q;
  memories_[out.mem[1]].pair = q;
  free_pair(left);
  free_pair(right);
  free_memory(l.mem[1]);
  free_memory(r.mem[0]);
  notify(q, 0, s.delay(u, out.pos[0]));
  notify(q, 1, s.delay(u, out.pos[1]));
  if (ok && out.expires != sim::Time::max()) schedule_expiry(q);
}

void EntanglementNetwork::after_pairing(sim::Time delay, std::uint32_t a, std::uint32_t b, int u, bool swap) {
  pairs_[a].locked = true;
  pairs_[b].locked = true;
  sim_.schedule(delay, [this, ka = pack(a, pairs_.generation(a)), kb = pack(b, pairs_.generation(b)), u, swap] {
    on_paired(ka, kb, u, swap);
  });
}

void EntanglementNetwork::on_paired(std::uint64_t key_a, std::uint64_t key_b, int u, bool swap) {
  const std::uint32_t a = index_of(key_a);
  const std::uint32_t b = index_of(key_b);
  const bool live_a = pairs_.holds({a, epoch_of(key_a)});
  const bool live_b = pairs_.holds({b, epoch_of(key_b)});
  if (live_a) pairs_[a].locked = false;
  if (live_b) pairs_[b].locked = false;
  if (live_a && live_b) {
    Session& s = sessions_[pairs_[a].session];
    if (swap)
      do_swap(s, u, a, b);
    else
      do_purify(s, a, b);
    return;
  }
  // One of them expired while the far ends answered: the other is free for the rules again.
  if (live_a) on_pair_ready(a);
  if (live_b) on_pair_ready(b);
}

void EntanglementNetwork::do_purify(Session& s, std::uint32_t kept, std::uint32_t sacrificed) {
  PairRec& k = pairs_[kept];
  const sim::Time now = sim_.now();
  const auto outcome = formalism_->purify(k.state, pairs_[sacrificed].state, now, params_.purify, rules_rng_);
  if (outcome.success) {
    // The routers know the round succeeded; the formula gives the state that implies.
    const double fk = k.belief.fidelity(now);
    const double fs = pairs_[sacrificed].belief.fidelity(now);
    const PurifyParams& pp = params_.purify;
    const BellVector in_k = pp.twirl ? werner(fk) : k.belief.state;
    const BellVector in_s = pp.twirl ? werner(fs) : pairs_[sacrificed].belief.state;
    k.belief.state =
        (pp.protocol == PurifyProtocol::Dejmps ? purify_dejmps(in_k, in_s, pp.gate_fidelity, pp.measurement_fidelity)
                                               : purify_bell(in_k, in_s, pp.gate_fidelity, pp.measurement_fidelity))
            .state;
    ++results_.purifications;
    ++k.purifications;
  } else {
    ++results_.purifications_failed;
    k.doomed = true;
  }
  // End 0 (the lower position) initiated. Reference: it measures now, on the RESPONSE
  // that came with the far end's result, and the far end learns one delay later. Eager:
  // it measured first, the far end measures on its message and answers.
  const sim::Time d = s.delay(k.pos[0], k.pos[1]);
  const bool reference = params_.timing == ProtocolTiming::Reference;
  k.ready = 0;
  notify(kept, 0, reference ? sim::Time::zero() : d * 2);
  notify(kept, 1, d);
  // The measured memories are free once measured and their result exchanged: the
  // initiator's now, the far end's when the other result reaches it.
  PairRec& sac = pairs_[sacrificed];
  sac.doomed = true;  // its state went with the measurement
  sac.ready = 0;
  const std::uint32_t here = sac.mem[0];
  if (memories_[here].pair == sacrificed) {
    sac.ready = 0b01;
    free_memory(here);
  }
  notify(sacrificed, 1, d);
}

void EntanglementNetwork::deliver(Session& s, std::uint32_t p) {
  PairRec& rec = pairs_[p];
  const double f = formalism_->fidelity(rec.state, sim_.now());
  const double believed = rec.belief.fidelity(sim_.now());
  ++results_.pairs_delivered;
  results_.delivered_fidelity.add(f);
  results_.delivered_belief.add(believed);
  results_.teleport_fidelity.add((2.0 * f + 1.0) / 3.0);  // average over input states
  if (results_.delivered_fidelities.size() < params_.max_recorded_pairs) {
    results_.delivered_fidelities.push_back(f);
    results_.delivered_beliefs.push_back(believed);
    results_.delivered_time_s.push_back(sim_.now().to_seconds());
    results_.delivered_purifications.push_back(rec.purifications);
  }
  ++s.delivered;
  s.fidelity.add(f);
  s.belief.add(believed);
  const DeliveredPair pair{s.request.src, s.request.dst, f, believed, rec.purifications};
  discard(p);
  if (s.request.pairs > 0 && s.delivered >= s.request.pairs) {
    end_session(static_cast<std::uint32_t>(&s - sessions_.data()));
  }
  // Last: the listener may submit a request, which can move sessions_.
  if (pair_listener_) pair_listener_(pair);
}

void EntanglementNetwork::discard(std::uint32_t p) {
  const PairRec rec = pairs_[p];
  if (!rec.doomed) formalism_->release(rec.state);
  free_pair(p);
  for (const std::uint32_t m : rec.mem)
    if (memories_[m].pair == p) free_memory(m);
}

void EntanglementNetwork::notify(std::uint32_t p, int end, sim::Time delay) {
  pairs_[p].known_by = std::max(pairs_[p].known_by, sim_.now() + delay);
  const std::uint32_t index = p | (static_cast<std::uint32_t>(end) << 31);
  sim_.schedule(delay, [this, key = pack(index, pairs_.generation(p))] { on_notify(key); });
}

void EntanglementNetwork::on_notify(std::uint64_t key) {
  const std::uint32_t p = index_of(key) & 0x7fffffffu;
  const int end = static_cast<int>(index_of(key) >> 31);
  if (!pairs_.holds({p, epoch_of(key)})) return;
  PairRec& rec = pairs_[p];
  rec.ready |= static_cast<std::uint8_t>(1u << end);
  if (rec.doomed) {
    const std::uint32_t m = rec.mem[end];
    const bool done = rec.ready == 0b11;
    if (done) free_pair(p);
    if (memories_[m].pair == p) free_memory(m);
    return;
  }
  if (rec.ready == 0b11) {
    if (rec.consumed) {
      deliver(sessions_[rec.session], p);  // the other end took its half already
    } else {
      on_pair_ready(p);
    }
    return;
  }
  // Reference: an end's application takes its half of an end-to-end pair that meets the
  // target as soon as that end learns of it (a swap nearer the other end tells it first).
  Session& s = sessions_[rec.session];
  if (params_.timing != ProtocolTiming::Reference || s.state != SessionState::Active) return;
  if (std::min(rec.pos[0], rec.pos[1]) != 0 || std::max(rec.pos[0], rec.pos[1]) != s.last()) return;
  // It must still meet the target when the other end learns of it and takes its half.
  Belief then = rec.belief;
  if (then.fidelity(std::max(rec.known_by, sim_.now())) < s.request.target_fidelity) return;
  rec.consumed = true;
  const std::uint32_t m = rec.mem[end];
  if (memories_[m].pair == p) free_memory(m);
}

void EntanglementNetwork::on_expiry(std::uint64_t key) {
  const std::uint32_t p = index_of(key);
  if (!pairs_.holds({p, epoch_of(key)}) || pairs_[p].doomed) return;
  ++results_.pairs_expired;
  discard(p);
}

std::uint32_t EntanglementNetwork::new_pair() {
  const std::uint32_t p = pairs_.acquire();
  pairs_[p] = PairRec{};
  return p;
}

void EntanglementNetwork::schedule_expiry(std::uint32_t p) {
  PairRec& rec = pairs_[p];
  rec.expiry =
      sim_.schedule_at(std::max(rec.expires, sim_.now()), [this, k = pack(p, pairs_.generation(p))] { on_expiry(k); });
}

void EntanglementNetwork::free_pair(std::uint32_t p) {
  PairRec& rec = pairs_[p];
  // Most pairs are consumed long before their cutoff: drop the event rather than let it
  // run for nothing (and keep the pending set small).
  if (rec.expiry.valid()) sim_.cancel(rec.expiry);
  rec.expiry = {};
  pairs_.release(p);
}

void EntanglementNetwork::set_state(std::uint32_t m, MemState st) {
  Memory& mem = memories_[m];
  const bool was_busy = mem.state != MemState::Raw;
  const bool busy = st != MemState::Raw;
  if (was_busy != busy) results_.memories_busy[mem.router].add(sim_.now(), busy ? 1.0 : -1.0);
  if (was_busy && !busy) mem.raw_since = sim_.now();
  mem.state = st;
}

void EntanglementNetwork::free_memory(std::uint32_t m) {
  Memory& mem = memories_[m];
  mem.pair = kNone;
  set_state(m, MemState::Raw);
  if (mem.slot != kNone) start_slot(mem.slot);
}

}  // namespace models::quantum
