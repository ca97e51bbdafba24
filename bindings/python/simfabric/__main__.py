"""`python -m simfabric ARGS...` runs the command-line program with ARGS.

The program is looked up as SIMFABRIC_BIN, then the copy installed with the package
(simfabric/bin/simfabric), then the build tree's (build/bin/simfabric next to
build/python/simfabric), then `simfabric` on PATH.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sys
from typing import List, Optional

__all__ = ["find_program", "main"]


def find_program() -> pathlib.Path:
    """The path of the simfabric program; FileNotFoundError naming every place tried."""
    here = pathlib.Path(__file__).resolve().parent
    tried: List[str] = []
    env = os.environ.get("SIMFABRIC_BIN")
    candidates = ([pathlib.Path(env)] if env else []) + [here / "bin/simfabric", here.parents[1] / "bin/simfabric"]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
        tried.append(str(path))
    on_path = shutil.which("simfabric")
    # The console script installed with the package is named simfabric too: skip scripts.
    if on_path and pathlib.Path(on_path).read_bytes()[:2] != b"#!":
        return pathlib.Path(on_path)
    raise FileNotFoundError("simfabric program not found (tried SIMFABRIC_BIN, " + ", ".join(tried) + ", PATH)")


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        program = find_program()
    except FileNotFoundError as error:
        print(f"simfabric: {error}", file=sys.stderr)
        return 1
    # Replace this process: signals (Ctrl-C) and the exit code are the program's own.
    os.execv(program, [str(program), *args])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
