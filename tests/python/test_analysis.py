"""simfabric.analysis reads what the recorder writes, and refuses incomplete files."""

import subprocess

import h5py
import numpy as np
import pytest

from simfabric import analysis


def test_load_a_run(simfabric_bin, repo_root, tmp_path):
    output = tmp_path / "mm1.h5"
    subprocess.run([simfabric_bin, "run", repo_root / "scenarios/examples/mm1.toml", "--set",
                    "queue.customers=3000", "--seed", "4", "-o", output], check=True, capture_output=True)
    result = analysis.load(output)
    assert result.seed == 4
    assert "customers = 3000" in result.scenario
    assert result.summary["customers"] == 3000
    assert result.units["mean_wait_s"] == "s"
    wait = result.stats["wait"]
    assert wait["kind"] == "tally"
    assert wait["count"] == 3000
    assert wait["mean"] == pytest.approx(result.summary["mean_wait_s"])
    histogram = result.stats["wait_histogram"]
    assert histogram["counts"].sum() + histogram["overflow"] == 3000


def test_incomplete_and_missing_files_are_refused(tmp_path):
    partial = tmp_path / "partial.h5"
    with h5py.File(partial, "w") as f:
        f.attrs["complete"] = 0
        f.attrs["seed"] = 1
    with pytest.raises(analysis.IncompleteResultError, match="did not complete"):
        analysis.load(partial)
    assert analysis.load(partial, allow_incomplete=True).seed == 1
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        analysis.load(tmp_path / "nope.h5")


def test_tables_become_dataframes(tmp_path):
    path = tmp_path / "t.h5"
    with h5py.File(path, "w") as f:
        f.attrs["complete"] = 1
        f.attrs["seed"] = 2
        f["tables/flows/bytes"] = [1.0, 2.0]
        f["tables/flows/start_s"] = [0.0, 0.5]
    result = analysis.load(path)
    frame = result.table("flows")
    assert list(frame.columns) == ["bytes", "start_s"]
    assert frame["bytes"].sum() == 3.0
    with pytest.raises(KeyError, match="no table 'links'"):
        result.table("links")


def test_every_layout_loads_with_units_and_decoded_strings(result_files):
    kinds = {name: analysis.load(path).kind for name, path in result_files.items()}
    assert kinds == {"fabric": "fabric", "fabric_spray": "fabric", "permutation": "fabric",
                     "accelerator": "accelerator", "quantum": "quantum", "mm1": "mm1", "sweep": "sweep",
                     "search": "search"}
    fabric = analysis.load(result_files["fabric"])
    links = fabric.table("links")
    assert isinstance(links["name"].iloc[0], str) and "->" in links["name"].iloc[0]
    assert links.attrs["units"]["carried_bytes"] == "B"
    flows = fabric.table("flows")
    assert flows.attrs["units"]["end_s"] == "s"
    # Conservation: every byte the flows carried crossed its source host's uplink once.
    host_links = links[links["name"].str.startswith("h") & links["name"].str.contains("->leaf")]
    assert host_links["carried_bytes"].sum() == pytest.approx(flows["bytes"].sum(), rel=1e-9)
    assert fabric.units["completion_s"] == "s" and fabric.units["busbw"] == "GB/s"
    series = fabric.series("utilisation leaf0->spine0")
    assert list(series.columns) == ["time_s", "value"] and (series["value"].between(0, 1)).all()
    with pytest.raises(KeyError, match="no time series 'nope'"):
        fabric.series("nope")
    assert np.isnan(fabric.metric("mean_fidelity"))
    accelerator = analysis.load(result_files["accelerator"])
    operators = accelerator.table("operators")
    assert set(operators["bottleneck"]) <= {"compute", "l2", "hbm", "host", "noc", "pcie"}
    assert operators.attrs["units"]["latency_s"] == "s" and operators.attrs["units"]["energy_pj"] == "pJ"
    # The recorded share of time by bottleneck is the operators' latencies by bottleneck.
    shares = {k[len("bottleneck_share_"):]: v for k, v in accelerator.summary.items() if k.startswith("bottleneck_share_")}
    by_latency = operators.groupby("bottleneck")["latency_s"].sum() / operators["latency_s"].sum()
    assert shares == pytest.approx(by_latency.to_dict(), rel=1e-9)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert accelerator.units["bottleneck_share_" + next(iter(shares))] == "fraction"
    # Figures the fabric's links imply, beside the nominal speed of every link.
    assert fabric.summary["uplink_gbps"] > 0 and fabric.units["uplink_gbps"] == "Gb/s"
    assert links.attrs["units"]["bandwidth_gbps"] == "Gb/s" and (links["bandwidth_gbps"] > 0).all()
    summary = analysis.load(result_files["quantum"]).summary_frame()
    assert summary.set_index("metric").loc["pairs_per_s", "unit"] != ""


def test_sweep_points_details_and_xarray(result_files):
    sweep = analysis.load(result_files["sweep"])
    assert isinstance(sweep, analysis.Sweep)
    assert sorted(sweep.parameters) == ["network.policy", "workload.bytes"]
    assert sweep.replicas == 3
    points = sweep.points
    assert len(points) == 18 and set(points["status"]) == {"ok"}
    assert set(points["network.policy"]) == {"ecmp", "spray"}
    assert points.attrs["units"]["completion_s"] == "s"
    detail = sweep.details(4)
    assert detail.seed == points.loc[points["point"] == 4, "seed"].item()
    assert detail.summary["completion_s"] == points.loc[points["point"] == 4, "completion_s"].item()
    assert len(detail.table("flows")) > 0
    with pytest.raises(KeyError, match="no details for point 99"):
        sweep.details(99)
    data = sweep.to_xarray(["busbw", "completion_s"])
    assert dict(data.sizes) == {"workload.bytes": 3, "network.policy": 2, "replica": 3}
    assert data["completion_s"].attrs["units"] == "s"
    row = points[(points["workload.bytes"] == 262144) & (points["network.policy"] == "spray")
                 & (points["replica"] == 1)]
    assert data["busbw"].sel({"workload.bytes": 262144, "network.policy": "spray", "replica": 1}).item() == \
        row["busbw"].item()
    with pytest.raises(KeyError, match="no metric nope"):
        sweep.to_xarray(["nope"])


def test_sampled_sweep_becomes_samples(tmp_path):
    path = tmp_path / "lhs.h5"
    with h5py.File(path, "w") as f:
        f.attrs["complete"] = 1
        f.attrs["seed"] = 1
        f.attrs["sweep"] = "kind = 'sweep'\n[sweep]\nreplicas = 2\n[parameters]\na = { min = 0.0, max = 1.0 }\nb = { min = 0.0, max = 1.0 }\n"
        f["points/point"] = np.arange(6)
        f["points/replica"] = np.tile([0, 1], 3)
        f["points/a"] = np.repeat([0.1, 0.5, 0.9], 2)
        f["points/b"] = np.repeat([0.7, 0.2, 0.4], 2)
        f["points/m"] = np.arange(6.0)
        f["points/status"] = np.array([b"ok"] * 6, dtype=object)
    data = analysis.load(path).to_xarray()
    # Three (a, b) draws are not a 3 x 3 grid: one dimension `sample`, a and b its coordinates.
    assert dict(data.sizes) == {"sample": 3, "replica": 2}
    assert list(data["a"].values) == [0.1, 0.5, 0.9] and list(data["b"].values) == [0.7, 0.2, 0.4]
    assert data["m"].sel(sample=1, replica=1).item() == 3.0


def test_sweep_detail_tables_stack_with_their_parameters(result_files):
    sweep = analysis.load(result_files["sweep"])
    flows = sweep.detail_table("flows")
    assert list(flows.columns[:4]) == ["point", "replica"] + sweep.parameters
    assert flows.attrs["units"]["start_s"] == "s"
    for point in (0, 17):
        mine = flows[flows["point"] == point]
        own = sweep.details(point).table("flows")
        assert len(mine) == len(own) and mine["bytes"].sum() == own["bytes"].sum()
    # Every point moves the same bytes per replica: an all-reduce's traffic does not depend on the seed.
    per_point = flows.groupby(["workload.bytes", "network.policy", "replica"])["bytes"].sum()
    assert per_point.groupby(level=["workload.bytes", "network.policy"]).nunique().max() == 1
