"""Traffic workloads (incast, traffic matrices, Poisson arrivals) on both fabric models:
the example scenarios, the same summary keys on either model, per-flow FCT and slowdown
in HDF5 and in Python, closed forms, and file:line:column errors for bad CSV rows."""

import json
import math
import subprocess

import h5py
import numpy as np
import pytest

import simfabric as sf

KEYS = ("completion_s", "median_fct_s", "p99_fct_s", "max_fct_s", "mean_slowdown", "median_slowdown",
        "p99_slowdown", "complete", "flows", "flows_finished", "events")
PACKET_KEYS = ("drops", "ecn_marks", "trims", "pfc_pauses", "retransmissions", "timeouts")
MSS = 4096 - 64


def run(binary, *args):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("example", ["incast_packet", "traffic_matrix", "poisson_websearch"])
@pytest.mark.parametrize("model", ["flow", "packet"])
def test_examples_run_on_both_models_with_the_same_keys(simfabric_bin, repo_root, tmp_path, example, model):
    out = tmp_path / "out.h5"
    done = run(simfabric_bin, "run", repo_root / f"scenarios/fabric/{example}.toml", "--set",
               f'network.model="{model}"', "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    for key in KEYS:
        assert key in summary, key
    for key in PACKET_KEYS:
        assert (key in summary) == (model == "packet"), key
    assert summary["complete"] == 1.0
    assert summary["flows_finished"] == summary["flows"]
    with h5py.File(out) as h5:
        flows = h5["tables/flows"]
        fct = flows["fct_s"][:]
        assert len(fct) == summary["flows"]
        np.testing.assert_allclose(fct, flows["end_s"][:] - flows["start_s"][:], rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(flows["slowdown"][:], fct / flows["ideal_fct_s"][:], rtol=1e-12)
        # Nothing beats the flow alone on an empty fabric.
        assert flows["slowdown"][:].min() >= 1 - 1e-9
        assert np.median(fct) == pytest.approx(summary["median_fct_s"], rel=0.5)
        assert ("links/max_queue_bytes" in h5["tables"]) == (model == "packet")


def test_incast_example_against_its_closed_form(simfabric_bin, repo_root):
    scenario = repo_root / "scenarios/fabric/incast_packet.toml"
    results = {}
    for model, more in (("flow", []), ("packet", ["--set", 'packet.port_buffer_bytes="16 MiB"'])):
        done = run(simfabric_bin, "run", scenario, "--set", f'network.model="{model}"', *more, "--json")
        assert done.returncode == 0, done.stderr
        results[model] = json.loads(done.stdout)
    flow, packet = results["flow"], results["packet"]
    # 15 x 1 MiB through host0's 400 Gb/s link, busy from the first byte (1 us from a
    # sender under the same leaf) to the last.
    closed = 1e-6 + 15 * 2**20 / 50e9
    assert flow["ideal_s"] == pytest.approx(closed, rel=1e-12)
    assert flow["completion_s"] == pytest.approx(closed, rel=0, abs=2e-12)  # to the picosecond
    # Packets carry 64 header bytes per 4096; with buffers that hold the 15 initial windows,
    # DCTCP keeps the port busy but for a few percent.
    assert 4096 / MSS <= packet["completion_s"] / closed < 4096 / MSS * 1.05
    assert packet["drops"] == 0


def test_python_traffic_functions_on_both_models(repo_root, tmp_path):
    t = sf.topologies.leaf_spine(leaves=2, spines=1, hosts_per_leaf=2, host_gbps=400, uplink_gbps=400,
                                 host_latency_ns=500, uplink_latency_ns=300)
    matrix = tmp_path / "matrix.csv"
    matrix.write_text(f"src,dst,bytes,start_ms\nhost0,host1,{100 * MSS},0\n0,2,{200 * MSS},0.1\n")
    flow = sf.network.run_traffic_matrix(t, str(matrix))
    packet = sf.network.run_traffic_matrix(t, str(matrix), model="packet", packet={"transport": "dctcp"})
    assert set(flow) - {"transfers"} <= set(packet)
    frame = packet.to_pandas("transfers")
    assert list(frame["src"]) == [0, 0] and list(frame["dst"]) == [1, 2]
    assert packet.units["p99_fct_s"] == "s" and packet.units["drops"] == "count"
    # Alone on the fabric: the flow model at its ideal, packets at the store-and-forward
    # pipeline of full packets (20 ps per byte).
    ideal = [1e-6 + 100 * MSS / 50e9, 1.6e-6 + 200 * MSS / 50e9]
    np.testing.assert_allclose(flow.transfers["fct_s"], ideal, rtol=0, atol=2e-12)
    np.testing.assert_allclose(packet.transfers["fct_s"], [1e-6 + 101 * 4096 * 20e-12, 1.6e-6 + 203 * 4096 * 20e-12],
                               rtol=1e-12)
    assert flow.mean_slowdown == pytest.approx(1.0, rel=1e-6)

    incast = {m: sf.network.run_incast(t, bytes=50 * MSS, senders=[1, 2, 3], receiver="host0", model=m)
              for m in ("flow", "packet")}
    assert incast["flow"].completion_s == pytest.approx(1e-6 + 3 * 50 * MSS / 50e9, rel=0, abs=2e-12)
    assert incast["packet"].to_pandas().set_index("metric").loc["drops", "value"] == 0

    params = sf.network.PacketParams()
    params.transport = "ndp"
    params.trimming = True
    ndp = sf.network.run_incast(t, bytes=50 * MSS, senders=3, model="packet", packet=params)
    assert ndp.complete and ndp.flows == 3
    with pytest.raises(ValueError, match="packet.colour: unknown key"):
        sf.network.run_incast(t, bytes=1000, model="packet", packet={"colour": "red"})
    with pytest.raises(ValueError, match="model='flow'"):
        sf.network.run_incast(t, bytes=1000, packet={"ecn": False})


def test_poisson_in_python_is_a_function_of_the_seed(repo_root):
    t = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=4)
    cdf = str(repo_root / "scenarios/fabric/websearch_cdf.csv")
    a = sf.network.run_poisson(t, load=0.3, duration_us=100, sizes="cdf", cdf_file=cdf, seed=5)
    b = sf.network.run_poisson(t, load=0.3, duration_us=100, sizes="cdf", cdf_file=cdf, seed=5)
    c = sf.network.run_poisson(t, load=0.3, duration_us=100, sizes="cdf", cdf_file=cdf, seed=6)
    for key in ("start_s", "bytes", "dst", "fct_s"):
        np.testing.assert_array_equal(a.transfers[key], b.transfers[key])
    assert not np.array_equal(a.transfers["start_s"], c.transfers["start_s"])
    assert a.mean_flow_bytes == pytest.approx(1711250.0)
    assert a.target_load == 0.3 and math.isfinite(a.offered_load)
    counted = sf.network.run_poisson(t, load=0.3, flows=7, sizes="lognormal", median_bytes=20000, sigma=1.0,
                                     model="packet")
    assert counted.flows == 7 and counted.complete


def test_bad_csv_rows_name_file_line_and_column(simfabric_bin, repo_root, tmp_path):
    t = sf.topologies.leaf_spine(leaves=2, spines=1, hosts_per_leaf=2)
    bad = tmp_path / "bad.csv"
    for rows, where in [("0,1,-5,0", ":3:5: expected bytes"), ("0,host9,100,0", ":3:3: expected dst"),
                        ("0,1,nan,0", ":3:5: expected bytes as a finite number"), ("0,1,100", ":3:5: expected 4")]:
        bad.write_text(f"src,dst,bytes,start_us\n0,1,100,0\n{rows}\n")
        with pytest.raises(ValueError, match=str(bad) + where):
            sf.network.run_traffic_matrix(t, str(bad))
    # Through a scenario: exit 2, the scenario's key and the CSV's line and column.
    scenario = tmp_path / "matrix.toml"
    scenario.write_text((repo_root / "scenarios/fabric/traffic_matrix.toml").read_text())
    bad.write_text("src,dst,bytes\n0,1,100\n")
    done = run(simfabric_bin, "run", scenario, "--set", 'workload.file="bad.csv"')
    assert done.returncode == 2
    assert "workload.file: " + str(bad) + ":1:1: expected a column start_us" in done.stderr


POISSON = """kind = "fabric"
seed = 4
[topology]
type = "leaf_spine"
leaves = 2
spines = 2
hosts_per_leaf = 4
[workload]
type = "poisson"
load = 0.3
flows = 20
sizes = "lognormal"
median_bytes = 20000
sigma = 1.5
"""


def test_run_poisson_reads_its_keywords_with_the_scenario_reader(simfabric_bin, tmp_path):
    t = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=4)
    scenario = tmp_path / "poisson.toml"
    scenario.write_text(POISSON)
    out = tmp_path / "poisson.h5"
    done = run(simfabric_bin, "run", scenario, "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    r = sf.network.run_poisson(t, load=0.3, flows=20, sizes="lognormal", median_bytes=20000, sigma=1.5, seed=4)
    with h5py.File(out) as h5:
        for key, column in (("start_s", "start_s"), ("bytes", "bytes"), ("dst", "dst_endpoint"),
                            ("fct_s", "fct_s")):
            np.testing.assert_array_equal(r.transfers[key], h5[f"tables/flows/{column}"][:])
    for key in ("offered_load", "mean_flow_bytes", "completion_s", "p99_slowdown"):
        assert r[key] == summary[key], key
    # The scenario's checks, named by the scenario's keys.
    with pytest.raises(ValueError, match=r"workload\.load: expected"):
        sf.network.run_poisson(t, load=2.0, flows=5)
    with pytest.raises(ValueError, match=r"workload\.max_bytes: expected max_bytes >= min_bytes"):
        sf.network.run_poisson(t, load=0.3, flows=5, sizes="uniform", min_bytes=10, max_bytes=5)
    with pytest.raises(ValueError, match="duration_us or flows"):
        sf.network.run_poisson(t, load=0.3)
    with pytest.raises(ValueError, match=r"workload\.sizes"):
        sf.network.run_poisson(t, load=0.3, flows=5, sizes="zipf")
