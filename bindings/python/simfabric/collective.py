"""Collectives on a fabric (ring, tree, halving-doubling, hierarchical all-reduce,
all-gather, reduce-scatter, broadcast, all-to-all, send/recv), GPipe steps and MoE
all-to-all, with NCCL algbw/busbw and a straggler report.

    r = sf.collective.run(t, algorithm="ring_allreduce", bytes=2**30)
    r["completion_s"], r["busbw_gb_per_s"], r["rank_finish_s"], r["suspect_links"]
    r.busbw, r.units["busbw"], r.to_pandas()     # names and units as in `simfabric run` files

Every run (run, gpipe, moe, and network.run_permutation) starts from the topology's own
link states and takes the same timed faults: link_down_at=[(link, at_s)] and
degraded_at=[(link, fraction, at_s)], where a link is an id (one direction),
"leaf0->spine0" (one direction, as results print it) or "leaf0-spine0" (the cable, both
directions). A run in which a transfer lost every path returns complete=False,
completion_s NaN, failed_transfers and the ranks that did finish. `events` counts the
events executed; `events_extrapolated` those that skipped repeating steps stand for.
"""

import functools

from ._core import collective as _collective
from .network import warn_hierarchical_fallback
from .results import FABRIC_ALIASES, FABRIC_UNITS, typed, with_fabric_figures

# Results carry the names of `simfabric run` files too: busbw and algbw (GB/s), and
# what the topology's links imply (uplink_gbps, oversubscription, ...).
_run = with_fabric_figures(typed(_collective.run, FABRIC_UNITS, FABRIC_ALIASES))


@functools.wraps(_collective.run)
def run(*args, **kwargs):
    algorithm = kwargs.get("algorithm", args[1] if len(args) > 1 else None)
    ranks_per_host = kwargs.get("ranks_per_host", args[5] if len(args) > 5 else 1)
    warn_hierarchical_fallback(algorithm, ranks_per_host)
    return _run(*args, **kwargs)


gpipe = with_fabric_figures(typed(_collective.gpipe, FABRIC_UNITS, FABRIC_ALIASES))
moe = with_fabric_figures(typed(_collective.moe, FABRIC_UNITS, FABRIC_ALIASES))

ALGORITHMS = (
    "ring_allreduce",
    "tree_allreduce",
    "halving_doubling",
    "hierarchical_allreduce",
    "ring_allgather",
    "ring_reduce_scatter",
    "broadcast",
    "alltoall",
    "sendrecv",
)


def alpha_beta_ring_allreduce_s(ranks: int, bytes: float, nic_gbps: float, alpha_s: float) -> float:
    """2 (p-1) alpha + 2 (p-1)/p n/B: the closed form the ring is validated against."""
    b = nic_gbps * 1e9 / 8
    return 2 * (ranks - 1) * alpha_s + 2 * (ranks - 1) / ranks * bytes / b


__all__ = ["ALGORITHMS", "alpha_beta_ring_allreduce_s", "gpipe", "moe", "run"]
