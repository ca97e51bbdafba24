"""The fabric scenario on the packet model: `[network] model = "packet"` runs the same
permutation as the flow model, reports its summary keys plus the packet model's, and
writes per-flow and per-port results."""

import json
import subprocess

import h5py
import pytest

SMALL = ["--set", "topology.leaves=4", "--set", "topology.spines=4", "--set", "topology.hosts_per_leaf=4",
         "--set", "workload.bytes=4000000"]


def run(binary, *args):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("paths", ["ecmp", "spray"])
def test_packet_model_reports_the_flow_models_keys_and_its_own(simfabric_bin, repo_root, tmp_path, paths):
    scenario = repo_root / "scenarios/fabric/permutation_packet_spray.toml"
    flow = run(simfabric_bin, "run", scenario, *SMALL, "--set", 'network.model="flow"', "--set",
               f'network.policy="{paths}"', "--set", "packet.paths=1", "--json")
    # [packet] keys are refused under the flow model.
    assert flow.returncode == 2 and "packet.paths: given, but [network] model is \"flow\"" in flow.stderr
    flow = run(simfabric_bin, "run", repo_root / "scenarios/fabric/permutation_ecmp.toml", *SMALL, "--set",
               f'network.policy="{paths}"', "--json")
    assert flow.returncode == 0, flow.stderr
    out = tmp_path / "packet.h5"
    packet = run(simfabric_bin, "run", scenario, *SMALL, "--set", f'packet.paths="{paths}"', "-o", out, "--json")
    assert packet.returncode == 0, packet.stderr
    f, p = json.loads(flow.stdout), json.loads(packet.stdout)
    for key in ("completion_s", "ideal_s", "slowdown_vs_ideal", "median_fct_s", "complete", "flows"):
        assert key in p, key
    for key in ("drops", "ecn_marks", "trims", "pfc_pauses", "retransmissions", "timeouts", "p99_fct_s"):
        assert key in p, key
    assert p["complete"] == 1.0
    # Same permutation and paths: never faster than the flow model (headers add 64 of
    # 4096 bytes); DCTCP's backing off and, sprayed, the queues the flow model does not
    # see keep it within a quarter of it here.
    ratio = p["completion_s"] / f["completion_s"]
    assert 1.0 < ratio < 1.3, ratio
    with h5py.File(out) as h5:
        assert len(h5["tables/flows/fct_s"]) == 16
        assert len(h5["tables/links/max_queue_bytes"]) == len(h5["tables/links/name"])
        assert h5.attrs["complete"] == 1


def test_packet_model_refuses_what_it_does_not_run(simfabric_bin, repo_root):
    # Every workload runs on packets (test_packet_workloads.py); the flow model's path
    # policies do not: packets take [packet] paths.
    scenario = repo_root / "scenarios/fabric/allreduce_small.toml"
    done = run(simfabric_bin, "validate", scenario, "--set", 'network.model="packet"', "--set", 'network.policy="spray"')
    assert done.returncode == 2
    assert "network.policy: under model = \"packet\" paths are [packet] paths" in done.stderr
    done = run(simfabric_bin, "validate", repo_root / "scenarios/fabric/permutation_packet_spray.toml", "--set",
               'packet.transport="tcp"')
    assert done.returncode == 2 and "dctcp" in done.stderr
