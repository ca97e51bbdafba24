"""simfabric.analysis reads what the recorder writes, and refuses incomplete files."""

import subprocess

import h5py
import pytest

from simfabric import analysis


def test_load_a_run(simfabric_bin, repo_root, tmp_path):
    output = tmp_path / "mm1.h5"
    subprocess.run([simfabric_bin, "run", repo_root / "scenarios/examples/mm1.toml", "--set",
                    "queue.customers=3000", "--seed", "4", "-o", output], check=True, capture_output=True)
    result = analysis.load(output)
    assert result.seed == 4
    assert "customers = 3000" in result.scenario
    assert result.summary["customers"] == 3000
    assert result.units["mean_wait_s"] == "s"
    wait = result.stats["wait"]
    assert wait["kind"] == "tally"
    assert wait["count"] == 3000
    assert wait["mean"] == pytest.approx(result.summary["mean_wait_s"])
    histogram = result.stats["wait_histogram"]
    assert histogram["counts"].sum() + histogram["overflow"] == 3000


def test_incomplete_and_missing_files_are_refused(tmp_path):
    partial = tmp_path / "partial.h5"
    with h5py.File(partial, "w") as f:
        f.attrs["complete"] = 0
        f.attrs["seed"] = 1
    with pytest.raises(analysis.IncompleteResultError, match="did not complete"):
        analysis.load(partial)
    assert analysis.load(partial, allow_incomplete=True).seed == 1
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        analysis.load(tmp_path / "nope.h5")


def test_tables_become_dataframes(tmp_path):
    path = tmp_path / "t.h5"
    with h5py.File(path, "w") as f:
        f.attrs["complete"] = 1
        f.attrs["seed"] = 2
        f["tables/flows/bytes"] = [1.0, 2.0]
        f["tables/flows/start_s"] = [0.0, 0.5]
    result = analysis.load(path)
    frame = result.table("flows")
    assert list(frame.columns) == ["bytes", "start_s"]
    assert frame["bytes"].sum() == 3.0
    with pytest.raises(KeyError, match="no table 'links'"):
        result.table("links")
