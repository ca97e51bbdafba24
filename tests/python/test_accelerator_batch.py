"""Networks by name with architecture strings, batches of architectures, KV-cache
accounting and unknown devices: from Python, the CLI and scenario files."""

import json
import pathlib
import re
import subprocess

import numpy as np
import pytest

from simfabric import accelerator as acc

ROOT = pathlib.Path(__file__).resolve().parents[2]
LATENCY = ROOT / "data" / "latency"
PRESETS = "a100, h100, sn40l, eyeriss, systolic"
ELEMENT_BYTES = {"fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1}


def example(name):
    """The example inside arch_syntax's "(e.g. "...")": the documented one is tested."""
    return re.search(r'\(e\.g\. "(.*)"\)$', acc.arch_syntax(name)).group(1)


def table_archs(rows=4):
    """The first rows of the public tables, as (space, arch) in every accepted encoding."""
    import pandas as pd
    nb = pd.read_csv(LATENCY / "nb201_latency_ms.csv").head(rows)
    fb = pd.read_csv(LATENCY / "fbnet_latency_ms.csv").head(rows)
    ofa = pd.read_csv(LATENCY / "ofa_mbv3_latency_ms.csv").head(rows)
    split = lambda s: [int(x) for x in s.split("-")]  # noqa: E731
    return {
        "nb201": list(nb.arch_str),
        "fbnet": list(fb.op_str_22) + list(fb.op_idx_22),
        "ofa_mbv3": [acc.ofa_arch(int(r.resolution), split(r.depth_5), split(r.ks_20), split(r.e_20))
                     for r in ofa.itertuples()],
    }


def cli(simfabric_bin, *args):
    return subprocess.run([str(simfabric_bin), *map(str, args)], capture_output=True, text=True)


# --- names and architecture strings -------------------------------------------------------

def test_every_network_builds_by_name():
    names = acc.network_names()
    assert set(names) >= {"resnet50", "mobilenet_v2", "mobilenet_v3", "ofa_mbv3", "nas_bench_201", "fbnet",
                          "transformer_block", "llm_decode"}
    for name in names:
        takes_arch = name in ("nas_bench_201", "fbnet", "ofa_mbv3")
        ops = acc.network(name, arch=example(name) if takes_arch else None)
        assert len(ops) > 2, name
    alias = acc.network("nb201", arch=example("nas_bench_201"))
    assert [op.name for op in alias] == [op.name for op in acc.nas_bench_201(example("nas_bench_201"))]


def test_table_encodings_build_the_published_networks():
    import pandas as pd
    row = pd.read_csv(LATENCY / "fbnet_latency_ms.csv").iloc[0]
    by_name = acc.network("fbnet", arch=row.op_str_22)
    by_index = acc.network("fbnet", arch=row.op_idx_22)
    assert [(op.name, op.ops) for op in by_name] == [(op.name, op.ops) for op in by_index]
    row = pd.read_csv(LATENCY / "ofa_mbv3_latency_ms.csv").iloc[0]
    split = lambda s: [int(x) for x in s.split("-")]  # noqa: E731
    arch = acc.ofa_arch(int(row.resolution), split(row.depth_5), split(row.ks_20), split(row.e_20))
    assert arch == f"r={row.resolution},d={row.depth_5},k={row.ks_20},e={row.e_20}"
    direct = acc.ofa_mbv3(int(row.resolution), split(row.depth_5), split(row.ks_20), split(row.e_20))
    assert [op.ops for op in acc.network("ofa_mbv3", arch=arch)] == [op.ops for op in direct]


@pytest.mark.parametrize("name,arch", [
    ("nb201", "|nor_conv_3x3~0|+|none~0|"),
    ("nb201", "|nor_conv_3x3~1|+|none~0|none~1|+|none~0|none~1|none~2|"),
    ("nas_bench_201", "|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
    ("fbnet", "k3_e3|k9_e1"),
    ("fbnet", "9-2-1-5-1-8-4-6-6-2-5-2-5-1-2-5-2-8-2-3-5-0"),
    ("ofa_mbv3", "r=160,d=4-3-2-4-4"),
    ("ofa_mbv3", "160:4-3-2-4-4:3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3:3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"),
])
def test_ill_formed_arch_says_what_was_expected(name, arch, simfabric_bin):
    expected = acc.arch_syntax(name)
    with pytest.raises(ValueError) as err:
        acc.network(name, arch=arch)
    assert "; expected " + expected in str(err.value)
    proc = cli(simfabric_bin, "bench", "network", "--model", name, "--arch", arch)
    assert proc.returncode == 2
    assert expected in proc.stderr


def test_missing_or_misdirected_options_are_errors(simfabric_bin):
    for name in ("nas_bench_201", "fbnet", "ofa_mbv3"):
        with pytest.raises(ValueError, match="needs an architecture string: expected"):
            acc.network(name)
        proc = cli(simfabric_bin, "bench", "network", "--model", name)
        assert proc.returncode == 2 and "--arch" in proc.stderr and acc.arch_syntax(name) in proc.stderr
    with pytest.raises(ValueError, match="takes no architecture"):
        acc.network("resnet50", arch=example("fbnet"))
    with pytest.raises(ValueError, match="takes no kv_len"):
        acc.run_network("h100", "transformer_block", kv_len=128)
    with pytest.raises(ValueError, match="options of a network given by name"):
        acc.run_network("h100", acc.network("resnet50"), arch="x")
    for args in (("--model", "resnet50", "--arch", "x"), ("--model", "llm_decode", "--seq", "5"),
                 ("--model", "resnet51")):
        proc = cli(simfabric_bin, "bench", "network", *args)
        assert proc.returncode == 2, args
        assert "takes no" in proc.stderr or "unknown network" in proc.stderr


def test_cli_arch_matches_python(simfabric_bin):
    for name in ("nb201", "fbnet", "ofa_mbv3"):
        proc = cli(simfabric_bin, "bench", "network", "--model", name, "--arch", example(name), "--device", "a100",
                   "--dtype", "fp16", "--batch", "2", "--repeat", "1", "--json")
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        ref = acc.run_network("a100", name, batch=2, dtype="fp16", arch=example(name))
        assert out["arch"] == example(name) and out["dtype"] == "fp16"
        assert out["simulated_s"] == ref["latency_s"]
        assert out["ops"] == ref["ops"] and out["weight_bytes"] == ref["weight_bytes"]


# --- batches ------------------------------------------------------------------------------

@pytest.mark.parametrize("threads", [1, 2])
def test_batch_equals_one_by_one_bit_for_bit(threads):
    a100 = acc.preset("a100")
    for space, archs in table_archs().items():
        batch = acc.run_networks(a100, space, archs, batch=2, activations_on_chip=0.25, threads=threads)
        assert batch["arch"] == archs and batch["device"] == a100.name
        for key in ("latency_s", "energy_pj", "ops", "weight_bytes", "kv_cache_bytes", "events", "operators"):
            assert isinstance(batch[key], np.ndarray) and batch[key].shape == (len(archs),), key
        for i, arch in enumerate(archs):
            one = acc.run_network(a100, space, batch=2, arch=arch, activations_on_chip=0.25)
            assert batch["latency_s"][i] == one["latency_s"], (space, arch)
            assert batch["energy_pj"][i] == one["energy_pj"], (space, arch)
            assert int(batch["ops"][i]) == one["ops"]
            assert int(batch["events"][i]) == one["events"]
            assert bool(batch["exact"][i]) == one["exact"]
            assert int(batch["operators"][i]) == len(one["operators"]["name"])
            assert int(batch["weight_bytes"][i]) == one["weight_bytes"]
            for tier, nbytes in one["tier_bytes"].items():
                assert int(batch["tier_bytes"][tier][i]) == nbytes
            for link, nbytes in one["link_bytes"].items():
                assert int(batch["link_bytes"][link][i]) == nbytes


def test_batch_is_the_same_at_any_thread_count():
    archs = table_archs(rows=12)["fbnet"]
    one = acc.run_networks("h100", "fbnet", archs, threads=1)
    two = acc.run_networks("h100", "fbnet", archs, threads=2)
    every = acc.run_networks("h100", "fbnet", archs)
    for key in ("latency_s", "energy_pj", "ops", "events"):
        assert np.array_equal(one[key], two[key]) and np.array_equal(one[key], every[key]), key


def test_batch_names_bad_architectures_by_index():
    good = example("fbnet")
    with pytest.raises(ValueError) as err:
        acc.run_networks("h100", "fbnet", [good, "k3_e3", good, "skip|skip"])
    text = str(err.value)
    assert 'networks[1] (fbnet): fbnet arch "k3_e3"' in text and "networks[3]" in text
    assert "networks[0]" not in text and "networks[2]" not in text
    with pytest.raises(TypeError, match="sequence of architecture strings"):
        acc.run_networks("h100", "fbnet", good)
    with pytest.raises(ValueError, match="takes no architecture"):
        acc.run_networks("h100", "resnet50", [good])


def test_cli_arch_file_matches_python(simfabric_bin, tmp_path):
    archs = table_archs(rows=3)["nb201"]
    path = tmp_path / "archs.txt"
    path.write_text("# NAS-Bench-201 cells\n\n" + "\n".join(archs) + "\n")
    proc = cli(simfabric_bin, "bench", "network", "--model", "nb201", "--arch-file", path, "--device", "eyeriss",
               "--threads", "2", "--repeat", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    ref = acc.run_networks("eyeriss", "nb201", archs)
    assert out["archs"] == len(archs)
    assert out["simulated_s"] == list(ref["latency_s"])
    assert out["ops"] == [int(x) for x in ref["ops"]]
    path.write_text(archs[0] + "\n|bogus~0|\n")
    proc = cli(simfabric_bin, "bench", "network", "--model", "nb201", "--arch-file", path)
    assert proc.returncode == 2 and "networks[1]" in proc.stderr and "bogus" in proc.stderr


# --- KV cache -----------------------------------------------------------------------------

@pytest.mark.parametrize("batch,kv_len,layers,dtype", [(1, 4096, 1, "bf16"), (8, 1000, 4, "fp32"), (3, 77, 2, "fp8")])
def test_llm_decode_kv_cache_closed_form(batch, kv_len, layers, dtype, simfabric_bin):
    d, d_ff, e = 4096, 11008, ELEMENT_BYTES[dtype]
    kv_cache = 2 * layers * batch * kv_len * d * e
    weights = layers * (4 * d * d + 2 * d * d_ff + 2 * 2 * d) * e  # projections, FFN, two layer norms
    r = acc.run_network("h100", "llm_decode", batch=batch, dtype=dtype, kv_len=kv_len, layers=layers)
    assert r["kv_cache_bytes"] == kv_cache and r["weight_bytes"] == weights
    assert acc.footprint(acc.llm_decode_step(batch, kv_len, layers=layers, dtype=dtype)) == {
        "weight_bytes": weights, "kv_cache_bytes": kv_cache}
    proc = cli(simfabric_bin, "bench", "network", "--model", "llm_decode", "--batch", batch, "--kv-len", kv_len,
               "--layers", layers, "--dtype", dtype, "--repeat", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["kv_cache_bytes"] == kv_cache and out["weight_bytes"] == weights


def test_scenario_summary_reports_kv_cache(simfabric_bin, tmp_path):
    scenario = tmp_path / "decode.toml"
    scenario.write_text('kind = "accelerator"\n[device]\npreset = "h100"\n[workload]\nnetwork = "llm_decode"\n'
                        'batch = 4\ndtype = "fp16"\n[workload.transformer]\nd_model = 1024\nheads = 8\n'
                        'd_ff = 4096\nlayers = 3\nkv_len = 2048\n')
    proc = cli(simfabric_bin, "run", scenario, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["kv_cache_bytes"] == 2 * 3 * 4 * 2048 * 1024 * 2
    assert out["weight_bytes"] == 3 * (4 * 1024 * 1024 + 2 * 1024 * 4096 + 4 * 1024) * 2


def test_scenario_arch_key_and_alias(simfabric_bin, tmp_path):
    def run(workload):
        path = tmp_path / "s.toml"
        path.write_text('kind = "accelerator"\n[device]\npreset = "a100"\n[workload]\n' + workload)
        return cli(simfabric_bin, "run", path, "--json")

    nb = example("nas_bench_201")
    a = run(f'network = "nb201"\narch = "{nb}"\n')
    b = run(f'network = "nas_bench_201"\narch = "{nb}"\n')
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout)["simulated_s"] == json.loads(b.stdout)["simulated_s"]
    ofa = acc.ofa_arch(160, [4, 3, 2, 4, 4], [3, 5, 7, 5] * 5, [4, 6, 3, 6] * 5)
    by_arch = run(f'network = "ofa_mbv3"\narch = "{ofa}"\n')
    by_table = run('network = "ofa_mbv3"\n[workload.ofa]\nresolution = 160\ndepths = [4, 3, 2, 4, 4]\n'
                   f'kernels = {[3, 5, 7, 5] * 5}\nexpansions = {[4, 6, 3, 6] * 5}\n')
    assert by_arch.returncode == 0 and by_table.returncode == 0, by_arch.stderr + by_table.stderr
    assert json.loads(by_arch.stdout)["simulated_s"] == json.loads(by_table.stdout)["simulated_s"]
    bad = run('network = "fbnet"\narch = "k3_e3"\n')
    assert bad.returncode == 2 and "s.toml" in bad.stderr and "workload.arch" in bad.stderr
    assert acc.arch_syntax("fbnet") in bad.stderr
    missing = run('network = "fbnet"\n')
    assert missing.returncode == 2 and "workload.arch" in missing.stderr and "needs arch" in missing.stderr
    extra = run('network = "resnet50"\narch = "x"\n')
    assert extra.returncode == 2 and "takes no arch" in extra.stderr


# --- unknown devices ----------------------------------------------------------------------

def test_unknown_device_says_so(simfabric_bin, tmp_path):
    message = f"no preset or device file 'h200'; presets: {PRESETS}"
    proc = cli(simfabric_bin, "bench", "network", "--device", "h200")
    assert proc.returncode == 2 and message in proc.stderr
    proc = cli(simfabric_bin, "bench", "operators", "--count", "1", "--device", "h200")
    assert proc.returncode == 2 and message in proc.stderr
    with pytest.raises(ValueError, match=re.escape(message)):
        acc.device("h200")
    with pytest.raises(ValueError, match=re.escape(message)):
        acc.run_network("h200", "resnet50")
    with pytest.raises(ValueError, match=re.escape(message)):
        acc.run_networks("h200", "fbnet", [example("fbnet")])
    with pytest.raises(ValueError, match=re.escape(f"no preset 'h200'; presets: {PRESETS}")):
        acc.preset("h200")
    with pytest.raises(ValueError, match=re.escape(f"no device file 'h200'; presets: {PRESETS}")):
        acc.load_device("h200")

    scenario = tmp_path / "s.toml"
    scenario.write_text('kind = "accelerator"\n[device]\npreset = "h200"\n[workload]\nnetwork = "resnet50"\n')
    proc = cli(simfabric_bin, "run", scenario)
    assert proc.returncode == 2
    assert f"s.toml:3: device.preset: no preset 'h200'; presets: {PRESETS}" in proc.stderr
    scenario.write_text('kind = "accelerator"\n[device]\nfile = "h100"\n[workload]\nnetwork = "resnet50"\n')
    proc = cli(simfabric_bin, "run", scenario)
    assert proc.returncode == 2 and "device.file: no device file" in proc.stderr
    assert 'device.preset = "h100"' in proc.stderr and "cannot open" not in proc.stderr
