"""The committed type stubs describe the compiled module as it is."""

import ast
import os
import pathlib
import subprocess
import sys

import simfabric._core as core

ROOT = pathlib.Path(__file__).resolve().parents[2]
STUBS = ROOT / "bindings/python/simfabric/_core"


def test_stubs_match_the_compiled_module():
    env = dict(os.environ)
    out = subprocess.run([sys.executable, ROOT / "scripts/write_stubs.py", "--check"], capture_output=True,
                         text=True, env=env)
    assert out.returncode == 0, out.stderr


def test_stubs_parse_and_cover_every_public_name():
    names = set()
    for path in STUBS.glob("*.pyi"):
        tree = ast.parse(path.read_text())
        module = "" if path.stem == "__init__" else path.stem + "."
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(module + node.name)
    for submodule in ("topologies", "network", "collective", "accelerator", "quantum", "bench"):
        for name in dir(getattr(core, submodule)):
            if not name.startswith("_"):
                assert f"{submodule}.{name}" in names, f"{submodule}.{name} has no stub"
    assert "Simulator" in names
