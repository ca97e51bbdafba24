"""Every plot renders (a non-blank PNG) with its axes, labels and the data it was given."""

import io
import math

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")  # scripts/install-deps.sh installs it
from matplotlib.image import imread  # noqa: E402

from simfabric import analysis  # noqa: E402
from simfabric.analysis import plots  # noqa: E402


def rendered(fig):
    """The figure as an RGBA array: it must decode and not be a single colour."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    buffer.seek(0)
    image = imread(buffer, format="png")
    assert image.shape[0] > 50 and image.shape[1] > 50
    assert image[..., :3].std() > 0.01
    return image


def test_fct_cdf(result_files):
    runs = {"ecmp": analysis.load(result_files["fabric"]), "spray": analysis.load(result_files["fabric_spray"])}
    fig = plots.fct_cdf(runs)
    rendered(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "flow completion time (s)" and ax.get_ylabel() == "fraction of flows"
    assert [line.get_label() for line in ax.get_lines()] == ["ecmp", "spray"]
    for line, run in zip(ax.get_lines(), runs.values()):
        x, y = line.get_data()
        assert len(x) == len(run.table("flows")) and y[-1] == 1.0 and np.all(np.diff(x) >= 0)
    with pytest.raises(ValueError, match="record_flows"):
        plots.fct_cdf(analysis.load(result_files["permutation"]))


def test_link_utilisation_and_timeline(result_files):
    fabric = analysis.load(result_files["fabric"])
    fig = plots.link_utilisation(fabric)
    rendered(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "utilisation"
    assert {line.get_label() for line in ax.get_lines()} == {"leaf0->spine0", "leaf0->spine1", "spine1->leaf0"}
    with pytest.raises(ValueError, match="series_links"):
        plots.link_utilisation(analysis.load(result_files["permutation"]))
    fig = plots.collective_timeline(fabric)
    rendered(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "rank"
    # One bar collection per source with flows; the bars end no later than the run.
    assert len(ax.collections) == len(np.unique(fabric.table("flows")["src_node"]))
    assert ax.get_xlim()[1] >= fabric.summary["completion_s"] * 0.99
    rendered(plots.collective_timeline(analysis.load(result_files["permutation"])))


def test_sweep_curve_means_and_intervals(result_files):
    sweep = analysis.load(result_files["sweep"])
    fig = plots.sweep_curve(sweep, "workload.bytes", "completion_s", by="network.policy")
    rendered(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "workload.bytes" and ax.get_ylabel() == "completion_s (s)"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"network.policy = ecmp", "network.policy = spray"}
    points = sweep.points
    ecmp = points[points["network.policy"] == "ecmp"].groupby("workload.bytes")["completion_s"].mean()
    assert np.allclose(lines["network.policy = ecmp"].get_ydata(), ecmp.to_numpy())
    with pytest.raises(KeyError, match="no column 'nope'"):
        plots.sweep_curve(sweep, "nope", "busbw")


def test_confidence_interval_is_students_t():
    mean, half = plots.confidence_interval([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(4.303 / math.sqrt(3))
    assert math.isnan(plots.confidence_interval([5.0])[1])
    mean, half = plots.confidence_interval(np.arange(100.0))
    assert half == pytest.approx(1.960 * np.arange(100.0).std(ddof=1) / 10)


def test_operator_bottlenecks_and_roofline(result_files):
    run = analysis.load(result_files["accelerator"])
    fig = plots.operator_bottlenecks(run)
    rendered(fig)
    bars, share = fig.axes
    assert bars.get_ylabel() == "latency (s)" and share.get_ylabel() == "share of time"
    assert sum(p.get_height() for p in share.patches) == pytest.approx(1.0)
    assert len(bars.patches) == len(run.table("operators"))
    fig = plots.roofline(run)
    rendered(fig)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "operational intensity (ops per hbm byte)" and ax.get_ylabel() == "achieved ops/s"
    roof = [line for line in ax.get_lines() if line.get_label() == "roof"][0]
    assert roof.get_ydata().max() == pytest.approx(989e12)  # H100 dense bf16 peak
    # No operator beats its roof.
    for collection in ax.collections:
        x, y = collection.get_offsets().T
        ok = np.isfinite(x)
        assert np.all(y[ok] <= np.minimum(989e12, x[ok] * 3350e9) * (1 + 1e-9))


def test_quantum_timeline(result_files):
    run = analysis.load(result_files["quantum"])
    fig = plots.quantum_timeline(run, bins=10)
    rendered(fig)
    rate, fidelity, memories = fig.axes
    assert rate.get_ylabel() == "pairs/s" and fidelity.get_ylabel() == "mean fidelity"
    assert memories.get_ylabel() == "memories in use" and memories.get_xlabel() == "time (s)"
    # The binned rate integrates back to the number of pairs delivered.
    x, y = rate.get_lines()[0].get_data()
    assert np.sum(y) * run.summary["simulated_s"] / 10 == pytest.approx(len(run.table("delivered_pairs")))


def test_pareto_front(result_files):
    run = analysis.load(result_files["search"])
    fig = plots.pareto_front(run)
    rendered(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "latency_ms (ms)" and ax.get_ylabel() == "proxy (MACs)"
    front = [line for line in ax.get_lines() if line.get_label() == "Pareto front"][0]
    assert len(front.get_xdata()) == len(run.table("front"))
