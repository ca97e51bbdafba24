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
(``weight_bytes``). Every key and syntax: docs/accelerator.md.
"""

from __future__ import annotations

import os
from typing import Iterable, Optional, Sequence, Union

from ._core import accelerator as _acc
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
    ``kv_cache_bytes``, ``tier_bytes``, ``link_bytes``) and an ``operators`` dict of
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
    return RunResult(_acc.run_network(d, list(ops), weights_tier, activations_on_chip), ACCELERATOR_UNITS,
                     ACCELERATOR_ALIASES)


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


_NOT_EXPORTED = {"annotations", "Iterable", "Optional", "Sequence", "Union", "os", "RunResult", "typed",
                 "ACCELERATOR_ALIASES", "ACCELERATOR_UNITS"}
__all__ = [name for name in dir() if not name.startswith("_") and name not in _NOT_EXPORTED]
