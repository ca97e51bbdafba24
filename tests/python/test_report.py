"""`simfabric report`: one self-contained HTML page per results file, every section
present and every embedded image decodable; bad input exits 2."""

import base64
import io
import re
import subprocess

import pytest

pytest.importorskip("matplotlib")
from matplotlib.image import imread  # noqa: E402

from simfabric import analysis  # noqa: E402

SECTIONS = ["provenance", "summary", "plots", "tables"]


def images(page):
    found = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)"', page)
    for _, data in found:
        image = imread(io.BytesIO(base64.b64decode(data)), format="png")
        assert image.shape[0] > 50 and image[..., :3].std() > 0.01
    return [alt for alt, _ in found]


def report(simfabric_bin, source, output):
    done = subprocess.run([str(simfabric_bin), "report", str(source), "-o", str(output)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = output.read_text()
    for section in SECTIONS:
        assert f'<section id="{section}">' in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from elsewhere
    return page


@pytest.mark.parametrize("name, plots", [
    ("fabric", {"Flow completion time CDF", "Per-rank timeline", "Link utilisation over time"}),
    ("accelerator", {"Per-operator latency by bottleneck", "Roofline"}),
    ("quantum", {"Entanglement delivered over time"}),
    ("search", {"Pareto front"}),
    ("mm1", set()),
])
def test_single_runs(simfabric_bin, result_files, tmp_path, name, plots):
    page = report(simfabric_bin, result_files[name], tmp_path / "r.html")
    assert set(images(page)) == plots
    run = analysis.load(result_files[name])
    assert f"<th>seed</th><td>{run.seed}</td>" in page
    assert f"<th>simfabric version</th><td>{run.attrs['simfabric_version']}</td>" in page
    for table in run.table_names():
        assert f"<h3>{table}</h3>" in page


def test_sweep(simfabric_bin, result_files, tmp_path):
    page = report(simfabric_bin, result_files["sweep"], tmp_path / "s.html")
    assert '<section id="details">' in page
    alts = images(page)
    assert "completion_s over workload.bytes" in alts and "Flow completion time CDF" in alts
    assert "<td>ok</td><td>18</td>" in page


def test_bad_input_exits_2(simfabric_bin, tmp_path):
    missing = subprocess.run([str(simfabric_bin), "report", str(tmp_path / "none.h5"), "-o", str(tmp_path / "x.html")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "none.h5: no such result file" in missing.stderr
    not_hdf5 = tmp_path / "text.h5"
    not_hdf5.write_text("hello")
    bad = subprocess.run([str(simfabric_bin), "report", str(not_hdf5), "-o", str(tmp_path / "x.html")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "not a results file" in bad.stderr
    assert not (tmp_path / "x.html").exists()
    usage = subprocess.run([str(simfabric_bin), "report", str(not_hdf5)], capture_output=True, text=True)
    assert usage.returncode == 2 and "--output" in usage.stderr
