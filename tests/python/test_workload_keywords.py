"""The Python workload keywords are the fabric scenario's [workload] keys: a value out of
range is refused in the scenario reader's words, and the defaults run what a scenario
file without the key runs."""

from __future__ import annotations

import json
import pathlib
import subprocess

import pytest

import simfabric as sf

BASE = """kind = "fabric"
[topology]
type = "leaf_spine"
leaves = 2
spines = 2
hosts_per_leaf = 4
[workload]
type = "{type}"
"""
SCENARIO = BASE + "{key} = {value}\n"


def scenario_problem(binary, directory, workload, key, value):
    path = directory / "s.toml"
    path.write_text(SCENARIO.format(type=workload, key=key, value=value))
    proc = subprocess.run([str(pathlib.Path(binary).resolve()), "validate", str(path)], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2, proc.stderr
    line = next(line for line in proc.stderr.splitlines() if f"workload.{key}:" in line)
    return line.split(f"workload.{key}: ", 1)[1]


def topology():
    return sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=4)


@pytest.mark.parametrize("workload, key, value, run", [
    ("collective", "chunks", 0, lambda v: sf.collective.run(topology(), bytes=2**20, chunks=v)),
    ("collective", "ranks_per_host", 65, lambda v: sf.collective.run(topology(), bytes=2**20, ranks_per_host=v)),
    ("gpipe", "micro_batches", 0,
     lambda v: sf.collective.gpipe(topology(), forward_us=[10] * 4, backward_us=[20] * 4, micro_batches=v)),
    ("moe", "experts", 1, lambda v: sf.collective.moe(topology(), experts=v)),
    ("moe", "skew", 11.0, lambda v: sf.collective.moe(topology(), skew=v)),
])
def test_python_refuses_in_the_scenario_readers_words(simfabric_bin, tmp_path, workload, key, value, run):
    words = scenario_problem(simfabric_bin, tmp_path, workload, key, value)
    with pytest.raises(ValueError) as error:
        run(value)
    assert str(error.value) == f"{key}: {words}"


def test_placement_names_the_accepted_values():
    with pytest.raises(ValueError, match=r'placement: expected one of contiguous, strided, got "diagonal"'):
        sf.collective.run(topology(), bytes=2**20, placement="diagonal")


@pytest.mark.parametrize("workload, run", [
    ("collective", lambda: sf.collective.run(topology())),
    ("moe", lambda: sf.collective.moe(topology())),
    # stages, forward_us and backward_us have no Python default: the scenario's are given.
    ("gpipe", lambda: sf.collective.gpipe(topology(), forward_us=[1000] * 4, backward_us=[2000] * 4)),
])
def test_keyword_defaults_run_what_the_scenario_defaults_run(simfabric_bin, tmp_path, workload, run):
    path = tmp_path / "s.toml"
    path.write_text(BASE.format(type=workload))
    proc = subprocess.run([str(pathlib.Path(simfabric_bin).resolve()), "run", str(path), "--json", "-o",
                           str(tmp_path / "out.h5")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert run()["completion_s"] == json.loads(proc.stdout)["completion_s"]
