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
"""

from __future__ import annotations

from typing import Iterable, Optional, Union

from ._core import accelerator as _acc

Device = _acc.Device
Operator = _acc.Operator
attention = _acc.attention
conv2d = _acc.conv2d
copy = _acc.copy
elementwise = _acc.elementwise
execute = _acc.execute
fbnet = _acc.fbnet
gather = _acc.gather
gemm = _acc.gemm
layernorm = _acc.layernorm
llm_decode_step = _acc.llm_decode_step
load_device = _acc.load_device
nas_bench_201 = _acc.nas_bench_201
network = _acc.network
network_names = _acc.network_names
ofa_mbv3 = _acc.ofa_mbv3
pool = _acc.pool
preset = _acc.preset
preset_names = _acc.preset_names
random_operators = _acc.random_operators
softmax = _acc.softmax
systolic = _acc.systolic
transformer_block = _acc.transformer_block


def device(spec: Union[str, Device]) -> Device:
    """A Device from a preset name, a device TOML path, or a Device (returned as is)."""
    if isinstance(spec, Device):
        return spec
    if spec in preset_names():
        return preset(spec)
    return load_device(spec)


def run_network(dev: Union[str, Device], ops: Union[str, Iterable[Operator]], batch: int = 1,
                dtype: str = "bf16", weights_tier: Optional[str] = None,
                activations_on_chip: float = 0.0) -> dict:
    """Runs a network (a name from ``network_names()`` or a list of operators) on a device.

    Returns totals (``latency_s``, ``energy_pj``, ``tier_bytes``, ``link_bytes``) and an
    ``operators`` dict of per-operator numpy arrays and lists. ``activations_on_chip``
    > 0 leaves outputs up to that fraction of the on-chip tier there for the next operator.
    """
    d = device(dev)
    if isinstance(ops, str):
        ops = network(ops, batch=batch, dtype=dtype)
    return _acc.run_network(d, list(ops), weights_tier, activations_on_chip)


__all__ = [name for name in dir() if not name.startswith("_") and name not in {"annotations", "Iterable",
                                                                                 "Optional", "Union"}]
