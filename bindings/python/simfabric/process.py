"""Processes written as Python coroutines, driven by the compiled event loop.

A process is an ``async def`` function; it may ``await sim.delay(...)``,
``await signal.wait()``, ``await resource.acquire()`` or ``await link.transmit(bytes=...)``.
Each resumption is one event of the simulator, so processes and plain callbacks
interleave in the simulator's deterministic order.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections import deque
from typing import Any, Coroutine, Deque, Optional

from . import _core

_PS_PER_S = 1_000_000_000_000
_MAX_PS = 2**63 - 1


def _scaled_ps(value: Any, ps_per_unit: int, name: str) -> int:
    """A time in picoseconds from a number of units: finite, rounded to the nearest
    picosecond, within the core's 63-bit range."""
    kind = type(value)
    if kind is not int and kind is not float and (kind is bool or not isinstance(value, numbers.Real)):
        raise TypeError(f"{name}: expected a number, got {kind.__name__}")
    if ps_per_unit == 1 and isinstance(value, numbers.Integral):
        ps = value
    else:
        if not math.isfinite(value):
            raise _core.TimeOverflow(f"{name}: {value} is not a finite time")
        ps = round(value * ps_per_unit)
    if not -_MAX_PS <= ps <= _MAX_PS:
        raise _core.TimeOverflow(f"{name}: {value:.6g} is outside the 63-bit picosecond range (about +-106 days)")
    return ps


def _to_ps(s: Optional[float], ns: Optional[float], ps: Optional[int]) -> int:
    given = [v for v in (s, ns, ps) if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of s=, ns=, ps=")
    if ps is not None:
        if isinstance(ps, bool) or not isinstance(ps, numbers.Integral):
            raise TypeError(f"ps: expected an int, got {type(ps).__name__}")
        value = _scaled_ps(int(ps), 1, "ps")
    elif ns is not None:
        value = _scaled_ps(ns, 1_000, "ns")
    else:
        value = _scaled_ps(s, _PS_PER_S, "s")
    if value < 0:
        raise _core.SchedulingError(f"negative delay of {value} ps")
    return value


def _count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected an int, got bool")
    try:
        value = operator.index(value)  # ints and numpy integers; no floats
    except TypeError:
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
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
        _count(capacity, "Resource capacity", 1)
        self._sim = sim
        self.capacity = capacity
        self.available = capacity
        self._waiters: Deque[Any] = deque()

    def acquire(self, units: int = 1) -> _Acquire:
        _count(units, "acquire: units", 1)
        if units > self.capacity:
            raise ValueError(f"acquire: {units} units requested from a resource of capacity {self.capacity}")
        granted = not self._waiters and self.available >= units
        if granted:
            self.available -= units
        return _Acquire(self, units, granted)

    def release(self, units: int = 1) -> None:
        _count(units, "release: units", 1)
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
        if isinstance(gbps, bool) or not isinstance(gbps, numbers.Real) or not 0 < gbps < math.inf:
            raise ValueError(f"Link rate must be a positive, finite number of Gb/s, got {gbps!r}")
        if isinstance(latency_ns, bool) or not isinstance(latency_ns, numbers.Real) or not 0 <= latency_ns < math.inf:
            raise ValueError(f"Link latency must be a finite, non-negative number of ns, got {latency_ns!r}")
        self._sim = sim
        self.gbps = gbps
        self.latency_ps = _scaled_ps(latency_ns, 1_000, "latency_ns")
        self._free_at_ps = 0
        self.bytes_sent = 0

    def transmit(self, *, bytes: int) -> _Until:  # noqa: A002 - the unit is the name
        _count(bytes, "transmit: bytes", 0)
        start = max(self._sim.now_ps, self._free_at_ps)
        duration_ps = round(bytes * 8 * 1_000 / self.gbps)
        if duration_ps > _MAX_PS:
            raise _core.TimeOverflow(f"transmit: {bytes} bytes at {self.gbps} Gb/s take longer than about 106 days")
        self._free_at_ps = start + duration_ps
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
