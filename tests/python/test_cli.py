"""The command-line program: help, version, errors and a full run to HDF5."""

import json
import subprocess

import h5py
import pytest


def run(binary, *args, check=False):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, check=check)


def test_help_and_version(simfabric_bin):
    out = run(simfabric_bin, "--help")
    assert out.returncode == 0
    for command in ("run", "validate", "bench"):
        assert command in out.stdout
    version = run(simfabric_bin, "--version")
    assert version.returncode == 0
    assert version.stdout.startswith("simfabric ")


@pytest.mark.parametrize(
    "args, message",
    [
        (["frobnicate"], "frobnicate"),
        (["bench", "hold", "--pending", "lots"], "--pending"),
        (["bench", "hold", "--pending", "-5"], "--pending"),
        (["bench", "hold", "--queue", "splay"], "splay"),
        (["bench", "allreduce", "--bytes", "1 parsec"], 'unknown size unit "parsec"'),
        (["bench", "allreduce", "--bytes", "0 KiB"], "--bytes"),
        (["run"], "file"),
        (["run", "/no/such/file.toml"], "/no/such/file.toml"),
        ([], "subcommand"),
    ],
)
def test_bad_usage_exits_2_with_a_message(simfabric_bin, args, message):
    out = run(simfabric_bin, *args)
    assert out.returncode == 2, out
    assert message in out.stderr


def test_bench_allreduce_takes_sizes_with_units(simfabric_bin):
    for text, expected in (("64 MiB", 64 * 2**20), ("1.5 KB", 1500), ("4096", 4096)):
        out = run(simfabric_bin, "bench", "allreduce", "--hosts", "8", "--bytes", text, "--json", check=True)
        assert json.loads(out.stdout)["bytes"] == expected


def test_bench_hold_prints_one_json_object(simfabric_bin):
    out = run(simfabric_bin, "bench", "hold", "--pending", "100", "--events", "20000", "--json", check=True)
    result = json.loads(out.stdout)
    for key in ("events_per_second", "pending", "events", "wall_s", "peak_rss_bytes"):
        assert key in result
    assert result["pending"] == 100
    assert result["events"] == 20000
    assert result["events_per_second"] > 0


def test_every_queue_gives_the_same_trajectory(simfabric_bin):
    finals = set()
    for queue in ("simulator", "binary", "4-ary", "8-ary"):
        out = run(simfabric_bin, "bench", "hold", "--pending", "64", "--events", "5000", "--queue", queue,
                  "--json", check=True)
        finals.add(json.loads(out.stdout)["final_time_ps"])
    assert len(finals) == 1


def test_run_writes_hdf5_with_provenance(simfabric_bin, repo_root, tmp_path):
    output = tmp_path / "mm1.h5"
    out = run(simfabric_bin, "run", repo_root / "scenarios/examples/mm1.toml", "--set", "queue.customers=20000",
              "--seed", "9", "-o", output, "--json", check=True)
    summary = json.loads(out.stdout)
    assert summary["seed"] == 9
    assert summary["customers"] == 20000
    with h5py.File(output, "r") as f:
        assert f.attrs["seed"] == 9
        assert f.attrs["complete"] == 1
        assert "customers = 20000" in f.attrs["scenario"]
        assert f["/stats/wait"].attrs["count"] == 20000
        assert f["/summary"].attrs["mean_wait_s"] == pytest.approx(summary["mean_wait_s"])
        assert f["/stats/wait_histogram/counts"][:].sum() + f["/stats/wait_histogram"].attrs["overflow"] == 20000


def test_same_seed_same_result_bit_for_bit(simfabric_bin, repo_root):
    args = ["run", repo_root / "scenarios/examples/mm1.toml", "--set", "queue.customers=5000", "--json"]
    first = json.loads(run(simfabric_bin, *args, check=True).stdout)
    second = json.loads(run(simfabric_bin, *args, check=True).stdout)
    for key in ("mean_wait_s", "simulated_s", "events"):
        assert first[key] == second[key]


def test_invalid_scenario_exits_2_and_writes_nothing(simfabric_bin, tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('kind = "mm1"\n[queue]\narrival_rate_per_s = "fast"\nservice_rate = 2\n')
    output = tmp_path / "out.h5"
    out = run(simfabric_bin, "run", scenario, "-o", output)
    assert out.returncode == 2
    assert f"{scenario}:3: queue.arrival_rate_per_s: expected a number, got a string" in out.stderr
    assert f"{scenario}:4: queue.service_rate: unknown key" in out.stderr
    assert "queue.service_rate_per_s: missing" in out.stderr
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [scenario]


def test_validate(simfabric_bin, repo_root):
    out = run(simfabric_bin, "validate", repo_root / "scenarios/examples/mm1.toml", check=True)
    assert "valid mm1 scenario" in out.stdout
