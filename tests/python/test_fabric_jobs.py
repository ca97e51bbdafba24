"""Concurrent jobs on one fabric with traffic workloads (incast, Poisson arrivals) beside
collectives: the same figures from a scenario's [[job]] tables and from
collective.run_jobs, on both models; traffic workloads under faults timed mid-run."""

import json
import math
import subprocess

import h5py
import pytest

import simfabric as sf

SCENARIO = """kind = "fabric"
seed = 3
[topology]
type = "leaf_spine"
leaves = 4
spines = 2
hosts_per_leaf = 4
[network]
model = "{model}"
"""
JOBS = [
    sf.collective.Job({"type": "collective", "algorithm": "ring_allreduce", "bytes": "8 MiB"},
                      hosts=list(range(0, 8)), name="train"),
    sf.collective.Job({"type": "incast", "bytes": "1 MiB", "receiver": 2}, hosts=list(range(4, 12)),
                      start_us=5, name="burst"),
    sf.collective.Job({"type": "poisson", "load": 0.3, "flows": 40, "sizes": "lognormal",
                       "median_bytes": "64 KiB"}, hosts=list(range(8, 16)), start_us="10 us", name="web"),
]
KEYS = ("start_s", "completion_s", "algbw", "busbw", "complete")


def topology():
    return sf.topologies.leaf_spine(leaves=4, spines=2, hosts_per_leaf=4)


def run(binary, *args):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("model", ["flow", "packet"])
def test_python_jobs_give_the_scenario_files_figures(simfabric_bin, tmp_path, model):
    scenario = tmp_path / "jobs.toml"
    scenario.write_text(SCENARIO.format(model=model) + sf.collective._jobs_toml(JOBS).split("\n", 1)[1])
    done = run(simfabric_bin, "run", scenario, "--json")
    assert done.returncode == 0, done.stderr
    toml = json.loads(done.stdout)
    r = sf.collective.run_jobs(topology(), JOBS, seed=3, model=model)
    assert r["complete"]
    assert [j["name"] for j in r["jobs"]] == ["train", "burst", "web"]
    assert [j["workload"] for j in r["jobs"]] == ["collective", "traffic", "traffic"]
    for job in r["jobs"]:
        keys = KEYS + (("median_fct_s", "p99_fct_s", "flows") if job["workload"] == "traffic" else ())
        for key in keys:
            python = job[key + "_gb_per_s" if key in ("algbw", "busbw") else key]
            assert python == toml[f"{job['name']}_{key}"], (job["name"], key)
    assert r["completion_s"] == toml["completion_s"]
    burst = r["jobs"][1]
    assert burst["flows"] == 7 and len(burst["transfer_end_s"]) == 7
    assert burst["bytes"] == 7 * 2**20
    # The whole run ends with its last job.
    assert r["completion_s"] == pytest.approx(max(j["start_s"] + j["completion_s"] for j in r["jobs"]), rel=1e-12)


def test_job_problems_name_the_job_table_and_key():
    with pytest.raises(ValueError, match=r"job\[1\]\.receiver: expected a host index below 4"):
        sf.collective.run_jobs(topology(), [sf.collective.Job({"type": "incast", "receiver": 4}, hosts=[0, 1, 2, 3])])
    with pytest.raises(ValueError, match=r"job\[1\]\.bytez: unknown key"):
        sf.collective.run_jobs(topology(), [sf.collective.Job({"type": "incast", "bytez": 1})])
    with pytest.raises(TypeError, match="collective.Job"):
        sf.collective.run_jobs(topology(), [{"type": "incast"}])


INCAST = """kind = "fabric"
[topology]
type = "leaf_spine"
leaves = 2
spines = 2
hosts_per_leaf = 8
[network]
model = "{model}"
[workload]
type = "incast"
bytes = "1 MiB"
[faults]
link_down = "{link}"
link_down_at_us = 5
"""


@pytest.mark.parametrize("model", ["flow", "packet"])
def test_a_host_link_cut_mid_incast_fails_the_run_with_partial_results(simfabric_bin, tmp_path, model):
    scenario = tmp_path / "incast.toml"
    scenario.write_text(INCAST.format(model=model, link="host3-leaf0"))
    out = tmp_path / "cut.h5"
    done = run(simfabric_bin, "run", scenario, "-o", out, "--json")
    assert done.returncode == 1, done.stderr
    r = json.loads(done.stdout)
    assert r["complete"] == 0.0 and r["completion_s"] is None
    assert r["lost_transfers"] == 1 and r["flows_finished"] == 14
    with h5py.File(out) as h5:
        end = h5["tables/flows/end_s"][:]
        src = h5["tables/flows/src_endpoint"][:]
        assert list(src[end < 0]) == [3]  # host 3's transfer, the others finished
        assert h5.attrs["complete"] == 0


def test_a_spine_cable_down_mid_incast_reroutes_at_no_cost(simfabric_bin, tmp_path):
    # The receiver's link binds (15 MiB at 400 Gb/s); the remote senders keep a spine of
    # 400 Gb/s when leaf0's cable to spine0 fails, so the closed form holds.
    scenario = tmp_path / "incast.toml"
    scenario.write_text(INCAST.format(model="flow", link="leaf0-spine0"))
    done = run(simfabric_bin, "run", scenario, "--json")
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    assert r["complete"] == 1.0 and r["lost_transfers"] == 0
    assert r["completion_s"] == pytest.approx(r["ideal_s"], rel=1e-9)
    assert r["completion_s"] == pytest.approx(1e-6 + 15 * 2**20 / 50e9, rel=1e-9)
    assert math.isfinite(r["median_fct_s"])
