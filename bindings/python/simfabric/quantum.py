"""Quantum networks: closed forms of the protocols and whole-network runs.

    from simfabric import quantum
    r = quantum.run_chain(routers=5, target_fidelity=0.9, duration_s=0.2)
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

A `Network` takes the same keywords and runs on a `Simulator` that other models and
Python processes share; ``on_pair(callback)`` hears every delivered pair::

    sim = sf.Simulator()
    net = quantum.Network(sim, routers=3, duration_s=0.1)
    net.on_pair(lambda src, dst, fidelity: print(sim.now_s, src, dst, fidelity))
    sim.run(until_s=0.1)
    net.results().pairs_delivered
"""

import functools
import warnings
from typing import Any, Callable

from ._core.quantum import (
    barrett_kok_timing,
    bbpssw,
    fiber_delay_ps,
    fiber_transmission,
    purify_bell,
    swap_werner,
)

from ._core import quantum as _quantum
from .results import QUANTUM_UNITS, RunResult, typed

# No pairs delivered: no fidelity to average (NaN, not 0).
_NO_PAIRS = tuple((metric, "pairs_delivered") for metric in
                  ("mean_fidelity", "min_fidelity", "mean_teleport_fidelity", "mean_belief_fidelity"))


def _renamed_seconds(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` taking duration_s, with the former keyword seconds= as a deprecated alias."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        if "seconds" in kwargs:
            if "duration_s" in kwargs:
                raise TypeError(f"{function.__name__}: give duration_s only (seconds is its former name)")
            warnings.warn(f"{function.__name__}(seconds=...) is deprecated; use duration_s=", DeprecationWarning,
                          stacklevel=2)
            kwargs["duration_s"] = kwargs.pop("seconds")
        return function(*args, **kwargs)

    return call


run_chain = _renamed_seconds(typed(_quantum.run_chain, QUANTUM_UNITS, undefined_when=_NO_PAIRS))
run_topology_file = _renamed_seconds(typed(_quantum.run_topology_file, QUANTUM_UNITS, undefined_when=_NO_PAIRS))
_chain_spec = _renamed_seconds(_quantum.chain_spec)


class Network(_quantum.SharedQuantum):
    """A quantum network (the keywords of `run_chain`) bound to a Simulator. Its requests
    and traffic run from its creation: request times, and duration_s, count from there.
    ``on_pair(callback)`` calls ``callback(src, dst, fidelity)`` at each delivered pair;
    ``results()`` reads the run so far with run_chain's names (wall_s is NaN)."""

    def __init__(self, sim: Any, **keywords: Any):
        super().__init__(sim, _chain_spec(**keywords))

    def results(self) -> RunResult:
        return RunResult(super().results(), QUANTUM_UNITS, undefined_when=_NO_PAIRS)


__all__ = [
    "Network",
    "barrett_kok_timing",
    "bbpssw",
    "fiber_delay_ps",
    "fiber_transmission",
    "purify_bell",
    "run_chain",
    "run_topology_file",
    "swap_werner",
]
