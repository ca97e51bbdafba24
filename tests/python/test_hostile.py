"""Careless and hostile use: extreme times, seeds and distribution parameters from Python,
nested runs, files that are not files, output paths that must not be replaced, signals
mid-run, and a corpus of a few hundred broken files (tests/hostile/make_corpus.py) run
through the command-line program, which must answer each with exit code 0, 1 or 2."""

from __future__ import annotations

import concurrent.futures
import importlib.util
import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import simfabric as sf

ROOT = pathlib.Path(__file__).resolve().parents[2]
INT64_MIN = -(2**63)
MM1 = """kind = "mm1"
seed = 1
[queue]
arrival_rate_per_s = 800.0
service_rate_per_s = 1000.0
customers = 1000
"""


def cli(binary, *args, cwd=None, timeout=60):
    return subprocess.run([str(pathlib.Path(binary).resolve()), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


# --- times -----------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda s: s.schedule(lambda: None, delay_ps=INT64_MIN),
    lambda s: s.schedule_at(lambda: None, at_ps=INT64_MIN),
    lambda s: s.run(until_ps=INT64_MIN),
])
def test_int64_min_times_are_refused_with_a_readable_message(call):
    sim = sf.Simulator(seed=1)
    with pytest.raises(sf.SchedulingError, match=r"-9\.22337e\+06 s"):
        call(sim)
    sim.schedule(lambda: None, delay_ns=1)  # still usable
    sim.run()
    assert sim.now_ps == 1000


@pytest.mark.parametrize("call", [
    lambda s: s.schedule(lambda: None, delay_ps=2**63),
    lambda s: s.schedule(lambda: None, delay_ps=-(2**70)),
    lambda s: s.schedule_at(lambda: None, at_ps=2**64),
    lambda s: s.run(until_ps=2**100),
    lambda s: s.schedule(lambda: None, delay_s=1e300),
    lambda s: s.schedule(lambda: None, delay_ns=math.nan),
    lambda s: s.schedule_at(lambda: None, at_s=math.inf),
    lambda s: s.run(until_s=-math.inf),
])
def test_times_outside_the_range_are_time_overflow(call):
    sim = sf.Simulator()
    with pytest.raises(sf.TimeOverflow) as info:
        call(sim)
    assert len(str(info.value)) < 200  # no 300-digit numbers


def test_time_keywords_name_themselves():
    sim = sf.Simulator()
    with pytest.raises(sf.TimeOverflow, match="delay_ps"):
        sim.schedule(lambda: None, delay_ps=2**64)
    with pytest.raises(sf.TimeOverflow, match="until_ps"):
        sim.run(until_ps=2**64)
    with pytest.raises(TypeError, match="delay_ps"):
        sim.schedule(lambda: None, delay_ps=1.5)


@pytest.mark.parametrize("kwargs, error", [
    ({"s": math.nan}, sf.TimeOverflow),
    ({"ns": math.inf}, sf.TimeOverflow),
    ({"ns": 1e30}, sf.TimeOverflow),
    ({"ps": 2**63}, sf.TimeOverflow),
    ({"ps": 1.5}, TypeError),
    ({"ns": "10"}, TypeError),
    ({"s": True}, TypeError),
    ({"ps": -1}, sf.SchedulingError),
    ({}, ValueError),
    ({"s": 1, "ns": 1}, ValueError),
])
def test_process_delays_are_checked_where_they_are_written(kwargs, error):
    sim = sf.Simulator()
    with pytest.raises(error):
        sim.delay(**kwargs)


def test_process_building_blocks_refuse_nonsense():
    sim = sf.Simulator()
    for gbps in (0, -1, math.nan, math.inf, "fast"):
        with pytest.raises(ValueError, match="Link rate"):
            sf.Link(sim, gbps=gbps)
    for latency in (-1, math.nan, math.inf):
        with pytest.raises(ValueError, match="Link latency"):
            sf.Link(sim, gbps=1, latency_ns=latency)
    link = sf.Link(sim, gbps=1e-9)
    with pytest.raises(TypeError):
        link.transmit(bytes=1.5)
    with pytest.raises(ValueError):
        link.transmit(bytes=-1)
    with pytest.raises(sf.TimeOverflow):
        link.transmit(bytes=10**12)  # 8e21 ps at 1 b/s
    with pytest.raises(TypeError):
        sf.Resource(sim, 2.5)
    with pytest.raises(ValueError):
        sf.Resource(sim, 0)
    resource = sf.Resource(sim, 2)
    with pytest.raises(TypeError):
        resource.acquire(True)
    with pytest.raises(ValueError):
        resource.release(0)


def test_numpy_integers_are_counts():
    np = pytest.importorskip("numpy")
    sim = sf.Simulator()
    link = sf.Link(sim, gbps=8.0)
    arrivals = []

    async def sender():
        await link.transmit(bytes=np.int64(1000))
        arrivals.append(sim.now_ps)

    sim.spawn(sender())
    sim.run()
    assert arrivals == [1_000_000]


# --- seeds and distributions -----------------------------------------------------------

@pytest.mark.parametrize("seed", [-1, 2**63, 2**64, 2**200])
def test_seeds_outside_0_to_2_63_are_refused(seed):
    with pytest.raises(ValueError, match=r"0 to 2\*\*63 - 1"):
        sf.Simulator(seed=seed)
    with pytest.raises(ValueError, match=r"0 to 2\*\*63 - 1"):
        sf.RandomStream(seed, 0)


def test_the_largest_seed_and_stream_ids_work_and_differ():
    top = sf.Simulator(seed=2**63 - 1)
    assert top.seed == 2**63 - 1
    assert top.stream(2**64 - 1).next_u64() != sf.Simulator(seed=2**63 - 2).stream(2**64 - 1).next_u64()
    with pytest.raises(ValueError, match="stream_id"):
        sf.RandomStream(1, 2**64)
    with pytest.raises(ValueError, match="stream_id"):
        sf.RandomStream(1, -1)
    with pytest.raises(TypeError):
        sf.Simulator(seed=1.0)


@pytest.mark.parametrize("draw, message", [
    (lambda r: r.exponential(-1), "positive, finite mean, got -1"),
    (lambda r: r.exponential(0.0), "positive, finite mean"),
    (lambda r: r.exponential(math.inf), "positive, finite mean"),
    (lambda r: r.exponential(math.nan), "positive, finite mean"),
    (lambda r: r.uniform(5, 1), "finite lo <= hi, got 5 and 1"),
    (lambda r: r.uniform(0, math.inf), "finite lo <= hi"),
    (lambda r: r.uniform(math.nan, 1), "finite lo <= hi"),
    (lambda r: r.bernoulli(2), "0 <= p <= 1, got 2"),
    (lambda r: r.bernoulli(-1e-9), "0 <= p <= 1"),
    (lambda r: r.bernoulli(math.nan), "0 <= p <= 1"),
    (lambda r: r.normal(0, -1), "stddev >= 0"),
    (lambda r: r.normal(math.inf, 1), "finite mean"),
    (lambda r: r.below(0), "positive"),
])
def test_invalid_distribution_parameters_are_value_errors(draw, message):
    with pytest.raises(ValueError, match=message):
        draw(sf.RandomStream(1, 2))


def test_valid_edges_of_distributions():
    r = sf.RandomStream(5, 6)
    assert r.uniform(3.0, 3.0) == 3.0
    assert r.bernoulli(0.0) is False and r.bernoulli(1.0) is True
    assert r.normal(2.0, 0.0) == 2.0
    assert all(r.exponential(1e-300) >= 0 for _ in range(100))


# --- run control -----------------------------------------------------------------------

def test_run_inside_a_callback_is_an_error_and_the_outer_run_goes_on():
    sim = sf.Simulator()
    seen = []

    def nested():
        with pytest.raises(sf.SchedulingError, match="inside an event"):
            sim.run()
        with pytest.raises(sf.SchedulingError, match="inside an event"):
            sim.run(until_s=1.0)
        seen.append(("nested", sim.now_ps))

    sim.schedule(nested, delay_ns=1)
    sim.schedule(lambda: seen.append(("later", sim.now_ps)), delay_ns=2)
    sim.run()
    assert seen == [("nested", 1000), ("later", 2000)]


def test_run_inside_a_process_ends_the_run_with_the_error():
    sim = sf.Simulator()

    async def proc():
        await sim.delay(ns=5)
        sim.run()

    sim.spawn(proc())
    with pytest.raises(sf.SchedulingError, match="inside an event"):
        sim.run()
    sim.schedule(lambda: None, delay_ns=1)
    sim.run()  # the simulator is not left "running"
    assert sim.now_ps == 6000


# --- files from Python -----------------------------------------------------------------

def small_model(tmp_path):
    table = tmp_path / "small.csv"
    table.write_text("\n".join((ROOT / "data/latency/nb201_latency_ms.csv").read_text().splitlines()[:31]) + "\n")
    return sf.cost.calibrate(str(table), column="pixel3", train=10)


def test_cost_save_refuses_non_files_and_writes_through_links(tmp_path):
    model = small_model(tmp_path)
    for target in ("/dev/null", str(tmp_path), ""):
        with pytest.raises(ValueError):
            sf.cost.save(target, model)
    (tmp_path / "data").mkdir()
    (tmp_path / "model.json").symlink_to("data/real.json")
    sf.cost.save(str(tmp_path / "model.json"), model)
    assert (tmp_path / "model.json").is_symlink()
    assert json.loads((tmp_path / "data/real.json").read_text())["format"] == "simfabric-cost-model"
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["real.json"]
    assert sf.cost.load(str(tmp_path / "model.json")).report == model.report


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/tmp"])
def test_python_inputs_refuse_non_files(path):
    with pytest.raises(ValueError, match=path):
        sf.cost.load(path)
    with pytest.raises(ValueError):
        sf.cost.calibrate(path, column="pixel3", train=10)


# --- files from the command line -------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["validate", "/dev/zero"],
    ["run", "/dev/zero"],
    ["sweep", "plan", "/dev/zero"],
    ["bench", "network", "--model", "resnet50", "--device", "/dev/zero"],
    ["fit", "--device", "systolic", "--plan", "/dev/zero", "-o", "out.json"],
    ["fit", "--device", "/dev/zero", "--plan", "scenarios/plans/conv_gemm.toml", "-o", "out.json"],
    ["calibrate", "--measured", "/dev/zero", "--column", "x", "-o", "out.json"],
    ["estimate", "--model", "/dev/zero", "--arch", "x", "--space", "nb201"],
])
def test_devices_as_input_files_fail_at_once(simfabric_bin, args, tmp_path):
    proc = cli(simfabric_bin, *[a if not a.startswith("scenarios/") else ROOT / a for a in args], cwd=tmp_path,
               timeout=20)
    assert proc.returncode == 2, proc
    assert "/dev/zero" in proc.stderr


def test_sweep_base_and_device_file_that_are_devices(simfabric_bin, tmp_path):
    (tmp_path / "s.toml").write_text('kind = "sweep"\n[sweep]\nscenario = "/dev/zero"\n'
                                     '[parameters]\n"queue.customers" = [1, 2]\n')
    proc = cli(simfabric_bin, "sweep", "run", "s.toml", "-o", "out.h5", cwd=tmp_path, timeout=20)
    assert proc.returncode == 2 and "/dev/zero: not a regular file" in proc.stderr
    (tmp_path / "a.toml").write_text('kind = "accelerator"\n[device]\nfile = "/dev/zero"\n'
                                     '[workload]\nnetwork = "resnet50"\n')
    proc = cli(simfabric_bin, "validate", "a.toml", cwd=tmp_path, timeout=20)
    assert proc.returncode == 2 and "/dev/zero" in proc.stderr


@pytest.mark.parametrize("scenario", [
    'kind = "fabric"\n[topology]\ntype = "graphml"\nfile = "/dev/zero"\n'
    '[workload]\ntype = "collective"\nalgorithm = "ring_allreduce"\nbytes = "64 KiB"\n',
    'kind = "quantum"\nduration_s = 0.001\n[topology]\ntype = "graphml"\nfile = "/dev/zero"\n'
    '[request]\nsrc = "A"\ndst = "D"\n',
    'kind = "accelerator"\n[device]\npreset = "systolic"\n[workload]\nnetwork = "operators"\n'
    'scalesim_topology = "/dev/zero"\n[execution]\nmode = "systolic"\n',
    'kind = "quantum"\nduration_s = 0.001\n[topology]\ntype = "json"\nfile = "/dev/zero"\n'
    '[request]\nsrc = "A"\ndst = "D"\n',
], ids=["fabric_graphml", "quantum_graphml", "scalesim_topology", "router_json"])
def test_topology_files_that_are_devices_fail_at_once(simfabric_bin, tmp_path, scenario):
    (tmp_path / "s.toml").write_text(scenario)
    try:
        proc = cli(simfabric_bin, "validate", "s.toml", cwd=tmp_path, timeout=3)
    except subprocess.TimeoutExpired:
        pytest.fail("read /dev/zero for 3 s")
    assert proc.returncode == 2 and "/dev/zero: not a regular file (a character device)" in proc.stderr


@pytest.fixture()
def scenario_dir(tmp_path):
    (tmp_path / "a.toml").write_text(MM1)
    return tmp_path


@pytest.mark.parametrize("target, message", [
    ("", "empty path"),
    (".", "is a directory"),
    ("/dev/null", "is a character device"),
    ("a.toml", "is the input file"),
    ("no/such/dir/out.h5", "does not exist"),
    ("/proc/out.h5", "cannot create a file"),
])
def test_run_output_paths_are_checked_before_the_run(simfabric_bin, scenario_dir, target, message):
    before = (scenario_dir / "a.toml").read_text()
    # A run of minutes: a refusal in seconds shows the check comes first.
    proc = cli(simfabric_bin, "run", "a.toml", "--set", "queue.customers=1000000000", "-o", target,
               cwd=scenario_dir, timeout=30)
    assert proc.returncode == 2, proc
    assert message in proc.stderr
    assert (scenario_dir / "a.toml").read_text() == before
    assert sorted(p.name for p in scenario_dir.iterdir()) == ["a.toml"]


def test_run_output_through_links(simfabric_bin, scenario_dir):
    (scenario_dir / "to_input.h5").symlink_to("a.toml")
    proc = cli(simfabric_bin, "run", "a.toml", "-o", "to_input.h5", cwd=scenario_dir)
    assert proc.returncode == 2 and "is the input file" in proc.stderr
    (scenario_dir / "results").mkdir()
    (scenario_dir / "latest.h5").symlink_to("results/run1.h5")
    proc = cli(simfabric_bin, "run", "a.toml", "-o", "latest.h5", cwd=scenario_dir)
    assert proc.returncode == 0, proc
    assert (scenario_dir / "latest.h5").is_symlink()
    h5py = pytest.importorskip("h5py")
    with h5py.File(scenario_dir / "results/run1.h5") as f:
        assert f.attrs["complete"] == 1


def test_an_included_file_is_an_input_too(simfabric_bin, scenario_dir):
    (scenario_dir / "top.toml").write_text('include = "a.toml"\n')
    proc = cli(simfabric_bin, "run", "top.toml", "-o", "a.toml", cwd=scenario_dir)
    assert proc.returncode == 2 and "is the input file" in proc.stderr
    assert (scenario_dir / "a.toml").read_text() == MM1


@pytest.mark.parametrize("command", [
    ["sweep", "run", "s.toml", "-o", "{}"],
    ["sweep", "collect", "s.toml", "-o", "{}"],
    ["fit", "--device", "systolic", "--plan", str(ROOT / "scenarios/plans/conv_gemm.toml"), "-o", "{}"],
    ["calibrate", "--measured", str(ROOT / "data/latency/nb201_latency_ms.csv"), "--column", "pixel3", "--train", "10",
     "-o", "{}"],
    ["estimate", "--model", "model.json", "--input", "small.csv", "-o", "{}"],
])
@pytest.mark.parametrize("target, message", [
    ("", "empty path"), (".", "is a directory"), ("/dev/null", "character device"), ("nodir/x", "does not exist"),
])
def test_every_command_with_o_checks_it_first(simfabric_bin, tmp_path, command, target, message):
    (tmp_path / "a.toml").write_text(MM1)
    (tmp_path / "s.toml").write_text('kind = "sweep"\n[sweep]\nscenario = "a.toml"\n'
                                     '[parameters]\n"queue.customers" = [10, 20]\n')
    (tmp_path / "model.json").write_text("{}")  # never read: -o is refused first
    (tmp_path / "small.csv").write_text("\n".join(
        (ROOT / "data/latency/nb201_latency_ms.csv").read_text().splitlines()[:5]) + "\n")
    proc = cli(simfabric_bin, *[a.replace("{}", target) for a in command], cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc
    assert message in proc.stderr, proc.stderr
    assert not list(tmp_path.glob("*.partial-*"))


def test_the_scenario_itself_as_output_of_every_command(simfabric_bin, tmp_path):
    (tmp_path / "a.toml").write_text(MM1)
    (tmp_path / "s.toml").write_text('kind = "sweep"\n[sweep]\nscenario = "a.toml"\n'
                                     '[parameters]\n"queue.customers" = [10, 20]\n')
    for target in ("s.toml", "a.toml"):
        proc = cli(simfabric_bin, "sweep", "run", "s.toml", "-o", target, cwd=tmp_path)
        assert proc.returncode == 2 and "is the input file" in proc.stderr
    assert (tmp_path / "a.toml").read_text() == MM1


@pytest.mark.parametrize("seed, ok", [
    ("0", True), ("9223372036854775807", True), ("9223372036854775808", False), ("18446744073709551616", False),
    ("-1", False), ("010", True), ("0x10", False), ("1e3", False), ("", False), (" 5", False),
])
def test_seed_option_takes_exactly_0_to_2_63(simfabric_bin, scenario_dir, seed, ok):
    proc = cli(simfabric_bin, "run", "a.toml", "--seed", seed, "--json", cwd=scenario_dir)
    if ok:
        assert proc.returncode == 0, proc
        assert json.loads(proc.stdout)["seed"] == int(seed)
    else:
        assert proc.returncode == 2, proc
        assert "9223372036854775807" in proc.stderr


def test_seeds_near_the_top_give_different_runs(simfabric_bin, scenario_dir):
    def metrics(seed):
        out = json.loads(cli(simfabric_bin, "run", "a.toml", "--seed", seed, "--json", cwd=scenario_dir).stdout)
        return out.pop("seed"), out.pop("wall_s"), out
    (a, _, ma), (b, _, mb) = metrics("9223372036854775806"), metrics("9223372036854775807")
    assert (a, b) == (2**63 - 2, 2**63 - 1)
    assert ma["mean_wait_s"] != mb["mean_wait_s"]


@pytest.mark.parametrize("option", [["fit", "--device", "systolic", "--plan", "plan.toml", "-o", "m.json", "--seed"],
                                    ["calibrate", "--measured", "t.csv", "--column", "c", "-o", "m.json",
                                     "--shuffle"]])
@pytest.mark.parametrize("seed", ["-1", "9223372036854775808", "99999999999999999999999"])
def test_other_seed_options_are_checked_the_same_way(simfabric_bin, tmp_path, option, seed):
    proc = cli(simfabric_bin, *option, seed, cwd=tmp_path)
    assert proc.returncode == 2 and "9223372036854775807" in proc.stderr


def test_a_killed_run_leaves_no_partial_and_a_dead_writers_partial_is_removed(simfabric_bin, scenario_dir):
    # SIGTERM mid-run: the handler removes the partial, and the exit shows the signal.
    binary = str(pathlib.Path(simfabric_bin).resolve())
    proc = subprocess.Popen([binary, "run", "a.toml", "--set", "queue.customers=1000000000", "-o",
                             "out.h5"], cwd=scenario_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    partial = scenario_dir / f"out.h5.partial-{proc.pid}"
    deadline = time.monotonic() + 30
    while not partial.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert partial.exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == -signal.SIGTERM
    assert sorted(p.name for p in scenario_dir.iterdir()) == ["a.toml"]

    # SIGKILL cannot be handled: the next run to the same path removes what it left.
    proc = subprocess.Popen([binary, "run", "a.toml", "--set", "queue.customers=1000000000", "-o",
                             "out.h5"], cwd=scenario_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = scenario_dir / f"out.h5.partial-{proc.pid}"
    deadline = time.monotonic() + 30
    while not partial.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()
    proc.wait(timeout=30)
    assert partial.exists()
    done = cli(simfabric_bin, "run", "a.toml", "-o", "out.h5", cwd=scenario_dir)
    assert done.returncode == 0, done
    assert sorted(p.name for p in scenario_dir.iterdir()) == ["a.toml", "out.h5"]


def test_huge_keys_and_numbers_are_echoed_briefly(simfabric_bin, tmp_path):
    (tmp_path / "k.toml").write_text('kind = "mm1"\n' + "k" * 10_000_000 + " = 1\n[queue]\n"
                                     "arrival_rate_per_s = -1e308\nservice_rate_per_s = 1.7e308\n")
    proc = cli(simfabric_bin, "validate", "k.toml", cwd=tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr) < 2000
    assert "(10000000 bytes): unknown key" in proc.stderr
    assert "got -1e+308" in proc.stderr
    assert "0" * 20 not in proc.stderr


# --- the corpus ------------------------------------------------------------------------

def load_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "tests/hostile/make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_broken_corpus_gets_exit_codes_0_1_or_2_without_hangs(simfabric_bin, tmp_path):
    """Every command over the corpus: no crash (a signal or another exit code), no hang
    (a 60 s limit per command; each takes well under a second to a few seconds), every
    refusal with a message, no message longer than a page per problem, no partial file
    left behind."""
    small = tmp_path / "small.csv"
    small.write_text("\n".join((ROOT / "data/latency/nb201_latency_ms.csv").read_text().splitlines()[:31]) + "\n")
    made = cli(simfabric_bin, "calibrate", "--measured", small, "--column", "titan_rtx_1", "--train", "20",
               "--quiet", "-o", tmp_path / "model.json")
    assert made.returncode == 0, made
    corpus = tmp_path / "corpus"
    manifest = load_corpus_module().make_corpus(corpus, seed=1,
                                                model=json.loads((tmp_path / "model.json").read_text()))
    assert len(manifest) > 500

    def run(case):
        try:
            proc = subprocess.run([binary, *case["args"][1:]], cwd=corpus, capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            return case["name"], "timeout", b""
        return case["name"], proc.returncode, proc.stderr

    binary = str(pathlib.Path(simfabric_bin).resolve())
    workers = max(2, min(4, os.cpu_count() or 2))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(run, manifest))
    bad = [(name, code, err[-300:]) for name, code, err in results if code not in (0, 1, 2)]
    assert not bad, bad
    silent = [name for name, code, err in results if code in (1, 2) and not err.strip()]
    assert not silent, silent
    verbose = [(name, len(err)) for name, code, err in results if len(err) > 20_000]
    assert not verbose, verbose
    refused = sum(1 for _, code, _ in results if code == 2)
    assert refused > 0.8 * len(results)  # the corpus is broken input, not a benchmark
    assert not list(corpus.rglob("*.partial-*"))
    assert (corpus / "base_mm1.toml").read_text() == load_corpus_module().BASES["mm1"]
