"""A sweep run from Python and analysed with pandas: the M/M/1 queue of
scenarios/sweeps/mm1_load.toml (6 arrival rates x 10 service rates x 2 replicas), the
simulated mean wait against its closed form, by load, with xarray over the replicas.

    python examples/sweep_with_pandas.py [-o mm1_load.h5]
"""

import argparse
import pathlib
import subprocess
import sys

import pandas as pd

from simfabric import analysis

ROOT = pathlib.Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("-o", "--output", default="mm1_load.h5")
parser.add_argument("--sweep", default=str(ROOT / "scenarios/sweeps/mm1_load.toml"))
args = parser.parse_args()

# `python -m simfabric` is the command-line program; a finished sweep is not run again.
subprocess.run([sys.executable, "-m", "simfabric", "sweep", "run", args.sweep, "-o", args.output], check=True)

sweep = analysis.load(args.output)
points = sweep.points
points["load"] = points["queue.arrival_rate_per_s"] / points["queue.service_rate_per_s"]
points["relative_error"] = points["mean_wait_s"] / points["expected_mean_wait_s"] - 1
load_band = pd.cut(points["load"], [0, 0.25, 0.5, 0.75, 1.0])
by_load = points.groupby(load_band, observed=True)["relative_error"].agg(["count", "mean", "std"])
print(f"{len(points)} points, parameters {sweep.parameters}, units of mean_wait_s: {sweep.units['mean_wait_s']}")
print(by_load.round(4).to_string())

cube = sweep.to_xarray(["mean_wait_s"])
spread = (cube["mean_wait_s"].std("replica") / cube["mean_wait_s"].mean("replica")).max().item()
print(f"largest replica spread (std/mean) of the mean wait: {spread:.3f}")
print(f"largest |relative error| against the closed form: {points['relative_error'].abs().max():.3f}")
