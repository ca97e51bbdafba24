"""Flow-level (max-min fair fluid) network model: random permutations under ECMP,
spraying, flow splitting or planned paths.

    r = sf.network.run_permutation(t, bytes=2e6, policy="spray")
    r["completion_s"], r["max_link_flows"], r["flow_completion_s"]  # numpy array

Faults (link_down_at, degraded_at) and results work as for sf.collective.run; rank i of
the result is source endpoint i.
"""

from ._core.network import random_permutation
from ._core import network as _network
from .results import FABRIC_ALIASES, FABRIC_DERIVED, FABRIC_UNITS, typed
from .traffic import PacketParams, run_incast, run_poisson, run_traffic_matrix, run_transfers

# median_fct_s and slowdown_vs_ideal as `simfabric run` files report them.
run_permutation = typed(_network.run_permutation, FABRIC_UNITS, FABRIC_ALIASES, derived=FABRIC_DERIVED)

POLICIES = ("ecmp", "spray", "split", "planned")

__all__ = ["POLICIES", "PacketParams", "random_permutation", "run_incast", "run_permutation", "run_poisson",
           "run_traffic_matrix", "run_transfers"]
