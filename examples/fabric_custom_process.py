"""A custom Python process in a fabric run: data-parallel training steps on a 2-leaf
fabric. Each step, four GPUs compute their gradients (a GEMM on an H100), then all-reduce
them over the fabric; a parameter-server process meanwhile pulls checkpoints from a
storage node whenever the previous pull has landed, sharing the same links. One
simulator drives the accelerators, the collectives and the Python processes.

    python examples/fabric_custom_process.py --steps 3
"""

import argparse

import simfabric as sf
from simfabric import accelerator as acc

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--steps", type=int, default=3, help="training steps")
parser.add_argument("--gradient-mib", type=float, default=64.0, help="all-reduce size per step (MiB)")
args = parser.parse_args()

sim = sf.Simulator(seed=1)
topology = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=3, host_gbps=100)
fabric = sf.network.Fabric(sim, topology, policy="ecmp")
gpus = [acc.Accelerator(sim, "h100") for _ in range(4)]
gradient = acc.gemm(4096, 4096, 4096)
step_end_s = []


async def trainer(sim):
    for _ in range(args.steps):
        done = sf.Signal(sim)
        left = [len(gpus)]

        def finished(_job):
            left[0] -= 1
            if left[0] == 0:
                done.notify_all()

        for gpu in gpus:
            gpu.submit([gradient], on_done=finished)
        await done.wait()
        await fabric.collective("ring_allreduce", bytes=args.gradient_mib * 2**20, ranks=4)
        step_end_s.append(sim.now_s)


pulls = []


def pull(_transfer=None):
    # A reactive actor: each landed pull starts the next one while training runs.
    if _transfer is not None:
        pulls.append(fabric.transfer(_transfer))
    if len(step_end_s) < args.steps:
        fabric.start_transfer(5, 3, 8 * 2**20, on_done=pull)


sim.spawn(trainer(sim))
pull()
sim.run()

compute_s = gpus[0].jobs[0]["latency_s"]
print(f"GEMM on each GPU: {compute_s * 1e3:.3f} ms")
previous = 0.0
for i, end in enumerate(step_end_s):
    print(f"step {i}: {(end - previous) * 1e3:.3f} ms (compute {compute_s * 1e3:.3f} ms + all-reduce "
          f"{(end - previous - compute_s) * 1e3:.3f} ms)")
    previous = end
alone = sf.collective.run(topology, algorithm="ring_allreduce", bytes=args.gradient_mib * 2**20, ranks=4,
                          extrapolate=False)
print(f"all-reduce alone on the fabric: {alone.completion_s * 1e3:.3f} ms")
print(f"checkpoint pulls landed: {len(pulls)}, last at {pulls[-1]['end_s'] * 1e3:.3f} ms")
links = fabric.links()
busiest = max(range(len(links["name"])), key=lambda i: links["utilisation"][i])
print(f"busiest link: {links['name'][busiest]} at {links['utilisation'][busiest]:.0%} of {links['bandwidth_gbps'][busiest]:.0f} Gb/s")
