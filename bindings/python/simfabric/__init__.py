"""simfabric: discrete-event simulation of networks and hardware.

The compiled core runs the events; Python assembles models and reads results::

    import simfabric as sf

    sim = sf.Simulator(seed=1)

    async def ping(sim):
        for _ in range(3):
            await sim.delay(ns=50)
            print(sim.now_s)

    sim.spawn(ping(sim))
    sim.run()
"""

from ._core import (
    RandomStream,
    SchedulingError,
    Tally,
    TimeOverflow,
    __version__,
)
from . import _core
from .process import Delay, Link, Resource, Signal, Simulator
from . import accelerator, analysis, cost, quantum
from . import search
from . import training
from . import collective, network, routing, topologies

bench = _core.bench

__all__ = [
    "bench",
    "Delay",
    "Link",
    "Resource",
    "RandomStream",
    "SchedulingError",
    "Signal",
    "Simulator",
    "Tally",
    "TimeOverflow",
    "__version__",
]
