#!/usr/bin/env python3
"""Hardware-aware search on the estimators: quality against exhaustive fronts, budgets
against measured latencies, and speed.

1. NAS-Bench-201, every device column of data/latency/nb201_latency_ms.csv: a space model
   calibrated on the first 100 rows (the other columns as priors, fitted on rows 0..799);
   all 15,625 cells priced and the exhaustive Pareto front of (estimated latency, proxy)
   taken, unconstrained and under the median cell's latency; NSGA-II and random search
   with 1,000 evaluations each, over several seeds. Coverage: the share of exhaustive-front
   points that a found point equals or dominates, each objective allowed `eps` times its
   range over the exhaustive front (eps = 0 and 0.01). Hypervolume ratio: found over
   exhaustive, against a reference 10% beyond the exhaustive front's worst corner.
2. Budgets against measurements: every architecture a search returns under the budget is
   under it by the estimator (checked); the share of them the table measures under it,
   on the held-out rows 800..999 of the exhaustive evaluation and on the searches' points.
3. Speed: `simfabric search` with 100,000 evaluations on FBNet and OFA-MobileNetV3 (space
   models), and with operator models (mixed precision, the llm space).

  PYTHONPATH=build/python /usr/bin/python3 bench/search_bench.py [--seeds 5] [--markdown] [--json out.json]
                                                                 [--columns A,B] [--from-json out.json]
"""

import argparse
import json
import pathlib
import subprocess
import tempfile

import numpy as np
import pandas as pd

from simfabric import cost, search

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "latency"
BIN = ROOT / "build" / "bin" / "simfabric"
TEST_FROM = 800


def objectives(frame, column="proxy"):
    return np.column_stack([frame["latency_ms"], -np.asarray(frame[column], dtype=float)])


def front_quality(space, model, seeds, budget):
    everything = search.evaluate(space, model, space.enumerate())
    points = objectives(everything)
    feasible = np.flatnonzero(points[:, 0] <= budget)
    reference = points[feasible][search.pareto_front(points[feasible])]
    corner = reference.max(axis=0) + 0.1 * (reference.max(axis=0) - reference.min(axis=0))
    full = search.hypervolume(reference, corner)
    row = {"front": len(reference)}
    for algorithm in ("nsga2", "random"):
        exact, eps, hv = [], [], []
        for seed in range(1, seeds + 1):
            r = search.search(space, model, budget_ms=None if np.isinf(budget) else budget, algorithm=algorithm,
                              evaluations=1000, seed=seed)
            found = objectives(r.front)
            assert (found[:, 0] <= budget).all()
            exact.append(search.coverage(found, reference, 0.0))
            eps.append(search.coverage(found, reference, 0.01))
            hv.append(search.hypervolume(found, corner) / full)
        row[algorithm] = {"coverage": float(np.mean(exact)), "coverage_min": float(np.min(exact)),
                          "coverage_1pct": float(np.mean(eps)), "coverage_1pct_min": float(np.min(eps)),
                          "hypervolume_ratio": float(np.mean(hv))}
    return row


def budget_check(space, model, table, column, budget, seeds):
    """Held-out rows the estimator puts under the budget, and the share measured under it;
    the same for the searches' feasible points that the table measures."""
    codes = space.encode(list(table["arch_str"]))
    predicted = search.evaluate(space, model, codes)["latency_ms"]
    held = np.arange(len(table)) >= TEST_FROM
    measured = table[column].to_numpy()
    under = held & (predicted <= budget) & ~np.isnan(measured)
    rows, hits = 0, 0
    for seed in range(1, seeds + 1):
        r = search.search(space, model, budget_ms=budget, evaluations=1000, seed=seed)
        c = r.check_measured(DATA / "nb201_latency_ms.csv", column)
        rows += c["feasible_rows"]
        hits += c["feasible_under_budget"]
    return {"held_out_rows": int(under.sum()), "held_out_share": float((measured[under] <= budget).mean()),
            "search_rows": rows, "search_share": hits / rows if rows else float("nan")}


def cli_seconds(*args, repeat=3):
    best = None
    for _ in range(repeat):
        out = subprocess.run([str(BIN), "search", *map(str, args), "--json", "--quiet"], capture_output=True, text=True,
                             check=True)
        report = json.loads(out.stdout)
        best = report if best is None or report["wall_s"] < best["wall_s"] else best
    return best


def speed(workdir):
    rows = []
    for space, file, column in (("fbnet", "fbnet_latency_ms.csv", "pixel3"),
                                ("ofa-mbv3", "ofa_mbv3_latency_ms.csv", "v100_1")):
        model = cost.calibrate(DATA / file, column=column, train=100)
        path = workdir / f"{space}.json"
        cost.save(str(path), model)
        budget = float(np.median(pd.read_csv(DATA / file)[column]))
        for algorithm, population in (("nsga2", 100), ("random", 100)):
            r = cli_seconds("--space", space, "--model", path, "--budget-ms", budget, "--evaluations", 100000,
                            "--population", population, "--algorithm", algorithm)
            rows.append({"space": space, "model": f"space model ({column})", "algorithm": algorithm,
                         "evaluations": r["evaluations"], "wall_s": r["wall_s"], "front": r["front_size"]})
    a100 = workdir / "a100.json"
    subprocess.run([str(BIN), "fit", "--device", "a100", "--plan", ROOT / "scenarios/plans/networks.toml", "-o", a100,
                    "--quiet"], check=True, capture_output=True)
    for space, extra in (("fbnet", ["--precision", "int8,fp16,bf16", "--batch", 8]),
                         ("nb201", ["--precision", "int8,fp16,bf16", "--energy-mj", 5]),
                         ("llm", ["--precision", "int8,bf16", "--memory-bytes", "16 GiB"])):
        r = cli_seconds("--space", space, "--model", a100, "--budget-ms", 20, "--evaluations", 1000, *extra, repeat=1)
        rows.append({"space": space, "model": "operator model (a100)", "algorithm": "nsga2 " + " ".join(map(str, extra)),
                     "evaluations": r["evaluations"], "wall_s": r["wall_s"], "front": r["front_size"]})
    return rows


def markdown(results):
    lines = []
    for key, title in (("unconstrained", "no budget"), ("budget", "under the median cell's latency")):
        lines += [f"\nNAS-Bench-201, {title}: coverage mean over seeds (worst seed), hypervolume ratio mean\n",
                  "| column | budget ms | front | NSGA-II exact | NSGA-II eps 1% | random exact | random eps 1% "
                  "| HV NSGA-II | HV random |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for column, e in results["nb201"].items():
            q, n, r = e[key], e[key]["nsga2"], e[key]["random"]
            budget = f"{e['median_ms']:.3g}" if key == "budget" else "-"
            lines.append(f"| {column} | {budget} | {q['front']} | {n['coverage']:.2f} ({n['coverage_min']:.2f}) | "
                         f"{n['coverage_1pct']:.2f} ({n['coverage_1pct_min']:.2f}) | {r['coverage']:.2f} | "
                         f"{r['coverage_1pct']:.2f} | {n['hypervolume_ratio']:.4f} | {r['hypervolume_ratio']:.4f} |")
    lines += ["\nMeasured under the median budget: estimator-feasible held-out rows, and the searches' feasible points\n",
              "| column | budget ms | held-out rows under budget by the estimator | measured under it | "
              "search points in the table | measured under it |",
              "|---|---:|---:|---:|---:|---:|"]
    for column, e in results["nb201"].items():
        m = e["measured"]
        lines.append(f"| {column} | {e['median_ms']:.3g} | {m['held_out_rows']} | {m['held_out_share']:.3f} | "
                     f"{m['search_rows']} | {m['search_share']:.3f} |")
    lines += ["\n| space | model | search | evaluations | wall s | front |", "|---|---|---|---:|---:|---:|"]
    for r in results["speed"]:
        lines.append(f"| {r['space']} | {r['model']} | {r['algorithm']} | {r['evaluations']:,} | {r['wall_s']:.3f} | "
                     f"{r['front']} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--columns", help="comma-separated nb201 columns (default: all)")
    parser.add_argument("--from-json", help="print the markdown tables of an earlier --json run")
    args = parser.parse_args()
    if args.from_json:
        print(markdown(json.loads(pathlib.Path(args.from_json).read_text())))
        return

    table = pd.read_csv(DATA / "nb201_latency_ms.csv")
    columns = args.columns.split(",") if args.columns else None
    models = cost.calibrate_columns(str(DATA / "nb201_latency_ms.csv"), train=100, test_from=TEST_FROM, columns=columns)
    space = search.Space("nb201")
    results = {"nb201": {}, "speed": []}
    for column, model in models.items():
        lat = search.evaluate(space, model, space.enumerate())["latency_ms"]
        median = float(np.median(lat))
        entry = {"median_ms": median}
        entry["unconstrained"] = front_quality(space, model, args.seeds, np.inf)
        entry["budget"] = front_quality(space, model, args.seeds, median)
        entry["measured"] = budget_check(space, model, table, column, median, args.seeds)
        results["nb201"][column] = entry
        u, b = entry["unconstrained"], entry["budget"]
        print(f"{column:14s} front {u['front']:3d} cov {u['nsga2']['coverage']:.3f}/{u['nsga2']['coverage_1pct']:.3f} "
              f"(random {u['random']['coverage_1pct']:.3f}) HV {u['nsga2']['hypervolume_ratio']:.4f} "
              f"(random {u['random']['hypervolume_ratio']:.4f}) | budget {median:.3g} ms front {b['front']:3d} "
              f"cov {b['nsga2']['coverage']:.3f}/{b['nsga2']['coverage_1pct']:.3f} "
              f"(random {b['random']['coverage_1pct']:.3f}) HV {b['nsga2']['hypervolume_ratio']:.4f} | measured "
              f"{entry['measured']['held_out_share']:.3f} of {entry['measured']['held_out_rows']}, "
              f"{entry['measured']['search_share']:.3f} of {entry['measured']['search_rows']}", flush=True)
    with tempfile.TemporaryDirectory() as work:
        results["speed"] = speed(pathlib.Path(work))
    for row in results["speed"]:
        print(row, flush=True)

    if args.markdown:
        print(markdown(results))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
