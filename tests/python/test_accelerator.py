"""The accelerator model from Python and through the CLI."""

import json
import pathlib
import subprocess

import numpy as np
import pytest

from simfabric import accelerator as acc

DEVICES = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "devices"
SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "accelerator"
LATENCY = pathlib.Path(__file__).resolve().parents[2] / "data" / "latency"


@pytest.mark.parametrize("name,file", [("h100", "h100.toml"), ("a100", "a100.toml"), ("sn40l", "sn40l.toml"),
                                       ("eyeriss", "eyeriss.toml"), ("systolic", "systolic_128.toml")])
def test_device_files_match_presets(name, file):
    from_file = acc.load_device(DEVICES / file)
    built_in = acc.preset(name)
    assert from_file.name == built_in.name
    assert from_file.home_tier == built_in.home_tier
    assert list(from_file.tiers) == list(built_in.tiers)
    for tier, figures in built_in.tiers.items():
        for key, value in figures.items():
            assert from_file.tiers[tier][key] == pytest.approx(value, rel=1e-9), (tier, key)
    assert from_file.links == built_in.links
    for dtype in ("fp32", "bf16", "fp8", "int8"):
        assert from_file.peak_ops_per_s(dtype) == pytest.approx(built_in.peak_ops_per_s(dtype), rel=1e-9)


def test_large_gemm_reaches_seventy_percent_of_h100_peak():
    h100 = acc.preset("h100")
    op = acc.gemm(8192, 8192, 8192)
    r = acc.execute(h100, op)
    peak = h100.peak_ops_per_s("bf16")
    assert r["ops"] == op.ops == 2 * 8192**3
    assert peak >= r["ops"] / r["latency_s"] >= 0.7 * peak


def test_roofline_holds_for_random_operators():
    for name in acc.preset_names():
        d = acc.preset(name)
        for op in acc.random_operators(150, seed=21):
            r = acc.execute(d, op)
            bound = r["compute_bound_s"]
            for tier, nbytes in r["tier_bytes"].items():
                bound = max(bound, nbytes / (d.tiers[tier]["bandwidth_gb_per_s"] * 1e9))
            for link, nbytes in r["link_bytes"].items():
                bound = max(bound, nbytes / (d.links[link]["bandwidth_gb_per_s"] * 1e9))
            assert r["latency_s"] >= bound * (1 - 1e-12), (name, op.name)


def test_network_totals_are_sums_of_operators():
    net = acc.run_network("h100", "resnet50", batch=8)
    per_op = net["operators"]
    assert isinstance(per_op["latency_s"], np.ndarray)
    assert len(per_op["name"]) == len(per_op["latency_s"]) > 50
    assert net["latency_s"] == pytest.approx(per_op["latency_s"].sum(), rel=1e-12)
    assert net["energy_pj"] == pytest.approx(per_op["energy_pj"].sum(), rel=1e-12)
    assert net["tier_bytes"]["hbm"] == pytest.approx(per_op["tier_bytes"]["hbm"].sum(), rel=1e-12)
    assert set(per_op["bottleneck"]) <= {"compute", "l2", "hbm", "host", "noc", "pcie"}


def test_zero_copy_gather_runs_at_the_pcie_rate():
    h100 = acc.preset("h100")
    rows = 500_000
    aligned = acc.execute(h100, acc.gather(rows, 128, 10**8, 0, table_tier="host"))
    misaligned = acc.execute(h100, acc.gather(rows, 128, 10**8, 64, table_tier="host"))
    pcie = h100.links["pcie"]
    wire = rows * (pcie["request_bytes"] + pcie["request_overhead_bytes"])
    assert aligned["link_bytes"]["pcie"] == wire
    assert aligned["bottleneck"] == "pcie"
    assert wire / 63e9 <= aligned["latency_s"] <= wire / 63e9 * 1.01 + 10e-6
    assert misaligned["latency_s"] / aligned["latency_s"] == pytest.approx(2.0, rel=0.01)


def test_systolic_closed_form():
    r, c, t = 16, 8, 50
    out = acc.systolic(r, c, "ws", sr=t, t=r, sc=c)
    assert out["cycles"] == 2 * r + c + t - 2
    assert out["utilisation"] == pytest.approx(r * c * t / (r * c * (2 * r + c + t - 2)))


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="no preset 'tpu9'; presets: a100"):
        acc.preset("tpu9")
    with pytest.raises(ValueError, match="no tier \"ssd\""):
        acc.execute(acc.preset("h100"), acc.gemm(8, 8, 8, weight_tier="ssd"))
    with pytest.raises(ValueError, match="m must be > 0"):
        acc.gemm(0, 8, 8)


def test_cli_bench_network_and_operators(simfabric_bin):
    out = subprocess.run([simfabric_bin, "bench", "network", "--model", "resnet50", "--device", "h100", "--batch",
                          "1", "--json"], check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    for key in ("wall_s", "simulated_s", "peak_rss_bytes"):
        assert key in result
    assert result["simulated_s"] == pytest.approx(acc.run_network("h100", "resnet50")["latency_s"], rel=1e-12)
    out = subprocess.run([simfabric_bin, "bench", "operators", "--count", "300", "--device",
                          str(DEVICES / "eyeriss.toml"), "--json"], check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    assert result["count"] == 300 and result["simulated_s"] > 0 and result["peak_rss_bytes"] > 0


@pytest.mark.parametrize("scenario", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_example_scenarios_run(simfabric_bin, scenario, tmp_path):
    out = tmp_path / "result.h5"
    subprocess.run([simfabric_bin, "run", str(scenario), "-o", str(out)], check=True, capture_output=True)
    assert out.exists()


def test_bad_device_file_names_file_and_key(simfabric_bin, tmp_path):
    text = (DEVICES / "h100.toml").read_text().replace("bandwidth_gb_per_s = 3_350\nlatency_ns", "bandwidth_gb_per_s = -1\nlatency_ns")
    (tmp_path / "dev.toml").write_text(text)
    (tmp_path / "s.toml").write_text('kind = "accelerator"\n[device]\nfile = "dev.toml"\n[workload]\nnetwork = "resnet50"\n')
    proc = subprocess.run([simfabric_bin, "run", str(tmp_path / "s.toml")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "dev.toml" in proc.stderr and "tiers.hbm.bandwidth_gb_per_s" in proc.stderr


def _spearman(a, b):
    import pandas as pd
    return pd.Series(list(a)).rank().corr(pd.Series(list(b)).rank())


def test_nas_bench_201_ranking_against_measured_latency():
    """Simulated latency ranks NAS-Bench-201 networks like the published measurements.

    Evaluated on the last 200 rows of the public sample (nothing is fitted). Observed:
    A100 preset with activation residency vs TITAN RTX at batch 256, rho ~0.95 (~0.83 at
    peak compute: wave and tile quantisation weigh the small-channel convolutions); the
    Eyeriss-like preset vs HW-NAS-Bench's FPGA model, rho ~0.97 (FLOPs alone: ~0.98 and
    ~0.96; HELP reports FLOPs alone at 0.79 across its devices)."""
    import pandas as pd
    rows = pd.read_csv(LATENCY / "nb201_latency_ms.csv").tail(200)
    a100, eyeriss = acc.preset("a100"), acc.preset("eyeriss")
    gpu = [acc.run_network(a100, acc.nas_bench_201(a, 256), activations_on_chip=0.25)["latency_s"]
           for a in rows.arch_str]
    edge = [acc.run_network(eyeriss, acc.nas_bench_201(a, 1), activations_on_chip=0.25)["latency_s"]
            for a in rows.arch_str]
    assert _spearman(gpu, rows.titan_rtx_256) >= 0.75
    assert _spearman(edge, rows.fpga) >= 0.93


def test_sweep_is_identical_at_any_thread_count(simfabric_bin):
    results = []
    for threads in ("1", "2"):
        out = subprocess.run([simfabric_bin, "bench", "operators", "--count", "400", "--device", "systolic",
                              "--threads", threads, "--seed", "9", "--json"],
                             check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out))
    assert results[0]["simulated_s"] == results[1]["simulated_s"]
    assert results[0]["events"] == results[1]["events"]


def test_ofa_mobilenet_v3_batch_one_ranking_beats_flops():
    """At batch 1 per-operator overheads dominate GPU latency, which FLOPs miss and the
    simulation keeps: on the last 200 rows of the OFA sample, V100 batch 1, observed rho
    ~0.92 for the simulated A100 against ~0.32 for FLOPs."""
    import pandas as pd
    rows = pd.read_csv(LATENCY / "ofa_mbv3_latency_ms.csv").tail(200)
    a100 = acc.preset("a100")
    simulated, flops = [], []
    for _, r in rows.iterrows():
        split = lambda s: [int(x) for x in s.split("-")]  # noqa: E731
        net = acc.ofa_mbv3(int(r.resolution), split(r.depth_5), split(r.ks_20), split(r.e_20), 1)
        simulated.append(acc.run_network(a100, net, activations_on_chip=0.25)["latency_s"])
        flops.append(sum(op.ops for op in net))
    rho_sim = _spearman(simulated, rows.v100_1)
    assert rho_sim >= 0.85
    assert rho_sim > _spearman(flops, rows.v100_1) + 0.3


def test_fbnet_batch_one_ranking_against_measured_gpu():
    """FBNet space, last 200 rows, RTX 2080 Ti at batch 1: observed rho ~0.82 for the
    simulated A100 preset (kernels back to back, no host: it ranks by launches and work)
    against ~0.16 for FLOPs; the RTX 2080 Ti's own device file, host included, ~0.91."""
    import pandas as pd
    rows = pd.read_csv(LATENCY / "fbnet_latency_ms.csv").tail(200)
    a100 = acc.preset("a100")
    simulated = [acc.run_network(a100, acc.fbnet(s, 1), activations_on_chip=0.25)["latency_s"] for s in rows.op_str_22]
    assert _spearman(simulated, rows["2080ti_1"]) >= 0.8


# ---- Device files of the public tables and how their simulations rank --------------
# bench/accelerator_ranking.py evaluates every column on all 200 held-out rows, as the
# ranking test below does for NAS-Bench-201 and FBNet (about a second per column).

def _ranking():
    import importlib.util
    path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "accelerator_ranking.py"
    spec = importlib.util.spec_from_file_location("accelerator_ranking", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_table_column_maps_to_a_device_file():
    ranking = _ranking()
    mapping = ranking.column_map()
    for table in ranking.TABLES:
        frame = ranking.read_table(table)
        for column in ranking.latency_columns(table, frame):
            file, dtype, batch = ranking.device_of(column, mapping)
            device = acc.load_device(DEVICES / file)
            assert device.peak_ops_per_s(dtype) > 0, (column, file)
            suffix = column.rpartition("_")[2]
            assert batch == (int(suffix) if suffix in ("32", "64", "256") else 1), column


# The bar: on every device column of NAS-Bench-201 and FBNet, all 200 held-out rows, the
# simulation (one device file per column, nothing fitted; a per-device scale cannot change
# a rank) ranks the measured latency better than the MAC count. Columns it still misses
# are listed with their figures (bench/README.md); strict, so a fix shows up as a pass.
KNOWN_MISSES = {
    ("fbnet", "essential_ph_1"): "rho 0.771 vs 0.773 on a whole-millisecond column (first 800 rows: 0.698 vs 0.659)",
}


def _bar_columns():
    ranking = _ranking()
    params = []
    for table in ("nb201", "fbnet"):
        for column in ranking.latency_columns(table, ranking.read_table(table)):
            miss = KNOWN_MISSES.get((table, column))
            marks = [pytest.mark.xfail(strict=True, reason=miss)] if miss else []
            params.append(pytest.param(table, column, marks=marks, id=f"{table}-{column}"))
    return params


@pytest.mark.parametrize("table,column", _bar_columns())
def test_simulation_ranks_measured_latency_better_than_macs(table, column):
    """Spearman of the simulation against the measured column beats the MAC count's
    (every column's figures: bench/README.md, bench/accelerator_ranking.py)."""
    r = _ranking().evaluate(table, column, rows="test")
    assert r["rows"] == 200
    assert r["spearman_sim"] > r["spearman_macs"], r


def test_gpu_batch_one_is_runtime_bound_like_the_measurements(tmp_path):
    """At batch 1 a PyTorch-eager GPU waits on its host. With its runtime the RTX 2080 Ti
    device file lands NAS-Bench-201 networks near their measured latency with no scale
    (median within 1.5x; the degenerate cells whose 'none' edges the builder leaves out
    are up to ~2.5x short); the same device without its [runtime] table, kernels issued back
    to back with only their launch cost, is 7-9x short."""
    import numpy as np
    import pandas as pd
    rows = pd.read_csv(LATENCY / "nb201_latency_ms.csv").tail(200).iloc[::10]
    text = (DEVICES / "rtx_2080_ti.toml").read_text()
    bare = tmp_path / "bare.toml"
    bare.write_text(text[:text.index("[runtime]")] + text[text.index("[tiers.l2]"):])
    with_runtime, without = acc.load_device(DEVICES / "rtx_2080_ti.toml"), acc.load_device(bare)
    ratio, bare_ratio = [], []
    for arch, measured_ms in zip(rows.arch_str, rows["2080ti_1"]):
        net = acc.nas_bench_201(arch, 1, "fp32")
        ratio.append(measured_ms / (acc.run_network(with_runtime, net)["latency_s"] * 1e3))
        bare_ratio.append(measured_ms / (acc.run_network(without, net)["latency_s"] * 1e3))
    assert 1 / 1.5 <= np.median(ratio) <= 1.5
    assert 1 / 3 <= min(ratio) and max(ratio) <= 3
    assert min(bare_ratio) > 5


def test_bad_kernel_or_runtime_key_names_file_and_key(tmp_path):
    text = (DEVICES / "rtx_2080_ti.toml").read_text()
    bad = tmp_path / "gpu.toml"
    bad.write_text(text.replace("matrix_efficiency = 0.3", "matrix_efficiency = 1.3"))
    with pytest.raises(RuntimeError, match=r"gpu\.toml.*kernel\.matrix_efficiency"):
        acc.load_device(bad)
    bad.write_text(text.replace("async_launch = true", "async_launch = 1"))
    with pytest.raises(RuntimeError, match=r"gpu\.toml.*runtime\.async_launch"):
        acc.load_device(bad)
    bad.write_text(text.replace("[runtime]", "[runtime]\nlaunch_ns = 5"))
    with pytest.raises(RuntimeError, match=r"gpu\.toml.*runtime\.launch_ns"):
        acc.load_device(bad)
