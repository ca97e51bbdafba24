"""Read simfabric result files (HDF5) into Python, numpy and pandas; plot and report them.

    from simfabric import analysis
    result = analysis.load("ring.h5")          # a Result; a Sweep for `sweep run` output
    result.summary["completion_s"], result.units["completion_s"]
    result.table("flows")                      # pandas.DataFrame; .attrs["units"] per column
    result.stats["wait"]["mean"]
    sweep = analysis.load("sweep.h5")
    sweep.points                               # one row per point, parameters and metrics
    sweep.to_xarray()                          # metrics over the parameters and replicas
    analysis.plots.sweep_curve(sweep, "workload.bytes", "busbw", by="network.policy")
    analysis.report.write(result, "report.html")   # or: simfabric report ring.h5 -o report.html
"""

import importlib

from .results import IncompleteResultError, Result, Sweep, load


def __getattr__(name):
    # plots and report load on first use: `python -m simfabric.analysis.report` must not
    # find its own module imported already, and reading results needs no matplotlib.
    if name in ("plots", "report"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["IncompleteResultError", "Result", "Sweep", "load", "plots", "report"]
