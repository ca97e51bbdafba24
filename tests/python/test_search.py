"""simfabric search and simfabric.search: spaces, searches with pluggable objectives,
expected latency and its gradient, results files read by simfabric.analysis, and the
errors for bad input."""

import json
import subprocess

import numpy as np
import pytest

from simfabric import analysis, cost, search


def run(simfabric_bin, *args):
    return subprocess.run([str(simfabric_bin), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def data(repo_root):
    return repo_root / "data" / "latency"


@pytest.fixture(scope="module")
def nb201_model(simfabric_bin, data, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "titan.json"
    proc = run(simfabric_bin, "calibrate", "--measured", data / "nb201_latency_ms.csv", "--column", "titan_rtx_1",
               "--train", 100, "--other-columns", "titan_rtx_32", "-o", path, "--json")
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.fixture(scope="module")
def a100_model(simfabric_bin, repo_root, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "a100.json"
    proc = run(simfabric_bin, "fit", "--device", "a100", "--plan", repo_root / "scenarios/plans/networks.toml", "-o", path,
               "--quiet")
    assert proc.returncode == 0, proc.stderr
    return path


def test_spaces_enumerate_sample_encode_and_decode():
    nb201 = search.Space("nb201")
    every = nb201.enumerate()
    assert every.shape == (15625, 6) and every.dtype == np.uint8
    archs = nb201.decode(every)
    assert len(set(archs)) == 15625
    assert (nb201.encode(archs[::101]) == every[::101]).all()
    ofa = search.Space("ofa-mbv3")
    sample = ofa.sample(50, seed=3)
    assert sample.shape == (50, 46)
    assert (ofa.sample(50, seed=3) == sample).all()
    assert (ofa.encode(ofa.decode(sample)) == sample).all()
    llm = search.Space("llm", precision=["int8", "bf16"], layers=[2, 4], d_model=[256], heads=[4], d_ff=[1024], seq=[64],
                       kv_len=[128])
    g = llm.encode(["layers=2,heads=4,d_model=256,d_ff=1024,seq=64,kv_len=128"], ["int8-bf16"])
    ops = llm.operators(llm.decode(g)[0], llm.decode_precision(g)[0])
    assert {op["dtype"] for op in ops if ".layer0." in op["name"]} == {"int8"}
    assert {op["dtype"] for op in ops if ".layer1." in op["name"]} == {"bf16"}
    with pytest.raises(ValueError, match="heads 3 does not divide d_model 256"):
        search.Space("llm", heads=[3], d_model=[256])
    with pytest.raises(ValueError, match="llm space only"):
        search.Space("nb201", layers=[2])


def test_nsga2_beats_random_search_on_nb201_and_reproduces(nb201_model):
    space = search.Space("nb201")
    everything = search.evaluate(space, nb201_model, space.enumerate())
    points = np.column_stack([everything["latency_ms"], -everything["proxy"]])
    reference = points[search.pareto_front(points)]
    found, baseline = [], []
    for seed in (1, 2, 3):
        a = search.search(space, nb201_model, evaluations=1000, seed=seed)
        b = search.search(space, nb201_model, evaluations=1000, seed=seed, algorithm="random")
        front = lambda r: np.column_stack([r.front["latency_ms"], -r.front["proxy"]])
        found.append(search.coverage(front(a), reference, tolerance=0.01))
        baseline.append(search.coverage(front(b), reference, tolerance=0.01))
    assert min(found) >= 0.9
    assert np.mean(found) > np.mean(baseline)
    again = search.search(space, nb201_model, evaluations=1000, seed=3)
    assert again.evaluated.equals(a.evaluated)


def test_budget_holds_on_the_front_and_results_file_reads_back(nb201_model, data, tmp_path):
    result = search.search("nb201", nb201_model, budget_ms=5.0, evaluations=400, seed=2)
    assert (result.front["latency_ms"] <= 5.0).all()
    assert len(result.evaluated) == 400
    check = result.check_measured(data / "nb201_latency_ms.csv", "titan_rtx_1")
    assert 0 <= check["feasible_under_budget"] <= check["feasible_rows"]
    path = tmp_path / "front.h5"
    result.save(path, measured=data / "nb201_latency_ms.csv", column="titan_rtx_1")
    loaded = analysis.load(path)
    assert loaded.seed == 2
    assert set(loaded.table_names()) == {"front", "evaluated"}
    front = loaded.table("front")
    assert list(front["arch"]) == list(result.front["arch"])
    assert np.allclose(front["latency_ms"], result.front["latency_ms"])
    assert loaded.summary["measured_feasible_rows"] == check["feasible_rows"]
    assert json.loads(loaded.scenario)["command"] == "simfabric.search.search"


def test_callable_and_table_objectives(nb201_model, tmp_path):
    calls = []

    def convs(archs):
        calls.append(len(archs))
        return [a.count("conv") for a in archs]

    result = search.search("nb201", nb201_model, budget_ms=8.0, objective=convs, evaluations=300, population=30)
    assert sum(calls) == 300 and calls[0] == 30
    assert (result.front["accuracy"] == [a.count("conv") for a in result.front["arch"]]).all()

    archs = search.Space("nb201").decode(search.Space("nb201").enumerate()[::78])
    table = tmp_path / "acc.csv"
    table.write_text("arch_str,top1\n" + "".join(f"{a},{i / 2}\n" for i, a in enumerate(archs)))
    result = search.search("nb201", nb201_model, objective=f"csv:{table}:top1", evaluations=300)
    looked_up = dict(zip(archs, (i / 2 for i in range(len(archs)))))
    for a, v in zip(result.front["arch"], result.front["top1"]):
        assert looked_up[a] == v  # only architectures of the table can be on the front

    def wrong(archs):
        return [1.0]

    with pytest.raises(ValueError, match="returned 1 values"):
        search.search("nb201", nb201_model, objective=wrong, evaluations=100)


def test_mixed_precision_and_llm_spaces_with_an_operator_model(a100_model):
    result = search.search("fbnet", a100_model, budget_ms=3.0, precision=["int8", "fp16", "bf16"], evaluations=150,
                           energy_mj=5.0, batch=8, seed=7)
    front = result.front
    assert (front["latency_ms"] <= 3.0).all() and (front["energy_mj"] <= 5.0).all()
    assert all(len(p.split("-")) == 22 for p in front["precision"])
    llm = search.search("llm", a100_model, budget_ms=30.0, memory_bytes=8e9, evaluations=100, minimize=["energy"],
                        layers=[12, 24], d_model=[1024, 2048], heads=[16], d_ff=[4096, 8192], seq=[512, 1024],
                        kv_len=[2048])
    assert (llm.front["memory_bytes"] <= 8e9).all()
    assert "energy_mj" in llm.evaluated


def test_expected_latency_and_its_gradient(nb201_model):
    model = cost.load(nb201_model)
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(8, 6, 5))
    probs = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    value, grad = search.expected_latency(model, probs)
    assert value.shape == (8,) and grad.shape == probs.shape
    h = 1e-6
    for index in [(0, 0, 1), (3, 2, 3), (7, 5, 4), (5, 4, 0)]:
        up, down = probs.copy(), probs.copy()
        up[index] += h
        down[index] -= h
        fd = (search.expected_latency(model, up, gradient=False)[index[0]] -
              search.expected_latency(model, down, gradient=False)[index[0]]) / (2 * h)
        assert fd == pytest.approx(grad[index], rel=1e-6, abs=1e-6 * np.abs(grad).max())
    one_hot = np.zeros((6, 5))
    arch = "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|"
    for edge, op in enumerate(search.Space("nb201").encode([arch])[0]):
        one_hot[edge, op] = 1
    assert search.expected_latency(model, one_hot, gradient=False) == pytest.approx(model.predict_ms([arch])[0], rel=1e-12)
    with pytest.raises(ValueError, match=r"expected shape \(n, 6, 5\)"):
        search.expected_latency(model, np.zeros((2, 6, 4)))


def test_cli_search_writes_the_front_and_reports(simfabric_bin, nb201_model, data, tmp_path):
    out = tmp_path / "s.h5"
    proc = run(simfabric_bin, "search", "--space", "nb201", "--model", nb201_model, "--budget-ms", 6, "--evaluations", 500,
               "--seed", 4, "-o", out, "--json", "--measured", data / "nb201_latency_ms.csv", "--measured-column",
               "titan_rtx_1")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["evaluations"] == 500 and summary["front_size"] == len(summary["front"])
    assert all(row["latency_ms"] <= 6 for row in summary["front"])
    loaded = analysis.load(out)
    assert loaded.attrs["complete"] == 1 and loaded.attrs["scenario_name"] == "search"
    evaluated = loaded.table("evaluated")
    assert len(evaluated) == 500 and evaluated["on_front"].sum() == summary["front_size"]
    assert loaded.units["budget_ms"] == "ms"
    # The same seed writes the same tables.
    again = tmp_path / "again.h5"
    assert run(simfabric_bin, "search", "--space", "nb201", "--model", nb201_model, "--budget-ms", 6, "--evaluations",
               500, "--seed", 4, "-o", again, "--quiet").returncode == 0
    assert analysis.load(again).table("evaluated").equals(evaluated)


@pytest.mark.parametrize("args, message", [
    (["--space", "nb999"], "unknown space"),
    (["--objective", "flops"], "expected proxy, macs, params or csv:FILE:COLUMN"),
    (["--objective", "csv:missing.csv:top1"], "missing.csv: no such file"),
    (["--algorithm", "annealing"], "unknown algorithm"),
    (["--precision", "int8,bf16"], "mixed precision needs an operator model"),
    (["--energy-mj", "1"], "energy needs a device"),
    (["--batch", "4"], "prices batch 1 only"),
    (["--layers", "4"], "llm space only"),
    (["--memory-bytes", "lots"], "--memory-bytes"),
    (["--measured", "x.csv"], "--measured needs --measured-column"),
])
def test_cli_bad_input_exits_2_with_a_clear_error(simfabric_bin, nb201_model, tmp_path, args, message):
    base = {"--space": "nb201", "--model": str(nb201_model), "--budget-ms": "5"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = [x for kv in base.items() for x in kv] + ["-o", tmp_path / "out.h5"]
    proc = run(simfabric_bin, "search", *argv)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert not (tmp_path / "out.h5").exists()


def test_cli_refuses_a_space_model_for_the_llm_space_and_a_bad_model_file(simfabric_bin, nb201_model, tmp_path):
    proc = run(simfabric_bin, "search", "--space", "llm", "--model", nb201_model, "--budget-ms", 5)
    assert proc.returncode == 2 and "give an operator model" in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{\"format\": 1")
    proc = run(simfabric_bin, "search", "--space", "nb201", "--model", bad, "--budget-ms", 5)
    assert proc.returncode == 2 and "bad.json" in proc.stderr
    proc = run(simfabric_bin, "search", "--space", "nb201", "--model", nb201_model, "--budget-ms", -1)
    assert proc.returncode == 2 and "budget-ms" in proc.stderr


def test_unknown_device_names_the_presets(nb201_model):
    presets = ", ".join(sf_presets())
    with pytest.raises(ValueError, match=f"no preset or device file 'h200'; presets: {presets}"):
        search.evaluator("nb201", nb201_model, device="h200")


def sf_presets():
    from simfabric import accelerator

    return accelerator.preset_names()
