#!/usr/bin/env python3
"""Throughput and latency of `simfabric serve` under wrk on loopback (bench/README.md,
"Estimation service").

Starts a server with a calibrated NAS-Bench-201 model on an ephemeral port and drives it
with wrk (keep-alive connections) in two workloads:

  single  one architecture per request, cycling through 1,000 different ones;
          goal >= 20,000 requests/s with p99 < 5 ms
  batch   1,000 architectures per request; goal >= 200 requests/s

  /usr/bin/python3 bench/serve_bench.py [--build-dir build] [--duration 10]
      [--server-threads 2] [--wrk-threads 1] [--connections 32] [--json out.json]

Needs wrk (scripts/install-deps.sh --bench). Exit status 1 when a goal is missed.
"""

import argparse
import json
import os
import pathlib
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]

# wrk's Lua: each connection walks the bodies in turn, so requests price different
# architectures, as a search would.
WRK_SCRIPT = """
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local next_body = 0
request = function()
  next_body = next_body %% #bodies + 1
  return wrk.format("POST", "/v1/estimate", {["Content-Type"] = "application/json"}, bodies[next_body])
end
"""

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(text):
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        latency[f"p{pct}_ms"] = float(value) * UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    return {"requests_per_s": rate, "requests": requests, "non_2xx": int(errors.group(1)) if errors else 0, **latency}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--duration", type=int, default=10, help="seconds per workload")
    ap.add_argument("--server-threads", type=int, default=2)
    ap.add_argument("--wrk-threads", type=int, default=1)
    ap.add_argument("--connections", type=int, default=32, help="single-estimate connections")
    ap.add_argument("--batch-connections", type=int, default=4)
    ap.add_argument("--json", help="write the measurements here")
    args = ap.parse_args()

    build = (ROOT / args.build_dir).resolve()
    simfabric = build / "bin" / "simfabric"
    if shutil.which("wrk") is None:
        sys.exit("serve_bench: wrk not found (scripts/install-deps.sh --bench installs it)")
    sys.path.insert(0, str(build / "python"))
    from simfabric import cost

    work = pathlib.Path(tempfile.mkdtemp(prefix="serve_bench_"))
    try:
        model = work / "titan_rtx_1.json"
        subprocess.run([simfabric, "calibrate", "--measured", ROOT / "data/latency/nb201_latency_ms.csv",
                        "--column", "titan_rtx_1", "--train", "100", "-o", model, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        archs = cost.random_archs("nb201", 1000, seed=1)
        single = work / "single.jsonl"
        single.write_text("".join(json.dumps({"space": "nb201", "model": "titan_rtx_1", "arch": a}) + "\n"
                                  for a in archs))
        batch = work / "batch.jsonl"
        batch.write_text("".join(json.dumps({"space": "nb201", "model": "titan_rtx_1",
                                             "archs": cost.random_archs("nb201", 1000, seed=s)}) + "\n"
                                 for s in range(1, 9)))

        server = subprocess.Popen([simfabric, "serve", "--model", model, "--port", "0",
                                   "--threads", str(args.server_threads)], stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([server.stdout], [], [], 30)
        line = server.stdout.readline() if ready else ""
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if match is None:
            server.kill()
            sys.exit(f"serve_bench: the server did not start: {line!r}")
        url = f"http://127.0.0.1:{match.group(1)}/v1/estimate"

        results = {"server_threads": args.server_threads, "wrk_threads": args.wrk_threads,
                   "cpus": os.cpu_count(), "duration_s": args.duration}
        for name, bodies, connections in (("single", single, args.connections),
                                          ("batch", batch, args.batch_connections)):
            script = work / f"{name}.lua"
            script.write_text(WRK_SCRIPT % {"bodies": bodies})
            out = subprocess.run(["wrk", "-t", str(args.wrk_threads), "-c", str(connections), "-d", f"{args.duration}s",
                                  "--latency", "-s", script, url], capture_output=True, text=True, check=True)
            results[name] = {"connections": connections, **parse_wrk(out.stdout)}

        server.send_signal(signal.SIGTERM)
        results["server_exit"] = server.wait(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    goals = [("single: requests/s >= 20,000", results["single"]["requests_per_s"] >= 20_000),
             ("single: p99 < 5 ms", results["single"]["p99_ms"] < 5.0),
             ("batch of 1,000: requests/s >= 200", results["batch"]["requests_per_s"] >= 200),
             ("no error responses", results["single"]["non_2xx"] == 0 and results["batch"]["non_2xx"] == 0),
             ("server drained and exited 0", results["server_exit"] == 0)]
    for name in ("single", "batch"):
        r = results[name]
        print(f"{name:6s} {r['connections']:3d} connections: {r['requests_per_s']:10.0f} requests/s, "
              f"p50 {r['p50_ms']:.3f} ms, p90 {r['p90_ms']:.3f} ms, p99 {r['p99_ms']:.3f} ms")
    for label, ok in goals:
        print(f"  {'met   ' if ok else 'MISSED'} {label}")
    results["goals"] = {label: ok for label, ok in goals}
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0 if all(ok for _, ok in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
