"""Hardware-aware architecture search on the cost models.

The same search as ``simfabric search``, from Python, with any accuracy objective::

    from simfabric import search

    result = search.search("nb201", "titan.json", budget_ms=5.0, evaluations=1000, seed=1)
    result.front                      # pandas DataFrame: arch, latency_ms, proxy, evaluation
    result.evaluated                  # every architecture priced, in order
    result.save("front.h5")           # the layout of `simfabric search -o`

    # accuracy from a callable: a list of architecture strings in, one number each out
    result = search.search("nb201", "titan.json", budget_ms=5.0, objective=my_predictor)

    # or from a table column keyed by architecture
    result = search.search("nb201", "titan.json", budget_ms=5.0, objective="csv:acc.csv:top1")

Spaces: ``Space("nb201" | "fbnet" | "ofa-mbv3" | "llm", precision=["int8", "fp16",
"bf16"])``; the llm space takes lists ``layers``, ``heads``, ``d_model``, ``d_ff``, ``seq``,
``kv_len`` and a ``workload`` (serve, prefill, decode). A space enumerates (``enumerate()``,
nb201's 15,625 cells), samples (``sample(n, seed)``), encodes and decodes genomes (uint8
arrays) and gives an architecture's operator list (``operators(arch)``). Mixed precision
and the llm space are priced by operator models (``simfabric fit``).

``expected_latency(model, probs)`` is the differentiable latency term of FBNet and
ProxylessNAS: E[latency] of per-slot choice distributions (numpy, shape (n, slots,
choices)) and its gradient. ``pareto_front``, ``coverage`` and ``hypervolume`` compare
fronts. docs/search.md has the details.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, Iterable, Optional, Sequence, Union

import numpy as np

from ._core import cost as _cost
from ._core import search as _search

Space = _search.Space
Evaluator = _search.Evaluator
expected_latency = _search.expected_latency

ModelLike = Union[str, os.PathLike, "_cost.CostModel"]
ObjectiveLike = Union[str, Callable[..., Iterable[float]]]


def _model(model: ModelLike):
    if isinstance(model, _cost.CostModel):
        return model, "(in memory)"
    return _cost.load(os.fspath(model)), os.fspath(model)


def _space(space: Union[str, Space], precision: Optional[Sequence[str]], llm: Dict) -> Space:
    if isinstance(space, Space):
        if precision is not None or llm:
            raise ValueError("give precision and the llm lists to Space(...), not with a Space")
        return space
    return Space(space, precision=list(precision) if precision is not None else None, **llm)


def evaluator(space: Union[str, Space], model: ModelLike, objective: ObjectiveLike = "proxy", *,
              objective_name: str = "accuracy", precision: Optional[Sequence[str]] = None, batch: Optional[int] = None,
              dtype: str = "bf16", energy: bool = False, memory: bool = False, device=None, **llm) -> Evaluator:
    """An evaluator pricing genomes of `space` with `model` (a path or a CostModel)."""
    m, _ = _model(model)
    return Evaluator(_space(space, precision, llm), m, objective, objective_name=objective_name, batch=batch,
                     dtype=dtype, energy=energy, memory=memory, device=device)


def evaluate(space: Union[str, Space], model: ModelLike, genomes: np.ndarray, objective: ObjectiveLike = "proxy",
             **options) -> Dict[str, np.ndarray]:
    """latency_ms, the objective's column (and energy_mj, memory_bytes when asked for) of
    each genome (rows of a uint8 array from Space.encode/enumerate/sample)."""
    return evaluator(space, model, objective, **options).evaluate(np.asarray(genomes, dtype=np.uint8))


class SearchResult:
    """The architectures a search priced, and its Pareto front."""

    def __init__(self, core, space: Space):
        self._core = core
        self.space = space

    @property
    def front(self):
        """The front by increasing latency (pandas DataFrame)."""
        import pandas as pd

        return pd.DataFrame(self._core.front)

    @property
    def evaluated(self):
        """Every evaluated architecture in evaluation order (pandas DataFrame)."""
        import pandas as pd

        return pd.DataFrame(self._core.evaluated)

    @property
    def genomes(self) -> np.ndarray:
        return self._core.genomes

    @property
    def front_indices(self):
        return self._core.front_indices

    @property
    def generations(self) -> int:
        return self._core.generations

    @property
    def exhausted(self) -> bool:
        return self._core.exhausted

    def check_measured(self, table: Union[str, os.PathLike], column: str) -> Dict[str, int]:
        """Front and feasible architectures a measured table holds, and those it measures under the budget."""
        return self._core.check_measured(os.fspath(table), column)

    def save(self, path: Union[str, os.PathLike], measured: Optional[Union[str, os.PathLike]] = None,
             column: Optional[str] = None) -> None:
        """HDF5 results (simfabric.analysis.load reads them), with the measured check when a table is given."""
        self._core.save(os.fspath(path), os.fspath(measured) if measured is not None else None, column)

    def __repr__(self) -> str:
        return f"<SearchResult {self.space.name}: {len(self._core.genomes)} evaluated, {len(self._core.front_indices)} on the front>"


def search(space: Union[str, Space], model: ModelLike, budget_ms: Optional[float] = None, *,
           objective: ObjectiveLike = "proxy", objective_name: str = "accuracy", algorithm: str = "nsga2",
           evaluations: int = 1000, population: int = 50, seed: int = 1, crossover: float = 0.9, mutation: float = 0.0,
           precision: Optional[Sequence[str]] = None, batch: Optional[int] = None, dtype: str = "bf16",
           energy_mj: Optional[float] = None, memory_bytes: Optional[float] = None, minimize: Sequence[str] = (),
           device=None, progress: Optional[Callable[[int, int], None]] = None, **llm) -> SearchResult:
    """NSGA-II (or random) search of `space` priced by `model` under a latency budget (and
    energy and memory limits). The objective (maximised) is "proxy", "macs", "params",
    "csv:FILE:COLUMN" or a callable taking a list of architecture strings (and a list of
    precision strings when precision is searched) and returning one number each (NaN:
    unknown, the architecture is then infeasible). Seeded: the same arguments give the same
    result bit for bit."""
    sp = _space(space, precision, llm)
    m, model_path = _model(model)
    minimize = list(minimize)
    ev = Evaluator(sp, m, objective, objective_name=objective_name, batch=batch, dtype=dtype,
                   energy=energy_mj is not None or "energy" in minimize,
                   memory=memory_bytes is not None or "memory" in minimize, device=device)
    provenance = {
        "command": "simfabric.search.search",
        "space": sp.name,
        "model": model_path,
        "model_provenance": m.provenance,
        "budget_ms": budget_ms,
        "objective": objective if isinstance(objective, str) else getattr(objective, "__name__", "callable"),
        "algorithm": algorithm,
        "evaluations": evaluations,
        "population": population,
        "seed": seed,
        "crossover": crossover,
        "mutation": mutation,
        "precision": list(precision) if precision is not None else [],
        "dtype": dtype,
        "batch": ev.batch,
        "energy_mj": energy_mj,
        "memory_bytes": memory_bytes,
        "minimize": minimize,
    }
    core = _search.run(ev, budget_ms=budget_ms, algorithm=algorithm, evaluations=evaluations, population=population,
                       seed=seed, crossover=crossover, mutation=mutation, energy_mj=energy_mj, memory_bytes=memory_bytes,
                       minimize=minimize, progress=progress, provenance=provenance)
    return SearchResult(core, sp)


def pareto_front(values) -> list:
    """Indices of the non-dominated rows of an (n, m) array, every objective minimised."""
    return _search.pareto_front(np.asarray(values, dtype=float))


def coverage(found, reference, tolerance: float = 0.0) -> float:
    """Share of the reference points (rows, minimised) that some found point equals or
    dominates, each objective allowed `tolerance` times its range over the reference."""
    return _search.coverage(np.asarray(found, dtype=float).reshape(-1, np.shape(reference)[1]),
                            np.asarray(reference, dtype=float), tolerance)


def hypervolume(values, reference) -> float:
    """Area two-objective points (minimised) dominate up to `reference`."""
    return _search.hypervolume(np.asarray(values, dtype=float).reshape(-1, 2), list(reference))


__all__ = [
    "Evaluator",
    "SearchResult",
    "Space",
    "coverage",
    "evaluate",
    "evaluator",
    "expected_latency",
    "hypervolume",
    "pareto_front",
    "search",
]
