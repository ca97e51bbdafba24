"""Quantum networks: closed forms of the protocols and whole-network runs.

    from simfabric import quantum
    r = quantum.run_chain(routers=5, target_fidelity=0.9, seconds=0.2)
    r["pairs_per_s"], r["delivered_fidelity"].min()
"""

from ._core.quantum import (
    barrett_kok_timing,
    bbpssw,
    fiber_delay_ps,
    fiber_transmission,
    purify_bell,
    run_chain,
    run_topology_file,
    swap_werner,
)

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
