"""Python's packet={...} is read by the scenario's own [packet] reader: the same keys give
the same PacketParams and the same figures as a scenario file's [packet] table, defaults
are the declared ones (docs/packet.md's generated table), and a bad value or an unknown
key is a ValueError naming packet.<key>."""

import json
import re
import subprocess

import h5py
import numpy as np
import pytest

import simfabric as sf
from simfabric.traffic import packet_params

# Every value differs from its default; durations and sizes in both of their spellings.
PACKET = {"transport": "dcqcn", "paths": "spray", "entropies": 16, "mtu_bytes": 2048, "header_bytes": 48,
          "switch_latency_ns": 150, "flowlet_gap_us": "2 us", "port_buffer_bytes": "256 KiB", "ecn_kmin_bytes": 20000,
          "ecn_kmax_bytes": "80 KB", "ecn_pmax": 0.5, "rto_us": 40, "dcqcn_timer_us": 20.5, "dcqcn_g": 0.125,
          "dcqcn_rate_ai_gbps": 10, "dcqcn_fast_recovery_steps": 3, "pfc": True, "pfc_xoff_bytes": 120000,
          "pfc_xon_bytes": 60000}


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def fields(p):
    return {name: getattr(p, name) for name in dir(p) if not name.startswith("_")}


def declared_defaults(repo_root):
    """key -> default text, from docs/packet.md's [packet] table (a C++ test keeps it equal
    to the declarations)."""
    text = (repo_root / "docs/packet.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| [^|]* \| ([^|]*) \|", text, re.M)
    return {key: (kind, default.strip()) for key, kind, default in rows}


def test_a_packet_dict_gives_the_figures_of_the_same_scenario_table(simfabric_bin, tmp_path):
    scenario = tmp_path / "packet.toml"
    scenario.write_text("\n".join([
        'kind = "fabric"', "seed = 7",
        "[topology]", 'type = "leaf_spine"', "leaves = 2", "spines = 2", "hosts_per_leaf = 2",
        "[network]", 'model = "packet"',
        "[workload]", 'type = "permutation"', 'bytes = "1 MB"',
        "[packet]", *(f"{key} = {toml_value(value)}" for key, value in PACKET.items())]) + "\n")
    out = tmp_path / "packet.h5"
    done = subprocess.run([str(simfabric_bin), "run", str(scenario), "-o", str(out), "--json"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    from_file = json.loads(done.stdout)
    topology = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=2)
    from_python = sf.network.run_permutation(topology, bytes=1e6, seed=7, model="packet", packet=PACKET)
    assert from_file["complete"] == 1.0 and from_python["complete"]
    compared = ("completion_s", "median_fct_s", "p99_fct_s", "slowdown_vs_ideal", "data_packets", "control_packets", "drops",
                "ecn_marks", "pfc_pauses", "retransmissions", "timeouts", "duplicate_packets", "events")
    for key in compared:
        assert from_python[key] == from_file[key], key
    # Every flow's finish to the picosecond.
    with h5py.File(out) as h5:
        assert list(h5["tables/ranks/finish_s"][:]) == list(from_python["flow_completion_s"])
    # The parameters themselves, as the traffic functions take them.
    p = packet_params(PACKET)
    assert (p.transport, p.paths, p.mtu_bytes, p.header_bytes) == ("dcqcn", "spray", 2048, 48)
    assert (p.switch_latency_ps, p.flowlet_gap_ps, p.rto_ps, p.dcqcn_timer_ps) == (150_000, 2_000_000, 40_000_000,
                                                                                  20_500_000)
    assert (p.port_buffer_bytes, p.ecn_kmax_bytes) == (262144, 80000)
    # A PacketParams passes through as it is.
    assert fields(packet_params(p)) == fields(p)
    assert sf.network.run_permutation(topology, bytes=1e6, seed=7, model="packet", packet=p)["completion_s"] == \
        from_python["completion_s"]


def test_defaults_are_the_declared_ones(repo_root):
    declared = declared_defaults(repo_root)
    defaults = packet_params({})
    assert fields(defaults) == fields(sf.network.PacketParams())
    assert len(declared) == 33
    scale = {"us": 1e6, "ns": 1e3}
    for key, (kind, text) in declared.items():
        value = getattr(defaults, re.sub(r"_(us|ns)$", "_ps", key))
        if kind == "string":
            assert value == text, key
        elif kind == "boolean":
            assert value == (text == "true"), key
        elif kind == "duration":
            assert value == round(float(text) * scale[key.rsplit("_", 1)[1]]), key
        else:
            assert value == pytest.approx(float(text.split()[0]), rel=1e-6), key


@pytest.mark.parametrize("run", [
    lambda t, packet: sf.network.run_permutation(t, bytes=1e5, model="packet", packet=packet),
    lambda t, packet: sf.collective.run(t, bytes=1e5, model="packet", packet=packet),
    lambda t, packet: sf.network.run_incast(t, bytes=1e5, senders=2, model="packet", packet=packet),
])
def test_bad_values_and_unknown_keys_are_named(run):
    t = sf.topologies.leaf_spine(leaves=2, spines=2, hosts_per_leaf=2)
    with pytest.raises(ValueError) as bad:
        run(t, {"ecn_pmax": 1.5, "rto_us": -3, "entropies": 0, "colour": "red", "transport": "tcp",
                "port_buffer_bytes": "lots", "ecn_kmin_bytes": 500000})
    lines = str(bad.value).splitlines()
    assert "packet.ecn_pmax: expected a number in [0, 1], got 1.5" in lines
    assert "packet.rto_us: expected a non-negative duration, got -3" in lines
    assert "packet.entropies: expected an integer in [1, 65536], got 0" in lines
    assert "packet.colour: unknown key" in lines
    assert any(line.startswith("packet.transport: expected one of dctcp, ") for line in lines)
    assert any(line.startswith("packet.port_buffer_bytes: ") for line in lines)
    assert "packet.ecn_kmax_bytes: expected ecn_kmax_bytes >= ecn_kmin_bytes" in lines
    assert len(lines) == 7
    with pytest.raises(ValueError, match=r"^packet.mtu_bytes: expected header_bytes \(> 0\) < mtu_bytes <= 65535"):
        run(t, {"mtu_bytes": 70000})
    with pytest.raises(ValueError, match="^packet.rto_us: expected a positive duration$"):
        run(t, {"rto_us": 0})
    with pytest.raises(ValueError, match="^packet.pfc: expected true or false, got an integer$"):
        run(t, {"pfc": 1})


def test_numpy_scalars_read_as_the_values_they_hold():
    p = packet_params({"entropies": np.int64(16), "ecn_pmax": np.float32(0.5), "pfc": np.bool_(True),
                       "mtu_bytes": np.uint16(2048)})
    assert (p.entropies, p.ecn_pmax, p.pfc, p.mtu_bytes) == (16, 0.5, True, 2048)
    with pytest.raises(ValueError, match=r"^packet.entropies: expected an integer in \[1, 65536\], got 0$"):
        packet_params({"entropies": np.int32(0)})
