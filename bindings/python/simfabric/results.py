"""Results of the Python model functions as typed objects with units.

A `RunResult` is the dict the compiled function returned (every existing key still
works) with the metric names the command line and HDF5 files use added beside them
(``busbw`` next to ``busbw_gb_per_s``, ``energy_j`` next to ``energy_pj``), attribute
access, ``units`` and ``to_pandas()``. A metric that has no value in a run (the mean
fidelity of a run that delivered no pairs) is NaN, never 0. Names a release renamed
(``busbw_gbyte_per_s``, now ``busbw_gb_per_s``) still read, with a DeprecationWarning.

    r = sf.collective.run(fabric, algorithm="ring_allreduce", bytes=2**30)
    r.busbw, r.units["busbw"]            # the same name and unit as /summary in run -o
    r.to_pandas()                        # one row per scalar metric: metric, value, unit
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

import numpy as np

__all__ = ["RunResult", "typed", "with_fabric_figures", "FABRIC_UNITS", "ACCELERATOR_UNITS", "QUANTUM_UNITS"]

# name in the files and CLI -> (name the compiled function returns, factor to the file's unit)
FABRIC_ALIASES = {"busbw": ("busbw_gb_per_s", 1.0), "algbw": ("algbw_gb_per_s", 1.0)}
# former name -> current name; reading the former warns (bytes per second are *_gb_per_s everywhere)
DEPRECATED_NAMES = {"busbw_gbyte_per_s": "busbw_gb_per_s", "algbw_gbyte_per_s": "algbw_gb_per_s"}
ACCELERATOR_ALIASES = {"energy_j": ("energy_pj", 1e-12), "simulated_s": ("latency_s", 1.0)}


def _median_fct_s(r):
    # The upper median, sorted[n // 2], as the scenario files' summary (and the C++ models) report it.
    fct = np.sort(np.asarray(r["flow_completion_s"], dtype=float))
    fct = fct[np.isfinite(fct) & (fct >= 0)]
    return float(fct[len(fct) // 2]) if len(fct) else math.nan


# Metrics the files compute from what the compiled function returns (permutations).
FABRIC_DERIVED = {
    "median_fct_s": (("flow_completion_s",), _median_fct_s),
    "slowdown_vs_ideal": (("completion_s", "ideal_s"),
                          lambda r: r["completion_s"] / r["ideal_s"] if r["ideal_s"] > 0 else math.nan),
}

FABRIC_UNITS = {"completion_s": "s", "busbw": "GB/s", "algbw": "GB/s", "busbw_gb_per_s": "GB/s",
                "algbw_gb_per_s": "GB/s", "bytes": "B", "ranks": "count", "transfers": "count", "flows": "count",
                "flows_simulated": "count", "events": "count", "events_extrapolated": "count",
                "max_link_flows": "flows", "rank_finish_s": "s", "ideal_s": "s", "median_fct_s": "s",
                "bubble_fraction": "", "max_link_load": "", "flow_completion_s": "s",
                "slowdown_vs_ideal": "", "host_gbps": "Gb/s", "uplink_gbps": "Gb/s", "oversubscription": "",
                "total_capacity_gbps": "Gb/s",
                # the packet model's (model="packet")
                "p99_fct_s": "s", "data_packets": "count", "control_packets": "count", "drops": "count",
                "ecn_marks": "count", "trims": "count", "pfc_pauses": "count", "retransmissions": "count",
                "timeouts": "count", "duplicate_packets": "count", "failed_flows": "count"}
ACCELERATOR_UNITS = {"latency_s": "s", "latency_ps": "ps", "simulated_s": "s", "energy_pj": "pJ", "energy_j": "J",
                     "compute_energy_pj": "pJ", "ops": "ops", "weight_bytes": "B", "kv_cache_bytes": "B",
                     "events": "count"}
QUANTUM_UNITS = {"simulated_s": "s", "wall_s": "s", "pairs_delivered": "count", "pairs_per_s": "1/s",
                 "mean_fidelity": "fidelity", "events": "count", "swaps": "count", "swaps_failed": "count",
                 "purifications": "count", "purifications_failed": "count", "pairs_expired": "count",
                 "requests_accepted": "count", "requests_rejected": "count", "delivered_fidelity": "fidelity",
                 "delivered_time_s": "s"}


class RunResult(dict):
    """A model run's results: a dict with attribute access, `units` and `to_pandas()`."""

    def __init__(self, values: Mapping[str, Any], units: Optional[Mapping[str, str]] = None,
                 aliases: Optional[Mapping[str, Tuple[str, float]]] = None,
                 undefined_when: Iterable[Tuple[str, str]] = (), derived: Optional[Mapping[str, Any]] = None):
        super().__init__(values)
        for name, (needs, compute) in (derived or {}).items():
            if name not in self and all(k in self for k in needs):
                self[name] = compute(self)
        for name, (source, factor) in (aliases or {}).items():
            if source in self and name not in self and isinstance(self[source], (int, float)):
                self[name] = float(self[source]) * factor
        # (metric, count): the metric has no value when the count is zero.
        for metric, count in undefined_when:
            if metric in self and self.get(count, 1) == 0:
                self[metric] = math.nan
        self.units: Dict[str, str] = {k: v for k, v in (units or {}).items() if k in self}

    def _former(self, name: str, stacklevel: int) -> Any:
        current = DEPRECATED_NAMES.get(name)
        if current is None or not dict.__contains__(self, current):
            raise KeyError(name)
        warnings.warn(f"'{name}' is deprecated; use '{current}'", DeprecationWarning, stacklevel=stacklevel + 1)
        return dict.__getitem__(self, current)

    def __missing__(self, name: str) -> Any:
        return self._former(name, 2)  # r[name] calls this without a Python frame between

    def get(self, name: str, default: Any = None) -> Any:
        if dict.__contains__(self, name) or name not in DEPRECATED_NAMES:
            return dict.get(self, name, default)
        try:
            return self._former(name, 2)
        except KeyError:
            return default

    def __getattr__(self, name: str) -> Any:
        try:
            return dict.__getitem__(self, name) if dict.__contains__(self, name) else self._former(name, 2)
        except KeyError:
            raise AttributeError(f"no metric '{name}' (metrics: {', '.join(sorted(self))})") from None

    def __dir__(self):
        return sorted(set(super().__dir__()) | {k for k in self if k.isidentifier()})

    def metric(self, name: str) -> float:
        """A scalar metric as a float; NaN when the run has none by that name."""
        value = self.get(name, math.nan)
        return float(value) if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) else math.nan

    def to_pandas(self, table: Optional[str] = None):
        """Scalar metrics as rows (metric, value, unit); with `table`, that entry (a dict
        of equal-length arrays, e.g. "operators", or one array) as a DataFrame."""
        import pandas as pd

        if table is not None:
            value = self[table]
            if isinstance(value, Mapping):
                frame = pd.DataFrame({k: v for k, v in value.items() if not isinstance(v, Mapping)})
            else:
                frame = pd.DataFrame({table: np.asarray(value)})
            frame.attrs["units"] = {k: v for k, v in self.units.items() if k in frame.columns}
            return frame
        rows = [(k, v, self.units.get(k, "")) for k, v in self.items()
                if isinstance(v, (int, float, np.number, str)) and not isinstance(v, bool)]
        frame = pd.DataFrame(rows, columns=["metric", "value", "unit"])
        frame.attrs["units"] = dict(self.units)
        return frame


def typed(function, units: Mapping[str, str], aliases: Optional[Mapping[str, Tuple[str, float]]] = None,
          undefined_when: Iterable[Tuple[str, str]] = (), derived: Optional[Mapping[str, Any]] = None):
    """`function` (a compiled model function returning a dict) returning a RunResult."""
    import functools

    undefined_when = tuple(undefined_when)

    @functools.wraps(function)
    def call(*args, **kwargs):
        return RunResult(function(*args, **kwargs), units, aliases, undefined_when, derived)

    return call


def with_fabric_figures(function):
    """`function` (a fabric run taking the topology first, returning a RunResult) with
    the figures the topology's links imply added: host_gbps, uplink_gbps,
    oversubscription (absent on fabrics without leaves), total_capacity_gbps."""
    import functools

    from ._core.topologies import fabric_figures

    @functools.wraps(function)
    def call(*args, **kwargs):
        result = function(*args, **kwargs)
        topology = kwargs["topology"] if "topology" in kwargs else args[0]
        for name, value in fabric_figures(topology).items():
            if math.isfinite(value):
                result[name] = value
                result.units[name] = FABRIC_UNITS[name]
        return result

    return call
