"""Accelerator memory hierarchies and operator execution.

Devices are presets (``preset("h100")``) or TOML files (``load_device(path)``);
operators are built with ``gemm``, ``conv2d``, ``attention``, ... or taken from a network
(``network("resnet50", batch=64)``); ``execute`` simulates one operator and
``run_network`` a sequence::

    from simfabric import accelerator as acc

    h100 = acc.preset("h100")
    r = acc.execute(h100, acc.gemm(8192, 8192, 8192))
    print(r["latency_s"], r["bottleneck"])
    net = acc.run_network(h100, acc.network("resnet50", batch=64))
    print(net["latency_s"], net["operators"]["latency_s"].sum())

Search spaces take an architecture string (``arch_syntax(name)``): ``run_network(h100,
"fbnet", arch="8-2-1-...")`` runs one, ``run_networks(h100, "nb201", archs)`` many in
parallel, with a dict of numpy arrays back (``latency_s``, ``energy_pj``, ``ops``, ...).
``llm_decode`` reports its K/V cache (``kv_cache_bytes``) apart from its weights
(``weight_bytes``). ``bottleneck_share`` gives the share of a network's time each resource
(compute, a tier, a link) bounds its operators. Every key and syntax: docs/accelerator.md.

An `Accelerator` runs work on a `Simulator` that other models share: operators and
networks queue on the device one after another, and each completion is an event::

    sim = sf.Simulator()
    gpu = acc.Accelerator(sim, "h100")
    gpu.submit("transformer_block", batch=8, seq=2048, on_done=lambda job: print(sim.now_s))
    sim.run()
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, List, Optional, Sequence, Union

from ._core import accelerator as _acc
from .process import _Suspend
from .results import ACCELERATOR_ALIASES, ACCELERATOR_UNITS, RunResult, typed

Device = _acc.Device
Operator = _acc.Operator
arch_syntax = _acc.arch_syntax
attention = _acc.attention
conv2d = _acc.conv2d
copy = _acc.copy
elementwise = _acc.elementwise
execute = typed(_acc.execute, ACCELERATOR_UNITS, ACCELERATOR_ALIASES)
fbnet = _acc.fbnet
footprint = _acc.footprint
gather = _acc.gather
gemm = _acc.gemm
layernorm = _acc.layernorm
llm_decode_step = _acc.llm_decode_step
load_device = _acc.load_device
nas_bench_201 = _acc.nas_bench_201
network = _acc.network
network_names = _acc.network_names
ofa_arch = _acc.ofa_arch
ofa_mbv3 = _acc.ofa_mbv3
pool = _acc.pool
preset = _acc.preset
preset_names = _acc.preset_names
random_operators = _acc.random_operators
softmax = _acc.softmax
systolic = _acc.systolic
transformer_block = _acc.transformer_block


def device(spec: Union[str, "os.PathLike[str]", Device]) -> Device:
    """A Device from a preset name, a device TOML path, or a Device (returned as is)."""
    if isinstance(spec, Device):
        return spec
    if str(spec) in preset_names():
        return preset(str(spec))
    if os.path.isfile(spec):
        return load_device(spec)
    raise ValueError(f"no preset or device file '{spec}'; presets: {', '.join(preset_names())}")


def run_network(dev: Union[str, Device], ops: Union[str, Iterable[Operator]], batch: int = 1,
                dtype: str = "bf16", weights_tier: Optional[str] = None,
                activations_on_chip: float = 0.0, *, arch: Optional[str] = None,
                seq: Optional[int] = None, kv_len: Optional[int] = None, d_model: Optional[int] = None,
                heads: Optional[int] = None, d_ff: Optional[int] = None,
                layers: Optional[int] = None) -> dict:
    """Runs a network (a name from ``network_names()`` or a list of operators) on a device.

    A name takes the options of ``network``: ``arch`` for nas_bench_201 (nb201), fbnet and
    ofa_mbv3, ``seq`` for transformer_block, ``kv_len`` for llm_decode, the transformer's
    dimensions for both. Returns totals (``latency_s``, ``energy_pj``, ``weight_bytes``,
    ``kv_cache_bytes``, ``tier_bytes``, ``link_bytes``), ``bottleneck_share`` (resource -> share
    of the latency of the operators it bounds; also as ``bottleneck_share_<resource>``) and an ``operators`` dict of
    per-operator numpy arrays and lists. ``activations_on_chip`` > 0 leaves outputs up to
    that fraction of the on-chip tier there for the next operator.
    """
    d = device(dev)
    named = dict(arch=arch, seq=seq, kv_len=kv_len, d_model=d_model, heads=heads, d_ff=d_ff, layers=layers)
    if isinstance(ops, str):
        ops = network(ops, batch=batch, dtype=dtype, **named)
    elif any(v is not None for v in named.values()):
        given = ", ".join(k for k, v in named.items() if v is not None)
        raise ValueError(f"{given}: options of a network given by name, not of a list of operators")
    result = RunResult(_acc.run_network(d, list(ops), weights_tier, activations_on_chip), ACCELERATOR_UNITS,
                       ACCELERATOR_ALIASES)
    # The names of `simfabric run` summaries: bottleneck_share_<resource>.
    for resource, share in result["bottleneck_share"].items():
        result[f"bottleneck_share_{resource}"] = share
        result.units[f"bottleneck_share_{resource}"] = "fraction"
    return result


def run_networks(dev: Union[str, Device], space: str, archs: Sequence[str], batch: int = 1,
                 dtype: str = "bf16", *, seq: Optional[int] = None, kv_len: Optional[int] = None,
                 d_model: Optional[int] = None, heads: Optional[int] = None, d_ff: Optional[int] = None,
                 layers: Optional[int] = None, weights_tier: Optional[str] = None,
                 activations_on_chip: float = 0.0, simulated_repeats: int = 16, threads: int = 0) -> dict:
    """Runs one network of ``space`` (nas_bench_201/nb201, fbnet, ofa_mbv3) per architecture
    string, in parallel on ``threads`` workers (0: all cores).

    Returns a dict of numpy arrays, one entry per architecture in the order given:
    ``latency_s``, ``energy_pj``, ``ops``, ``weight_bytes``, ``kv_cache_bytes``,
    ``operators``, ``events``, ``exact``, and ``tier_bytes`` / ``link_bytes`` dicts of
    arrays by tier and link name; ``arch`` and ``device`` say what ran. Entry i equals
    ``run_network(dev, space, batch, dtype, arch=archs[i], ...)`` bit for bit at any
    thread count. A bad architecture raises ValueError naming its index before anything runs.
    """
    if isinstance(archs, str):
        raise TypeError("archs: expected a sequence of architecture strings, got one string")
    return _acc.run_networks(device(dev), space, [str(a) for a in archs], batch, dtype, seq, kv_len, d_model,
                             heads, d_ff, layers, weights_tier, activations_on_chip, simulated_repeats, threads)


class _Job(_Suspend):
    __slots__ = ("accelerator", "work", "options")

    def __init__(self, accelerator: "Accelerator", work: Any, options: dict):
        self.accelerator, self.work, self.options = accelerator, work, options

    def _suspend(self, resume) -> None:
        self.accelerator.submit(self.work, on_done=lambda _job: resume(), **self.options)


class Accelerator:
    """A device bound to a Simulator: work (an Operator, a list of them, or a network
    name with the options of `run_network`) runs on it in submission order, one job at a
    time, each starting when the device is free. A job's operators are simulated on the
    event core when it is submitted (the device's state does not depend on other
    models); its completion is an event of the shared simulator at its start plus its
    latency. ``jobs`` holds every job's result with ``start_s`` and ``end_s``."""

    def __init__(self, sim: Any, dev: Union[str, Device], *, weights_tier: Optional[str] = None,
                 activations_on_chip: float = 0.0):
        self.sim = sim
        self.device = device(dev)
        self.jobs: List[RunResult] = []
        self._weights_tier = weights_tier
        self._activations_on_chip = activations_on_chip
        self._free_at_ps = 0

    def submit(self, work: Union[str, Operator, Iterable[Operator]],
               on_done: Optional[Callable[[int], Any]] = None, **options: Any) -> int:
        """Queues work; on_done(job) runs when it has finished. Returns the job number
        (an index into ``jobs``)."""
        if isinstance(work, Operator):
            work = [work]
        result = run_network(self.device, work, weights_tier=self._weights_tier,
                             activations_on_chip=self._activations_on_chip, **options)
        start_ps = max(self.sim.now_ps, self._free_at_ps)
        end_ps = start_ps + result["latency_ps"]
        self._free_at_ps = end_ps
        result["start_s"] = start_ps * 1e-12
        result["end_s"] = end_ps * 1e-12
        result.units.update(start_s="s", end_s="s")
        job = len(self.jobs)
        self.jobs.append(result)
        if on_done is not None:
            self.sim.schedule_at(lambda: on_done(job), at_ps=end_ps)
        return job

    def run(self, work: Union[str, Operator, Iterable[Operator]], **options: Any) -> _Job:
        """``await gpu.run(work)`` in a process: resumes when the work has finished."""
        return _Job(self, work, options)

    @property
    def busy_s(self) -> float:
        """Time the device has been given work for, queued jobs included."""
        return sum(job["latency_ps"] for job in self.jobs) * 1e-12


_NOT_EXPORTED = {"annotations", "Any", "Callable", "Iterable", "List", "Optional", "Sequence", "Union", "os",
                 "RunResult", "typed", "ACCELERATOR_ALIASES", "ACCELERATOR_UNITS"}
__all__ = [name for name in dir() if not name.startswith("_") and name not in _NOT_EXPORTED]
