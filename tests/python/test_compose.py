"""Models sharing one Simulator: a fabric driven by Python actors and processes,
collectives on it, a quantum network reporting its pairs, accelerators in the same run."""

import math
import warnings

import pytest

import simfabric as sf
from simfabric import accelerator as acc
from simfabric import quantum

HOST_GBPS = 100.0
HOST_LATENCY_NS = 500.0


def small_fabric():
    return sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=2, host_gbps=HOST_GBPS,
                                    host_latency_ns=HOST_LATENCY_NS, uplink_latency_ns=HOST_LATENCY_NS)


def same_leaf_s(nbytes):
    """Host 0 to host 1 under one leaf: two hops of latency, then the NIC rate."""
    return 2 * HOST_LATENCY_NS * 1e-9 + nbytes * 8 / (HOST_GBPS * 1e9)


def test_actor_chains_transfers_closed_form():
    sim = sf.Simulator(seed=1)
    fabric = sf.network.Fabric(sim, small_fabric())
    nbytes, hops = 2**20, 5
    finished = []

    def on_done(transfer):
        finished.append(sim.now_s)
        assert fabric.transfer(transfer)["delivered"]
        if len(finished) < hops:
            fabric.start_transfer(len(finished) % 2, (len(finished) + 1) % 2, nbytes, on_done=on_done)

    fabric.start_transfer(0, 1, nbytes, on_done=on_done)
    sim.run()
    for i, t in enumerate(finished):
        assert t == pytest.approx((i + 1) * same_leaf_s(nbytes), abs=(i + 1) * 1e-12)
    table = fabric.transfers()
    assert list(table["src"]) == ["host0", "host1", "host0", "host1", "host0"]
    assert table["end_s"][-1] == pytest.approx(hops * same_leaf_s(nbytes), abs=hops * 1e-12)
    assert fabric.flows_completed == hops and fabric.active_flows == 0


def test_shared_link_halves_the_rate():
    # Two transfers into host1 share its downlink: max-min gives each half of it.
    sim = sf.Simulator()
    fabric = sf.network.Fabric(sim, small_fabric())
    nbytes = 2**20
    fabric.start_transfer(0, 1, nbytes)
    fabric.start_transfer("host2", "host1", nbytes)
    sim.run()
    ends = fabric.transfers()["end_s"]
    # host0's flow drains from a (two hops), host2's from b (four); the shared link is
    # busy from a until both are done, and host0's flow ends 2B/C + 2a - b.
    a, b = 2 * HOST_LATENCY_NS * 1e-9, 4 * HOST_LATENCY_NS * 1e-9
    both_s = 2 * nbytes * 8 / (HOST_GBPS * 1e9)
    assert ends[0] == pytest.approx(both_s + 2 * a - b, abs=2e-12)
    assert ends[1] == pytest.approx(a + both_s, abs=2e-12)
    links = fabric.links()
    i = links["name"].index("leaf0->host1")
    assert links["carried_bytes"][i] == pytest.approx(2 * nbytes)


def test_process_awaits_transfers_and_compute():
    sim = sf.Simulator()
    fabric = sf.network.Fabric(sim, small_fabric())
    gpu = acc.Accelerator(sim, "h100")
    op = acc.gemm(2048, 2048, 2048)
    nbytes = 4 * 2**20
    marks = []

    async def worker(sim):
        await gpu.run([op])
        marks.append(sim.now_ps)
        await fabric.send(0, 1, bytes=nbytes)
        marks.append(sim.now_ps)

    sim.spawn(worker(sim))
    sim.run()
    compute_ps = acc.run_network("h100", [op])["latency_ps"]
    assert marks[0] == compute_ps  # the accelerator's latency, to the picosecond
    # Compute then send: the sum of the parts measured alone.
    alone = sf.Simulator()
    lone = sf.network.Fabric(alone, small_fabric())
    lone.start_transfer(0, 1, nbytes)
    alone.run()
    assert abs(marks[1] - marks[0] - alone.now_ps) <= 1
    assert alone.now_s == pytest.approx(same_leaf_s(nbytes), abs=1e-12)


def test_accelerator_queues_jobs_in_order():
    sim = sf.Simulator()
    gpu = acc.Accelerator(sim, "a100")
    ops = [acc.gemm(1024, 1024, 1024), acc.softmax(4096, 4096)]
    done = []
    for op in ops:
        gpu.submit(op, on_done=done.append)
    sim.run()
    assert done == [0, 1]
    lat = [job["latency_ps"] for job in gpu.jobs]
    assert gpu.jobs[1]["start_s"] == pytest.approx(lat[0] * 1e-12)
    assert sim.now_ps == sum(lat)
    assert gpu.busy_s == pytest.approx(sum(lat) * 1e-12)


def test_collective_on_shared_fabric_matches_standalone():
    topology = small_fabric()
    alone = sf.collective.run(topology, algorithm="ring_allreduce", bytes=2**24, extrapolate=False)
    sim = sf.Simulator()
    fabric = sf.network.Fabric(sim, topology)
    finished = []
    started = {}

    def later():
        started["s"] = sim.now_s
        started["run"] = fabric.start_collective("ring_allreduce", bytes=2**24,
                                                 on_done=lambda: finished.append(sim.now_s))

    sim.schedule(later, delay_s=1e-3)  # the collective's times count from its start
    sim.run()
    r = started["run"].result()
    assert started["run"].finished and r.complete
    assert r.completion_s == pytest.approx(alone.completion_s, abs=1e-11)
    assert r.busbw == pytest.approx(alone.busbw, rel=1e-6)
    assert finished[0] == pytest.approx(1e-3 + alone.completion_s, abs=1e-11)


def test_collective_slowed_by_python_traffic():
    topology = small_fabric()
    alone = sf.collective.run(topology, algorithm="ring_allreduce", bytes=2**24, extrapolate=False)
    sim = sf.Simulator()
    fabric = sf.network.Fabric(sim, topology)
    run = fabric.start_collective("ring_allreduce", bytes=2**24)
    fabric.start_transfer(0, 1, 2**24)  # competes with the ring's 0 -> 1 step
    sim.run()
    assert run.result().completion_s > alone.completion_s * 1.01


def test_hierarchical_without_ranks_per_host_warns_on_fabric():
    fabric = sf.network.Fabric(sf.Simulator(), small_fabric())
    with pytest.warns(UserWarning, match="ranks_per_host"):
        fabric.start_collective("hierarchical_allreduce", bytes=2**20)


def test_quantum_pair_callbacks_count_delivered_pairs():
    keywords = dict(routers=3, duration_s=0.1, seed=3, target_fidelity=0.8)
    sim = sf.Simulator(seed=3)
    net = quantum.Network(sim, **keywords)
    seen = []
    net.on_pair(lambda src, dst, fidelity: seen.append((sim.now_s, src, dst, fidelity)))
    sim.run(until_s=0.1)
    r = net.results()
    assert r.pairs_delivered > 0 and len(seen) == r.pairs_delivered == net.pairs_delivered
    assert {(s, d) for _, s, d, _ in seen} == {("r0", "r2")}
    assert [f for *_, f in seen] == pytest.approx(list(r.delivered_fidelity))
    assert all(f >= 0.8 for *_, f in seen)
    # The same run as run_chain, event for event.
    alone = quantum.run_chain(**keywords)
    assert r.pairs_delivered == alone.pairs_delivered
    assert r.mean_fidelity == alone.mean_fidelity
    assert math.isnan(r.wall_s)


def test_quantum_and_fabric_in_one_run():
    # Each delivered pair triggers a classical message over the fabric.
    sim = sf.Simulator(seed=2)
    net = quantum.Network(sim, routers=2, duration_s=0.05, seed=2)
    fabric = sf.network.Fabric(sim, small_fabric())
    net.on_pair(lambda *_: fabric.start_transfer(0, 3, 1000))
    sim.run(until_s=0.051)  # the last messages land within microseconds
    assert net.pairs_delivered > 0
    assert len(fabric.transfers()["src"]) == net.pairs_delivered
    assert all(fabric.transfers()["delivered"])


def test_quantum_results_with_no_pairs_are_nan():
    sim = sf.Simulator()
    net = quantum.Network(sim, routers=3, duration_s=1e-6)
    sim.run(until_s=1e-6)
    r = net.results()
    assert r.pairs_delivered == 0 and math.isnan(r.mean_fidelity)


def test_seconds_keyword_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="duration_s"):
        old = quantum.run_chain(routers=2, seconds=0.01, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = quantum.run_chain(routers=2, duration_s=0.01, seed=1)
    assert old.pairs_delivered == new.pairs_delivered
    with pytest.raises(TypeError, match="duration_s only"):
        quantum.run_chain(seconds=0.01, duration_s=0.01)


def test_fabric_rejects_bad_endpoints():
    fabric = sf.network.Fabric(sf.Simulator(), small_fabric())
    with pytest.raises(IndexError, match="no endpoint 9"):
        fabric.start_transfer(0, 9, 100)
    with pytest.raises(KeyError, match="no node 'nope'"):
        fabric.start_transfer("nope", 1, 100)
    with pytest.raises(ValueError, match="bytes"):
        fabric.start_transfer(0, 1, -1)


def test_callback_exception_ends_run():
    sim = sf.Simulator()
    fabric = sf.network.Fabric(sim, small_fabric())

    def boom(_):
        raise RuntimeError("from the actor")

    fabric.start_transfer(0, 1, 1000, on_done=boom)
    with pytest.raises(RuntimeError, match="from the actor"):
        sim.run()
