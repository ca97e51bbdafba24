"""ECMP against packet spraying on a 256-host leaf-spine with 2:1 oversubscription:
a random permutation (every host sends 4 MiB to another) under each policy, the
flow completion times compared and plotted.

    python examples/fabric_ecmp_vs_spray.py [-o fct.png] [--hosts-per-leaf 16]
"""

import argparse

import numpy as np

import simfabric as sf

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("-o", "--output", default="fabric_ecmp_vs_spray.png")
parser.add_argument("--leaves", type=int, default=16)
parser.add_argument("--hosts-per-leaf", type=int, default=16)
args = parser.parse_args()

fabric = sf.topologies.leaf_spine(leaves=args.leaves, spines=args.hosts_per_leaf // 2,
                                  hosts_per_leaf=args.hosts_per_leaf, host_gbps=100, oversubscription=2.0)
runs = {policy: sf.network.run_permutation(fabric, bytes=4 * 2**20, policy=policy, seed=7)
        for policy in ("ecmp", "spray")}

for policy, r in runs.items():
    print(f"{policy:6s} completion {r.completion_s * 1e3:8.3f} ms   median FCT {r.median_fct_s * 1e3:8.3f} ms   "
          f"slowdown vs ideal {r.slowdown_vs_ideal:5.2f}")

from matplotlib.figure import Figure  # noqa: E402  (plotting is optional for the numbers above)

fig = Figure(figsize=(6, 4), layout="constrained")
ax = fig.subplots()
for policy, r in runs.items():
    fct = np.sort(r.flow_completion_s[r.flow_completion_s >= 0])
    ax.step(fct * 1e3, np.arange(1, len(fct) + 1) / len(fct), where="post", label=policy)
ax.set_xlabel("flow completion time (ms)")
ax.set_ylabel("fraction of flows")
ax.set_title(f"{args.leaves * args.hosts_per_leaf} hosts, 2:1 leaf-spine, random permutation")
ax.legend()
fig.savefig(args.output, dpi=100)
print(f"plot: {args.output}")
