"""A transformer block (sequence 2048, batch 8, bf16) on an H100 and an A100: latency,
energy, and the share of time each bottleneck (compute or a memory tier) holds.

    python examples/accelerator_h100_vs_a100.py
"""

import pandas as pd

import simfabric as sf

rows, shares = [], {}
for device in ("h100", "a100"):
    r = sf.accelerator.run_network(device, "transformer_block", batch=8, seq=2048, dtype="bf16")
    operators = r.to_pandas("operators")
    shares[device] = operators.groupby("bottleneck")["latency_s"].sum() / operators["latency_s"].sum()
    rows.append({"device": device, "latency_ms": r.latency_s * 1e3, "energy_j": r.energy_j,
                 "tera_ops_per_s": r.ops / r.latency_s / 1e12})

summary = pd.DataFrame(rows).set_index("device")
print(summary.round(4).to_string())
print(f"\nH100 speed-up over A100: {summary.loc['a100', 'latency_ms'] / summary.loc['h100', 'latency_ms']:.2f}x")
print("\nshare of time by bottleneck:")
print(pd.DataFrame(shares).fillna(0.0).round(3).to_string())
