#!/usr/bin/env python3
"""Writes a corpus of broken inputs for the command-line program and the commands to run
on each: scenario, sweep, device, plan, CSV and model files damaged in structure (cut,
bytes flipped, lines lost or doubled, binary noise, deep nesting, huge keys) and in
content (every kind of wrong value in the keys that matter), include and output-path
attacks. tests/python/test_hostile.py runs every command with a timeout and accepts
only exit codes 0, 1 and 2.

usage: make_corpus.py OUT_DIR [--seed N]
Writes OUT_DIR/manifest.json: [{"name", "args": [...]}] with paths relative to OUT_DIR
(the commands run there); "simfabric" stands for the program. The corpus is a pure
function of the seed and of the repository's data/latency tables.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
from typing import Callable, Dict, List, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Small bases, each valid and quick (well under a second), so that a mutation that
# stays valid still runs fast.
BASES: Dict[str, str] = {
    "mm1": """kind = "mm1"
seed = 1
[queue]
arrival_rate_per_s = 800.0
service_rate_per_s = 1000.0
customers = 1000
""",
    "fabric": """kind = "fabric"
seed = 1
[topology]
type = "leaf_spine"
leaves = 2
spines = 2
hosts_per_leaf = 2
host_gbps = 100
uplink_gbps = 100
host_latency_ns = 500
uplink_latency_ns = 500
[network]
policy = "ecmp"
[workload]
type = "collective"
algorithm = "ring_allreduce"
bytes = "64 KiB"
""",
    "accelerator": """kind = "accelerator"
name = "ops"
[device]
preset = "systolic"
[workload]
network = "operators"
dtype = "bf16"
[workload.operators.mm]
kind = "gemm"
m = 64
n = 64
k = 64
[workload.operators.cv]
kind = "conv2d"
batch = 1
in_channels = 8
out_channels = 8
height = 16
width = 16
kernel = 3
""",
    "quantum": """kind = "quantum"
seed = 1
duration_s = 0.001
formalism = "bell-diagonal"
[topology]
type = "chain"
routers = 2
link_km = 10
memories = 4
[memory]
efficiency = 1.0
raw_fidelity = 0.95
coherence_time_s = 1.0
[detector]
efficiency = 0.9
[request]
src = "r0"
dst = "r1"
memories = 4
target_fidelity = 0.9
""",
}

# Keys whose values are replaced, per base (dotted paths as --set writes them).
KEYS: Dict[str, List[str]] = {
    "mm1": ["seed", "queue.arrival_rate_per_s", "queue.service_rate_per_s", "queue.customers", "kind"],
    "fabric": ["topology.leaves", "topology.hosts_per_leaf", "topology.host_gbps", "topology.host_latency_ns",
               "workload.bytes", "workload.algorithm", "network.policy"],
    "accelerator": ["workload.operators.mm.m", "workload.operators.cv.kernel", "workload.operators.cv.height",
                    "workload.dtype", "device.preset"],
    "quantum": ["duration_s", "topology.routers", "topology.link_km", "memory.raw_fidelity",
                "memory.coherence_time_s", "request.memories", "request.target_fidelity"],
}

HOSTILE_VALUES = [
    '"x"', "[]", "{}", "true", "1979-05-27T07:32:00Z", "-1", "0", "9223372036854775807",
    "-9223372036854775808", "nan", "inf", "-inf", "1e308", "-0.0", "5e-324", '"1e400 GiB"', '"-5 us"',
    '"' + "9" * 400 + '"', "[1, [2, [3]]]", '{ a = { b = 1 } }',
]

DEVICE = (ROOT / "scenarios" / "devices" / "systolic_128.toml").read_text()
DEVICE_KEYS = ["dma_engines", "compute.vector_tera_ops_per_s", "compute.cores", "compute.clock_ghz",
               "tiers.sram.capacity", "tiers.sram.bandwidth_gb_per_s", "tiers.dram.latency_ns",
               "links.dram_bus.from", "links.dram_bus.bandwidth_gb_per_s", "systolic.rows", "home_tier"]

PLAN = """[plan]
design = "lhs"
samples = 12
seed = 1
holdout = 0.25
dtype = "bf16"

[operators.conv2d]
batch = [1, 2]
in_channels = [3, 32]
out_channels = [8, 32]
size = [7, 28]
kernel = [1, 3]
stride = [1, 2]
groups = [1]

[operators.gemm]
batch = [1, 2]
m = [1, 256]
n = [1, 256]
k = [1, 256]
shared_weights = [true, false]
"""
PLAN_KEYS = ["plan.design", "plan.samples", "plan.seed", "plan.holdout", "plan.dtype",
             "operators.conv2d.in_channels", "operators.conv2d.kernel", "operators.gemm.m", "operators.gemm.shared_weights"]

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def set_key(text: str, dotted: str, value: str) -> str:
    """The TOML text with `dotted` set to `value`: replaced in its table, or appended in a
    table of its own when the key is not written in the text."""
    *tables, key = dotted.split(".")
    header = "[" + ".".join(tables) + "]" if tables else None
    lines = text.splitlines()
    current = None
    header_line = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.split("#")[0].strip()
            if current == header:
                header_line = i
            continue
        if current == header:
            name = stripped.split("=")[0].strip()
            if name == key and "=" in stripped:
                lines[i] = f"{key} = {value}"
                return "\n".join(lines) + "\n"
    if header is None:
        return f"{key} = {value}\n" + text
    if header_line is not None:
        lines.insert(header_line + 1, f"{key} = {value}")
        return "\n".join(lines) + "\n"
    return text + f"\n{header}\n{key} = {value}\n"


def structural(rng: random.Random, text: str, label: str) -> List[Tuple[str, bytes]]:
    """Damaged copies of `text`: cut, bytes flipped, a line lost, a line doubled."""
    data = text.encode()
    out = []
    for fraction in (0.1, 0.33, 0.5, 0.77, 0.95):
        out.append((f"{label}_cut{int(fraction * 100)}", data[: int(len(data) * fraction)]))
    for i in range(6):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        out.append((f"{label}_flip{i}", bytes(flipped)))
    lines = text.splitlines(keepends=True)
    for i in range(3):
        j = rng.randrange(len(lines))
        out.append((f"{label}_dropline{i}", "".join(lines[:j] + lines[j + 1:]).encode()))
        k = rng.randrange(len(lines))
        out.append((f"{label}_dupline{i}", "".join(lines[: k + 1] + [lines[k]] + lines[k + 1:]).encode()))
    return out


def garbage(rng: random.Random) -> List[Tuple[str, bytes]]:
    mm1 = BASES["mm1"].encode()
    return [
        ("empty", b""),
        ("comments_only", b"# nothing here\n# at all\n"),
        ("binary_noise", bytes(rng.randrange(256) for _ in range(4096))),
        ("nul_bytes", b"\0" * 1000),
        ("nul_inside", mm1[:20] + b"\0" + mm1[20:]),
        ("bad_utf8", b'kind = "mm1\xff\xfe"\n' + mm1),
        ("bad_utf8_key", b"\xc3\x28 = 1\n" + mm1),
        ("bom", b"\xef\xbb\xbf" + mm1),
        ("crlf", mm1.replace(b"\n", b"\r\n")),
        ("long_line", b"# " + b"x" * 2_000_000 + b"\n" + mm1),
        ("deep_arrays", b"kind = \"mm1\"\nx = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
        ("deep_inline_tables", b"kind = \"mm1\"\nx = " + b"{a=" * 50_000 + b"1" + b"}" * 50_000 + b"\n"),
        ("deep_dotted_key", b"kind = \"mm1\"\n" + b".".join([b"a"] * 20_000) + b" = 1\n"),
        ("deep_tables", b"kind = \"mm1\"\n[" + b".".join([b"t"] * 20_000) + b"]\n"),
        ("huge_key", b'kind = "mm1"\n' + b"k" * 10_000_000 + b" = 1\n"),
        ("huge_value", mm1 + b'\n[extra]\nv = "' + b"v" * 5_000_000 + b'"\n'),
        ("many_keys", mm1 + b"".join(b"junk%d = %d\n" % (i, i) for i in range(20_000))),
        ("many_tables", mm1 + b"".join(b"[t%d]\nx = 1\n" % i for i in range(20_000))),
        ("huge_array", b'kind = "mm1"\nx = [' + b"1," * 1_000_000 + b"]\n"),
        ("number_309_digits", mm1.replace(b"800.0", b"1" + b"0" * 308 + b".0")),
        ("kind_missing", mm1.replace(b'kind = "mm1"', b"")),
        ("kind_unknown", mm1.replace(b"mm1", b"mm2")),
        ("kind_number", mm1.replace(b'"mm1"', b"42")),
        ("kind_sweep", b'kind = "sweep"\n[sweep]\nscenario = "base_mm1.toml"\n[parameters]\n"queue.customers" = [10]\n'),
        ("kind_device", DEVICE.encode()),
    ]


def includes() -> List[Tuple[str, bytes]]:
    mm1 = BASES["mm1"]
    fanout_list = ", ".join(['"fan1.toml"'] * 4)
    cases = [
        ("inc_self", f'include = "inc_self.toml"\n{mm1}'),
        ("inc_cycle_a", f'include = "inc_cycle_b.toml"\n{mm1}'),
        ("inc_missing", f'include = "no_such_file.toml"\n{mm1}'),
        ("inc_dev_zero", f'include = "/dev/zero"\n{mm1}'),
        ("inc_dev_null", f'include = "/dev/null"\n{mm1}'),
        ("inc_directory", f'include = "."\n{mm1}'),
        ("inc_binary", f'include = "binary_noise.toml"\n{mm1}'),
        ("inc_passwd", f'include = "/etc/passwd"\n{mm1}'),
        ("inc_number", f"include = 42\n{mm1}"),
        ("inc_table_in_list", f'include = ["base_mm1.toml", {{ a = 1 }}]\n{mm1}'),
        ("inc_nul", f'include = "base_mm1.toml\\u0000junk"\n{mm1}'),
        ("inc_fanout", f"include = [{fanout_list}]\n{mm1}"),
        ("inc_65", "include = [" + ", ".join(['"base_mm1.toml"'] * 65) + "]\n" + mm1),
        ("inc_deep_chain", f'include = "chain1.toml"\n{mm1}'),
    ]
    out = [(name, text.encode()) for name, text in cases]
    out.append(("inc_cycle_b", f'include = "inc_cycle_a.toml"\n'.encode()))
    for level in range(1, 12):  # each includes the next four times: 4^11 loads unbounded
        nxt = ", ".join([f'"fan{level + 1}.toml"'] * 4) if level < 11 else ""
        out.append((f"fan{level}", ((f"include = [{nxt}]\n" if nxt else "") + f"x{level} = 1\n").encode()))
    for level in range(1, 30):  # a chain deeper than the include depth limit
        nxt = f'include = "chain{level + 1}.toml"\n' if level < 29 else ""
        out.append((f"chain{level}", (nxt + f"y{level} = 1\n").encode()))
    return out


def sweeps() -> List[Tuple[str, str]]:
    head = 'kind = "sweep"\n[sweep]\n'
    grid = '[parameters]\n"queue.customers" = [100, 200]\n'
    return [
        ("sweep_base_dev_zero", head + 'scenario = "/dev/zero"\n' + grid),
        ("sweep_base_missing", head + 'scenario = "nope.toml"\n' + grid),
        ("sweep_base_directory", head + 'scenario = "."\n' + grid),
        ("sweep_base_is_sweep", head + 'scenario = "sweep_base_is_sweep.toml"\n' + grid),
        ("sweep_base_binary", head + 'scenario = "binary_noise.toml"\n' + grid),
        ("sweep_replicas_huge", head + 'scenario = "base_mm1.toml"\nreplicas = 1000000000\n' + grid),
        ("sweep_samples_huge", head + 'scenario = "base_mm1.toml"\nsamples = 1000000000\n'
         '[parameters]\n"queue.customers" = { min = 10, max = 100, integer = true }\n'),
        ("sweep_points_product", head + 'scenario = "base_mm1.toml"\n[parameters]\n'
         + "".join(f'"p{i}" = [' + ", ".join(str(v) for v in range(10)) + "]\n" for i in range(20))),
        ("sweep_range_inverted", head + 'scenario = "base_mm1.toml"\nsamples = 3\n'
         '[parameters]\n"queue.arrival_rate_per_s" = { min = 900.0, max = 100.0 }\n'),
        ("sweep_range_nan", head + 'scenario = "base_mm1.toml"\nsamples = 3\n'
         '[parameters]\n"queue.arrival_rate_per_s" = { min = nan, max = inf }\n'),
        ("sweep_range_log_zero", head + 'scenario = "base_mm1.toml"\nsamples = 3\n'
         '[parameters]\n"queue.arrival_rate_per_s" = { min = 0.0, max = 1.0, log = true }\n'),
        ("sweep_empty_list", head + 'scenario = "base_mm1.toml"\n[parameters]\n"queue.customers" = []\n'),
        ("sweep_no_parameters", head + 'scenario = "base_mm1.toml"\n'),
        ("sweep_bad_set", head + 'scenario = "base_mm1.toml"\nset = ["=", "a..b=1", "queue=3", 5]\n' + grid),
        ("sweep_seed_negative", head + 'scenario = "base_mm1.toml"\nseed = -3\n' + grid),
        ("sweep_reserved_column", head + 'scenario = "base_mm1.toml"\n[parameters]\n"seed" = [1, 2]\n'),
        ("sweep_unstable_points", head + 'scenario = "base_mm1.toml"\n'
         '[parameters]\n"queue.arrival_rate_per_s" = [500.0, 5000.0]\n'),
    ]


def csv_cases(rng: random.Random) -> List[Tuple[str, bytes]]:
    lines = (ROOT / "data" / "latency" / "nb201_latency_ms.csv").read_text().splitlines()[:31]
    text = "\n".join(lines) + "\n"
    header = lines[0]
    out: List[Tuple[str, bytes]] = [
        ("csv_empty", b""),
        ("csv_header_only", (header + "\n").encode()),
        ("csv_no_header", ("\n".join(lines[1:]) + "\n").encode()),
        ("csv_binary", bytes(rng.randrange(256) for _ in range(8192))),
        ("csv_bom_crlf", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()),
        ("csv_short_rows", ("\n".join([header] + [l.rsplit(",", 5)[0] for l in lines[1:]]) + "\n").encode()),
        ("csv_long_rows", ("\n".join([header] + [l + ",1,2,3" for l in lines[1:]]) + "\n").encode()),
        ("csv_unbalanced_quote", (text + '5,"|nor_conv_3x3~0|,1,2\n').encode()),
        ("csv_text_latency", text.replace(",3.40844,", ",fast,").encode()),
        ("csv_negative", text.replace(",3.40844,", ",-3.4,").encode()),
        ("csv_nan_inf", text.replace(",3.40844,", ",nan,").replace(",7.36561,", ",inf,").encode()),
        ("csv_huge_numbers", text.replace(",3.40844,", ",1e308,").replace(",7.36561,", "," + "9" * 400 + ",").encode()),
        ("csv_bad_arch", text.replace("nor_conv_3x3~0", "warp_drive~9", 3).encode()),
        ("csv_arch_huge", (text + "9," + "|" + "nor_conv_3x3~0|" * 100_000 + "," + ",1" * 27 + "\n").encode()),
        ("csv_duplicate_column", (text.replace("titan_rtx_32", "titan_rtx_1", 1)).encode()),
        ("csv_many_columns", (",".join(f"c{i}" for i in range(200_000)) + "\n" + ",".join("1" for _ in range(200_000)) + "\n").encode()),
        ("csv_many_rows", (header + "\n" + "".join(lines[1] + "\n" for _ in range(20_000))).encode()),
        ("csv_nul", text.replace(",", "\0", 10).encode()),
        ("csv_index_huge", text.replace(lines[1].split(",")[0] + ",", "99999999999999999999999,", 1).encode()),
    ]
    for name, data in structural(rng, text, "csv"):
        out.append((name, data))
    return out


def model_cases(rng: random.Random, model: dict) -> List[Tuple[str, bytes]]:
    text = json.dumps(model, indent=1)

    def with_field(path: List[str], value) -> bytes:
        doc = json.loads(text)
        node = doc
        for key in path[:-1]:
            node = node.setdefault(key, {}) if isinstance(node, dict) else node
        if isinstance(node, dict):
            node[path[-1]] = value
        return json.dumps(doc).encode()

    out: List[Tuple[str, bytes]] = [
        ("model_empty", b""),
        ("model_not_json", b"this is not json"),
        ("model_array", b"[1, 2, 3]"),
        ("model_null", b"null"),
        ("model_deep", b"[" * 100_000 + b"]" * 100_000),
        ("model_deep_objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("model_binary", bytes(rng.randrange(256) for _ in range(4096))),
        ("model_huge_string", json.dumps({"format": "x" * 5_000_000}).encode()),
    ]
    hostile = ["x", None, [], {}, -1, 0, 1e308, -1e308, 2**64, True, [float("nan")], "NaN"]
    for field in (["format"], ["version"], ["type"], ["model", "weights_ms"], ["model", "space"],
                  ["model", "batch"], ["model", "features"], ["model", "floor_ms"], ["report"], ["provenance"]):
        for value in rng.sample(hostile, 4):
            name = "model_" + "_".join(field) + "_" + str(hostile.index(value))
            out.append((name, with_field(field, value)))
    if isinstance(model.get("model", {}).get("weights_ms"), list):
        weights = model["model"]["weights_ms"]
        out.append(("model_weights_short", with_field(["model", "weights_ms"], weights[: len(weights) // 2])))
        out.append(("model_weights_long", with_field(["model", "weights_ms"], weights * 3)))
        out.append(("model_weights_nan", text.replace(str(weights[0]), "NaN", 1).encode()))
    out.extend(structural(rng, text, "model"))
    return out


def limit_cases() -> List[Tuple[str, str]]:
    """Values past the declared limits (docs/inputs.md), each refused by validate before
    the run could wrap a count, overflow the clock or allocate without bound."""
    fabric, acc, mm1 = BASES["fabric"], BASES["accelerator"], BASES["mm1"]
    fabric_set = lambda *pairs: _set_all(fabric, pairs)  # noqa: E731
    moe = fabric.replace('type = "collective"\nalgorithm = "ring_allreduce"\nbytes = "64 KiB"\n', 'type = "moe"\n')
    return [
        ("limit_leaf_spine_65536", fabric_set(("topology.leaves", "65536"), ("topology.spines", "65536"),
                                              ("topology.hosts_per_leaf", "65536"))),
        ("limit_leaf_spine_cables", fabric_set(("topology.leaves", "4096"), ("topology.spines", "4096"),
                                               ("topology.hosts_per_leaf", "1"))),
        ("limit_fat_tree_256", fabric.replace('type = "leaf_spine"', 'type = "fat_tree"\nk = 256')
         .replace("leaves = 2\nspines = 2\nhosts_per_leaf = 2\nhost_gbps = 100\nuplink_gbps = 100\n", "")
         .replace("host_latency_ns = 500\nuplink_latency_ns = 500\n", "")),
        ("limit_host_gbps_tiny", fabric_set(("topology.host_gbps", "1e-9"))),
        ("limit_moe_tokens_int64", _set_all(moe, [("workload.tokens_per_rank", "9223372036854775807")])),
        ("limit_moe_tokens_product", _set_all(moe, [("workload.experts", "4096"), ("workload.tokens_per_rank", "1000000")])),
        ("limit_moe_bytes_per_token", _set_all(moe, [("workload.bytes_per_token", "1e300")])),
        ("limit_gemm_2_32", _set_all(acc, [("workload.operators.mm.m", "4294967296"),
                                           ("workload.operators.mm.n", "4294967296"),
                                           ("workload.operators.mm.k", "4294967296")])),
        ("limit_conv_stride_0", _set_all(acc, [("workload.operators.cv.stride", "0"),
                                               ("workload.operators.cv.groups", "0")])),
        ("limit_conv_padding_huge", _set_all(acc, [("workload.operators.cv.padding", "9223372036854775807")])),
        ("limit_mm1_rates", _set_all(mm1, [("queue.arrival_rate_per_s", "1e308"), ("queue.service_rate_per_s", "1e-300")])),
        ("limit_mm1_span", _set_all(mm1, [("queue.arrival_rate_per_s", "0.001"), ("queue.service_rate_per_s", "1"),
                                          ("queue.customers", "1000000000")])),
    ]


def _set_all(text: str, pairs) -> str:
    for dotted, value in pairs:
        text = set_key(text, dotted, value)
    return text


FABRIC_GRAPHML = """<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k" for="node" attr.name="kind" attr.type="string"/>
  <key id="b" for="edge" attr.name="bandwidth_gbps" attr.type="double"/>
  <key id="l" for="edge" attr.name="latency_ns" attr.type="double"/>
  <graph edgedefault="undirected">
    <node id="h0"><data key="k">host</data></node>
    <node id="h1"><data key="k">host</data></node>
    <node id="s"><data key="k">switch</data></node>
    <edge source="h0" target="s"><data key="b">BANDWIDTH</data><data key="l">LATENCY</data></edge>
    <edge source="h1" target="s"><data key="b">100</data><data key="l">500</data></edge>
  </graph>
</graphml>
"""
QUANTUM_GRAPHML = (ROOT / "scenarios" / "quantum" / "ring.graphml").read_text()
ROUTER_JSON = (ROOT / "scenarios" / "quantum" / "star_network.json").read_text()
TOPOLOGY_VALUES = ["-1", "0", "nan", "inf", "1e308", "-1e308", "5e-324", "2000000000", "x", "", "9" * 400]


def topology_cases(rng: random.Random) -> List[Tuple[str, bytes, str]]:
    """Damaged topology files (fabric GraphML, quantum GraphML, router-network JSON) with the
    scenario that loads each: (file name, bytes, scenario text)."""
    fabric_wrapper = ('kind = "fabric"\n[topology]\ntype = "graphml"\nfile = "{file}"\n[workload]\n'
                      'type = "collective"\nalgorithm = "ring_allreduce"\nbytes = "64 KiB"\n')
    quantum_wrapper = ('kind = "quantum"\nduration_s = 0.001\n[topology]\ntype = "{type}"\nfile = "{file}"\n'
                       '[request]\nsrc = "{src}"\ndst = "{dst}"\n')
    out: List[Tuple[str, bytes, str]] = []
    fabric_ok = FABRIC_GRAPHML.replace("BANDWIDTH", "100").replace("LATENCY", "500")
    for name, data in structural(rng, fabric_ok, "fabric_graphml") + [("fabric_graphml_ok", fabric_ok.encode())]:
        out.append((name + ".graphml", data, fabric_wrapper.format(file=name + ".graphml")))
    for i, value in enumerate(TOPOLOGY_VALUES):
        for field, other in (("BANDWIDTH", "500"), ("LATENCY", "100")):
            text = FABRIC_GRAPHML.replace(field, value).replace("BANDWIDTH", other).replace("LATENCY", other)
            name = f"fabric_graphml_{field.lower()}_{i}.graphml"
            out.append((name, text.encode(), fabric_wrapper.format(file=name)))
    quantum = quantum_wrapper.replace("{src}", "A").replace("{dst}", "D").replace("{type}", "graphml")
    for name, data in structural(rng, QUANTUM_GRAPHML, "quantum_graphml"):
        out.append((name + ".graphml", data, quantum.format(file=name + ".graphml")))
    for i, value in enumerate(rng.sample(TOPOLOGY_VALUES, 6)):
        # The first number of each attribute written in the file, replaced.
        for attribute in ("memories", "distance_km", "attenuation_db_per_km"):
            key_id = _graphml_key_id(QUANTUM_GRAPHML, attribute)
            if key_id is None:
                continue
            marker = f'<data key="{key_id}">'
            start = QUANTUM_GRAPHML.find(marker)
            if start < 0:
                continue
            end = QUANTUM_GRAPHML.find("<", start + len(marker))
            text = QUANTUM_GRAPHML[: start + len(marker)] + value + QUANTUM_GRAPHML[end:]
            name = f"quantum_graphml_{attribute}_{i}.graphml"
            out.append((name, text.encode(), quantum.format(file=name)))
    router = json.loads(ROUTER_JSON)
    first = router["nodes"][0]["name"]
    last = router["nodes"][-1]["name"]
    json_wrapper = quantum_wrapper.replace("{src}", first).replace("{dst}", last).replace("{type}", "json")
    for name, data in structural(rng, ROUTER_JSON, "router_json"):
        out.append((name + ".json", data, json_wrapper.format(file=name + ".json")))
    for i, value in enumerate([-1, 0, 1e308, -1e308, 2e9, 5, -3, 1e30, 5e-324]):
        for path in (("nodes", 0, "memo_size"), ("qconnections", 0, "distance"), ("qconnections", 0, "attenuation"),
                     ("cconnections", 0, "delay"), ("stop_time",)):
            doc = json.loads(ROUTER_JSON)
            target = doc
            try:
                for step in path[:-1]:
                    target = target[step]
                target[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                continue
            name = f"router_json_{'_'.join(str(p) for p in path)}_{i}.json"
            out.append((name, json.dumps(doc).encode(), json_wrapper.format(file=name)))
    return out


def _graphml_key_id(text: str, attribute: str):
    import re
    found = re.search(rf'<key[^>]*id="([^"]+)"[^>]*attr\.name="{attribute}"', text) or \
        re.search(rf'<key[^>]*attr\.name="{attribute}"[^>]*id="([^"]+)"', text)
    return found.group(1) if found else None


TRAFFIC_CSV = "src,dst,bytes,start_us\nhost0,host3,100000,0\n1,2,50000,1.5\nhost2,0,200000,3\n"
CDF_CSV = "bytes,cdf\n0,0\n10000,0.5\n100000,0.9\n1000000,1\n"


def traffic_cases(rng: random.Random) -> List[Tuple[str, bytes, str]]:
    """Damaged traffic matrices and flow-size CDFs, each with a fabric scenario that names
    it: (file, data, scenario)."""
    fabric = BASES["fabric"].split("[workload]")[0].replace("[network]\n", "[network]\nmodel = \"packet\"\n")

    def matrix(file: str) -> str:
        return fabric + f'[workload]\ntype = "traffic_matrix"\nfile = "{file}"\n'

    def cdf(file: str) -> str:
        return fabric + f'[workload]\ntype = "poisson"\nload = 0.3\nflows = 20\nsizes = "cdf"\ncdf_file = "{file}"\n'

    head, *rows = TRAFFIC_CSV.splitlines()
    matrices = [
        ("negative_bytes", TRAFFIC_CSV.replace(",100000,", ",-100000,")),
        ("nan_bytes", TRAFFIC_CSV.replace(",100000,", ",nan,")),
        ("inf_start", TRAFFIC_CSV.replace(",1.5\n", ",inf\n")),
        ("unknown_host", TRAFFIC_CSV.replace("host3", "host99")),
        ("index_out_of_range", TRAFFIC_CSV.replace("1,2,", "1,4000000000,")),
        ("self_loop", TRAFFIC_CSV.replace("1,2,", "2,2,")),
        ("missing_column", "src,dst,bytes\n0,1,100\n"),
        ("unitless_start", TRAFFIC_CSV.replace("start_us", "start")),
        ("duplicate_column", TRAFFIC_CSV.replace("src,dst", "src,src")),
        ("short_row", TRAFFIC_CSV + "0,1\n"),
        ("long_row", TRAFFIC_CSV + "0,1,2,3,4\n"),
        ("fractional_bytes", TRAFFIC_CSV.replace(",50000,", ",500.5,")),
        ("huge_bytes", TRAFFIC_CSV.replace(",50000,", ",1e300,")),
        ("late_start", TRAFFIC_CSV.replace(",3\n", ",1e12\n")),
        ("header_only", head + "\n"),
        ("empty", ""),
        ("quoted", TRAFFIC_CSV.replace("host0", '"host0"')),
        ("nul", TRAFFIC_CSV.replace(",", "\0", 3)),
        ("binary", bytes(rng.randrange(256) for _ in range(4096))),
        ("many_rows", head + "\n" + "0,1,1,0\n" * 50_000),
    ]
    for name, data in structural(rng, TRAFFIC_CSV, "matrix"):
        matrices.append((name[len("matrix_"):], data))
    cdfs = [
        ("decreasing", CDF_CSV.replace("100000,0.9", "100000,0.4")),
        ("not_ending_at_one", CDF_CSV.replace("1000000,1", "1000000,0.99")),
        ("sizes_backwards", CDF_CSV.replace("100000,", "5000,")),
        ("nan", CDF_CSV.replace("0.5", "nan")),
        ("negative", CDF_CSV.replace("10000,", "-10000,")),
        ("three_fields", CDF_CSV + "2000000,1,7\n"),
        ("empty", ""),
    ]
    out = []
    for name, data in matrices:
        data = data if isinstance(data, bytes) else data.encode()
        out.append((f"traffic_{name}.csv", data, matrix(f"traffic_{name}.csv")))
    for name, data in cdfs:
        out.append((f"cdf_{name}.csv", data.encode(), cdf(f"cdf_{name}.csv")))
    out.append(("traffic_dev_zero", b"", matrix("/dev/zero")))
    out.append(("traffic_directory", b"", matrix(".")))
    return out


def write(root: pathlib.Path, name: str, data) -> pathlib.Path:
    path = root / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def make_corpus(out: pathlib.Path, seed: int = 1, model: dict | None = None) -> List[dict]:
    """Writes the corpus into `out`; returns the manifest. `model` is a valid space model
    (as written by calibrate) to damage; without one, model cases are skipped."""
    rng = random.Random(seed)
    topology_rng = random.Random(seed + 11)
    traffic_rng = random.Random(seed + 23)
    out.mkdir(parents=True, exist_ok=True)
    (out / "out").mkdir(exist_ok=True)
    manifest: List[dict] = []

    def add(name: str, *args: str) -> None:
        manifest.append({"name": name, "args": ["simfabric", *args]})

    for kind, text in BASES.items():
        write(out, f"base_{kind}.toml", text)
    write(out, "device_ok.toml", DEVICE)
    write(out, "plan_ok.toml", PLAN)
    small_csv = "\n".join((ROOT / "data" / "latency" / "nb201_latency_ms.csv").read_text().splitlines()[:31]) + "\n"
    write(out, "small.csv", small_csv)

    scenario_files: List[str] = []
    for kind, text in BASES.items():
        for name, data in structural(rng, text, f"{kind}"):
            scenario_files.append(write(out, name + ".toml", data).name)
        for key in KEYS[kind]:
            for value in rng.sample(HOSTILE_VALUES, 4):
                name = f"{kind}_{key.replace('.', '_')}_{HOSTILE_VALUES.index(value)}"
                scenario_files.append(write(out, name + ".toml", set_key(text, key, value)).name)
    for name, data in garbage(rng) + includes():
        path = write(out, name + ".toml", data)
        if not name.startswith(("fan", "chain")) or name in ("fan1",):
            scenario_files.append(path.name)
    huge = ("huge_key.toml", "huge_value.toml", "many_keys.toml", "many_tables.toml", "huge_array.toml", "long_line.toml")
    for name in scenario_files:
        add(f"validate {name}", "validate", name)
        if name not in huge:  # the same reading as validate, which is slow enough once
            add(f"run {name}", "run", name, "--json")

    for name, text in sweeps():
        write(out, name + ".toml", text)
        add(f"sweep plan {name}", "sweep", "plan", name + ".toml")
        add(f"sweep run {name}", "sweep", "run", name + ".toml", "-o", f"out/{name}.h5", "--workers", "2",
            "--no-progress")

    # Devices: damaged files, run through a scenario that names them and through fit.
    device_files = [(n, d) for n, d in structural(rng, DEVICE, "device")]
    for key in DEVICE_KEYS:
        for value in rng.sample(HOSTILE_VALUES, 3):
            device_files.append((f"device_{key.replace('.', '_')}_{HOSTILE_VALUES.index(value)}",
                                 set_key(DEVICE, key, value).encode()))
    device_files += [("device_dev_zero", None), ("device_directory", None)]
    for i, (name, data) in enumerate(device_files):
        target = {"device_dev_zero": "/dev/zero", "device_directory": "."}.get(name, name + ".toml")
        if data is not None:
            write(out, target, data)
        wrapper = set_key(BASES["accelerator"], "device.file", json.dumps(target)).replace('preset = "systolic"\n', "")
        write(out, f"with_{name}.toml", wrapper)
        add(f"validate with_{name}", "validate", f"with_{name}.toml")
        add(f"run with_{name}", "run", f"with_{name}.toml")
        if i % 4 == 0:
            add(f"fit device {name}", "fit", "--device", target, "--plan", "plan_ok.toml", "-o", f"out/fit_{name}.json",
                "--threads", "2", "--quiet")

    plans = structural(rng, PLAN, "plan")
    for key in PLAN_KEYS:
        for value in rng.sample(HOSTILE_VALUES, 3):
            plans.append((f"plan_{key.replace('.', '_')}_{HOSTILE_VALUES.index(value)}", set_key(PLAN, key, value).encode()))
    plans.append(("plan_binary", bytes(rng.randrange(256) for _ in range(2048))))
    for name, data in plans:
        write(out, name + ".toml", data)
        add(f"fit plan {name}", "fit", "--device", "systolic", "--plan", name + ".toml", "-o", f"out/{name}.json",
            "--threads", "2", "--quiet")
    add("fit plan /dev/zero", "fit", "--device", "systolic", "--plan", "/dev/zero", "-o", "out/zero.json")

    for i, (name, data) in enumerate(csv_cases(rng)):
        write(out, name + ".csv", data)
        # Calibration takes a second or more on a table that reads; damaged copies that
        # still read are mostly estimated, a few calibrated.
        if name != "csv_many_rows" and not name.startswith(("csv_cut", "csv_flip", "csv_drop", "csv_dup")) or i % 5 == 0:
            add(f"calibrate {name}", "calibrate", "--measured", name + ".csv", "--column", "titan_rtx_1", "--train",
                "5", "--quiet", "-o", f"out/{name}.json")
        if model is not None:
            add(f"estimate input {name}", "estimate", "--model", "model_ok.json", "--input", name + ".csv", "-o",
                f"out/{name}.csv")
    add("calibrate /dev/zero", "calibrate", "--measured", "/dev/zero", "--column", "x", "-o", "out/zero.json")

    if model is not None:
        write(out, "model_ok.json", json.dumps(model))
        for name, data in model_cases(rng, model):
            write(out, name + ".json", data)
            add(f"estimate arch {name}", "estimate", "--model", name + ".json", "--arch", ARCH, "--space", "nb201")
            add(f"estimate csv {name}", "estimate", "--model", name + ".json", "--input", "small.csv", "-o",
                f"out/est_{name}.csv")
        add("estimate /dev/zero", "estimate", "--model", "/dev/zero", "--arch", ARCH, "--space", "nb201")

    # Output paths that must be refused before the run, leaving the input as it was.
    for name, target in [("empty", ""), ("dot", "."), ("dev_null", "/dev/null"), ("input", "base_mm1.toml"),
                         ("missing_dir", "no/such/dir/out.h5"), ("proc", "/proc/out.h5")]:
        add(f"run -o {name}", "run", "base_mm1.toml", "-o", target)
    (out / "link_to_input.h5").symlink_to("base_mm1.toml")
    add("run -o link to input", "run", "base_mm1.toml", "-o", "link_to_input.h5")
    for seed in ["-1", "9223372036854775808", "18446744073709551616", "1e3", "0x10", "", " 5"]:
        add(f"run --seed {seed!r}", "run", "base_mm1.toml", "--seed", seed)

    # Values past their declared limits, and damaged topology files (their own random
    # stream, so the cases above stay what they were for a seed).
    for name, text in limit_cases():
        write(out, name + ".toml", text)
        add(f"validate {name}", "validate", name + ".toml")
        add(f"run {name}", "run", name + ".toml", "--json")
    for i, (file, data, scenario) in enumerate(topology_cases(topology_rng)):
        write(out, file, data)
        wrapper = "with_" + file.replace(".", "_") + ".toml"
        write(out, wrapper, scenario)
        add(f"validate {wrapper}", "validate", wrapper)
        if i % 2 == 0:  # loading is what is under test; half of them also run
            add(f"run {wrapper}", "run", wrapper, "--json")

    # Traffic matrices and flow-size CDFs (their own stream too).
    for file, data, scenario in traffic_cases(traffic_rng):
        if file.endswith(".csv"):
            write(out, file, data)
        wrapper = "with_" + file.replace(".", "_") + ".toml"
        write(out, wrapper, scenario)
        add(f"validate {wrapper}", "validate", wrapper)
        add(f"run {wrapper}", "run", wrapper, "--json")

    (out / "manifest.json").write_text(json.dumps(manifest, indent=0))
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", type=pathlib.Path, help="a valid space model (JSON) to damage")
    args = parser.parse_args()
    model = json.loads(args.model.read_text()) if args.model else None
    manifest = make_corpus(args.out, args.seed, model)
    print(f"{len(manifest)} commands over the files in {args.out}")


if __name__ == "__main__":
    main()
