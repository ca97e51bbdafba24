"""Declared limits of scenario, device and topology values: each value past its range is
refused by `validate` (exit 2) with the file, the line and the key, before any run can
overflow a count, wrap a product or allocate without bound (docs/inputs.md)."""

from __future__ import annotations

import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def validate(binary, directory, text, name="s.toml"):
    (directory / name).write_text(text)
    return subprocess.run([str(pathlib.Path(binary).resolve()), "validate", name], cwd=directory,
                          capture_output=True, text=True, timeout=30)


def refused(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)
    # No number printed with hundreds of digits (a double once came out as 309 of them).
    assert not re.search(r"\d{40}", proc.stderr), proc.stderr


def device_with(key, value):
    """The A100 device file with every `key = ...` line set to `value`."""
    text = (ROOT / "scenarios/devices/a100.toml").read_text()
    changed, count = re.subn(rf"(?m)^{key} *=.*$", f"{key} = {value}", text)
    assert count > 0, key
    return changed


@pytest.mark.parametrize("key, value, expected", [
    ("latency_ns", "1e308", "tiers.l2.latency_ns: expected a number in [0, 1e+09], got 1e+308"),
    ("bandwidth_gb_per_s", "1e-9", "bandwidth_gb_per_s: expected a number in [0.001, 1e+09], got 1e-09"),
    ("energy_pj_per_byte", "1e300", "energy_pj_per_byte: expected a number in [0, 1e+09], got 1e+300"),
    ("capacity", "2305843009213693952", "tiers.l2.capacity: expected at most 1 EiB (2^60 bytes)"),
])
def test_device_numbers_outside_their_range_name_file_line_and_key(simfabric_bin, tmp_path, key, value, expected):
    (tmp_path / "dev.toml").write_text(device_with(key, value))
    proc = validate(simfabric_bin, tmp_path, 'kind = "accelerator"\n[device]\nfile = "dev.toml"\n'
                    '[workload]\nnetwork = "resnet50"\n')
    refused(proc, expected)
    assert re.search(r"dev\.toml:\d+: ", proc.stderr), proc.stderr


OPERATOR = 'kind = "accelerator"\n[device]\npreset = "h100"\n[workload]\nnetwork = "operators"\n'


@pytest.mark.parametrize("table, expected", [
    ("kind = \"gemm\"\nm = 4294967296\nn = 4294967296\nk = 4294967296\n",
     ['s.toml:6: workload.operators.op: operator "op" (gemm): its operation count would pass 2^63 - 1']),
    ("kind = \"elementwise\"\nelements = 4611686018427387904\ninputs = 2\n",
     ['operator "op" (elementwise): its operand bytes would pass 2^63 - 1']),
    ("kind = \"conv2d\"\nbatch = 1\nin_channels = 3\nout_channels = 8\nheight = 32\nwidth = 32\nkernel = 3\n"
     "stride = 0\ngroups = 0\n",
     ["workload.operators.op.stride: expected an integer in [1,", "workload.operators.op.groups: expected an integer"]),
    ("kind = \"conv2d\"\nbatch = 1\nin_channels = 3\nout_channels = 8\nheight = 32\nwidth = 32\nkernel = 3\n"
     "padding = 9223372036854775807\n",
     ["padding = 9223372036854775807 is more than 2^32"]),
    ("kind = \"attention\"\nbatch = 65536\nheads = 65536\nq_len = 65536\nkv_len = 65536\nhead_dim = 128\n",
     ["(attention): its operation count would pass 2^63 - 1"]),
])
def test_operator_shapes_that_overflow_are_refused(simfabric_bin, tmp_path, table, expected):
    proc = validate(simfabric_bin, tmp_path, OPERATOR + "[workload.operators.op]\n" + table)
    refused(proc, *expected)


def test_an_operator_of_2_62_operations_is_fine(simfabric_bin, tmp_path):
    # 2 * 2^40 * 2 * 2^20 = 2^62 operations: near the edge, still a count (4 MiB of weights).
    proc = validate(simfabric_bin, tmp_path, OPERATOR + "[workload.operators.op]\nkind = \"gemm\"\n"
                    "m = 1099511627776\nn = 2\nk = 1048576\n")
    assert proc.returncode == 0, proc.stderr


FABRIC = '''kind = "fabric"
[topology]
{topology}
[workload]
{workload}
'''
COLLECTIVE = 'type = "collective"\nalgorithm = "ring_allreduce"\nbytes = "64 KiB"'


@pytest.mark.parametrize("topology, workload, expected", [
    ('type = "leaf_spine"\nleaves = 65536\nspines = 65536\nhosts_per_leaf = 65536', COLLECTIVE,
     ["s.toml:6: topology.hosts_per_leaf: the fabric would have 4295098368 nodes, more than the 1048576"]),
    ('type = "leaf_spine"\nleaves = 4096\nspines = 4096\nhosts_per_leaf = 1', COLLECTIVE,
     ["topology.hosts_per_leaf: the fabric would have 16781312 cables, more than the 4194304"]),
    ('type = "fat_tree"\nk = 256', COLLECTIVE, ["topology.k: the fabric would have 4276224 nodes"]),
    ('type = "torus2d"\nx = 4096\ny = 4096', COLLECTIVE, ["topology.y: the fabric would have 16777216 nodes"]),
    ('type = "leaf_spine"\nhost_gbps = 1e-9', COLLECTIVE,
     ["topology.host_gbps: expected a number in [0.001, 1e+07], got 1e-09"]),
    ('type = "leaf_spine"\noversubscription = 1000\nhost_gbps = 0.01', COLLECTIVE,
     ["topology.oversubscription: gives leaf-spine uplinks of 1e-05 Gb/s"]),
    ('type = "leaf_spine"\nhost_latency_ns = 1e15', COLLECTIVE,
     ["s.toml:4: topology.host_latency_ns: expected at most 1 s per hop, got 1e+06 s"]),
    ('type = "ring"\nlink_latency_ns = 1e300', COLLECTIVE,
     ["topology.link_latency_ns: expected a duration shorter than 9.2e+18 ps (about 106 days), got 1e+300"]),
    ('type = "ring"\nhosts = 65536', COLLECTIVE,
     ["s.toml: workload: the workload has more than 1073741824 operations (sends and receives of all ranks)"]),
    ('type = "ring"', 'type = "moe"\ntokens_per_rank = 9223372036854775807',
     ["workload.tokens_per_rank: expected an integer in [1, 134217728]"]),
    ('type = "ring"', 'type = "moe"\nexperts = 4096\ntokens_per_rank = 1000000',
     ["workload.tokens_per_rank: experts x tokens_per_rank is 4096000000 tokens"]),
    ('type = "ring"', 'type = "moe"\nbytes_per_token = 1e300',
     ["workload.bytes_per_token: expected a number in [1, 1.07374e+09], got 1e+300"]),
])
def test_fabric_sizes_and_counts_are_bounded_before_the_run(simfabric_bin, tmp_path, topology, workload, expected):
    proc = validate(simfabric_bin, tmp_path, FABRIC.format(topology=topology, workload=workload))
    refused(proc, *expected)


def test_the_largest_allowed_leaf_spine_validates(simfabric_bin, tmp_path):
    proc = validate(simfabric_bin, tmp_path, FABRIC.format(
        topology='type = "leaf_spine"\nleaves = 1024\nspines = 64\nhosts_per_leaf = 1000',
        workload=COLLECTIVE + "\nranks = 64"))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("queue, expected", [
    ("arrival_rate_per_s = 1e308\nservice_rate_per_s = 1e-300",
     ["s.toml:3: queue.arrival_rate_per_s: expected a number in [1e-06, 1e+12], got 1e+308",
      "queue.service_rate_per_s: expected a number in [1e-06, 1e+12], got 1e-300"]),
    ("arrival_rate_per_s = 0.001\nservice_rate_per_s = 1.0\ncustomers = 1000000000",
     ["queue.customers: customers / arrival_rate_per_s would span up to 2.00063e+12 s of simulated time; "
      "a run may span at most 9e+06 s"]),
])
def test_mm1_rates_and_spans(simfabric_bin, tmp_path, queue, expected):
    proc = validate(simfabric_bin, tmp_path, 'kind = "mm1"\n[queue]\n' + queue + "\n")
    refused(proc, *expected)


GRAPHML = '''<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k" for="node" attr.name="kind" attr.type="string"/>
  <key id="b" for="edge" attr.name="bandwidth_gbps" attr.type="double"/>
  <key id="l" for="edge" attr.name="latency_ns" attr.type="double"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="k">host</data></node>
    <node id="s"><data key="k">switch</data></node>
    <node id="c"><data key="k">host</data></node>
    <edge source="a" target="s"><data key="b">{bandwidth}</data><data key="l">{latency}</data></edge>
    <edge source="s" target="c"><data key="b">100</data></edge>
  </graph>
</graphml>
'''


@pytest.mark.parametrize("bandwidth, latency, expected", [
    ("100", "1e300", "net.graphml:10: edge a - s: latency_ns must be from 0 to 1e+09, got 1e+300"),
    ("1e-9", "0", "net.graphml:10: edge a - s: bandwidth_gbps must be from 0.001 to 1e+07, got 1e-09"),
])
def test_fabric_graphml_values_are_bounded(simfabric_bin, tmp_path, bandwidth, latency, expected):
    (tmp_path / "net.graphml").write_text(GRAPHML.format(bandwidth=bandwidth, latency=latency))
    proc = validate(simfabric_bin, tmp_path, FABRIC.format(topology='type = "graphml"\nfile = "net.graphml"',
                                                           workload=COLLECTIVE))
    refused(proc, expected)


QUANTUM_GRAPHML = '''<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="m" for="node" attr.name="memories" attr.type="int"/>
  <key id="d" for="edge" attr.name="distance_km" attr.type="double"/>
  <key id="a" for="edge" attr.name="attenuation_db_per_km" attr.type="double"/>
  <graph edgedefault="undirected">
    <node id="A"><data key="m">{memories}</data></node>
    <node id="D"/>
    <edge source="A" target="D"><data key="d">{distance}</data><data key="a">{attenuation}</data></edge>
  </graph>
</graphml>
'''


@pytest.mark.parametrize("memories, distance, attenuation, expected", [
    ("2000000000", "10", "0.2", 'net.graphml:7: node "A": memories must be a whole number from 1 to 100000'),
    ("10", "1e300", "0.2", "net.graphml:9: edge A - D: distance_km must be at most 100000, got 1e+300"),
    ("10", "10", "-3", "edge A - D: attenuation_db_per_km must be from 0 to 100, got -3"),
    ("10", "10", "NaN", "attenuation_db_per_km must be a number"),
])
def test_quantum_graphml_values_are_bounded(simfabric_bin, tmp_path, memories, distance, attenuation, expected):
    (tmp_path / "net.graphml").write_text(QUANTUM_GRAPHML.format(memories=memories, distance=distance,
                                                                 attenuation=attenuation))
    proc = validate(simfabric_bin, tmp_path, 'kind = "quantum"\nduration_s = 0.001\n[topology]\ntype = "graphml"\n'
                    'file = "net.graphml"\n[request]\nsrc = "A"\ndst = "D"\n')
    refused(proc, expected)


# --- seeds in every Python entry point ---------------------------------------------------

def seeded_calls(tmp_path):
    import simfabric as sf
    ring = sf.topologies.ring(4)
    table = tmp_path / "small.csv"
    table.write_text("\n".join((ROOT / "data/latency/nb201_latency_ms.csv").read_text().splitlines()[:31]) + "\n")
    return {
        "network.random_permutation": ("seed", lambda seed: sf.network.random_permutation(4, seed=seed)),
        "network.run_permutation": ("seed", lambda seed: sf.network.run_permutation(ring, 1e6, seed=seed)),
        "collective.run": ("seed", lambda seed: sf.collective.run(ring, "ring_allreduce", 1e6, seed=seed)),
        "collective.moe": ("seed", lambda seed: sf.collective.moe(ring, seed=seed)),
        "bench.hold": ("seed", lambda seed: sf.bench.hold(events=10, seed=seed)),
        "accelerator.random_operators": ("seed", lambda seed: sf.accelerator.random_operators(2, seed=seed)),
        "cost.random_archs": ("seed", lambda seed: sf.cost.random_archs("nb201", 2, seed=seed)),
        "cost.fit": ("seed", lambda seed: sf.cost.fit("systolic", ROOT / "scenarios/plans/conv_gemm.toml", seed=seed)),
        "cost.calibrate": ("shuffle", lambda seed: sf.cost.calibrate(table, "titan_rtx_1", train=20, shuffle=seed)),
        "quantum.run_chain": ("seed", lambda seed: sf.quantum.run_chain(duration_s=1e-3, seed=seed)),
        "training.step": ("seed", lambda seed: sf.training.step(layers=2, hidden=64, heads=2, seq=16, vocab=0,
                                                               micro_batch=1, global_batch=1, gpus_per_host=1,
                                                               hosts_per_leaf=1, spines=1, seed=seed)),
    }


CALLS = ["network.random_permutation", "network.run_permutation", "collective.run", "collective.moe", "bench.hold",
         "accelerator.random_operators", "cost.random_archs", "cost.fit", "cost.calibrate", "quantum.run_chain",
         "training.step"]


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("seed", [-1, 2**63, 2**64 + 5])
def test_python_seeds_outside_0_to_2_63_raise_value_error_naming_the_argument(tmp_path, name, seed):
    argument, call = seeded_calls(tmp_path)[name]
    with pytest.raises(ValueError, match=rf"^{argument}: expected an integer from 0 to 2\*\*63 - 1, got {seed}$"):
        call(seed)
    with pytest.raises(TypeError, match=argument):
        call(1.5)


def test_python_seeds_at_the_top_of_the_range_are_taken_and_differ():
    import simfabric as sf
    np = pytest.importorskip("numpy")
    permute = sf.network.random_permutation
    assert not np.array_equal(permute(64, seed=2**63 - 1), permute(64, seed=2**63 - 2))
    assert np.array_equal(permute(64, seed=np.int64(7)), permute(64, seed=7))
    archs = sf.cost.random_archs
    assert archs("nb201", 8, seed=2**63 - 1) != archs("nb201", 8, seed=2**63 - 2)


@pytest.mark.parametrize("path, value, expected", [
    (("cconnections", 0, "delay"), 1e30, "cconnections[0].delay: expected a delay from 0 to 1e+12 ps (1 s), got 1e+30"),
    (("cconnections", 0, "delay"), -5, "cconnections[0].delay: expected a delay from 0 to 1e+12 ps (1 s), got -5"),
    (("qconnections", 0, "distance"), 1e300, "qconnections[0].distance: expected at most 1e+08 m, got 1e+300"),
    (("qconnections", 0, "attenuation"), -3, "qconnections[0].attenuation: expected 0 to 0.1 dB/m, got -3"),
    (("nodes", 0, "memo_size"), 2e9, "nodes[0].memo_size: expected an integer in [1, 100000]"),
])
def test_router_json_values_are_bounded(simfabric_bin, tmp_path, path, value, expected):
    import json
    doc = json.loads((ROOT / "scenarios/quantum/star_network.json").read_text())
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    (tmp_path / "net.json").write_text(json.dumps(doc))
    first, last = doc["nodes"][0]["name"], doc["nodes"][-1]["name"]
    proc = validate(simfabric_bin, tmp_path, f'kind = "quantum"\nduration_s = 0.001\n[topology]\ntype = "json"\n'
                    f'file = "net.json"\n[request]\nsrc = "{first}"\ndst = "{last}"\n')
    refused(proc, "net.json: " + expected)
