"""The layouts the project writes: single runs (sim::Recorder: root attributes for
provenance, /summary attributes with `<metric>.unit`, /stats/<name> groups,
/tables/<table>/<column> datasets with a `unit` attribute) and sweeps (/points, one
dataset per column, and /details/<point> holding a run's layout per point)."""

from __future__ import annotations

import math
import pathlib
import tomllib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

import h5py
import numpy as np


class IncompleteResultError(ValueError):
    """The file was not written to completion (its `complete` attribute is not 1)."""


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column(dataset: h5py.Dataset) -> np.ndarray:
    data = dataset[()]
    if data.dtype.kind in ("O", "S"):
        data = np.array([_plain(v) for v in data], dtype=object)
    return data


def _frame(columns: Dict[str, np.ndarray], units: Dict[str, str]):
    import pandas as pd

    frame = pd.DataFrame(columns)
    frame.attrs["units"] = {k: v for k, v in units.items() if k in columns}
    return frame


@dataclass
class Result:
    """One run: provenance (`attrs`), summary metrics with their units, statistics and
    tables. `kind` is the scenario kind (fabric, accelerator, quantum, mm1) or, for files
    written by `search`, "search"."""

    path: pathlib.Path
    attrs: Dict[str, Any]
    summary: Dict[str, Any]
    units: Dict[str, str]
    stats: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    tables: Dict[str, Dict[str, np.ndarray]] = field(default_factory=dict)
    table_units: Dict[str, Dict[str, str]] = field(default_factory=dict)

    @property
    def seed(self) -> int:
        return int(self.attrs["seed"])

    @property
    def scenario(self) -> str:
        return str(self.attrs.get("scenario", ""))

    @property
    def kind(self) -> str:
        if "kind" in self.summary:
            return str(self.summary["kind"])
        if "front" in self.tables or "evaluated" in self.tables:
            return "search"
        try:
            return str(tomllib.loads(self.scenario).get("kind", "unknown"))
        except tomllib.TOMLDecodeError:
            return "unknown"

    def table(self, name: str):
        """The table as a pandas DataFrame (columns in file order, strings decoded);
        `frame.attrs["units"]` maps columns to their units."""
        if name not in self.tables:
            raise KeyError(f"{self.path}: no table '{name}' (tables: {', '.join(sorted(self.tables)) or 'none'})")
        return _frame(self.tables[name], self.table_units.get(name, {}))

    def table_names(self) -> List[str]:
        return sorted(self.tables)

    def metric(self, name: str) -> float:
        """A summary metric as a float; NaN when the run recorded none by that name."""
        value = self.summary.get(name, math.nan)
        return float(value) if isinstance(value, (int, float)) else math.nan

    def summary_frame(self):
        """The summary as rows (metric, value, unit)."""
        import pandas as pd

        rows = [(k, v, self.units.get(k, "")) for k, v in sorted(self.summary.items())]
        return pd.DataFrame(rows, columns=["metric", "value", "unit"])

    def series_names(self) -> List[str]:
        return sorted(k for k, s in self.stats.items() if s.get("kind") == "time_series")

    def series(self, name: str):
        """A time series statistic as a DataFrame with columns time_s and value."""
        stat = self.stats.get(name)
        if stat is None or stat.get("kind") != "time_series":
            raise KeyError(f"{self.path}: no time series '{name}' (series: {', '.join(self.series_names()) or 'none'})")
        frame = _frame({"time_s": np.asarray(stat["time"]), "value": np.asarray(stat["value"])},
                       {"time_s": "s", "value": stat.get("unit", "")})
        return frame


def _read_stats(group: h5py.Group, prefix: str, out: Dict[str, Dict[str, Any]]) -> None:
    for name, item in group.items():
        full = f"{prefix}{name}"
        if not isinstance(item, h5py.Group):
            continue
        if "kind" in item.attrs:
            stat = {key: _plain(value) for key, value in item.attrs.items()}
            for dataset_name, dataset in item.items():
                if isinstance(dataset, h5py.Dataset):
                    stat[dataset_name] = dataset[()]
            out[full] = stat
        else:
            _read_stats(item, full + "/", out)


def _read_tables(group: h5py.Group, prefix: str, out: Dict[str, Dict[str, np.ndarray]],
                 units: Dict[str, Dict[str, str]]) -> None:
    columns = {name: item for name, item in group.items() if isinstance(item, h5py.Dataset)}
    if columns:
        name = prefix.rstrip("/")
        out[name] = {column: _column(dataset) for column, dataset in columns.items()}
        units[name] = {column: _plain(dataset.attrs["unit"]) for column, dataset in columns.items()
                       if "unit" in dataset.attrs}
    for name, item in group.items():
        if isinstance(item, h5py.Group):
            _read_tables(item, f"{prefix}{name}/", out, units)


def _read_run(group: h5py.Group, path: pathlib.Path, attrs: Dict[str, Any]) -> Result:
    summary: Dict[str, Any] = {}
    units: Dict[str, str] = {}
    if "summary" in group:
        for key, value in group["summary"].attrs.items():
            if key.endswith(".unit"):
                units[key[: -len(".unit")]] = _plain(value)
            else:
                summary[key] = _plain(value)
    result = Result(path=path, attrs=attrs, summary=summary, units=units)
    if "stats" in group:
        _read_stats(group["stats"], "", result.stats)
    if "tables" in group:
        _read_tables(group["tables"], "", result.tables, result.table_units)
    return result


class Sweep:
    """A sweep's results: `points` (one row per point: point, replica, seed, one column per
    parameter, the summary metrics, status, error, wall_s), `units` per column,
    `parameters` (the swept keys, in the sweep file's order) and, when the sweep kept
    them, each point's full results through `details(point)`."""

    def __init__(self, path: pathlib.Path, attrs: Dict[str, Any], columns: Dict[str, np.ndarray],
                 units: Dict[str, str], detail_ids: List[int]):
        self.path = path
        self.attrs = attrs
        self.units = units
        self._columns = columns
        self._detail_ids = detail_ids
        try:
            spec = tomllib.loads(str(attrs.get("sweep", "")))
        except tomllib.TOMLDecodeError:
            spec = {}
        declared = list(spec.get("parameters", {}))
        self.parameters: List[str] = [p for p in declared if p in columns]
        self.replicas = int(spec.get("sweep", {}).get("replicas", 1))
        bookkeeping = {"point", "replica", "seed", "status", "error", "wall_s"}
        self.metrics: List[str] = [c for c in columns if c not in bookkeeping and c not in self.parameters]

    kind = "sweep"

    @property
    def seed(self) -> int:
        return int(self.attrs["seed"])

    @property
    def scenario(self) -> str:
        return str(self.attrs.get("scenario", ""))

    @property
    def points(self):
        """The /points table as a DataFrame (strings decoded; `attrs["units"]`)."""
        return _frame(self._columns, self.units)

    def table(self, name: str):
        if name != "points":
            raise KeyError(f"{self.path}: a sweep has the table 'points' only (per-point tables: details(point))")
        return self.points

    def detail_points(self) -> List[int]:
        """Points whose full results the file holds (the sweep's `details = true`)."""
        return list(self._detail_ids)

    def details(self, point: int) -> Result:
        """Point `point`'s full results as a Result (its seed in attrs)."""
        if point not in self._detail_ids:
            where = "this sweep kept no details (details = true in its file)" if not self._detail_ids else \
                f"points with details: {self._detail_ids[0]}..{self._detail_ids[-1]}"
            raise KeyError(f"{self.path}: no details for point {point} ({where})")
        with h5py.File(self.path, "r") as f:
            group = f[f"details/{point}"]
            attrs = dict(self.attrs)
            attrs.update({key: _plain(value) for key, value in group.attrs.items()})
            return _read_run(group, self.path, attrs)

    def detail_table(self, name: str):
        """Table `name` of every point with details, stacked: columns point, replica and
        the parameters first, then the table's own (units in `attrs["units"]`)."""
        import pandas as pd

        points = self.points.set_index("point")
        frames = []
        units: Dict[str, str] = {}
        for point in self._detail_ids:
            frame = self.details(point).table(name)
            units.update(frame.attrs.get("units", {}))
            keys = {"point": point, "replica": points.loc[point, "replica"]}
            keys.update({p: points.loc[point, p] for p in self.parameters})
            frames.append(frame.assign(**keys)[list(keys) + list(frame.columns)])
        if not frames:
            raise KeyError(f"{self.path}: this sweep kept no details (details = true in its file)")
        stacked = pd.concat(frames, ignore_index=True)
        stacked.attrs["units"] = units
        return stacked

    def to_xarray(self, metrics: Optional[List[str]] = None):
        """The metrics as an xarray.Dataset over the parameters and `replica`.

        A full grid of parameters becomes one dimension per parameter; sampled
        parameters (random, Latin hypercube) a dimension `sample` with the parameters as
        its coordinates. Failed points are NaN. Units are each variable's `units` attribute.
        """
        import pandas as pd
        import xarray as xr

        frame = self.points
        metrics = metrics or [m for m in self.metrics if np.issubdtype(frame[m].dtype, np.number)]
        unknown = [m for m in metrics if m not in frame.columns]
        if unknown:
            raise KeyError(f"{self.path}: no metric {', '.join(unknown)} (metrics: {', '.join(self.metrics)})")
        replica = frame["replica"] if "replica" in frame else pd.Series(np.zeros(len(frame), dtype=int))
        configs = frame[self.parameters].drop_duplicates() if self.parameters else frame.iloc[:1, :0]
        grid_size = int(np.prod([frame[p].nunique() for p in self.parameters])) if self.parameters else 1
        if self.parameters and grid_size == len(configs):
            indexed = frame.assign(replica=replica).set_index(self.parameters + ["replica"])[metrics]
            dataset = indexed.to_xarray()
        else:
            sample = frame.groupby(self.parameters, sort=False).ngroup() if self.parameters else replica * 0
            indexed = frame.assign(replica=replica, sample=sample).set_index(["sample", "replica"])
            dataset = indexed[metrics].to_xarray()
            for p in self.parameters:
                first = frame.assign(sample=sample).groupby("sample")[p].first()
                dataset = dataset.assign_coords({p: ("sample", first.to_numpy())})
        for m in metrics:
            dataset[m].attrs["units"] = self.units.get(m, "")
        dataset.attrs.update({k: v for k, v in self.attrs.items() if isinstance(v, (str, int, float))})
        return dataset


def load(path: Union[str, pathlib.Path], *, allow_incomplete: bool = False) -> Union[Result, Sweep]:
    """Reads a result file: a Sweep for `simfabric sweep` output, a Result for anything
    else (`run`, `search`, Python `save`). Raises FileNotFoundError, or
    IncompleteResultError for a file whose run did not finish (unless allow_incomplete)."""
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such result file")
    with h5py.File(path, "r") as f:
        attrs = {key: _plain(value) for key, value in f.attrs.items()}
        if attrs.get("complete") != 1 and not allow_incomplete:
            raise IncompleteResultError(f"{path}: the run that wrote this file did not complete")
        if "points" in f and isinstance(f["points"], h5py.Group):
            columns = {name: _column(d) for name, d in f["points"].items() if isinstance(d, h5py.Dataset)}
            units = {name: _plain(d.attrs["unit"]) for name, d in f["points"].items()
                     if isinstance(d, h5py.Dataset) and "unit" in d.attrs}
            details = sorted(int(k) for k in f["details"]) if "details" in f else []
            return Sweep(path, attrs, columns, units, details)
        return _read_run(f, path, attrs)
