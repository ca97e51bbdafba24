"""The shipped example sweeps run completely and their results make physical sense."""

import subprocess

import h5py
import numpy as np


def _text(values):
    return [v.decode() if isinstance(v, bytes) else v for v in values]


def test_fabric_collectives_sweep(simfabric_bin, repo_root, tmp_path):
    output = tmp_path / "fabric.h5"
    subprocess.run([simfabric_bin, "sweep", "run", repo_root / "scenarios/sweeps/fabric_collectives.toml",
                    "--workers", "2", "-o", output], check=True, capture_output=True)
    with h5py.File(output, "r") as f:
        points = f["points"]
        assert len(points["point"]) >= 100
        assert set(_text(points["status"][:])) == {"ok"}
        assert points["wall_s"][:].max() < 1.0
        sizes = points["workload.bytes"][:]
        algorithms = _text(points["workload.algorithm"][:])
        policies = _text(points["network.policy"][:])
        uplinks = points["topology.uplink_gbps"][:]
        completion = points["completion_s"][:]
        groups = {}
        for i in range(len(sizes)):
            groups.setdefault((algorithms[i], policies[i], uplinks[i]), []).append((sizes[i], completion[i]))
        for key, runs in groups.items():
            runs.sort()
            times = [t for _, t in runs]
            # Larger collectives take longer, whatever the algorithm and path policy.
            assert all(a < b for a, b in zip(times, times[1:])), key
        # Halving the uplink speed never makes a collective faster.
        for (algorithm, policy, uplink), runs in groups.items():
            if uplink == 50:
                faster = dict(groups[(algorithm, policy, 100)])
                for size, t in runs:
                    assert t >= faster[size] * (1 - 1e-12), (algorithm, policy, size)
