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


def test_topology_keywords_take_the_scenario_keys_defaults_and_ranges(simfabric_bin, tmp_path):
    # The keyword defaults are the [topology] declarations': the same fabric as a scenario
    # file that names no key.
    t = sf.topologies.leaf_spine()
    scenario = tmp_path / "s.toml"
    scenario.write_text('kind = "fabric"\n[topology]\ntype = "leaf_spine"\n'
                        '[workload]\ntype = "permutation"\nbytes = 1000000\n')
    out = subprocess.run([simfabric_bin, "run", str(scenario), "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["flows"] == len(t.endpoints)  # one flow per host
    assert summary["host_gbps"] == summary["uplink_gbps"] == max(t.links()["bandwidth_gbps"])
    assert summary["total_capacity_gbps"] == sum(t.links()["bandwidth_gbps"])
    # Refused in the scenario reader's words, naming the key.
    with pytest.raises(ValueError, match=r"topology\.host_gbps: expected a number in \[0\.001, 1e\+07\]"):
        sf.topologies.leaf_spine(host_gbps=0.0)
    with pytest.raises(ValueError, match=r"topology\.host_latency_ns"):
        sf.topologies.leaf_spine(host_latency_ns=-1.0)
    with pytest.raises(ValueError, match=r"topology\.k: must be even"):
        sf.topologies.fat_tree(k=5)
    with pytest.raises(ValueError, match=r"topology\.link_gbps"):
        sf.topologies.ring(4, link_gbps=2e7)


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
    assert r["busbw_gb_per_s"] == pytest.approx(r["algbw_gb_per_s"] * 2 * (p - 1) / p)
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
    assert full["events"] == timed["events"] + timed["events_extrapolated"] and full["flows"] == timed["flows"]
    assert full["events_extrapolated"] == 0 < timed["events_extrapolated"]
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


def without_wall(summary):
    return {k: v for k, v in summary.items() if k not in ("wall_s", "output")}


PAIR = ('kind = "fabric"\n[topology]\nleaves = 1\nhosts_per_leaf = 2\nhost_latency_ns = 0\n'
        '[workload]\ntype = "permutation"\nbytes = 8000000\n')


def test_cli_timed_faults_hit_a_permutation_at_their_time(simfabric_bin, tmp_path):
    # Two hosts swap n bytes; host0's NIC halves at T: both flows end at 2n/B - T.
    scenario = tmp_path / "pair.toml"
    scenario.write_text(PAIR + '[faults]\nslow_nic_hosts = [0]\nslow_nic_at_us = 50\n')
    n = 8e6
    timed = run_scenario_json(simfabric_bin, scenario)
    assert timed["completion_s"] == pytest.approx(2 * n / B400 - 50e-6, rel=1e-9)
    assert timed["ideal_s"] == pytest.approx(n / B400, rel=1e-9)
    # The same time written with a unit.
    with_unit = run_scenario_json(simfabric_bin, scenario, 'faults.slow_nic_at_us="0.05 ms"')
    assert without_wall(with_unit) == without_wall(timed)
    from_start = run_scenario_json(simfabric_bin, scenario, "faults.slow_nic_at_us=0")
    assert from_start["completion_s"] == pytest.approx(2 * n / B400, rel=1e-9)


def test_cli_bench_reports_simulated_and_extrapolated_flows(simfabric_bin):
    fast = json.loads(run_cli(simfabric_bin, "bench", "allreduce", "--hosts", "256", "--json").stdout)
    full = json.loads(run_cli(simfabric_bin, "bench", "allreduce", "--hosts", "256", "--json", "--no-extrapolate").stdout)
    assert full["flows_simulated"] == full["flows"] == 2 * 255 * 256
    assert fast["flows"] == full["flows"] and fast["flows_simulated"] < full["flows"] / 4
    assert fast["simulated_s"] == full["simulated_s"]
    assert fast["events"] + fast["events_extrapolated"] == full["events"] and full["events_extrapolated"] == 0


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
    assert fast["flows"] == full["flows"] and fast["events"] + fast["events_extrapolated"] == full["events"]
    assert np.array_equal(fast["rank_finish_s"], full["rank_finish_s"])


def small_fabric():
    # host0 - leaf0 - spine0 - leaf1 - host1: rank 0 sends to rank 1 over leaf0->spine0.
    return sf.topologies.leaf_spine(leaves=2, spines=1, hosts_per_leaf=1)


@pytest.mark.parametrize("link,complete", [("leaf0-spine0", False), ("spine0-leaf0", False),
                                           ("spine0->leaf0", True), ("leaf0->spine0", False)])
def test_one_link_down_rule_in_python_and_scenario_files(simfabric_bin, tmp_path, link, complete):
    # A cable fails both directions unless a direction is named, in every front end.
    t = small_fabric()
    for at_s in (0.0, 1e-6):
        r = sf.collective.run(t, "sendrecv", bytes=1e6, link_down_at=[(link, at_s)])
        assert r["complete"] == complete
    before = t.copy()
    before.set_link_down(link)
    assert sf.collective.run(before, "sendrecv", bytes=1e6)["complete"] == complete
    scenario = tmp_path / "pair.toml"
    scenario.write_text('kind = "fabric"\n[topology]\nleaves = 2\nspines = 1\nhosts_per_leaf = 1\n'
                        f'[faults]\nlink_down = "{link}"\n[workload]\nalgorithm = "sendrecv"\nbytes = 1000000\n')
    out = run_cli(simfabric_bin, "run", str(scenario), "--json")
    assert out.returncode == (0 if complete else 1), out.stderr
    assert json.loads(out.stdout)["complete"] == (1 if complete else 0)


def test_link_states_set_before_a_run_hold_for_every_workload():
    t = small_fabric()
    t.set_link_down("host1-leaf1")
    states = t.links()["state"]
    assert states.count("down") == 2 and t.copy().links()["state"] == states
    assert not sf.collective.run(t, "sendrecv", bytes=1e6)["complete"]
    assert not sf.collective.moe(t, experts=2, tokens_per_rank=64)["complete"]
    assert not sf.collective.gpipe(t, forward_us=[1, 1], backward_us=[1, 1], activation_bytes=1e3)["complete"]
    perm = sf.network.run_permutation(t, bytes=1e6)
    assert not perm["complete"] and perm["failed"] == 2 and np.isnan(perm["completion_s"])
    healthy = sf.network.run_permutation(small_fabric(), bytes=1e6)
    assert healthy["complete"] and healthy["failed"] == 0


def test_link_ids_and_printed_names_are_interchangeable():
    t = small_fabric()
    links = t.links()
    for i, name in enumerate(links["name"]):
        assert t.link(*name.split("->")) == i
    link = t.link("leaf0", "spine0")
    by_id = sf.collective.run(t, "ring_allreduce", bytes=1e6, degraded_at=[(link, 0.5, 1e-6)])
    by_name = sf.collective.run(t, "ring_allreduce", bytes=1e6, degraded_at=[("leaf0->spine0", 0.5, 1e-6)])
    assert by_id["completion_s"] == by_name["completion_s"]
    with pytest.raises(KeyError, match="spine9"):
        sf.collective.run(t, bytes=1e6, link_down_at=[("leaf0-spine9", 0.0)])
    with pytest.raises(IndexError):
        t.set_link_down(99)


def test_cli_host_link_down_mid_run_fails_and_keeps_partial_results(simfabric_bin, tmp_path):
    h5py = pytest.importorskip("h5py")
    scenario = tmp_path / "host_down.toml"
    scenario.write_text('kind = "fabric"\n[topology]\nleaves = 2\nspines = 2\nhosts_per_leaf = 2\n'
                        '[faults]\nlink_down = "host2-leaf1"\nlink_down_at_us = "1 ms"\n'
                        '[workload]\nbytes = "64 MiB"\n')
    out_file = tmp_path / "host_down.h5"
    out = run_cli(simfabric_bin, "run", str(scenario), "--json", "-o", str(out_file))
    assert out.returncode == 1
    assert "did not complete" in out.stderr
    summary = json.loads(out.stdout)
    assert summary["complete"] == 0 and summary["lost_transfers"] >= 1
    assert summary["completion_s"] is None  # NaN: there is no completion time
    with h5py.File(out_file) as f:
        assert f.attrs["complete"] == 0
        assert f["summary"].attrs["complete"] == 0
        assert f["tables/ranks/finish_s"][2] == -1
        assert "host2->leaf1 (down)" in f["summary"].attrs["suspect_links"]
        assert f["tables/links/carried_bytes"][:].sum() > 0
    with pytest.raises(sf.analysis.IncompleteResultError):
        sf.analysis.load(out_file)
    assert sf.analysis.load(out_file, allow_incomplete=True) is not None
    human = run_cli(simfabric_bin, "run", str(scenario))
    assert human.returncode == 1 and "INCOMPLETE" in human.stdout


def test_cli_accepts_printed_link_names_and_durations_with_units(simfabric_bin, repo_root, tmp_path):
    h5py = pytest.importorskip("h5py")
    example = repo_root / "scenarios/fabric/spine_link_down.toml"
    out_file = tmp_path / "spine.h5"
    first = run_cli(simfabric_bin, "run", str(example), "-o", str(out_file), "--json")
    assert first.returncode == 0, first.stderr
    with h5py.File(out_file) as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["tables/links/name"][:]]
        suspect = f["summary"].attrs["suspect_links"]
    suspect = suspect.decode() if isinstance(suspect, bytes) else suspect
    assert suspect.startswith("leaf0->spine0 (down), spine0->leaf0 (down)")
    # A name as printed names that one direction; both of them are the cable.
    both = run_scenario_json(simfabric_bin, example, 'faults.link_down="leaf0->spine0, spine0->leaf0"')
    assert without_wall(both) == without_wall(json.loads(first.stdout))
    assert "leaf0->spine0" in names
    one_file = tmp_path / "one.h5"
    one = run_cli(simfabric_bin, "run", str(example), "-o", str(one_file), "--set", 'faults.link_down="leaf0->spine0"')
    assert one.returncode == 0, one.stderr
    with h5py.File(one_file) as f:
        one_suspects = f["summary"].attrs["suspect_links"]
    one_suspects = one_suspects.decode() if isinstance(one_suspects, bytes) else one_suspects
    assert one_suspects.startswith("leaf0->spine0 (down)") and "spine0->leaf0 (down)" not in one_suspects
    latency = run_scenario_json(simfabric_bin, example, 'topology.host_latency_ns="0.5 us"',
                                'topology.uplink_latency_ns="500 ns"', 'faults.link_down_at_us="0 s"')
    assert without_wall(latency) == without_wall(both)


@pytest.mark.parametrize("line,expected", [
    ('host_latency_ns = "5 parsecs"', 'topology.host_latency_ns: unknown time unit "parsecs"'),
    ('host_latency_ns = -5', "topology.host_latency_ns: expected a non-negative duration"),
    ('host_latency_ns = true', "topology.host_latency_ns: expected a duration"),
])
def test_cli_rejects_bad_durations(simfabric_bin, tmp_path, line, expected):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'kind = "fabric"\n[topology]\n{line}\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert expected in out.stderr


def test_cli_rejects_orphan_fault_keys_and_bad_link_names_with_lines(simfabric_bin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "fabric"\n[faults]\nlink_down_at_us = 5\ndegraded_fraction = 0.5\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert "bad.toml:3: faults.link_down_at_us: given, but link_down names no link" in out.stderr
    assert "bad.toml:4: faults.degraded_fraction: given, but degraded_links names no link" in out.stderr
    bad.write_text('kind = "fabric"\n[network]\nseries_links = "leaf0"\n'
                   '[faults]\nlink_down = "leaf0-spine0, leaf1->spine7"\nslow_nic_hosts = [9]\n')
    out = run_cli(simfabric_bin, "run", str(bad))
    assert out.returncode == 2
    assert 'bad.toml:3: network.series_links: link "leaf0": not a link name' in out.stderr
    assert 'bad.toml:5: faults.link_down: link "leaf1->spine7": no node named "spine7"' in out.stderr
    assert "bad.toml:6: faults.slow_nic_hosts: endpoint 9 out of range" in out.stderr
