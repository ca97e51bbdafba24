"""Sweeps: plans, single points, the /points table, resuming after SIGKILL, failed
points, and identical tables from every back end and worker count."""

import json
import os
import pathlib
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest


def run(binary, *args, env=None, check=False):
    out = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        raise AssertionError(f"{args} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out


def read_table(path):
    """The /points table without wall_s (wall time is the one column that may differ)."""
    with h5py.File(path, "r") as f:
        assert f.attrs["complete"] == 1
        return {name: f["points"][name][:] for name in f["points"] if name != "wall_s"}


def assert_same_table(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert np.array_equal(a[name], b[name]), name


def write_sweep(directory, repo_root, customers, arrivals, replicas=1, extra=""):
    base = (repo_root / "scenarios/examples/mm1.toml").as_posix()
    path = directory / "sweep.toml"
    path.write_text(f"""
kind = "sweep"
[sweep]
scenario = "{base}"
seed = 11
replicas = {replicas}
set = ["queue.customers={customers}"]
{extra}
[parameters]
"queue.arrival_rate_per_s" = {arrivals}
""")
    return path


@pytest.fixture(scope="module")
def example(repo_root):
    return repo_root / "scenarios/sweeps/mm1_load.toml"


@pytest.fixture(scope="module")
def reference(simfabric_bin, example, tmp_path_factory):
    """The example sweep run locally on one worker, uninterrupted."""
    output = tmp_path_factory.mktemp("reference") / "one.h5"
    out = run(simfabric_bin, "sweep", "run", example, "--workers", "1", "-o", output, check=True)
    assert "120/120" in out.stderr  # the plain progress line when stderr is not a terminal
    return read_table(output)


def test_plan_lists_numbered_points_with_derived_seeds(simfabric_bin, example):
    plan = json.loads(run(simfabric_bin, "sweep", "plan", example, "--json", check=True).stdout)
    points = plan["points"]
    assert len(points) == 120
    assert [p["point"] for p in points] == list(range(120))
    assert len({p["seed"] for p in points}) == 120
    assert all(0 <= p["seed"] < 2**63 for p in points)
    rates = [p["parameters"]["queue.service_rate_per_s"] for p in points]
    assert all(700_000 <= r <= 2_000_000 for r in rates)
    # Latin hypercube: the 10 draws fall one in each of 10 log-spaced strata.
    draws = sorted(set(rates))
    assert len(draws) == 10
    strata = sorted(int(10 * np.log(r / 7e5) / np.log(2e6 / 7e5)) for r in draws)
    assert strata == list(range(10))
    again = json.loads(run(simfabric_bin, "sweep", "plan", example, "--json", check=True).stdout)
    assert again == plan


def test_points_table_has_one_row_per_point(reference):
    assert list(reference["point"]) == list(range(120))
    assert list(reference["replica"]) == [0, 1] * 60
    assert set(reference["status"].astype(str)) == {"ok"}
    for column in ("seed", "queue.arrival_rate_per_s", "queue.service_rate_per_s", "mean_wait_s", "error"):
        assert column in reference
    assert np.all(reference["customers"] == 20000)


def test_a_point_run_alone_reproduces_its_row(simfabric_bin, example, reference):
    for index in (0, 57, 119):
        point = json.loads(run(simfabric_bin, "sweep", "run-point", example, "--point", index, "--json",
                               check=True).stdout)
        assert point["seed"] == reference["seed"][index]
        assert point["mean_wait_s"] == reference["mean_wait_s"][index]  # bit for bit
        assert point["events"] == reference["events"][index]


def test_two_workers_give_the_same_table(simfabric_bin, example, reference, tmp_path):
    output = tmp_path / "two.h5"
    run(simfabric_bin, "sweep", "run", example, "--workers", "2", "-o", output, check=True)
    assert_same_table(read_table(output), reference)


@pytest.mark.parametrize("ranks", [2, 4])
def test_mpi_ranks_give_the_same_table(simfabric_bin, example, reference, tmp_path, mpi_env, ranks):
    output = tmp_path / "mpi.h5"
    out = subprocess.run(["mpirun", "-np", str(ranks), str(simfabric_bin), "sweep", "run", str(example), "--backend", "mpi",
                          "-o", str(output)], capture_output=True, text=True, env=mpi_env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert_same_table(read_table(output), reference)
    # Which rank ran which point depends on timing; at most one journal per rank.
    assert 1 <= len(list((tmp_path / "mpi.h5.parts").glob("*.jsonl"))) <= ranks


def test_slurm_array_gives_the_same_table(simfabric_bin, example, reference, tmp_path, slurm_env):
    output = tmp_path / "slurm.h5"
    out = run(simfabric_bin, "sweep", "run", example, "--backend", "slurm", "--chunk-size", "40",
              "--time", "00:05:00", "-o", output, env=slurm_env, check=True)
    assert "3 array tasks" in out.stderr
    script = (tmp_path / "slurm.h5.parts/slurm/sweep.sbatch").read_text()
    assert "#SBATCH --array=0-2" in script and "#SBATCH --time=00:05:00" in script
    assert_same_table(read_table(output), reference)
    # Nothing is missing, so running it again submits nothing.
    again = run(simfabric_bin, "sweep", "run", example, "--backend", "slurm", "-o", output, env=slurm_env, check=True)
    assert "Slurm job" not in again.stderr


def test_mpi_under_slurm_srun_gives_the_same_table(simfabric_bin, example, reference, tmp_path, slurm_env):
    output = tmp_path / "srun.h5"
    out = subprocess.run(["srun", "--mpi=pmix", "-n", "2", str(simfabric_bin), "sweep", "run", str(example),
                          "--backend", "mpi", "-o", str(output)], capture_output=True, text=True, env=slurm_env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert_same_table(read_table(output), reference)


def test_slurm_no_wait_then_collect(simfabric_bin, repo_root, tmp_path, slurm_env):
    sweep = write_sweep(tmp_path, repo_root, 500, "[100_000, 200_000, 300_000, 400_000]", replicas=2)
    output = tmp_path / "later.h5"
    run(simfabric_bin, "sweep", "run", sweep, "--backend", "slurm", "--no-wait", "--chunk-size", "3", "-o", output,
        env=slurm_env, check=True)
    deadline = time.time() + 60
    while True:
        collect = run(simfabric_bin, "sweep", "collect", sweep, "-o", output)
        if collect.returncode == 0 or time.time() > deadline:
            break
        assert "missing" in collect.stderr
        time.sleep(0.3)
    assert collect.returncode == 0, collect.stderr
    assert len(read_table(output)["point"]) == 8


def journaled(parts):
    return sum(len([l for l in f.read_text().splitlines() if l]) for f in parts.glob("*.jsonl"))


def test_sigkill_then_rerun_finishes_only_the_missing_points(simfabric_bin, repo_root, tmp_path):
    # 120 points of ~15 ms: a wide margin to kill it part-way even on a busy machine.
    points = 120
    arrivals = "[" + ", ".join(str(100_000 + 5_000 * i) for i in range(points)) + "]"
    sweep = write_sweep(tmp_path, repo_root, 100_000, arrivals)
    reference = tmp_path / "whole.h5"
    run(simfabric_bin, "sweep", "run", sweep, "--workers", "2", "-o", reference, check=True)

    output = tmp_path / "killed.h5"
    parts = tmp_path / "killed.h5.parts"
    process = subprocess.Popen([str(simfabric_bin), "sweep", "run", str(sweep), "--workers", "2", "-o", str(output)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and not (parts.is_dir() and journaled(parts) >= 3):
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = journaled(parts)
    assert 3 <= done < points, "the sweep should have been killed part-way"
    assert not output.exists(), "no results file before every point is done"

    rerun = run(simfabric_bin, "sweep", "run", sweep, "--workers", "2", "-o", output, check=True)
    assert "already done" in rerun.stderr
    records = [json.loads(l) for f in parts.glob("*.jsonl") for l in f.read_text().splitlines() if l.endswith("}")]
    assert sorted({r["point"] for r in records}) == list(range(points))
    assert len(records) == points  # points in flight at the kill were never journaled: none twice
    assert_same_table(read_table(output), read_table(reference))


def test_failed_points_are_recorded_and_do_not_stop_the_sweep(simfabric_bin, repo_root, tmp_path):
    # Arrival rates at or above the service rate (1e6) are rejected by the mm1 kind.
    sweep = write_sweep(tmp_path, repo_root, 500, "[500_000, 1_500_000, 900_000, 2_000_000]")
    output = tmp_path / "failures.h5"
    summary = json.loads(run(simfabric_bin, "sweep", "run", sweep, "-o", output, "--json", check=True).stdout)
    assert summary == {"sweep": str(sweep), "output": str(output), "points": 4, "missing": 0, "failed": 2,
                       "complete": True}
    table = read_table(output)
    assert list(table["status"].astype(str)) == ["ok", "failed", "ok", "failed"]
    assert "must be below" in table["error"][1].decode()
    assert np.isnan(table["mean_wait_s"][1]) and not np.isnan(table["mean_wait_s"][0])


def test_a_changed_sweep_does_not_mix_into_old_results(simfabric_bin, repo_root, tmp_path):
    sweep = write_sweep(tmp_path, repo_root, 500, "[100_000, 200_000]")
    output = tmp_path / "mixed.h5"
    run(simfabric_bin, "sweep", "run", sweep, "-o", output, check=True)
    write_sweep(tmp_path, repo_root, 500, "[100_000, 300_000]")
    again = run(simfabric_bin, "sweep", "run", sweep, "-o", output)
    assert again.returncode == 2
    assert "different sweep plan" in again.stderr


def test_journal_range_as_an_array_task_does(simfabric_bin, repo_root, tmp_path):
    sweep = write_sweep(tmp_path, repo_root, 500, "[100_000, 200_000, 300_000]", replicas=2)
    output = tmp_path / "ranges.h5"
    run(simfabric_bin, "sweep", "run-point", sweep, "--point", "0", "--last", "2", "-o", output, check=True)
    missing = run(simfabric_bin, "sweep", "collect", sweep, "-o", output)
    assert missing.returncode == 1 and "3 of 6 points are missing" in missing.stderr
    run(simfabric_bin, "sweep", "run-point", sweep, "--point", "3", "--last", "99", "-o", output, check=True)
    run(simfabric_bin, "sweep", "collect", sweep, "-o", output, check=True)
    assert list(read_table(output)["point"]) == list(range(6))


def test_progress_bar_with_eta_on_a_terminal(simfabric_bin, repo_root, tmp_path):
    import pty

    sweep = write_sweep(tmp_path, repo_root, 20_000, "[100_000, 200_000, 300_000, 400_000, 500_000]", replicas=8)
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(simfabric_bin), "sweep", "run", str(sweep), "--workers", "1", "-o",
                                str(tmp_path / "tty.h5")], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed when the process exited
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait() == 0
    os.close(leader)
    text = seen.decode()
    assert "\r[" in text and "ETA" in text and "40/40" in text


def test_per_point_detail_groups(simfabric_bin, repo_root, tmp_path):
    sweep = write_sweep(tmp_path, repo_root, 2000, "[100_000, 2_000_000, 300_000]", extra="details = true")
    output = tmp_path / "details.h5"
    run(simfabric_bin, "sweep", "run", sweep, "-o", output, check=True)
    with h5py.File(output, "r") as f:
        assert sorted(f["details"]) == ["0", "2"]  # point 1 failed: no details
        for point in (0, 2):
            group = f["details"][str(point)]
            assert group.attrs["seed"] == f["points/seed"][point]
            assert group["stats/wait"].attrs["count"] == 2000
            assert group["summary"].attrs["mean_wait_s"] == f["points/mean_wait_s"][point]


def test_overhead_per_trivial_point_is_under_5_ms(simfabric_bin, repo_root, tmp_path):
    sweep = write_sweep(tmp_path, repo_root, 1, "[100_000]", replicas=10_000)
    start = time.perf_counter()
    run(simfabric_bin, "sweep", "run", sweep, "--workers", "1", "-o", tmp_path / "trivial.h5", check=True)
    per_point_ms = 1e3 * (time.perf_counter() - start) / 10_000
    assert per_point_ms <= 5.0
    assert len(read_table(tmp_path / "trivial.h5")["point"]) == 10_000
