"""Traffic workloads on either fabric model, exported by `simfabric.network`:

    t = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=8)
    r = sf.network.run_incast(t, bytes=2**20, senders=8, model="packet")
    r = sf.network.run_poisson(t, load=0.5, duration_us=200, sizes="cdf", cdf_file="websearch_cdf.csv")
    r = sf.network.run_traffic_matrix(t, "matrix.csv", model="flow")
    r.p99_slowdown, r.to_pandas("transfers")      # per-flow src, dst, bytes, start_s, fct_s, slowdown

`packet={"transport": "dcqcn", "pfc": True}` (a scenario's [packet] keys) or a
`sf.network.PacketParams()`, with model="packet", sets the packet model's
transport, paths, buffers, ECN and PFC (docs/packet.md). The metrics are those of a
`simfabric run` of the fabric scenario with the same workload (docs/fabric.md).
"""

from __future__ import annotations

import functools
from typing import Any, Mapping, Optional, Union

from ._core.network import PacketParams
from ._core import network as _network
from .results import typed

TRAFFIC_UNITS = {"completion_s": "s", "median_fct_s": "s", "p99_fct_s": "s", "max_fct_s": "s", "mean_slowdown": "",
                 "median_slowdown": "", "p99_slowdown": "", "flows": "count", "flows_finished": "count",
                 "events": "count", "drops": "count", "ecn_marks": "count", "trims": "count", "pfc_pauses": "count",
                 "retransmissions": "count", "timeouts": "count", "target_load": "", "offered_load": "",
                 "mean_flow_bytes": "B", "src": "", "dst": "", "bytes": "B", "start_s": "s", "end_s": "s",
                 "fct_s": "s", "ideal_fct_s": "s", "slowdown": "", "carried_bytes": "B", "max_queue_bytes": "B"}



def packet_params(packet: Union[None, Mapping[str, Any], PacketParams]) -> Optional[PacketParams]:
    """A PacketParams from a dict of a scenario's [packet] keys (``rto_us``, ``paths``, ...;
    docs/packet.md), read by the scenario's own reader: declared defaults and ranges, and a
    ValueError naming every bad or unknown key (``packet.rto_us: ...``), as `sf.collective.run`
    reads them; a PacketParams passes through."""
    if packet is None or isinstance(packet, PacketParams):
        return packet
    return _network.packet_params(dict(packet))


def _with_packet(function):
    compiled = typed(function, TRAFFIC_UNITS)

    @functools.wraps(function)
    def call(*args, packet=None, **kwargs):
        return compiled(*args, packet=packet_params(packet), **kwargs)

    return call


run_transfers = _with_packet(_network.run_transfers)
run_incast = _with_packet(_network.run_incast)
run_traffic_matrix = _with_packet(_network.run_traffic_matrix)
run_poisson = _with_packet(_network.run_poisson)

__all__ = ["PacketParams", "TRAFFIC_UNITS", "packet_params", "run_incast", "run_poisson", "run_traffic_matrix", "run_transfers"]
