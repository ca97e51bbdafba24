"""Training steps from Python and from `simfabric run`: closed forms, errors, HDF5 output."""

import json
import subprocess

import h5py
import pytest

import simfabric as sf

SMALL = dict(layers=8, hidden=256, heads=4, seq=128, vocab=0, micro_batch=1, gpus_per_host=1, hosts_per_leaf=4,
             spines=2)
FREE = dict(nic_gbps=1e9, intra_host_gbps=1e9, host_latency_ns=0, uplink_latency_ns=0, intra_host_latency_ns=0)


@pytest.mark.parametrize("schedule", ["gpipe", "1f1b"])
def test_bubble_is_the_closed_form_with_uniform_stages(schedule):
    r = sf.training.step(**SMALL, **FREE, pp=4, global_batch=8, schedule=schedule)
    assert r["complete"]
    assert r["bubble_formula"] == pytest.approx(sf.training.gpipe_bubble_fraction(4, 8))
    assert abs(r["bubble_fraction"] - r["bubble_formula"]) < 1e-6


def test_one_f_one_b_holds_fewer_micro_batches_than_gpipe():
    g = sf.training.step(**SMALL, pp=4, global_batch=12, schedule="gpipe")
    o = sf.training.step(**SMALL, pp=4, global_batch=12, schedule="1f1b")
    assert [s["micro_batches_in_flight"] for s in g["stages"]] == [12] * 4
    assert [s["micro_batches_in_flight"] for s in o["stages"]] == [4, 3, 2, 1]
    frame = sf.training.timeline_frame(o)
    assert set(frame["kind"]) == {"F", "B", "O"}
    assert (frame["end_s"] >= frame["start_s"]).all()


def test_a_plan_that_does_not_fit_raises():
    with pytest.raises(ValueError, match="does not fit"):
        sf.training.step(layers=48, hidden=8192, heads=64, global_batch=8, gpus_per_host=1)


def test_megatron_flops_formula():
    f = sf.training.step_flops(layers=60, hidden=10240, seq=2048, vocab=51200, global_batch=1792, recompute=True)
    B, s, l, h, V = 1792, 2048, 60, 10240, 51200
    assert f == pytest.approx(96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h)))


def test_cli_runs_the_example_and_records(simfabric_bin, repo_root, tmp_path):
    out = tmp_path / "step.h5"
    scenario = repo_root / "scenarios/training/slow_nic.toml"
    run = subprocess.run([simfabric_bin, "run", scenario, "-o", out], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "step_s" in run.stdout
    with h5py.File(out) as f:
        stages = f["tables/stages"]
        assert len(stages["stage"]) == 4
        assert (stages["memory_bytes"][:] > 0).all()
        assert set(f["tables/timeline/kind"].asstr()[:]) == {"forward", "backward", "allreduce", "optimizer"}


def test_cli_rejects_unknown_keys_and_plans_that_do_not_fit(simfabric_bin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "training"\n[parallelism]\ntp = 3\nbogus = 1\n')
    run = subprocess.run([simfabric_bin, "run", bad], capture_output=True, text=True)
    assert run.returncode == 2
    assert "parallelism.bogus" in run.stderr
    big = tmp_path / "big.toml"
    big.write_text('kind = "training"\n[model]\nlayers = 48\nhidden = 8192\nheads = 64\nglobal_batch = 8\n'
                   '[cluster]\ngpus_per_host = 1\n')
    run = subprocess.run([simfabric_bin, "run", big], capture_output=True, text=True)
    assert run.returncode == 2
    assert "does not fit" in run.stderr


def test_parallelism_sweep_example(simfabric_bin, repo_root, tmp_path):
    output = tmp_path / "plans.h5"
    subprocess.run([simfabric_bin, "sweep", "run", repo_root / "scenarios/sweeps/training_plans.toml",
                    "--workers", "2", "-o", output], check=True, capture_output=True)
    with h5py.File(output, "r") as f:
        p = f["points"]
        assert len(p["point"]) == 48
        assert set(p["status"].asstr()[:]) == {"ok"}
        rows = {}
        for i in range(48):
            key = (int(p["parallelism.tp"][i]), int(p["parallelism.pp"][i]), p["parallelism.schedule"].asstr()[i],
                   int(p["model.micro_batch"][i]))
            rows[key] = {k: float(p[k][i]) for k in ("step_s", "tp_comm_s", "bubble_fraction", "max_memory_bytes")}
    for (tp, pp, schedule, mb), r in rows.items():
        assert (r["tp_comm_s"] == 0) == (tp == 1)
        if schedule == "1f1b":
            # The same bubble as GPipe (transfers fall at other times), never more memory.
            g = rows[(tp, pp, "gpipe", mb)]
            assert r["step_s"] == pytest.approx(g["step_s"], rel=1e-2)
            assert r["max_memory_bytes"] <= g["max_memory_bytes"]
        if pp > 1:
            assert r["bubble_fraction"] > rows[(tp, pp // 2, schedule, mb)]["bubble_fraction"]


def test_moe_example_hot_expert(simfabric_bin, repo_root):
    base = repo_root / "scenarios/training/moe_ep.toml"
    runs = {}
    for skew in ("0", "1.2"):
        out = subprocess.run([simfabric_bin, "run", base, "--set", f"model.moe_skew={skew}", "--json"],
                             capture_output=True, text=True, check=True)
        runs[skew] = json.loads(out.stdout)
    assert runs["1.2"]["moe_tokens_max_over_mean"] > 1.5 > runs["0"]["moe_tokens_max_over_mean"]
    assert runs["1.2"]["ep_comm_s"] > runs["0"]["ep_comm_s"] > 0
    assert runs["1.2"]["step_s"] > runs["0"]["step_s"]
    r = sf.training.step(layers=4, hidden=256, heads=4, seq=128, vocab=0, global_batch=8, dp=4, ep=2, experts=4,
                         gpus_per_host=1, hosts_per_leaf=4, spines=2)
    assert r["ep_comm_s"] > 0 and r["moe_alltoall_s"] > 0
