"""Processes written as Python coroutines, driven by the compiled event loop.

A process is an ``async def`` function; it may ``await sim.delay(...)`` or
``await signal.wait()``. Each resumption is one event of the simulator, so processes and
plain callbacks interleave in the simulator's deterministic order.
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


class _Wait:
    __slots__ = ("signal",)

    def __init__(self, signal: "Signal"):
        self.signal = signal

    def __await__(self):
        yield self


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
            elif type(awaited) is _Wait:
                awaited.signal._waiters.append(step)
            else:
                coroutine.close()
                raise TypeError(f"a simfabric process awaited {awaited!r}; "
                                "only sim.delay(...) and signal.wait() can be awaited")

        schedule(step)
