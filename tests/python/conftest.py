"""Shared fixtures: the built package is on PYTHONPATH (see the Makefile); the CLI path
comes from SIMFABRIC_BIN."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def simfabric_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("SIMFABRIC_BIN", ROOT / "build" / "bin" / "simfabric"))
    if not path.exists():
        pytest.fail(f"simfabric binary not found at {path}; run `make` first")
    return path


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return ROOT
