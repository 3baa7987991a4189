"""``python -m pytest_threepio <command>`` (and the ``pytest-threepio`` command): the log writer.

``run -- <command>``, ``report [run]``, ``ls``, ``show [run]``, ``follow [run]``, ``clean [--keep N]``:
the same commands as the npm package's ``threepio``, run by the log writer bundled in this wheel
(whose ``run`` records the pytest runs of its command; Jest and Vitest need the npm package's).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_threepio import find_node, offline, report_command
from pytest_threepio._sidecar_path import SIDECAR


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    node = find_node()
    if node is None:
        # ls and show read what is on disk; the other commands need the log writer.
        answered = offline.answer(args, "Node.js was not found (set THREEPIO_NODE, install pytest-threepio[node], or put node on PATH)")
        if answered is not None:
            return answered
        sys.stderr.write(
            "pytest-threepio: Node.js was not found; the log writer needs it. Install it with `pip install 'pytest-threepio[node]'`, set THREEPIO_NODE to a node binary, or put node on PATH.\n"
        )
        return 1
    if not SIDECAR.is_file():
        sys.stderr.write(f"pytest-threepio: the log writer {SIDECAR} is missing from this installation; reinstall pytest-threepio.\n")
        return 1
    try:
        # The log writer's usage and hints then name this command, not the npm one; `run` lends
        # this package to the pytest runs of its command.
        env = {**os.environ, "THREEPIO_PROG": report_command(), "THREEPIO_PYTHON_PACKAGE": str(Path(__file__).parent)}
        return subprocess.call([node, str(SIDECAR), *args], env=env)
    except OSError as err:
        sys.stderr.write(f"pytest-threepio: could not run Node.js at {node}: {err}. Check THREEPIO_NODE, or unset it to use node from PATH.\n")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
