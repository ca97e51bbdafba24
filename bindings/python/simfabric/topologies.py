"""Fabric topologies: leaf-spine, fat-tree, ring, 2-D torus, GraphML; see docs/DESIGN.md.

    import simfabric as sf
    t = sf.topologies.leaf_spine(leaves=32, spines=32, hosts_per_leaf=32, host_gbps=400)
    t.set_link_down("leaf0-spine0")               # the cable: both directions
    t.set_link_down("leaf0->spine0")              # one direction, as results print it
    t.set_link_down(t.link("leaf0", "spine0"))    # one direction by link id
    sf.topologies.fabric_figures(t)               # uplink_gbps, oversubscription, ... its links imply
"""

from ._core.topologies import (
    Router,
    Topology,
    TopologyError,
    fabric_figures,
    fat_tree,
    leaf_spine,
    load_graphml,
    ring,
    torus2d,
)

__all__ = ["Router", "Topology", "TopologyError", "fabric_figures", "fat_tree", "leaf_spine", "load_graphml", "ring", "torus2d"]
