"""Flow-level (max-min fair fluid) network model: random permutations under ECMP,
spraying, flow splitting or planned paths.

    r = sf.network.run_permutation(t, bytes=2e6, policy="spray")
    r["completion_s"], r["max_link_flows"], r["flow_completion_s"]  # numpy array

Faults (link_down_at, degraded_at) and results work as for sf.collective.run; rank i of
the result is source endpoint i.

A `Fabric` is the same model bound to a `Simulator` that other models and Python
processes share: transfers and collectives start from callbacks or processes while the
simulator runs, and one ``sim.run()`` drives everything::

    sim = sf.Simulator()
    fabric = sf.network.Fabric(sim, sf.topologies.leaf_spine())

    async def pipeline(sim):
        await fabric.send(0, 1, bytes=2**20)      # resumes when the last byte arrives
        await fabric.collective("ring_allreduce", bytes=2**24)

    sim.spawn(pipeline(sim))
    sim.run()
    fabric.transfers()                            # src, dst, bytes, start_s, end_s, delivered
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Optional, Sequence, Union

from ._core.network import random_permutation
from ._core import network as _network
from .process import _Suspend
from .results import FABRIC_ALIASES, FABRIC_DERIVED, FABRIC_UNITS, RunResult, typed, with_fabric_figures
from .traffic import PacketParams, run_incast, run_poisson, run_traffic_matrix, run_transfers

# median_fct_s and slowdown_vs_ideal as `simfabric run` files report them.
run_permutation = with_fabric_figures(
    typed(_network.run_permutation, FABRIC_UNITS, FABRIC_ALIASES, derived=FABRIC_DERIVED))

POLICIES = ("ecmp", "spray", "split", "planned")

Endpoint = Union[int, str]


def warn_hierarchical_fallback(algorithm: Optional[str], ranks_per_host: int, stacklevel: int = 3) -> None:
    # The fallback is silent in the model: with one rank per host the intra-host phases
    # are empty and the "hierarchical" all-reduce is a ring across hosts.
    if algorithm == "hierarchical_allreduce" and ranks_per_host == 1:
        warnings.warn("hierarchical_allreduce without ranks_per_host (> 1): one rank per host, so it runs "
                      "as a ring across hosts", stacklevel=stacklevel)


class Collective:
    """A collective running on a `Fabric`: ``finished``, and ``result()`` with the names
    and units of `sf.collective.run` (completion_s counted from its start)."""

    def __init__(self, handle: Any):
        self._handle = handle

    @property
    def finished(self) -> bool:
        return self._handle.finished

    def result(self) -> RunResult:
        return RunResult(self._handle.result(), FABRIC_UNITS, FABRIC_ALIASES)


class _Send(_Suspend):
    __slots__ = ("fabric", "src", "dst", "bytes")

    def __init__(self, fabric: "Fabric", src: Endpoint, dst: Endpoint, nbytes: float):
        self.fabric, self.src, self.dst, self.bytes = fabric, src, dst, nbytes

    def _suspend(self, resume) -> None:
        self.fabric.start_transfer(self.src, self.dst, self.bytes, on_done=lambda _id: resume())


class _Collective(_Suspend):
    __slots__ = ("fabric", "keywords")

    def __init__(self, fabric: "Fabric", keywords: dict):
        self.fabric, self.keywords = fabric, keywords

    def _suspend(self, resume) -> None:
        self.fabric.start_collective(**self.keywords, on_done=resume)


class Fabric(_network.SharedFabric):
    """A flow-level fabric bound to a Simulator (a copy of `topology`, its link states
    included). Endpoints are indices into ``topology.endpoints`` or node names."""

    def __init__(self, sim: Any, topology: Any, policy: str = "ecmp", seed: int = 1, subflows: int = 4):
        super().__init__(sim, topology, policy, seed, subflows)

    def start_collective(self, algorithm: str = "ring_allreduce", bytes: float = 2.0**30,  # noqa: A002
                         ranks: Optional[int] = None, chunks: int = 8, ranks_per_host: int = 1,
                         placement: Union[None, str, Sequence[int]] = None,
                         on_done: Optional[Callable[[], Any]] = None) -> Collective:
        """Starts a collective now (keywords of `sf.collective.run`); on_done() runs when
        every rank has finished."""
        warn_hierarchical_fallback(algorithm, ranks_per_host)
        return Collective(super().start_collective(algorithm, bytes, ranks, chunks, ranks_per_host, placement,
                                                   on_done))

    def send(self, src: Endpoint, dst: Endpoint, *, bytes: float) -> _Send:  # noqa: A002
        """``await fabric.send(src, dst, bytes=n)`` in a process: resumes when the transfer
        is delivered (or lost every path)."""
        return _Send(self, src, dst, bytes)

    def collective(self, algorithm: str = "ring_allreduce", **keywords: Any) -> _Collective:
        """``await fabric.collective("ring_allreduce", bytes=n)`` in a process: resumes when
        every rank has finished."""
        keywords["algorithm"] = algorithm
        return _Collective(self, keywords)


__all__ = ["Collective", "Fabric", "POLICIES", "PacketParams", "random_permutation", "run_incast", "run_permutation",
           "run_poisson", "run_traffic_matrix", "run_transfers"]
