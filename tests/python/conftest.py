"""Shared fixtures: the built package is on PYTHONPATH (see the Makefile); the CLI path
comes from SIMFABRIC_BIN."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def simfabric_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("SIMFABRIC_BIN", ROOT / "build" / "bin" / "simfabric"))
    if not path.exists():
        pytest.fail(f"simfabric binary not found at {path}; run `make` first")
    return path


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def slurm_env(tmp_path_factory):
    """A one-node Slurm on localhost (tests/cluster/slurm_up.sh), stopped after the tests.
    Missing packages fail the tests: scripts/install-deps.sh installs them."""
    import subprocess

    state = tmp_path_factory.mktemp("slurm")
    up = subprocess.run(["bash", str(ROOT / "tests/cluster/slurm_up.sh"), str(state)], capture_output=True, text=True)
    if up.returncode != 0:
        subprocess.run(["bash", str(ROOT / "tests/cluster/slurm_down.sh"), str(state)])
        pytest.fail(f"could not start Slurm:\n{up.stdout}\n{up.stderr}")
    env = dict(os.environ, SLURM_CONF=str(state / "slurm.conf"))
    yield env
    subprocess.run(["bash", str(ROOT / "tests/cluster/slurm_down.sh"), str(state)], check=True)


@pytest.fixture(scope="session")
def mpi_env():
    """Environment for mpirun on this machine (as root in containers too)."""
    import shutil

    if shutil.which("mpirun") is None:
        pytest.fail("mpirun not found: scripts/install-deps.sh installs Open MPI")
    return dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                OMPI_MCA_rmaps_base_oversubscribe="1")


@pytest.fixture(scope="session")
def result_files(simfabric_bin, tmp_path_factory):
    """One small results file of each layout the program writes: fabric runs (with flow
    records and link series), accelerator, quantum, mm1, a sweep with replicas and
    details, and a search front. Built once for the analysis, plot and report tests."""
    import subprocess

    out = tmp_path_factory.mktemp("results")
    scenarios = ROOT / "scenarios"

    def run(*args):
        done = subprocess.run([str(simfabric_bin), *map(str, args)], capture_output=True, text=True)
        assert done.returncode == 0, f"{args}: {done.stderr}"

    small = ["--set", "workload.bytes=1048576"]
    run("run", scenarios / "fabric/allreduce_small.toml", *small, "--set", "network.record_flows=true",
        "--set", 'network.series_links="leaf0->spine0,leaf0-spine1"', "-o", out / "fabric.h5")
    run("run", scenarios / "fabric/allreduce_small.toml", *small, "--set", "network.policy=spray",
        "--set", "network.record_flows=true", "-o", out / "fabric_spray.h5")
    run("run", scenarios / "fabric/permutation_ecmp.toml", "-o", out / "permutation.h5")
    run("run", scenarios / "accelerator/resnet50_h100.toml", "-o", out / "accelerator.h5")
    run("run", scenarios / "quantum/chain.toml", "--set", "duration_s=0.1", "-o", out / "quantum.h5")
    run("run", scenarios / "examples/mm1.toml", "--set", "queue.customers=2000", "-o", out / "mm1.h5")
    sweep = out / "sweep.toml"
    sweep.write_text(f"""kind = "sweep"
[sweep]
scenario = "{scenarios / 'fabric/allreduce_small.toml'}"
seed = 3
replicas = 3
details = true
set = ["network.record_flows=true"]
[parameters]
"workload.bytes" = [65536, 262144, 1048576]
"network.policy" = ["ecmp", "spray"]
""")
    run("sweep", "run", sweep, "-o", out / "sweep.h5", "--workers", "2")
    model = out / "titan.json"
    run("calibrate", "--measured", ROOT / "data/latency/nb201_latency_ms.csv", "--column", "titan_rtx_1",
        "--train", "100", "-o", model)
    run("search", "--space", "nb201", "--model", model, "--budget-ms", "6", "--evaluations", "200",
        "-o", out / "search.h5")
    return {path.stem: path for path in out.glob("*.h5")}
