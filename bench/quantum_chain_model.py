#!/usr/bin/env python3
"""The message sequence of models/quantum/README.md ("Protocol timing"), on its own.

A chain of N routers, 10 km links, one memory at each end of every link (a request of one
memory), no decoherence and no cutoff: a timeline of link successes, swaps in nested-doubling
order and deliveries, written from the documented message delays and nothing else (no code
of the simulator). A link's time from its first emission to success is drawn from the
Barrett-Kok attempt process (round 1 with P1 = eta - 3/8 eta^2, success eta^2/2). Gives the
throughput the model predicts for each timing; bench/README.md puts it next to the
simulator's. For 2 and 3 routers it agrees with the closed form and the renewal argument.

usage: /usr/bin/python3 bench/quantum_chain_model.py [routers ...] [--seconds S] [--seed N]
"""

import argparse
import heapq
import math
import random

D = 1.0  # router-router delay of a 10 km link (50 us): the unit of time here
UNIT_S = 50e-6
ETA = 0.9 * 10 ** (-0.1)  # detector efficiency x half-link transmission (5 km, 0.2 dB/km)
P1 = ETA - 3 / 8 * ETA ** 2
PS = ETA ** 2 / 2


def generation_time(rng):
    """From a link's first emission to its success herald, in units of D."""
    t = 0.0
    while True:
        u = rng.random()
        if u < 1 - P1:
            t += 4 * D  # herald (D), then REQUEST, NEGOTIATE, ACK before the next emission
        elif u < 1 - P1 + (P1 - PS):
            t += 7 * D  # round 2 failed: two heralds, round-2 negotiation, pairing again
        else:
            return t + 4 * D  # round-1 herald, round-2 negotiation, round-2 herald


def nested(lo, hi, left, right):
    if hi - lo < 2:
        return
    mid = (lo + hi) // 2
    left[mid], right[mid] = lo, hi
    nested(lo, mid, left, right)
    nested(mid, hi, left, right)


def throughput(routers, reference, seconds, seed):
    rng = random.Random(seed)
    n = routers
    left, right = [-1] * n, [-1] * n
    nested(0, n - 1, left, right)
    raw_since = {}  # (router, side) -> time it became free; absent: busy
    for u in range(n):
        if u > 0:
            raw_since[(u, "L")] = 0.0
        if u < n - 1:
            raw_since[(u, "R")] = 0.0
    ready = {}  # (a, b) -> True once both ends know the pair
    events, seq = [], [0]
    until = seconds / UNIT_S
    delivered = [0]
    halves = [0]

    def push(t, *what):
        seq[0] += 1
        heapq.heappush(events, (t, seq[0], what))

    def try_link(i, now):
        up, down = (i, "R"), (i + 1, "L")
        if up not in raw_since or down not in raw_since:
            return
        t_up, t_down = raw_since.pop(up), raw_since.pop(down)
        emit = now + 3 * D
        if reference and t_down > t_up:
            late = (t_down - t_up) - D
            k = 0 if late <= 0 else math.ceil(late / (2 * D) - 1e-12)
            emit = t_up + D + 2 * k * D + 2 * D
        push(emit + generation_time(rng), "pair", i, i + 1)

    def free(router, toward, now):
        side = "R" if toward > router else "L"
        raw_since[(router, side)] = now
        try_link(router if side == "R" else router - 1, now)

    def pair_known(a, b, now):
        ready[(a, b)] = True
        if a == 0 and b == n - 1:
            del ready[(a, b)]
            delivered[0] += 1
            free(a, b, now)
            free(b, a, now)
            return
        for u in (a, b):
            lo, hi = left[u], right[u]
            if lo < 0 or (a, b) not in ((lo, u), (u, hi)):
                continue
            if ready.get((lo, u)) and ready.get((u, hi)):
                ready[(lo, u)] = ready[(u, hi)] = False  # held for the swap
                rtt = 2 * max(u - lo, hi - u) * D if reference else 0.0
                push(now + rtt, "swap", u, lo, hi)

    for i in range(n - 1):
        try_link(i, 0.0)
    while events:
        t, _, what = heapq.heappop(events)
        if t > until:
            break
        if what[0] == "pair":
            pair_known(what[1], what[2], t)
        elif what[0] == "swap":
            _, u, lo, hi = what
            del ready[(lo, u)], ready[(u, hi)]
            free(u, lo, t)
            free(u, hi, t)
            # SWAP_RES reaches lo after (u - lo) D, hi after (hi - u) D. An end-to-end pair
            # is taken by each end as it learns of it (reference); any other needs both ends.
            if reference and lo == 0 and hi == n - 1:
                push(t + (u - lo) * D, "half", lo, hi)
                push(t + (hi - u) * D, "half", hi, lo)
            else:
                push(t + max(u - lo, hi - u) * D, "pair", lo, hi)
        elif what[0] == "half":
            _, end, other = what
            free(end, other, t)
            halves[0] += 1
            if halves[0] % 2 == 0:
                delivered[0] += 1
    return delivered[0] / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("routers", nargs="*", type=int, default=[2, 3, 5, 9])
    parser.add_argument("--seconds", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for n in args.routers:
        ref = throughput(n, True, args.seconds, args.seed)
        eager = throughput(n, False, args.seconds, args.seed)
        print(f"{n} routers: reference {ref:.1f} pairs/s, eager {eager:.1f} pairs/s")


if __name__ == "__main__":
    main()
