#pragma once
// One interface over the quantum-state formalisms. A pair lives here from its heralding
// until it is consumed or discarded; its state carries its whole history (link, swaps,
// purifications, and the idle time of both its qubits, applied lazily whenever the pair is
// touched, so decoherence during classical message flight is included).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/quantum/bell_diagonal.hpp"
#include "models/quantum/decoherence.hpp"
#include "sim/enum_names.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models::quantum {

using PairId = std::uint32_t;

enum class FormalismKind { BellDiagonal, DensityMatrix };
// snake_case names; the hyphenated spellings of earlier scenario files stay accepted.
inline constexpr sim::EnumName<FormalismKind> kFormalismNames[] = {{FormalismKind::BellDiagonal, "bell_diagonal"},
                                                                   {FormalismKind::DensityMatrix, "density_matrix"},
                                                                   {FormalismKind::BellDiagonal, "bell-diagonal"},
                                                                   {FormalismKind::DensityMatrix, "density-matrix"}};
constexpr std::span<const sim::EnumName<FormalismKind>> enum_names(FormalismKind) { return kFormalismNames; }
// std::invalid_argument listing the accepted names for anything else.
FormalismKind parse_formalism(const std::string& name);
const char* formalism_name(FormalismKind kind);

// Purification round: BBPSSW (bilateral CNOT, keep on agreeing Z results) or DEJMPS (the
// same after local rotations, Rx(pi/2) at one end and Rx(-pi/2) at the other, that
// exchange Phi- and Psi-, so that the error a BBPSSW round leaves in Phi- is caught by the
// next round). Both keep the full state; refs: Deutsch et al. 1996.
enum class PurifyProtocol : std::uint8_t { Dejmps, Bbpssw };
inline constexpr sim::EnumName<PurifyProtocol> kPurifyProtocolNames[] = {{PurifyProtocol::Dejmps, "dejmps"},
                                                                         {PurifyProtocol::Bbpssw, "bbpssw"}};
constexpr std::span<const sim::EnumName<PurifyProtocol>> enum_names(PurifyProtocol) { return kPurifyProtocolNames; }

struct PurifyParams {
  PurifyProtocol protocol = PurifyProtocol::Dejmps;
  double gate_fidelity = 1.0;
  double measurement_fidelity = 1.0;
  // Twirl both pairs into Werner states first (the original BBPSSW). BBPSSW without it
  // piles errors up in Phi- and repeated rounds stall (refs: track the full vector).
  bool twirl = false;
};

struct PurifyOutcome {
  bool success = false;
  double success_probability = 0.0;  // exact in Bell-diagonal; the round's own in density-matrix
};

class Formalism {
 public:
  virtual ~Formalism() = default;
  // A new pair created at time `at` whose two qubits decay as qa and qb.
  virtual PairId create(const BellVector& state, sim::Time at, const QubitDecay& qa, const QubitDecay& qb) = 0;
  virtual void release(PairId id) = 0;
  // The state after idling until `now` (advances the pair's clock).
  virtual BellVector bell(PairId id, sim::Time now) = 0;
  double fidelity(PairId id, sim::Time now) { return bell(id, now)[kBellI]; }
  // Purifies `kept` with `sacrificed` (always released); on failure `kept` is released too.
  virtual PurifyOutcome purify(PairId kept, PairId sacrificed, sim::Time now, const PurifyParams& params,
                               sim::RandomStream& rng) = 0;
  // Swaps left (A-B) and right (B-C) into a new A-C pair; both inputs are released.
  // The A qubit decays like left's first qubit, C like right's second.
  virtual PairId swap(PairId left, PairId right, sim::Time now, double gate_fidelity, sim::RandomStream& rng) = 0;
  // Replaces the pair state with a Werner state of fidelity F1*F2*d (empirical model).
  virtual void set_werner(PairId id, double fidelity, sim::Time now) = 0;
  virtual std::size_t live_pairs() const = 0;
};

std::unique_ptr<Formalism> make_formalism(FormalismKind kind);

}  // namespace models::quantum
