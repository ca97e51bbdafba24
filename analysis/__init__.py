"""Read simfabric result files (HDF5) into Python, numpy and pandas.

    from simfabric import analysis
    result = analysis.load("ring.h5")
    result.summary["completion_time_s"]
    result.table("flows")          # pandas.DataFrame, one column per dataset
    result.stats["wait"]["mean"]
"""

from .results import IncompleteResultError, Result, load

__all__ = ["IncompleteResultError", "Result", "load"]
