"""Every fabric workload on the packet model, from Python and from scenario files: the
same keys as the flow model plus the packet model's, agreement with the flow model on
large transfers, faults mid-run, and concurrent [[job]]s."""

import json
import math
import subprocess

import pytest

import simfabric as sf

# What a payload byte costs a ring host's NIC: its packet's 64-byte header and the
# header-only ACK it sends back for each 4032-byte packet it receives.
WIRE = (4096 + 64) / 4032


def fabric():
    return sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=2)


def run(binary, *args):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)


def test_ring_allreduce_on_packets_takes_the_flow_models_time_plus_headers():
    n = 64 * 2**20
    flow = sf.collective.run(fabric(), bytes=n, ranks=4)
    packet = sf.collective.run(fabric(), bytes=n, ranks=4, model="packet", packet={"transport": "dctcp", "rto_us": 100})
    assert flow["model"] == "flow" and packet["model"] == "packet"
    assert packet["complete"]
    assert packet["completion_s"] / (flow["completion_s"] * WIRE) == pytest.approx(1.0, abs=0.005)
    closed = sf.collective.alpha_beta_ring_allreduce_s(4, n, 400.0, 0.0) * WIRE
    assert packet["completion_s"] == pytest.approx(closed, rel=0.02)
    for key in ("drops", "ecn_marks", "retransmissions", "timeouts", "p99_fct_s", "data_packets"):
        assert key in packet, key
    assert packet["drops"] == 0 and packet["retransmissions"] == 0
    assert packet["events_extrapolated"] == 0  # extrapolation is the flow model's


def test_gpipe_and_moe_on_packets():
    g = sf.collective.gpipe(fabric(), forward_us=[100] * 4, backward_us=[200] * 4, micro_batches=8,
                            activation_bytes=65536, model="packet")
    assert g["complete"]
    assert g["bubble_fraction"] == pytest.approx(g["bubble_formula"], rel=0.02)
    m = sf.collective.moe(sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=4), experts=8,
                          tokens_per_rank=256, model="packet")
    assert m["complete"] and m["data_packets"] > 0


def test_a_host_link_down_mid_run_on_packets_is_incomplete():
    r = sf.collective.run(fabric(), bytes=16 * 2**20, ranks=4, model="packet", link_down_at=[("host0-leaf0", 50e-6)])
    assert not r["complete"] and math.isnan(r["completion_s"]) and r["failed_transfers"]
    p = sf.network.run_permutation(fabric(), bytes=4e6, model="packet", packet={"paths": "spray", "rto_us": 50},
                                   link_down_at=[("leaf0-spine0", 20e-6)])
    assert p["complete"] and p["retransmissions"] > 0


def test_packet_parameters_as_the_traffic_functions_take_them():
    params = sf.network.PacketParams()
    params.transport = "ndp"
    params.trimming = True
    r = sf.collective.run(fabric(), bytes=2**20, ranks=4, model="packet", packet=params)
    as_dict = sf.collective.run(fabric(), bytes=2**20, ranks=4, model="packet",
                                packet={"transport": "ndp", "trimming": True})
    assert r["complete"] and r["completion_s"] == as_dict["completion_s"]


def test_packet_parameters_are_checked():
    with pytest.raises(ValueError, match="model is 'flow'"):
        sf.collective.run(fabric(), bytes=1e6, packet={"transport": "ndp"})
    with pytest.raises(ValueError, match="packet.colour: unknown key"):
        sf.collective.run(fabric(), bytes=1e6, model="packet", packet={"colour": 1})
    with pytest.raises(ValueError, match="dctcp"):
        sf.collective.run(fabric(), bytes=1e6, model="packet", packet={"transport": "tcp"})
    with pytest.raises(ValueError, match="model must be"):
        sf.collective.run(fabric(), bytes=1e6, model="fluid")


@pytest.mark.parametrize("model", ["flow", "packet"])
def test_jobs_scenario_reports_each_job_and_the_whole(simfabric_bin, repo_root, model):
    scenario = repo_root / "scenarios/fabric/jobs_shared_fabric.toml"
    done = run(simfabric_bin, "run", scenario, "--set", f'network.model="{model}"', "--json")
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    for job in ("train", "shuffle"):
        assert r[f"{job}_complete"] == 1.0
        assert r[f"{job}_completion_s"] > 0
    assert r["shuffle_start_s"] == pytest.approx(50e-6)
    assert r["completion_s"] == pytest.approx(max(r["train_completion_s"],
                                                  50e-6 + r["shuffle_completion_s"]))
    assert ("retransmissions" in r) == (model == "packet")


def test_every_workload_runs_on_packets_from_scenario_files(simfabric_bin, repo_root):
    small = ["--set", "topology.leaves=2", "--set", "topology.spines=2", "--set", "topology.hosts_per_leaf=4"]
    for name, extra in [("allreduce_small.toml", ["--set", 'workload.bytes="4 MiB"']),
                        ("gpipe_step.toml", ["--set", "workload.forward_us=20", "--set", "workload.micro_batches=8",
                                           "--set", 'workload.activation_bytes="1 MiB"']),
                        ("moe_alltoall.toml", ["--set", "workload.experts=8", "--set", "workload.tokens_per_rank=256"])]:
        args = ["run", repo_root / "scenarios/fabric" / name, *small, *extra, "--json"]
        flow = run(simfabric_bin, *args)
        packet = run(simfabric_bin, *args, "--set", 'network.model="packet"', "--set", 'network.policy="ecmp"')
        assert flow.returncode == 0, flow.stderr
        assert packet.returncode == 0, (name, packet.stderr)
        f, p = json.loads(flow.stdout), json.loads(packet.stdout)
        assert set(f) <= set(p), (name, set(f) - set(p))
        assert {"drops", "retransmissions", "p99_fct_s"} <= set(p)
        assert p["completion_s"] >= f["completion_s"] * 0.999


def test_a_host_link_down_mid_run_fails_the_packet_run(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "cut.h5"
    done = run(simfabric_bin, "run", repo_root / "scenarios/fabric/allreduce_packet.toml", "--set",
               'faults.link_down="host0-leaf0"', "--set", "faults.link_down_at_us=20", "-o", out, "--json")
    assert done.returncode == 1, done.stderr
    r = json.loads(done.stdout)
    assert r["complete"] == 0.0 and r["completion_s"] is None and r["lost_transfers"] >= 1
