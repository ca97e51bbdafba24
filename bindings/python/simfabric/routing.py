"""Routing over a topology: hop counts, shortest paths and the equal-cost path set.

    r = sf.routing.Router(t)
    r.count_equal_cost_paths(t.endpoints[0], t.endpoints[-1])
"""

from ._core.topologies import Router

__all__ = ["Router"]
