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
