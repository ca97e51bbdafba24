#!/usr/bin/env python3
"""Hold model driven from Python: simfabric with Python callbacks vs SimPy 2.3.

Both keep PENDING events pending; each event draws an exponential delay with Python's
random module and schedules the next one, until a simulated horizon that yields about
EVENTS events. Prints one JSON object per engine and the ratio, measured in this run.

usage: /usr/bin/python3 bench/python_hold.py [--pending N] [--events M] [--repeat R]
"""

import argparse
import json
import random
import sys
import time

MEAN_S = 1e-6


def simfabric_hold(pending: int, events: int, seed: int) -> dict:
    import simfabric as sf

    sim = sf.Simulator(seed=seed)
    rng = random.Random(seed)
    expovariate = rng.expovariate
    schedule = sim.schedule
    rate = 1.0 / MEAN_S
    fired = [0]

    class Entity:
        __slots__ = ("hits",)

        def __init__(self):
            self.hits = 0

        def fire(self):
            self.hits += 1
            fired[0] += 1
            schedule(entities[int(rng.random() * len(entities))].fire, delay_s=expovariate(rate))

    entities = [Entity() for _ in range(1024)]
    for _ in range(pending):
        schedule(entities[int(rng.random() * len(entities))].fire, delay_s=expovariate(rate))
    horizon_s = events * MEAN_S / pending
    start = time.perf_counter()
    sim.run(until_s=horizon_s)
    wall = time.perf_counter() - start
    return {"engine": "simfabric-python", "pending": pending, "events": fired[0], "wall_s": wall,
            "events_per_second": fired[0] / wall}


def simpy_hold(pending: int, events: int, seed: int) -> dict:
    try:
        from SimPy.Simulation import Process, Simulation, hold
    except ImportError:
        return {"engine": "simpy-2.3", "skipped": "python3-simpy is not installed (make bench installs it)"}

    rng = random.Random(seed)
    expovariate = rng.expovariate
    rate = 1.0 / MEAN_S
    fired = [0]

    class Job(Process):
        def life(self):
            while True:
                yield hold, self, expovariate(rate)
                fired[0] += 1

    sim = Simulation()
    sim.initialize()
    for _ in range(pending):
        job = Job(sim=sim)
        sim.activate(job, job.life())
    horizon_s = events * MEAN_S / pending
    start = time.perf_counter()
    sim.simulate(until=horizon_s)
    wall = time.perf_counter() - start
    return {"engine": "simpy-2.3", "pending": pending, "events": fired[0], "wall_s": wall,
            "events_per_second": fired[0] / wall}


def best_of(fn, repeat, *args):
    runs = [fn(*args) for _ in range(repeat)]
    if "skipped" in runs[0]:
        return runs[0]
    return max(runs, key=lambda r: r["events_per_second"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=1000)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.pending <= 0 or args.events <= 0 or args.repeat <= 0:
        parser.error("--pending, --events and --repeat must be positive")
    ours = best_of(simfabric_hold, args.repeat, args.pending, args.events, args.seed)
    peer = best_of(simpy_hold, args.repeat, args.pending, args.events, args.seed)
    print(json.dumps(ours))
    print(json.dumps(peer))
    if "skipped" not in peer:
        print(json.dumps({"ratio_simfabric_python_over_simpy": ours["events_per_second"] / peer["events_per_second"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
