"""Fabric layers from Python and the CLI: topologies, routing, the flow model,
collectives, and the `fabric` scenario kind."""

import json
import subprocess

import numpy as np
import pytest

import simfabric as sf

B400 = 400e9 / 8  # bytes per second of a 400 Gb/s NIC


def test_leaf_spine_shape_and_equal_cost_paths():
    t = sf.topologies.leaf_spine(leaves=4, spines=3, hosts_per_leaf=5)
    assert t.node_count == 20 + 4 + 3
    assert t.link_count == 2 * (20 + 12)
    ends = t.endpoints
    assert isinstance(ends, np.ndarray) and len(ends) == 20
    r = sf.routing.Router(t)
    assert r.count_equal_cost_paths(int(ends[0]), int(ends[19])) == 3
    assert r.hops(int(ends[0]), int(ends[19])) == 4
    t.set_link_down(t.link("leaf0", "spine1"))
    assert r.count_equal_cost_paths(int(ends[0]), int(ends[19])) == 2
    links = t.links()
    assert links["state"].count("down") == 1


def test_invalid_topology_is_a_value_error():
    with pytest.raises(ValueError, match="hosts_per_leaf"):
        sf.topologies.leaf_spine(hosts_per_leaf=0)
    t = sf.topologies.Topology()
    a = t.add_node("a", "host")
    b = t.add_node("b", "host")
    with pytest.raises(ValueError, match="bandwidth_gbps"):
        t.add_duplex(a, b, 0.0)


@pytest.mark.parametrize("p", [8, 64, 256])
def test_ring_allreduce_matches_alpha_beta(p):
    hosts = 8 if p <= 64 else 16
    t = sf.topologies.leaf_spine(leaves=p // hosts, spines=hosts, hosts_per_leaf=hosts,
                                 host_latency_ns=1000, uplink_latency_ns=500)
    n = 2**28
    r = sf.collective.run(t, algorithm="ring_allreduce", bytes=n)
    expected = sf.collective.alpha_beta_ring_allreduce_s(p, n, 400, alpha_s=3e-6)
    assert r["complete"]
    assert r["completion_s"] == pytest.approx(expected, rel=0.01)
    assert r["busbw_gbyte_per_s"] == pytest.approx(r["algbw_gbyte_per_s"] * 2 * (p - 1) / p)
    finish = r["rank_finish_s"]
    assert finish.shape == (p,) and finish.max() == pytest.approx(r["completion_s"])


def test_permutation_policies_reproduce_the_spraying_claim():
    t = sf.topologies.leaf_spine(leaves=32, spines=32, hosts_per_leaf=32)
    perm = sf.network.random_permutation(1024, seed=4)
    spray = sf.network.run_permutation(t, bytes=2e6, policy="spray", permutation=perm)
    planned = sf.network.run_permutation(t, bytes=2e6, policy="planned", permutation=perm)
    ecmp = sf.network.run_permutation(t, bytes=2e6, policy="ecmp", permutation=perm)
    assert spray["completion_s"] == pytest.approx(spray["ideal_s"], rel=1e-6)
    assert spray["max_link_load"] <= 1 + 1e-9
    assert planned["max_link_flows"] == 1
    assert ecmp["max_link_flows"] >= 3
    # The slowest ECMP flow shares its worst link with max_link_flows - 1 others.
    assert ecmp["completion_s"] > 2.5 * spray["completion_s"]
    assert len(ecmp["flow_completion_s"]) == 1024


def test_link_down_with_no_alternative_is_reported_not_hung():
    t = sf.topologies.ring(2, link_gbps=100)
    r = sf.collective.run(t, algorithm="sendrecv", bytes=1e9, link_down_at=[(t.link("host0", "host1"), 1e-3)])
    assert not r["complete"]
    assert r["failed_transfers"] == [(0, 1)]


def test_spine_link_down_mid_run_reroutes_and_slows_the_sprayed_ring():
    def fabric():
        return sf.topologies.leaf_spine(leaves=4, spines=4, hosts_per_leaf=4, host_latency_ns=0,
                                        uplink_latency_ns=0)

    base = sf.collective.run(fabric(), bytes=2**28, policy="spray", placement="strided")
    t = fabric()
    down = [(t.link("leaf0", "spine0"), 0.0), (t.link("spine0", "leaf0"), 0.0)]
    slow = sf.collective.run(t, bytes=2**28, policy="spray", placement="strided", link_down_at=down)
    assert slow["completion_s"] / base["completion_s"] == pytest.approx(4 / 3, rel=0.02)
    assert slow["suspect_links"][0]["down"]


def test_gpipe_bubble():
    t = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=2)
    r = sf.collective.gpipe(t, forward_us=[1000] * 4, backward_us=[2000] * 4, micro_batches=8,
                            activation_bytes=1e3)
    assert r["completion_s"] == pytest.approx(11 * 3e-3, rel=0.01)
    assert r["bubble_fraction"] == pytest.approx(r["bubble_formula"], rel=0.01)


def test_moe_hot_expert():
    t = sf.topologies.leaf_spine(leaves=2, spines=8, hosts_per_leaf=8)
    r = sf.collective.moe(t, experts=16, tokens_per_rank=2048, skew=1.2)
    tokens = r["tokens_per_expert"]
    assert tokens.argmax() == 0 and tokens.sum() == 16 * 2048
    assert r["slow_ranks"][0]["rank"] == 0


def run_cli(simfabric_bin, *args):
    return subprocess.run([str(simfabric_bin), *args], capture_output=True, text=True, timeout=120)


def test_cli_runs_the_1024_host_example(simfabric_bin, repo_root):
    out = run_cli(simfabric_bin, "run", str(repo_root / "scenarios/fabric/ring_allreduce_1024.toml"), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    expected = sf.collective.alpha_beta_ring_allreduce_s(1024, 2**30, 400, alpha_s=2e-6)
    assert summary["completion_s"] == pytest.approx(expected, rel=0.01)


def test_cli_bench_allreduce_json(simfabric_bin):
    out = run_cli(simfabric_bin, "bench", "allreduce", "--hosts", "64", "--json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    for key in ("wall_s", "simulated_s", "events", "peak_rss_bytes"):
        assert key in r
    assert r["simulated_s"] == pytest.approx(r["formula_s"], rel=0.01)


def test_cli_rejects_bad_fabric_scenarios(simfabric_bin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "fabric"\n[topology]\nleaves = 2\nspine = 4\n[workload]\ntype = "collective"\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert "topology.spine" in out.stderr
    bad.write_text('kind = "fabric"\n[faults]\nlink_down = "leaf0-spine9"\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert "spine9" in out.stderr
    bad.write_text('kind = "fabric"\n[workload]\nalgorithm = "hd"\nranks = 3\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert "power-of-two" in out.stderr


def test_cli_writes_rank_link_and_series_tables(simfabric_bin, repo_root, tmp_path):
    h5py = pytest.importorskip("h5py")
    out_file = tmp_path / "half.h5"
    out = run_cli(simfabric_bin, "run", str(repo_root / "scenarios/fabric/half_nics_half_speed.toml"), "-o",
                  str(out_file), "--json")
    assert out.returncode == 0, out.stderr
    with h5py.File(out_file) as f:
        finish = f["tables/ranks/finish_s"][:]
        assert finish.shape == (64,)
        assert finish.max() == pytest.approx(json.loads(out.stdout)["completion_s"])
        util = f["stats/utilisation host0->leaf0/value"][:]
        # host0's NIC runs at half speed: its link is at most half used.
        assert util.max() == pytest.approx(0.5)
        assert len(f["tables/links/name"]) == f["tables/links/carried_bytes"].shape[0]


def run_scenario_json(simfabric_bin, path, *sets):
    args = ["run", str(path), "--json"]
    for s in sets:
        args += ["--set", s]
    out = run_cli(simfabric_bin, *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_cli_timed_slow_nic_and_degraded_link(simfabric_bin, repo_root):
    example = repo_root / "scenarios/fabric/slow_nic_mid_run.toml"
    timed = run_scenario_json(simfabric_bin, example)
    from_start = run_scenario_json(simfabric_bin, example, "faults.slow_nic_at_us=0")
    healthy = run_scenario_json(simfabric_bin, example, "faults.slow_nic_fraction=1")
    # Paced by the healthy ring for 4 ms, then by the half-speed NIC for the rest.
    at_s = 4e-3
    expected = at_s + (1 - at_s / healthy["completion_s"]) * from_start["completion_s"]
    assert healthy["completion_s"] < timed["completion_s"] < from_start["completion_s"]
    assert timed["completion_s"] == pytest.approx(expected, rel=0.02)
    # The same run simulated step by step: identical to the picosecond and event.
    full = run_scenario_json(simfabric_bin, example, "network.extrapolate=false")
    assert full["completion_s"] == timed["completion_s"]
    assert full["events"] == timed["events"] and full["flows"] == timed["flows"]
    # A degraded cable after the run has ended changes nothing.
    late = run_scenario_json(simfabric_bin, example, "faults.slow_nic_at_us=1e6")
    assert late["completion_s"] == healthy["completion_s"]


@pytest.mark.parametrize("faults,expected", [
    ('slow_nic_at_us = 10\n', "faults.slow_nic_at_us"),
    ('degraded_at_us = 10\n', "faults.degraded_at_us"),
    ('degraded_links = "leaf0-spine0"\ndegraded_at_us = -1\n', "faults.degraded_at_us"),
    ('slow_nic_every = 2\nslow_nic_at_us = "soon"\n', "faults.slow_nic_at_us"),
])
def test_cli_rejects_bad_fault_times(simfabric_bin, tmp_path, faults, expected):
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "fabric"\n[faults]\n' + faults + '[workload]\ntype = "collective"\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert expected in out.stderr


def test_cli_rejects_timed_faults_on_a_permutation(simfabric_bin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "fabric"\n[faults]\nslow_nic_every = 2\nslow_nic_at_us = 5\n[workload]\ntype = "permutation"\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert "permutation" in out.stderr


def test_cli_bench_reports_simulated_and_extrapolated_flows(simfabric_bin):
    fast = json.loads(run_cli(simfabric_bin, "bench", "allreduce", "--hosts", "256", "--json").stdout)
    full = json.loads(run_cli(simfabric_bin, "bench", "allreduce", "--hosts", "256", "--json", "--no-extrapolate").stdout)
    assert full["flows_simulated"] == full["flows"] == 2 * 255 * 256
    assert fast["flows"] == full["flows"] and fast["flows_simulated"] < full["flows"] / 4
    assert fast["simulated_s"] == full["simulated_s"] and fast["events"] == full["events"]


def test_ring_extrapolation_matches_full_simulation_from_python():
    t = sf.topologies.leaf_spine(leaves=8, spines=8, hosts_per_leaf=8)
    down = [(t.link("leaf0", "spine0"), 3e-3)]  # mid-run: the skipped steps must stop before it
    kw = dict(bytes=2**28, policy="spray", placement="strided")
    fast = sf.collective.run(t, "ring_allreduce", link_down_at=down, **kw)
    full = sf.collective.run(t, "ring_allreduce", link_down_at=down, extrapolate=False, **kw)
    healthy = sf.collective.run(t, "ring_allreduce", **kw)
    assert fast["completion_s"] > 1.05 * healthy["completion_s"]  # the fault took effect
    assert fast["steps_extrapolated"] > 0
    assert full["flows_simulated"] == full["flows"] and full["steps_extrapolated"] == 0
    assert fast["flows"] == full["flows"] and fast["events"] == full["events"]
    assert np.array_equal(fast["rank_finish_s"], full["rank_finish_s"])
