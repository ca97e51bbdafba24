#!/usr/bin/env python3
"""The fabric speed targets: a 1 GiB ring all-reduce on a non-blocking 400 Gb/s
leaf-spine of 1,024 hosts (target <= 2 s wall) and of 16,384 hosts, 128 leaves x 128
hosts and 128 spines (target <= 60 s wall, <= 4 GiB peak RSS).

    /usr/bin/python3 bench/fabric_allreduce.py --build-dir build [--hosts 1024 16384]

Each run is `simfabric bench allreduce --hosts H --json`; the table compares the
simulated time with the alpha-beta formula and the wall time with the target.
"""

import argparse
import json
import pathlib
import subprocess
import sys

TARGETS_S = {1024: 2.0, 16384: 60.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--hosts", type=int, nargs="+", default=[1024, 16384])
    parser.add_argument("--algorithm", default="ring", choices=["ring", "tree", "hd"])
    parser.add_argument("--json-out", help="write all results to this file")
    parser.add_argument("--no-extrapolate", action="store_true", help="simulate every ring step")
    args = parser.parse_args()

    binary = pathlib.Path(args.build_dir) / "bin" / "simfabric"
    results = []
    for hosts in args.hosts:
        out = subprocess.run([str(binary), "bench", "allreduce", "--hosts", str(hosts), "--algorithm",
                              args.algorithm, "--json"] + (["--no-extrapolate"] if args.no_extrapolate else []),
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        results.append(r)
        target = TARGETS_S.get(hosts)
        verdict = "" if target is None else ("meets" if r["wall_s"] <= target else "MISSES") + f" {target:g} s target"
        print(f"{hosts:6d} hosts: simulated {r['simulated_s'] * 1e3:8.3f} ms (alpha-beta {r['formula_s'] * 1e3:8.3f} ms), "
              f"{r['flows']:>11,d} flows ({r['flows_simulated']:>9,d} simulated), {r['events']:>10,d} events, wall {r['wall_s']:7.2f} s, "
              f"peak RSS {r['peak_rss_bytes'] / 2**20:7.1f} MiB  {verdict}")
    if args.json_out:
        pathlib.Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
