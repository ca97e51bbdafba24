"""Plots of results: each function takes a loaded result (or a DataFrame) and returns a
matplotlib Figure, built without pyplot so that it works with no display and from any
thread; `fig.savefig("x.png")` writes it, notebooks show it.

    from simfabric import analysis
    from simfabric.analysis import plots
    fig = plots.fct_cdf({"ecmp": analysis.load("ecmp.h5"), "spray": analysis.load("spray.h5")})
"""

from __future__ import annotations

import math
import warnings
from typing import Dict, Mapping, Optional, Sequence, Union

import numpy as np

from .results import Result, Sweep

__all__ = ["fct_cdf", "link_utilisation", "collective_timeline", "sweep_curve", "bottleneck_share", "operator_bottlenecks",
           "roofline", "quantum_timeline", "pareto_front", "confidence_interval"]

Runs = Union[Result, Mapping[str, Result]]

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (any statistics
# table); beyond 30 the normal quantile is within 2%.
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042]


def _figure(rows: int = 1, cols: int = 1, size=(6.4, 4.0), **kwargs):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, **kwargs)
    return fig, axes


def _runs(runs: Runs) -> Dict[str, Result]:
    if isinstance(runs, Result):
        return {runs.attrs.get("scenario_name", str(runs.path)).rsplit("/", 1)[-1]: runs}
    return dict(runs)


def _unit(frame, column: str) -> str:
    unit = frame.attrs.get("units", {}).get(column, "")
    return f" ({unit})" if unit else ""


def fct_cdf(runs: Runs, *, log_x: bool = True):
    """Empirical CDF of flow completion times (end_s - start_s of /tables/flows, written
    with `record_flows = true`), one curve per run."""
    fig, axes = _figure()
    ax = axes[0, 0]
    for label, run in _runs(runs).items():
        if "flows" not in run.tables:
            raise ValueError(f"{run.path}: no flows table (run the fabric with network.record_flows = true)")
        flows = run.table("flows")
        fct = np.sort((flows["end_s"] - flows["start_s"]).to_numpy())
        fct = fct[np.isfinite(fct)]
        ax.step(fct, np.arange(1, len(fct) + 1) / max(len(fct), 1), where="post", label=label)
    ax.set_xlabel("flow completion time (s)")
    ax.set_ylabel("fraction of flows")
    ax.set_title("Flow completion times")
    if log_x:
        ax.set_xscale("log")
    ax.legend()
    return fig


def link_utilisation(result: Result, links: Optional[Sequence[str]] = None):
    """Utilisation over time of the links named in the fabric's `series_links`."""
    names = [n for n in result.series_names() if n.startswith("utilisation ")]
    if links is not None:
        names = [f"utilisation {link}" for link in links]
    if not names:
        raise ValueError(f"{result.path}: no link utilisation series (name links in network.series_links)")
    fig, axes = _figure()
    ax = axes[0, 0]
    for name in names:
        series = result.series(name)
        ax.step(series["time_s"], series["value"], where="post", label=name.removeprefix("utilisation "))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("utilisation")
    ax.set_ylim(-0.02, 1.05)
    ax.set_title("Link utilisation")
    ax.legend(fontsize="small")
    return fig


def collective_timeline(result: Result, *, max_ranks: int = 64):
    """Per-rank timeline: each rank's flows as bars over time (from /tables/flows, by
    source node), or, without flow records, each rank's busy span up to its finish time."""
    fig, axes = _figure(size=(7.0, 4.5))
    ax = axes[0, 0]
    if "flows" in result.tables:
        flows = result.table("flows")
        sources = np.unique(flows["src_node"])[:max_ranks]
        for row, node in enumerate(sources):
            mine = flows[flows["src_node"] == node]
            spans = list(zip(mine["start_s"], mine["end_s"] - mine["start_s"]))
            ax.broken_barh(spans, (row - 0.4, 0.8), color=f"C{row % 10}")
        ax.set_yticks(range(len(sources)), [str(s) for s in sources], fontsize="x-small")
    elif "ranks" in result.tables:
        ranks = result.table("ranks").iloc[:max_ranks]
        finish = ranks["finish_s"].where(ranks["finish_s"] >= 0)
        ax.barh(ranks["rank"], finish, color="C0")
    else:
        raise ValueError(f"{result.path}: no flows or ranks table (a fabric run)")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("rank")
    ax.set_title("Collective timeline per rank")
    return fig


def confidence_interval(values: np.ndarray, level: float = 0.95):
    """(mean, half-width) of a Student-t interval over replicas; half-width NaN for one value."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if level != 0.95:
        raise ValueError("confidence_interval: only the 95% level is tabulated")
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    if n == 1:
        return float(values[0]), math.nan
    t = _T95[n - 2] if n - 1 <= len(_T95) else 1.960
    return float(values.mean()), float(t * values.std(ddof=1) / math.sqrt(n))


def sweep_curve(sweep: Sweep, x: str, y: str, *, by: Optional[str] = None, log_x: Optional[bool] = None):
    """Mean of metric `y` against parameter `x` over replicas, with 95% confidence bands;
    one curve per value of parameter `by`."""
    frame = sweep.points
    for column in [x, y] + ([by] if by else []):
        if column not in frame.columns:
            raise KeyError(f"{sweep.path}: no column '{column}' (parameters: {', '.join(sweep.parameters)}; "
                           f"metrics: {', '.join(sweep.metrics)})")
    fig, axes = _figure()
    ax = axes[0, 0]
    groups = frame.groupby(by, sort=True) if by else [(None, frame)]
    for label, group in groups:
        xs, means, halves = [], [], []
        for value, at in group.groupby(x, sort=True):
            mean, half = confidence_interval(at[y].to_numpy())
            xs.append(value)
            means.append(mean)
            halves.append(half)
        xs, means, halves = np.array(xs), np.array(means), np.nan_to_num(np.array(halves))
        line = ax.plot(xs, means, marker="o", label=f"{by} = {label}" if by else y)[0]
        ax.fill_between(xs, means - halves, means + halves, color=line.get_color(), alpha=0.2)
    numeric = np.issubdtype(frame[x].dtype, np.number)
    if log_x or (log_x is None and numeric and frame[x].min() > 0 and frame[x].max() / frame[x].min() >= 100):
        ax.set_xscale("log")
    ax.set_xlabel(x + _unit(frame, x))
    ax.set_ylabel(y + _unit(frame, y))
    ax.set_title(f"{y} over {x} (mean, 95% CI over replicas)")
    ax.legend(fontsize="small")
    return fig


def _operators(result: Result):
    if "operators" not in result.tables:
        raise ValueError(f"{result.path}: no operators table (an accelerator run)")
    return result.table("operators")


def _latency_s(ops):
    # Files before the columns carried their unit in the name say "latency".
    return ops["latency_s"] if "latency_s" in ops else ops["latency"]


def bottleneck_share(result: Result):
    """The share of the run's time each resource is the bottleneck, as the run recorded
    it (bottleneck_share_<resource> in the summary), else summed from the operators."""
    import pandas as pd

    recorded = {k[len("bottleneck_share_"):]: v for k, v in result.summary.items()
                if k.startswith("bottleneck_share_")}
    if recorded:
        return pd.Series(recorded, dtype=float).sort_index()
    ops = _operators(result)
    latency = _latency_s(ops)
    return latency.groupby(ops["bottleneck"]).sum() / latency.sum()


def operator_bottlenecks(result: Result):
    """Per-operator latency coloured by its bottleneck tier, and the share of the total
    time each tier is the bottleneck."""
    ops = _operators(result)
    latency = _latency_s(ops)
    tiers = sorted(ops["bottleneck"].unique())
    fig, axes = _figure(1, 2, size=(10.0, 4.0), width_ratios=[3, 1])
    ax, share_ax = axes[0]
    colours = {tier: f"C{i}" for i, tier in enumerate(tiers)}
    ax.bar(np.arange(len(ops)), latency, color=[colours[b] for b in ops["bottleneck"]], width=1.0)
    for tier in tiers:
        ax.bar([], [], color=colours[tier], label=tier)
    ax.set_xlabel("operator (in execution order)")
    ax.set_ylabel("latency (s)")
    ax.set_title("Per-operator latency by bottleneck")
    ax.legend(title="bottleneck", fontsize="small")
    share = bottleneck_share(result)
    share_ax.bar(share.index, share.to_numpy(), color=[colours[t] for t in share.index])
    share_ax.set_xlabel("bottleneck")
    share_ax.set_ylabel("share of time")
    share_ax.set_title("Time by bottleneck")
    return fig


def roofline(result: Result, *, peak_ops_per_s: Optional[float] = None,
             bandwidth_gb_per_s: Optional[float] = None, tier: Optional[str] = None,
             bandwidth_gbyte_per_s: Optional[float] = None):
    """Operators on the roofline of their device: achieved ops/s against operational
    intensity (ops per byte of `tier`, by default the device's home tier). The roof comes
    from the preset named in the summary unless given. `bandwidth_gbyte_per_s` is the
    former name of `bandwidth_gb_per_s` (deprecated)."""
    if bandwidth_gbyte_per_s is not None:
        warnings.warn("bandwidth_gbyte_per_s is deprecated; use bandwidth_gb_per_s", DeprecationWarning,
                      stacklevel=2)
        bandwidth_gb_per_s = bandwidth_gb_per_s or bandwidth_gbyte_per_s
    ops = _operators(result)
    if peak_ops_per_s is None or bandwidth_gb_per_s is None or tier is None:
        from simfabric import accelerator

        device = accelerator.device(str(result.summary.get("device", "")))
        tier = tier or device.home_tier
        peak_ops_per_s = peak_ops_per_s or device.peak_ops_per_s()
        bandwidth_gb_per_s = bandwidth_gb_per_s or device.tiers[tier]["bandwidth_gb_per_s"]
    latency = _latency_s(ops)
    tier_bytes = ops[f"bytes_{tier}"].to_numpy(dtype=float)
    intensity = np.divide(ops["ops"].to_numpy(dtype=float), tier_bytes, out=np.full(len(ops), np.nan),
                          where=tier_bytes > 0)
    achieved = ops["ops"].to_numpy(dtype=float) / latency.to_numpy(dtype=float)
    fig, axes = _figure()
    ax = axes[0, 0]
    for i, bottleneck in enumerate(sorted(ops["bottleneck"].unique())):
        mine = (ops["bottleneck"] == bottleneck).to_numpy()
        ax.scatter(intensity[mine], achieved[mine], s=12, color=f"C{i}", label=bottleneck)
    finite = intensity[np.isfinite(intensity) & (intensity > 0)]
    lo, hi = (finite.min() / 4, finite.max() * 4) if len(finite) else (0.1, 1e4)
    ridge = peak_ops_per_s / (bandwidth_gb_per_s * 1e9)
    xs = np.geomspace(min(lo, ridge / 10), max(hi, ridge * 10), 200)
    ax.plot(xs, np.minimum(peak_ops_per_s, xs * bandwidth_gb_per_s * 1e9), color="black", lw=1, label="roof")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"operational intensity (ops per {tier} byte)")
    ax.set_ylabel("achieved ops/s")
    ax.set_title(f"Roofline ({result.summary.get('device', 'device')})")
    ax.legend(title="bottleneck", fontsize="small")
    return fig


def quantum_timeline(result: Result, *, bins: int = 50):
    """Delivered pairs per second and their fidelity over time and, where recorded, the
    memories in use per router."""
    if "delivered_pairs" not in result.tables:
        raise ValueError(f"{result.path}: no delivered_pairs table (a quantum run)")
    pairs = result.table("delivered_pairs")
    memories = [n for n in result.series_names() if n.startswith("memories_busy")]
    fig, axes = _figure(3 if memories else 2, 1, size=(7.0, 7.5 if memories else 5.5), sharex=True)
    end_s = float(result.summary.get("simulated_s", pairs["time"].max() if len(pairs) else 1.0))
    edges = np.linspace(0.0, end_s, bins + 1)
    counts, _ = np.histogram(pairs["time"], bins=edges)
    centres = (edges[:-1] + edges[1:]) / 2
    axes[0, 0].step(centres, counts / np.diff(edges), where="mid")
    axes[0, 0].set_ylabel("pairs/s")
    axes[0, 0].set_title("Delivered entanglement")
    fidelity_sum, _ = np.histogram(pairs["time"], bins=edges, weights=pairs["fidelity"])
    with np.errstate(invalid="ignore", divide="ignore"):
        axes[1, 0].plot(centres, fidelity_sum / counts, marker=".")
    axes[1, 0].set_ylabel("mean fidelity")
    if memories:
        for name in memories:
            series = result.series(name)
            axes[2, 0].step(series["time_s"], series["value"], where="post", label=name.removeprefix("memories_busy_"))
        axes[2, 0].set_ylabel("memories in use")
        axes[2, 0].legend(fontsize="x-small", ncol=4)
    axes[-1, 0].set_xlabel("time (s)")
    return fig


def pareto_front(source, x: str = "latency_ms", y: Optional[str] = None):
    """Evaluated architectures (grey) and the Pareto front (line) of a search result
    (tables `evaluated` and `front`), or of a DataFrame with an `on_front` column."""
    if isinstance(source, Result):
        evaluated = source.table("evaluated") if "evaluated" in source.tables else None
        front = source.table("front")
    else:
        evaluated = source
        front = source[source["on_front"].astype(bool)]
    if y is None:
        skip = {x, "arch", "precision", "evaluation", "energy_mj", "memory_bytes", "violation", "feasible",
                "on_front", "generation"}
        y = next(c for c in front.columns if c not in skip)
    fig, axes = _figure()
    ax = axes[0, 0]
    if evaluated is not None:
        ax.scatter(evaluated[x], evaluated[y], s=6, color="0.7", label="evaluated")
    ordered = front.sort_values(x)
    ax.plot(ordered[x], ordered[y], marker="o", color="C3", label="Pareto front")
    ax.set_xlabel(x + _unit(front, x))
    ax.set_ylabel(y + _unit(front, y))
    ax.set_title("Pareto front")
    ax.legend()
    return fig
