#!/usr/bin/env python3
"""Runs the benchmarks: the event loop against its peers (ratios measured in this run)
and every model's speed target.

Every engine runs the same workload, interleaved and repeated; the best of the repeats
is kept (noise only ever slows a run). Output: tables on stdout and, with --json FILE,
every measurement as JSON.

  /usr/bin/python3 bench/run_all.py [--build-dir build] [--repeat 3] [--pending 1000 ...] [--json out.json]
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
NS3_SCHEDULERS = ["ns3::MapScheduler", "ns3::HeapScheduler", "ns3::ListScheduler",
                  "ns3::CalendarScheduler", "ns3::PriorityQueueScheduler"]


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def best(runs):
    return max(runs, key=lambda r: r["events_per_second"])


def hold(build, pending, events, repeat):
    simfabric = build / "bin" / "simfabric"
    ns3 = build / "bin" / "ns3_hold"
    results = {}
    for _ in range(repeat):
        for queue in ("simulator", "ladder", "binary", "4-ary", "8-ary"):
            r = run_json([simfabric, "bench", "hold", "--pending", str(pending), "--events", str(events),
                          "--queue", queue, "--json"])[0]
            results.setdefault(f"simfabric {queue}", []).append(r)
        if ns3.exists():
            for scheduler in NS3_SCHEDULERS:
                if scheduler == "ns3::ListScheduler" and pending > 10_000:
                    continue  # O(n) insertion: minutes at this size
                if scheduler == "ns3::CalendarScheduler" and pending > 100_000:
                    continue  # over 2 minutes for 5M events at 1M pending: its buckets collapse
                r = run_json([ns3, scheduler, str(pending), str(events), "1000", "1"])[0]
                results.setdefault(scheduler, []).append(r)
    return {name: best(runs) for name, runs in results.items()}


# (label, command after `simfabric`, JSON key measured, limit, unit, "max" or "min")
TARGETS = [
    ("fabric: 1 GiB ring all-reduce, 1,024 hosts", ["bench", "allreduce", "--hosts", "1024"], "wall_s", 2.0, "s", "max"),
    ("fabric: 1 GiB ring all-reduce, 16,384 hosts", ["bench", "allreduce", "--hosts", "16384"], "wall_s", 60.0, "s",
     "max"),
    ("fabric: 16,384 hosts, peak memory", ["bench", "allreduce", "--hosts", "16384"], "peak_rss_bytes", 4 * 2**30, "B",
     "max"),
    ("accelerator: ResNet-50 batch 1 on H100", ["bench", "network", "--model", "resnet50", "--device", "h100",
                                                "--batch", "1"], "wall_s", 0.050, "s", "max"),
    ("accelerator: ResNet-50 batch 64 on H100", ["bench", "network", "--model", "resnet50", "--device", "h100",
                                                 "--batch", "64"], "wall_s", 0.050, "s", "max"),
    ("accelerator: 10,000 random operators", ["bench", "operators", "--count", "10000", "--device", "h100"], "wall_s",
     30.0, "s", "max"),
    ("quantum: 2-router chain, events/s", ["bench", "quantum-chain", "--routers", "2"], "events_per_second", 1e6,
     "ev/s", "min"),
    ("quantum: 5-router chain, events/s", ["bench", "quantum-chain", "--routers", "5"], "events_per_second", 1e6,
     "ev/s", "min"),
    ("quantum: 9-router chain, events/s", ["bench", "quantum-chain", "--routers", "9"], "events_per_second", 1e6,
     "ev/s", "min"),
    ("quantum: 1,000-router chain, 1 s simulated", ["bench", "quantum-chain", "--routers", "1000"], "wall_s", 60.0,
     "s", "max"),
    ("quantum: 1,000-router chain, peak memory", ["bench", "quantum-chain", "--routers", "1000"], "peak_rss_bytes",
     8 * 2**30, "B", "max"),
]


def model_targets(build, repeat):
    """Each model's speed target from its issue, measured best of `repeat`."""
    simfabric = build / "bin" / "simfabric"
    print("\nmodel speed targets (best of %d)" % repeat)
    print(f"  {'benchmark':46} {'measured':>14} {'target':>14}  verdict")
    results = []
    for label, command, key, limit, unit, sense in TARGETS:
        runs = [run_json([simfabric, *command, "--json"])[0] for _ in range(repeat)]
        pick = min if sense == "max" else max
        value = pick(r[key] for r in runs)
        ok = value <= limit if sense == "max" else value >= limit
        bound = "<=" if sense == "max" else ">="
        print(f"  {label:46} {value:14.4g} {bound} {limit:10.4g} {unit:4} {'meets' if ok else 'MISSES'}")
        results.append({"benchmark": label, "measured": value, "limit": limit, "unit": unit, "meets": ok})
    sweep = json.loads(subprocess.run([sys.executable, ROOT / "bench" / "sweep_bench.py", "--bin", simfabric],
                                      capture_output=True, text=True, check=True).stdout)
    for label, value, limit, unit, ok in (
            ("sweeps: overhead per trivial point (10,000)", sweep["overhead_ms_per_point"], 5.0, "ms",
             sweep["overhead_ms_per_point"] <= 5.0),
            ("sweeps: speed-up of 2 workers over 1", sweep["speedup_2_workers"], 1.6, "x",
             sweep["speedup_2_workers"] >= 1.6)):
        bound = "<=" if unit == "ms" else ">="
        print(f"  {label:46} {value:14.4g} {bound} {limit:10.4g} {unit:4} {'meets' if ok else 'MISSES'}")
        results.append({"benchmark": label, "measured": value, "limit": limit, "unit": unit, "meets": ok})
    results.extend(serve_targets(build))
    return results


def serve_targets(build):
    """The estimation service's goals under wrk (bench/serve_bench.py); skipped without wrk."""
    if shutil.which("wrk") is None:
        print("  estimation service: skipped (wrk not installed: scripts/install-deps.sh --bench)")
        return []
    with tempfile.TemporaryDirectory() as work:
        out = pathlib.Path(work) / "serve.json"
        subprocess.run([sys.executable, ROOT / "bench" / "serve_bench.py", "--build-dir", build, "--json", out],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(build / "python")))
        if not out.exists():
            print("  estimation service: serve_bench.py failed before measuring")
            return [{"benchmark": "serve", "meets": False}]
        serve = json.loads(out.read_text())
    results = []
    for label, value, limit, unit, sense in (
            ("serve: single estimates, requests/s", serve["single"]["requests_per_s"], 20_000, "req/s", "min"),
            ("serve: single estimates, p99", serve["single"]["p99_ms"], 5.0, "ms", "max"),
            ("serve: batches of 1,000, requests/s", serve["batch"]["requests_per_s"], 200, "req/s", "min")):
        ok = value <= limit if sense == "max" else value >= limit
        bound = "<=" if sense == "max" else ">="
        print(f"  {label:46} {value:14.4g} {bound} {limit:10.4g} {unit:4} {'meets' if ok else 'MISSES'}")
        results.append({"benchmark": label, "measured": value, "limit": limit, "unit": unit, "meets": ok})
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--events", type=int, default=5_000_000,
                        help="events per hold run (at least as many as are pending)")
    parser.add_argument("--pending", type=int, nargs="+", default=[1_000, 100_000, 1_000_000, 10_000_000],
                        help="hold model sizes (pending events)")
    parser.add_argument("--json", help="write all measurements to this file")
    args = parser.parse_args()
    build = (ROOT / args.build_dir).resolve()
    if not (build / "bin" / "simfabric").exists():
        sys.exit(f"run_all: {build}/bin/simfabric not found; run `make` first")

    report = {"hold": {}}
    for pending in args.pending:
        # Every pending event runs at least once, so the large sizes are past their start.
        events = max(args.events, pending)
        best_runs = hold(build, pending, events, args.repeat)
        report["hold"][pending] = best_runs
        ours = best_runs["simfabric simulator"]["events_per_second"]
        print(f"\nhold model, {pending} pending events, {events} events (best of {args.repeat})")
        print(f"  {'engine':34} {'events/s':>12} {'simfabric x':>12} {'final t (ps)':>14}")
        for name, r in sorted(best_runs.items(), key=lambda kv: -kv[1]["events_per_second"]):
            print(f"  {name:34} {r['events_per_second']:12.4g} {ours / r['events_per_second']:12.2f}"
                  f" {r['final_time_ps']:14d}")
        finals = {r["final_time_ps"] for r in best_runs.values()}
        if len(finals) != 1:
            print("  WARNING: engines disagree on the final time: the workloads differ")
        bytes_per = best_runs["simfabric simulator"]["queue_bytes_per_pending"]
        print(f"  simfabric event storage: {bytes_per:.1f} bytes per pending event")
        ns3 = {k: v for k, v in best_runs.items() if k.startswith("ns3::")}
        if ns3:
            fastest = max(ns3.values(), key=lambda r: r["events_per_second"])
            print(f"  vs ns-3 default (MapScheduler): {ours / ns3['ns3::MapScheduler']['events_per_second']:.2f}x;"
                  f" vs fastest ({fastest['scheduler']}): {ours / fastest['events_per_second']:.2f}x")
            if pending >= 1_000_000:
                ratio = ours / fastest["events_per_second"]
                print(f"  goal at millions pending, >= 1.5x ns-3's fastest: {'meets' if ratio >= 1.5 else 'MISSES'}")

    env = dict(os.environ, PYTHONPATH=str(build / "python"))
    print("\nPython-callback hold model vs SimPy 2.3")
    for pending, events in ((1_000, 300_000), (100_000, 1_000_000)):
        out = subprocess.run([sys.executable, ROOT / "bench" / "python_hold.py", "--pending", str(pending),
                              "--events", str(events), "--repeat", str(args.repeat)],
                             capture_output=True, text=True, check=True, env=env)
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        report.setdefault("python_hold", {})[pending] = lines
        ours, peer = lines[0], lines[1]
        if "skipped" in peer:
            print(f"  {pending} pending: SimPy skipped ({peer['skipped']})")
        else:
            print(f"  {pending} pending: simfabric {ours['events_per_second']:.4g} ev/s, SimPy "
                  f"{peer['events_per_second']:.4g} ev/s, ratio {lines[2]['ratio_simfabric_python_over_simpy']:.2f}x")

    report["targets"] = model_targets(build, args.repeat)

    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
