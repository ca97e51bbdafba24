"""Quantum networks from Python and the CLI: closed forms, runs, scenarios, bench."""

import json
import math
import subprocess

import numpy as np
import pytest

from simfabric import quantum


def test_bbpssw_matches_published_examples():
    for f, p, fp in [(0.6, 0.6089, 0.6204), (0.8, 0.7689, 0.8382), (0.95, 0.9356, 0.9650)]:
        got_p, got_f = quantum.bbpssw(f)
        assert got_p == pytest.approx(p, abs=1e-4)
        assert got_f == pytest.approx(fp, abs=1e-4)
    r = (1 - 0.8) / 3
    p, state = quantum.purify_bell([0.8, r, r, r], [0.8, r, r, r])
    assert p == pytest.approx(quantum.bbpssw(0.8)[0], rel=1e-12)
    assert state[0] == pytest.approx(quantum.bbpssw(0.8)[1], rel=1e-12)
    assert quantum.swap_werner(0.9, 0.8) == pytest.approx(0.72 + 0.02 / 3)


def test_two_node_throughput_matches_timing_model():
    eta = 0.9 * quantum.fiber_transmission(5.0)
    d_cc = quantum.fiber_delay_ps(10.0)
    d_half = quantum.fiber_delay_ps(5.0)
    assert d_cc == 50_000_000  # 10 km at 2e8 m/s: 50 us
    t = quantum.barrett_kok_timing(eta, d_cc, d_half, d_half)
    predicted = 10 * t["p_success"] / (t["mean_attempt_ps"] * 1e-12)
    r = quantum.run_chain(routers=2, memories=10, request_memories=10, target_fidelity=0.5, duration_s=1.0)
    assert abs(r["pairs_per_s"] / predicted - 1) < 0.05
    attempts, successes = r["link_attempts"][0], r["link_successes"][0]
    assert abs(successes / attempts / (eta * eta / 2) - 1) < 0.03


def test_chain_meets_target_and_is_reproducible():
    a = quantum.run_chain(routers=5, target_fidelity=0.9, raw_fidelity=0.97, duration_s=0.2, seed=4)
    b = quantum.run_chain(routers=5, target_fidelity=0.9, raw_fidelity=0.97, duration_s=0.2, seed=4)
    assert a["pairs_delivered"] > 10
    assert isinstance(a["delivered_fidelity"], np.ndarray)
    assert a["delivered_fidelity"].min() >= 0.9
    assert a["purifications"] > 0
    assert a["events"] == b["events"]
    assert np.array_equal(a["delivered_fidelity"], b["delivered_fidelity"])
    assert np.all((a["memory_utilisation"] >= 0) & (a["memory_utilisation"] <= 1))


def test_formalisms_agree_on_three_nodes():
    kw = dict(routers=3, request_memories=4, memories=8, raw_fidelity=0.95, target_fidelity=0.92, duration_s=0.3)
    a = quantum.run_chain(formalism="bell-diagonal", **kw)
    b = quantum.run_chain(formalism="density-matrix", **kw)
    se = math.sqrt(a["delivered_fidelity"].var() / len(a["delivered_fidelity"])
                   + b["delivered_fidelity"].var() / len(b["delivered_fidelity"]))
    assert abs(a["mean_fidelity"] - b["mean_fidelity"]) <= 3 * se + 1e-9


def test_topology_file_runs(repo_root):
    r = quantum.run_topology_file(repo_root / "scenarios/quantum/starlight.json", "NU", "Argonne_3",
                                  memories=5, target_fidelity=0.8, duration_s=0.05)
    assert r["pairs_delivered"] > 0
    with pytest.raises(ValueError, match="unknown router"):
        quantum.run_topology_file(repo_root / "scenarios/quantum/starlight.json", "NU", "Nowhere")


@pytest.mark.parametrize("name", ["two_node", "chain", "star_random", "starlight"])
def test_example_scenarios_run(simfabric_bin, repo_root, name):
    out = subprocess.run([simfabric_bin, "run", repo_root / f"scenarios/quantum/{name}.toml"],
                         capture_output=True, text=True, check=True)
    assert "pairs_delivered" in out.stdout


def test_bad_scenario_names_the_key(simfabric_bin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "quantum"\n[topology]\ntype = "chain"\nrouters = 3\n'
                   '[request]\nsrc = "r0"\ndst = "r9"\ntarget_fidelity = 1.5\n')
    out = subprocess.run([simfabric_bin, "run", bad], capture_output=True, text=True)
    assert out.returncode == 2
    assert "request.dst" in out.stderr and "request.target_fidelity" in out.stderr


def test_bench_quantum_chain_json(simfabric_bin):
    out = subprocess.run([simfabric_bin, "bench", "quantum-chain", "--routers", "3", "--seconds", "0.1", "--json"],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    for key in ["events", "events_per_second", "wall_s", "simulated_s", "pairs_delivered", "mean_fidelity",
                "peak_rss_bytes"]:
        assert key in r
    assert r["simulated_s"] == pytest.approx(0.1)
    assert r["pairs_delivered"] > 0
    bad = subprocess.run([simfabric_bin, "bench", "quantum-chain", "--routers", "1"], capture_output=True, text=True)
    assert bad.returncode == 2


def test_request_larger_than_the_routers_is_bad_input(simfabric_bin, tmp_path):
    bad = tmp_path / "big.toml"
    bad.write_text('kind = "quantum"\n[topology]\ntype = "chain"\nrouters = 3\nmemories = 10\n'
                   '[request]\nsrc = "r0"\ndst = "r2"\nmemories = 6\n')
    out = subprocess.run([simfabric_bin, "run", bad], capture_output=True, text=True)
    assert out.returncode == 2
    assert "request.memories" in out.stderr and "r1" in out.stderr


def test_graphml_topology_and_utilisation_samples(repo_root, simfabric_bin):
    r = quantum.run_topology_file(repo_root / "scenarios/quantum/ring.graphml", "A", "D", duration_s=0.1,
                                  target_fidelity=0.85)
    assert r["pairs_delivered"] > 0
    # A-B-C-D (30 km) beats A-F-E-D (35 km): only three links carry attempts.
    assert np.count_nonzero(r["link_attempts"]) == 3
    c = quantum.run_chain(routers=3, duration_s=0.05, utilisation_sample_s=0.005)
    assert c["memory_busy"].shape == (3, len(c["memory_busy_time_s"]))
    assert c["memory_busy"].max() <= 20
    assert c["memory_busy"][1].max() > 0
    out = subprocess.run([simfabric_bin, "run", repo_root / "scenarios/quantum/ring_graphml.toml"],
                         capture_output=True, text=True, check=True)
    assert "pairs_delivered" in out.stdout


def _within_3_sigma(x, expected, n):
    return abs(x - expected) <= 3 * math.sqrt(expected * (1 - expected) / n)


def test_source_efficiency_scales_barrett_kok_success():
    # eta = memory x source x fiber half x detector; success eta^2/2 (3 binomial sigma).
    r = quantum.run_chain(routers=2, duration_s=1.0, target_fidelity=0.5, source={"efficiency": 0.5})
    eta = 0.5 * quantum.fiber_transmission(5.0) * 0.9
    attempts, successes = r["link_attempts"][0], r["link_successes"][0]
    assert attempts > 20000
    assert _within_3_sigma(successes / attempts, eta * eta / 2, attempts)
    assert r["link_false_heralds"][0] == 0


def test_heralding_window_under_jitter_keeps_erf_fraction():
    # Gaussian jitter sigma = time resolution; a +-w window keeps erf(w / (sigma sqrt 2)).
    r = quantum.run_chain(routers=2, duration_s=1.0, target_fidelity=0.5,
                          detector={"time_resolution_ps": 200.0, "herald_window_ps": 150.0})
    registered, kept = r["link_photons_registered"][0], r["link_photons_in_window"][0]
    assert registered > 10000
    assert _within_3_sigma(kept / registered, math.erf(150 / (200 * math.sqrt(2))), registered)
    with pytest.raises(ValueError, match="unknown key"):
        quantum.run_chain(duration_s=0.01, detector={"jitter_ps": 1.0})
    with pytest.raises(ValueError, match=r"^source\.efficiency: expected a number in \[0, 1\], got 1\.5$"):
        quantum.run_chain(duration_s=0.01, source={"efficiency": 1.5})


def test_source_and_detector_timing_in_scenarios(simfabric_bin, repo_root, tmp_path):
    out = subprocess.run([simfabric_bin, "run", repo_root / "scenarios/quantum/two_node_source.toml"],
                         capture_output=True, text=True, check=True)
    assert "false_heralds" in out.stdout and "pairs_delivered" in out.stdout
    bad = tmp_path / "bad_source.toml"
    bad.write_text('kind = "quantum"\n[topology]\ntype = "chain"\n'
                   '[source]\nefficiency = 1.2\ncolour = "red"\n'
                   '[detector]\nherald_window_ps = -1\nfree_running = "yes"\n'
                   '[request]\nsrc = "r0"\ndst = "r1"\n')
    out = subprocess.run([simfabric_bin, "run", bad], capture_output=True, text=True)
    assert out.returncode == 2
    for key in ["source.efficiency", "source.colour", "detector.herald_window_ps", "detector.free_running"]:
        assert key in out.stderr


@pytest.mark.parametrize("python, key, value", [
    (dict(raw_fidelity=1.5), "memory.raw_fidelity", "1.5"),
    (dict(coherence_time_s=-1.0), "memory.coherence_time_s", "-1.0"),
    (dict(source={"efficiency": 1.2}), "source.efficiency", "1.2"),
    (dict(detector={"herald_window_ps": -1.0}), "detector.herald_window_ps", "-1.0"),
    (dict(detector={"free_running": "yes"}), "detector.free_running", '"yes"'),
    (dict(detector={"jitter_ps": 1.0}), "detector.jitter_ps", "1.0"),
    (dict(formalism="ket"), "formalism", '"ket"'),
    (dict(duration_s=0.0), "duration_s", "0.0"),
    (dict(target_fidelity=0.25), "request.target_fidelity", "0.25"),
    (dict(routers=1), "topology.routers", "1"),
    (dict(routers=3, request_memories=11), "request.memories", "11"),
])
def test_scenario_and_python_refuse_the_same_values_in_the_same_words(simfabric_bin, tmp_path, python, key, value):
    with pytest.raises(ValueError) as raised:
        quantum.run_chain(**python)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(key + ": ")
    # The same run as a scenario file, with the bad value written there.
    routers = python.get("routers", 2)
    tables = {"": {}, "topology": {"type": '"chain"', "routers": str(routers), "memories": "20"},
              "request": {"src": '"r0"', "dst": f'"r{max(routers - 1, 1)}"'}}
    table, _, name = key.rpartition(".")
    tables.setdefault(table, {})[name] = value
    text = 'kind = "quantum"\n'
    for table, entries in sorted(tables.items()):
        text += f"[{table}]\n" if table else ""
        text += "".join(f"{k} = {v}\n" for k, v in entries.items())
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    out = subprocess.run([simfabric_bin, "run", bad], capture_output=True, text=True)
    assert out.returncode == 2
    assert message in out.stderr


def test_topology_files_refuse_the_same_values_in_the_same_words(simfabric_bin, repo_root, tmp_path):
    starlight = repo_root / "scenarios/quantum/starlight.json"
    with pytest.raises(ValueError) as raised:
        quantum.run_topology_file(starlight, "NU", "Nowhere", target_fidelity=1.5)
    assert str(raised.value) == ('request.dst: unknown router "Nowhere"; routers: NU, StarLight, UChicago_PME, '
                                 'UChicago_HC, Fermilab_1, Fermilab_2, Argonne_1, Argonne_2, Argonne_3\n'
                                 "request.target_fidelity: expected a number in (0.25, 1], got 1.5")
    bad = tmp_path / "bad.toml"
    bad.write_text(f'kind = "quantum"\n[topology]\ntype = "json"\nfile = "{starlight}"\n'
                   '[request]\nsrc = "NU"\ndst = "Nowhere"\ntarget_fidelity = 1.5\n')
    out = subprocess.run([simfabric_bin, "run", bad], capture_output=True, text=True)
    assert out.returncode == 2
    for line in str(raised.value).splitlines():
        assert line in out.stderr


def test_run_chain_takes_every_scenario_table_and_several_requests():
    # Swap degradation (empirical model) and twirl reach the run: F = F1 F2 d exactly.
    r = quantum.run_chain(routers=3, duration_s=0.05, raw_fidelity=0.97, swap={"degradation": 0.95},
                          purify={"twirl": True}, target_fidelity=0.5)
    assert r["pairs_delivered"] > 10
    assert r["delivered_fidelity"].min() == pytest.approx(0.97 * 0.97 * 0.95, rel=1e-12)
    assert r["delivered_belief"].max() == pytest.approx(0.97 * 0.97 * 0.95, rel=1e-12)
    # Two requests, the second over half the run: each rate is over its own window.
    r = quantum.run_chain(routers=3, duration_s=0.4, timing="eager",
                          requests=[{"src": "r0", "dst": "r1", "memories": 5},
                                    {"src": "r1", "dst": "r2", "memories": 5, "start_s": 0.2}])
    first, second = r["requests"]
    assert (first["window_s"], second["window_s"]) == (pytest.approx(0.4), pytest.approx(0.2))
    assert second["pairs_per_s"] == pytest.approx(first["pairs_per_s"], rel=0.15)
    with pytest.raises(ValueError, match=r'request\[2\]\.dst: unknown router "x"; routers: r0, r1, r2'):
        quantum.run_chain(routers=3, requests=[{"src": "r0", "dst": "r1"}, {"src": "r0", "dst": "x"}])
    with pytest.raises(ValueError, match="request.end_s: 2 s is after the end of the run"):
        quantum.run_chain(duration_s=1.0, request={"end_s": 2.0})


@pytest.mark.parametrize("routers,timing", [(5, "reference"), (5, "eager"), (4, "reference")])
def test_nested_chain_throughput_follows_the_message_sequence_model(repo_root, routers, timing):
    # bench/quantum_chain_model.py replays the documented message delays on its own; a
    # 4- or 5-router chain with one memory per end must deliver at its rate (both Monte
    # Carlo: ~12,000 model pairs, ~4,000 simulated: 4% is over 4 standard errors; the two
    # timings differ by 12%).
    import importlib.util
    spec = importlib.util.spec_from_file_location("chain_model", repo_root / "bench/quantum_chain_model.py")
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    expected = model.throughput(routers, timing == "reference", 30.0, 1)
    r = quantum.run_chain(routers=routers, duration_s=10.0, memories=2, raw_fidelity=0.99, timing=timing,
                          request={"memories": 1, "target_fidelity": 0.5})
    assert r["pairs_per_s"] == pytest.approx(expected, rel=0.04)
