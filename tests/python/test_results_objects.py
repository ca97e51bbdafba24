"""Python results carry the names and units of `simfabric run` files, NaN for metrics
without a value, and unknown presets are named with the valid ones."""

import math
import subprocess

import pytest

import simfabric as sf
from simfabric import analysis


def test_collective_results_match_the_file_names_and_values(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "ring.h5"
    subprocess.run([simfabric_bin, "run", repo_root / "scenarios/fabric/allreduce_small.toml", "--set",
                    "workload.bytes=1048576", "-o", out], check=True, capture_output=True)
    saved = analysis.load(out)
    fabric = sf.topologies.leaf_spine(leaves=8, spines=8, hosts_per_leaf=8, host_gbps=100, uplink_gbps=100)
    r = sf.collective.run(fabric, algorithm="ring_allreduce", bytes=1 << 20)
    assert isinstance(r, dict) and r["busbw"] == r["busbw_gb_per_s"] == r.busbw
    # the former spelling still reads, with a warning, and is not listed as a metric of its own
    with pytest.warns(DeprecationWarning, match="busbw_gb_per_s"):
        assert r["busbw_gbyte_per_s"] == r.busbw_gb_per_s
    with pytest.warns(DeprecationWarning, match="algbw_gb_per_s"):
        assert r.algbw_gbyte_per_s == r.get("algbw_gbyte_per_s") == r.algbw
    assert "busbw_gbyte_per_s" not in r.to_pandas()["metric"].tolist()
    for name in ("completion_s", "busbw", "algbw"):
        assert r[name] == pytest.approx(saved.summary[name], rel=1e-12)
        assert r.units[name] == saved.units[name]
    rows = r.to_pandas().set_index("metric")
    assert rows.loc["busbw", "unit"] == "GB/s" and rows.loc["busbw", "value"] == r.busbw
    ranks = r.to_pandas("rank_finish_s")
    assert len(ranks) == 64 and ranks.attrs["units"] == {"rank_finish_s": "s"}
    with pytest.raises(AttributeError, match="no metric 'busbandwidth'"):
        r.busbandwidth


def test_accelerator_results_match_the_file(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "resnet.h5"
    subprocess.run([simfabric_bin, "run", repo_root / "scenarios/accelerator/resnet50_h100.toml", "-o", out],
                   check=True, capture_output=True)
    saved = analysis.load(out)
    r = sf.accelerator.run_network("h100", "resnet50", batch=1, activations_on_chip=0.25)
    assert r.energy_j == pytest.approx(r.energy_pj * 1e-12)
    assert r.energy_j == pytest.approx(saved.summary["energy_j"], rel=1e-12)
    assert r.simulated_s == pytest.approx(saved.summary["simulated_s"], rel=1e-12)
    assert r.units["energy_j"] == saved.units["energy_j"] == "J"
    operators = r.to_pandas("operators")
    assert len(operators) == len(saved.table("operators"))
    assert list(operators["name"]) == list(saved.table("operators")["name"])


def test_no_pairs_means_no_fidelity():
    r = sf.quantum.run_chain(routers=3, duration_s=1e-6)
    assert r.pairs_delivered == 0
    assert math.isnan(r.mean_fidelity) and math.isnan(r.metric("mean_fidelity"))
    assert r.pairs_per_s == 0.0  # a rate of zero is a value
    assert math.isnan(r.metric("not_a_metric"))


@pytest.mark.parametrize("call", [
    lambda: sf.accelerator.preset("h10"),
    lambda: sf.accelerator.device("h10"),
    lambda: sf.accelerator.run_network("h10", "resnet50"),
    lambda: sf.accelerator.run_networks("h10", "nb201", ["x"]),
])
def test_unknown_preset_is_named_with_the_valid_ones(call):
    with pytest.raises(ValueError) as raised:
        call()
    message = str(raised.value)
    assert "'h10'" in message and "scenario file" not in message
    for name in sf.accelerator.preset_names():
        assert name in message


def test_permutation_metrics_match_the_file(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "perm.h5"
    subprocess.run([simfabric_bin, "run", repo_root / "scenarios/fabric/permutation_ecmp.toml", "--set",
                    "topology.leaves=8", "--set", "topology.spines=8", "--set", "topology.hosts_per_leaf=8",
                    "-o", out], check=True, capture_output=True)
    saved = analysis.load(out)
    fabric = sf.topologies.leaf_spine(leaves=8, spines=8, hosts_per_leaf=8, host_gbps=400, uplink_gbps=400)
    r = sf.network.run_permutation(fabric, bytes=2e6, policy="ecmp", seed=saved.seed)
    for name in ("completion_s", "ideal_s", "median_fct_s", "slowdown_vs_ideal"):
        assert r[name] == pytest.approx(saved.summary[name], rel=1e-12), name


def test_hierarchical_allreduce_without_ranks_per_host_warns():
    fabric = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=4, host_gbps=100)
    with pytest.warns(UserWarning, match="ranks_per_host"):
        flat = sf.collective.run(fabric, algorithm="hierarchical_allreduce", bytes=1 << 20)
    assert flat.complete
