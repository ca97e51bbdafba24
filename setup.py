"""Builds the package's compiled parts with CMake for `pip install .` (pyproject.toml).

The pure-Python sources are bindings/python/simfabric and analysis/ (as
simfabric.analysis). build_ext configures and builds the targets `_core` (the pybind11
module) and `simfabric` (the command-line program, shipped as simfabric/bin/simfabric so
that `python -m simfabric` finds it) in SIMFABRIC_BUILD_DIR (default: build/, so an
existing `make` build is reused and only what changed is compiled).

SIMFABRIC_PREBUILT=DIR skips CMake and takes both from an existing build tree DIR
(DIR/python/simfabric/_core*.so and DIR/bin/simfabric); SIMFABRIC_SETUP_BASE moves
setuptools' own scratch directory (default: build/setuptools).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


def version() -> str:
    text = (ROOT / "sim/version.hpp").read_text()
    return re.search(r'kVersion = "([0-9.]+)"', text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        prebuilt = os.environ.get("SIMFABRIC_PREBUILT")
        build_dir = pathlib.Path(prebuilt or os.environ.get("SIMFABRIC_BUILD_DIR", ROOT / "build")).resolve()
        if not prebuilt:
            if not (build_dir / "CMakeCache.txt").exists():
                subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
                                "-DCMAKE_BUILD_TYPE=Release", f"-DPython_EXECUTABLE={sys.executable}"],
                               check=True)
            jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
            subprocess.run(["cmake", "--build", str(build_dir), "--target", "_core", "simfabric",
                            "-j", jobs], check=True)
        modules = sorted((build_dir / "python/simfabric").glob("_core.*.so"))
        program = build_dir / "bin/simfabric"
        if not modules or not program.exists():
            raise RuntimeError(f"{build_dir}: no compiled module (python/simfabric/_core.*.so) "
                               f"or program (bin/simfabric); build it first (make)")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(modules[-1], target)
        bin_dir = target.parent / "bin"
        bin_dir.mkdir(exist_ok=True)
        shutil.copy2(program, bin_dir / "simfabric")


setup_base = pathlib.Path(os.environ.get("SIMFABRIC_SETUP_BASE", ROOT / "build/setuptools"))
setup_base.mkdir(parents=True, exist_ok=True)

setup(
    version=version(),
    packages=["simfabric", "simfabric.analysis"],
    package_dir={"simfabric": "bindings/python/simfabric", "simfabric.analysis": "analysis"},
    package_data={"simfabric": ["py.typed", "_core/*.pyi"]},
    ext_modules=[Extension("simfabric._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": str(setup_base)}, "egg_info": {"egg_base": str(setup_base)}},
    zip_safe=False,
)
