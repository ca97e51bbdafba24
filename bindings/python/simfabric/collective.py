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
import json
import math
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

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


@dataclass
class Job:
    """One of several workloads sharing a fabric, as a scenario's [[job]] table: `workload`
    holds the [workload] keys ({"type": "collective", "algorithm": ..., "bytes": ...},
    {"type": "incast", "senders": 3, "bytes": "1 MiB"}, "permutation", "gpipe", "moe",
    "traffic_matrix", "poisson"); its ranks run on `hosts` (endpoint indices; None: every
    endpoint) and it starts at `start_us` (a number of microseconds or a duration text
    such as "10 us"). `name` prefixes nothing here but names the job in the result."""

    workload: Mapping[str, Any]
    hosts: Optional[Sequence[int]] = None
    start_us: Any = 0.0
    name: Optional[str] = None


def _toml_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"jobs: {key} = {value} is not a finite number")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, (list, tuple, range)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return "[" + ", ".join(_toml_value(key, v) for v in items) + "]"
    raise TypeError(f"jobs: {key} = {value!r}: expected a number, a string, a bool or a list of them")


def _jobs_toml(jobs: Sequence[Job]) -> str:
    lines = ['kind = "fabric"']
    for job in jobs:
        if not isinstance(job, Job):
            raise TypeError(f"jobs: expected collective.Job objects, got {type(job).__name__}")
        table = dict(job.workload)
        for key, value in (("name", job.name), ("hosts", job.hosts), ("start_us", job.start_us)):
            if value is not None:
                if key in table:
                    raise ValueError(f"jobs: {key} is given both as a Job field and in its workload")
                table[key] = value
        lines.append("[[job]]")
        lines += [f"{key} = {_toml_value(key, value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


_run_jobs = with_fabric_figures(typed(_collective.run_jobs, FABRIC_UNITS, FABRIC_ALIASES))


def run_jobs(topology: Any, jobs: Sequence[Job], **options: Any):
    """Several jobs on one fabric, started at their times and sharing its links: what a
    scenario's [[job]] tables run (the same reader reads them), on the flow or packet
    model (model=, packet=), with the same faults and options as run(). Returns the whole
    run's figures (completion of the last job from time zero, every rank of every job)
    and result["jobs"]: per job, name, workload, start_s, completion_s (from its start),
    algbw_gb_per_s, busbw_gb_per_s, median_fct_s and p99_fct_s (traffic), complete,
    rank_finish_s and, for traffic, transfer_end_s (-1: lost)."""
    return _run_jobs(topology, _jobs_toml(list(jobs)), **options)


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


__all__ = ["ALGORITHMS", "Job", "alpha_beta_ring_allreduce_s", "gpipe", "moe", "run", "run_jobs"]
