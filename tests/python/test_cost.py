"""The cost-model commands and simfabric.cost: calibrate, estimate, model files, batch
prices, and their errors. Figures are on the fixed split of data/latency/README.md
(train on the first rows of 0..799, report on 800..999)."""

import csv
import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from simfabric import cost

NB201_ARCH = "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|"


@pytest.fixture(scope="module")
def data(repo_root):
    return repo_root / "data" / "latency"


def run(simfabric_bin, *args):
    return subprocess.run([str(simfabric_bin), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def pixel3_model(simfabric_bin, data, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "pixel3.json"
    proc = run(simfabric_bin, "calibrate", "--measured", data / "nb201_latency_ms.csv", "--column", "pixel3",
               "--train", 20, "--test-from", 800, "-o", path, "--json")
    assert proc.returncode == 0, proc.stderr
    return path, json.loads(proc.stdout)


def test_calibrate_reports_held_out_rows(pixel3_model):
    path, out = pixel3_model
    assert out["train"] == 20 and out["test"] == 200
    assert out["report"]["rows"] == 200
    assert out["report"]["spearman"] >= 0.90  # pixel3 with 20 rows; 0.95 observed
    doc = json.loads(path.read_text())
    assert doc["format"] == "simfabric-cost-model" and doc["version"] == 1 and doc["type"] == "space"
    assert doc["provenance"]["column"] == "pixel3" and doc["provenance"]["train"] == 20
    assert len(doc["model"]["weights_ms"]) == cost.feature_count("nb201")


def test_estimate_csv_adds_predictions_matching_the_report(simfabric_bin, data, pixel3_model, tmp_path):
    path, out = pixel3_model
    result = tmp_path / "priced.csv"
    proc = run(simfabric_bin, "estimate", "--model", path, "--input", data / "nb201_latency_ms.csv", "-o", result,
               "--stats")
    assert proc.returncode == 0, proc.stderr
    priced = pd.read_csv(result)
    original = pd.read_csv(data / "nb201_latency_ms.csv")
    assert list(priced.columns[:len(original.columns)]) == list(original.columns)
    assert (priced["arch_str"] == original["arch_str"]).all()
    held_out = priced.iloc[800:]
    rho = held_out["predicted_ms"].rank().corr(held_out["pixel3"].rank())
    assert rho == pytest.approx(out["report"]["spearman"], abs=2e-3)  # 6 significant digits in the CSV
    assert (priced["macs"] > 0).all() and (priced["params"] > 0).all()


def test_estimate_one_arch_equals_python_and_csv(simfabric_bin, pixel3_model):
    path, _ = pixel3_model
    proc = run(simfabric_bin, "estimate", "--model", path, "--arch", NB201_ARCH, "--json")
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)["predicted_ms"]
    model = cost.load(path)
    assert model.predict_ms(NB201_ARCH)[0] == pytest.approx(cli, rel=1e-12)
    assert model.predict_ms(cost.encode("nb201", [NB201_ARCH]))[0] == pytest.approx(cli, rel=1e-12)


def test_python_calibrate_equals_cli(pixel3_model, data):
    path, _ = pixel3_model
    model = cost.calibrate(data / "nb201_latency_ms.csv", column="pixel3", train=20, test_from=800)
    archs = cost.random_archs("nb201", 500, seed=4)
    assert np.array_equal(model.predict_ms(archs), cost.load(path).predict_ms(archs))
    assert model.report["spearman"] == pytest.approx(cost.load(path).report["spearman"], rel=1e-12)


def test_batch_prices_are_the_single_prices(pixel3_model):
    model = cost.load(pixel3_model[0])
    archs = cost.random_archs("nb201", 2000, seed=9)
    batch = model.predict_ms(cost.encode("nb201", archs))
    single = np.array([model.predict_ms(a)[0] for a in archs[:50]])
    assert batch.dtype == np.float64 and batch.shape == (2000,)
    assert np.array_equal(batch[:50], single)
    assert (batch > 0).all()


def test_few_shot_priors_beat_no_prior(data):
    """Ten measured architectures: the other devices of the table as priors carry the
    ranking; a feature table fitted on ten rows alone cannot."""
    table = data / "nb201_latency_ms.csv"
    with_priors = cost.calibrate(table, column="titan_rtx_1", train=10, test_from=800)
    alone = cost.calibrate(table, column="titan_rtx_1", train=10, test_from=800, other_columns=[])
    assert with_priors.report["spearman"] >= 0.95
    assert with_priors.report["spearman"] > alone.report["spearman"]


def test_simulator_prior_helps_a_device_measured_on_ten_architectures(data):
    """No other column: the simulator's lookup table of a GPU model is the only prior."""
    table = data / "nb201_latency_ms.csv"
    alone = cost.calibrate(table, column="titan_rtx_256", train=10, test_from=800, other_columns=[])
    simulated = cost.calibrate(table, column="titan_rtx_256", train=10, test_from=800, other_columns=[],
                               prior_device="a100", prior_archs=300)
    assert simulated.method["simulated_prior"]["architectures"] == 300
    assert simulated.report["spearman"] > alone.report["spearman"]
    assert simulated.report["spearman"] >= 0.9


@pytest.mark.parametrize("damage", ["truncate", "not_json", "wrong_format", "wrong_version", "bad_weights",
                                    "wrong_length", "not_a_file"])
def test_damaged_model_files_exit_2(simfabric_bin, pixel3_model, tmp_path, damage):
    text = pixel3_model[0].read_text()
    doc = json.loads(text)
    bad = tmp_path / "bad.json"
    if damage == "truncate":
        bad.write_text(text[: len(text) // 2])
    elif damage == "not_json":
        bad.write_bytes(b"\x00\xff garbage")
    elif damage == "wrong_format":
        doc["format"] = "something-else"
        bad.write_text(json.dumps(doc))
    elif damage == "wrong_version":
        doc["version"] = 99
        bad.write_text(json.dumps(doc))
    elif damage == "bad_weights":
        doc["model"]["weights_ms"][3] = "fast"
        bad.write_text(json.dumps(doc))
    elif damage == "wrong_length":
        doc["model"]["weights_ms"] = doc["model"]["weights_ms"][:10]
        bad.write_text(json.dumps(doc))
    else:
        bad = tmp_path
    proc = run(simfabric_bin, "estimate", "--model", bad, "--arch", NB201_ARCH)
    assert proc.returncode == 2, proc.stderr
    assert str(bad) in proc.stderr
    with pytest.raises(ValueError):
        cost.load(bad)


def test_bad_inputs_name_what_was_expected(simfabric_bin, data, pixel3_model, tmp_path):
    model = pixel3_model[0]
    proc = run(simfabric_bin, "calibrate", "--measured", data / "nb201_latency_ms.csv", "--column", "h200")
    assert proc.returncode == 2 and "no device column \"h200\"" in proc.stderr
    proc = run(simfabric_bin, "estimate", "--model", model, "--arch", "|conv~0|")
    assert proc.returncode == 2 and "expected 3 nodes" in proc.stderr
    broken = tmp_path / "archs.csv"
    broken.write_text("arch_str\n" + NB201_ARCH + "\n|nor_conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|\n")
    out = tmp_path / "out.csv"
    proc = run(simfabric_bin, "estimate", "--model", model, "--input", broken, "-o", out)
    assert proc.returncode == 2
    assert f"{broken}:3" in proc.stderr and "unknown op" in proc.stderr
    assert not out.exists()  # nothing half-written
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("arch_str,pixel3\n" + NB201_ARCH + ",1.0\n" + NB201_ARCH + "\n")
    proc = run(simfabric_bin, "calibrate", "--measured", ragged, "--column", "pixel3", "--train", 3)
    assert proc.returncode == 2 and f"{ragged}:3" in proc.stderr
    proc = run(simfabric_bin, "estimate", "--model", model, "--space", "fbnet", "--arch", NB201_ARCH)
    assert proc.returncode == 2 and "prices the nb201 space" in proc.stderr
    proc = run(simfabric_bin, "calibrate", "--measured", "/dev/zero", "--column", "x")
    assert proc.returncode == 2 and "not a regular file" in proc.stderr


def test_estimate_reads_a_generic_arch_column(simfabric_bin, pixel3_model, tmp_path):
    archs = cost.random_archs("nb201", 20, seed=2)
    source = tmp_path / "mine.csv"
    with source.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "arch"])
        for i, a in enumerate(archs):
            w.writerow([f"net{i}", a])
    out = tmp_path / "priced.csv"
    proc = run(simfabric_bin, "estimate", "--model", pixel3_model[0], "--input", source, "-o", out, "--space", "nb201")
    assert proc.returncode == 0, proc.stderr
    priced = pd.read_csv(out)
    assert np.allclose(priced["predicted_ms"], cost.load(pixel3_model[0]).predict_ms(archs), rtol=1e-5)


def test_bench_estimate_reports_a_rate(simfabric_bin):
    proc = run(simfabric_bin, "bench", "estimate", "--space", "fbnet", "--count", 20000, "--repeat", 1, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["count"] == 20000 and out["estimates_per_second"] > 0 and out["threads"] == 1


def test_report_figures():
    r = cost.report([1.0, 2.2, 2.9, 4.5], [1.0, 2.0, 3.0, 4.0])
    assert r["rows"] == 4 and r["spearman"] == pytest.approx(1.0)
    assert r["within_10pct"] == pytest.approx(0.75)  # 0%, 10%, 3.3%, 12.5%
    with pytest.raises(ValueError):
        cost.report([1.0], [1.0, 2.0])


def test_network_stats_and_encoding():
    codes = cost.encode("ofa-mbv3", ["r=160,d=2-2-2-2-2,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,"
                                     "e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"])
    assert codes.shape == (1, 23) and codes[0, 22] == 160 and codes[0, 2] == 9  # block 3 of stage 1 unused
    small = cost.network_stats("nb201", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    big = cost.network_stats("nb201", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    # 6 edges x 5 cells of 3x3 convs (C -> C) per stage, C = 16, 32, 64.
    assert big["params"] - small["params"] == 6 * 5 * 9 * (16 * 16 + 32 * 32 + 64 * 64)
    with pytest.raises(ValueError):
        cost.encode("nb201", ["|none~0|"])


@pytest.fixture(scope="module")
def operator_model(simfabric_bin, repo_root, tmp_path_factory):
    path = tmp_path_factory.mktemp("fit") / "a100.json"
    proc = run(simfabric_bin, "fit", "--device", "a100", "--plan", repo_root / "scenarios" / "plans" / "networks.toml",
               "-o", path, "--json", "--quiet")
    assert proc.returncode == 0, proc.stderr
    return path, json.loads(proc.stdout)


def test_fit_reproduces_held_out_simulations(operator_model):
    path, out = operator_model
    assert out["held_out_rows"] > 0 and out["report"]["rows"] == out["held_out_rows"]
    assert out["report"]["mape"] <= 0.05  # the bar: held-out simulations within 5% MAPE
    for name, c in out["classes"].items():
        assert c["report"]["mape"] <= 0.05, name
    doc = json.loads(path.read_text())
    assert doc["type"] == "operator" and doc["provenance"]["command"] == "fit"
    assert len(doc["provenance"]["plan_sha256"]) == 64


def test_python_fit_equals_cli_fit(operator_model, repo_root):
    path, out = operator_model
    model = cost.fit("a100", repo_root / "scenarios" / "plans" / "networks.toml")
    assert model.type == "operator"
    assert model.report == cost.load(path).report
    assert set(model.classes) == set(out["classes"])


def test_operator_model_prices_whole_networks_like_the_simulator(operator_model):
    from simfabric import accelerator as acc
    model = cost.load(operator_model[0])
    archs = cost.random_archs("fbnet", 5, seed=3)
    predicted = model.predict_network_ms("fbnet", archs, batch=1, dtype="bf16")
    a100 = acc.preset("a100")
    simulated = np.array([acc.run_network(a100, "fbnet", arch=a, batch=1)["latency_s"] * 1e3 for a in archs])
    assert np.allclose(predicted, simulated, rtol=0.10)  # networks: within 10% of the simulation
    with pytest.raises(ValueError):
        model.predict_ms(archs)  # an operator model has no space table


def test_estimate_with_an_operator_model(simfabric_bin, operator_model):
    proc = run(simfabric_bin, "estimate", "--model", operator_model[0], "--space", "nb201", "--arch", NB201_ARCH,
               "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["predicted_ms"] > 0
    proc = run(simfabric_bin, "estimate", "--model", operator_model[0], "--arch", NB201_ARCH)
    assert proc.returncode == 2 and "--space" in proc.stderr


def test_fit_bad_plan_exits_2_and_writes_nothing(simfabric_bin, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text('[plan]\ndesign = "sobol"\nsamples = 10\n[operators.gemm]\n')
    out = tmp_path / "m.json"
    proc = run(simfabric_bin, "fit", "--device", "a100", "--plan", plan, "-o", out)
    assert proc.returncode == 2 and str(plan) in proc.stderr and "design" in proc.stderr
    assert not out.exists()
    proc = run(simfabric_bin, "fit", "--device", "h200", "--plan", plan, "-o", out)
    assert proc.returncode == 2 and "no preset or device file 'h200'" in proc.stderr
