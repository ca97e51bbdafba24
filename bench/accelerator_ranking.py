#!/usr/bin/env python3
"""How well simulated latencies rank the networks of the public latency tables.

For every device column of data/latency/*.csv (NAS-Bench-201, FBNet, OFA-MobileNetV3) the
networks are built with the simulator's builders at the column's batch size, simulated on
the column's device file (scenarios/devices/columns.toml) and ranked against the
measured latencies; the baseline ranks them by multiply-accumulate count. Only a rank
is compared, so a per-device scale (the one thing a user would calibrate) changes
nothing; --error also reports the error left after a scale taken from the first 800 rows.

By default the last 200 rows are evaluated (the held-out rows of data/latency/README.md);
--rows train evaluates the first 800, which is where device parameters may be chosen.

    /usr/bin/python3 bench/accelerator_ranking.py                 # all tables, markdown
    /usr/bin/python3 bench/accelerator_ranking.py --table fbnet --column gold --json
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEVICES = ROOT / "scenarios" / "devices"
LATENCY = ROOT / "data" / "latency"
sys.path.append(str(ROOT / "build" / "python"))  # after PYTHONPATH, which may name another build

# table -> (file, columns describing the architecture)
TABLES = {
    "nb201": ("nb201_latency_ms.csv", ["nb201_index", "arch_str"]),
    "fbnet": ("fbnet_latency_ms.csv", ["sample", "op_idx_22", "op_str_22"]),
    "ofa": ("ofa_mbv3_latency_ms.csv", ["sample", "resolution", "depth_5", "ks_20", "e_20"]),
}
GPU_BATCHES = ("1", "32", "64", "256")


def column_map(devices: pathlib.Path = DEVICES) -> dict:
    with open(devices / "columns.toml", "rb") as f:
        return tomllib.load(f)["columns"]


def device_of(column: str, mapping: dict) -> tuple[str, str, int]:
    """(device file, dtype, batch) of a table column; the longest matching prefix wins."""
    prefix, _, suffix = column.rpartition("_")
    if suffix in GPU_BATCHES and prefix in mapping:
        entry, batch = mapping[prefix], int(suffix)
    else:
        known = [p for p in mapping if column == p or column.startswith(p + "_")]
        if not known:
            raise KeyError(f"column {column!r} has no device in columns.toml")
        entry, batch = mapping[max(known, key=len)], 1
    return entry["device"], entry["dtype"], batch


def read_table(name: str):
    import pandas as pd
    return pd.read_csv(LATENCY / TABLES[name][0])


def latency_columns(name: str, frame) -> list[str]:
    return [c for c in frame.columns if c not in TABLES[name][1]]


def networks(acc, name: str, rows, batch: int, dtype: str) -> list:
    if name == "nb201":
        return [acc.nas_bench_201(a, batch, dtype) for a in rows.arch_str]
    if name == "fbnet":
        return [acc.fbnet(a, batch, dtype) for a in rows.op_str_22]
    split = lambda s: [int(x) for x in s.split("-")]  # noqa: E731
    return [acc.ofa_mbv3(int(r.resolution), split(r.depth_5), split(r.ks_20), split(r.e_20), batch, dtype)
            for r in rows.itertuples()]


def macs(net) -> int:
    return sum(op.ops for op in net if op.kind in ("conv2d", "gemm")) // 2


def ranks(values) -> list[float]:
    """Average ranks (ties share the mean of their positions)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2.0
        i = j + 1
    return out


def pearson(a, b) -> float:
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = sum((x - ma) ** 2 for x in a)
    vb = sum((y - mb) ** 2 for y in b)
    return cov / math.sqrt(va * vb) if va > 0 and vb > 0 else float("nan")


def spearman(a, b) -> float:
    return pearson(ranks(list(a)), ranks(list(b)))


def kendall(a, b) -> float:
    """Kendall's tau-b (ties counted on either side)."""
    a, b = list(a), list(b)
    concordant = discordant = ties_a = ties_b = 0
    for i in range(len(a)):
        for j in range(i + 1, len(a)):
            da, db = a[i] - a[j], b[i] - b[j]
            if da == 0 and db == 0:
                continue
            if da == 0:
                ties_a += 1
            elif db == 0:
                ties_b += 1
            elif (da > 0) == (db > 0):
                concordant += 1
            else:
                discordant += 1
    n0 = concordant + discordant
    denom = math.sqrt((n0 + ties_a) * (n0 + ties_b))
    return (concordant - discordant) / denom if denom > 0 else float("nan")


def simulate(acc, device, nets, pool) -> list[float]:
    return list(pool.map(lambda net: acc.run_network(device, net)["latency_s"] * 1e3, nets))


def evaluate(table: str, column: str, rows: str = "test", step: int = 1, limit: int | None = None,
             error: bool = False, pool=None, mapping: dict | None = None) -> dict:
    """Spearman and Kendall of simulation and MAC count against one measured column."""
    from simfabric import accelerator as acc
    mapping = mapping or column_map()
    frame = read_table(table)
    chosen = frame.tail(200) if rows == "test" else frame.head(800)
    chosen = chosen.iloc[::step]
    if limit:
        chosen = chosen.head(limit)
    file, dtype, batch = device_of(column, mapping)
    device = acc.load_device(DEVICES / file)
    own_pool = pool is None
    pool = pool or ThreadPoolExecutor(2)
    nets = networks(acc, table, chosen, batch, dtype)
    sim = simulate(acc, device, nets, pool)
    mac = [macs(n) for n in nets]
    measured = list(chosen[column])
    out = {"table": table, "column": column, "device": file, "batch": batch, "dtype": dtype, "rows": len(nets),
           "spearman_sim": spearman(sim, measured), "spearman_macs": spearman(mac, measured),
           "kendall_sim": kendall(sim, measured), "kendall_macs": kendall(mac, measured)}
    if error:
        # One scale per device column, from the first 800 rows (measured / simulated).
        train = frame.head(800).iloc[::4]
        train_sim = simulate(acc, device, networks(acc, table, train, batch, dtype), pool)
        ratios = sorted(m / s for m, s in zip(train[column], train_sim))
        scale = ratios[len(ratios) // 2]
        out["scale"] = scale
        out["mape"] = sum(abs(scale * s - m) / m for s, m in zip(sim, measured)) / len(sim)
    if own_pool:
        pool.shutdown()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="append", choices=sorted(TABLES), help="table(s) to evaluate (default: all)")
    parser.add_argument("--column", action="append", help="only columns containing this text")
    parser.add_argument("--rows", choices=("test", "train"), default="test",
                        help="test: the last 200 rows (default); train: the first 800")
    parser.add_argument("--step", type=int, default=1, help="every step-th row only")
    parser.add_argument("--limit", type=int, help="at most this many rows")
    parser.add_argument("--error", action="store_true", help="also the MAPE after a scale from the first 800 rows")
    parser.add_argument("--json", action="store_true", help="one JSON object per column instead of a table")
    args = parser.parse_args()

    mapping = column_map()
    results = []
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        for table in args.table or list(TABLES):
            frame = read_table(table)
            for column in latency_columns(table, frame):
                if args.column and not any(c in column for c in args.column):
                    continue
                r = evaluate(table, column, args.rows, args.step, args.limit, args.error, pool, mapping)
                results.append(r)
                if args.json:
                    print(json.dumps(r), flush=True)
    if args.json:
        return 0
    print(f"rows: {args.rows} ({'last 200' if args.rows == 'test' else 'first 800'}), step {args.step}; "
          f"{time.perf_counter() - started:.0f} s\n")
    header = "| table | column | device | rho sim | rho MACs | tau sim | tau MACs | sim better |"
    if args.error:
        header += " MAPE (scaled) |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    wins = 0
    for r in results:
        better = r["spearman_sim"] > r["spearman_macs"]
        wins += better
        line = (f"| {r['table']} | {r['column']} | {r['device'][:-5]} | {r['spearman_sim']:.3f} | "
                f"{r['spearman_macs']:.3f} | {r['kendall_sim']:.3f} | {r['kendall_macs']:.3f} | "
                f"{'yes' if better else '**no**'} |")
        if args.error:
            line += f" {100 * r['mape']:.1f}% |"
        print(line)
    print(f"\nsimulation ranks better than MACs on {wins} of {len(results)} columns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
