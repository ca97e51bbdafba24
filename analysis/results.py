"""The layout written by sim::Recorder: root attributes (provenance), /summary attributes,
/stats/<name> groups and /tables/<table>/<column> datasets."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Union

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


@dataclass
class Result:
    path: pathlib.Path
    attrs: Dict[str, Any]
    summary: Dict[str, Any]
    units: Dict[str, str]
    stats: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    tables: Dict[str, Dict[str, np.ndarray]] = field(default_factory=dict)

    @property
    def seed(self) -> int:
        return int(self.attrs["seed"])

    @property
    def scenario(self) -> str:
        return str(self.attrs.get("scenario", ""))

    def table(self, name: str):
        """The table as a pandas DataFrame (columns in file order)."""
        import pandas as pd

        if name not in self.tables:
            raise KeyError(f"{self.path}: no table '{name}' (tables: {', '.join(sorted(self.tables)) or 'none'})")
        return pd.DataFrame(self.tables[name])

    def table_names(self) -> List[str]:
        return sorted(self.tables)


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


def _read_tables(group: h5py.Group, prefix: str, out: Dict[str, Dict[str, np.ndarray]]) -> None:
    columns = {name: item for name, item in group.items() if isinstance(item, h5py.Dataset)}
    if columns:
        table = {}
        for name, dataset in columns.items():
            data = dataset[()]
            if data.dtype.kind in ("O", "S"):
                data = np.array([_plain(v) for v in data], dtype=object)
            table[name] = data
        out[prefix.rstrip("/")] = table
    for name, item in group.items():
        if isinstance(item, h5py.Group):
            _read_tables(item, f"{prefix}{name}/", out)


def load(path: Union[str, pathlib.Path], *, allow_incomplete: bool = False) -> Result:
    """Reads a result file. Raises FileNotFoundError, or IncompleteResultError for a file
    whose run did not finish (unless allow_incomplete)."""
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such result file")
    with h5py.File(path, "r") as f:
        attrs = {key: _plain(value) for key, value in f.attrs.items()}
        if attrs.get("complete") != 1 and not allow_incomplete:
            raise IncompleteResultError(f"{path}: the run that wrote this file did not complete")
        summary: Dict[str, Any] = {}
        units: Dict[str, str] = {}
        if "summary" in f:
            for key, value in f["summary"].attrs.items():
                if key.endswith(".unit"):
                    units[key[: -len(".unit")]] = _plain(value)
                else:
                    summary[key] = _plain(value)
        result = Result(path=path, attrs=attrs, summary=summary, units=units)
        if "stats" in f:
            _read_stats(f["stats"], "", result.stats)
        if "tables" in f:
            _read_tables(f["tables"], "", result.tables)
    return result
