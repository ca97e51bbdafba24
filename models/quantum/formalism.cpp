#include "models/quantum/formalism.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/quantum/density_matrix.hpp"
#include "sim/slot_pool.hpp"

namespace models::quantum {

FormalismKind parse_formalism(const std::string& name) { return sim::parse_enum<FormalismKind>(name, "formalism"); }

// Names are string literals, so the view is null-terminated.
const char* formalism_name(FormalismKind kind) { return sim::name_of(kind).data(); }

namespace {

// Slot storage shared by both formalisms: State is the per-pair representation.
template <class State>
class PairTable {
 public:
  struct Entry {
    State state;
    sim::Time updated;
    QubitDecay qa;
    QubitDecay qb;
  };
  PairId add(Entry e) {
    const PairId id = entries_.acquire();
    entries_[id] = std::move(e);
    return id;
  }
  void remove(PairId id) { entries_.release(id); }
  Entry& at(PairId id) { return entries_[id]; }
  std::size_t live() const { return entries_.live_count(); }

 private:
  sim::SlotPool<Entry> entries_;
};

class BellDiagonalFormalism final : public Formalism {
 public:
  PairId create(const BellVector& state, sim::Time at, const QubitDecay& qa, const QubitDecay& qb) override {
    return table_.add({state, at, qa, qb});
  }
  void release(PairId id) override { table_.remove(id); }
  BellVector bell(PairId id, sim::Time now) override { return advance(id, now).state; }
  PurifyOutcome purify(PairId kept, PairId sacrificed, sim::Time now, const PurifyParams& params,
                       sim::RandomStream& rng) override {
    auto& k = advance(kept, now);
    auto& s = advance(sacrificed, now);
    if (params.twirl) {
      k.state = werner(k.state[kBellI]);
      s.state = werner(s.state[kBellI]);
    }
    const PurifyResult r = params.protocol == PurifyProtocol::Dejmps
                               ? purify_dejmps(k.state, s.state, params.gate_fidelity, params.measurement_fidelity)
                               : purify_bell(k.state, s.state, params.gate_fidelity, params.measurement_fidelity);
    table_.remove(sacrificed);
    // Rounding can leave a certain success a hair above 1.
    PurifyOutcome out{rng.bernoulli(std::min(1.0, r.success_probability)), r.success_probability};
    if (out.success) {
      k.state = r.state;
    } else {
      table_.remove(kept);
    }
    return out;
  }
  PairId swap(PairId left, PairId right, sim::Time now, double gate_fidelity, sim::RandomStream&) override {
    const auto l = advance(left, now);
    const auto r = advance(right, now);
    table_.remove(left);
    table_.remove(right);
    return table_.add({swap_bell(l.state, r.state, gate_fidelity), now, l.qa, r.qb});
  }
  void set_werner(PairId id, double fidelity, sim::Time now) override {
    auto& e = advance(id, now);
    e.state = werner(fidelity);
  }
  std::size_t live_pairs() const override { return table_.live(); }

 private:
  PairTable<BellVector>::Entry& advance(PairId id, sim::Time now) {
    auto& e = table_.at(id);
    if (now > e.updated) {
      const double dt = (now - e.updated).to_seconds();
      e.state = apply_pauli_channel(e.state, pauli_for_idle(e.qa, dt));
      e.state = apply_pauli_channel(e.state, pauli_for_idle(e.qb, dt));
      e.updated = now;
    }
    return e;
  }
  PairTable<BellVector> table_;
};

class DensityMatrixFormalism final : public Formalism {
 public:
  PairId create(const BellVector& state, sim::Time at, const QubitDecay& qa, const QubitDecay& qb) override {
    return table_.add({density_from_bell(state), at, qa, qb});
  }
  void release(PairId id) override { table_.remove(id); }
  BellVector bell(PairId id, sim::Time now) override { return bell_diagonal_of(advance(id, now).state); }
  PurifyOutcome purify(PairId kept, PairId sacrificed, sim::Time now, const PurifyParams& params,
                       sim::RandomStream& rng) override {
    auto& k = advance(kept, now);
    auto& s = advance(sacrificed, now);
    if (params.twirl) {
      k.state = density_from_bell(werner(fidelity_phi_plus(k.state)));
      s.state = density_from_bell(werner(fidelity_phi_plus(s.state)));
    }
    if (params.protocol == PurifyProtocol::Dejmps) {
      k.state = dejmps_rotate(k.state);
      s.state = dejmps_rotate(s.state);
    }
    const auto r = purify_density(k.state, s.state, params.gate_fidelity, params.measurement_fidelity, rng);
    table_.remove(sacrificed);
    if (r.success) {
      k.state = r.kept;
    } else {
      table_.remove(kept);
    }
    return {r.success, r.success_probability};
  }
  PairId swap(PairId left, PairId right, sim::Time now, double gate_fidelity, sim::RandomStream& rng) override {
    const auto l = advance(left, now);
    const auto r = advance(right, now);
    table_.remove(left);
    table_.remove(right);
    return table_.add({swap_density(l.state, r.state, gate_fidelity, rng), now, l.qa, r.qb});
  }
  void set_werner(PairId id, double fidelity, sim::Time now) override {
    auto& e = advance(id, now);
    e.state = density_from_bell(werner(fidelity));
  }
  std::size_t live_pairs() const override { return table_.live(); }

 private:
  PairTable<Matrix4>::Entry& advance(PairId id, sim::Time now) {
    auto& e = table_.at(id);
    if (now > e.updated) {
      const double dt = (now - e.updated).to_seconds();
      e.state = apply_pauli_channel(e.state, 0, pauli_for_idle(e.qa, dt));
      e.state = apply_pauli_channel(e.state, 1, pauli_for_idle(e.qb, dt));
      e.updated = now;
    }
    return e;
  }
  PairTable<Matrix4> table_;
};

}  // namespace

std::unique_ptr<Formalism> make_formalism(FormalismKind kind) {
  if (kind == FormalismKind::BellDiagonal) return std::make_unique<BellDiagonalFormalism>();
  return std::make_unique<DensityMatrixFormalism>();
}

}  // namespace models::quantum
