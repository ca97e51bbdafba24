"""A run that would need more memory than it may use is refused before it starts (exit 2,
naming the file, the estimate, what is available and the size keys), and the estimate
stays within a stated factor of the memory runs really take (docs/inputs.md "Memory")."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# 1,024 leaves x 1,000 hosts: within the generated-fabric limit of 1,048,576 nodes, but
# its 1,024 routing tables over a million nodes alone take 4 GiB.
BIG_FABRIC = """kind = "fabric"
[topology]
type = "leaf_spine"
leaves = 1024
spines = 16
hosts_per_leaf = 1000
[workload]
type = "permutation"
bytes = "1 MB"
"""


def simfabric(binary, *args, limit=None, cwd=None, timeout=120):
    env = dict(os.environ)
    env.pop("SIMFABRIC_MEMORY_LIMIT", None)
    if limit is not None:
        env["SIMFABRIC_MEMORY_LIMIT"] = limit
    return subprocess.run([str(pathlib.Path(binary).resolve()), *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


# A child's ru_maxrss starts from the high-water mark of the process image it was exec'd
# from, so a child of this (large, growing) test process would report at least the test
# process's own peak. A small interpreter in between makes that floor its own ~10 MiB,
# the same for every measurement.
_MEASURE_CHILD = ("import os, subprocess, sys\n"
                  "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
                  "_, status, usage = os.wait4(p.pid, 0)\n"
                  "sys.stderr.write(p.stderr.read().decode())\n"
                  "print(usage.ru_maxrss)\n"
                  "sys.exit(os.waitstatus_to_exitcode(status))\n")


def peak_rss_bytes(binary, *args):
    """Peak resident memory of one `simfabric` process, measured by a small parent."""
    env = dict(os.environ, SIMFABRIC_MEMORY_LIMIT="unlimited")
    out = subprocess.run([sys.executable, "-c", _MEASURE_CHILD, str(binary), *map(str, args)],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1]) * 1024  # Linux reports KiB


def estimate_bytes(binary, *args):
    out = simfabric(binary, "validate", *args, "--json", limit="unlimited")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["memory_estimate_bytes"]


def test_big_run_is_refused_before_it_starts(simfabric_bin, tmp_path):
    scenario = tmp_path / "fabric.toml"
    scenario.write_text(BIG_FABRIC)
    out = simfabric(simfabric_bin, "run", scenario, limit="2 GiB", timeout=30)
    assert out.returncode == 2, out.stderr
    message = out.stderr
    assert f"{scenario}: this run needs about " in message
    assert "GiB (" in message and "1,024 routing tables" in message
    assert "2 GiB available (SIMFABRIC_MEMORY_LIMIT)" in message
    assert "reduce [topology] leaves, hosts_per_leaf" in message and "--memory-limit" in message
    # The option says the same, and wins over the variable.
    out = simfabric(simfabric_bin, "run", scenario, "--memory-limit", "3 GiB", limit="1 TiB", timeout=30)
    assert out.returncode == 2 and "3 GiB available (SIMFABRIC_MEMORY_LIMIT)" in out.stderr, out.stderr


def test_the_same_run_is_accepted_under_a_larger_limit(simfabric_bin, repo_root):
    scenario = repo_root / "scenarios/fabric/permutation_ecmp.toml"
    estimate = estimate_bytes(simfabric_bin, scenario)
    refused = simfabric(simfabric_bin, "run", scenario, "--json", limit=str(estimate // 2))
    assert refused.returncode == 2 and "this run needs about" in refused.stderr, refused.stderr
    accepted = simfabric(simfabric_bin, "run", scenario, "--json", limit=str(estimate * 2))
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["complete"] == 1


def test_validate_prints_the_estimate_and_does_not_refuse(simfabric_bin, tmp_path):
    scenario = tmp_path / "q.toml"
    scenario.write_text('kind = "mm1"\n[queue]\narrival_rate_per_s = 1\nservice_rate_per_s = 2\ncustomers = 10\n')
    out = simfabric(simfabric_bin, "validate", scenario, limit="1 KiB")
    assert out.returncode == 0, out.stderr
    assert "a run needs about 1 MiB (one queue)" in out.stdout
    assert "1 KiB available (SIMFABRIC_MEMORY_LIMIT): `run` here would refuse it" in out.stdout
    out = simfabric(simfabric_bin, "validate", scenario, "--json", "--memory-limit", "unlimited")
    report = json.loads(out.stdout)
    assert report["kind"] == "mm1" and report["memory_estimate_bytes"] == 1 << 20
    assert report["memory_available_bytes"] is None and report["fits"] is True


@pytest.mark.parametrize("args", [["--memory-limit", "lots"], ["--memory-limit", "0"]])
def test_bad_limits_are_bad_input(simfabric_bin, repo_root, args):
    out = simfabric(simfabric_bin, "run", repo_root / "scenarios/examples/mm1.toml", *args)
    assert out.returncode == 2 and "--memory-limit" in out.stderr, out.stderr


def test_bad_limit_variable_is_bad_input(simfabric_bin, repo_root):
    out = simfabric(simfabric_bin, "run", repo_root / "scenarios/examples/mm1.toml", limit="12 parsecs")
    assert out.returncode == 2 and "SIMFABRIC_MEMORY_LIMIT" in out.stderr, out.stderr


def test_sweeps_check_the_largest_point_times_the_workers(simfabric_bin, tmp_path):
    (tmp_path / "base.toml").write_text(BIG_FABRIC.replace("leaves = 1024", "leaves = 4").replace(
        "hosts_per_leaf = 1000", "hosts_per_leaf = 4"))
    (tmp_path / "sweep.toml").write_text(
        'kind = "sweep"\n[sweep]\nscenario = "base.toml"\n[parameters]\n"topology.leaves" = [4, 8, 1024]\n'
        '"topology.hosts_per_leaf" = [4, 1000]\n')
    out = simfabric(simfabric_bin, "sweep", "run", "sweep.toml", "-o", "out.h5", "--workers", "2",
                    "--no-progress", limit="2 GiB", cwd=tmp_path, timeout=60)
    assert out.returncode == 2, out.stderr
    assert "point 5 (base.toml): this run needs about" in out.stderr and "x 2 runs at once" in out.stderr
    assert not (tmp_path / "out.h5").exists()
    point = simfabric(simfabric_bin, "sweep", "run-point", "sweep.toml", "--point", "5", limit="2 GiB",
                      cwd=tmp_path, timeout=60)
    assert point.returncode == 2 and "this run needs about" in point.stderr, point.stderr
    small = simfabric(simfabric_bin, "sweep", "run-point", "sweep.toml", "--point", "0", limit="2 GiB",
                      cwd=tmp_path, timeout=60)
    assert small.returncode == 0, small.stderr


def test_jobs_count_in_the_estimate(simfabric_bin, tmp_path):
    # [[job]] tables run at once: the part of the estimate that grows with a workload
    # (here the MoE's experts) grows twice as much with two such jobs as with one.
    fabric = 'kind = "fabric"\n[topology]\ntype = "leaf_spine"\nleaves = 8\nhosts_per_leaf = 64\n'
    moe = 'type = "moe"\nexperts = {}\ntokens_per_rank = 64\n'

    def estimate(text):
        scenario = tmp_path / "s.toml"
        scenario.write_text(fabric + text)
        return estimate_bytes(simfabric_bin, scenario)

    def job(i, experts):
        return f'[[job]]\nname = "j{i}"\nfirst_host = {256 * i}\nhost_count = 256\n' + moe.format(experts)

    single = estimate("[workload]\n" + moe.format(256)) - estimate("[workload]\n" + moe.format(8))
    two = estimate(job(0, 256) + job(1, 256)) - estimate(job(0, 8) + job(1, 8))
    assert single > 1 << 20
    assert 1.9 <= two / single <= 2.1, (two, single)


# Each case: a small run of a kind and a larger one of the same kind. The estimate's growth
# from the one to the other is compared with the growth of peak RSS, so that the fixed
# footprint of the process (~17 MiB) does not hide the part that scales.
RATIO_CASES = {
    "fabric_flow_hosts": ("scenarios/fabric/ring_allreduce_1024.toml",
                          ["topology.hosts_per_leaf=4"], ["topology.hosts_per_leaf=128"]),
    "fabric_flow_leaves": ("scenarios/fabric/ring_allreduce_1024.toml",
                           ["topology.leaves=8", "topology.hosts_per_leaf=8", "topology.spines=8"],
                           ["topology.leaves=1024", "topology.hosts_per_leaf=8", "topology.spines=8"]),
    "fabric_flow_permutation": ("scenarios/fabric/permutation_ecmp.toml",
                                ["topology.hosts_per_leaf=4"], ["topology.hosts_per_leaf=256"]),
    "fabric_flow_spines": ("scenarios/fabric/permutation_ecmp.toml",
                           ["topology.leaves=64", "topology.hosts_per_leaf=16", "topology.spines=8"],
                           ["topology.leaves=64", "topology.hosts_per_leaf=16", "topology.spines=512"]),
    "fabric_flow_moe": ("scenarios/fabric/moe_alltoall.toml",
                        ["workload.experts=8", "topology.hosts_per_leaf=64"],
                        ["workload.experts=256", "topology.hosts_per_leaf=64"]),
    "fabric_packet": ("scenarios/fabric/permutation_packet_spray.toml",
                      ["topology.hosts_per_leaf=4"], ["topology.hosts_per_leaf=64"]),
    "quantum_routers": ("scenarios/quantum/chain.toml", [], ["topology.routers=2000"]),
    "training_ranks": ("scenarios/training/gpt_small_dp_pp.toml", ["model.global_batch=2048"],
                       ["parallelism.dp=64", "model.global_batch=2048"]),
    "accelerator_batch": ("scenarios/accelerator/resnet50_h100.toml", [], ["workload.batch=64"]),
    "mm1_customers": ("scenarios/examples/mm1.toml", ["queue.customers=1000"], ["queue.customers=2000000"]),
}


# Under AddressSanitizer (`make sanitize`) peak RSS is mostly shadow memory and the
# freed-memory quarantine: the comparison holds for the program as built by `make test`.
@pytest.mark.skipif(bool(os.environ.get("SIMFABRIC_SANITIZED")),
                    reason="peak RSS under AddressSanitizer measures the sanitizer, not the program")
@pytest.mark.parametrize("case", sorted(RATIO_CASES))
def test_estimate_is_within_a_factor_of_measured_peak_memory(simfabric_bin, repo_root, case):
    path, small, large = RATIO_CASES[case]
    scenario = repo_root / path

    def sets(values):
        return [arg for v in values for arg in ("--set", v)]

    grown_rss = (peak_rss_bytes(simfabric_bin, "run", scenario, *sets(large)) -
                 peak_rss_bytes(simfabric_bin, "run", scenario, *sets(small)))
    grown_estimate = (estimate_bytes(simfabric_bin, scenario, *sets(large)) -
                      estimate_bytes(simfabric_bin, scenario, *sets(small)))
    if grown_rss < 16 << 20:  # too little growth to compare: both must stay small
        assert grown_estimate < 64 << 20, (grown_estimate, grown_rss)
        return
    ratio = grown_estimate / grown_rss
    assert 0.5 <= ratio <= 3.0, (case, grown_estimate, grown_rss, ratio)
