#!/usr/bin/env python3
"""Sweep overhead and scaling.

1. Per-point overhead: 10,000 trivial M/M/1 points (one customer each) on one worker;
   reports wall time per point of the whole `simfabric sweep run` (plan, journal, HDF5).
2. Scaling: non-trivial points (M/M/1, --customers each) on 1 and 2 workers.
3. Process start: one `sweep run-point` process, the unit a Slurm array task pays once.

Usage: bench/sweep_bench.py [--bin build/bin/simfabric] [--points 10000] [--customers 300000]
Prints one JSON object.
"""

import argparse
import json
import os
import pathlib
import resource
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def write_sweep(directory, name, customers, replicas):
    path = pathlib.Path(directory) / f"{name}.toml"
    path.write_text(f"""kind = "sweep"
[sweep]
scenario = "{(ROOT / 'scenarios/examples/mm1.toml').as_posix()}"
set = ["queue.customers={customers}"]
replicas = {replicas}
""")
    return path


def timed_run(binary, sweep, output, workers):
    """Wall and CPU seconds of one `sweep run` (CPU / wall near `workers` when the
    machine has cores to spare; far below it on a loaded machine)."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "sweep", "run", str(sweep), "-o", str(output), "--workers", str(workers),
                    "--no-progress"], check=True, capture_output=True)
    wall = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=str(ROOT / "build/bin/simfabric"))
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--heavy-points", type=int, default=40)
    parser.add_argument("--customers", type=int, default=300_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        trivial = write_sweep(tmp, "trivial", 1, args.points)
        trivial_s, _ = timed_run(args.bin, trivial, pathlib.Path(tmp) / "trivial.h5", 1)

        heavy = write_sweep(tmp, "heavy", args.customers, args.heavy_points)
        one_s, one_cpu = timed_run(args.bin, heavy, pathlib.Path(tmp) / "one.h5", 1)
        two_s, two_cpu = timed_run(args.bin, heavy, pathlib.Path(tmp) / "two.h5", 2)

        starts = []
        for _ in range(10):
            start = time.perf_counter()
            subprocess.run([args.bin, "sweep", "run-point", str(trivial), "--point", "0", "--json"], check=True,
                           capture_output=True)
            starts.append(time.perf_counter() - start)

    print(json.dumps({
        "benchmark": "sweep",
        "trivial_points": args.points,
        "trivial_wall_s": trivial_s,
        "overhead_ms_per_point": 1e3 * trivial_s / args.points,
        "heavy_points": args.heavy_points,
        "heavy_customers": args.customers,
        "heavy_wall_s_1_worker": one_s,
        "heavy_wall_s_2_workers": two_s,
        "speedup_2_workers": one_s / two_s,
        "heavy_cpu_s_1_worker": one_cpu,
        "heavy_cpu_s_2_workers": two_cpu,
        "cores": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "run_point_process_ms": 1e3 * min(starts),
    }))


if __name__ == "__main__":
    main()
