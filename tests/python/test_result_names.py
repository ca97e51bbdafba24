"""Result names and values shared by Python, the command line and files: the share of
time by bottleneck, the figures a fabric's links imply, NaN for metrics without a
value, unknown devices named with the presets."""

import math
import subprocess

import h5py
import pytest

import simfabric as sf
from simfabric import accelerator as acc


def test_bottleneck_share_sums_operator_latencies():
    r = acc.run_network("h100", "transformer_block", batch=2, seq=512)
    ops = r.to_pandas("operators")
    by_latency = ops.groupby("bottleneck")["latency_s"].sum() / r.latency_s
    assert r.bottleneck_share == pytest.approx(by_latency.to_dict(), rel=1e-9)
    assert sum(r.bottleneck_share.values()) == pytest.approx(1.0, abs=1e-12)
    for resource, share in r.bottleneck_share.items():
        assert r[f"bottleneck_share_{resource}"] == share
        assert r.units[f"bottleneck_share_{resource}"] == "fraction"
    assert r.latency_ps == round(r.latency_s * 1e12)


def test_fabric_results_carry_derived_figures():
    t = sf.topologies.leaf_spine(leaves=4, spines=2, hosts_per_leaf=4, host_gbps=100, oversubscription=2.0)
    r = sf.collective.run(t, algorithm="ring_allreduce", bytes=2**20)
    # 4 hosts x 100 Gb/s over 2 spines at 2:1: 100 Gb/s uplinks.
    assert r.uplink_gbps == pytest.approx(4 * 100 / (2 * 2.0))
    assert r.oversubscription == pytest.approx(2.0)
    assert r.host_gbps == 100
    assert r.total_capacity_gbps == pytest.approx(2 * (16 * 100 + 4 * 2 * 100))
    assert r.units["uplink_gbps"] == "Gb/s"
    p = sf.network.run_permutation(t, bytes=2**20)
    assert p.oversubscription == pytest.approx(2.0)
    ring = sf.topologies.fabric_figures(sf.topologies.ring(4))
    assert math.isnan(ring["oversubscription"]) and math.isnan(ring["uplink_gbps"])
    assert "oversubscription" not in sf.collective.run(sf.topologies.ring(4), bytes=2**20)


def test_fabric_file_records_figures(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "ls.h5"
    done = subprocess.run([str(simfabric_bin), "run", repo_root / "scenarios/fabric/allreduce_small.toml",
                           "--set", "workload.bytes=1048576", "-o", out], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with h5py.File(out) as f:
        summary = dict(f["summary"].attrs)
        gbps = f["tables/links/bandwidth_gbps"][:]
    assert summary["uplink_gbps"] > 0 and summary["oversubscription"] > 0
    assert summary["total_capacity_gbps"] == pytest.approx(gbps.sum())


def test_quantum_without_pairs_is_nan_in_files(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "q.h5"
    done = subprocess.run([str(simfabric_bin), "run", repo_root / "scenarios/quantum/chain.toml",
                           "--set", "duration_s=1e-6", "-o", out], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run = sf.analysis.load(out)
    assert run.summary["pairs_delivered"] == 0
    for metric in ("mean_fidelity", "min_fidelity", "mean_teleport_fidelity", "mean_belief_fidelity",
                   "request1_mean_fidelity"):
        assert math.isnan(run.summary[metric]), metric
    assert math.isnan(run.table("requests")["mean_fidelity"].iloc[0])
    assert "mean_fidelity" in done.stdout and "nan" in done.stdout.lower()
    r = sf.quantum.run_chain(routers=3, duration_s=1e-6)
    assert math.isnan(r.mean_fidelity) and math.isnan(r["requests"][0]["mean_fidelity"])


def test_accelerator_operator_columns_carry_units(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "a.h5"
    done = subprocess.run([str(simfabric_bin), "run", repo_root / "scenarios/accelerator/resnet50_h100.toml",
                           "-o", out], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ops = sf.analysis.load(out).table("operators")
    assert {"latency_s", "energy_pj", "ops"} <= set(ops.columns)
    assert "latency" not in ops.columns and "energy" not in ops.columns
    python = acc.run_network("h100", "resnet50", batch=1)
    assert set(python["operators"]) >= {"latency_s", "energy_pj", "ops"}


def test_unknown_device_in_cost_names_the_presets(repo_root):
    presets = ", ".join(acc.preset_names())
    with pytest.raises(ValueError, match=f"no preset or device file 'h200'; presets: {presets}"):
        sf.cost.fit("h200", repo_root / "scenarios/plans/networks.toml")
