"""Quantum networks: closed forms of the protocols and whole-network runs.

    from simfabric import quantum
    r = quantum.run_chain(routers=5, target_fidelity=0.9, seconds=0.2)
    r["pairs_per_s"], r["delivered_fidelity"].min()

    # A lossy multi-photon source and jittered, free-running detectors:
    r = quantum.run_chain(source={"efficiency": 0.6, "multi_photon_probability": 0.02},
                          detector={"herald_window_ps": 100.0, "dark_count_rate_hz": 1e3,
                                    "free_running": True})
    r["link_false_heralds"], r["link_photons_in_window"] / r["link_photons_registered"]

Keywords are scenario keys of kind "quantum" (models/quantum/README.md lists each with
its unit, default and range): the same values are accepted, and a bad one raises
ValueError worded as `simfabric run` words it, e.g.
"memory.raw_fidelity: expected a number in [0.25, 1], got 1.5".
"""

from ._core.quantum import (
    barrett_kok_timing,
    bbpssw,
    fiber_delay_ps,
    fiber_transmission,
    purify_bell,
    swap_werner,
)

from ._core import quantum as _quantum
from .results import QUANTUM_UNITS, typed

# No pairs delivered: no fidelity to average (NaN, not 0).
_NO_PAIRS = tuple((metric, "pairs_delivered") for metric in
                  ("mean_fidelity", "min_fidelity", "mean_teleport_fidelity", "mean_belief_fidelity"))
run_chain = typed(_quantum.run_chain, QUANTUM_UNITS, undefined_when=_NO_PAIRS)
run_topology_file = typed(_quantum.run_topology_file, QUANTUM_UNITS, undefined_when=_NO_PAIRS)

__all__ = [
    "barrett_kok_timing",
    "bbpssw",
    "fiber_delay_ps",
    "fiber_transmission",
    "purify_bell",
    "run_chain",
    "run_topology_file",
    "swap_werner",
]
