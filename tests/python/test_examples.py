"""Each script of examples/ runs as a user would run it and says what it should."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib")
from matplotlib.image import imread  # noqa: E402


def run_example(repo_root, tmp_path, name, *args):
    # The scripts run in a scratch directory: the package and program by absolute paths.
    import simfabric

    package_root = pathlib.Path(simfabric.__file__).resolve().parents[1]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(package_root))
    if "SIMFABRIC_BIN" in env:
        env["SIMFABRIC_BIN"] = str(pathlib.Path(env["SIMFABRIC_BIN"]).resolve())
    done = subprocess.run([sys.executable, str(repo_root / "examples" / name), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def numbers(line):
    return [float(v) for v in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", line)]


def test_fabric_ecmp_vs_spray(repo_root, tmp_path):
    out = run_example(repo_root, tmp_path, "fabric_ecmp_vs_spray.py", "-o", "fct.png")
    completion = {line.split()[0]: numbers(line)[0] for line in out.splitlines() if "completion" in line}
    # Spraying spreads every flow over all uplinks; hashing collides: spray finishes first.
    assert completion["spray"] < completion["ecmp"]
    assert imread(tmp_path / "fct.png").std() > 0.01


def test_accelerator_h100_vs_a100(repo_root, tmp_path):
    out = run_example(repo_root, tmp_path, "accelerator_h100_vs_a100.py")
    speedup = numbers(next(line for line in out.splitlines() if "speed-up" in line))[-1]
    # Peak dense bf16 989 vs 312 Tflop/s and 3.35 vs 2.04 TB/s bound the ratio.
    assert 3350 / 2039 * 0.9 < speedup < 989 / 312 * 1.1
    shares = [numbers(line) for line in out.split("share of time by bottleneck:")[1].splitlines()[3:] if line.strip()]
    assert sum(s[0] for s in shares) == pytest.approx(1.0, abs=2e-3)
    assert sum(s[1] for s in shares) == pytest.approx(1.0, abs=2e-3)


def test_quantum_length_sweep(repo_root, tmp_path):
    out = run_example(repo_root, tmp_path, "quantum_length_sweep.py", "-o", "rate.png", "--seconds", "0.05")
    rows = [numbers(line) for line in out.splitlines() if re.match(r"^\d+\s", line)]
    assert [r[0] for r in rows] == [5, 10, 20, 40, 80]
    rates = [r[1] for r in rows]
    assert all(a > b for a, b in zip(rates, rates[1:]))  # longer fibre, fewer pairs
    assert imread(tmp_path / "rate.png").std() > 0.01


def test_sweep_with_pandas(repo_root, tmp_path):
    out = run_example(repo_root, tmp_path, "sweep_with_pandas.py", "-o", "mm1.h5")
    assert out.startswith("120 points")
    # 20,000 customers per point: the M/M/1 mean wait within 25% of rho / (mu - lambda).
    worst = numbers(out.splitlines()[-1])[-1]
    assert worst < 0.25
    again = run_example(repo_root, tmp_path, "sweep_with_pandas.py", "-o", "mm1.h5")
    assert again.splitlines()[-1] == out.splitlines()[-1]  # the finished sweep is read, not rerun


def test_fabric_custom_process(repo_root, tmp_path):
    out = run_example(repo_root, tmp_path, "fabric_custom_process.py", "--steps", "3")
    lines = out.splitlines()
    gemm_ms = numbers(next(line for line in lines if line.startswith("GEMM")))[-1]
    alone_ms = numbers(next(line for line in lines if "alone" in line))[-1]
    steps = [numbers(line) for line in lines if line.startswith("step")]
    assert len(steps) == 3
    for _, total, compute, allreduce in steps:
        assert total == pytest.approx(compute + allreduce, abs=2e-3)
        assert compute == pytest.approx(gemm_ms, abs=1e-3)
        # The checkpoint pulls share host3's downlink: the all-reduce is never faster alone.
        assert allreduce >= alone_ms - 1e-3
    assert any(s[3] > alone_ms * 1.01 for s in steps)
    assert numbers(next(line for line in lines if "pulls landed" in line))[0] > 0
