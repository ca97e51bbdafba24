"""The installed package: `pip install --no-build-isolation --target DIR .` with the
compiled parts taken from the build tree already made (SIMFABRIC_PREBUILT; a full
CMake build from pip is the same code path minus that variable), then imported and run
from outside the source tree with only DIR on sys.path."""

import os
import pathlib
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def installed(simfabric_bin, repo_root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("package")
    site = tmp / "site"
    build_dir = pathlib.Path(simfabric_bin).resolve().parents[1]
    env = dict(os.environ, SIMFABRIC_PREBUILT=str(build_dir), SIMFABRIC_SETUP_BASE=str(tmp / "setup"),
               PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                           "--target", str(site), str(repo_root)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def outside(site, tmp_path, *args, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SIMFABRIC_BIN")}
    env["PYTHONPATH"] = str(site)
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, **kwargs)


def test_installed_files(installed):
    package = installed / "simfabric"
    assert (package / "py.typed").exists()
    assert (package / "_core/__init__.pyi").exists() and (package / "_core/collective.pyi").exists()
    assert list(package.glob("_core.*.so"))
    assert os.access(package / "bin/simfabric", os.X_OK)
    assert (package / "analysis/__init__.py").exists()
    assert list(installed.glob("simfabric-*.dist-info"))


def test_imports_and_runs_outside_the_tree(installed, tmp_path):
    code = ("import simfabric as sf, pathlib; "
            "print(sf.__file__); "
            "sim = sf.Simulator(seed=1); log = []; "
            "sim.schedule(lambda: log.append(sim.now_ps), delay_ns=5); sim.run(); print(log[0])")
    done = outside(installed, tmp_path, "-c", code)
    assert done.returncode == 0, done.stderr
    location, first = done.stdout.split()
    assert pathlib.Path(location).resolve().is_relative_to(installed.resolve())
    assert int(first) == 5000


def test_python_dash_m_runs_the_program(installed, tmp_path, repo_root):
    done = outside(installed, tmp_path, "-m", "simfabric", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("simfabric ")
    bad = outside(installed, tmp_path, "-m", "simfabric", "no-such-command")
    assert bad.returncode == 2 and "unknown command" in bad.stderr
    scenario = repo_root / "scenarios/examples/mm1.toml"
    run = outside(installed, tmp_path, "-m", "simfabric", "run", str(scenario), "--set", "queue.customers=500",
                  "-o", "mm1.h5")
    assert run.returncode == 0, run.stderr
    read = outside(installed, tmp_path, "-c",
                   "from simfabric import analysis; print(analysis.load('mm1.h5').summary['customers'])")
    assert read.returncode == 0, read.stderr
    assert float(read.stdout) == 500


def test_an_example_runs_against_the_installed_package(installed, tmp_path, repo_root):
    done = outside(installed, tmp_path, str(repo_root / "examples/accelerator_h100_vs_a100.py"))
    assert done.returncode == 0, done.stderr
    assert "speed-up" in done.stdout
