"""Broken scenario and sweep files: each gets its expected errors (all of them together,
with file and line), exit code 2, and nothing written. Good files with includes load."""

import json
import pathlib
import subprocess

import pytest

BAD = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "bad"
GOOD = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "good"
BAD_FILES = sorted(BAD.glob("*.toml"))


def expectations(path):
    return [line.split("# expect:", 1)[1].strip() for line in path.read_text().splitlines()
            if line.startswith("# expect:")]


def run(binary, *args, cwd=None):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_the_corpus_is_there_and_every_file_says_what_it_expects():
    assert len(BAD_FILES) >= 20
    for path in BAD_FILES:
        assert expectations(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_bad_file_is_rejected_with_every_expected_error(simfabric_bin, path, tmp_path):
    is_sweep = path.name.startswith("sweep_")
    check = run(simfabric_bin, *(["sweep", "plan", path] if is_sweep else ["validate", path]))
    assert check.returncode == 2, check
    for expected in expectations(path):
        assert expected in check.stderr, f"missing {expected!r} in:\n{check.stderr}"
    assert check.stdout == ""

    output = tmp_path / "out.h5"
    attempt = run(simfabric_bin, *(["sweep", "run", path, "-o", output] if is_sweep else ["run", path, "-o", output]))
    assert attempt.returncode == 2, attempt
    assert list(tmp_path.iterdir()) == [], "a rejected file must not leave output behind"


def test_include_merges_the_base_and_the_file_wins(simfabric_bin):
    out = run(simfabric_bin, "run", GOOD / "with_include.toml", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["customers"] == 3000  # from the including file
    assert summary["seed"] == 5  # from the base
    assert summary["server_utilisation"] == pytest.approx(0.5, abs=0.05)  # 500k / 1M


def test_set_overrides_apply_after_includes(simfabric_bin):
    out = run(simfabric_bin, "run", GOOD / "with_include.toml", "--set", "queue.customers=1500", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["customers"] == 1500
