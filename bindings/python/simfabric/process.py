"""Processes written as Python coroutines, driven by the compiled event loop.

A process is an ``async def`` function; it may ``await sim.delay(...)``,
``await signal.wait()``, ``await resource.acquire()`` or ``await link.transmit(bytes=...)``.
Each resumption is one event of the simulator, so processes and plain callbacks
interleave in the simulator's deterministic order.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Coroutine, Deque, Optional

from . import _core

_PS_PER_S = 1_000_000_000_000


def _to_ps(s: Optional[float], ns: Optional[float], ps: Optional[int]) -> int:
    given = [v for v in (s, ns, ps) if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of s=, ns=, ps=")
    if ps is not None:
        value = int(ps)
    elif ns is not None:
        value = round(ns * 1_000)
    else:
        value = round(s * _PS_PER_S)
    if value < 0:
        raise _core.SchedulingError(f"negative delay of {value} ps")
    return value


class Delay:
    """Awaitable that suspends a process for a fixed simulated time."""

    __slots__ = ("ps",)

    def __init__(self, ps: int):
        self.ps = ps

    def __await__(self):
        yield self


class _Suspend:
    """Base of awaitables that park a process until something calls its resume."""

    __slots__ = ()

    def __await__(self):
        yield self

    def _suspend(self, resume) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


class _Wait(_Suspend):
    __slots__ = ("signal",)

    def __init__(self, signal: "Signal"):
        self.signal = signal

    def _suspend(self, resume) -> None:
        self.signal._waiters.append(resume)


class _Acquire(_Suspend):
    __slots__ = ("resource", "units", "granted")

    def __init__(self, resource: "Resource", units: int, granted: bool):
        self.resource = resource
        self.units = units
        self.granted = granted

    def _suspend(self, resume) -> None:
        if self.granted:
            self.resource._sim.schedule(resume)
        else:
            self.resource._waiters.append((resume, self.units))


class _Until(_Suspend):
    __slots__ = ("sim", "at_ps")

    def __init__(self, sim: "Simulator", at_ps: int):
        self.sim = sim
        self.at_ps = at_ps

    def _suspend(self, resume) -> None:
        self.sim.schedule_at(resume, at_ps=self.at_ps)


class Signal:
    """A broadcast condition: ``await signal.wait()``; ``notify_all()`` wakes every waiter
    at the current time, in the order they started waiting."""

    def __init__(self, sim: "Simulator"):
        self._sim = sim
        self._waiters: Deque[Any] = deque()

    def wait(self) -> _Wait:
        return _Wait(self)

    def notify_all(self) -> int:
        woken = len(self._waiters)
        while self._waiters:
            self._sim.schedule(self._waiters.popleft())
        return woken

    def notify_one(self) -> bool:
        if not self._waiters:
            return False
        self._sim.schedule(self._waiters.popleft())
        return True

    @property
    def waiting(self) -> int:
        return len(self._waiters)


class Resource:
    """A counted resource granted first come, first served: ``await res.acquire(n)``
    waits until n units are free; ``res.release(n)`` returns them. A large request at the
    head of the queue blocks smaller ones behind it (no overtaking)."""

    def __init__(self, sim: "Simulator", capacity: int):
        if capacity <= 0:
            raise ValueError(f"Resource capacity must be positive, got {capacity}")
        self._sim = sim
        self.capacity = capacity
        self.available = capacity
        self._waiters: Deque[Any] = deque()

    def acquire(self, units: int = 1) -> _Acquire:
        if not 0 < units <= self.capacity:
            raise ValueError(f"acquire: {units} units requested from a resource of capacity {self.capacity}")
        granted = not self._waiters and self.available >= units
        if granted:
            self.available -= units
        return _Acquire(self, units, granted)

    def release(self, units: int = 1) -> None:
        if units > self.capacity - self.available:
            raise ValueError(f"release: {units} units released but only {self.capacity - self.available} are held")
        self.available += units
        while self._waiters and self._waiters[0][1] <= self.available:
            resume, wanted = self._waiters.popleft()
            self.available -= wanted
            self._sim.schedule(resume)

    @property
    def queued(self) -> int:
        return len(self._waiters)


class Link:
    """A serial link: transfers leave one after another at ``gbps`` and arrive
    ``latency_ns`` later. ``await link.transmit(bytes=4096)`` resumes when the last bit
    has arrived."""

    def __init__(self, sim: "Simulator", gbps: float, latency_ns: float = 0.0):
        if not gbps > 0:
            raise ValueError(f"Link rate must be positive, got {gbps} Gb/s")
        if latency_ns < 0:
            raise ValueError(f"Link latency must not be negative, got {latency_ns} ns")
        self._sim = sim
        self.gbps = gbps
        self.latency_ps = round(latency_ns * 1_000)
        self._free_at_ps = 0
        self.bytes_sent = 0

    def transmit(self, *, bytes: int) -> _Until:  # noqa: A002 - the unit is the name
        if bytes < 0:
            raise ValueError(f"transmit: bytes must not be negative, got {bytes}")
        start = max(self._sim.now_ps, self._free_at_ps)
        self._free_at_ps = start + round(bytes * 8 * 1_000 / self.gbps)
        self.bytes_sent += bytes
        return _Until(self._sim, self._free_at_ps + self.latency_ps)


class Simulator(_core.Simulator):
    """The discrete-event simulator, with coroutine processes (see ``spawn``)."""

    def delay(self, *, s: Optional[float] = None, ns: Optional[float] = None,
              ps: Optional[int] = None) -> Delay:
        """``await sim.delay(ns=50)`` resumes the process 50 ns later."""
        return Delay(_to_ps(s, ns, ps))

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Start a process at the current time. An exception raised in the process ends
        ``run()`` with that exception."""
        if not hasattr(coroutine, "send"):
            raise TypeError("spawn expects a coroutine object, e.g. sim.spawn(worker(sim))")
        schedule = self.schedule

        def step() -> None:
            try:
                awaited = coroutine.send(None)
            except StopIteration:
                return
            if type(awaited) is Delay:
                schedule(step, delay_ps=awaited.ps)
            elif isinstance(awaited, _Suspend):
                awaited._suspend(step)
            else:
                coroutine.close()
                raise TypeError(f"a simfabric process awaited {awaited!r}; only sim.delay(...), "
                                "signal.wait(), resource.acquire() and link.transmit() can be awaited")

        schedule(step)
