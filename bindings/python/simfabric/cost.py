"""Fitted cost models: latency without hardware.

The same steps as the command line (``simfabric calibrate``, ``simfabric estimate``),
from Python::

    from simfabric import cost

    model = cost.calibrate("data/latency/nb201_latency_ms.csv", column="pixel3", train=10)
    print(model.report["spearman"], model.method["chosen"])
    cost.save("pixel3.json", model)

    archs = cost.random_archs("nb201", 100_000, seed=1)
    codes = cost.encode("nb201", archs)          # uint16 array (n, 23), reusable
    latency_ms = cost.load("pixel3.json").predict_ms(codes)   # numpy array

``fit(device, plan)`` fits an operator model to simulations of a sampling plan
(``simfabric fit``); it prices any space's networks with
``predict_network_ms(space, archs, batch=1)`` and reports per operator class
(``classes``). ``report(predicted, measured)`` gives the figures every model carries (Spearman, Kendall,
R^2, MAPE, RMSPE, share within 10%, budget accuracy). The model file format and the
calibration method: docs/cost.md.
"""

from __future__ import annotations

from ._core import cost as _cost

CostModel = _cost.CostModel
calibrate = _cost.calibrate
calibrate_columns = _cost.calibrate_columns
encode = _cost.encode
feature_count = _cost.feature_count
fit = _cost.fit
feature_names = _cost.feature_names
load = _cost.load
network_stats = _cost.network_stats
random_archs = _cost.random_archs
report = _cost.report
save = _cost.save
space_names = _cost.space_names

__all__ = [
    "CostModel",
    "calibrate",
    "calibrate_columns",
    "encode",
    "feature_count",
    "fit",
    "feature_names",
    "load",
    "network_stats",
    "random_archs",
    "report",
    "save",
    "space_names",
]
